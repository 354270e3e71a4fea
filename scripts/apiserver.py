#!/usr/bin/env python3
"""A real Kubernetes API server on loopback: what ``helm install`` of the chart would meet.

``build`` puts a pinned kube-apiserver and etcd, built from their Go modules, and the
CustomResourceDefinitions of every API the chart renders, taken from their projects' own module
releases, into a cache keyed on the Kubernetes version (``~/.cache/svcgen/apiserver/<version>/``).
Everything is fetched through the Go module proxy and verified by Go's checksum database; the
cache's ``manifest.json`` records each module's checksum and the sha256 of every file built or
copied, and every start checks those sha256s again.

``start`` runs etcd and kube-apiserver on free 127.0.0.1 ports the way controller-runtime's envtest
does (a CA of its own, a serving certificate, a client certificate for an admin in
``system:masters``, a service-account signing key), with the default admission plugins plus
PodSecurity, installs the CRDs, waits until they are served and writes ``<dir>/kubeconfig``. There
is no kubelet and no controller manager: the server validates, admits and stores, nothing runs.
``stop`` ends both processes and removes the directory. ``status`` prints the kubeconfig path of a
running server, exit 1 when none runs.

Usage: python scripts/apiserver.py build|start|stop|status [--dir DIR] [--cache DIR]
The directory defaults to ``.apiserver`` in the repository, the cache to $SVCGEN_APISERVER_CACHE,
else $XDG_CACHE_HOME/svcgen/apiserver, else ~/.cache/svcgen/apiserver. Needs ``go`` (1.25 or
newer) for ``build`` and ``openssl`` for ``start``; standard library only, so it runs before and
without the virtualenv.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

#: The Kubernetes release the chart is installed into; the cache directory is named after it.
KUBERNETES_VERSION = "v1.35.4"
#: etcd's patch release of the 3.6 line that Kubernetes 1.35 is tested with.
ETCD_VERSION = "v3.6.17"


@dataclass(frozen=True)
class CrdSource:
    """CRD manifests shipped inside one project's Go module release."""

    name: str
    module: str
    version: str
    files: tuple[str, ...]


#: Each API the chart renders, from the release of its project that the chart's schemas follow.
#: KEDA 2.21.1 needs a newer Go than 1.26; 2.21.0 has the same CRDs. Prometheus Operator's root
#: module is published up to v0.85.0.
CRD_SOURCES: tuple[CrdSource, ...] = (
    CrdSource("gateway-api", "sigs.k8s.io/gateway-api", "v1.6.3", (
        "config/crd/standard/gateway.networking.k8s.io_gatewayclasses.yaml",
        "config/crd/standard/gateway.networking.k8s.io_gateways.yaml",
        "config/crd/standard/gateway.networking.k8s.io_httproutes.yaml",
        "config/crd/standard/gateway.networking.k8s.io_grpcroutes.yaml",
        "config/crd/standard/gateway.networking.k8s.io_referencegrants.yaml",
    )),
    CrdSource("keda", "github.com/kedacore/keda/v2", "v2.21.0", (
        "config/crd/bases/keda.sh_scaledobjects.yaml",
        "config/crd/bases/keda.sh_triggerauthentications.yaml",
        "config/crd/bases/keda.sh_clustertriggerauthentications.yaml",
    )),
    CrdSource("prometheus-operator", "github.com/prometheus-operator/prometheus-operator",
              "v0.85.0", (
        "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml",
        "example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml",
    )),
    CrdSource("istio", "istio.io/api", "v1.32.0", (
        "kubernetes/customresourcedefinitions.gen.yaml",
    )),
)

