"""Finding and running the helm binary against the bundled chart.

The API other modules use (``svcgen template``, ``svcgen lint --render``):

``find_helm(explicit=None) -> Helm``
    The binary to run, looked up in this order: ``explicit`` (the ``--helm`` option: a path, or a
    bare name looked up next to the interpreter and then on PATH), ``$SVCGEN_HELM``, the ``helm``
    next to ``sys.executable`` (the virtualenv's, installed by ``make setup``), then ``helm`` on
    PATH. An explicit choice must be a supported version; found ones that are not are passed over.
    Supported: Helm 4.x and Helm 3.17.x (3.18.0 formats numbers wrongly). Raises
    :class:`SvcgenError` with exit code 2 and a hint saying how to install it when none is found.

``chart_dir() -> Path``
    The bundled chart: ``svcgen/chart`` inside an installed wheel, else the repository's
    ``chart/`` next to the package source.

``template(values_files, *, release, namespace, kube_version, helm, chart, stdin, on_warning)``
    ``-> str``: the ``helm template`` output (manifests, ``---``-separated); what helm says on
    stderr while succeeding goes to ``on_warning``. Raises :class:`SvcgenError` (exit code 1)
    carrying helm's own message when helm refuses the values; for schema errors one diagnostic
    per violation, with the values path helm named and, where that path is written in one of
    the values files, its file, line and column.

``lint(values_files, *, namespace, kube_version, strict, helm, chart, stdin) -> LintReport``
    ``helm lint`` (``--strict`` by default). Findings come back as diagnostics (rule
    ``helm-lint``; severities error, warning and info as helm printed them) and ``ok`` says
    whether helm passed the chart; it raises only when helm cannot be run at all.

``values_files`` are paths; ``"-"`` stands for the text given as ``stdin``. ``namespace=None``
means ``global.project`` when the values set it (the chart refuses any other namespace then),
else ``default``: see :func:`project_namespace`. ``helm`` is a
:class:`Helm`, a path or name as for ``find_helm``, or None to look it up. ``kube_version`` is
always passed to helm: each Helm release has a different default, and the render depends on it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from svcgen.diagnostics import Diagnostic, Severity, SvcgenError, error
from svcgen.yamlio import Document, load_document, read_text

DEFAULT_RELEASE = "svcgen"
DEFAULT_NAMESPACE = "default"
#: Passed to every helm call: Helm 3.17 and Helm 4 default to different Kubernetes versions.
DEFAULT_KUBE_VERSION = "1.35.0"
#: Environment variable naming the helm binary to use.
HELM_ENV = "SVCGEN_HELM"
#: Seconds a single helm call may take; rendering 1000 components takes a few seconds.
TIMEOUT_SECONDS = 300
SUPPORTED = "Helm 4.x or Helm 3.17.x"
INSTALL_HINT = (
    "install the pinned binaries with `make setup` in the svcgen repository, or run "
    "`python scripts/install_helm.py --venv <your virtualenv>`; or put Helm 4.x or 3.17.x on "
    f"PATH, or name one with --helm PATH or ${HELM_ENV}"
)

_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: Helm 4 schema errors: ``- at '/components/api/replicas': got string, want integer``.
_POINTER_PROBLEM = re.compile(r"^- at '(?P<pointer>[^']*)': (?P<message>.+)$")
#: Helm 3 schema errors: ``- components.api.replicas: Invalid type. Expected: …``.
_DOTTED_PROBLEM = re.compile(r"^- (?P<dotted>\(root\)|[^\s:]+): (?P<message>.+)$")
#: ``fail`` in a template: ``execution error at (svcgen/templates/x.yaml:3:4): message``.
_EXECUTION_ERROR = re.compile(r"execution error at \((?P<where>[^)]*)\): (?P<message>.+)", re.S)
_LINT_FINDING = re.compile(r"^\[(?P<level>ERROR|WARNING|INFO)\] (?P<rest>.*)$")
_LINT_SEVERITY = {"ERROR": Severity.ERROR, "WARNING": Severity.WARNING, "INFO": Severity.INFO}
#: Helm's own rule for release names (``chartutil.ValidateReleaseName``): a DNS-1123 subdomain of
#: at most 53 characters, so that ``<release>-<suffix>`` names still fit.
_RELEASE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
MAX_RELEASE_LENGTH = 53
#: What helm's --kube-version accepts, without a pre-release or build suffix.
_KUBE_VERSION = re.compile(r"^v?\d{1,3}\.\d{1,3}(\.\d{1,4})?$")


@dataclass(frozen=True)
class Helm:
    """A helm binary and the version it reported (``v4.1.4``)."""

    path: str
    version: str

    @property
    def major(self) -> int:
        return _parse_version(self.version)[0]


@dataclass(frozen=True)
class LintReport:
    """What ``helm lint`` said: whether it passed, its findings, and its output as printed."""

    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    output: str


def _parse_version(version: str) -> tuple[int, int, int]:
    match = _VERSION.match(version)
    if match is None:
        return (0, 0, 0)
    major, minor, patch = (int(g) for g in match.groups())
    return (major, minor, patch)


def unsupported_reason(version: str) -> str | None:
    """Why this helm version cannot be used, or None when it can."""
    major, minor, patch = _parse_version(version)
    if major == 4:
        return None
    if (major, minor) == (3, 17):
        return None
    if (major, minor, patch) == (3, 18, 0):
        return "Helm 3.18.0 formats numbers wrongly (a known regression)"
    return f"it is {version}; svcgen supports {SUPPORTED}"


@functools.lru_cache(maxsize=16)
def _version_of(path: str, _mtime_ns: int, _size: int) -> str | None:
    try:
        proc = subprocess.run(
            [path, "version", "--template", "{{.Version}}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.strip() or None


def helm_version(path: str | Path) -> str | None:
    """The version a helm binary reports (``v4.1.4``), or None when it does not run as helm."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _version_of(str(path), stat.st_mtime_ns, stat.st_size)


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _resolve_name(name: str) -> Path | None:
    """A bare name (``helm3``) next to the interpreter, else on PATH; a path as it is."""
    if os.sep in name or (os.altsep and os.altsep in name):
        return Path(name)
    beside = Path(sys.executable).parent / name
    if _executable(beside):
        return beside
    found = shutil.which(name)
    return Path(found) if found else None


