"""Several values files merged as Helm merges ``-f a.yaml -f b.yaml``, remembering who wrote what.

Helm's rules, in two steps. First the files, in order: a mapping is merged key by key into the
mapping before it; any other value (scalar, list, ``null``) replaces what was there, so lists are
replaced whole. Then the result is coalesced with the chart's ``values.yaml``: a ``null`` deletes
the key where the chart has a default for it (so the default applies, e.g. ``global.domain:
null``); where the chart has none (anything under ``components``) the ``null`` stays, and the
chart's schema rejects it unless the field takes null, exactly as ``helm template`` does.

Provenance is a tree parallel to the merged data: each scalar, list or null remembers the last
file that wrote it, each mapping the file that first wrote it (its definition). So a finding at
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


def merge(sources: Sequence[Source], defaults: dict[str, Any] | None = None) -> Merged:
    """Merge values files in order, as ``helm template -f s1 -f s2 …`` does, then let a null
    delete each key the chart's ``defaults`` (its values.yaml) have.

    The sources' data is never modified: a mapping of a source is copied (shallowly) only when a
    later file merges into it or a null is deleted from it, so linting one file copies little.
    """
    root = _Prov(0)
    data: dict[str, Any] = {}
    owned: set[int] = {id(data)}
    for index, source in enumerate(sources):
        if isinstance(source.data, dict):
            _merge_into(data, source.data, root, index, owned)
    if defaults:
        _coalesce(data, defaults, root, owned)
    return Merged(data, list(sources), root)


def _merge_into(
    base: dict[Any, Any], overlay: dict[Any, Any], prov: _Prov, doc: int, owned: set[int]
) -> None:
    for key, value in overlay.items():
        current = base.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            child = prov.children.get(key)
            if child is None:
                # A key without a provenance node of its own was written by its parent's file.
                child = prov.children[key] = _Prov(prov.doc)
            # A mapping stays with the file that first wrote it (its definition).
            _merge_into(_own(base, key, owned), value, child, doc, owned)
        else:
            base[key] = value
            if doc != prov.doc or key in prov.children:
                prov.children[key] = _Prov(doc)


def _coalesce(
    values: dict[Any, Any], defaults: dict[Any, Any], prov: _Prov, owned: set[int]
) -> None:
    """Helm's coalescing with the chart's defaults, as far as it changes what was written: a
    null deletes a key that has a default; mappings on both sides are walked into."""
    for key, default in defaults.items():
        if key not in values:
            continue
        value = values[key]
        if value is None:
            del values[key]  # ``values`` is always this merge's own copy
            prov.children.pop(key, None)
        elif isinstance(value, dict) and isinstance(default, dict) and default:
            child = prov.children.get(key) or _Prov(prov.doc)
            _coalesce(_own(values, key, owned), default, child, owned)


def _own(parent: dict[Any, Any], key: Any, owned: set[int]) -> dict[Any, Any]:
    """``parent[key]``, copied first unless this merge made it (another file's mapping)."""
    child: dict[Any, Any] = parent[key]
    if id(child) not in owned:
        child = parent[key] = dict(child)
        owned.add(id(child))
    return child