#: The KEDA HTTP add-on's module is not served by the module proxy, so its CRD cannot be taken
#: from a release: the kind is served with an open schema (the chart's bundled JSON schema is
#: what checks its fields, offline).
HTTP_ADDON_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "httpscaledobjects.http.keda.sh"},
    "spec": {
        "group": "http.keda.sh",
        "names": {"kind": "HTTPScaledObject", "listKind": "HTTPScaledObjectList",
                  "plural": "httpscaledobjects", "singular": "httpscaledobject",
                  "shortNames": ["httpso"]},
        "scope": "Namespaced",
        "versions": [{
            "name": "v1alpha1", "served": True, "storage": True,
            "subresources": {"status": {}},
            "schema": {"openAPIV3Schema": {
                "type": "object",
                "required": ["spec"],
                "properties": {
                    "spec": {"type": "object", "required": ["scaleTargetRef"],
                             "x-kubernetes-preserve-unknown-fields": True,
                             "properties": {"scaleTargetRef": {
                                 "type": "object", "x-kubernetes-preserve-unknown-fields": True}}},
                    "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                },
            }},
        }],
    },
}

GO_TIMEOUT_SECONDS = 3600
READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15
CHUNK = 1 << 20
CONTEXT = "svcgen-apiserver"
ADMIN = "svcgen-admin"
#: A build that was started with an older recipe is redone, not trusted.
RECIPE = 1


class ApiServerError(Exception):
    """A failure the user can act on; the message says what to do."""


def say(message: str) -> None:
    print(f"apiserver: {message}", file=sys.stderr, flush=True)


def default_cache() -> Path:
    explicit = os.environ.get("SVCGEN_APISERVER_CACHE")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "svcgen" / "apiserver"


def default_dir() -> Path:
    return REPO / ".apiserver"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


# --- build -------------------------------------------------------------------------------------


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        raise ApiServerError(
            "building kube-apiserver and etcd needs the Go toolchain (1.25 or newer) on PATH; "
            "install it (Debian: apt-get install golang-go, if recent enough) and run again")
    return go


def _go_env() -> dict[str, str]:
    env = dict(os.environ)
    # A workspace or a vendor setting of the caller must not leak into the pinned build, and the
    # toolchain in use builds it: switching toolchains would download one outside the proxy.
    env.update({"GOWORK": "off", "GOTOOLCHAIN": "local", "CGO_ENABLED": "0",
                "GOFLAGS": "-mod=mod -buildvcs=false"})
    # Every module is checked against the checksum database; a caller's opt-outs do not apply.
    for name in ("GONOSUMDB", "GONOSUMCHECK", "GOPRIVATE", "GOINSECURE"):
        env.pop(name, None)
    if env.get("GOSUMDB") == "off":
        env.pop("GOSUMDB")
    return env


