"""What the chart's own logic costs: `helm template` of the chart beside Helm's floor.

The floor is a static chart made of the chart's own output: the same Chart.yaml, values.yaml and
values file, and templates that are the very manifests (and NOTES) the chart rendered, one static
file per template. Helm does for it what it must do for any chart with this output (start, load
the values, parse, sort and print the manifests) and nothing more, so chart / floor is what the
chart itself costs: its template logic and its values.schema.json. The schema column is a chart
with the chart's metadata, values and schema but no templates: Helm's start plus the values and
their validation, the part of the chart's cost that is not template logic.

The values are synthetic but shaped like real stacks (validated against the values model first):
every component has ports, env, secret env, probes and resources; some have a sidecar, an
ingress (some with TLS, some rendered as Gateway API routes with a weighted canary path),
autoscaling, volumes (scratch, inline files, persistent state), metrics (a PodMonitor and pod
annotations), and each calls its neighbour, with NetworkPolicies on. For each Helm and size, the
chart and its floor are rendered alternately in this one process, several times; medians count
(the machine is shared), and helm's peak RSS is read from the kernel's accounting of each child.

Targets: at 1000 components the chart takes at most 3x its floor on Helm 4 and 3.5x on Helm 3;
1000 components take at most 11x as long as 100 (linear cost); helm's peak RSS for the chart is
within 1.3x of the floor's.

Usage: python benchmarks/render.py [--sizes 100,1000] [--runs 5] [--helm PATH[,PATH]] [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svcgen.helm import DEFAULT_KUBE_VERSION, chart_dir, find_helm
from svcgen.model import Values

TARGET_RATIO = {4: 3.0, 3: 3.5}  # chart / floor at 1000 components, by Helm major version
TARGET_LINEAR = 11.0  # chart time at 1000 components / at 100
TARGET_RSS = 1.3  # helm's peak RSS for the chart / for the floor, at the largest size
SOURCE = re.compile(r"^# Source: [^/\n]+/templates/(\S+)\n", re.M)

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
        else:
            # Half the exposed components have moved to Gateway API routes, with a canary path.
            comp["ingress"]["exposure"] = "gateway"
            comp["ingress"]["hosts"][host]["paths"]["/beta"] = {
                "port": "http", "headers": {"X-Beta": {"value": "1"}}, "weight": 9,
                "backends": {f"svc-{(i + 1) % count:04d}": {"weight": 1}}}
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
        "global": {"domain": "example.com",
                   "networkPolicy": {"enabled": True, "ingressNamespace": "traefik"},
                   "gateway": {"name": "public", "namespace": "gateway-system"},
                   "metrics": {"monitor": "auto"}},
        "components": {f"svc-{i:04d}": component(i, count) for i in range(count)},
    }
    Values.model_validate(values)  # the benchmark measures values the chart accepts
    return values




@dataclass(frozen=True)
class Run:
    """One helm process: wall seconds, CPU seconds (user + system), peak RSS in MiB."""

    seconds: float
    cpu: float
    rss_mib: float


def run_process(args: list[str], out_dir: Path) -> tuple[Run, int, str, str]:
    """(measurements, exit status, stdout, stderr) of one command; its output goes through files
    in ``out_dir``, as a shell redirect would."""
    out_path, err_path = out_dir / "out.txt", out_dir / "err.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    # ru_maxrss is in KiB on Linux: the peak of this child alone, as wait4 reports it per child.
    run = Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)
    return run, os.waitstatus_to_exitcode(status), out_path.read_text(), err_path.read_text()


def measured(args: list[str], out_dir: Path, ok: tuple[int, ...] = (0,)) -> Run:
    """The measurements of one command that must exit with a status in ``ok``."""
    run, code, _, err = run_process(args, out_dir)
    if code not in ok:
        raise SystemExit(f"{' '.join(args[:3])} failed ({code}):\n{err}")
    return run


def run_measured(args: list[str], out_dir: Path) -> tuple[float, float, int, str, str]:
    """(wall seconds, CPU seconds, exit status, stdout, stderr) of one command."""
    run, code, out, err = run_process(args, out_dir)
    return run.seconds, run.cpu, code, out, err


def helm_run(args: list[str], out_dir: Path) -> tuple[Run, str]:
    """Run helm once; its measurements and stdout. Exits with helm's message when it fails."""
    run, code, out, err = run_process(args, out_dir)
    if code != 0:
        raise SystemExit(f"{' '.join(args[:3])} failed:\n{err}")
    return run, out


