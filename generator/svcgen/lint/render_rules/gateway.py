"""Gateway API routes: the CEL rules of the HTTPRoute and GRPCRoute CRDs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from svcgen.lint.render_rules import Version, Violation, api_rule, mapping, sequence

_PATH_CHARS = re.compile(r"^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$")
_DURATION_PART = re.compile(r"([0-9]{1,5})(h|ms|m|s)")
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def path_problem(value: str) -> str:
    """Why an HTTPRoute path match is refused by the CRD's CEL rules; empty when accepted."""
    if not value.startswith("/"):
        return "must be an absolute path"
    for part in ("//", "/./", "/../", "%2f", "%2F", "#"):
        if part in value:
            return f"must not contain {part!r}"
    for end in ("/..", "/."):
        if value.endswith(end):
            return f"must not end with {end!r}"
    if not _PATH_CHARS.match(value):
        return "must only contain valid characters (RFC 3986 path characters or %-escapes)"
    return ""


def seconds(duration: str) -> float | None:
    """A Gateway API duration (``1m30s``) in seconds; None when unreadable."""
    parts = _DURATION_PART.findall(duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        return None
    return sum(int(n) * _UNIT[u] for n, u in parts)


@api_rule("SVC926", "gateway-route", "An HTTPRoute the Gateway API's validation refuses: a "
          "path with '//', '/./', '%2F' or other characters, a backend timeout above the "
          "request timeout, a redirect beside backends", kinds=("HTTPRoute",))
def http_route(obj: dict[str, Any], version: Version) -> Iterator[Violation]:
    """
    The HTTPRoute CRD (Gateway API, ``apis/v1/httproute_types.go``) carries CEL rules the API
    server evaluates on admission (``x-kubernetes-validations``; the bundled schemas of SVC903
    hold only their shapes): a PathPrefix or Exact path is absolute, holds no ``//``, ``/./``,
    ``/../``, ``%2f``, ``#``, does not end in ``/.`` or ``/..`` and has only RFC 3986 path
    characters; ``timeouts.backendRequest`` is not longer than ``timeouts.request``; a rule with
    backends has no RequestRedirect filter.

    Example fix: one slash between path segments, and a backend timeout within the request's:

        paths: {/api/v1: {timeouts: {request: 30s, backendRequest: 10s}}}
    """
    for i, rule in enumerate(sequence(obj, "spec", "rules")):
        if not isinstance(rule, dict):
            continue
        at = f"spec.rules[{i}]"
        for j, match in enumerate(sequence(rule, "matches")):
            path = mapping(match, "path")
            value = path.get("value")
            if path.get("type", "PathPrefix") in ("PathPrefix", "Exact") and value is not None:
                why = path_problem(str(value))
                if why:
                    yield Violation(f"{at}.matches[{j}].path.value", f"path {value!r}: {why}",
                                    (("ingress", "hosts"),))
        timeouts = mapping(rule, "timeouts")
        request, backend = timeouts.get("request"), timeouts.get("backendRequest")
        if isinstance(request, str) and isinstance(backend, str):
            total, part = seconds(request), seconds(backend)
            if total and part is not None and part > total:
                yield Violation(f"{at}.timeouts", f"backendRequest timeout {backend} cannot be "
                                f"longer than request timeout {request}", (("ingress", "hosts"),))
        redirects = [f for f in sequence(rule, "filters")
                     if isinstance(f, dict) and f.get("type") == "RequestRedirect"]
        if redirects and sequence(rule, "backendRefs"):
            yield Violation(f"{at}.filters", "a RequestRedirect filter must not be used together "
                            "with backendRefs", (("ingress", "hosts"),))
