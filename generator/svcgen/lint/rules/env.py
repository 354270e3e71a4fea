"""Environment variables: ``$(VAR)`` references that Kubernetes cannot expand."""

from __future__ import annotations

import re
from collections.abc import Iterator

from svcgen.diagnostics import Severity
from svcgen.lint.registry import Context, Finding, rule
from svcgen.lint.rules._common import base, containers

#: Variables Kubernetes defines itself for every Service of the namespace (service links).
_SERVICE_LINK = re.compile(
    r"^[A-Z0-9_]+_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_[A-Z0-9_]+)?)$"
)


@rule("SVC003", "env-reference-unresolved", Severity.WARNING,
      "A `$(VAR)` reference names no variable of the container")
def env_reference_unresolved(ctx: Context) -> Iterator[Finding]:
    """Kubernetes expands ``$(VAR)`` in an env value only when ``VAR`` is a variable of the same
    container (the chart lists each one before the variables that use it); otherwise the text
    ``$(VAR)`` stays in the value as written, and the application gets a broken URL or password.
    A container with ``envFrom`` may get the variable from there, and variables Kubernetes
    defines for Services (``DB_SERVICE_HOST``) are always there, so neither is reported.

    Example fix: define the variable, or write ``$$(VAR)`` for the literal text.

        env: {DB_URL: "postgres://app:$(DB_PASSWORD)@db/app"}
        secretEnv: {DB_PASSWORD: {secret: db, key: password}}
    """
    for cid, comp in ctx.components():
        for section, name, c in containers(comp):
            if c.envFrom:
                continue
            defined = set(c.env) | set(c.secretEnv)
            for var in c.env:
                for ref in c.env_references(var):
                    if ref not in defined and not _SERVICE_LINK.match(ref):
                        yield Finding(
                            (*base(cid), section, name, "env", var),
                            f"`{var}` refers to $({ref}), which container `{name}` does not "
                            "define: Kubernetes leaves the text as it is",
                            f"define {ref} in env or secretEnv, or write $$({ref}) for the text")


@rule("SVC004", "env-reference-cycle", Severity.WARNING,
      "Variables that refer to each other in a cycle")
def env_reference_cycle(ctx: Context) -> Iterator[Finding]:
    """Kubernetes expands ``$(VAR)`` only from variables listed earlier. The chart lists every
    variable after the ones it refers to, which is impossible when they refer to each other (or
    one to itself): the first of the cycle keeps the unexpanded text.

    Example fix: break the cycle.

        env: {A: "$(B)/x", B: "b"}
    """
    for cid, comp in ctx.components():
        for section, name, c in containers(comp):
            deps = {var: [r for r in c.env_references(var) if r in c.env] for var in c.env}
            for var in c.env:
                looping = [ref for ref in deps[var] if _reaches(ref, var, deps)]
                if looping:
                    yield Finding(
                        (*base(cid), section, name, "env", var),
                        f"`{var}` refers to {', '.join(f'$({r})' for r in looping)}, which "
                        f"refers back to `{var}`: Kubernetes cannot expand the cycle",
                        "make one of the variables a plain value")


def _reaches(start: str, target: str, deps: dict[str, list[str]]) -> bool:
    """True when ``target`` is ``start`` or is referred to, directly or not, from ``start``."""
    seen: set[str] = set()
    stack = [start]
    while stack:
        var = stack.pop()
        if var == target:
            return True
        if var not in seen:
            seen.add(var)
            stack.extend(deps.get(var, []))
    return False