def template_args(helm: str, chart: Path, values_file: Path) -> list[str]:
    return [helm, "template", "bench", str(chart), "--namespace", "bench",
            "--kube-version", DEFAULT_KUBE_VERSION, "--values", str(values_file)]


def render_once(helm: str, values_file: Path) -> tuple[float, str]:
    """(wall seconds, manifests) of one `helm template` (benchmarks/lint.py uses it too)."""
    with tempfile.TemporaryDirectory() as tmp:
        run, manifests = helm_run(template_args(helm, chart_dir(), values_file), Path(tmp))
    return run.seconds, manifests


def notes_of(helm: str, chart: Path, values_file: Path, out_dir: Path) -> str:
    """The NOTES the chart renders, as Helm 4's `helm install --dry-run=client` prints them
    (Helm 3's asks the cluster for its version even then).

    `helm template` renders NOTES.txt too (and then drops it), so the floor must render as much.
    """
    args = [helm, "install", "bench", str(chart), "--dry-run=client", "--namespace", "bench",
            "--values", str(values_file)]
    _, out = helm_run(args, out_dir)
    return out.split("\nNOTES:\n", 1)[1] if "\nNOTES:\n" in out else ""


def literal(text: str) -> str:
    """Template text that renders to exactly ``text``."""
    return text.replace("{{", '{{ "{{" }}')


def static_chart(chart: Path, dest: Path, manifests: str, notes: str) -> Path:
    """The floor: the chart's metadata and values, with its output as static templates.

    Each `# Source:` template of the output becomes one static file of the same name, so Helm
    splits, sorts and prints the same documents in the same order.
    """
    dest.mkdir(parents=True)
    for name in ("Chart.yaml", "values.yaml"):
        shutil.copy(chart / name, dest / name)
    templates = dest / "templates"
    templates.mkdir()
    parts = SOURCE.split(manifests)
    files: dict[str, list[str]] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        files.setdefault(name, []).append(body.removesuffix("---\n"))
    for name, bodies in files.items():
        path = templates / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"---\n{literal(body)}" for body in bodies))
    (templates / "NOTES.txt").write_text(literal(notes))
    return dest


def schema_chart(chart: Path, dest: Path) -> Path:
    """The chart without templates: its metadata, values and schema."""
    dest.mkdir(parents=True)
    for name in ("Chart.yaml", "values.yaml", "values.schema.json"):
        shutil.copy(chart / name, dest / name)
    return dest


def count_objects(manifests: str) -> int:
    return sum(1 for line in manifests.splitlines() if line.startswith("kind: "))


@dataclass(frozen=True)
class Measured:
    """Medians of the chart, its floor and its schema alone at one size."""

    size: int
    objects: int
    chart: Run
    floor: Run
    schema: Run

    @property
    def ratio(self) -> float:
        return self.chart.seconds / self.floor.seconds


def median_run(runs: list[Run]) -> Run:
    return Run(statistics.median(r.seconds for r in runs), statistics.median(r.cpu for r in runs),
               statistics.median(r.rss_mib for r in runs))


