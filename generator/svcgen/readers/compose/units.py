"""Compose's units (durations, byte sizes, cpus, image references) → Kubernetes' ones."""

from __future__ import annotations

import math
import re

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_DURATION_UNIT = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_BYTES = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmgt]?)(b|ib)?$", re.IGNORECASE)
_BYTE_UNIT = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


#: Kubernetes' int32 fields (replicas, uids, probe timings) stop here.
INT32_MAX = 2**31 - 1
_DECIMAL = re.compile(r"[-+]?[0-9]+")


def decimal(text: str, *, signed: bool = False) -> int | None:
    """A base-10 integer as Go's ``strconv`` reads one: ASCII digits only (``int()`` also takes
    Arabic-Indic digits, ``'1_0'`` and spaces); a sign only when ``signed``. None otherwise."""
    if not _DECIMAL.fullmatch(text) or (not signed and text[0] in "+-"):
        return None
    return int(text)


def duration_seconds(text: str | int | float) -> float | None:
    """Go duration (``1m30s``, ``500ms``) → seconds; None when it is not one."""
    if isinstance(text, (int, float)):
        return float(text)
    value = text.strip()
    if not value:
        return None
    if value == "0":
        return 0.0
    pos, total = 0, 0.0
    for match in _DURATION_PART.finditer(value):
        if match.start() != pos:
            return None
        total += float(match.group(1)) * _DURATION_UNIT[match.group(2)]
        pos = match.end()
    return total if pos == len(value) else None


def whole_seconds(seconds: float, minimum: int = 0) -> int:
    """Kubernetes counts whole seconds: round up, never below ``minimum``."""
    return max(minimum, math.ceil(seconds - 1e-9))


def byte_count(text: str | int) -> int | None:
    """Compose byte value (``512m``, ``1.5g``, ``2048``, ``1gb``) → bytes; binary units."""
    if isinstance(text, int):
        return text
    match = _BYTES.match(text.strip())
    if match is None:
        return None
    return int(float(match.group(1)) * _BYTE_UNIT[match.group(2).lower()])


def memory_quantity(count: int) -> str:
    """Bytes → the shortest exact Kubernetes quantity (``512Mi``, ``1Gi``, ``1536Mi``)."""
    for suffix, unit in (("Ti", 1024**4), ("Gi", 1024**3), ("Mi", 1024**2), ("Ki", 1024)):
        if count >= unit and count % unit == 0:
            return f"{count // unit}{suffix}"
    return str(count)


def cpu_quantity(text: str | float) -> str | None:
    """Compose ``cpus`` (``0.5``, ``2``) → Kubernetes cpu (``500m``, ``2``); None if invalid."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    if value <= 0 or math.isnan(value) or math.isinf(value):
        return None
    millis = round(value * 1000)
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"
