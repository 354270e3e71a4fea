"""A server-side dry run of rendered objects against a real cluster (``lint --render --server``).

``connect(kubeconfig=None, context=None) -> Connection``
    Reads the kubeconfig the way helm and kubectl do (``--kubeconfig``, else every file of
    ``$KUBECONFIG``, the first to set a name winning, else ``~/.kube/config``), takes ``context``
    or the current context, and asks the server for ``/version``. Client certificates, bearer
    tokens (inline or ``tokenFile``), basic auth and ``exec`` credential plugins are supported.
    Raises :class:`SvcgenError` with exit code 2 when the kubeconfig is unusable or the server
    cannot be reached.

``dry_run(connection, objects, namespace) -> list[ServerProblem]``
    Sends each object as a server-side apply with ``dryRun=All`` (it is validated, defaulted and
    admitted, PodSecurity and admission webhooks included, and never stored): a new object as a
    creation, an existing one as the update ``helm upgrade`` would make. Every refusal, and every
    warning the server attaches, comes back as a :class:`ServerProblem` with the fields it names.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import ssl
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from svcgen.diagnostics import SvcgenError, error

TIMEOUT_SECONDS = 15
FIELD_MANAGER = "svcgen-lint"
_WARNING = re.compile(r'^\d{3} \S+ "(?P<text>(?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class ServerProblem:
    """What the server said about one object: refused (``refused``) or accepted with a warning."""

    kind: str
    name: str
    api_version: str
    message: str
    refused: bool = True
    #: (field path, message) for each field the server named.
    causes: tuple[tuple[str, str], ...] = ()


@dataclass
class Connection:
    """An authenticated way to the API server of one kubeconfig context."""

    server: str
    context: str
    ssl_context: ssl.SSLContext | None
    headers: dict[str, str] = field(default_factory=dict)
    _resources: dict[tuple[str, str], tuple[str, bool]] = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str = "application/json") -> tuple[Any, list[str]]:
        """The decoded answer and the server's warnings. Raises HTTPError on a refusal."""
        headers = {"Accept": "application/json", "Content-Type": content_type, **self.headers}
        req = urllib.request.Request(self.server.rstrip("/") + path, data=body, method=method,
                                     headers=headers)
        with urllib.request.urlopen(req, context=self.ssl_context,
                                    timeout=TIMEOUT_SECONDS) as answer:
            data = answer.read()
            warnings = [_warning_text(w) for w in answer.headers.get_all("Warning") or []]
        return (json.loads(data) if data else None), warnings


def _warning_text(header: str) -> str:
    match = _WARNING.match(header)
    return match.group("text").replace('\\"', '"') if match else header


