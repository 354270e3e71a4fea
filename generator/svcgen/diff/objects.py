"""The objects of two renders, matched by kind and name and compared field by field.

An object is identified as ``kubectl`` and helm identify it within one release namespace: API
group, kind and name (the API version may change without making it another object). Helm hooks
are compared too, but marked: helm deletes and creates them at their phases instead of patching
them, so nothing about them is refused in place.

Lists whose items all carry a unique ``name`` (containers, env, ports, volumes, claim templates)
are compared item by item by name, so inserting a container does not show every later one as
changed; a field path names such an item ``containers[app]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import yaml

#: A step into an object: a mapping key, a list index, or a list item by its name.
PathPart = str | int | tuple[str]
FieldPath = tuple[PathPart, ...]
Key = tuple[str, str, str]

COMPONENT_LABEL = "app.kubernetes.io/component"
HOOK_ANNOTATION = "helm.sh/hook"


class Missing:
    """Stands for a field one side does not have."""

    _instance: Missing | None = None

    def __new__(cls) -> Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()


@dataclass(frozen=True)
class Obj:
    """One rendered object."""

    api_version: str
    kind: str
    name: str
    body: dict[str, Any] = field(compare=False, repr=False)

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0] if "/" in self.api_version else ""

    @property
    def key(self) -> Key:
        return (self.group, self.kind, self.name)

    @property
    def labels(self) -> dict[str, Any]:
        return (self.body.get("metadata") or {}).get("labels") or {}

    @property
    def annotations(self) -> dict[str, Any]:
        return (self.body.get("metadata") or {}).get("annotations") or {}

    @property
    def component(self) -> str | None:
        """The component the chart rendered this object for."""
        value = self.labels.get(COMPONENT_LABEL)
        return str(value) if value else None

    @property
    def hook(self) -> bool:
        """A Helm hook: created anew by helm at its phases, never patched."""
        return HOOK_ANNOTATION in self.annotations

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.body.get("spec")
        return spec if isinstance(spec, dict) else {}

    def get(self, path: Sequence[PathPart]) -> Any:
        """The value at a field path, or MISSING."""
        return get(self.body, path)

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


class Action(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    #: Deleted and created again: another kind under the same name, or a change Kubernetes
    #: cannot make in place (immutable fields).
    REPLACED = "replaced"
    CHANGED = "changed"


@dataclass(frozen=True)
class FieldChange:
    path: FieldPath
    before: Any
    after: Any

    @property
    def text(self) -> str:
        return path_text(self.path)


@dataclass
class Change:
    """What an upgrade does to one object (or, for a kind change, to one name)."""

    action: Action
    base: Obj | None
    new: Obj | None
    fields: list[FieldChange] = field(default_factory=list)
    #: Why the object is replaced rather than changed in place, one line each.
    reasons: list[str] = field(default_factory=list)

    @property
    def obj(self) -> Obj:
        """The object as it will be (as it was, when removed)."""
        found = self.new or self.base
        assert found is not None
        return found

    def __str__(self) -> str:
        if self.base and self.new and self.base.kind != self.new.kind:
            return f"{self.base.kind} → {self.new.kind} {self.new.name}"
        return str(self.obj)


def parse(manifests: str, known: dict[str, Any] | None = None) -> dict[Key, Obj]:
    """The objects of a ``helm template`` output, by key.

    ``known`` maps document texts already parsed to their data: most objects of two renders are
    the same text, so each distinct document is parsed once, and the two sides share the object
    (which also makes comparing them an identity check).
    """
    cache: dict[str, Any] = {} if known is None else known
    objects: dict[Key, Obj] = {}
    for text in _DOCUMENT_START.split(manifests):
        if text not in cache:
            cache[text] = yaml.load(text, Loader=_LOADER)  # a safe loader
        doc = cache[text]
        if not isinstance(doc, dict) or not doc.get("kind"):
            continue
        meta = doc.get("metadata") or {}
        obj = Obj(str(doc.get("apiVersion", "")), str(doc["kind"]), str(meta.get("name", "")),
                  doc)
        objects[obj.key] = obj
    return objects


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DOCUMENT_START = re.compile(r"^---[ \t]*$", re.M)


def compare(base: dict[Key, Obj], new: dict[Key, Obj]) -> list[Change]:
    """Every object that is added, removed or changed, in a stable order (kind, then name).

    An object whose kind changes under the same name (a Deployment becoming a StatefulSet) is one
    replaced change rather than a removal and an addition.
    """
    changes: list[Change] = []
    removed = {k: o for k, o in base.items() if k not in new}
    added = {k: o for k, o in new.items() if k not in base}
    for key in base.keys() & new.keys():
        fields = diff_fields(base[key].body, new[key].body)
        if fields:
            changes.append(Change(Action.CHANGED, base[key], new[key], fields))
    by_name = {(o.name, o.component): k for k, o in added.items() if o.kind in WORKLOAD_KINDS}
    for key, old in list(removed.items()):
        twin = by_name.get((old.name, old.component)) if old.kind in WORKLOAD_KINDS else None
        if twin is not None:
            successor = added.pop(twin)
            del removed[key]
            del by_name[(old.name, old.component)]
            changes.append(Change(
                Action.REPLACED, old, successor, diff_fields(old.body, successor.body),
                [f"a {old.kind} cannot become a {successor.kind}: helm deletes one and creates "
                 "the other"]))
    changes += [Change(Action.REMOVED, o, None) for o in removed.values()]
    changes += [Change(Action.ADDED, None, o) for o in added.values()]
    changes.sort(key=lambda c: (c.obj.kind, c.obj.name, c.obj.group))
    return changes


#: Kinds that run pods: a kind change between them keeps the component and its name.
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"})


def diff_fields(before: Any, after: Any, path: FieldPath = ()) -> list[FieldChange]:
    """The leaves that differ; a subtree only one side has is one change."""
    if before is after or before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[FieldChange] = []
        for key in sorted(before.keys() | after.keys(), key=str):
            out += diff_fields(before.get(key, MISSING), after.get(key, MISSING), (*path, key))
        return out
    if isinstance(before, list) and isinstance(after, list):
        named_before, named_after = _by_name(before), _by_name(after)
        if named_before is not None and named_after is not None:
            out = []
            for name in sorted(named_before.keys() | named_after.keys()):
                out += diff_fields(named_before.get(name, MISSING),
                                   named_after.get(name, MISSING), (*path, (name,)))
            return out
        if len(before) == len(after):
            return [c for i, (b, a) in enumerate(zip(before, after, strict=True))
                    for c in diff_fields(b, a, (*path, i))]
    return [FieldChange(path, before, after)]


def _item_name(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    name = item.get("name")
    if name is None:
        name = (item.get("metadata") or {}).get("name")
    return name if isinstance(name, str) else None


def _by_name(items: list[Any]) -> dict[str, Any] | None:
    names = [_item_name(i) for i in items]
    if not items or None in names or len(set(names)) != len(names):
        return None
    return {n: i for n, i in zip(names, items, strict=True) if n is not None}


def get(node: Any, path: Iterable[PathPart]) -> Any:
    """The value at a field path (``(name,)`` steps find a list item by name), or MISSING."""
    for part in path:
        if isinstance(part, tuple):
            node = next((i for i in node if _item_name(i) == part[0]), MISSING) \
                if isinstance(node, list) else MISSING
        elif isinstance(node, dict):
            node = node.get(part, MISSING)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return MISSING
    return node


def path_text(path: Sequence[PathPart]) -> str:
    """``spec.template.spec.containers[app].image``."""
    return "".join(_step(i, p) for i, p in enumerate(path))


def _step(index: int, part: PathPart) -> str:
    if isinstance(part, tuple):
        return f"[{part[0]}]"
    if isinstance(part, int):
        return f"[{part}]"
    return part if index == 0 else f".{part}"


def under(path: Sequence[PathPart], prefix: Sequence[PathPart]) -> bool:
    return tuple(path[: len(prefix)]) == tuple(prefix)


def changed_under(change: Change, prefix: Sequence[PathPart]) -> Iterator[FieldChange]:
    return (f for f in change.fields if under(f.path, prefix))
