"""Hypothesis strategies for chart values that satisfy ``chart/values.schema.json``.

The strategy is read from the schema itself, so it follows the schema as it changes: ``$ref``,
objects (required properties always, a few optional ones), maps keyed by ``propertyNames`` or
``patternProperties``, arrays, ``anyOf``/``oneOf`` (one branch), enums, constants, patterns and
bounds. Free text mixes real-looking words with what breaks Kubernetes' formats (spaces, ``/``,
dots at the ends, upper case, C1 control characters), since those are the values a schema that
checks only shapes lets through. The keywords that only refuse (``not``, ``allOf`` of ``not``s)
are left to a final check with the schema: what the strategy draws outside them is filtered out,
so every example satisfies the schema. Sizes are bounded: at most two components, two entries a
map, two items a list, and nesting stops drawing optional properties past a depth.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import strategies as st

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "chart" / "values.schema.json"
MAX_ENTRIES = 2
#: Past this depth an object gets its required properties only.
OPTIONAL_DEPTH = 7
WORDS = ("api", "web", "db", "a", "b-c", "http", "metrics", "app", "x", "team-a", "prod",
         "example.com", "acme.com/owner", "8080", "grpc--web", "..data", "/etc", "1Gi", "0",
         "-1", "Europe/Berlin", "Local", "0 3 * * *", "@daily", "")
#: Characters Kubernetes' name and label formats refuse, beside ones they accept.
ALPHABET = st.sampled_from("abcz09-._/ A\u0085\u009f\u00e9=:")


@functools.cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@functools.cache
def validator() -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(schema())


def satisfies_schema(values: Any) -> bool:
    return bool(validator().is_valid(values))


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        rest = {k: v for k, v in node.items() if k != "$ref"}
        node = {**schema()["$defs"][name], **rest}
    return node


def free_text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(WORDS), st.text(ALPHABET, min_size=1, max_size=12))


@functools.cache
def _pattern(pattern: str, max_length: int | None) -> st.SearchStrategy[str]:
    drawn = st.from_regex(re.compile(pattern), fullmatch=True)
    limit = max_length if max_length is not None else 40
    return drawn.filter(lambda s: len(s) <= limit and "\n" not in s)


def _string(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    drawn = _pattern(node["pattern"], node.get("maxLength")) if "pattern" in node \
        else free_text()
    if node.get("maxLength") is not None or node.get("minLength") is not None:
        low, high = node.get("minLength", 0), node.get("maxLength", 10**6)
        drawn = drawn.filter(lambda s: low <= len(s) <= high)
    examples = [e for e in node.get("examples", []) if isinstance(e, str)
                and re.fullmatch(node.get("pattern", ".*"), e, re.S)]
    return st.one_of(st.sampled_from(examples), drawn) if examples else drawn


def _integer(node: dict[str, Any]) -> st.SearchStrategy[int]:
    low, high = node.get("minimum"), node.get("maximum")
    near = low if low is not None else 0
    # Mostly small numbers near the bound, sometimes the extremes the bounds allow.
    small = st.integers(near, near + 40 if high is None else min(high, near + 40))
    return st.one_of(small, st.integers(low, high))


def _keys(node: dict[str, Any]) -> st.SearchStrategy[str]:
    names = node.get("propertyNames")
    if isinstance(names, dict):
        return _string({**names, "type": "string"})
    patterns = list(node.get("patternProperties", {}))
    if patterns:
        return _string({"pattern": patterns[0]})
    return free_text()


def strategy(node: dict[str, Any] | None = None, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values drawn for one schema node (the whole values file when ``node`` is None)."""
    node = _resolve(node if node is not None else schema())
    if "_exclude" in node:
        excluded = node["_exclude"]
        inner = {k: v for k, v in node.items() if k != "_exclude"}
        return strategy(inner, depth).filter(lambda v: v not in excluded)
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    branches = node.get("anyOf") or node.get("oneOf")
    if branches:
        rest = {k: v for k, v in node.items() if k not in ("anyOf", "oneOf")}
        required = [set(_resolve(b).get("required", [])).union(
            *(p.get("required", []) for p in _resolve(b).get("allOf", []))) for b in branches]
        return st.one_of([
            strategy(_merge(rest, b, set().union(*required[:i], *required[i + 1:])
                            - required[i]), depth)
            for i, b in enumerate(branches)])
    kinds = node.get("type")
    if isinstance(kinds, list):
        return st.one_of([strategy({**node, "type": k}, depth) for k in kinds])
    if kinds == "object" or "properties" in node:
        return _object(node, depth)
    if kinds == "array":
        items = node.get("items", {"type": "string"})
        low = node.get("minItems", 0)
        return st.lists(strategy(items, depth + 1), min_size=low,
                        max_size=max(low, MAX_ENTRIES), unique_by=(
                            (lambda v: json.dumps(v, sort_keys=True))
                            if node.get("uniqueItems") else None))
    if kinds == "string":
        return _string(node)
    if kinds == "integer":
        return _integer(node)
    if kinds == "number":
        return st.one_of(_integer(node), st.floats(node.get("minimum", 0), node.get(
            "maximum", 1000), allow_nan=False))
    if kinds == "boolean":
        return st.booleans()
    if kinds == "null":
        return st.none()
    return st.one_of(free_text(), st.integers(0, 9), st.booleans())