def _run_go(args: Sequence[str], cwd: Path, *, what: str) -> str:
    say(f"{what}: go {' '.join(args)}")
    try:
        proc = subprocess.run([_go(), *args], cwd=cwd, env=_go_env(), capture_output=True,
                              text=True, timeout=GO_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise ApiServerError(f"{what}: go {args[0]} did not finish in {GO_TIMEOUT_SECONDS} s") \
            from None
    if proc.returncode != 0:
        tail = "\n  ".join(proc.stderr.strip().splitlines()[-15:])
        raise ApiServerError(f"{what}: go {' '.join(args)} failed:\n  {tail}")
    return proc.stdout


def module_download(module: str, version: str, cwd: Path) -> dict[str, Any]:
    """``go mod download -json``: the module's directory and its checksum (verified by sumdb)."""
    out = _run_go(["mod", "download", "-json", f"{module}@{version}"], cwd,
                  what=f"fetching {module}")
    info: dict[str, Any] = json.loads(out)
    if info.get("Error"):
        raise ApiServerError(f"cannot fetch {module}@{version}: {info['Error']}")
    return info


_STAGING = re.compile(r"^\s*(k8s\.io/[\w.-]+)\s*=>\s*\./staging/src/k8s\.io/[\w.-]+\s*$")


def staging_replaces(kubernetes_go_mod: str, version: str) -> list[str]:
    """``replace`` lines pinning each staging module to its release (v1.35.4 -> v0.35.4).

    k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them by directories of
    its own repository; a module that depends on it must pin them to their published tags.
    """
    staging = "v0." + version.removeprefix("v").split(".", 1)[1]
    modules = sorted({m.group(1) for line in kubernetes_go_mod.splitlines()
                      if (m := _STAGING.match(line))})
    if not modules:
        raise ApiServerError("k8s.io/kubernetes's go.mod names no staging modules; "
                             "this version is not supported by scripts/apiserver.py")
    return [f"\t{module} => {module} {staging}" for module in modules]


def _build_main(work: Path, *, module: str, version: str, package: str, output: Path,
                replaces: Sequence[str] = (), ldflags: str = "-s -w") -> str:
    """Build ``package`` of ``module@version`` in a throwaway module; returns its go.sum."""
    work.mkdir(parents=True, exist_ok=True)
    replace_block = "replace (\n" + "\n".join(replaces) + "\n)\n" if replaces else ""
    (work / "go.mod").write_text(
        f"module svcgen.local/build\n\ngo 1.25.0\n\nrequire {module} {version}\n\n{replace_block}")
    # A tools-tagged import keeps the dependency in `go mod tidy` without a program of our own.
    (work / "tools.go").write_text(
        f'//go:build tools\n\npackage tools\n\nimport _ "{package}"\n')
    _run_go(["mod", "tidy"], work, what=f"resolving {module}@{version}")
    _run_go(["build", "-p", "2", "-trimpath", f"-ldflags={ldflags}", "-o", str(output), package],
            work, what=f"building {output.stem} {version} (slow the first time)")
    return (work / "go.sum").read_text()


def _version_ldflags(version: str) -> str:
    major, minor = version.removeprefix("v").split(".")[:2]
    pkg = "k8s.io/component-base/version"
    # The server reports this in /version: helm checks the chart's kubeVersion against it.
    return " ".join(["-s -w", f"-X {pkg}.gitVersion={version}", f"-X {pkg}.gitMajor={major}",
                     f"-X {pkg}.gitMinor={minor}", f"-X {pkg}.gitTreeState=clean"])


@dataclass
class Cache:
    """The build cache of one Kubernetes version."""

    root: Path

    @property
    def dir(self) -> Path:
        return self.root / KUBERNETES_VERSION

    @property
    def manifest_path(self) -> Path:
        return self.dir / "manifest.json"

    def manifest(self) -> dict[str, Any]:
        try:
            data = json.loads(self.manifest_path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) and data.get("recipe") == RECIPE else {}

    def write_manifest(self, data: dict[str, Any]) -> None:
        data["recipe"] = RECIPE
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, self.manifest_path)

    def binary(self, name: str) -> Path:
        return self.dir / "bin" / name

    def crd_dir(self) -> Path:
        return self.dir / "crds"


def _entry_ok(cache: Cache, entry: Any, key: str, pin: str) -> bool:
    """True when the manifest entry is for ``pin`` and every file it lists has its sha256."""
    if not isinstance(entry, dict) or entry.get(key) != pin:
        return False
    files = entry.get("sha256")
    if not isinstance(files, dict) or not files:
        return False
    for relative, digest in files.items():
        path = cache.dir / relative
        if not path.is_file() or sha256_of(path) != digest:
            return False
    return True


def _crd_pin(source: CrdSource) -> str:
    return f"{source.module}@{source.version}:{','.join(source.files)}"


