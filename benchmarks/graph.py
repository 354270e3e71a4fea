"""How long `svcgen graph` takes for 10, 100 and 1000 components: as a fresh process, and the
Python part alone (building the graph from one render, and drawing it), in CPU seconds.

The values are the synthetic stack of benchmarks/render.py, with NetworkPolicies on, so every
pair of components is judged by the policies of both. The helm render is the same as for
`svcgen template`; what graph adds is parsing the render, the topology and the policy verdicts.
Each size runs a few times; the best time counts, since slower runs measure the machine.

Target: 100 components in under 3 CPU seconds as a fresh process (svcgen and the helm it runs;
CPU time hardly moves when other processes share the machine, wall time does).

Usage: python benchmarks/graph.py [--sizes 10,100,1000] [--runs 3] [--helm PATH] [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from render import render_once, run_measured, synthetic_values

from svcgen.diff.objects import parse
from svcgen.graph.draw import mermaid
from svcgen.graph.model import build
from svcgen.helm import find_helm

TARGET_100_SECONDS = 3.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--helm", default=None)
    parser.add_argument("--check", action="store_true", help="exit 1 when over the target")
    args = parser.parse_args(argv)
    helm = find_helm(args.helm)
    sizes = [int(s) for s in args.sizes.split(",")]
    print("components  objects  edges  process s  cpu s  build cpu s  draw cpu s")
    over = False
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for size in sizes:
            values = out / f"values-{size}.json"
            values.write_text(json.dumps(synthetic_values(size)))
            # The release and namespace render_once renders with: both graphs are the same.
            command = [sys.executable, "-m", "svcgen", "graph", "--format", "json",
                       "--release", "bench", "-n", "bench", "--helm", helm.path, str(values)]
            best = min((run_measured(command, out) for _ in range(args.runs)),
                       key=lambda r: r[0])
            seconds, cpu, code, stdout, stderr = best
            if code != 0:
                print(stderr, file=sys.stderr)
                return 1
            _, manifests = render_once(helm.path, values)
            objects = parse(manifests)
            started = time.process_time()
            graph = build(objects, release="bench", namespace="bench")
            built = time.process_time() - started
            started = time.process_time()
            mermaid(graph)
            drawn = time.process_time() - started
            # The fresh process and the in-process build must draw the same graph.
            assert len(json.loads(stdout)["edges"]) == len(graph.edges)
            print(f"{size:>10}  {len(objects):>7}  {len(graph.edges):>5}  {seconds:>9.2f}  "
                  f"{cpu:>5.2f}  {built:>11.2f}  {drawn:>10.3f}")
            if size == 100 and cpu > TARGET_100_SECONDS:
                over = True
    if over:
        print(f"over target: 100 components took more than {TARGET_100_SECONDS} CPU s")
    return 1 if over and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
