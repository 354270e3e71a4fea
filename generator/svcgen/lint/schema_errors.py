"""Pydantic validation errors → lint findings at values paths, in words a values author reads.

Pydantic's ``loc`` mixes values keys with its own markers (union member names such as ``int`` or
``function-after[...]``, ``[key]`` for a bad mapping key); the path is recovered by walking the raw
data alongside it. Errors of the members of one union land on the same path and are merged into one
finding.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError

from svcgen import model
from svcgen.lint.registry import Finding, Path, PathPart
from svcgen.secrets import is_secret

#: Patterns of the model, named the way Kubernetes documentation names them.
PATTERN_NAMES = {
    model.DNS1035_LABEL: "a DNS-1035 label: lowercase letters, digits and '-', starting with a "
                         "letter and ending with a letter or digit",
    model.DNS1123_LABEL: "a DNS-1123 label: lowercase letters, digits and '-', starting and "
                         "ending with a letter or digit",
    model.DNS1123_SUBDOMAIN: "a DNS-1123 subdomain: lowercase labels separated by dots",
    model.PORT_NAME: "a port name: lowercase letters, digits and '-'",
    model.ENV_NAME: "an environment variable name: letters, digits, '_', '-' and '.', not "
                    "starting with a digit",
    model.HOSTNAME_WILDCARD: "a host name such as api.example.com (or *.example.com)",
    model.QUANTITY: "a Kubernetes quantity such as 250m, 0.5, 512Mi or 2Gi",
    model.QUALIFIED_NAME: "a label key: an optional DNS prefix and '/', then at most 63 letters, "
                          "digits, '-', '_' or '.', starting and ending with a letter or digit",
    model.ANNOTATION_KEY: "an annotation key: an optional DNS prefix and '/', then at most 63 "
                          "letters, digits, '-', '_' or '.', starting and ending alphanumeric",
    model.LABEL_VALUE: "a label value: at most 63 letters, digits, '-', '_' or '.', starting and "
                       "ending with a letter or digit (or empty)",
    model.CONFIG_MAP_KEY: "a ConfigMap or Secret key: letters, digits, '-', '_' and '.', not "
                          "'.', '..' or starting with '..'",
    model.RESOURCE_NAME: "a resource name: cpu, memory, ephemeral-storage, hugepages-<size> or "
                         "a domain-qualified extended resource such as nvidia.com/gpu",
    model.IP_ADDRESS: "an IP address such as 10.0.0.5 or 2001:db8::5",
}


#: Type errors, by what was expected.
SIMPLE = {"int_parsing": "a whole number", "int_type": "a whole number",
          "int_from_float": "a whole number", "float_parsing": "a number",
          "float_type": "a number", "bool_parsing": "true or false",
          "bool_type": "true or false", "string_type": "a string"}


@functools.cache
def _all_field_names() -> tuple[str, ...]:
    names: set[str] = set()
    for obj in vars(model).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            for fname, info in obj.model_fields.items():
                names.add(info.alias or fname)
    return tuple(sorted(names))


def _path(loc: tuple[Any, ...], raw: Any) -> tuple[Path, bool]:
    """The values path of a pydantic ``loc``, and whether it points at a mapping key."""
    path: list[PathPart] = []
    node = raw
    key = False
    for part in loc:
        if part == "[key]":
            key = True
            continue
        if _has(node, part):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not _is_marker(part):
            path.append(part)  # a missing key: the finding points at its parent
            node = None
    return tuple(path), key


def _is_marker(part: str) -> bool:
    return (part in {"int", "str", "float", "bool", "constrained-str", "constrained-int",
                     "list", "dict", "none", "function-after", "is-instance"}
            or "[" in part or part.startswith(("function-", "lax-", "strict-", "json-")))


def _message(err: Any, raw: Any, path: Path) -> tuple[str, str]:
    """(message, hint) for one pydantic error; a secret's value is never quoted, only named."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    name = str(path[-1]) if path else "values"
    value = err.get("input")
    secret = is_secret_at(path, value)
    shown = _show(value, secret)
    if kind == "missing":
        missing = str(err["loc"][-1])
        return f"`{missing}` is required here", f"add `{missing}`"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(name, _all_field_names(), n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else "remove it (see chart/README.md for " \
            "the keys this level takes)"
        return f"unknown key `{name}`", hint
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        what = PATTERN_NAMES.get(pattern, f"a string matching {pattern}")
        return f"{shown} is not {what}", "change the value to fit"
    if kind == "string_too_long":
        return (f"{shown} is longer than {ctx.get('max_length')} characters",
                "shorten it")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{shown} is out of range: {err['msg'].lower()}", "change the number"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, "), "correct this entry"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return (f"expected a mapping, got {_described(value, secret)}",
                "write it as `key: value` pairs")
    if kind == "list_type":
        return f"expected a list, got {_described(value, secret)}", "write it as a YAML list"
    if kind == "string_type" and isinstance(value, int | float | bool):
        return (f"expected a string, got {_described(value, secret)}",
                "quote it: unquoted, YAML reads it as a number or boolean (1.10 becomes 1.1)")
    if kind in SIMPLE:
        return (f"expected {SIMPLE[kind]}, got {_described(value, secret)}",
                _hint(SIMPLE[kind], value))
    if kind == "too_short":
        return f"`{name}` needs at least {ctx.get('min_length', 1)} entry", "add one"
    if kind in ("enum", "literal_error"):
        return f"{shown} is not one of {ctx.get('expected', '')}", "use one of the listed values"
    return f"{shown}: {err['msg']}", "correct the value"


