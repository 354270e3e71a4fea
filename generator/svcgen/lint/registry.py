"""What a lint rule is, and the list of them.

A rule is a small unit, the way yamllint and ruff keep theirs: an id (``SVC101``), a name
(``duplicate-container-port``), a default severity, a one-line summary, and a check function whose
docstring is the rationale that ``svcgen explain`` prints (with an example fix). A check reads the
validated model and the merged raw data and yields findings at values paths; the engine turns the
paths into file, line and column.

``svcgen diff`` keeps its rules here too (ids ``DIFF…``, ``command="diff"``), so ``svcgen rules``,
``svcgen explain`` and the README's rule list cover both commands; their checks compare two
renders and live in :mod:`svcgen.diff.rules`.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from svcgen.diagnostics import Severity, error

if TYPE_CHECKING:  # the model costs a tenth of a second to import; diff runs without it
    from svcgen.model import Values

PathPart = str | int
Path = tuple[PathPart, ...]


@dataclass(frozen=True)
class LintOptions:
    """Settings that change what some rules conclude."""

    #: Release name used for names with ``global.prefixWithRelease`` (None: assume a typical one).
    release: str | None = None
    #: Length assumed for an unknown release name; Helm allows up to 53 characters.
    assumed_release_length: int = 16


@dataclass
class Context:
    """What a check sees: the model (None when the values failed the schema) and the raw data."""

    values: Values | None
    raw: dict[str, Any]
    options: LintOptions = field(default_factory=LintOptions)

    def components(self) -> Iterator[tuple[str, Any]]:
        """Enabled components of the model, by id."""
        if self.values is None:
            return
        for cid, comp in self.values.components.items():
            if comp.enabled:
                yield cid, comp

    def raw_at(self, path: Iterable[PathPart]) -> Any:
        """The raw value written at ``path`` (None when absent): tells set from defaulted."""
        node: Any = self.raw
        for part in path:
            if _has(node, part):
                node = node[part]
            else:
                return None
        return node

    def is_set(self, path: Iterable[PathPart]) -> bool:
        return self.raw_at(path) is not None


@dataclass(frozen=True)
class Finding:
    """One problem a rule found, at a values path; ``key``: point at the key, not the value."""

    path: Path
    message: str
    hint: str = ""
    key: bool = False
    severity: Severity | None = None


Check = Callable[[Context], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str
    check: Check | None = None
    #: Rules that read only the raw data still run when the values fail the schema.
    raw_only: bool = False
    doc: str = ""
    #: The command whose runs report this rule: ``lint`` or ``diff``.
    command: str = "lint"

    @property
    def rationale(self) -> str:
        """Why the rule matters and how to fix a finding: the text of ``svcgen explain``."""
        return self.doc

    @property
    def category(self) -> str:
        return CATEGORIES.get(self.id[:4], "Other")


CATEGORIES = {
    "SVC0": "Schema and rendering",
    "SVC1": "Ports, Services and ingress",
    "SVC2": "Names",
    "SVC3": "Scaling and availability",
    "SVC4": "Resources, health and images",
    "SVC5": "Storage",
    "SVC6": "Security",
    "SVC7": "Project and peers",
    "SVC8": "Metrics",
    "SVC9": "Rendered objects (--render)",
    "DIFF": "Upgrade safety (svcgen diff)",
}

RULES: dict[str, Rule] = {}


def rule(
    id: str, name: str, severity: Severity, summary: str, *, raw_only: bool = False
) -> Callable[[Check], Check]:
    """Register a check function as a rule; its docstring is the rationale."""

    def register(check: Check) -> Check:
        doc = inspect.cleandoc(check.__doc__ or "")
        _add(Rule(id, name, severity, summary, check, raw_only, doc))
        return check

    return register


def declare(
    id: str, name: str, severity: Severity, summary: str, doc: str, *, command: str = "lint"
) -> Rule:
    """A rule whose findings come from the engine itself (schema, helm, Kubernetes API), or from
    a command with checks of another shape (``svcgen diff``)."""
    return _add(Rule(id, name, severity, summary, None, False, inspect.cleandoc(doc), command))


def _add(r: Rule) -> Rule:
    if r.id in RULES:
        raise RuntimeError(f"rule id {r.id} is registered twice")
    if not r.doc or "Example fix" not in r.doc:
        raise RuntimeError(f"rule {r.id} needs a rationale with an 'Example fix'")
    RULES[r.id] = r
    return r


def all_rules(command: str | None = None) -> list[Rule]:
    """Every rule (of one ``command`` when given): lint's, then diff's, each by id."""
    if command in (None, "diff"):
        from svcgen.diff import rules as _diff_rules  # noqa: F401  (registers the rules)
    if command in (None, "lint"):
        from svcgen.lint import rules as _rules  # noqa: F401

    return sorted((r for r in RULES.values() if command is None or r.command == command),
                  key=lambda r: (r.command != "lint", r.id))


def rule_ids(values: Sequence[str], option: str, command: str = "lint", *,
             file: str = "") -> tuple[str, ...]:
    """``--select SVC1,SVC601`` (or repeated) → ids; every one must name a rule of ``command`` or
    a prefix of one; a misspelt one is refused with the nearest id."""
    ids = tuple(p.strip().upper() for v in values for p in v.split(",") if p.strip())
    for i in ids:
        check_rule_id(i, option, command, file=file)
    return ids


def check_rule_id(rule_id: str, option: str, command: str = "lint", *, file: str = "") -> None:
    """A usage error unless ``rule_id`` is a rule of ``command`` or a prefix of one."""
    known = [r.id for r in all_rules(command)]
    if any(k.startswith(rule_id) for k in known):
        return
    close = _nearest(rule_id, known)
    hint = f"did you mean `{close}`? (`svcgen rules` lists them)" if close \
        else "`svcgen rules` lists them"
    raise error(f"{option}: `{rule_id}` names no rule", file=file, exit_code=2,
                hint=hint)


def _nearest(word: str, known: Sequence[str]) -> str | None:
    """The known id fewest edits away (a letter O for a zero is one), if it is close at all."""
    best = min(known, key=lambda k: (_edits(word, k),
                                     -difflib.SequenceMatcher(None, word, k).ratio()),
               default=None)
    return best if best is not None and _edits(word, best) <= max(1, len(word) // 3) else None


def _edits(a: str, b: str) -> int:
    """Levenshtein distance."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def find_rule(key: str) -> Rule | None:
    """A rule by id (``SVC101``) or name (``duplicate-container-port``), case-insensitively."""
    wanted = key.strip()
    for r in all_rules():
        if r.id.lower() == wanted.lower() or r.name == wanted.lower():
            return r
    return None


def _has(node: Any, part: PathPart) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