def _kubeconfig_files(explicit: str | None) -> list[Path]:
    if explicit:
        return [Path(explicit).expanduser()]
    env = os.environ.get("KUBECONFIG")
    if env:
        return [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    return [Path.home() / ".kube" / "config"]


def _load_kubeconfig(files: Sequence[Path]) -> tuple[dict[str, Any], dict[str, Path]]:
    """The merged kubeconfig (the first file to name a cluster, user or context wins, as kubectl
    merges them) and, for each entry, the file it came from: relative paths are relative to it."""
    merged: dict[str, Any] = {"clusters": {}, "users": {}, "contexts": {}}
    origin: dict[str, Path] = {}
    current = None
    for path in files:
        if not path.is_file():
            if len(files) == 1:
                raise error(f"{path}: no kubeconfig there", exit_code=2,
                            hint="name one with --kubeconfig or $KUBECONFIG")
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise error(f"{path}: cannot read the kubeconfig: {exc}", exit_code=2) from None
        if not isinstance(data, dict):
            raise error(f"{path}: not a kubeconfig", exit_code=2)
        current = current or data.get("current-context")
        for section in ("clusters", "users", "contexts"):
            for entry in data.get(section) or []:
                if isinstance(entry, dict) and entry.get("name") not in merged[section]:
                    key = section[:-1]
                    merged[section][entry.get("name")] = entry.get(key) or {}
                    origin[f"{section}/{entry.get('name')}"] = path.parent
    merged["current-context"] = current
    return merged, origin


@contextlib.contextmanager
def _pem_files(cert: bytes, key: bytes) -> Iterator[tuple[str, str]]:
    """The client certificate and key as files readable only by us, for ``load_cert_chain``."""
    with tempfile.TemporaryDirectory(prefix="svcgen-") as tmp:
        paths = []
        for name, data in (("client.crt", cert), ("client.key", key)):
            path = os.path.join(tmp, name)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            paths.append(path)
        yield paths[0], paths[1]


def _data(entry: dict[str, Any], name: str, base: Path) -> bytes | None:
    """``<name>-data`` (base64) or the file ``<name>`` names, relative to the kubeconfig."""
    inline = entry.get(f"{name}-data")
    if inline:
        return base64.b64decode(str(inline))
    path = entry.get(name)
    if path:
        return (base / str(path)).expanduser().read_bytes()
    return None


def _exec_credential(spec: dict[str, Any], base: Path) -> dict[str, Any]:
    """Run an ``exec`` credential plugin (cloud providers' token helpers); its status."""
    command = [str(spec.get("command", ""))] + [str(a) for a in spec.get("args") or []]
    env = dict(os.environ)
    env.update({str(e["name"]): str(e["value"]) for e in spec.get("env") or []
                if isinstance(e, dict) and "name" in e})
    env["KUBERNETES_EXEC_INFO"] = json.dumps({
        "apiVersion": spec.get("apiVersion", "client.authentication.k8s.io/v1"),
        "kind": "ExecCredential", "spec": {"interactive": False}})
    try:
        proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=base,
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise error(f"the kubeconfig's credential plugin `{command[0]}` did not run: {exc}",
                    exit_code=2) from None
    if proc.returncode != 0:
        raise error(f"the kubeconfig's credential plugin `{command[0]}` failed with exit status "
                    f"{proc.returncode}", exit_code=2,
                    hint=proc.stderr.strip()[-300:] or "run it by hand to see why")
    try:
        status = json.loads(proc.stdout).get("status") or {}
    except (ValueError, AttributeError):
        raise error(f"the kubeconfig's credential plugin `{command[0]}` printed no "
                    "ExecCredential", exit_code=2) from None
    return dict(status)


def connect(kubeconfig: str | None = None, context: str | None = None) -> Connection:
    """The connection to the cluster of ``context``, checked by asking for its version."""
    config, origin = _load_kubeconfig(_kubeconfig_files(kubeconfig))
    name = context or config.get("current-context")
    if not name:
        raise error("the kubeconfig has no current context", exit_code=2,
                    hint="name one with --kube-context")
    ctx = config["contexts"].get(name)
    if ctx is None:
        known = ", ".join(sorted(str(n) for n in config["contexts"])) or "none"
        raise error(f"no context `{name}` in the kubeconfig", exit_code=2,
                    hint=f"contexts there: {known}")
    cluster = config["clusters"].get(ctx.get("cluster"))
    if not cluster or not cluster.get("server"):
        raise error(f"context `{name}` names no cluster with a server address", exit_code=2)
    user = config["users"].get(ctx.get("user")) or {}
    try:
        connection = _connection(str(name), cluster, user,
                                 origin.get(f"clusters/{ctx.get('cluster')}", Path.cwd()),
                                 origin.get(f"users/{ctx.get('user')}", Path.cwd()))
    except (OSError, ValueError, ssl.SSLError) as exc:
        raise error(f"context `{name}`: unusable credentials or certificates: {exc}",
                    exit_code=2) from None
    try:
        connection.request("GET", "/version")
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise error(f"the server of context `{name}` ({connection.server}) refused our "
                        f"credentials ({exc.code})", exit_code=2,
                        hint="check the user of the context in the kubeconfig") from None
        raise error(f"the server of context `{name}` ({connection.server}) answered "
                    f"{exc.code} to /version", exit_code=2) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise error(f"no reachable Kubernetes API server at {connection.server} "
                    f"(context `{name}`): {reason}", exit_code=2,
                    hint="start the cluster or choose another with --kube-context or "
                    "--kubeconfig; lint without --server checks offline") from None
    return connection


def _connection(name: str, cluster: dict[str, Any], user: dict[str, Any], cluster_base: Path,
                user_base: Path) -> Connection:
    server = str(cluster["server"])
    context: ssl.SSLContext | None = None
    if server.startswith("https://"):
        ca = _data(cluster, "certificate-authority", cluster_base)
        context = ssl.create_default_context(cadata=ca.decode() if ca else None)
        if cluster.get("insecure-skip-tls-verify"):
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if user.get("exec"):
            status = _exec_credential(user["exec"], user_base)
            user = {**user, "token": status.get("token"),
                    "client-certificate-data": base64.b64encode(
                        str(status["clientCertificateData"]).encode()).decode()
                    if status.get("clientCertificateData") else None,
                    "client-key-data": base64.b64encode(
                        str(status["clientKeyData"]).encode()).decode()
                    if status.get("clientKeyData") else None}
        cert = _data(user, "client-certificate", user_base)
        key = _data(user, "client-key", user_base)
        if cert and key:
            with _pem_files(cert, key) as (cert_file, key_file):
                context.load_cert_chain(cert_file, key_file)
    headers: dict[str, str] = {}
    token = user.get("token")
    if not token and user.get("tokenFile"):
        token = (user_base / str(user["tokenFile"])).expanduser().read_text().strip()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    elif user.get("username"):
        pair = f"{user['username']}:{user.get('password', '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    return Connection(server, name, context, headers)


def _resource(connection: Connection, api_version: str, kind: str) -> tuple[str, bool] | None:
    """The collection path (``{ns}`` where the namespace goes) of a kind; None if not served."""
    key = (api_version, kind)
    if key not in connection._resources:
        base = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
        try:
            listing, _ = connection.request("GET", base)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise
        for item in listing.get("resources") or []:
            if "/" in item["name"]:
                continue
            namespaced = bool(item.get("namespaced"))
            path = f"{base}/namespaces/{{ns}}/{item['name']}" if namespaced \
                else f"{base}/{item['name']}"
            connection._resources.setdefault((api_version, str(item["kind"])), (path, namespaced))
    return connection._resources.get(key)


def _refusal(exc: urllib.error.HTTPError) -> tuple[str, tuple[tuple[str, str], ...]]:
    body = exc.read().decode(errors="replace")
    try:
        status = json.loads(body)
    except ValueError:
        return f"{exc.code} {body.strip()[:500]}", ()
    causes = tuple((str(c.get("field", "")), str(c.get("message", "")))
                   for c in (status.get("details") or {}).get("causes") or [])
    return str(status.get("message") or exc.code), causes


def namespace_exists(connection: Connection, namespace: str) -> bool:
    try:
        connection.request("GET", f"/api/v1/namespaces/{urllib.parse.quote(namespace)}")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return False
        raise
    return True


def dry_run(connection: Connection, objects: Sequence[dict[str, Any]],
            namespace: str) -> list[ServerProblem]:
    """Every refusal and warning of the server for ``objects`` applied (dry run) in order."""
    problems: list[ServerProblem] = []
    namespaced_missing: dict[str, bool] = {}
    for obj in objects:
        api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
        name = str((obj.get("metadata") or {}).get("name", ""))

        def problem(message: str, *, refused: bool = True,
                    causes: tuple[tuple[str, str], ...] = (), kind: str = kind,
                    name: str = name, api_version: str = api_version) -> ServerProblem:
            return ServerProblem(kind, name, api_version, message, refused, causes)

        try:
            found = _resource(connection, api_version, kind)
        except (urllib.error.URLError, OSError) as exc:
            raise _lost(connection, exc) from None
        if found is None:
            problems.append(problem(
                f"the server does not serve {kind} ({api_version}): install its "
                "CustomResourceDefinition before the release"))
            continue
        path, namespaced = found
        target = str((obj.get("metadata") or {}).get("namespace") or namespace)
        if namespaced:
            if target not in namespaced_missing:
                namespaced_missing[target] = not namespace_exists(connection, target)
            if namespaced_missing[target]:
                problems.append(problem(
                    f"namespace {target} does not exist on the server, so nothing in it can be "
                    "checked (helm install needs it too, or --create-namespace)"))
                continue
        url = (path.format(ns=urllib.parse.quote(target)) if namespaced else path) + \
            f"/{urllib.parse.quote(name)}?" + urllib.parse.urlencode({
                "dryRun": "All", "fieldManager": FIELD_MANAGER, "force": "true",
                "fieldValidation": "Strict"})
        try:
            _, warnings = connection.request("PATCH", url, json.dumps(obj).encode(),
                                             "application/apply-patch+yaml")
        except urllib.error.HTTPError as exc:
            message, causes = _refusal(exc)
            problems.append(problem(message, causes=causes))
            continue
        except (urllib.error.URLError, OSError) as exc:
            raise _lost(connection, exc) from None
        for warning in warnings:
            # The pods of a workload that breaks the namespace's enforced Pod Security level are
            # refused when its controller creates them: that is a failed release, not a remark.
            problems.append(problem(warning, refused="would violate PodSecurity" in warning))
    return problems


def _lost(connection: Connection, exc: BaseException) -> SvcgenError:
    return error(f"lost the connection to {connection.server} (context `{connection.context}`) "
                 f"during the dry run: {getattr(exc, 'reason', exc)}", exit_code=2)
