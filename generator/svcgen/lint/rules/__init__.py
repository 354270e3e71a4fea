"""Every lint rule, one module per theme; importing this package registers them all."""

from svcgen.lint.rules import (
    builtin,
    env,
    exposure,
    hooks,
    metrics,
    names,
    peers,
    ports,
    resources,
    scaling,
    security,
    storage,
    values,
    workloads,
)

__all__ = [
    "builtin", "env", "exposure", "hooks", "metrics", "names", "peers", "ports", "resources",
    "scaling", "security", "storage", "values", "workloads",
]
