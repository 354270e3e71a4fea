"""``svcgen lint``: schema and cross-reference checks of chart values, placed at file:line:col.

``Linter(config).lint_files(paths)`` runs every selected rule over the values files merged the way
Helm merges them; the rules live in :mod:`svcgen.lint.rules`, one small unit each.
"""

from svcgen.lint.config import LintConfig, find_config, load_config
from svcgen.lint.engine import Linter, LintResult, RenderOptions
from svcgen.lint.registry import LintOptions, Rule, all_rules, find_rule

__all__ = [
    "LintConfig", "LintOptions", "LintResult", "Linter", "RenderOptions", "Rule", "all_rules",
    "find_config", "find_rule", "load_config",
]
