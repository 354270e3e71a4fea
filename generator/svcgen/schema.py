"""The chart's ``values.schema.json`` and the values table of its README, generated from the model.

Pydantic writes a JSON Schema of :class:`svcgen.model.Values`; this module reshapes it into one
self-contained draft 2020-12 document that Helm 3 (gojsonschema, draft-7 era) and Helm 4
(santhosh-tekuri, 2020-12) enforce the same way:

* only local ``#/$defs/...`` references, and a ``$ref`` never carries sibling constraints (draft 7
  ignores them);
* no ``format`` (neither Helm asserts it), no ``prefixItems`` (draft 7 does not know it);
* keyed maps constrain their keys with ``propertyNames`` (pydantic's ``patternProperties`` would let
  a key that misses the pattern through unchecked);
* ``anyOf`` of plain types is folded into one ``type`` list, so ``null`` appears in ``type`` and
  Helm's messages name the offending value instead of "doesn't match any schema";
* the cross-field rules of the model's validators (one probe handler, one volume kind, …) become
  ``oneOf``/``not`` constraints, so the schema accepts what the model accepts.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from svcgen.model import NOT_FOR_KIND, Values, WorkloadKind

JSONSchema = dict[str, Any]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
TABLE_START = "<!-- values-table:start -->"
TABLE_END = "<!-- values-table:end -->"

#: Keywords whose value is one subschema.
_SUBSCHEMA_KEYS = ("items", "additionalProperties", "propertyNames", "not", "contains")
#: Keywords whose value is a list of subschemas.
_SUBSCHEMA_LIST_KEYS = ("anyOf", "oneOf", "allOf")
#: Keywords whose value maps names to subschemas.
_SUBSCHEMA_MAP_KEYS = ("properties", "patternProperties", "$defs")
#: Annotations pydantic adds that carry no meaning for chart users.
_DROPPED = ("title", "format")

#: Keywords that constrain only values of one JSON type: two anyOf branches whose keywords fall in
#: different groups can share one schema with a ``type`` list without changing its meaning.
_NUMERIC = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"})
_TYPE_KEYWORDS: dict[str, frozenset[str]] = {
    "string": frozenset({"pattern", "minLength", "maxLength"}),
    "integer": _NUMERIC,
    "number": _NUMERIC,
    "boolean": frozenset(),
    "null": frozenset(),
    "array": frozenset({"items", "minItems", "maxItems", "uniqueItems"}),
    "object": frozenset(
        {"properties", "patternProperties", "additionalProperties", "propertyNames", "required",
         "minProperties", "maxProperties"}
    ),
}

#: Order of keywords inside each schema object in the written file: what a reader looks for first.
_KEY_ORDER = (
    "$schema", "description", "type", "enum", "const", "default", "examples", "$ref", "pattern",
    "minLength", "maxLength", "minimum", "maximum", "items", "minItems", "maxItems", "uniqueItems",
    "required", "minProperties", "propertyNames", "properties", "patternProperties",
    "additionalProperties", "anyOf", "oneOf", "allOf", "not", "$defs",
)


def _is_set(name: str, *, non_empty: bool = False) -> JSONSchema:
    """Schema for "``name`` is given and not null" (and not ``""`` with ``non_empty``)."""
    absent: list[Any] = [None, ""] if non_empty else [None]
    return {"required": [name], "properties": {name: {"not": {"enum": absent}}}}


def _kind_is(kind: str) -> JSONSchema:
    """Schema for "the component's kind is ``kind``" (Deployment also when ``kind`` is unset)."""
    given: JSONSchema = {"required": ["kind"], "properties": {"kind": {"const": kind}}}
    if kind == WorkloadKind.DEPLOYMENT:
        return {"anyOf": [given, {"not": {"required": ["kind"]}}]}
    return given


def _component_rules() -> JSONSchema:
    """The fields each kind cannot have, and what a CronJob needs (Component's validators)."""
    refused: list[JSONSchema] = [
        {"not": {"allOf": [_kind_is(kind), {"required": [field]}]}}
        for field, kinds in NOT_FOR_KIND.items()
        for kind in kinds
    ]
    cronjob = _kind_is(WorkloadKind.CRONJOB)
    needs: list[JSONSchema] = [
        {"anyOf": [{"not": cronjob}, _is_set("cronJob")]},
        {"not": {"allOf": [cronjob, {"required": ["job"], "properties": {
            "job": _is_set("hook")}}]}},
    ]
    return {"allOf": refused + needs}


def _cross_field_rules() -> dict[str, JSONSchema]:
    """The model's ``model_validator`` rules, by ``$defs`` name, as schema constraints."""
    handlers = ("httpGet", "tcpSocket", "exec", "grpc")
    pairs = [(a, b) for i, a in enumerate(handlers) for b in handlers[i + 1:]]
    return {
        "Component": _component_rules(),
        "Probe": {
            "not": {"anyOf": [{"allOf": [_is_set(a), _is_set(b)]} for a, b in pairs]},
        },
        "SecretKeyRef": {
            "oneOf": [
                {"allOf": [_is_set("secret", non_empty=True), _is_set("key", non_empty=True)],
                 "not": _is_set("value")},
                {"allOf": [_is_set("value")],
                 "not": {"anyOf": [_is_set("secret", non_empty=True),
                                   _is_set("key", non_empty=True)]}},
            ],
        },
        "EnvFromSource": {"oneOf": [_is_set("secret"), _is_set("configMap")]},
        "Volume": {
            "oneOf": [
                {"anyOf": [_is_set("size"), _is_set("existingClaim")]},
                _is_set("emptyDir"),
                _is_set("configMap"),
                _is_set("secret"),
                _is_set("files"),
            ],
        },
        "Peer": {
            "oneOf": [
                {"allOf": [_is_set("component")],
                 "not": {"anyOf": [_is_set("project"), _is_set("service")]}},
                {"allOf": [_is_set("project")], "not": _is_set("component")},
            ],
        },
    }


# --- schema ----------------------------------------------------------------------------------


def build_schema() -> JSONSchema:
    """The chart's values schema: deterministic, self-contained, draft 2020-12."""
    raw = Values.model_json_schema(by_alias=True, mode="validation")
    defs: dict[str, JSONSchema] = raw.pop("$defs", {})
    _add_factory_defaults(defs, raw)
    enums = {name: d for name, d in defs.items() if "enum" in d and "properties" not in d}
    rules = _cross_field_rules()
    for name, rule in rules.items():
        if name not in defs:
            raise ValueError(f"cross-field rule for {name!r}, which the model no longer has")
        defs[name].update(copy.deepcopy(rule))

    def clean(node: Any) -> Any:
        if isinstance(node, list):
            return [clean(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "prefixItems" in node:
            raise ValueError("the model uses a tuple; Helm 3 cannot check prefixItems")
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.removeprefix("#/$defs/") in enums:
            inlined = copy.deepcopy(enums[ref.removeprefix("#/$defs/")])
            node = {**inlined, **{k: v for k, v in node.items() if k != "$ref"}}
        out: JSONSchema = {}
        for key, value in node.items():
            if key in _DROPPED:
                continue
            if key in _SUBSCHEMA_MAP_KEYS:
                out[key] = {name: clean(sub) for name, sub in value.items()}
            elif key in _SUBSCHEMA_KEYS or key in _SUBSCHEMA_LIST_KEYS:
                out[key] = clean(value)
            else:
                out[key] = value
        _keys_to_property_names(out)
        if out.get("additionalProperties") is True:
            del out["additionalProperties"]
        out = _fold_any_of(out)
        return _ordered(out)

    root = clean(raw)
    kept = {name: clean(d) for name, d in defs.items() if name not in enums}
    schema: JSONSchema = {"$schema": SCHEMA_DIALECT, **root, "$defs": dict(sorted(kept.items()))}
    schema = _ordered(schema)
    _check_self_contained(schema)
    return schema


def _add_factory_defaults(defs: dict[str, JSONSchema], root: JSONSchema) -> None:
    """Pydantic omits ``default`` for ``default_factory`` fields; editors and the README want it."""
    seen: set[type[BaseModel]] = set()

    def visit(model: type[BaseModel], target: JSONSchema) -> None:
        if model in seen:
            return
        seen.add(model)
        props = target.get("properties", {})
        for name, field in model.model_fields.items():
            key = field.alias or name
            if field.default_factory is not None and key in props and "default" not in props[key]:
                props[key]["default"] = _jsonable(field.get_default(call_default_factory=True))
            for sub in _models_in(field.annotation):
                if sub.__name__ in defs:
                    visit(sub, defs[sub.__name__])

    visit(Values, root)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _models_in(arg)
    for meta in getattr(annotation, "__metadata__", ()) or ():
        if isinstance(meta, FieldInfo):
            yield from _models_in(meta.annotation)


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _keys_to_property_names(node: JSONSchema) -> None:
    """Constrain a keyed map's keys the way the model does, and so that both Helms say where.

    Pydantic writes ``patternProperties`` (a key that misses the pattern is then not checked at
    all, while the model rejects it) and ``propertyNames`` with the length only. The map gets
    ``propertyNames`` with pattern and length (the exact rule, with a message quoting the
    pattern) and ``additionalProperties: false`` beside the pattern (with the length folded in
    where the pattern allows it), because Helm 4 reports a ``propertyNames`` failure without
    the map's path but an additional property with it.
    A ``const`` key set (``dict[Literal[...], T]``) becomes plain ``properties``.
    """
    patterns = node.get("patternProperties")
    if isinstance(patterns, dict) and len(patterns) == 1 and "properties" not in node:
        ((pattern, value_schema),) = patterns.items()
        names = dict(node.get("propertyNames", {}))
        names["pattern"] = pattern
        node["propertyNames"] = _ordered(names)
        max_length = names.get("maxLength")
        if isinstance(max_length, int):
            node["patternProperties"] = {_bounded(pattern, max_length): value_schema}
        node["additionalProperties"] = False
    key_rule = node.get("propertyNames")
    if isinstance(key_rule, dict) and "const" in key_rule and isinstance(
        node.get("additionalProperties"), dict
    ):
        node["properties"] = {key_rule["const"]: node.pop("additionalProperties")}
        node["additionalProperties"] = False
        del node["propertyNames"]


def _bounded(pattern: str, max_length: int) -> str:
    """A DNS-label-like ``^[a]([b]*[c])?$`` with its length limit folded into the repetition.

    So a key that is too long is also an additional property, which Helm 4 reports with the
    map's path. Other shapes keep their pattern; ``propertyNames`` still checks the length.
    """
    match = re.fullmatch(r"\^(\[[^\]]+\])\((\[[^\]]+\])\*(\[[^\]]+\])\)\?\$", pattern)
    if match is None or max_length < 2:
        return pattern
    first, middle, last = match.groups()
    return f"^{first}({middle}{{0,{max_length - 2}}}{last})?$"


def map_values(node: JSONSchema) -> JSONSchema | None:
    """The schema of a keyed map's values, or None when ``node`` is not a keyed map."""
    if "properties" in node:
        return None
    patterns = node.get("patternProperties")
    if isinstance(patterns, dict) and len(patterns) == 1:
        return dict(next(iter(patterns.values())))
    extra = node.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def _fold_any_of(node: JSONSchema) -> JSONSchema:
    """``anyOf`` of plain typed branches → one schema with a ``type`` list, when that is exact."""
    branches = node.get("anyOf")
    if not isinstance(branches, list):
        return node
    merged: JSONSchema = {}
    types: list[str] = []
    enum_values: list[Any] | None = None
    used: set[str] = set()
    for branch in branches:
        kinds = branch.get("type")
        if not isinstance(kinds, str) or "$ref" in branch:
            return node
        extra = set(branch) - {"type", "enum"}
        if not extra <= _TYPE_KEYWORDS[kinds] or extra & used:
            return node
        if "enum" in branch:
            if enum_values is not None:
                return node
            enum_values = list(branch["enum"])
        used |= extra
        types.append(kinds)
        merged.update({k: v for k, v in branch.items() if k not in {"type", "enum"}})
    if enum_values is not None:
        # An enum restricts every type; only null may join it, and only by being listed.
        if set(types) - {"null"} - {_enum_type(enum_values)}:
            return node
        if "null" in types:
            enum_values.append(None)
        merged["enum"] = enum_values
    if "number" in types and "integer" in types:
        if used & _TYPE_KEYWORDS["number"]:
            return node
        types.remove("integer")
    merged["type"] = types[0] if len(types) == 1 else types
    rest = {k: v for k, v in node.items() if k != "anyOf"}
    return {**rest, **merged}


def _enum_type(values: list[Any]) -> str:
    if all(isinstance(v, str) for v in values):
        return "string"
    return "mixed"


def _ordered(node: JSONSchema) -> JSONSchema:
    rank = {key: i for i, key in enumerate(_KEY_ORDER)}
    return dict(sorted(node.items(), key=lambda kv: rank.get(kv[0], len(rank))))


def _check_self_contained(schema: JSONSchema) -> None:
    """Fail generation (a bug, not a user error) if the document could not stand alone."""
    for node in _walk(schema):
        ref = node.get("$ref")
        if ref is not None and not str(ref).startswith("#/$defs/"):
            raise ValueError(f"non-local $ref {ref!r}")
        if ref is not None and str(ref).removeprefix("#/$defs/") not in schema["$defs"]:
            raise ValueError(f"dangling $ref {ref!r}")
        for banned in ("format", "prefixItems", "$dynamicRef", "dependentSchemas",
                       "unevaluatedProperties"):
            if banned in node:
                raise ValueError(f"{banned!r} is not understood by both Helm 3 and Helm 4")


def _walk(node: Any) -> Iterator[JSONSchema]:
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key in _SUBSCHEMA_MAP_KEYS:
                for sub in value.values():
                    yield from _walk(sub)
            elif key in _SUBSCHEMA_KEYS or key in _SUBSCHEMA_LIST_KEYS:
                yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


# --- README values table ---------------------------------------------------------------------

#: How a map's key is shown in a dotted path, by the map's field name.
_KEY_PLACEHOLDERS = {
    "components": "<id>",
    "containers": "<name>",
    "initContainers": "<name>",
    "ports": "<name>",
    "volumes": "<name>",
    "volumeMounts": "<volume>",
    "hosts": "<host>",
    "paths": "<path>",
    "secretEnv": "<VAR>",
}


@dataclass(frozen=True)
class Row:
    path: str
    type: str
    default: str
    description: str


def table_rows(schema: JSONSchema | None = None) -> list[Row]:
    """One row per field, in the model's order; objects are followed by their fields' rows.

    Defaults come from the chart's effective defaults where the path is concrete
    (``global.defaultResources.requests``) and from the field's own default below a map key.
    Objects that appear again (``readiness`` after ``liveness``) point at their first listing.
    """
    schema = schema or build_schema()
    defaults = Values().model_dump(mode="json", by_alias=True)
    rows: list[Row] = []
    first_listing: dict[str, str] = {}

    def resolve(node: JSONSchema) -> tuple[JSONSchema, str | None]:
        if "$ref" in node:
            name = str(node["$ref"]).removeprefix("#/$defs/")
            return schema["$defs"][name], name
        for branch in node.get("anyOf", []):
            if "$ref" in branch:
                name = str(branch["$ref"]).removeprefix("#/$defs/")
                return schema["$defs"][name], name
        return node, None

    def visit(obj: JSONSchema, prefix: str, concrete: Any) -> None:
        required = set(obj.get("required", ()))
        for key, prop in obj.get("properties", {}).items():
            path = f"{prefix}{key}"
            target, def_name = resolve(prop)
            here = concrete.get(key, _MISSING) if isinstance(concrete, dict) else _MISSING
            default = here if here is not _MISSING else prop.get("default", _MISSING)
            if default is _MISSING and key in required:
                shown = "*required*"
            else:
                shown = _show_default(default)
            description = str(prop.get("description") or target.get("description") or "")
            if "properties" in target and def_name is None:
                # A small inline object (``sleep: {seconds: 5}``): one row says it all.
                fields = ", ".join(f"`{name}`" for name in target["properties"])
                rows.append(Row(path, f"object ({fields})", shown, description))
                continue
            if "properties" in target and def_name is not None:
                listed = first_listing.get(def_name)
                if listed is not None:
                    description = f"{description} Same fields as `{listed}`."
                # The rows below show an object's default field by field.
                rows.append(Row(path, "object", shown if default is None else "", description))
                if listed is None:
                    first_listing[def_name] = path
                    visit(target, f"{path}.", here if isinstance(here, dict) else None)
                continue
            rows.append(Row(path, _type_name(prop, schema), shown, description))
            value_schema = map_values(target)
            if value_schema is not None and "propertyNames" in target:
                inner, inner_name = resolve(value_schema)
                if "properties" in inner:
                    placeholder = _KEY_PLACEHOLDERS.get(key, "<key>")
                    if inner_name is not None and inner_name in first_listing:
                        rows.append(Row(f"{path}.{placeholder}", "object", "",
                                        f"Same fields as `{first_listing[inner_name]}`."))
                        continue
                    if inner_name is not None:
                        first_listing[inner_name] = f"{path}.{placeholder}"
                    visit(inner, f"{path}.{placeholder}.", None)
            items = target.get("items")
            if isinstance(items, dict):
                inner, inner_name = resolve(items)
                if "properties" in inner:
                    if inner_name is not None and inner_name in first_listing:
                        rows.append(Row(f"{path}[]", "object", "",
                                        f"Same fields as `{first_listing[inner_name]}`."))
                        continue
                    if inner_name is not None:
                        first_listing[inner_name] = f"{path}[]"
                    visit(inner, f"{path}[].", None)

    visit(schema, "", defaults)
    return rows


class _Missing:
    pass


_MISSING: Any = _Missing()


def _type_name(node: JSONSchema, schema: JSONSchema) -> str:
    if "$ref" in node:
        return _type_name(schema["$defs"][str(node["$ref"]).removeprefix("#/$defs/")], schema)
    if "properties" in node:
        return "object"
    if "anyOf" in node or "oneOf" in node:
        branches: list[JSONSchema] = node.get("anyOf") or node.get("oneOf") or []
        parts = [_type_name(b, schema) for b in branches]
        parts = [p for p in parts if p != "null"]
        return " or ".join(dict.fromkeys(parts))
    if "enum" in node:
        shown = [str(v) if v != "" else '""' for v in node["enum"] if v is not None]
        return " or ".join(f"`{v}`" for v in shown)
    kinds = node.get("type", "any")
    kinds = [kinds] if isinstance(kinds, str) else [k for k in kinds if k != "null"]
    if kinds == ["integer", "string"] or kinds == ["string", "integer"]:
        return "integer or string"
    names: list[str] = []
    for kind in kinds:
        if kind == "array":
            items = node.get("items")
            names.append(f"list of {_type_name(items, schema)}" if isinstance(items, dict)
                         else "list")
        elif kind == "object" and "properties" not in node:
            value = map_values(node)
            names.append(f"map of {_type_name(value, schema)}" if value is not None else "map")
        else:
            names.append(kind)
    return " or ".join(names)


def _show_default(value: Any) -> str:
    if value is _MISSING:
        return ""
    text = json.dumps(_without_nulls(value), ensure_ascii=False, separators=(", ", ": "))
    return f"`{text}`"


def _without_nulls(value: Any) -> Any:
    """Unset optional fields inside an object default are noise in a table cell."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def table_markdown(rows: list[Row] | None = None) -> str:
    rows = rows if rows is not None else table_rows()
    lines = [
        "Generated from the values model by `svcgen schema`; `values.schema.json` enforces the",
        "same rules. A `<placeholder>` in a key is a name you choose (a component id, a container",
        "name, …); `[]` marks the items of a list; *required* marks a field without a default.",
        "",
        "| Key | Type | Default | Description |",
        "| --- | --- | --- | --- |",
    ]
    for row in rows:
        cells = (f"`{row.path}`", _cell(row.type), _cell(row.default), _cell(row.description))
        lines.append(f"| {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def readme_with_table(readme: str, table: str) -> str:
    """``readme`` with the text between the values-table markers replaced by ``table``."""
    start = readme.find(TABLE_START)
    end = readme.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(f"the README has no {TABLE_START} … {TABLE_END} block")
    head = readme[: start + len(TABLE_START)]
    return f"{head}\n{table}{readme[end:]}"


# --- files -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Artefact:
    path: Path
    current: str | None
    wanted: str

    @property
    def stale(self) -> bool:
        return self.current != self.wanted


def artefacts(chart_dir: Path) -> list[Artefact]:
    """The generated files of the chart, each with its current and its wanted text."""
    from svcgen.diagnostics import error

    schema_path = chart_dir / "values.schema.json"
    readme_path = chart_dir / "README.md"
    wanted_schema = schema_text()
    try:
        readme = readme_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{readme_path}: no such file", file=str(readme_path), exit_code=2,
                    hint="run svcgen schema inside the repository, or pass --chart") from None
    try:
        wanted_readme = readme_with_table(readme, table_markdown())
    except ValueError as exc:
        raise error(
            str(exc), file=str(readme_path),
            hint=f"add the lines {TABLE_START} and {TABLE_END} where the table belongs",
        ) from None
    current_schema = schema_path.read_text(encoding="utf-8") if schema_path.exists() else None
    return [
        Artefact(schema_path, current_schema, wanted_schema),
        Artefact(readme_path, readme, wanted_readme),
    ]


def write(chart_dir: Path) -> list[Path]:
    """Rewrite the stale generated files atomically; return the paths written."""
    from svcgen.yamlio import atomic_write

    written = []
    for artefact in artefacts(chart_dir):
        if artefact.stale:
            atomic_write(artefact.path, artefact.wanted)
            written.append(artefact.path)
    return written
