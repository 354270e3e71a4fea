"""Silencing findings the way lint and diff both do: the settings' per-file ignores, and a comment
on the offending line::

    replicas: 3   # svcgen: ignore[SVC302]
    replicas: 3   # svcgen: ignore          (every rule on this line)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from svcgen.diagnostics import Diagnostic
from svcgen.lint.config import LintConfig, matches
from svcgen.lint.source import SourceDoc

_INLINE = re.compile(r"#\s*svcgen:\s*(?:ignore|noqa)(?:\[(?P<ids>[^\]]*)\])?", re.I)


def silence(
    diagnostics: Iterable[Diagnostic], sources: Sequence[SourceDoc], config: LintConfig
) -> tuple[list[Diagnostic], int]:
    """The diagnostics the settings' per-file ignores and the inline comments on their lines do
    not silence, and how many they did."""
    lines = {s.file: s.lines for s in sources}
    per_file: dict[str, tuple[str, ...]] = {}
    kept: list[Diagnostic] = []
    suppressed = 0
    for d in diagnostics:
        if d.file not in per_file:
            per_file[d.file] = config.ignored_for(d.file)
        if d.rule and matches(d.rule, per_file[d.file]):
            suppressed += 1
            continue
        if inline_ignores(lines.get(d.file, []), d.line, d.rule):
            suppressed += 1
            continue
        kept.append(d)
    return kept, suppressed


def inline_ignores(lines: Sequence[str], line: int, rule_id: str) -> bool:
    """Whether ``# svcgen: ignore[…]`` on ``line`` (1-based) of a file silences ``rule_id``."""
    if not line or line > len(lines):
        return False
    return _inline_ignores(lines[line - 1], rule_id)


def _inline_ignores(line: str, rule_id: str) -> bool:
    match = _INLINE.search(line)
    if match is None:
        return False
    ids = match.group("ids")
    if ids is None:
        return True
    wanted = tuple(i.strip().upper() for i in ids.split(",") if i.strip())
    return matches(rule_id, wanted)
