"""How long `svcgen values` takes for Compose files of 10, 100 and 1000 services, and how long
`svcgen --help` takes to start.

The Compose files are synthetic but shaped like real stacks: every service has an image, ports,
environment (with secret-looking names), a healthcheck, resources, labels and a restart policy (a
key that is reported); every fifth keeps data in a named volume; each depends on its neighbour.
Each size runs a few times; the best time counts, since slower runs measure the machine. Two
numbers per size: inside one process (loading, interpolation, merge, model check, mapping, values
validation, YAML output and the report), and a whole fresh `svcgen values` process, which adds
Python's start and the imports.

Targets: 1000 services in under 1 s (the fresh process), `svcgen --help` in under 0.3 s.

Usage: python benchmarks/values.py [--sizes 10,100,1000] [--runs 5] [--check]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

from render import run_process

from svcgen.values_cmd import run_values

TARGET_1000_SECONDS = 1.0
TARGET_HELP_SECONDS = 0.3


def compose_text(size: int) -> str:
    lines = ["name: bench", "services:"]
    volumes = []
    for i in range(size):
        lines += [
            f"  svc{i}:",
            f"    image: ghcr.io/acme/svc{i}:1.{i % 7}.0",
            "    user: \"10001\"",
            "    ports:",
            f"      - \"{8000 + i % 1000}:8080\"",
            "    environment:",
            "      LOG_LEVEL: info",
            f"      UPSTREAM_URL: http://svc{(i + 1) % size}:8080",
            f"      API_TOKEN: ${{TOKEN_{i}:-dev}}",
            "    healthcheck:",
            "      test: [\"CMD\", \"wget\", \"-q\", \"--spider\", \"http://localhost:8080/healthz\"]",
            "      interval: 10s",
            "      timeout: 3s",
            "    deploy:",
            "      replicas: 2",
            "      resources:",
            "        limits: {cpus: \"0.5\", memory: 256M}",
            "    labels:",
            "      com.example.team: bench",
            "    restart: unless-stopped",
        ]
        if i + 1 < size:
            lines.append(f"    depends_on: [svc{i + 1}]")
        if i % 5 == 0:
            lines += ["    volumes:", f"      - data{i}:/var/lib/data"]
            volumes.append(f"data{i}")
    if volumes:
        lines.append("volumes:")
        lines += [f"  {v}: {{}}" for v in volumes]
    return "\n".join(lines) + "\n"


def in_process(path: Path) -> float:
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    run_values([str(path)], output=None, fmt="auto", env_file=None, profiles=(), project=None,
               registry=None, images=(), strict=False, stdout=out, stderr=err)
    return time.perf_counter() - start


def fresh_process(*args: str) -> float:
    return fresh_process_cpu(*args)[0]


def fresh_process_cpu(*args: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one svcgen process. CPU time barely changes when other
    processes share the machine."""
    with tempfile.TemporaryDirectory() as tmp:
        run, code, _, err = run_process([str(Path(sys.executable).parent / "svcgen"), *args],
                                        Path(tmp))
    if code != 0:
        raise SystemExit(f"svcgen {' '.join(args)} failed:\n{err}")
    return run.seconds, run.cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10,100,1000", help="service counts, comma separated")
    parser.add_argument("--runs", type=int, default=5, help="runs per size; the best counts")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    print(f"svcgen values (Compose), best of {args.runs} runs")
    print(f"{'services':>8} {'lines':>7} {'in-process s':>13} {'fresh process s':>16} "
          f"{'fresh cpu s':>11}")
    fresh: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / f"compose-{size}.yaml"
            path.write_text(compose_text(size), encoding="utf-8")
            inside = min(in_process(path) for _ in range(args.runs))
            fresh[size], cpu = min(fresh_process_cpu("values", str(path))
                                   for _ in range(args.runs))
            lines = path.read_text(encoding="utf-8").count("\n")
            print(f"{size:>8} {lines:>7} {inside:>13.3f} {fresh[size]:>16.3f} {cpu:>11.3f}",
                  flush=True)
    help_time = min(fresh_process("--help") for _ in range(args.runs))
    print(f"\nsvcgen --help: {help_time:.3f} s (fresh process)")

    missed = []
    if 1000 in fresh and fresh[1000] >= TARGET_1000_SECONDS:
        missed.append(f"1000 services took {fresh[1000]:.2f} s (target {TARGET_1000_SECONDS} s)")
    if help_time >= TARGET_HELP_SECONDS:
        missed.append(f"--help took {help_time:.2f} s (target {TARGET_HELP_SECONDS} s)")
    for line in missed:
        print(f"MISSED: {line}")
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
