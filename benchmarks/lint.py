"""How long `svcgen lint` takes for 10, 100 and 1000 components, and what `--render` adds.

The values are the synthetic, real-looking stacks of benchmarks/render.py, written as block YAML
(what people write, and what the lint has to parse). Every rule runs. Each size is linted a few
times; the best time counts. The phases (YAML loading, merging, schema, rules) are reported so a
slow rule shows up on its own.

Each size is also linted by a fresh `svcgen lint` process, which adds Python's start and the
imports: what a user or a CI step waits for. Its CPU time is printed beside its wall time, since
it barely changes when other processes share the machine.

Targets: 1000 components lint in under 1 s without --render as a fresh process, and 1000 take
less than 15x as long as 100 in the process (linear in the number of components). With --render
the time is dominated by helm: the report sets it beside one bare `helm template` of the same
values.

Usage: python benchmarks/lint.py [--sizes 10,100,1000] [--runs 5] [--render-size 100] [--check]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml
from render import render_once, run_process, synthetic_values

from svcgen.helm import find_helm
from svcgen.lint import Linter, RenderOptions

TARGET_1000_SECONDS = 1.0
TARGET_RATIO = 15.0


def write_values(directory: Path, size: int) -> Path:
    path = directory / f"bench-{size}-values.yaml"
    path.write_text(yaml.safe_dump(synthetic_values(size), sort_keys=False))
    return path


def lint_once(path: Path) -> tuple[float, dict[str, float], int]:
    start = time.perf_counter()
    result = Linter().lint_files([str(path)])
    return time.perf_counter() - start, result.timings, len(result.diagnostics)


def fresh_process(path: Path, out_dir: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `svcgen lint` process; findings (exit 1) are expected."""
    run, code, _, err = run_process([str(Path(sys.executable).parent / "svcgen"), "lint",
                                     str(path)], out_dir)
    if code not in (0, 1):
        raise SystemExit(f"svcgen lint failed:\n{err}")
    return run.seconds, run.cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10,100,1000", help="component counts, comma separated")
    parser.add_argument("--runs", type=int, default=5, help="lint runs per size; the best counts")
    parser.add_argument("--render-size", type=int, default=100,
                        help="components for the --render measurement (0: skip it)")
    parser.add_argument("--helm", default=None, help="helm binary (default: as svcgen finds it)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"svcgen lint (every rule, no --render), best of {args.runs} runs "
          f"(load average {load})")
    print(f"{'components':>10} {'lines':>7} {'seconds':>8} {'load':>6} {'merge':>6} "
          f"{'schema':>6} {'rules':>6} {'findings':>9} {'fresh s':>8} {'fresh cpu s':>11}")
    best: dict[int, float] = {}
    fresh: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = write_values(Path(tmp), size)
            runs = [lint_once(path) for _ in range(args.runs)]
            elapsed, phases, count = min(runs, key=lambda r: r[0])
            best[size] = elapsed
            fresh[size], fresh_cpu = min(fresh_process(path, Path(tmp)) for _ in range(args.runs))
            lines = path.read_text().count("\n")
            print(f"{size:>10} {lines:>7} {elapsed:>8.3f} {phases['load']:>6.3f} "
                  f"{phases['merge']:>6.3f} {phases['schema']:>6.3f} {phases['rules']:>6.3f} "
                  f"{count:>9} {fresh[size]:>8.3f} {fresh_cpu:>11.3f}", flush=True)

        if args.render_size:
            helm = find_helm(args.helm)
            path = write_values(Path(tmp), args.render_size)
            opts = RenderOptions(kube_version="1.35.0", release="bench", helm=helm.path)
            start = time.perf_counter()
            result = Linter().lint_files([str(path)], render=opts)
            with_render = time.perf_counter() - start
            bare, _ = render_once(helm.path, path)
            phase = result.timings.get("render", 0.0)
            print(f"\n--render, {args.render_size} components (Helm {helm.version}): "
                  f"{with_render:.2f} s in all, of which {phase:.2f} s render phase (helm "
                  f"template + helm lint + Kubernetes schema validation); one bare helm "
                  f"template: {bare:.2f} s")

    missed = False
    if 1000 in best:
        ok = fresh[1000] < TARGET_1000_SECONDS
        missed |= not ok
        print(f"1000 components: {fresh[1000]:.3f} s as a fresh process, {best[1000]:.3f} s in "
              f"the process (target < {TARGET_1000_SECONDS:.0f} s): {'met' if ok else 'MISSED'}")
    if 100 in best and 1000 in best:
        ratio = best[1000] / best[100]
        ok = ratio < TARGET_RATIO
        missed |= not ok
        print(f"1000/100 ratio: {ratio:.1f} (target < {TARGET_RATIO:.0f}, linear): "
              f"{'met' if ok else 'MISSED'}")
    return 1 if (missed and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
