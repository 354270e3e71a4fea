"""Diagnostics are data: readers, lint and the CLI share one shape; printing is the CLI's job."""

from __future__ import annotations

import json
import re
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


#: Characters that move the cursor, start a new line or an escape sequence, or reorder text:
#: C0 and C1 controls, DEL, the Unicode line and paragraph separators, bidirectional overrides.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def clean(text: str) -> str:
    """Text that came from an input (a key, a value, a file name), made inert for a terminal or a
    log: every control character is shown as its escape (``\\n``, ``\\x1b``), so no message can
    start a line of its own (a forged ``::error::`` for GitHub Actions) or colour and move the
    reader's terminal."""
    return _UNPRINTABLE.sub(lambda m: _NAMED.get(m.group()) or (
        f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"),
        text)


def shown_file(file: str) -> str:
    """A file name as text output shows it: as it is, or quoted (JSON) when it holds control
    characters or starts with ``::``, which would begin a line GitHub Actions executes."""
    if clean(file) != file or file.lstrip().startswith("::"):
        return json.dumps(file)
    return file


def format_text(diagnostic: Diagnostic) -> str:
    """``file:line:col: severity[rule]: message (hint: …)`` — one line, no colour."""
    rule = f"[{diagnostic.rule}]" if diagnostic.rule else ""
    where = diagnostic.location.replace(diagnostic.file, shown_file(diagnostic.file), 1) \
        if diagnostic.file else "svcgen"
    text = f"{where}: {diagnostic.severity.value}{rule}: {clean(diagnostic.message)}"
    if diagnostic.path:
        text += f" (at {clean(diagnostic.path)})"
    if diagnostic.hint:
        text += f"\n    fix: {clean(diagnostic.hint)}"
    return text