def _explicit(choice: str, origin: str) -> Helm:
    path = _resolve_name(choice)
    if path is None or not path.exists():
        missing = "does not exist" if path is not None else "is neither a file nor on PATH"
        raise error(
            f"helm not found: {origin} names {choice!r}, which {missing}",
            exit_code=2,
            hint=INSTALL_HINT,
        )
    if not _executable(path):
        raise error(f"{path} (from {origin}) is not an executable file", exit_code=2,
                    hint=INSTALL_HINT)
    version = helm_version(path)
    if version is None:
        raise error(f"{path} (from {origin}) does not run as helm (`helm version` failed)",
                    exit_code=2, hint=INSTALL_HINT)
    reason = unsupported_reason(version)
    if reason is not None:
        raise error(f"cannot use {path} (from {origin}): {reason}", exit_code=2, hint=INSTALL_HINT)
    return Helm(str(path), version)


def find_helm(explicit: str | Path | None = None) -> Helm:
    """The helm binary to run; see the module docstring for the order of the search."""
    if explicit is not None and str(explicit) != "":
        return _explicit(str(explicit), "--helm")
    from_env = os.environ.get(HELM_ENV)
    if from_env:
        return _explicit(from_env, f"${HELM_ENV}")
    passed_over: list[str] = []
    candidates: list[Path] = [Path(sys.executable).parent / "helm"]
    on_path = shutil.which("helm")
    if on_path is not None:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if not _executable(candidate):
            continue
        version = helm_version(candidate)
        if version is None:
            passed_over.append(f"{candidate} does not run")
            continue
        reason = unsupported_reason(version)
        if reason is None:
            return Helm(str(candidate), version)
        passed_over.append(f"{candidate}: {reason}")
    detail = f" (passed over: {'; '.join(passed_over)})" if passed_over else ""
    raise error(f"helm ({SUPPORTED}) was not found{detail}", exit_code=2, hint=INSTALL_HINT)


