"""Every lint rule, one module per theme; importing this package registers them all."""

from svcgen.lint.rules import (
    builtin,
    metrics,
    names,
    peers,
    ports,
    resources,
    scaling,
    security,
    storage,
    values,
)

__all__ = [
    "builtin", "metrics", "names", "peers", "ports", "resources", "scaling", "security", "storage",
    "values",
]