def measure(helm: str, chart: Path, values_file: Path, notes: str, runs: int,
            work: Path) -> Measured:
    size = int(values_file.stem.split("-")[1])
    scratch = work / "out"
    scratch.mkdir(exist_ok=True)
    _, manifests = helm_run(template_args(helm, chart, values_file), scratch)
    floor = static_chart(chart, work / f"floor-{size}", manifests, notes)
    schema = schema_chart(chart, work / f"schema-{size}")
    _, static_out = helm_run(template_args(helm, floor, values_file), scratch)
    if static_out != manifests:
        raise SystemExit("the static chart does not render the chart's output byte for byte")
    timed: dict[Path, list[Run]] = {chart: [], floor: [], schema: []}
    for _ in range(runs):
        for path, results in timed.items():  # alternate: load changes hit all three alike
            run, _ = helm_run(template_args(helm, path, values_file), scratch)
            results.append(run)
    return Measured(size, count_objects(manifests), median_run(timed[chart]),
                    median_run(timed[floor]), median_run(timed[schema]))


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def report(major: int, rows: dict[int, Measured]) -> list[str]:
    """Verdicts for one Helm; the misses, one line each."""
    missed = []
    largest = rows[max(rows)]
    target = TARGET_RATIO.get(major, TARGET_RATIO[4])
    verdicts = []
    if 1000 in rows:
        m = rows[1000]
        verdicts.append((f"chart / floor at 1000 components: {m.ratio:.2f} (target <= {target})",
                         m.ratio <= target))
    if 100 in rows and 1000 in rows:
        linear = rows[1000].chart.seconds / rows[100].chart.seconds
        linear_cpu = rows[1000].chart.cpu / rows[100].chart.cpu
        linear_floor = rows[1000].floor.seconds / rows[100].floor.seconds
        verdicts.append((f"chart at 1000 / at 100 components: {linear:.1f} (CPU time "
                         f"{linear_cpu:.1f}; the floor's own: {linear_floor:.1f}; target <= "
                         f"{TARGET_LINEAR:.0f}, linear)", linear <= TARGET_LINEAR))
    rss = largest.chart.rss_mib / largest.floor.rss_mib
    verdicts.append((f"peak RSS chart / floor at {largest.size} components: {rss:.2f} "
                     f"(target <= {TARGET_RSS})", rss <= TARGET_RSS))
    for text, ok in verdicts:
        print(f"  {text}: {'met' if ok else 'MISSED'}")
        if not ok:
            missed.append(text)
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100,1000", help="component counts, comma separated")
    parser.add_argument("--runs", type=int, default=5,
                        help="renders of the chart and of its floor per size; medians count")
    parser.add_argument("--helm", default="helm,helm3",
                        help="helm binaries (paths or names), comma separated")
    parser.add_argument("--chart", type=Path, default=chart_dir(),
                        help="the chart to measure (default: svcgen's own)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    helms = [find_helm(name) for name in args.helm.split(",")]

    missed = []
    with tempfile.TemporaryDirectory() as tmp:
        values_files, notes = {}, {}
        notes_helm = next((h for h in helms if h.major >= 4), None) or find_helm("helm")
        for size in sizes:
            values_files[size] = Path(tmp) / f"bench-{size}-values.json"
            values_files[size].write_text(json.dumps(synthetic_values(size)))
            notes[size] = notes_of(notes_helm.path, args.chart, values_files[size], Path(tmp))
        for helm in helms:
            print(f"Helm {helm.version}: helm template of {args.chart} and of its floor, medians "
                  f"of {args.runs} runs (load average {load()})")
            print(f"{'components':>10} {'objects':>8} {'chart s':>8} {'floor s':>8} "
                  f"{'schema s':>8} {'ratio':>6} {'chart cpu':>9} {'cpu ratio':>9} "
                  f"{'chart MiB':>9} {'floor MiB':>9} {'schema MiB':>10} {'RSS ratio':>9}")
            rows: dict[int, Measured] = {}
            for size in sizes:
                work = Path(tmp) / f"{helm.major}-{size}"
                work.mkdir()
                m = measure(helm.path, args.chart, values_files[size], notes[size], args.runs, work)
                rows[size] = m
                print(f"{size:>10} {m.objects:>8} {m.chart.seconds:>8.3f} "
                      f"{m.floor.seconds:>8.3f} {m.schema.seconds:>8.3f} {m.ratio:>6.2f} "
                      f"{m.chart.cpu:>9.3f} {m.chart.cpu / m.floor.cpu:>9.2f} "
                      f"{m.chart.rss_mib:>9.1f} {m.floor.rss_mib:>9.1f} "
                      f"{m.schema.rss_mib:>10.1f} {m.chart.rss_mib / m.floor.rss_mib:>9.2f}",
                      flush=True)
            missed += report(helm.major, rows)
            print(f"  (load average after: {load()})\n")
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