def chart_dir() -> Path:
    """The bundled chart: inside the installed package, else the repository's ``chart/``."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "chart", package.parents[1] / "chart"):
        if (candidate / "Chart.yaml").is_file():
            return candidate
    raise error(
        f"the svcgen chart was not found next to {package}",
        exit_code=2,
        hint="reinstall svcgen (`pip install svcgen`, or `make setup` in the repository)",
    )


def check_release(name: str, origin: str = "--release", *, file: str = "") -> str:
    """``name`` when helm accepts it as a release name; a usage error (exit 2) otherwise.

    The name reaches helm's command line, so it is checked here rather than trusted to helm: a
    name like ``--post-renderer=./x.sh`` must never become an option.
    """
    if len(name) > MAX_RELEASE_LENGTH or not _RELEASE.match(name):
        shown = name if len(name) <= 80 else name[:77] + "..."
        raise error(
            f"{origin}: {shown!r} is not a valid release name",
            file=file,
            exit_code=2,
            hint=f"use at most {MAX_RELEASE_LENGTH} lower-case letters, digits, '-' and '.', "
            "starting and ending with a letter or digit (Helm's rule)",
        )
    return name


def check_kube_version(version: str) -> str:
    """``version`` when it is a Kubernetes version helm can take; a usage error otherwise."""
    if not _KUBE_VERSION.match(version):
        shown = version if len(version) <= 40 else version[:37] + "..."
        raise error(f"--kube-version: {shown!r} is not a Kubernetes version", exit_code=2,
                    hint="give a version like 1.35.0")
    return version


# --- running helm ------------------------------------------------------------------------------


def _helm(helm: Helm | str | Path | None) -> Helm:
    return helm if isinstance(helm, Helm) else find_helm(helm)


def _check_values_files(values_files: Sequence[str | Path], stdin: str | None) -> list[str]:
    """Fail early, with our messages, on values files helm could not read."""
    names: list[str] = []
    for path in values_files:
        name = str(path)
        if name == "-":
            if stdin is None:
                raise error("values file '-' (standard input) given but no input was read",
                            exit_code=2, hint="pipe the values into the command")
        else:
            read_text(path)
        names.append(name)
    return names


def _run(helm: Helm, args: Sequence[str], stdin: str | None) -> subprocess.CompletedProcess[str]:
    command = [helm.path, *args]
    try:
        return subprocess.run(
            command,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
            env={**os.environ, "NO_COLOR": "1"},
        )
    except subprocess.TimeoutExpired:
        raise error(f"helm did not finish within {TIMEOUT_SECONDS} s: {' '.join(command[:3])} …",
                    exit_code=2, hint="check the values for runaway sizes") from None
    except OSError as exc:
        raise error(f"cannot run {helm.path}: {exc.strerror or exc}", exit_code=2,
                    hint=INSTALL_HINT) from None


def project_namespace(values_files: Sequence[str | Path], stdin: str | None = None) -> str | None:
    """``global.project`` as the last values file that sets it says, or None.

    A Space Cloud project is a namespace, and the chart fails unless the release namespace equals
    ``global.project``; so that is the namespace to render into when none is given.
    """
    for path in reversed([str(p) for p in values_files]):
        text = stdin if path == "-" else read_text(path)
        if text is None or "project" not in text:  # most files: no need to parse them
            continue
        glob = _global_block(path, text)
        if isinstance(glob, dict) and "project" in glob:
            project = glob["project"]
            return project if isinstance(project, str) and project else None
    return None


_GLOBAL_BLOCK = re.compile(r"^global[ \t]*:.*?(?=^[^\s#]|\Z)", re.M | re.S)


def _global_block(path: str, text: str) -> object:
    """The ``global`` mapping of a values file, parsing only that block where possible.

    Large values files (a thousand components) take seconds to parse in pure Python; the
    top-level ``global:`` block is a few lines and a valid document by itself.
    """
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = load_document(path, text).data()
    else:
        block = _GLOBAL_BLOCK.search(text)
        if block is None:
            return None
        try:
            data = load_document(path, block.group(0)).data()
        except SvcgenError:  # e.g. an alias to an anchor outside the block: read it all
            data = load_document(path, text).data()
    return data.get("global") if isinstance(data, dict) else None


def _values_args(names: Sequence[str]) -> list[str]:
    # ``--flag=value``: a value starting with '-' can never be read as another option.
    return [f"--values={name}" for name in names]


def _options(namespace: str, kube_version: str, names: Sequence[str]) -> list[str]:
    """The options every helm call takes; positionals follow a ``--`` after them."""
    return [f"--namespace={namespace}", f"--kube-version={check_kube_version(kube_version)}",
            *_values_args(names)]


def template(
    values_files: Sequence[str | Path] = (),
    *,
    release: str = DEFAULT_RELEASE,
    namespace: str | None = None,
    kube_version: str = DEFAULT_KUBE_VERSION,
    helm: Helm | str | Path | None = None,
    chart: Path | None = None,
    stdin: str | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> str:
    """Render the chart with these values; the manifests as helm printed them.

    What helm says on stderr while succeeding (``coalesce.go: warning: …`` when a values file
    replaces a map with a scalar, deprecation notices) goes to ``on_warning``, line by line.
    """
    check_release(release)
    check_kube_version(kube_version)
    names = _check_values_files(values_files, stdin)
    binary = _helm(helm)
    namespace = namespace or project_namespace(names, stdin) or DEFAULT_NAMESPACE
    args = ["template", *_options(namespace, kube_version, names), "--", release,
            str(chart or chart_dir())]
    proc = _run(binary, args, stdin)
    if proc.returncode != 0:
        raise SvcgenError(*render_problems(proc.stderr, names, stdin), exit_code=1)
    if on_warning is not None:
        for line in _ANSI.sub("", proc.stderr).splitlines():
            if line.strip():
                on_warning(line.rstrip())
    return proc.stdout


def lint(
    values_files: Sequence[str | Path] = (),
    *,
    namespace: str | None = None,
    kube_version: str = DEFAULT_KUBE_VERSION,
    strict: bool = True,
    helm: Helm | str | Path | None = None,
    chart: Path | None = None,
    stdin: str | None = None,
) -> LintReport:
    """``helm lint`` the chart with these values; see the module docstring."""
    check_kube_version(kube_version)
    names = _check_values_files(values_files, stdin)
    binary = _helm(helm)
    namespace = namespace or project_namespace(names, stdin) or DEFAULT_NAMESPACE
    args = ["lint", *_options(namespace, kube_version, names)]
    if strict:
        args.append("--strict")
    args += ["--", str(chart or chart_dir())]
    proc = _run(binary, args, stdin)
    output = _ANSI.sub("", proc.stdout)
    diagnostics = lint_findings(output, names, stdin, chart_label=(chart or chart_dir()).name)
    ok = proc.returncode == 0
    if not ok and not any(d.severity is not Severity.INFO for d in diagnostics):
        diagnostics.extend(render_problems(proc.stderr or output, names, stdin))
    return LintReport(ok=ok, diagnostics=tuple(diagnostics), output=output)


# --- turning helm's messages into diagnostics -------------------------------------------------


def _clean(stderr: str) -> str:
    lines = [ln.rstrip() for ln in _ANSI.sub("", stderr).splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("Use --debug flag")]
    text = "\n".join(lines).strip()
    return text.removeprefix("Error: ").strip() or "helm failed without a message"


def _pointer_parts(pointer: str) -> list[str]:
    if pointer in ("", "/"):
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]


class _Sources:
    """The values documents, loaded only when a message needs a position."""

    def __init__(self, names: Sequence[str], stdin: str | None) -> None:
        self.names = list(names)
        self.stdin = stdin
        self._docs: list[tuple[str, Document]] | None = None

    def documents(self) -> list[tuple[str, Document]]:
        """Last file first: later files override earlier ones, so the last that sets a value is
        the one to show."""
        if self._docs is None:
            self._docs = []
            for name in reversed(self.names):
                try:
                    doc = load_document(name, self.stdin if name == "-" else None)
                except SvcgenError:
                    continue
                self._docs.append(("<stdin>" if name == "-" else name, doc))
        return self._docs

    @property
    def label(self) -> str:
        shown = ["<stdin>" if n == "-" else n for n in self.names]
        return ", ".join(shown) if shown else "values"

    def locate(self, parts: Sequence[str], *, dotted: bool = False) -> tuple[str, int, int, str]:
        """(file, line, column, dotted path) of a values path; the deepest written part wins."""
        best_depth, file, line, column = -1, self.label, 0, 0
        shown_path = ".".join(parts)
        for name, doc in self.documents():
            path = _match_dotted(doc, parts) if dotted else _match_parts(doc, parts)
            depth = next((d for d in range(len(path), 0, -1) if doc.contains(path[:d])), 0)
            if depth > best_depth:
                best_depth, file = depth, name
                line, column = doc.position(path[:depth]) if depth else (0, 0)
                shown_path = ".".join(str(p) for p in path)
            if path and depth == len(path):
                break
        return file, line, column, shown_path


def _match_parts(doc: Document, parts: Sequence[str]) -> list[str | int]:
    """JSON pointer parts → keys, with list indexes as ints where the document has lists."""
    node = doc.tree
    out: list[str | int] = []
    for part in parts:
        if isinstance(node, list) and part.isdigit():
            index = int(part)
            out.append(index)
            node = node[index] if index < len(node) else None
        else:
            out.append(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def _match_dotted(doc: Document, parts: Sequence[str]) -> list[str | int]:
    """Helm 3 joins the path with dots, and keys may hold dots (hosts, labels): match greedily."""
    node = doc.tree
    out: list[str | int] = []
    i = 0
    while i < len(parts):
        if isinstance(node, list) and parts[i].isdigit():
            index = int(parts[i])
            out.append(index)
            node = node[index] if index < len(node) else None
            i += 1
            continue
        if not isinstance(node, dict):
            out.extend(parts[i:])
            break
        for j in range(len(parts), i, -1):
            key = ".".join(parts[i:j])
            if key in node:
                out.append(key)
                node = node[key]
                i = j
                break
        else:
            out.extend(parts[i:])
            break
    return out


def _schema_problems(text: str, sources: _Sources, *, dotted_ok: bool) -> list[Diagnostic]:
    """One diagnostic per ``- at '/path': problem`` (Helm 4) or ``- a.b: problem`` (Helm 3) line.

    Helm 3's dotted form is only trusted where the text is known to be a schema report
    (``dotted_ok``): other messages also start lines with ``- ``.
    """
    found: list[Diagnostic] = []
    for raw in text.splitlines():
        line = raw.strip()
        pointer = _POINTER_PROBLEM.match(line)
        dotted = None if pointer else _DOTTED_PROBLEM.match(line)
        if pointer is not None:
            parts = _pointer_parts(pointer["pointer"])
            file, ln, col, path = sources.locate(parts)
        elif dotted is not None and dotted_ok:
            name = dotted["dotted"]
            parts = [] if name == "(root)" else name.split(".")
            file, ln, col, path = sources.locate(parts, dotted=True)
        else:
            continue
        found.append(
            Diagnostic(
                file=file,
                line=ln,
                column=col,
                path=path,
                rule="helm-schema",
                severity=Severity.ERROR,
                message=f"values don't meet the chart's schema: {line.removeprefix('- ')}",
                hint="correct the value at this path (see chart/README.md for its type)",
            )
        )
    return found


def render_problems(
    stderr: str, values_files: Sequence[str], stdin: str | None = None
) -> list[Diagnostic]:
    """helm's error output → diagnostics, keeping helm's wording (it names the values path)."""
    sources = _Sources(values_files, stdin)
    text = _clean(stderr)
    schema = _schema_problems(text, sources, dotted_ok=True) if "values don't meet" in text else []
    if schema:
        return _dedupe(schema)
    file, line, column, path = sources.label, 0, 0, ""
    failed = _EXECUTION_ERROR.search(text)
    if failed is not None:
        # The chart's `fail` messages start with the values path they are about.
        head = re.match(r"([A-Za-z0-9_.\-/]+)[: ]", failed["message"].strip())
        if head is not None and "." in head[1]:
            file, line, column, path = sources.locate(head[1].split("."), dotted=True)
    return [
        Diagnostic(
            file=file,
            line=line,
            column=column,
            path=path,
            rule="helm",
            severity=Severity.ERROR,
            message=f"helm could not render the chart: {text}",
            hint="fix the value helm names, then render again",
        )
    ]


def lint_findings(
    output: str,
    values_files: Sequence[str],
    stdin: str | None = None,
    *,
    chart_label: str = "chart",
) -> list[Diagnostic]:
    """``[ERROR] templates/: message`` lines (with their continuation lines) → diagnostics."""
    sources = _Sources(values_files, stdin)
    entries: list[tuple[str, list[str]]] = []
    for raw in output.splitlines():
        line = raw.rstrip()
        match = _LINT_FINDING.match(line)
        if match is not None:
            entries.append((match["level"], [match["rest"]]))
        elif entries and line and not line.startswith(("==> ", "Error: ")) and not re.match(
            r"^\d+ chart\(s\) linted", line
        ):
            entries[-1][1].append(line)
    found: list[Diagnostic] = []
    for level, lines in entries:
        text = "\n".join(lines).strip()
        severity = _LINT_SEVERITY[level]
        if severity is Severity.ERROR:
            # Helm names the values file's schema violations twice: under values.yaml and under
            # templates/; both become the same diagnostics, deduplicated below.
            body = text.removeprefix("values.yaml: ")
            is_schema = body.startswith("- ") or "values don't meet" in body
            schema = _schema_problems(body, sources, dotted_ok=True) if is_schema else []
            if schema:
                found.extend(schema)
                continue
            if "execution error at (" in text:
                found.extend(render_problems(text, values_files, stdin))
                continue
        where, _, message = text.partition(": ")
        found.append(
            Diagnostic(
                file=f"{chart_label}/{where}" if where and message else sources.label,
                rule="helm-lint",
                severity=severity,
                message=message or text,
                hint="" if severity is Severity.INFO else "fix what helm lint names",
            )
        )
    return _dedupe(found)


def _dedupe(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[str, int, int, str, str]] = set()
    unique: list[Diagnostic] = []
    for d in diagnostics:
        key = (d.file, d.line, d.column, d.path, d.message)
        if key not in seen:
            seen.add(key)
            unique.append(d)
    return unique
