"""Rendering the chart with the real helm binaries, for tests."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
CHART = REPO / "chart"
KUBE_VERSION = "1.35.0"
#: The smallest real-looking values: one Deployment `api` with one port.
ONE_COMPONENT = """\
components:
  api:
    containers:
      app:
        image: {repository: ghcr.io/acme/api, tag: "1.4.2"}
        ports: {http: {containerPort: 8080}}
"""


class RenderError(Exception):
    """helm refused the values; ``stderr`` holds its message."""

    def __init__(self, stderr: str) -> None:
        super().__init__(stderr)
        self.stderr = stderr


def helm_binary(name: str = "helm") -> str:
    """Path of ``helm`` (Helm 4) or ``helm3`` (Helm 3): the venv's, else PATH's. Never skipped."""
    candidate = Path(sys.executable).parent / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise RuntimeError(f"{name} is not installed: run `make setup`")


#: Renders already made in this process, keyed on everything that decides the output (the helm
#: binary, the chart's files, each input's content, the options). About a third of the suite's
#: renders repeat one made by another test; helm is deterministic, so the text is reused.
_RENDERS: dict[str, tuple[int, str, str]] = {}


def _digest_of_tree(root: Path) -> str:
    """Content digest of a directory: a template edited between two renders is a new key."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _render_key(args: Sequence[str], values: dict[str, Any] | None) -> str:
    digest = hashlib.sha256(_digest_of_tree(CHART).encode())
    for arg in args:
        digest.update(arg.encode() + b"\0")
        path = Path(arg)
        if path.is_file():
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(json.dumps(values, sort_keys=True).encode())
    return digest.hexdigest()


def render_text(
    values: dict[str, Any] | None = None,
    files: Sequence[str | Path] = (),
    *,
    helm: str = "helm",
    release: str = "rel",
    namespace: str = "demo",
    kube_version: str = KUBE_VERSION,
    extra_args: Sequence[str] = (),
) -> str:
    args = [
        helm_binary(helm),
        "template",
        release,
        str(CHART),
        "--namespace",
        namespace,
        "--kube-version",
        kube_version,
    ]
    for f in files:
        args += ["-f", str(f)]
    args += list(extra_args)
    key = _render_key(args, values)
    if key not in _RENDERS:
        with tempfile.TemporaryDirectory() as tmp:
            run_args = list(args)
            if values is not None:
                inline = Path(tmp) / "values.json"
                inline.write_text(json.dumps(values))
                # The inline file goes where it always went: after -f files, before extra args.
                run_args[len(run_args) - len(extra_args):len(run_args) - len(extra_args)] = [
                    "-f", str(inline)]
            proc = subprocess.run(run_args, capture_output=True, text=True, check=False)
        _RENDERS[key] = (proc.returncode, proc.stdout, proc.stderr)
    returncode, stdout, stderr = _RENDERS[key]
    if returncode != 0:
        raise RenderError(stderr)
    return stdout


def parse(text: str) -> list[dict[str, Any]]:
    """The objects of a rendered manifest stream, parsed with libyaml (YAML 1.1, as the API
    server's own decoder reads them)."""
    return [doc for doc in yaml.load_all(text, Loader=yaml.CSafeLoader) if doc]


def render(
    values: dict[str, Any] | None = None, files: Sequence[str | Path] = (), **kw: Any
) -> list[dict[str, Any]]:
    """Render and parse: the list of objects helm produced."""
    return parse(render_text(values, files, **kw))


def find(objects: list[dict[str, Any]], kind: str, name: str | None = None) -> list[dict[str, Any]]:
    return [
        o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)
    ]


#: Every workload kind the chart renders.
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "Job", "CronJob", "DaemonSet")


def pod_template(obj: dict[str, Any]) -> dict[str, Any]:
    """The pod template of any workload object (a CronJob's sits in its jobTemplate)."""
    spec = obj["spec"]["jobTemplate"]["spec"] if obj["kind"] == "CronJob" else obj["spec"]
    template: dict[str, Any] = spec["template"]
    return template


def one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = find(objects, kind, name)
    assert len(found) == 1, (
        f"expected one {kind}/{name}, got {[o['metadata']['name'] for o in find(objects, kind)]}"
    )
    return found[0]