def _hint(expected: str, value: Any) -> str:
    if value is None:
        return (f"write {expected}, or remove the key: the chart has no default here, so Helm "
                "passes the null on")
    return f"write {expected}"


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _described(value: Any, secret: bool = False) -> str:
    kind = _type_name(value)
    if isinstance(value, dict | list) or value is None or secret:
        return kind
    return f"{kind} {_show(value)}"


#: Keys whose values are secret material whatever their names.
SECRET_KEYS = frozenset({"secretEnv", "stringData"})


def is_secret_at(path: Path, value: Any) -> bool:
    """Whether the value at ``path`` may be secret material: under ``secretEnv``, under a key
    named like a credential (``DB_PASSWORD``, ``token``), or a value that carries one (a URL with
    a password) anywhere inside it."""
    if any(isinstance(p, str) and (p in SECRET_KEYS or is_secret(p)) for p in path):
        return True
    # No name: only what the value itself carries (a token format, a password in a URL) counts.
    return any(is_secret("", s) for s in _strings(value))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _scrub(text: str, value: Any) -> str:
    """``text`` with every string of a secret ``value`` taken out (a validator's message may
    quote what it was given)."""
    for s in sorted(set(_strings(value)), key=len, reverse=True):
        if len(s) >= 3:
            text = text.replace(s, SECRET)
    return text


SECRET = "(secret value)"


def _show(value: Any, secret: bool = False) -> str:
    if isinstance(value, dict | list):
        return _type_name(value)
    if secret:
        return f"the {_type_name(value).removeprefix('a ')} (a secret value, not shown)"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _relevant(errors: list[Any]) -> list[Any]:
    """Of the errors of a union's members, those of the member the value was meant for: a string
    is judged by the string rules (a quantity, a port name), a number by the number rules."""
    if len(errors) < 2:
        return errors
    value = errors[0].get("input")
    if isinstance(value, str):
        wanted = [e for e in errors if e["type"].startswith("string_")]
    elif isinstance(value, int | float) and not isinstance(value, bool):
        wanted = [e for e in errors if not e["type"].startswith(("string_", "int_parsing",
                                                                 "float_parsing"))]
    else:
        wanted = []
    return wanted or errors


def translate(exc: ValidationError, raw: dict[str, Any]) -> Iterator[Finding]:
    """One finding per values path that failed the schema."""
    grouped: dict[tuple[Path, bool], list[Any]] = {}
    for err in exc.errors(include_url=False):
        path, key = _path(tuple(err["loc"]), raw)
        if err["type"] == "extra_forbidden":
            key = True
        grouped.setdefault((path, key), []).append(err)
    for (path, key), errors in grouped.items():
        errors = _relevant(errors)
        if len(errors) > 1 and all(e["type"] in SIMPLE for e in errors):
            kinds = list(dict.fromkeys(SIMPLE[e["type"]] for e in errors))
            expected = ", ".join(kinds[:-1]) + " or " + kinds[-1]
            value = errors[0].get("input")
            yield Finding(path, f"expected {expected}, got "
                          f"{_described(value, is_secret_at(path, value))}",
                          _hint(kinds[0], value), key=key)
            continue
        unique = list(dict.fromkeys(_message(e, raw, path) for e in errors))
        if len(unique) == 1:
            message, hint = unique[0]
        else:
            # A union (a port by number or name, a quantity as text or number): say each way in.
            message = " or ".join(dict.fromkeys(m for m, _ in unique))
            hint = unique[0][1]
        value = errors[0].get("input")
        if is_secret_at(path, value):
            message, hint = _scrub(message, value), _scrub(hint, value)
        yield Finding(path, message, hint, key=key)


def _has(node: Any, part: PathPart) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
