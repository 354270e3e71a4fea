"""Pieces the Space Cloud and DevSpace readers share.

* :class:`Node` walks a loaded document with its path, so every type error and every report entry
  names ``file:line:column``.
* :class:`Report` collects the R001/R002/R100/R101 notes of a
  :class:`~svcgen.readers.base.ReadResult`.
* Name normalisation (DNS labels, port names) and quantity formatting.
* :func:`finish` validates the values against the model and turns a failure into a diagnostic at
  the input that produced it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from svcgen.diagnostics import Diagnostic, Severity, SvcgenError, dotted_path
from svcgen.model import Values
from svcgen.yamlio import Document, PathPart

CONVERTED = "R001"
CHOICE = "R002"
NOT_CONVERTED = "R100"
ACTION = "R101"

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

    def diagnostic(
        self, severity: Severity, rule: str, message: str, hint: str = "", *, key: bool = False
    ) -> Diagnostic:
        line, column = self.position(key=key)
        return Diagnostic(
            file=self.file,
            line=line,
            column=column,
            path=self.dotted,
            rule=rule,
            severity=severity,
            message=message,
            hint=hint,
        )

    def error(self, message: str, hint: str = "", *, key: bool = False) -> SvcgenError:
        return SvcgenError(self.diagnostic(Severity.ERROR, "", message, hint, key=key))

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
    """The notes of one read: what was converted, chosen, left out, and what the user must do."""

    notes: list[Diagnostic] = field(default_factory=list)

    def converted(self, node: Node, message: str) -> None:
        self.notes.append(node.diagnostic(Severity.INFO, CONVERTED, message, key=True))

    def choice(self, node: Node, message: str, hint: str = "") -> None:
        self.notes.append(node.diagnostic(Severity.INFO, CHOICE, message, hint, key=True))

    def not_converted(self, node: Node, reason: str, hint: str = "") -> None:
        self.notes.append(
            node.diagnostic(
                Severity.WARNING,
                NOT_CONVERTED,
                f"{node.dotted} not converted: {reason}",
                hint,
                key=True,
            )
        )

    def action(self, node: Node, message: str, hint: str = "") -> None:
        self.notes.append(node.diagnostic(Severity.WARNING, ACTION, message, hint, key=True))


# --- names ---------------------------------------------------------------------------------------


def dns_label(
    name: str, *, max_length: int = 63, must_start_with_letter: bool = False, fallback: str = "x"
) -> str:
    """The closest DNS label to ``name``: lower case, ``_``/``.``/spaces → ``-``, trimmed."""
    text = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    text = re.sub(r"-{2,}", "-", text)
    if must_start_with_letter:
        text = text.lstrip("0123456789-")
    text = text[:max_length].rstrip("-")
    if not text:
        text = fallback
    return text


def component_id(name: str) -> str:
    """A component id (DNS-1035 label): it names the Service, so it must start with a letter."""
    text = dns_label(name, must_start_with_letter=True, fallback="")
    if not text:
        text = dns_label("c-" + name, must_start_with_letter=True, fallback="component")
    return text


def port_name(name: str) -> str:
    """A Kubernetes port name (IANA_SVC_NAME): ≤15 characters, a letter, no ``--``."""
    text = dns_label(name, max_length=15, fallback="port")
    if not re.search(r"[a-z]", text):
        text = dns_label(f"p-{text}", max_length=15, fallback="port")
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


def split_image(reference: str) -> dict[str, str]:
    """``ghcr.io/acme/api:1.4@sha256:…`` → ``{repository, tag, digest}`` (only the parts given)."""
    out: dict[str, str] = {}
    ref = reference.strip()
    if "@" in ref:
        ref, digest = ref.split("@", 1)
        out["digest"] = digest
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        out["tag"] = ref[colon + 1 :]
        ref = ref[:colon]
    return {"repository": ref, **out}


def registry_host(repository: str) -> str:
    """The registry an image is pulled from (Docker Hub when the first part is not a host)."""
    first, _, rest = repository.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first
    return "https://index.docker.io/v1/"


# --- validation ----------------------------------------------------------------------------------


def finish(values: dict[str, Any], sources: Mapping[str, Node], fallback: Node) -> dict[str, Any]:
    """Validate against the model; a failure is reported at the input the bad value came from.

    ``sources`` maps a component id to the node it was read from.
    """
    try:
        Values.model_validate(values)
    except ValidationError as exc:
        diagnostics = []
        for err in exc.errors():
            loc = tuple(str(p) for p in err["loc"])
            where = (
                sources.get(loc[1], fallback)
                if len(loc) > 1 and loc[0] == "components"
                else fallback
            )
            line, column = where.position(key=True)
            diagnostics.append(
                Diagnostic(
                    file=where.file,
                    line=line,
                    column=column,
                    path=".".join(loc),
                    severity=Severity.ERROR,
                    message=f"the converted value {'.'.join(loc)} is invalid: {err['msg']}",
                    hint="change the input at this position so the value becomes valid",
                )
            )
        raise SvcgenError(*diagnostics) from None
    return values
