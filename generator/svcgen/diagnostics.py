"""Diagnostics are data: readers, lint and the CLI share one shape; printing is the CLI's job."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding about one place in one input.

    ``line`` and ``column`` are 1-based; 0 means unknown. ``path`` is the dotted path of the value
    inside the document (``components.api.containers.app.image.tag``).
    """

    file: str
    line: int = 0
    column: int = 0
    path: str = ""
    rule: str = ""
    severity: Severity = Severity.ERROR
    message: str = ""
    hint: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def at(self, file: str, line: int, column: int) -> Diagnostic:
        return replace(self, file=file, line=line, column=column)

    @property
    def location(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column or 1}"
        return self.file


class SvcgenError(Exception):
    """An error the user caused; carries diagnostics instead of a traceback.

    ``exit_code`` follows the CLI contract: 1 for bad input, 2 for usage or I/O problems.
    """

    def __init__(self, *diagnostics: Diagnostic, exit_code: int = 1) -> None:
        if not diagnostics:
            raise ValueError("SvcgenError needs at least one diagnostic")
        self.diagnostics = diagnostics
        self.exit_code = exit_code
        super().__init__(diagnostics[0].message)


def error(
    message: str,
    *,
    file: str = "",
    line: int = 0,
    column: int = 0,
    path: str = "",
    hint: str = "",
    rule: str = "",
    exit_code: int = 1,
) -> SvcgenError:
    """Build an error carrying one diagnostic."""
    return SvcgenError(
        Diagnostic(
            file=file,
            line=line,
            column=column,
            path=path,
            rule=rule,
            severity=Severity.ERROR,
            message=message,
            hint=hint,
        ),
        exit_code=exit_code,
    )


def dotted_path(path: Iterable[str | int]) -> str:
    """``("spec", "tasks", 0, "ports")`` → ``spec.tasks[0].ports``: how messages show a path."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def format_text(diagnostic: Diagnostic) -> str:
    """``file:line:col: severity[rule]: message (hint: …)`` — one line, no colour."""
    rule = f"[{diagnostic.rule}]" if diagnostic.rule else ""
    where = diagnostic.location or "svcgen"
    text = f"{where}: {diagnostic.severity.value}{rule}: {diagnostic.message}"
    if diagnostic.path:
        text += f" (at {diagnostic.path})"
    if diagnostic.hint:
        text += f"\n    fix: {diagnostic.hint}"
    return text
