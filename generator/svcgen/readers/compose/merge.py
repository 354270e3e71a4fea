"""Merging several Compose files the way ``docker compose -f a.yaml -f b.yaml`` does.

The rules of the specification's "Merge and override" chapter:

* mappings merge key by key, later files winning for scalars;
* sequences are appended, except ``command``, ``entrypoint`` and ``healthcheck.test``, which are
  replaced;
* ``ports``, ``expose``, ``external_links``, ``dns``, ``dns_search``, ``dns_opt`` and ``tmpfs``
  keep unique values;
* ``environment``, ``labels``, ``annotations``, ``extra_hosts`` and ``sysctls`` merge as mappings
  whether written as lists or mappings;
* ``volumes`` and ``devices`` merge by container path, ``secrets`` and ``configs`` by target;
* ``!reset`` removes what earlier files set, ``!override`` replaces it without merging.
"""

from __future__ import annotations

from typing import Any

from svcgen.readers.compose.loader import Path_, Tagged

_REPLACED = {"command", "entrypoint"}
_UNIQUE = {"ports", "expose", "external_links", "dns", "dns_search", "dns_opt", "tmpfs"}
_AS_MAPPING = {"environment", "labels", "annotations", "extra_hosts", "sysctls"}
_BY_TARGET = {"volumes", "devices", "secrets", "configs"}


def merge_documents(docs: list[Any]) -> Any:
    """The documents merged in order; Tagged values resolved."""
    result: Any = None
    for doc in docs:
        result = doc if result is None else merge_values(result, doc, ())
    return strip_tags(result)


def merge_values(base: Any, over: Any, path: Path_) -> Any:
    """``over`` merged into ``base`` (at ``path`` of a Compose document) by the rules above."""
    if isinstance(over, Tagged):
        return None if over.tag == "!reset" else strip_tags(over.value)
    if isinstance(base, Tagged):
        base = strip_tags(base.value)
    key = path[-1] if path else None
    in_service = len(path) == 3 and path[0] == "services"
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            if isinstance(v, Tagged) and v.tag == "!reset":
                out.pop(k, None)
            elif k in out:
                out[k] = merge_values(out[k], v, (*path, k))
            else:
                out[k] = strip_tags(v)
        return out
    if in_service and key in _AS_MAPPING and (isinstance(base, list) or isinstance(over, list)):
        return merge_values(as_mapping(base, key), as_mapping(over, key), path)
    if isinstance(base, list) and isinstance(over, list):
        if (in_service and key in _REPLACED) or path[-2:] == ("healthcheck", "test"):
            return strip_tags(over)
        if in_service and key in _UNIQUE:
            out_list = list(base)
            for item in over:
                if item not in out_list:
                    out_list.append(strip_tags(item))
            return out_list
        if in_service and key in _BY_TARGET:
            return _merge_by_target(base, over, str(key))
        return [*base, *(strip_tags(v) for v in over)]
    return strip_tags(over)


def _merge_by_target(base: list[Any], over: list[Any], key: str) -> list[Any]:
    merged: dict[str, Any] = {}
    for item in [*base, *over]:
        target = _target(item, key)
        if target in merged and isinstance(merged[target], dict) and isinstance(item, dict):
            merged[target] = {**merged[target], **item}
        else:
            merged[target] = strip_tags(item)
    return list(merged.values())


def _target(item: Any, key: str) -> str:
    if key in ("secrets", "configs"):
        if isinstance(item, str):
            return f"/run/secrets/{item}" if key == "secrets" else f"/{item}"
        if isinstance(item, dict):
            target = item.get("target") or item.get("source") or ""
            return str(target)
    if isinstance(item, str):
        parts = item.split(":")
        return parts[1] if len(parts) > 1 else parts[0]
    if isinstance(item, dict):
        return str(item.get("target", ""))
    return repr(item)


def as_mapping(value: Any, key: str | int | None = None) -> Any:
    """List form (``A=b``, ``host:ip``) → mapping form; other values unchanged."""
    if not isinstance(value, list):
        return value
    out: dict[str, Any] = {}
    for item in value:
        text = str(item)
        sep = ":" if key == "extra_hosts" and "=" not in text else "="
        name, found, rest = text.partition(sep)
        out[name] = rest if found else None
    return out


def strip_tags(value: Any) -> Any:
    if isinstance(value, Tagged):
        return None if value.tag == "!reset" else strip_tags(value.value)
    if isinstance(value, dict):
        return {k: strip_tags(v) for k, v in value.items()
                if not (isinstance(v, Tagged) and v.tag == "!reset")}
    if isinstance(value, list):
        return [strip_tags(v) for v in value]
    return value