def verify(cache: Cache) -> list[str]:
    """What is missing or altered in the cache (empty when it is complete and intact)."""
    manifest = cache.manifest()
    problems: list[str] = []
    if not _entry_ok(cache, manifest.get("kube-apiserver"), "version", KUBERNETES_VERSION):
        problems.append(f"kube-apiserver {KUBERNETES_VERSION}")
    if not _entry_ok(cache, manifest.get("etcd"), "version", ETCD_VERSION):
        problems.append(f"etcd {ETCD_VERSION}")
    crds = manifest.get("crds", {})
    for source in CRD_SOURCES:
        if not _entry_ok(cache, crds.get(source.name), "pin", _crd_pin(source)):
            problems.append(f"CRDs of {source.module}@{source.version}")
    return problems


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (created), held for the block; waits for other holders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        # The holder before us may have removed the file: lock the one that is there now.
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def build(cache: Cache) -> list[str]:
    """Fill the cache; returns what was built (empty when it was complete)."""
    cache.dir.mkdir(parents=True, exist_ok=True)
    with locked(cache.dir / ".lock"):
        missing = verify(cache)
        if not missing:
            return []
        manifest = cache.manifest()
        (cache.dir / "bin").mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".build-", dir=cache.dir) as tmp_name:
            tmp = Path(tmp_name)
            if any(item.startswith("kube-apiserver") for item in missing):
                manifest["kube-apiserver"] = _build_apiserver(cache, tmp / "kube-apiserver")
                cache.write_manifest(manifest)
            if any(item.startswith("etcd") for item in missing):
                manifest["etcd"] = _build_etcd(cache, tmp / "etcd")
                cache.write_manifest(manifest)
            crds = manifest.setdefault("crds", {})
            for source in CRD_SOURCES:
                if f"CRDs of {source.module}@{source.version}" in missing:
                    crds[source.name] = _copy_crds(cache, source, tmp)
                    cache.write_manifest(manifest)
        problems = verify(cache)
        if problems:
            raise ApiServerError(f"the cache in {cache.dir} is still incomplete after building: "
                                 f"{', '.join(problems)}; remove it and run again")
        return missing


def _install_binary(built: Path, target: Path) -> str:
    os.chmod(built, 0o755)
    os.replace(built, target)
    return sha256_of(target)


def _build_apiserver(cache: Cache, work: Path) -> dict[str, Any]:
    started = time.monotonic()
    work.mkdir(parents=True)
    info = module_download("k8s.io/kubernetes", KUBERNETES_VERSION, work)
    go_mod = Path(info["GoMod"]).read_text()
    output = work / "kube-apiserver.out"
    go_sum = _build_main(work / "module", module="k8s.io/kubernetes", version=KUBERNETES_VERSION,
                         package="k8s.io/kubernetes/cmd/kube-apiserver", output=output,
                         replaces=staging_replaces(go_mod, KUBERNETES_VERSION),
                         ldflags=_version_ldflags(KUBERNETES_VERSION))
    (cache.dir / "kube-apiserver.go.sum").write_text(go_sum)
    digest = _install_binary(output, cache.binary("kube-apiserver"))
    seconds = round(time.monotonic() - started)
    say(f"built kube-apiserver {KUBERNETES_VERSION} in {seconds} s")
    return {"version": KUBERNETES_VERSION, "module_sum": info.get("Sum"), "build_seconds": seconds,
            "sha256": {"bin/kube-apiserver": digest,
                       "kube-apiserver.go.sum": sha256_of(cache.dir / "kube-apiserver.go.sum")}}


def _build_etcd(cache: Cache, work: Path) -> dict[str, Any]:
    started = time.monotonic()
    work.mkdir(parents=True)
    info = module_download("go.etcd.io/etcd/server/v3", ETCD_VERSION, work)
    output = work / "etcd.out"
    # etcd's own go.mod replaces its sibling modules by directories; as a dependency those lines
    # do not apply and the released siblings of the same version are used.
    go_sum = _build_main(work / "module", module="go.etcd.io/etcd/server/v3",
                         version=ETCD_VERSION, package="go.etcd.io/etcd/server/v3",
                         output=output)
    (cache.dir / "etcd.go.sum").write_text(go_sum)
    digest = _install_binary(output, cache.binary("etcd"))
    seconds = round(time.monotonic() - started)
    say(f"built etcd {ETCD_VERSION} in {seconds} s")
    return {"version": ETCD_VERSION, "module_sum": info.get("Sum"), "build_seconds": seconds,
            "sha256": {"bin/etcd": digest, "etcd.go.sum": sha256_of(cache.dir / "etcd.go.sum")}}


