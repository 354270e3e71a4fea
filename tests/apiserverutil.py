"""Installing the chart into the real kube-apiserver that scripts/apiserver.py runs, for tests.

The server has no kubelet and no controller manager: it validates, admits and stores, nothing
runs. So the Pods a workload would create are what PodSecurity enforces on, and nothing creates
them here: each install therefore also creates, as a server-side dry run, the Pod of every pod
template it stored (what the Deployment, StatefulSet, DaemonSet, Job or CronJob controller
would create) and every hook object, which ``helm install --no-hooks`` leaves out because a hook
Job would wait for a controller that never comes.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from chartutil import CHART, REPO

SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
HELM_TIMEOUT_SECONDS = 300


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("svcgen_apiserver_script",
                                                  REPO / "scripts" / "apiserver.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


script = _load_script()


@dataclass(frozen=True)
class Refusal:
    """The server said no: HTTP status, reason and message of its Status object."""

    status: int
    reason: str
    message: str
    causes: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.status} {self.reason}: {self.message}"


@dataclass
class Cluster:
    """The running server and what the tests do with it."""

    server: Any  # scripts/apiserver.py's Server
    helm_home: Path
    #: Discovery: (apiVersion, kind) -> (collection path template, namespaced).
    _resources: dict[tuple[str, str], tuple[str, bool]] = field(default_factory=dict)

    @property
    def kubeconfig(self) -> Path:
        return Path(self.server.kubeconfig)

    def call(self, method: str, path: str, body: Any = None,
             content_type: str = "application/json") -> Any:
        data = None if body is None else (
            body if isinstance(body, bytes) else json.dumps(body).encode())
        return self.server.request(method, path, data, content_type)

    def attempt(self, method: str, path: str, body: Any = None) -> Refusal | Any:
        """The answer, or the server's refusal as a :class:`Refusal`."""
        try:
            return self.call(method, path, body)
        except urllib.error.HTTPError as exc:
            return refusal_of(exc)

    def attempt_patch(self, path: str, patch: Any) -> Refusal | Any:
        try:
            return self.call("PATCH", path, patch, "application/merge-patch+json")
        except urllib.error.HTTPError as exc:
            return refusal_of(exc)

    def create_namespace(self, name: str, profile: str) -> None:
        """A namespace enforcing Pod Security ``profile``, with its ``default`` ServiceAccount.

        The ServiceAccount is what the controller manager would create; the ServiceAccount
        admission plugin refuses pods of a namespace that lacks it.
        """
        labels = {f"pod-security.kubernetes.io/{mode}": profile
                  for mode in ("enforce", "audit", "warn")}
        labels["pod-security.kubernetes.io/enforce-version"] = "latest"
        answer = self.attempt("POST", "/api/v1/namespaces", {
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": labels}})
        if isinstance(answer, Refusal) and answer.reason == "AlreadyExists":
            # Namespaces are never deleted (that needs the controller manager): relabel it.
            answer = self.attempt_patch(f"/api/v1/namespaces/{name}",
                                        {"metadata": {"labels": labels}})
        if isinstance(answer, Refusal):
            raise AssertionError(f"cannot create namespace {name}: {answer}")
        answer = self.attempt("POST", f"/api/v1/namespaces/{name}/serviceaccounts", {
            "apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}})
        if isinstance(answer, Refusal) and answer.reason != "AlreadyExists":
            raise AssertionError(f"cannot create the default ServiceAccount in {name}: {answer}")

    def resource(self, api_version: str, kind: str) -> tuple[str, bool]:
        """The collection path (with ``{ns}`` for namespaced kinds) and whether it is namespaced."""
        key = (api_version, kind)
        if key not in self._resources:
            base = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
            listing = self.call("GET", base)
            for item in listing["resources"]:
                if "/" in item["name"]:
                    continue
                namespaced = bool(item["namespaced"])
                path = f"{base}/namespaces/{{ns}}/{item['name']}" if namespaced \
                    else f"{base}/{item['name']}"
                self._resources[(api_version, item["kind"])] = (path, namespaced)
        if key not in self._resources:
            raise AssertionError(f"the server does not serve {kind} ({api_version})")
        return self._resources[key]

    def dry_run_create(self, obj: dict[str, Any], namespace: str) -> Refusal | None:
        """Create ``obj`` as a server-side dry run: None when the server would accept it."""
        path, namespaced = self.resource(str(obj["apiVersion"]), str(obj["kind"]))
        url = path.format(ns=namespace) if namespaced else path
        answer = self.attempt("POST", f"{url}?dryRun=All&fieldValidation=Strict", obj)
        return answer if isinstance(answer, Refusal) else None

    def apply(self, obj: dict[str, Any], namespace: str) -> Refusal | None:
        """Create or update ``obj`` for real (server-side apply): None when the server took it."""
        path, namespaced = self.resource(str(obj["apiVersion"]), str(obj["kind"]))
        url = path.format(ns=namespace) if namespaced else path
        try:
            self.call("PATCH", f"{url}/{obj['metadata']['name']}?fieldManager=svcgen-tests"
                      "&force=true&fieldValidation=Strict", obj, "application/apply-patch+yaml")
        except urllib.error.HTTPError as exc:
            return refusal_of(exc)
        return None

    def get(self, obj: dict[str, Any], namespace: str) -> Refusal | Any:
        path, namespaced = self.resource(str(obj["apiVersion"]), str(obj["kind"]))
        url = path.format(ns=namespace) if namespaced else path
        return self.attempt("GET", f"{url}/{obj['metadata']['name']}")

    def helm(self, helm: str, *args: str) -> subprocess.CompletedProcess[str]:
        """Run helm against this server, with a helm home of its own (no user config read)."""
        env = dict(os.environ)
        env.update({
            "KUBECONFIG": str(self.kubeconfig),
            "HELM_CACHE_HOME": str(self.helm_home / "cache"),
            "HELM_CONFIG_HOME": str(self.helm_home / "config"),
            "HELM_DATA_HOME": str(self.helm_home / "data"),
        })
        env.pop("HELM_KUBECONTEXT", None)
        env.pop("HELM_NAMESPACE", None)
        return subprocess.run([helm, *args], capture_output=True, text=True, env=env,
                              timeout=HELM_TIMEOUT_SECONDS, check=False)


def refusal_of(exc: urllib.error.HTTPError) -> Refusal:
    body = exc.read().decode(errors="replace")
    try:
        status = json.loads(body)
    except ValueError:
        return Refusal(exc.code, "", body.strip()[:2000])
    causes = tuple((str(c.get("field", "")), str(c.get("message", "")))
                   for c in (status.get("details") or {}).get("causes") or [])
    return Refusal(exc.code, str(status.get("reason", "")), str(status.get("message", "")),
                   causes)


def objects_of(manifests: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.load_all(manifests, Loader=SafeLoader) if isinstance(doc, dict)]


def pod_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The Pod the workload's controller would create, or None for a kind that has no pods."""
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind in {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"}:
        template = spec.get("template") or {}
    elif kind == "CronJob":
        template = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
    elif kind == "Pod":
        return obj
    else:
        return None
    metadata = dict(template.get("metadata") or {})
    metadata["name"] = f"{obj['metadata']['name']}-pod"
    pod_spec = dict(template.get("spec") or {})
    if kind == "StatefulSet":
        # The StatefulSet controller adds a volume per claim template, for the pod's own claim.
        pod_spec["volumes"] = [*pod_spec.get("volumes", []), *(
            {"name": t["metadata"]["name"], "persistentVolumeClaim": {
                "claimName": f"{t['metadata']['name']}-{obj['metadata']['name']}-0"}}
            for t in spec.get("volumeClaimTemplates") or [])]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": pod_spec}


@dataclass
class Step:
    """One helm command of a cycle and what the server made of it."""

    command: str
    ok: bool
    output: str
    problems: list[str] = field(default_factory=list)


def podsecurity_warnings(text: str) -> list[str]:
    """The PodSecurity warnings helm relayed: a workload whose pods the profile would refuse."""
    # Helm 4 logs the warning quoted, with its quotes escaped.
    return [line.strip().replace('\\"', '"') for line in text.splitlines()
            if "would violate PodSecurity" in line]


def provide_cluster_objects(cluster: Cluster, pod: dict[str, Any]) -> None:
    """Create the cluster-wide objects a pod names and a cluster admin provides, not the
    chart: its PriorityClass and RuntimeClass (admission refuses pods that name missing ones)."""
    spec = pod.get("spec") or {}
    if spec.get("priorityClassName") and not spec["priorityClassName"].startswith("system-"):
        cluster.attempt("POST", "/apis/scheduling.k8s.io/v1/priorityclasses", {
            "apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
            "metadata": {"name": spec["priorityClassName"]}, "value": 1000})
    if spec.get("runtimeClassName"):
        cluster.attempt("POST", "/apis/node.k8s.io/v1/runtimeclasses", {
            "apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass",
            "metadata": {"name": spec["runtimeClassName"]}, "handler": "runc"})


def _dry_run_pod(cluster: Cluster, pod: dict[str, Any], namespace: str) -> Refusal | None:
    provide_cluster_objects(cluster, pod)
    return cluster.dry_run_create(pod, namespace)


def check_release_pods(cluster: Cluster, helm: str, release: str, namespace: str) -> list[str]:
    """Dry-run the Pod of every stored workload and every hook object; what was refused."""
    problems: list[str] = []
    manifest = cluster.helm(helm, "get", "manifest", release, "-n", namespace)
    hooks = cluster.helm(helm, "get", "hooks", release, "-n", namespace)
    for proc in (manifest, hooks):
        if proc.returncode != 0:
            problems.append(f"helm {' '.join(str(a) for a in proc.args[1:])}: {proc.stderr}")
    for obj in objects_of(manifest.stdout):
        pod = pod_of(obj)
        if pod is not None and pod is not obj:
            refused = _dry_run_pod(cluster, pod, namespace)
            if refused is not None:
                problems.append(f"the Pod of {obj['kind']}/{obj['metadata']['name']}: {refused}")
    # Hooks in helm's order. What helm would wait on (a Job, a Pod) is a dry run; the rest (the
    # ServiceAccount a hook Job runs as) is created, as helm creates it before the Job.
    for obj in sorted(objects_of(hooks.stdout), key=_hook_weight):
        what = f"hook {obj['kind']}/{obj['metadata']['name']}"
        pod = pod_of(obj)
        if pod is None:
            refused = cluster.apply(obj, namespace)
        else:
            provide_cluster_objects(cluster, pod)
            refused = cluster.dry_run_create(obj, namespace)
        if refused is not None:
            problems.append(f"{what}: {refused}")
        if pod is not None and pod is not obj:
            refused = _dry_run_pod(cluster, pod, namespace)
            if refused is not None:
                problems.append(f"the Pod of {what}: {refused}")
    return problems


def _hook_weight(obj: dict[str, Any]) -> int:
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    return int(annotations.get("helm.sh/hook-weight", "0"))


def helm_step(cluster: Cluster, helm: str, *args: str) -> Step:
    proc = cluster.helm(helm, *args)
    output = (proc.stdout + proc.stderr).strip()
    step = Step(" ".join(["helm", *args]), proc.returncode == 0, output)
    step.problems += podsecurity_warnings(proc.stderr)
    if not step.ok:
        step.problems.append(proc.stderr.strip())
    return step


def values_args(files: Sequence[str | Path]) -> list[str]:
    return [arg for f in files for arg in ("-f", str(f))]


def install(cluster: Cluster, helm: str, release: str, namespace: str,
            files: Sequence[str | Path], *extra: str) -> Step:
    """``helm install`` (no hooks), then the dry-run Pods of what it stored."""
    step = helm_step(cluster, helm, "install", release, str(CHART), "-n", namespace,
                     *values_args(files), "--no-hooks", *extra)
    if step.ok:
        step.problems += check_release_pods(cluster, helm, release, namespace)
    return step


def upgrade(cluster: Cluster, helm: str, release: str, namespace: str,
            files: Sequence[str | Path], *extra: str) -> Step:
    step = helm_step(cluster, helm, "upgrade", release, str(CHART), "-n", namespace,
                     *values_args(files), "--no-hooks", *extra)
    if step.ok:
        step.problems += check_release_pods(cluster, helm, release, namespace)
    return step


def uninstall(cluster: Cluster, helm: str, release: str, namespace: str) -> Step:
    """``helm uninstall``, then nothing of the release may remain on the server."""
    manifest = cluster.helm(helm, "get", "manifest", release, "-n", namespace).stdout
    step = helm_step(cluster, helm, "uninstall", release, "-n", namespace, "--no-hooks")
    if step.ok:
        for obj in objects_of(manifest):
            left = cluster.get(obj, str(obj["metadata"].get("namespace") or namespace))
            # Deleted but held by a finalizer the controller manager would remove (a claim's
            # kubernetes.io/pvc-protection): gone as far as helm and the server are concerned.
            if not isinstance(left, Refusal) and not left["metadata"].get("deletionTimestamp"):
                step.problems.append(f"{obj['kind']}/{obj['metadata']['name']} is still there "
                                     "after uninstall")
            elif isinstance(left, Refusal) and left.status != 404:
                step.problems.append(f"reading {obj['kind']}/{obj['metadata']['name']}: {left}")
    return step


def namespace_name(label: str) -> str:
    """A DNS label for a test namespace, from a case name."""
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in label.lower()).strip("-")
    return urllib.parse.quote(cleaned[:50].strip("-") or "case")


def claimed_profile(files: Sequence[str | Path]) -> str:
    """The Pod Security profile the values claim: ``baseline`` when an enabled component says
    so, else ``restricted`` (every component's default)."""
    from svcgen.lint.source import chart_defaults, load_values_file
    from svcgen.merge import merge
    from svcgen.model import Values

    merged = merge([load_values_file(str(f)) for f in files], chart_defaults())
    values = Values.model_validate(merged.data)
    profiles = {c.securityProfile for c in values.components.values() if c.enabled}
    return "baseline" if "baseline" in profiles else "restricted"


def release_namespace(files: Sequence[str | Path], fallback: str) -> str:
    """``global.project`` when the values set it (the chart refuses any other namespace)."""
    from svcgen.helm import project_namespace

    return project_namespace(list(files)) or fallback


#: The upgrade's change: a label and an annotation on every object, which any release accepts.
CHANGE = {"global": {"labels": {"example.com/revision": "2"},
                     "annotations": {"example.com/revision": "2"}}}

RELEASE = "svcgen"


@dataclass
class Cycle:
    """install, upgrade to changed values, uninstall: each step and what went wrong."""

    namespace: str
    profile: str
    steps: list[Step] = field(default_factory=list)
    #: What ``svcgen diff`` says the upgrade cannot change in place: (kind, name).
    expected_refusals: set[tuple[str, str]] = field(default_factory=set)

    @property
    def problems(self) -> list[str]:
        return [f"{s.command}: {p}" for s in self.steps for p in s.problems]


_INVALID = re.compile(r'\b(?P<kind>[A-Z][A-Za-z]+)(?:\.[a-z0-9.]+)? "(?P<name>[^"]+)" is invalid')


def server_refused(output: str) -> set[tuple[str, str]]:
    """(kind, name) of each object the server refused, as helm relays it:
    ``StatefulSet.apps "db" is invalid: …``."""
    return {(m.group("kind"), m.group("name")) for m in _INVALID.finditer(output)}


def diff_refused(helm: str, base: Sequence[str | Path], new: Sequence[str | Path],
                 namespace: str) -> set[tuple[str, str]]:
    """(kind, name) of each object whose change ``svcgen diff`` says the server refuses."""
    from svcgen.diff.command import DiffRequest, diff
    from svcgen.diff.immutable import refusals
    from svcgen.lint.config import LintConfig

    result = diff(DiffRequest(base=tuple(map(str, base)), new=tuple(map(str, new)), helm=helm,
                              release=RELEASE, namespace=namespace), LintConfig())
    return {(c.obj.kind, c.obj.name) for c in result.changes
            if any(r.refused for r in refusals(c))}


def cluster_claims(cluster: Cluster, helm: str, namespace: str,
                   files: Sequence[str | Path]) -> tuple[set[str], set[int]]:
    """What the render holds cluster-wide: the namespaces other than the release's it puts
    objects in (the ingress controller's, KEDA's: they exist wherever that software is
    installed) and the fixed node ports of its Services (one Service per port in a cluster)."""
    proc = cluster.helm(helm, "template", RELEASE, str(CHART), "-n", namespace,
                        *values_args(files))
    if proc.returncode != 0:
        return set(), set()
    objects = objects_of(proc.stdout)
    namespaces = {str(o["metadata"]["namespace"]) for o in objects
                  if (o.get("metadata") or {}).get("namespace") not in (None, namespace)}
    ports = {int(p["nodePort"]) for o in objects if o.get("kind") == "Service"
             for p in (o.get("spec") or {}).get("ports") or [] if p.get("nodePort")}
    return namespaces, ports


def install_cycle(cluster: Cluster, helm: str, case: str, files: Sequence[str | Path],
                  tmp: Path) -> Cycle:
    """``helm install``, ``helm upgrade`` to the values plus :data:`CHANGE`, ``helm uninstall``
    into a namespace that enforces the profile the values claim.

    The upgrade must be refused exactly when ``svcgen diff`` says the change cannot be made in
    place (a label added to the pod template of a Job that is not a hook), and then by the
    objects the diff names; otherwise it must succeed.
    """
    namespace = release_namespace(files, namespace_name(case))
    cycle = Cycle(namespace, claimed_profile(files))
    changed = tmp / "changed-values.json"
    changed.write_text(json.dumps(CHANGE))
    others, node_ports = cluster_claims(cluster, helm, namespace, files)
    # Values that name a project share its namespace, and a node port is one Service's in the
    # whole cluster: one case at a time holds each.
    locks = sorted([f"{namespace}.lock", *(f"node-port-{port}.lock" for port in node_ports)])
    with contextlib.ExitStack() as held:
        for name in locks:
            held.enter_context(script.locked(cluster.server.dir / "locks" / name))
        for other in others:
            cluster.create_namespace(other, "privileged")
        cluster.create_namespace(namespace, cycle.profile)
        installed = install(cluster, helm, RELEASE, namespace, files)
        cycle.steps.append(installed)
        if installed.ok:
            upgraded = upgrade(cluster, helm, RELEASE, namespace, [*files, changed])
            cycle.expected_refusals = diff_refused(helm, files, [*files, changed], namespace)
            if cycle.expected_refusals:
                refused = server_refused(upgraded.output)
                upgraded.problems = [] if not upgraded.ok and refused == \
                    cycle.expected_refusals else [
                        f"svcgen diff says {sorted(cycle.expected_refusals)} are refused; the "
                        f"server refused {sorted(refused)}: {upgraded.output[-2000:]}"]
            cycle.steps.append(upgraded)
        removed = uninstall(cluster, helm, RELEASE, namespace)
        # A failed install may or may not have left a release behind to remove.
        if installed.ok or "not found" not in removed.output:
            cycle.steps.append(removed)
    return cycle
