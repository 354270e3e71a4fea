"""How long `helm template` takes to render the chart for 10, 100 and 1000 components.

The values are synthetic but shaped like real stacks (validated against the values model first):
every component has ports, env, secret env, probes and resources; some have a sidecar, an
ingress (some with TLS), autoscaling, volumes (scratch, inline files, persistent state), metrics
(a PodMonitor and pod annotations), and each calls its neighbour, with NetworkPolicies on. Each
size is rendered a few times; the best time counts, since the slower runs measure the machine,
not the chart.

Targets: 100 components render in under 1 s, and 1000 components take less than 10x as long as
100 (cost linear in the number of components: no helper may scan every component per component).
Wall time is judged; CPU time is printed beside it because it barely changes when other processes
share the machine.

Usage: python benchmarks/render.py [--sizes 10,100,1000] [--runs 3] [--helm PATH] [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from svcgen.helm import DEFAULT_KUBE_VERSION, chart_dir, find_helm
from svcgen.model import Values

TARGET_100_SECONDS = 1.0
TARGET_RATIO = 10.0


def component(i: int, count: int) -> dict[str, Any]:
    """Component ``svc-<i>``: deterministic, with features spread over the components."""
    name = f"svc-{i:04d}"
    app: dict[str, Any] = {
        "image": {"repository": f"ghcr.io/acme/{name}", "tag": f"1.{i % 17}.{i % 5}"},
        "ports": {"http": {"containerPort": 8080}},
        "env": {"LOG_LEVEL": "info", "SERVICE_NAME": name, "HTTP_PORT": "8080",
                "UPSTREAM_URL": f"http://svc-{(i + 1) % count:04d}"},
        "secretEnv": {"DATABASE_URL": {"secret": f"{name}-db", "key": "url"}},
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                      "limits": {"memory": "256Mi"}},
        "probes": {"readiness": {"httpGet": {"path": "/healthz", "port": "http"}}},
    }
    if i % 2 == 0:
        app["ports"]["metrics"] = {"containerPort": 9090}
        app["probes"]["liveness"] = {"httpGet": {"path": "/livez", "port": "http"},
                                     "periodSeconds": 20}
    comp: dict[str, Any] = {
        "replicas": 2,
        "containers": {"app": app},
        "service": {"ports": {"http": {"port": 80}}},
        "upstreams": [{"component": f"svc-{(i + 1) % count:04d}"}],
        "whitelists": [{"component": f"svc-{(i - 1) % count:04d}"}],
    }
    if i % 2 == 0:
        # Not on the Service: scraped through a PodMonitor, and admitted by the NetworkPolicy.
        comp["metrics"] = {"port": "metrics", "interval": "30s"}
    if i % 7 == 3:
        comp["containers"]["log-shipper"] = {
            "image": {"repository": "fluent/fluent-bit", "tag": "3.1.9"},
            "ports": {"fluent-metrics": {"containerPort": 2020}},
            "resources": {"requests": {"cpu": "20m", "memory": "32Mi"},
                          "limits": {"memory": "64Mi"}},
        }
    if i % 5 == 0:
        host = f"{name}.example.com"
        comp["ingress"] = {"hosts": {host: {"paths": {"/": {"port": "http"}}}}}
        if i % 10 == 0:
            comp["ingress"]["tls"] = {"certManager": {"clusterIssuer": "letsencrypt"}}
    if i % 4 == 1:
        comp["scaling"] = {"minReplicas": 2, "maxReplicas": 10, "targetCPU": 70}
    if i % 6 == 2:
        comp["volumes"] = {"cache": {"emptyDir": {"sizeLimit": "256Mi"}},
                           "config": {"files": {"app.toml": f'name = "{name}"\nworkers = 4\n'}}}
        app["volumeMounts"] = {"cache": {"mountPath": "/var/cache/app"},
                               "config": {"mountPath": "/etc/app", "readOnly": True}}
    if i % 10 == 9:
        comp["kind"] = "StatefulSet"
        comp["volumes"] = {"data": {"size": "5Gi"}}
        app["volumeMounts"] = {"data": {"mountPath": "/var/lib/app"}}
    return comp


def synthetic_values(count: int) -> dict[str, Any]:
    values = {
        "global": {"domain": "example.com", "networkPolicy": {"enabled": True},
                   "metrics": {"monitor": "auto"}},
        "components": {f"svc-{i:04d}": component(i, count) for i in range(count)},
    }
    Values.model_validate(values)  # the benchmark measures values the chart accepts
    return values


def render_once(helm: str, values_file: Path) -> tuple[float, str]:
    """(wall seconds, manifests) of one `helm template` (benchmarks/lint.py uses it too)."""
    with tempfile.TemporaryDirectory() as tmp:
        elapsed, _, manifests = render_measured(helm, values_file, Path(tmp))
    return elapsed, manifests


def render_measured(helm: str, values_file: Path, out_dir: Path) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, manifests) of one `helm template`.

    CPU time (user + system of helm and its threads) hardly moves when other processes share the
    machine, so it shows the cost of the chart itself; wall time is what a user waits.
    """
    args = [helm, "template", "bench", str(chart_dir()), "--namespace", "bench",
            "--kube-version", DEFAULT_KUBE_VERSION, "--values", str(values_file)]
    elapsed, cpu, code, out, err = run_measured(args, out_dir)
    if code != 0:
        raise SystemExit(f"helm template failed:\n{err}")
    return elapsed, cpu, out