def _copy_crds(cache: Cache, source: CrdSource, tmp: Path) -> dict[str, Any]:
    info = module_download(source.module, source.version, tmp)
    module_dir = Path(info["Dir"])
    target = cache.crd_dir() / source.name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    digests: dict[str, str] = {}
    for relative in source.files:
        origin = module_dir / relative
        if not origin.is_file():
            raise ApiServerError(f"{source.module}@{source.version} has no {relative}")
        copy = target / Path(relative).name
        shutil.copyfile(origin, copy)
        os.chmod(copy, 0o644)
        digests[str(copy.relative_to(cache.dir))] = sha256_of(copy)
    return {"pin": _crd_pin(source), "module_sum": info.get("Sum"), "sha256": digests}


# --- certificates ------------------------------------------------------------------------------


def _openssl(args: Sequence[str], cwd: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise ApiServerError("starting the API server needs `openssl` on PATH to make its "
                             "certificates (Debian: apt-get install openssl)")
    proc = subprocess.run([openssl, *args], cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ApiServerError(f"openssl {args[0]} failed: {proc.stderr.strip()[-500:]}")


def _ec_key(name: str, cwd: Path) -> None:
    _openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
              "-out", name], cwd)


def _signed(name: str, subject: str, extensions: str, cwd: Path) -> None:
    """``<name>.key`` and ``<name>.crt`` signed by the CA in ``cwd``."""
    _ec_key(f"{name}.key", cwd)
    _openssl(["req", "-new", "-key", f"{name}.key", "-subj", subject, "-out", f"{name}.csr"], cwd)
    (cwd / f"{name}.ext").write_text(extensions)
    _openssl(["x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
              "-CAcreateserial", "-days", "30", "-sha256", "-extfile", f"{name}.ext",
              "-out", f"{name}.crt"], cwd)


def make_certificates(certs: Path) -> None:
    """A CA, the server's certificate for 127.0.0.1, an admin client certificate, a SA key."""
    certs.mkdir(parents=True, exist_ok=True)
    os.chmod(certs, 0o700)
    _ec_key("ca.key", certs)
    _openssl(["req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=svcgen-apiserver-ca",
              "-days", "30", "-sha256", "-out", "ca.crt",
              "-addext", "basicConstraints=critical,CA:TRUE",
              "-addext", "keyUsage=critical,keyCertSign,cRLSign"], certs)
    _signed("serving", "/CN=kube-apiserver",
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n", certs)
    _signed("admin", f"/O=system:masters/CN={ADMIN}",
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=clientAuth\n", certs)
    _ec_key("service-account.key", certs)
    _openssl(["pkey", "-in", "service-account.key", "-pubout", "-out", "service-account.pub"],
             certs)


# --- running -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A started server, as ``state.json`` records it."""

    dir: Path
    url: str
    etcd_pid: int
    apiserver_pid: int

    @property
    def kubeconfig(self) -> Path:
        return self.dir / "kubeconfig"

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.dir / "certs" / "ca.crt"))
        context.load_cert_chain(str(self.dir / "certs" / "admin.crt"),
                                str(self.dir / "certs" / "admin.key"))
        return context

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str = "application/json", timeout: float = 30) -> Any:
        """One authenticated call; the decoded JSON answer. Raises HTTPError on a refusal."""
        req = urllib.request.Request(self.url + path, data=body, method=method,
                                     headers={"Content-Type": content_type,
                                              "Accept": "application/json"})
        with urllib.request.urlopen(req, context=self.ssl_context(), timeout=timeout) as answer:
            data = answer.read()
        return json.loads(data) if data else None


