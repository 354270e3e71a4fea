"""How long `svcgen values -o FILE` takes to update FILE in place, beside writing it new.

The Compose files are those of benchmarks/values.py (every service with an image, ports, env, a
healthcheck, replicas and limits). For each size, one run is a pair, timed as fresh processes one
after the other: `svcgen values compose.yaml -o new.yaml` writing a new file, and the same command
updating the values file it wrote earlier after one environment value of one service changed
(the documented workflow: re-run after a Compose change; comments and untouched components keep
their bytes). The update's time over the new file's is computed per pair, and the median of the
pairs counts, so load from other processes hits both sides alike. Peak RSS is the process's own.
An update with the input unchanged (nothing to rewrite) is timed in the same pairs.

Target: at 1000 services, the update takes at most 2x the new file.

Usage: python benchmarks/update.py [--sizes 100,1000] [--runs 5] [--check]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from render import Run, measured
from values import compose_text

TARGET_RATIO = 2.0


def svcgen_run(args: list[str], out_dir: Path) -> Run:
    return measured([str(Path(sys.executable).parent / "svcgen"), *args], out_dir)


def changed(text: str, size: int) -> str:
    """The Compose file after one environment value of one service (the middle one) changed."""
    middle = size // 2
    old = f"      UPSTREAM_URL: http://svc{(middle + 1) % size}:8080\n"
    assert old in text
    return text.replace(old, f"      UPSTREAM_URL: http://svc{(middle + 1) % size}:9090\n", 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100,1000", help="service counts, comma separated")
    parser.add_argument("--runs", type=int, default=5, help="pairs per size; medians count")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    print(f"svcgen values -o: update in place beside a new file (fresh processes), medians of "
          f"{args.runs} pairs")
    print(f"{'services':>8} {'new s':>7} {'update s':>9} {'ratio':>6} {'cpu ratio':>9} "
          f"{'unchanged s':>11} {'new MiB':>8} {'update MiB':>10}")
    ratios: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for size in sizes:
            base = work / f"compose-{size}.yaml"
            base.write_text(compose_text(size), encoding="utf-8")
            edited = work / f"compose-{size}-edited.yaml"
            edited.write_text(changed(compose_text(size), size), encoding="utf-8")
            written = work / f"values-{size}.yaml"
            svcgen_run(["values", str(base), "-o", str(written)], work)
            pairs: list[tuple[Run, Run, Run]] = []
            for _ in range(args.runs):
                new = work / "new.yaml"
                new.unlink(missing_ok=True)
                fresh = svcgen_run(["values", str(edited), "-o", str(new)], work)
                target = work / "updated.yaml"
                shutil.copy(written, target)
                update = svcgen_run(["values", str(edited), "-o", str(target)], work)
                same = svcgen_run(["values", str(edited), "-o", str(target)], work)
                pairs.append((fresh, update, same))
            ratios[size] = statistics.median(u.seconds / f.seconds for f, u, _ in pairs)
            cpu = statistics.median(u.cpu / f.cpu for f, u, _ in pairs)
            print(f"{size:>8} {statistics.median(f.seconds for f, _, _ in pairs):>7.2f} "
                  f"{statistics.median(u.seconds for _, u, _ in pairs):>9.2f} "
                  f"{ratios[size]:>6.2f} {cpu:>9.2f} "
                  f"{statistics.median(s.seconds for _, _, s in pairs):>11.2f} "
                  f"{max(f.rss_mib for f, _, _ in pairs):>8.1f} "
                  f"{max(u.rss_mib for _, u, _ in pairs):>10.1f}", flush=True)
    missed = []
    if 1000 in ratios:
        ok = ratios[1000] <= TARGET_RATIO
        print(f"update / new file at 1000 services: {ratios[1000]:.2f} (target <= "
              f"{TARGET_RATIO}): {'met' if ok else 'MISSED'}")
        if not ok:
            missed.append(1000)
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