def run_measured(args: list[str], out_dir: Path) -> tuple[float, float, int, str, str]:
    """(wall seconds, CPU seconds of the process and its children, exit status, stdout, stderr)
    of one command; its output goes through files in ``out_dir``, as a shell redirect would."""
    out_path, err_path = out_dir / "out.txt", out_dir / "err.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    return (elapsed, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status),
            out_path.read_text(), err_path.read_text())


def count_objects(manifests: str) -> int:
    return sum(1 for line in manifests.splitlines() if line.startswith("kind: "))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10,100,1000", help="component counts, comma separated")
    parser.add_argument("--runs", type=int, default=3, help="renders per size; the best counts")
    parser.add_argument("--helm", default=None, help="helm binary (default: as svcgen finds it)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    helm = find_helm(args.helm)

    print(f"helm template of the svcgen chart, Helm {helm.version}, best of {args.runs} runs")
    print(f"{'components':>10} {'seconds':>9} {'cpu s':>7} {'objects':>8} {'objects/s':>10} "
          f"{'values KiB':>11}")
    best: dict[int, float] = {}
    best_cpu: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            values_file = Path(tmp) / f"bench-{size}-values.json"
            values_file.write_text(json.dumps(synthetic_values(size)))
            times, cpu_times, objects = [], [], 0
            for _ in range(args.runs):
                elapsed, cpu, manifests = render_measured(helm.path, values_file, Path(tmp))
                times.append(elapsed)
                cpu_times.append(cpu)
                objects = count_objects(manifests)
            best[size], best_cpu[size] = min(times), min(cpu_times)
            kib = values_file.stat().st_size / 1024
            print(f"{size:>10} {best[size]:>9.3f} {best_cpu[size]:>7.3f} {objects:>8} "
                  f"{objects / best[size]:>10.0f} {kib:>11.0f}", flush=True)

    missed = False
    if 100 in best:
        ok = best[100] < TARGET_100_SECONDS
        missed |= not ok
        print(f"100 components: {best[100]:.3f} s (target < {TARGET_100_SECONDS:.0f} s): "
              f"{'met' if ok else 'MISSED'}")
    if 100 in best and 1000 in best:
        ratio = best[1000] / best[100]
        ok = ratio < TARGET_RATIO
        missed |= not ok
        print(f"1000/100 time ratio: {ratio:.1f} (target < {TARGET_RATIO:.0f}): "
              f"{'met' if ok else 'MISSED'}; CPU time ratio: {best_cpu[1000] / best_cpu[100]:.1f}")
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
