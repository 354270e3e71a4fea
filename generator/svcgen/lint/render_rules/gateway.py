"""Gateway API routes: the CEL rules of the HTTPRoute and GRPCRoute CRDs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from svcgen.lint.render_rules import Version, Violation, api_rule, mapping, sequence
from svcgen.model import gateway_seconds, route_path_problem


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
                why = route_path_problem(str(value))
                if why:
                    yield Violation(f"{at}.matches[{j}].path.value", f"path {value!r}: {why}",
                                    (("ingress", "hosts"),))
        timeouts = mapping(rule, "timeouts")
        request, backend = timeouts.get("request"), timeouts.get("backendRequest")
        if isinstance(request, str) and isinstance(backend, str):
            total, part = gateway_seconds(request), gateway_seconds(backend)
            if total and part is not None and part > total:
                yield Violation(f"{at}.timeouts", f"backendRequest timeout {backend} cannot be "
                                f"longer than request timeout {request}", (("ingress", "hosts"),))
        redirects = [f for f in sequence(rule, "filters")
                     if isinstance(f, dict) and f.get("type") == "RequestRedirect"]
        if redirects and sequence(rule, "backendRefs"):
            yield Violation(f"{at}.filters", "a RequestRedirect filter must not be used together "
                            "with backendRefs", (("ingress", "hosts"),))