def _merge(parent: dict[str, Any], branch: dict[str, Any], others: set[str]) -> dict[str, Any]:
    """One branch of an anyOf/oneOf drawn with its parent; ``others``: properties only the other
    branches require (a oneOf admits one branch, so they stay out)."""
    branch = _resolve(branch)
    for part in branch.get("allOf", []):
        branch = {**branch, "required": [*branch.get("required", []), *part.get("required", [])],
                  "properties": {**branch.get("properties", {}), **part.get("properties", {})}}
    branch = {k: v for k, v in branch.items() if k != "allOf"}
    merged = {**parent, **{k: v for k, v in branch.items() if k not in ("properties",
                                                                        "required")}}
    props = {**parent.get("properties", {}), **branch.get("properties", {})}
    # A branch's property schemas that only exclude values refine the parent's shape.
    for key, sub in branch.get("properties", {}).items():
        if key in parent.get("properties", {}) and set(sub) <= {"not"}:
            excluded = sub["not"].get("enum", [])
            props[key] = {**parent["properties"][key], "_exclude": excluded}
    merged["properties"] = {k: v for k, v in props.items() if k not in others}
    merged["required"] = sorted({*parent.get("required", []), *branch.get("required", [])})
    if not merged["properties"]:
        del merged["properties"]
    return merged


def _object(node: dict[str, Any], depth: int) -> st.SearchStrategy[dict[str, Any]]:
    props: dict[str, Any] = node.get("properties", {})
    required = [k for k in node.get("required", []) if k in props]
    optional = [k for k in props if k not in required]
    extra = node.get("additionalProperties", True)
    pattern_props = node.get("patternProperties", {})
    values_of = next(iter(pattern_props.values()), None) if pattern_props else (
        extra if isinstance(extra, dict) else None)
    if values_of is None and extra is True and not props and node.get("type") == "object":
        # A passed-through map (affinity, podSecurityContext): the schema says nothing of it.
        values_of = None

    @st.composite
    def draw(take: st.DrawFn) -> dict[str, Any]:
        out: dict[str, Any] = {}
        chosen = list(required)
        if optional and depth < OPTIONAL_DEPTH:
            chosen += take(st.lists(st.sampled_from(optional), max_size=3, unique=True))
        for key in chosen:
            out[key] = take(strategy(props[key], depth + 1))
        if values_of is not None and not props:
            wanted = node.get("minProperties", 0)
            entries = take(st.dictionaries(_keys(node), strategy(values_of, depth + 1),
                                                min_size=min(wanted, MAX_ENTRIES),
                                                max_size=MAX_ENTRIES if depth < OPTIONAL_DEPTH
                                                else 0))
            out.update(entries)
        return out

    return draw()


@st.composite
def chart_values(draw: st.DrawFn) -> dict[str, Any]:
    """A values file with one or two components that satisfies the chart's schema."""
    root = schema()
    component = root["properties"]["components"]
    values: dict[str, Any] = {"components": draw(st.dictionaries(
        _keys(component), strategy(next(iter(component["patternProperties"].values())), 1),
        min_size=1, max_size=MAX_ENTRIES))}
    if draw(st.booleans()):
        values["global"] = draw(strategy(root["properties"]["global"], 1))
    return values


def schema_valid_values() -> st.SearchStrategy[dict[str, Any]]:
    """:func:`chart_values` without the draws that a refusing keyword of the schema excludes."""
    return chart_values().filter(satisfies_schema)
