"""Helpers for the Compose reader tests: write a small project to a directory and convert it."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svcgen.diagnostics import Diagnostic, format_text
from svcgen.readers.base import ReadOptions
from svcgen.values_cmd import generate


@dataclass
class Converted:
    values: dict[str, Any]
    report: list[Diagnostic]

    def component(self, cid: str) -> dict[str, Any]:
        comp: dict[str, Any] = self.values["components"][cid]
        return comp

    def container(self, cid: str) -> dict[str, Any]:
        container: dict[str, Any] = self.component(cid)["containers"]["app"]
        return container

    def notes(self, rule: str | None = None) -> list[Diagnostic]:
        return [d for d in self.report if rule is None or d.rule == rule]

    def text(self) -> str:
        return "\n".join(format_text(d) for d in self.report)

    def note_at(self, path: str, rule: str | None = None) -> Diagnostic:
        found = [d for d in self.notes(rule) if d.path == path]
        assert found, f"no {rule or ''} note at {path}:\n{self.text()}"
        return found[0]


def write_project(directory: Path, compose: str, **files: str) -> Path:
    """compose.yaml (dedented) plus other files (name → text; '__' in a name is '/')."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "compose.yaml"
    path.write_text(textwrap.dedent(compose), encoding="utf-8")
    for name, text in files.items():
        target = directory / name.replace("__", "/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def convert(directory: Path, compose: str, *, environ: dict[str, str] | None = None,
            extra: tuple[str, ...] = (), **options: Any) -> Converted:
    """Convert compose.yaml (plus ``extra`` files of the directory) with a clean environment."""
    path = write_project(directory, compose)
    inputs = [str(path), *(str(directory / e) for e in extra)]
    values, report, _ = generate(inputs, ReadOptions(environ=environ or {}, **options))
    return Converted(values, report)
