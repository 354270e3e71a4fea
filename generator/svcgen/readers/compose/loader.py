"""Fast YAML loading with positions, for Compose files.

Compose files of a thousand services are real, and ruamel's round-trip loader needs over a second
for one. libyaml's composer (through PyYAML) builds the node graph in a few milliseconds and keeps
every node's mark, so this module turns that graph into plain data plus a table of positions
(``path → line, column``) in one walk. Scalars are resolved the way Compose resolves them (YAML 1.2
core schema: ``yes``/``on`` stay strings), merge keys (``<<``) are applied, duplicate keys are
errors, aliases are expanded under a budget (alias bombs), and the Compose merge tags ``!reset`` and
``!override`` are kept as :class:`Tagged` values for :mod:`.merge`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from svcgen.diagnostics import SvcgenError, error
from svcgen.yamlio import (
    MAX_NODES,
    Document,
    PathPart,
    bad_scalar,
    read_text,
    refuse_unsupported_tags,
    syntax_error,
)

try:  # libyaml is what makes this fast; the pure loader gives the same result more slowly
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

Path_ = tuple[PathPart, ...]

RESET = "!reset"
OVERRIDE = "!override"
MAX_DEPTH = 200

_NULL = re.compile(r"^(~|null|Null|NULL|)$")
_BOOL_TRUE = re.compile(r"^(true|True|TRUE)$")
_BOOL_FALSE = re.compile(r"^(false|False|FALSE)$")
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
#: ``mode: 0440`` means octal in Compose files (its YAML library reads 1.1-style octals)
_INT8_LEGACY = re.compile(r"^0[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?(\.inf|\.Inf|\.INF)$")
_NAN = re.compile(r"^(\.nan|\.NaN|\.NAN)$")


@dataclass(frozen=True)
class Tagged:
    """A value written with a Compose merge tag: ``!reset`` (drop what earlier files set) or
    ``!override`` (replace instead of merging)."""

    tag: str
    value: Any


@dataclass
class Source:
    """One loaded Compose document: plain data and where each of its keys and items was written."""

    file: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Iterable[PathPart]) -> tuple[int, int]:
        """1-based (line, column) of ``path`` or of its deepest written ancestor; else (0, 0)."""
        parts = tuple(path)
        while parts:
            found = self.positions.get(parts)
            if found is not None:
                return found
            parts = parts[:-1]
        return self.positions.get((), (0, 0))


class SourceDocument(Document):
    """A :class:`~svcgen.yamlio.Document` whose tree is plain data with a position table.

    The ``values`` command hands these to the Compose reader; ``position`` and ``contains`` answer
    like a round-trip document does.
    """

    def __init__(self, source: Source, index: int = 0) -> None:
        super().__init__(source.file, source.data, index)
        self.source = source

    def data(self) -> Any:
        return self.source.data

    def position(self, path: Any, *, key: bool = False) -> tuple[int, int]:
        return self.source.position(path)

    def contains(self, path: Any) -> bool:
        return tuple(path) in self.source.positions


def load_sources(path: str | Path, text: str | None = None) -> list[Source]:
    """Every non-empty document of a YAML file as a :class:`Source`."""
    name = str(path)
    if text is None:
        text = read_text(path)
    # Auto-detection reads every input with this loader first: the refusal must not assume
    # the file is a Compose file, so it only lets Compose's own tags through.
    refuse_unsupported_tags(name, text, frozenset((RESET, OVERRIDE)))
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        raise syntax_error(name, text, exc) from None
    except RecursionError:
        raise error("YAML nesting is too deep", file=name, hint="flatten the document") from None
    sources = []
    for node in nodes:
        if node is None:
            continue
        if "*" in text:  # without an alias there is nothing to expand
            _check_expansion(node, name)
        builder = _Builder(name)
        data = builder.build(node)
        if data is None:
            continue
        sources.append(Source(name, data, builder.positions))
    return sources


def _check_expansion(root: yaml.Node, file: str) -> None:
    """Refuse alias bombs before expanding anything: sizes are counted once per shared node."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        if depth > MAX_DEPTH:
            raise error(f"YAML nesting is deeper than {MAX_DEPTH} levels", file=file,
                        line=node.start_mark.line + 1, column=node.start_mark.column + 1,
                        hint="flatten the document")
        total = 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                total += size(key, depth + 1) + size(value, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item, depth + 1)
        sizes[id(node)] = total
        return total

    if size(root, 0) <= MAX_NODES:
        return
    node = root
    while True:
        children = ([v for _, v in node.value] if isinstance(node, yaml.MappingNode)
                    else node.value if isinstance(node, yaml.SequenceNode) else [])
        big = next((c for c in children if sizes.get(id(c), 0) > MAX_NODES), None)
        if big is None:
            break
        node = big
    raise error(f"the document expands to more than {MAX_NODES:,} values (an alias bomb?)",
                file=file, line=node.start_mark.line + 1, column=node.start_mark.column + 1,
                hint="reduce the use of YAML aliases")


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.budget = MAX_NODES

    def fail(self, node: yaml.Node, message: str, hint: str) -> SvcgenError:
        return error(message, file=self.file, line=node.start_mark.line + 1,
                     column=node.start_mark.column + 1, hint=hint)

    def build(self, node: yaml.Node) -> Any:
        self.positions[()] = (node.start_mark.line + 1, node.start_mark.column + 1)
        return self.walk(node, (), 0)

    def walk(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise self.fail(node, f"the document expands to more than {MAX_NODES:,} values "
                            "(an alias bomb?)", "reduce the use of YAML aliases")
        if depth > MAX_DEPTH:
            raise self.fail(node, f"YAML nesting is deeper than {MAX_DEPTH} levels",
                            "flatten the document")
        tag = node.tag
        if tag in (RESET, OVERRIDE):
            return Tagged(tag, self._untagged(node, path, depth))
        if tag.startswith("!") and not tag.startswith("!!"):
            raise self.fail(node, f"unknown YAML tag {tag}",
                            "Compose knows only the !reset and !override tags")
        return self._untagged(node, path, depth)

    def _untagged(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            out = []
            for i, item in enumerate(node.value):
                p = (*path, i)
                mark = item.start_mark
                self.positions.setdefault(p, (mark.line + 1, mark.column + 1))
                out.append(self.walk(item, p, depth + 1))
            return out
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            return _scalar(node)
        except ValueError as exc:  # e.g. more digits than Python converts
            raise bad_scalar(self.file, node.start_mark, node.value, node.tag, exc) from None

    def _mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        explicit: set[Any] = set()
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or (
                isinstance(key_node, yaml.ScalarNode) and key_node.value == "<<"
                and not key_node.style
            ):
                merges.append(value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "a mapping key must be a plain value",
                                "write the key as a string")
            key = self._scalar(key_node)
            if key is None:
                key = "null"
            if isinstance(key, (bool, float)):
                key = key_node.value
            if key in explicit:
                raise self.fail(key_node, f"duplicate key {key!r}",
                                "remove or rename one of the two keys")
            explicit.add(key)
            p = (*path, key)
            mark = key_node.start_mark
            self.positions.setdefault(p, (mark.line + 1, mark.column + 1))
            out[key] = self.walk(value_node, p, depth + 1)
        if merges:
            out = self._merge_keys(merges, out, path, depth)
        return out

    def _merge_keys(self, merges: list[yaml.Node], own: dict[Any, Any], path: Path_,
                    depth: int) -> dict[Any, Any]:
        """``<<: *base`` / ``<<: [*a, *b]``: earlier sources win over later, own keys over all."""
        sources: list[yaml.Node] = []
        for value in merges:
            if isinstance(value, yaml.SequenceNode):
                sources.extend(value.value)
            else:
                sources.append(value)
        merged: dict[Any, Any] = {}
        for source in reversed(sources):
            if not isinstance(source, yaml.MappingNode):
                raise self.fail(source, "a merge key (<<) needs a mapping or a list of mappings",
                                "merge an anchored mapping: <<: *name")
            # keys that come from an anchor are located at the anchor
            part = self._mapping(source, path, depth + 1)
            merged.update(part)
        merged.update(own)
        return merged


def _scalar(node: yaml.ScalarNode) -> Any:
    value: str = node.value
    tag: str = node.tag
    if node.style:  # quoted or block scalars are strings (plain is None or "")
        return value
    if tag == "tag:yaml.org,2002:str" and not _looks_typed(value):
        return value
    if _NULL.match(value):
        return None
    if _BOOL_TRUE.match(value):
        return True
    if _BOOL_FALSE.match(value):
        return False
    if _INT8_LEGACY.match(value):
        return int(value[1:], 8)
    if _INT10.match(value):
        return int(value)
    if _INT8.match(value):
        return int(value[2:], 8)
    if _INT16.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return float(value)
    if _INF.match(value):
        return -math.inf if value.startswith("-") else math.inf
    if _NAN.match(value):
        return math.nan
    return value


def _looks_typed(value: str) -> bool:
    return bool(value) and (value[0] in "~nNtTfF0123456789+-.")
