"""How long `svcgen diff BASE -- NEW` takes for 10, 100 and 1000 components, as a fresh process.

BASE is the synthetic, real-looking stack of benchmarks/render.py; NEW is a typical release of it:
every third component gets a new image tag, every fifth another replica count, every seventh a
new environment variable, and one component is renamed (so the rules have findings to place). The
diff renders both sides with helm (side by side), compares every object field by field and runs
every diff rule. Each size runs a few times; the best time counts, since slower runs measure the
machine. CPU time (svcgen and the helm processes it runs) is printed beside the wall time: it
hardly moves when other processes share the machine. So is one bare `helm template` of BASE: with
the two renders side by side, it is the diff's floor on a machine with two idle cores.

Each run is a pair, one after the other: the bare `helm template` of BASE, then the diff; the
ratio of the two is taken per pair and its median printed (load hits both sides of a pair alike).

Targets: 100 components in under 2 s as a fresh process (Python's start, the imports, two renders
and the comparison); at 1000 components the diff within 1.3x one `helm template` (median of the
paired ratios).

Usage: python benchmarks/diff.py [--sizes 10,100,1000] [--runs 3] [--helm PATH] [--check]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from render import render_once, run_measured, synthetic_values

from svcgen.helm import find_helm

TARGET_100_SECONDS = 2.0
TARGET_RATIO = 1.3  # diff / one helm template at 1000 components


def release_of(values: dict[str, Any]) -> dict[str, Any]:
    """NEW: the changes a release of the stack typically makes."""
    new = copy.deepcopy(values)
    components = new["components"]
    for i, comp in enumerate(components[cid] for cid in sorted(components)):
        app = comp["containers"]["app"]
        if i % 3 == 0:
            app["image"]["tag"] = app["image"]["tag"] + "-1"
        if i % 5 == 0 and "scaling" not in comp:
            comp["replicas"] = 3
        if i % 7 == 0:
            app["env"]["FEATURE_FLAGS"] = "fast-path"
    # One rename, with the peers that name it following along.
    old = sorted(components)[0]
    renamed = f"{old}-v2"
    components[renamed] = components.pop(old)
    for comp in components.values():
        for peer in comp.get("upstreams", []) + comp.get("whitelists", []):
            if peer.get("component") == old:
                peer["component"] = renamed
    return new


def diff_once(helm: str, base: Path, new: Path, out_dir: Path) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of svcgen and the helm processes it ran, JSON output)."""
    args = [str(Path(sys.executable).parent / "svcgen"), "diff", "--helm", helm, "--format",
            "json", str(base), "--", str(new)]
    elapsed, cpu, code, out, err = run_measured(args, out_dir)
    if code not in (0, 1) or not out:
        raise SystemExit(f"svcgen diff failed ({code}): {err}")
    return elapsed, cpu, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10,100,1000", help="component counts, comma separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per size; the best counts")
    parser.add_argument("--helm", default=None, help="helm binary (default: svcgen's lookup)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    helm = find_helm(args.helm)

    print(f"svcgen diff (fresh process) with {helm.version}, best of {args.runs} runs")
    print(f"{'components':>10} {'diff s':>7} {'CPU s':>6} {'one render s':>13} {'changes':>8} "
          f"{'findings':>9} {'ratio':>6}")
    best: dict[int, float] = {}
    ratios: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            values = synthetic_values(size)
            base, new = Path(tmp) / f"base-{size}.yaml", Path(tmp) / f"new-{size}.yaml"
            base.write_text(yaml.safe_dump(values, sort_keys=False))
            new.write_text(yaml.safe_dump(release_of(values), sort_keys=False))
            renders, runs = [], []
            for _ in range(args.runs):  # pairs: a bare render, then the diff
                renders.append(render_once(helm.path, base)[0])
                runs.append(diff_once(helm.path, base, new, Path(tmp)))
            best[size], cpu, out = min(runs, key=lambda r: r[0])
            ratios[size] = statistics.median(r[0] / t for r, t in zip(runs, renders, strict=True))
            doc = json.loads(out)
            print(f"{size:>10} {best[size]:>7.2f} {cpu:>6.2f} {min(renders):>13.2f} "
                  f"{len(doc['changes']):>8} {len(doc['findings']):>9} {ratios[size]:>6.2f}",
                  flush=True)

    missed = []
    if 100 in best and best[100] >= TARGET_100_SECONDS:
        missed.append(f"100 components took {best[100]:.2f} s (target {TARGET_100_SECONDS} s)")
    if 1000 in ratios:
        ok = ratios[1000] <= TARGET_RATIO
        print(f"diff / one helm template at 1000 components: {ratios[1000]:.2f} (median of the "
              f"pairs; target <= {TARGET_RATIO}): {'met' if ok else 'MISSED'}")
        if not ok:
            missed.append(f"diff at 1000 components took {ratios[1000]:.2f}x one render")
    for line in missed:
        print(f"MISSED: {line}")
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
