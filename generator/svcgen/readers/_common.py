"""The reader kit: what every reader (Compose, Space Cloud, DevSpace) builds on, written once.

* :class:`Node` walks a loaded document with its path, so every type error and every report entry
  names ``file:line:column``.
* :class:`Report` collects the R001/R002/R100/R101 notes of a
  :class:`~svcgen.readers.base.ReadResult`; the rule decides the severity.
* Names: one :func:`dns_label` (and :func:`component_id`, :func:`port_name`), so one input name
  becomes the same id whichever format it came from.
* Images: one parser, :func:`parse_image`, that refuses what is not an image reference.
* Metrics: :func:`scrape_annotations` reads the conventional ``prometheus.io/*`` annotations
  (or Compose labels) as a ``metrics`` declaration; :func:`metrics_port` finds or declares the
  container port it names.
* :func:`validate` checks values against the model and turns a failure into diagnostics at the
  input that produced it.
* :class:`Owned` (the keys a reader decides, checked against the model) and :func:`ordered`
  (key order from the model), used when values are written or updated in place.
* :func:`secret_env`: variables that hold secret material (:func:`svcgen.secrets.is_secret`,
  the one test of every reader and of lint) become Secret references.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from svcgen.diagnostics import Diagnostic, Severity, SvcgenError, dotted_path
from svcgen.model import Component, Container, Service, Values
from svcgen.secrets import PRIVATE_KEY
from svcgen.secrets import is_secret as is_secret
from svcgen.yamlio import Document, PathPart

CONVERTED = "R001"
CHOICE = "R002"
NOT_CONVERTED = "R100"
ACTION = "R101"
#: What each report rule means for the user: information, or something to look at.
RULE_SEVERITY = {
    CONVERTED: Severity.INFO,
    CHOICE: Severity.INFO,
    NOT_CONVERTED: Severity.WARNING,
    ACTION: Severity.WARNING,
}

#: File names of key material, credentials and dotenv files.
KEY_MATERIAL = re.compile(
    r"^(.*\.(pem|key|p12|pfx|jks|keystore|kdbx|gpg|asc)|id_[a-z0-9]+(\.pub)?|"
    r"\.env(\..*)?|.*\.env|\.netrc|\.pgpass|\.npmrc|\.pypirc|credentials(\.json)?)$",
    re.IGNORECASE,
)


def key_material(name: str, content: str | None = None) -> bool:
    """True for a file that holds key material by its name (``*.pem``, ``id_*``, ``.env``) or by
    its content (a private key block)."""
    return bool(KEY_MATERIAL.match(name)) or (
        content is not None and bool(PRIVATE_KEY.search(content)))


ENV_NAME_RE = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
DNS1123_LABEL_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


@dataclass(frozen=True)
class Location:
    """Where something was written in an input: file, line, column (1-based) and value path."""

    file: str
    line: int = 0
    column: int = 0
    path: str = ""

    def diagnostic(
        self, severity: Severity, rule: str, message: str, hint: str = ""
    ) -> Diagnostic:
        return Diagnostic(
            file=self.file,
            line=self.line,
            column=self.column,
            path=self.path,
            rule=rule,
            severity=severity,
            message=message,
            hint=hint,
        )

    def error(self, message: str, hint: str = "") -> SvcgenError:
        return SvcgenError(self.diagnostic(Severity.ERROR, "", message, hint))


@dataclass(frozen=True)
class Node:
    """A value inside a document, with the path that leads to it.

    ``value`` is plain data (dicts, lists, scalars); positions come from the round-trip tree of
    ``doc``. ``base`` prefixes paths when the plain data was taken from somewhere inside the tree.
    """

    doc: Document
    path: tuple[PathPart, ...]
    value: Any

    @classmethod
    def root(cls, doc: Document) -> Node:
        return cls(doc, (), doc.data())

    # --- where ---------------------------------------------------------------------------------

    @property
    def file(self) -> str:
        return self.doc.file

    @property
    def dotted(self) -> str:
        return dotted_path(self.path)

    def position(self, *, key: bool = False) -> tuple[int, int]:
        if not self.path:
            lc = getattr(self.doc.tree, "lc", None)
            line = getattr(lc, "line", None)
            return (line + 1, 1) if isinstance(line, int) else (0, 0)
        return self.doc.position(self.path, key=key)

    def location(self, *, key: bool = True) -> Location:
        line, column = self.position(key=key)
        return Location(self.file, line, column, self.dotted)

    def error(self, message: str, hint: str = "", *, key: bool = False) -> SvcgenError:
        return self.location(key=key).error(message, hint)

    # --- navigation ----------------------------------------------------------------------------

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and key in self.value

    def get(self, key: str) -> Node:
        """The child ``key`` of a mapping; its value is None when absent."""
        value = self.value.get(key) if isinstance(self.value, dict) else None
        return Node(self.doc, (*self.path, key), value)

    @property
    def absent(self) -> bool:
        return self.value is None

    # --- typed access: wrong types are user errors with a position -------------------------------

    def expect(self, kinds: type | tuple[type, ...], what: str) -> Any:
        value = self.value
        if isinstance(value, bool) and bool not in (
            kinds if isinstance(kinds, tuple) else (kinds,)
        ):
            raise self.error(
                f"{self.dotted or 'the document'} must be {what}, not {_type_name(value)}",
                hint=f"write {what} here",
            )
        if not isinstance(value, kinds):
            raise self.error(
                f"{self.dotted or 'the document'} must be {what}, not {_type_name(value)}",
                hint=f"write {what} here",
            )
        return value

    def mapping(self, *, optional: bool = True) -> dict[str, Any]:
        if self.value is None and optional:
            return {}
        value: dict[str, Any] = self.expect(dict, "a mapping")
        for k in value:
            if not isinstance(k, str):
                raise Node(self.doc, (*self.path, k), value[k]).error(
                    f"key {k!r} of {self.dotted} must be a string", hint="quote the key", key=True
                )
        return value

    def items(self) -> Iterator[tuple[str, Node]]:
        for k in self.mapping():
            yield k, self.get(k)

    def elements(self) -> Iterator[Node]:
        if self.value is None:
            return
        seq: list[Any] = self.expect(list, "a list")
        for i, item in enumerate(seq):
            yield Node(self.doc, (*self.path, i), item)

    def string(self, default: str | None = None, *, allow_numbers: bool = False) -> str | None:
        if self.value is None:
            return default
        if (
            allow_numbers
            and isinstance(self.value, (int, float))
            and not isinstance(self.value, bool)
        ):
            return str(self.value)
        value: str = self.expect(str, "a string")
        return value

    def required_string(self, what: str = "a string") -> str:
        if self.value is None or self.value == "":
            raise self.error(f"{self.dotted} is required", hint=f"set {self.dotted} to {what}")
        value: str = self.expect(str, what)
        return value

    def integer(
        self, default: int | None = None, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        if self.value is None:
            return default
        value = self.value
        if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(
                f"{self.dotted} must be an integer, not {_type_name(self.value)}",
                hint="write a whole number",
            )
        if minimum is not None and value < minimum:
            raise self.error(
                f"{self.dotted} must be at least {minimum}, not {value}",
                hint=f"use a value of {minimum} or more",
            )
        if maximum is not None and value > maximum:
            raise self.error(
                f"{self.dotted} must be at most {maximum}, not {value}",
                hint=f"use a value of {maximum} or less",
            )
        return value

    def boolean(self, default: bool | None = None) -> bool | None:
        if self.value is None:
            return default
        value: bool = self.expect(bool, "true or false")
        return value

    def string_list(self) -> list[str]:
        out: list[str] = []
        for item in self.elements():
            text = item.string(allow_numbers=True)
            if text is None:
                raise item.error(
                    f"{item.dotted} must be a string, not null", hint="remove the empty item"
                )
            out.append(text)
        return out

    def string_map(self) -> dict[str, str]:
        """A mapping of strings (numbers and booleans are taken as written)."""
        out: dict[str, str] = {}
        for k, child in self.items():
            v = child.value
            if v is None:
                out[k] = ""
            elif isinstance(v, bool):
                out[k] = "true" if v else "false"
            elif isinstance(v, (int, float, str)):
                out[k] = str(v)
            else:
                raise child.error(
                    f"{child.dotted} must be a string, not {_type_name(v)}", hint="quote the value"
                )
        return out

    def check_keys(
        self, known: Mapping[str, object] | set[str] | frozenset[str], what: str
    ) -> None:
        """Unknown keys are errors: a typo must not silently drop configuration."""
        for k in self.mapping():
            if k not in known:
                close = difflib.get_close_matches(k, list(known), n=1)
                hint = (
                    f"did you mean {close[0]!r}?"
                    if close
                    else (f"{what} takes: {', '.join(sorted(known))}")
                )
                raise self.get(k).error(f"unknown key {k!r} in {what}", hint=hint, key=True)


@dataclass
class Report:
    """The notes of one read: what was converted, chosen, left out, and what the user must do.

    A note is placed at a :class:`Node` (its key) or at a :class:`Location`; its rule decides its
    severity (:data:`RULE_SEVERITY`).
    """

    notes: list[Diagnostic] = field(default_factory=list)

    def add(self, where: Node | Location, rule: str, message: str, hint: str = "") -> None:
        at = where.location() if isinstance(where, Node) else where
        self.notes.append(at.diagnostic(RULE_SEVERITY[rule], rule, message, hint))

    def converted(self, where: Node | Location, message: str) -> None:
        self.add(where, CONVERTED, message)

    def choice(self, where: Node | Location, message: str, hint: str = "") -> None:
        self.add(where, CHOICE, message, hint)

    def not_converted(self, where: Node | Location, reason: str, hint: str = "") -> None:
        self.add(where, NOT_CONVERTED, f"not converted: {reason}", hint)

    def action(self, where: Node | Location, message: str, hint: str = "") -> None:
        self.add(where, ACTION, message, hint)


def secret_env(
    env: dict[str, Any], secret: str
) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """Plain variables, and references into the Secret ``secret`` for those holding secret
    material: their values never go into the values."""
    plain: dict[str, Any] = {}
    refs: dict[str, dict[str, str]] = {}
    for name, value in env.items():
        if is_secret(name, value):
            refs[name] = {"secret": secret, "key": name}
        else:
            plain[name] = value
    return plain, refs


def secret_action(report: Report, node: Node, secret: str, keys: list[str]) -> None:
    """The R101 note asking the user to create the Secret that replaced literal values."""
    report.action(
        node,
        f"create Secret {secret} with key(s) {', '.join(keys)}: their values were left out of "
        "the values (secret material)",
        hint=f"kubectl create secret generic {secret} "
        + " ".join(f"--from-literal={k}=..." for k in keys),
    )


# --- names ---------------------------------------------------------------------------------------


def dns_label(name: str, *, rfc1035: bool = True, max_length: int = 63) -> str:
    """Any name → a DNS label: lower case, every run of other characters → ``-``, trimmed.

    ``rfc1035`` labels (component ids, which name Services) must start with a letter: a name that
    does not gets the prefix ``s-`` rather than losing its leading digits, so ``1api`` and ``api``
    stay two names.
    """
    label = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not label:
        label = "x"
    if rfc1035 and not label[0].isalpha():
        label = f"s-{label}"
    return label[:max_length].rstrip("-")


def component_id(name: str) -> str:
    """A component id (DNS-1035 label, at most 63 characters): it names the Service."""
    return dns_label(name, rfc1035=True)


def resource_name(name: str) -> str:
    """The name of a Kubernetes object (Secret, ConfigMap): a DNS label of up to 253 characters."""
    return dns_label(name, rfc1035=False, max_length=253)


def port_name(name: str) -> str:
    """A Kubernetes port name (IANA_SVC_NAME): ≤15 characters, a letter, no ``--``."""
    text = dns_label(name, rfc1035=False, max_length=15)
    if not re.search(r"[a-z]", text):
        text = dns_label(f"p-{text}", rfc1035=False, max_length=15)
    return text


def unique(name: str, taken: set[str], max_length: int) -> str:
    """``name``, or ``name-2``, ``name-3`` … when taken (shortened to fit ``max_length``)."""
    if name not in taken:
        return name
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = name[: max_length - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        n += 1


# --- quantities ----------------------------------------------------------------------------------


def millicores(value: int) -> str:
    """Space Cloud's cpu (millicores) → a Kubernetes quantity: 250 → ``250m``, 2000 → ``2``."""
    if value % 1000 == 0:
        return str(value // 1000)
    return f"{value}m"


def mebibytes(value: int) -> str:
    """Space Cloud's memory (MB, read as MiB by its driver) → 512 → ``512Mi``, 2048 → ``2Gi``."""
    if value % 1024 == 0:
        return f"{value // 1024}Gi"
    return f"{value}Mi"


# --- images --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageRef:
    repository: str
    tag: str | None
    digest: str | None

    def values(self) -> dict[str, str]:
        """The chart's image values: ``{repository, tag, digest}`` (only the parts given)."""
        out = {"repository": self.repository}
        if self.tag is not None:
            out["tag"] = self.tag
        if self.digest is not None:
            out["digest"] = self.digest
        return out


_DIGEST = re.compile(r"^[a-z0-9]+:[a-f0-9]{32,}$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")


def parse_image(ref: str) -> ImageRef | None:
    """``[registry/]name[:tag][@digest]`` → parts; None when it is not an image reference."""
    ref = ref.strip()
    if not ref or any(c.isspace() for c in ref):
        return None
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
        if not _DIGEST.match(digest):
            return None
    tag = None
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        ref, tag = ref[:colon], ref[colon + 1 :]
        if not _TAG.match(tag):
            return None
    if not ref or ref.endswith("/"):
        return None
    return ImageRef(ref, tag, digest)


def image_values(node: Node, ref: str) -> dict[str, str]:
    """The image values of ``ref``, written at ``node``; an error there when it is no image."""
    parsed = parse_image(ref)
    if parsed is None:
        raise node.error(
            f"{ref!r} is not an image reference",
            hint="write [registry/]name[:tag][@sha256:digest], e.g. ghcr.io/acme/api:1.4.2",
        )
    return parsed.values()


def registry_host(repository: str) -> str:
    """The registry an image is pulled from (Docker Hub when the first part is not a host)."""
    first, _, rest = repository.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first
    return "https://index.docker.io/v1/"


# --- metrics -------------------------------------------------------------------------------------

SCRAPE_PREFIX = "prometheus.io/"
#: The prometheus.io/* keys with a counterpart in ``metrics`` (besides ``scrape`` itself).
SCRAPE_FIELDS = ("port", "path", "scheme")


@dataclass(frozen=True)
class ScrapeAnnotations:
    """What a set of ``prometheus.io/*`` annotations says; the values as written."""

    #: ``prometheus.io/scrape`` is ``true``: the other keys declare a metrics endpoint.
    scrape: bool
    #: ``port``, ``path`` and ``scheme``, as given (``scheme`` lower-cased).
    fields: dict[str, str]
    #: prometheus.io/* keys with no counterpart in ``metrics`` (full keys).
    unknown: tuple[str, ...]
    #: Every prometheus.io/* key read (full keys).
    keys: tuple[str, ...]


def scrape_annotations(entries: Mapping[str, str]) -> ScrapeAnnotations | None:
    """The ``prometheus.io/*`` entries of ``entries``, or None when there is none."""
    found = {k.removeprefix(SCRAPE_PREFIX): str(v) for k, v in entries.items()
             if k.startswith(SCRAPE_PREFIX)}
    if not found:
        return None
    fields = {k: found[k] for k in SCRAPE_FIELDS if k in found}
    if "scheme" in fields:
        fields["scheme"] = fields["scheme"].lower()
    unknown = tuple(SCRAPE_PREFIX + k for k in found if k not in (*SCRAPE_FIELDS, "scrape"))
    return ScrapeAnnotations(found.get("scrape", "").lower() == "true", fields, unknown,
                             tuple(SCRAPE_PREFIX + k for k in found))


def metrics_port(ports: dict[str, dict[str, Any]], number: int) -> tuple[str, bool]:
    """The name of the TCP container port ``number`` in ``ports``; when there is none, a port
    ``tcp-<number>`` is added to ``ports``, and the flag says so: a process serves metrics on
    ports its input never listed, since Prometheus reaches the pod directly. Not ``metrics``:
    the chart derives probes from the first port by name, and ``metrics`` sorts before most
    names, so it would become the port the probes check."""
    for existing, port in ports.items():
        if port.get("containerPort") == number and port.get("protocol", "TCP") == "TCP":
            return existing, False
    added = f"tcp-{number}" if f"tcp-{number}" not in ports else f"metrics-{number}"
    ports[added] = {"containerPort": number}
    return added, True


# --- validation ----------------------------------------------------------------------------------

#: Where a value path of the values (``("components", "api", "replicas")``) came from in the
#: input, and how to fix it there.
Locate = Callable[[tuple[str, ...]], tuple[Location, str]]


def validate(values: dict[str, Any], locate: Locate, *, what: str = "the converted value") -> None:
    """Validate against the model; each failure (at most 20) is a diagnostic where ``locate``
    places it. Nothing invalid is ever returned to be written."""
    try:
        Values.model_validate(values)
    except ValidationError as exc:
        diagnostics = []
        for err in exc.errors()[:20]:
            loc = tuple(str(p) for p in err["loc"])
            where, hint = locate(loc)
            diagnostics.append(
                Location(where.file, where.line, where.column, ".".join(loc)).diagnostic(
                    Severity.ERROR, "", f"{what} {'.'.join(loc)} is invalid: {err['msg']}", hint
                )
            )
        raise SvcgenError(*diagnostics) from None


def validate_components(
    values: dict[str, Any], sources: Mapping[str, Node], fallback: Node
) -> dict[str, Any]:
    """:func:`validate`, placing an error in a component at the node the component was read from
    (``sources`` maps component ids to nodes)."""

    def locate(loc: tuple[str, ...]) -> tuple[Location, str]:
        where = (
            sources.get(loc[1], fallback) if len(loc) > 1 and loc[0] == "components" else fallback
        )
        return where.location(), "change the input at this position so the value becomes valid"

    validate(values, locate)
    return values


# --- owned keys and key order, from the model ---------------------------------------------------


@dataclass(frozen=True)
class Owned:
    """Keys a reader decides: when ``svcgen values`` updates a values file in place, an owned key
    the reader no longer generates is removed; every other key is the user's and stays.

    ``containers`` names the containers whose keys are owned; empty means every container the
    reader generates. Each key must be a field of the model (checked when the reader is defined).
    """

    component: tuple[str, ...] = ()
    container: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    containers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for keys, model in (
            (self.component, Component),
            (self.container, Container),
            (self.service, Service),
        ):
            unknown = [k for k in keys if k not in model.model_fields]
            if unknown:
                raise ValueError(f"owned keys {unknown} are not fields of {model.__name__}")

    def owns_container(self, name: str) -> bool:
        return not self.containers or name in self.containers


def _model_shape(annotation: Any) -> tuple[str, type[BaseModel]] | None:
    """``("model"|"map"|"list", Model)`` when a field holds a model, a map or list of models."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _model_shape(get_args(annotation)[0])
    if origin in (Union, UnionType):
        for arg in get_args(annotation):
            shape = _model_shape(arg)
            if shape is not None:
                return shape
        return None
    if origin is dict:
        inner = _model_shape(get_args(annotation)[1])
        return ("map", inner[1]) if inner is not None and inner[0] == "model" else None
    if origin is list:
        inner = _model_shape(get_args(annotation)[0])
        return ("list", inner[1]) if inner is not None and inner[0] == "model" else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ("model", annotation)
    return None


@functools.cache
def _key_plan(
    model: type[BaseModel],
) -> tuple[dict[str, int], dict[str, tuple[str, type[BaseModel]] | None]]:
    """A model's key order and, by key, the shape of what each field holds: derived once per
    model, since ``ordered`` asks for them at every object of every component."""
    fields = model.model_fields
    keys = [(info.alias or name, info) for name, info in fields.items()]
    rank = {key: i for i, (key, _) in enumerate(keys)}
    shapes = {key: _model_shape(info.annotation) for key, info in keys}
    return rank, shapes


def ordered(data: Any, model: type[BaseModel] = Values) -> Any:
    """``data`` with the keys of every model object in the model's field order (keys the model
    does not know last, as they were); keyed maps (components, env, …) keep their own order."""
    if not isinstance(data, dict):
        return data
    rank, shapes = _key_plan(model)
    out: dict[str, Any] = {}
    for key in sorted(data, key=lambda k: rank.get(k, len(rank))):
        value = data[key]
        shape = shapes.get(key)
        if shape is None:
            out[key] = value
        elif shape[0] == "model":
            out[key] = ordered(value, shape[1])
        elif shape[0] == "map" and isinstance(value, dict):
            out[key] = {k: ordered(v, shape[1]) for k, v in value.items()}
        elif shape[0] == "list" and isinstance(value, list):
            out[key] = [ordered(v, shape[1]) for v in value]
        else:
            out[key] = value
    return out
