"""Every lint rule, one module per theme; importing this package registers them all."""

# The API server's rules over rendered objects (SVC91x-SVC92x) after the model's.
from svcgen.lint import render_rules
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
    "builtin",
    "env",
    "exposure",
    "hooks",
    "metrics",
    "names",
    "peers",
    "ports",
    "render_rules",
    "resources",
    "scaling",
    "security",
    "storage",
    "values",
    "workloads",
]
