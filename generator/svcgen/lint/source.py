"""Values files as plain data plus the line and column of every key and value, fast.

``yamlio`` (ruamel round-trip) keeps comments for writing, but needs seconds for a values file of a
thousand components. Lint only reads, so it builds plain data straight from libyaml's event stream
and records positions on the way: ten times faster, with the same guards (size, alias expansion,
duplicate keys). Scalars are resolved as Helm's YAML parser (go-yaml v2) resolves them: YAML 1.1
booleans (``on``, ``yes``, ``y``), but no base-60 numbers.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from svcgen.diagnostics import SvcgenError, error
from svcgen.yamlio import MAX_NODES, bad_scalar, read_text, refuse_unsupported_tags, syntax_error

PathPart = str | int
_MISSING = object()
#: Helm's YAML parser (go-yaml v2 under sigs.k8s.io/yaml) also reads these as booleans.
_GO_YAML_BOOLS = {"y": True, "Y": True, "n": False, "N": False}
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_OCTAL_0O = re.compile(r"^[-+]?0o[0-7]+$")
_FLOAT_NO_DOT = re.compile(r"^[-+]?[0-9]+[eE][-+]?[0-9]+$")


def _json_key(key: Any) -> str:
    """A non-string mapping key as Helm has it after its YAML-to-JSON step: ``true``, ``1``."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, float) and key.is_integer() and abs(key) < 1e21:
        return str(int(key))
    return str(key)


def _go_yaml_number(text: str) -> Any:
    """Plain scalars go-yaml reads as numbers and YAML 1.1 as text: ``0o17``, ``1e3``."""
    if _OCTAL_0O.match(text):
        return int(text.replace("0o", "", 1), 8)
    if _FLOAT_NO_DOT.match(text):
        return float(text)
    return text
Position = tuple[int, int]

try:
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,unused-ignore]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


class PosNode:
    """Positions inside one mapping or sequence: where each key and each value starts."""

    __slots__ = ("children", "keys", "values")

    def __init__(self) -> None:
        self.keys: dict[Any, Position] = {}
        self.values: dict[Any, Position] = {}
        self.children: dict[Any, PosNode] = {}


@dataclass
class SourceDoc:
    """One values file: its plain data, the positions of its parts, and its lines."""

    file: str
    data: Any
    pos: PosNode
    lines: list[str] = field(default_factory=list)

    def position(self, path: Sequence[PathPart], *, key: bool = False) -> Position:
        """1-based (line, column) of the value at ``path`` (of its key with ``key=True``).

        A mapping or sequence value is located at its key, where a reader looks for it. When the
        path leaves what was written, the deepest part that exists is returned; (0, 0) when none.
        """
        node: PosNode | None = self.pos
        data = self.data
        best: Position = (0, 0)
        for i, part in enumerate(path):
            if node is None or part not in node.values:
                break
            last = i == len(path) - 1
            child = data[part]
            if isinstance(data, dict) and ((key and last) or isinstance(child, dict | list)):
                best = node.keys[part]
            else:
                best = node.values[part]
            node = node.children.get(part)
            data = child
        return best

    def contains(self, path: Sequence[PathPart]) -> bool:
        node: PosNode | None = self.pos
        for part in path:
            if node is None or part not in node.values:
                return False
            node = node.children.get(part)
        return True


def load_values_file(path: str) -> SourceDoc:
    """Read one values file (a single YAML mapping; empty means ``{}``)."""
    text = read_text(path)
    return parse_values(path, text)


def parse_values(name: str, text: str) -> SourceDoc:
    refuse_unsupported_tags(name, text)
    builder = _Builder(name, text)
    data, pos = builder.build()
    if data is None:
        data, pos = {}, PosNode()
    if not isinstance(data, dict):
        raise error(
            f"{name} must hold a YAML mapping of chart values, not a {_kind(data)}",
            file=name, line=1, column=1, hint="start the file with `components:` or `global:`",
        )
    return SourceDoc(name, data, pos, text.splitlines())


def _kind(value: Any) -> str:
    return "list" if isinstance(value, list) else type(value).__name__


