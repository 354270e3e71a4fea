"""How long `svcgen lint --render` takes beside one bare `helm template` of the same values.

The values are the synthetic stacks of benchmarks/render.py, written as block YAML (what the lint
reads). `lint --render` lints the values, then runs `helm template` and `helm lint` side by side
and checks every rendered object against the Kubernetes API schemas (one compiled validator per
kind, the manifests parsed once). One run is a pair of fresh processes, one after the other: the
bare `helm template` and `svcgen lint --render`; the ratio is computed per pair and the median of
the pairs counts (the machine is shared: load hits both sides of a pair alike). CPU time is that
of the process and the helm processes it ran; peak RSS the largest of them. `helm lint` alone is
timed in the same pairs, since it renders the chart once more and does more than a render.

Target: at 1000 components, `lint --render` within 1.5x one `helm template`.

Usage: python benchmarks/lint_render.py [--sizes 100,1000] [--runs 3] [--helm PATH] [--check]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import yaml
from render import Run, measured, synthetic_values, template_args

from svcgen.helm import DEFAULT_KUBE_VERSION, chart_dir, find_helm

TARGET_RATIO = 1.5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100,1000", help="component counts, comma separated")
    parser.add_argument("--runs", type=int, default=3, help="pairs per size; medians count")
    parser.add_argument("--helm", default=None, help="helm binary (default: as svcgen finds it)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    helm = find_helm(args.helm)
    svcgen = str(Path(sys.executable).parent / "svcgen")

    print(f"svcgen lint --render beside one helm template ({helm.version}), fresh processes, "
          f"medians of {args.runs} pairs")
    print(f"{'components':>10} {'template s':>10} {'lint s':>7} {'ratio':>6} {'cpu ratio':>9} "
          f"{'helm lint s':>11} {'template MiB':>12} {'lint MiB':>9}")
    ratios: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for size in sizes:
            values = work / f"bench-{size}-values.yaml"
            values.write_text(yaml.safe_dump(synthetic_values(size), sort_keys=False))
            lint_args = [svcgen, "lint", "--render", "--helm", helm.path, str(values)]
            helm_lint = [helm.path, "lint", str(chart_dir()), "--kube-version",
                         DEFAULT_KUBE_VERSION, "--values", str(values)]
            pairs: list[tuple[Run, Run, Run]] = []
            for _ in range(args.runs):
                bare = measured(template_args(helm.path, chart_dir(), values), work)
                lint = measured(lint_args, work, ok=(0, 1))  # findings are not failures here
                pairs.append((bare, lint, measured(helm_lint, work, ok=(0, 1))))
            ratios[size] = statistics.median(lint.seconds / bare.seconds for bare, lint, _ in pairs)
            cpu = statistics.median(lint.cpu / bare.cpu for bare, lint, _ in pairs)
            print(f"{size:>10} {statistics.median(b.seconds for b, _, _ in pairs):>10.2f} "
                  f"{statistics.median(r.seconds for _, r, _ in pairs):>7.2f} "
                  f"{ratios[size]:>6.2f} {cpu:>9.2f} "
                  f"{statistics.median(h.seconds for _, _, h in pairs):>11.2f} "
                  f"{max(b.rss_mib for b, _, _ in pairs):>12.1f} "
                  f"{max(r.rss_mib for _, r, _ in pairs):>9.1f}", flush=True)
    missed = False
    if 1000 in ratios:
        missed = ratios[1000] > TARGET_RATIO
        print(f"lint --render / helm template at 1000 components: {ratios[1000]:.2f} (target <= "
              f"{TARGET_RATIO}): {'MISSED' if missed else 'met'}")
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
