"""``svcgen lint``: schema and cross-reference checks of chart values, placed at file:line:col.

``Linter(config).lint_files(paths)`` runs every selected rule over the values files merged the way
Helm merges them; the rules live in :mod:`svcgen.lint.rules`, one small unit each.

The names below are imported on first use: ``svcgen diff`` uses the registry, the settings and
the silencing of this package without paying for the values model the linter needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from svcgen.lint.config import LintConfig, find_config, load_config
    from svcgen.lint.engine import Linter, LintResult, RenderOptions
    from svcgen.lint.registry import LintOptions, Rule, all_rules, find_rule

__all__ = [
    "LintConfig", "LintOptions", "LintResult", "Linter", "RenderOptions", "Rule", "all_rules",
    "find_config", "find_rule", "load_config",
]
_HOMES = {
    "LintConfig": "config", "find_config": "config", "load_config": "config",
    "Linter": "engine", "LintResult": "engine", "RenderOptions": "engine",
    "LintOptions": "registry", "Rule": "registry", "all_rules": "registry",
    "find_rule": "registry",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'svcgen.lint' has no attribute {name!r}")
    return getattr(importlib.import_module(f"svcgen.lint.{home}"), name)