class _Builder:
    """Plain data and positions from parser events, in one pass."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.loader: Any = _Loader(text)
        self.anchors: dict[str, tuple[Any, PosNode | None]] = {}
        self.budget = MAX_NODES
        self.events: list[Any] = []
        self.plain: dict[str, Any] = {}
        self.i = 0

    def build(self) -> tuple[Any, PosNode]:
        try:
            return self._stream()
        except yaml.YAMLError as exc:
            raise syntax_error(self.name, self.text, exc) from None
        except RecursionError:
            raise error("YAML nesting is too deep", file=self.name,
                        hint="flatten the document") from None
        finally:
            self.loader.dispose()

    def _stream(self) -> tuple[Any, PosNode]:
        # libyaml produces the events; one list of them is cheaper to walk than a call per peek.
        self.events = self._events()
        self.i = 1  # past StreamStart
        result: tuple[Any, PosNode] = (None, PosNode())
        documents = 0
        while not isinstance(self.events[self.i], yaml.StreamEndEvent):
            start = self.events[self.i]  # DocumentStart
            documents += 1
            if documents > 1:
                raise error(f"{self.name} holds more than one YAML document; one was expected",
                            file=self.name, line=start.start_mark.line + 1, column=1,
                            hint="pass each values file separately")
            self.i += 1
            value, pos = self._node(0)
            result = (value, pos or PosNode())
            self.i += 1  # DocumentEnd
        return result

    def _events(self) -> list[Any]:
        loader = self.loader
        events = []
        while loader.check_event():
            events.append(loader.get_event())
        return events

    def _node(self, depth: int) -> tuple[Any, PosNode | None]:
        events = self.events
        event = events[self.i]
        if depth > 200:
            raise error("YAML nesting is deeper than 200 levels", file=self.name,
                        line=event.start_mark.line + 1, column=event.start_mark.column + 1,
                        hint="flatten the document")
        self.i += 1
        self.budget -= 1
        if self.budget < 0:
            raise self._bomb(event)
        cls = type(event)
        if cls is yaml.ScalarEvent:
            value = self._scalar(event)
            if event.anchor:
                self.anchors[event.anchor] = (value, None)
            return value, None
        if cls is yaml.AliasEvent:
            if event.anchor not in self.anchors:
                raise error(f"invalid YAML: unknown alias *{event.anchor}", file=self.name,
                            line=event.start_mark.line + 1, column=event.start_mark.column + 1,
                            hint="define the anchor before using it")
            value, pos = self.anchors[event.anchor]
            self._charge(value, event)
            return value, pos
        pos = PosNode()
        result: Any
        if cls is yaml.SequenceStartEvent:
            items: list[Any] = []
            while type(events[self.i]) is not yaml.SequenceEndEvent:
                mark = events[self.i].start_mark
                index = len(items)
                item, child = self._node(depth + 1)
                items.append(item)
                pos.values[index] = pos.keys[index] = (mark.line + 1, mark.column + 1)
                if child is not None:
                    pos.children[index] = child
            self.i += 1
            result = items
        else:  # MappingStartEvent
            mapping: dict[Any, Any] = {}
            merged: list[tuple[dict[Any, Any], PosNode | None]] = []
            while type(events[self.i]) is not yaml.MappingEndEvent:
                kmark = events[self.i].start_mark
                key, _ = self._node(depth + 1)
                vmark = events[self.i].start_mark
                value, child = self._node(depth + 1)
                if key == "<<":
                    merged.extend(self._merge_sources(value, child, kmark))
                    continue
                if isinstance(key, dict | list):
                    raise error("invalid YAML: a mapping key must be a scalar", file=self.name,
                                line=kmark.line + 1, column=kmark.column + 1,
                                hint="quote the key")
                if key is None:
                    raise error("invalid YAML for Helm: a null mapping key (Helm cannot convert "
                                "it to JSON)", file=self.name, line=kmark.line + 1,
                                column=kmark.column + 1, hint='quote the key ("null")')
                if not isinstance(key, str):
                    key = _json_key(key)
                if key in mapping:
                    raise error(f"invalid YAML: duplicate key {key!r}", file=self.name,
                                line=kmark.line + 1, column=kmark.column + 1,
                                hint="remove or rename one of the two keys")
                mapping[key] = value
                pos.keys[key] = (kmark.line + 1, kmark.column + 1)
                pos.values[key] = (vmark.line + 1, vmark.column + 1)
                if child is not None:
                    pos.children[key] = child
            self.i += 1
            for source, source_pos in merged:  # explicit keys win over merged ones
                for k, v in source.items():
                    if k not in mapping:
                        mapping[k] = v
                        if source_pos is not None and k in source_pos.values:
                            pos.keys[k] = source_pos.keys[k]
                            pos.values[k] = source_pos.values[k]
                            if k in source_pos.children:
                                pos.children[k] = source_pos.children[k]
            result = mapping
        if event.anchor:
            self.anchors[event.anchor] = (result, pos)
        return result, pos

    def _bomb(self, event: Any) -> SvcgenError:
        return error(
            f"{self.name} expands to more than {MAX_NODES:,} values (an alias bomb?)",
            file=self.name, line=event.start_mark.line + 1, column=event.start_mark.column + 1,
            hint="reduce the use of YAML aliases",
        )

    def _merge_sources(
        self, value: Any, pos: PosNode | None, mark: Any
    ) -> list[tuple[dict[Any, Any], PosNode | None]]:
        if isinstance(value, dict):
            return [(value, pos)]
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return [(v, pos.children.get(i) if pos else None) for i, v in enumerate(value)]
        raise error("invalid YAML: `<<` merges only mappings", file=self.name,
                    line=mark.line + 1, column=mark.column + 1, hint="merge an anchored mapping")

    def _charge(self, value: Any, alias: Any) -> None:
        """An alias repeats its whole subtree: count it against the budget like Helm expands it."""
        stack = [value]
        while stack:
            item = stack.pop()
            self.budget -= 1
            if self.budget < 0:
                raise self._bomb(alias)
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is None:
            if not event.implicit[0]:
                return event.value  # quoted: always a string
            # Plain scalars repeat (keys above all) and resolve by their text alone.
            cached = self.plain.get(event.value, _MISSING)
            if cached is _MISSING:
                cached = self.plain[event.value] = self._resolve(event, None)
            return cached
        return self._resolve(event, tag)

    def _resolve(self, event: Any, tag: str | None) -> Any:
        if tag is None or tag == "!":
            if event.value in _GO_YAML_BOOLS:
                return _GO_YAML_BOOLS[event.value]
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            if tag == "tag:yaml.org,2002:str" and event.implicit[0]:
                return _go_yaml_number(event.value)
        if tag == "tag:yaml.org,2002:str":
            return event.value
        if tag in _NUMBER_TAGS and ":" in event.value:
            return event.value  # base 60 (``12:30``) is YAML 1.1 that Helm's parser never read
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        if tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"):
            return event.value
        constructor = self.loader.yaml_constructors.get(tag)
        if constructor is None:
            return event.value  # unknown local tags: keep the text, as Helm does
        try:
            return constructor(self.loader, node)
        except (ValueError, LookupError, TypeError, OverflowError, yaml.YAMLError) as exc:
            raise bad_scalar(self.name, event.start_mark, event.value, tag, exc) from None


def load_or_exit2(path: str) -> SourceDoc:
    """Load a values file; every problem with the file itself is a usage/I-O problem (exit 2)."""
    try:
        return load_values_file(path)
    except SvcgenError as exc:
        raise SvcgenError(*exc.diagnostics, exit_code=2) from None


@functools.cache
def chart_defaults() -> dict[str, Any]:
    """The bundled chart's values.yaml: the defaults a null in the values deletes back to."""
    from svcgen.helm import chart_dir

    return dict(load_values_file(str(chart_dir() / "values.yaml")).data)


@contextlib.contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Hold the cycle collector during a run: loading builds hundreds of thousands of small
    objects and never makes cycles, and the collector's repeated scans of them cost more than the
    loading itself (2-3x on a 1000-component file)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