def _alive(pid: int, binary: Path) -> bool:
    """True when ``pid`` runs ``binary`` (not another process that got the same number)."""
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return False
    return Path(exe.removesuffix(" (deleted)")) == binary


def load_state(directory: Path, cache: Cache) -> Server | None:
    """The server recorded in ``directory`` when both of its processes still run."""
    try:
        data = json.loads((directory / "state.json").read_text())
        server = Server(directory, str(data["url"]), int(data["etcd_pid"]),
                        int(data["apiserver_pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (_alive(server.etcd_pid, cache.binary("etcd"))
            and _alive(server.apiserver_pid, cache.binary("kube-apiserver"))):
        return None
    return server


def _spawn(args: Sequence[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        # Its own session: the server outlives `make apiserver` and a terminal's Ctrl-C.
        return subprocess.Popen(list(args), stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                start_new_session=True)


def _log_tail(log: Path) -> str:
    try:
        lines = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    return "\n  ".join(lines[-12:])


def _wait(what: str, check: Any, processes: Sequence[tuple[subprocess.Popen[bytes], Path]],
          timeout: float = READY_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc, log in processes:
            if proc.poll() is not None:
                raise ApiServerError(f"{log.stem} exited with status "
                                     f"{proc.returncode} while waiting for {what}:\n"
                                     f"  {_log_tail(log)}")
        with contextlib.suppress(OSError, ValueError, urllib.error.URLError):
            if check():
                return
        time.sleep(0.2)
    raise ApiServerError(f"{what} not ready within {timeout:g} s; logs in {processes[-1][1]}")


def _etcd_healthy(url: str) -> bool:
    with urllib.request.urlopen(url + "/health", timeout=2) as answer:
        return bool(json.loads(answer.read()).get("health") == "true")


def _ready(server: Server) -> bool:
    req = urllib.request.Request(server.url + "/readyz")
    with urllib.request.urlopen(req, context=server.ssl_context(), timeout=2) as answer:
        return bool(answer.status == 200)


def crd_documents(cache: Cache) -> list[bytes]:
    """Every CRD to install, one YAML or JSON document each."""
    documents: list[bytes] = []
    for path in sorted(cache.crd_dir().rglob("*.yaml")):
        text = path.read_text()
        for part in re.split(r"^---[ \t]*$", text, flags=re.M):
            if re.search(r"^kind:\s*CustomResourceDefinition\s*$", part, flags=re.M):
                documents.append(part.encode())
    documents.append(json.dumps(HTTP_ADDON_CRD).encode())
    return documents


def install_crds(server: Server, cache: Cache,
                 processes: Sequence[tuple[subprocess.Popen[bytes], Path]]) -> list[str]:
    """Create every CRD and wait until each is established; their names."""
    names: list[str] = []
    for document in crd_documents(cache):
        content_type = "application/json" if document.startswith(b"{") else "application/yaml"
        try:
            created = server.request("POST", "/apis/apiextensions.k8s.io/v1/"
                                     "customresourcedefinitions", document, content_type)
        except urllib.error.HTTPError as exc:
            raise ApiServerError(f"the server refused a CRD: {exc.read().decode()[:800]}") \
                from None
        names.append(str(created["metadata"]["name"]))

    def established() -> bool:
        listing = server.request("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
        done = {item["metadata"]["name"] for item in listing["items"]
                if any(c.get("type") == "Established" and c.get("status") == "True"
                       for c in (item.get("status") or {}).get("conditions") or [])}
        return done >= set(names)

    _wait("the CustomResourceDefinitions", established, processes)
    return names


def kubeconfig_text(server: Server) -> str:
    certs = server.dir / "certs"

    def data(name: str) -> str:
        return base64.b64encode((certs / name).read_bytes()).decode()

    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": CONTEXT, "preferences": {},
        "clusters": [{"name": CONTEXT, "cluster": {
            "server": server.url, "certificate-authority-data": data("ca.crt")}}],
        "users": [{"name": ADMIN, "user": {
            "client-certificate-data": data("admin.crt"), "client-key-data": data("admin.key")}}],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": ADMIN}}],
    }
    # JSON is YAML: helm and kubectl read it as a kubeconfig.
    return json.dumps(config, indent=2) + "\n"


def start(directory: Path, cache: Cache, owner: str = "") -> tuple[Server, bool]:
    """The running server in ``directory``, started when none runs; True when started now.

    ``owner`` is written to ``<directory>/owner`` when this call starts it: a test run stops only
    the server it started.
    """
    problems = verify(cache)
    if problems:
        raise ApiServerError(f"not built yet (or the cache was altered): {', '.join(problems)}; "
                             "run `make apiserver` (or `python scripts/apiserver.py build`) first")
    directory.mkdir(parents=True, exist_ok=True)
    with locked(directory / ".lock"):
        running = load_state(directory, cache)
        if running is not None:
            return running, False
        _stop_recorded(directory, cache)
        _clear(directory)
        server = _start_fresh(directory, cache)
        if owner:
            (directory / "owner").write_text(owner + "\n")
        return server, True


def _start_fresh(directory: Path, cache: Cache) -> Server:
    started = time.monotonic()
    certs = directory / "certs"
    make_certificates(certs)
    etcd_client, etcd_peer, secure = free_port(), free_port(), free_port()
    etcd_url = f"http://127.0.0.1:{etcd_client}"
    etcd_log, apiserver_log = directory / "etcd.log", directory / "kube-apiserver.log"
    etcd = _spawn([
        str(cache.binary("etcd")), "--name", "svcgen", "--data-dir", str(directory / "etcd"),
        "--listen-client-urls", etcd_url, "--advertise-client-urls", etcd_url,
        "--listen-peer-urls", f"http://127.0.0.1:{etcd_peer}",
        "--initial-advertise-peer-urls", f"http://127.0.0.1:{etcd_peer}",
        "--initial-cluster", f"svcgen=http://127.0.0.1:{etcd_peer}",
        # Throwaway data: durability costs time and disk writes the tests do not need.
        "--unsafe-no-fsync", "--log-level", "warn",
    ], etcd_log)
    url = f"https://127.0.0.1:{secure}"
    server = Server(directory, url, etcd.pid, 0)
    _write_state(server)
    processes: list[tuple[subprocess.Popen[bytes], Path]] = [(etcd, etcd_log)]
    try:
        _wait("etcd", lambda: _etcd_healthy(etcd_url), processes)
        apiserver = _spawn([
            str(cache.binary("kube-apiserver")),
            "--etcd-servers", etcd_url, "--bind-address", "127.0.0.1",
            "--advertise-address", "127.0.0.1", "--secure-port", str(secure),
            "--cert-dir", str(certs),
            "--tls-cert-file", str(certs / "serving.crt"),
            "--tls-private-key-file", str(certs / "serving.key"),
            "--client-ca-file", str(certs / "ca.crt"),
            "--service-account-issuer", url,
            "--service-account-key-file", str(certs / "service-account.pub"),
            "--service-account-signing-key-file", str(certs / "service-account.key"),
            "--service-cluster-ip-range", "10.0.0.0/24",
            "--authorization-mode", "RBAC",
            # The defaults already include PodSecurity; naming it keeps it on if they change.
            "--enable-admission-plugins", "PodSecurity",
            # As kubeadm sets it: privileged pods are PodSecurity's to refuse, not a flag's.
            "--allow-privileged=true",
            # No controller manager runs, so nothing else would keep the endpoints current.
            "--endpoint-reconciler-type", "none",
            "--profiling=false",
        ], apiserver_log)
        server = Server(directory, url, etcd.pid, apiserver.pid)
        _write_state(server)
        processes.append((apiserver, apiserver_log))
        _wait("kube-apiserver", lambda: _ready(server), processes)
        names = install_crds(server, cache, processes)
        kubeconfig = server.kubeconfig
        kubeconfig.write_text(kubeconfig_text(server))
        os.chmod(kubeconfig, 0o600)
    except BaseException:
        _stop_recorded(directory, cache)
        raise
    say(f"ready in {time.monotonic() - started:.1f} s at {url} with {len(names)} CRDs; "
        f"kubeconfig {server.kubeconfig}")
    return server


def _write_state(server: Server) -> None:
    state = {"url": server.url, "etcd_pid": server.etcd_pid,
             "apiserver_pid": server.apiserver_pid, "version": KUBERNETES_VERSION}
    tmp = server.dir / "state.tmp"
    tmp.write_text(json.dumps(state) + "\n")
    os.replace(tmp, server.dir / "state.json")


def _terminate(pid: int, binary: Path) -> None:
    if not _alive(pid, binary):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline and _alive(pid, binary):
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    if _alive(pid, binary):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _stop_recorded(directory: Path, cache: Cache) -> bool:
    """End the processes ``state.json`` names (only when they run our binaries)."""
    try:
        data = json.loads((directory / "state.json").read_text())
    except (OSError, ValueError):
        return False
    apiserver_pid = int(data.get("apiserver_pid") or 0)
    etcd_pid = int(data.get("etcd_pid") or 0)
    was_running = any(pid and _alive(pid, cache.binary(name)) for pid, name in
                      ((apiserver_pid, "kube-apiserver"), (etcd_pid, "etcd")))
    # The API server first: it would log a storm of errors with etcd gone.
    if apiserver_pid:
        _terminate(apiserver_pid, cache.binary("kube-apiserver"))
    if etcd_pid:
        _terminate(etcd_pid, cache.binary("etcd"))
    return was_running


def _clear(directory: Path) -> None:
    """Remove everything in ``directory`` but its lock."""
    for child in directory.iterdir():
        if child.name == ".lock":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def stop(directory: Path, cache: Cache) -> bool:
    """End the server in ``directory`` and remove its data; True when one was running."""
    if not directory.is_dir():
        return False
    with locked(directory / ".lock"):
        was_running = _stop_recorded(directory, cache)
        _clear(directory)
    with contextlib.suppress(OSError):
        (directory / ".lock").unlink()
        directory.rmdir()
    return was_running


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("command", choices=["build", "start", "stop", "status"])
    parser.add_argument("--dir", type=Path, default=default_dir(),
                        help="where the running server keeps its data; default .apiserver")
    parser.add_argument("--cache", type=Path, default=None,
                        help="build cache; default $SVCGEN_APISERVER_CACHE or "
                             "~/.cache/svcgen/apiserver")
    args = parser.parse_args(argv)
    cache = Cache(args.cache or default_cache())
    directory: Path = args.dir.resolve()
    try:
        if args.command == "build":
            started = time.monotonic()
            built = build(cache)
            if built:
                say(f"built {', '.join(built)} in {time.monotonic() - started:.0f} s "
                    f"into {cache.dir}")
            else:
                say(f"{KUBERNETES_VERSION} is built and verified in {cache.dir}")
        elif args.command == "start":
            server, fresh = start(directory, cache)
            if not fresh:
                say(f"already running at {server.url}; kubeconfig {server.kubeconfig}")
            print(server.kubeconfig)
        elif args.command == "stop":
            say("stopped; data removed" if stop(directory, cache) else "was not running")
        else:
            running = load_state(directory, cache)
            if running is None:
                say(f"not running (no server recorded in {directory})")
                return 1
            print(running.kubeconfig)
    except ApiServerError as exc:
        print(f"apiserver: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
