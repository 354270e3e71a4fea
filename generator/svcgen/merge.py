"""Several values files merged as Helm merges ``-f a.yaml -f b.yaml``, remembering who wrote what.

Helm's rules: files apply in order; a mapping is merged key by key into the mapping before it;
any other value (scalar, list) replaces what was there, so lists are replaced whole; ``null``
deletes the key (Helm deletes it when the values are coalesced with the chart's defaults, so a
``null`` that has nothing to delete is the same as leaving the key out).

Provenance is a tree parallel to the merged data: each scalar or list remembers the last file that
wrote it, each mapping the file that first wrote it (its definition). So a finding at
``components.api.replicas`` points at the file, line and column where the value that took effect
was written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

PathPart = str | int


class Source(Protocol):
    """A loaded values file: plain data and where each part of it was written."""

    file: str
    data: Any

    def position(self, path: Sequence[PathPart], *, key: bool = False) -> tuple[int, int]: ...

    def contains(self, path: Sequence[PathPart]) -> bool: ...


class _Prov:
    __slots__ = ("children", "doc")

    def __init__(self, doc: int) -> None:
        self.doc = doc
        self.children: dict[Any, _Prov] = {}


@dataclass
class Merged:
    """The merged values and, for any path in them, the file that wrote it."""

    data: dict[str, Any]
    sources: list[Source]
    _root: _Prov = field(repr=False, default_factory=lambda: _Prov(0))

    def source_of(self, path: Sequence[PathPart]) -> int:
        """Index of the file that wrote the value at ``path`` (or its deepest written parent)."""
        node = self._root
        best = node.doc
        for part in path:
            child = node.children.get(part)
            if child is None:
                break
            node, best = child, child.doc
        return best

    def locate(self, path: Sequence[PathPart], *, key: bool = False) -> tuple[str, int, int]:
        """(file, line, column) where the value at ``path`` was written; line 0 when nowhere."""
        if not self.sources:
            return ("", 0, 0)
        source = self.sources[self.source_of(path)]
        line, col = source.position(path, key=key)
        return (source.file, line, col)


def merge(sources: Sequence[Source]) -> Merged:
    """Merge values files in order, as ``helm template -f s1 -f s2 …`` does.

    The sources' data is never modified: a mapping of a source is copied (shallowly) only when a
    later file merges into it, so linting one file copies nothing.
    """
    root = _Prov(0)
    data: dict[str, Any] = {}
    owned: set[int] = {id(data)}
    for index, source in enumerate(sources):
        if isinstance(source.data, dict):
            _merge_into(data, source.data, root, index, owned)
    return Merged(data, list(sources), root)


def _merge_into(
    base: dict[Any, Any], overlay: dict[Any, Any], prov: _Prov, doc: int, owned: set[int]
) -> None:
    for key, value in overlay.items():
        if value is None:
            base.pop(key, None)
            prov.children.pop(key, None)
            continue
        current = base.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            if id(current) not in owned:  # another file's mapping: copy before changing it
                current = base[key] = dict(current)
                owned.add(id(current))
            # A mapping stays with the file that first wrote it (its definition). A key without
            # a provenance node of its own was written by its parent's file.
            child = prov.children.get(key)
            if child is None:
                child = prov.children[key] = _Prov(prov.doc)
            _merge_into(current, value, child, doc, owned)
        else:
            base[key] = _without_nulls(value)
            if doc != prov.doc or key in prov.children:
                prov.children[key] = _Prov(doc)


def _without_nulls(value: Any) -> Any:
    """``value`` with null-valued keys removed at every depth; the very same object when it has
    none (the common case, which then costs one scan and no copy)."""
    if not _has_null_key(value):
        return value
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return [_without_nulls(v) for v in value]


def _has_null_key(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for v in item.values():
                if v is None:
                    return True
                if isinstance(v, dict | list):
                    stack.append(v)
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, dict | list))
    return False
