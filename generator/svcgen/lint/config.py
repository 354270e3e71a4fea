"""Lint configuration: ``[tool.svcgen.lint]`` in ``pyproject.toml`` or a ``.svcgen.yaml``.

Looked up from the current directory upwards; in each directory ``.svcgen.yaml`` wins over
``pyproject.toml`` (and a ``pyproject.toml`` without the section is passed over). Keys:

```toml
[tool.svcgen.lint]
select = ["SVC"]                    # rule ids or prefixes to run (default: all)
ignore = ["SVC402"]                 # rule ids or prefixes to silence
strict = false                      # fail on any finding, as --strict
release = "shop"                    # release name for prefixed names (global.prefixWithRelease)
assumed-release-length = 16         # its length when the name is unknown

[tool.svcgen.lint.per-file-ignores]
"chart/ci/*values.yaml" = ["SVC405"]   # glob, relative to the config file's directory
```

``.svcgen.yaml`` takes the same keys under ``lint:``. ``svcgen diff`` reads the same keys from
its own section, ``[tool.svcgen.diff]`` or ``diff:``, so each command's rule ids live together.

A settings file is chosen by the repository being linted, so it can choose nothing that runs: no
helm binary, no plugin, no command. Its release name is checked as Helm checks one.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from svcgen.diagnostics import SvcgenError, error

CONFIG_FILES = (".svcgen.yaml", "pyproject.toml")


@dataclass(frozen=True)
class LintConfig:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    strict: bool = False
    release: str | None = None
    assumed_release_length: int = 16
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Directory the per-file globs are relative to; the file the settings came from.
    root: Path = field(default_factory=Path.cwd)
    source: str = ""

    def ignored_for(self, file: str) -> tuple[str, ...]:
        """Rule ids or prefixes silenced for this values file by ``per-file-ignores``."""
        if not self.per_file_ignores:
            return ()
        try:
            rel = os.path.relpath(Path(file).resolve(), self.root.resolve())
        except ValueError:  # another drive
            rel = file
        rel = rel.replace(os.sep, "/")
        found: list[str] = []
        for pattern, ids in self.per_file_ignores:
            if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(file, pattern) \
                    or fnmatch.fnmatch(Path(file).name, pattern):
                found.extend(ids)
        return tuple(found)


def find_config(start: Path | None = None, section: str = "lint") -> LintConfig:
    """The configuration that applies in ``start`` (the current directory by default), from the
    settings ``section`` (``lint`` or ``diff``)."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        for name in CONFIG_FILES:
            candidate = directory / name
            if candidate.is_file():
                settings = _read(candidate, section)
                if settings is not None:
                    return from_mapping(settings, candidate)
    return LintConfig()


def load_config(path: Path, section: str = "lint") -> LintConfig:
    """The configuration in one file, given with ``--config``."""
    settings = _read(path, section)
    return from_mapping(settings or {}, path)


def _read(path: Path, section: str) -> dict[str, Any] | None:
    name = str(path)
    from svcgen.yamlio import read_text

    try:
        text = read_text(path)  # bounded: a settings file is chosen by the repository
    except SvcgenError as exc:
        raise SvcgenError(*exc.diagnostics, exit_code=2) from None
    if path.name.endswith(".toml"):
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise error(f"invalid TOML: {exc}", file=name, exit_code=2,
                        hint="fix the TOML syntax") from None
        found = data.get("tool", {}).get("svcgen", {}).get(section)
        return found if isinstance(found, dict) else None
    from svcgen.lint.source import parse_values

    try:
        doc = parse_values(name, text)
    except SvcgenError as exc:
        raise SvcgenError(*exc.diagnostics, exit_code=2) from None
    found = doc.data.get(section, {})
    if not isinstance(found, dict):
        raise error(f"`{section}` must be a mapping", file=name, exit_code=2)
    return found


def _ids(value: Any, key: str, file: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise error(f"`{key}` must be a list of rule ids", file=file, exit_code=2,
                    hint='e.g. ["SVC402", "SVC6"]')
    return tuple(v.strip().upper() for v in value)


def from_mapping(settings: dict[str, Any], path: Path) -> LintConfig:
    file = str(path)
    known = {"select", "ignore", "strict", "release", "assumed-release-length", "per-file-ignores"}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise error(f"unknown lint setting `{unknown[0]}`", file=file, exit_code=2,
                    hint=f"known settings: {', '.join(sorted(known))}")
    per_file = settings.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise error("`per-file-ignores` must map globs to rule ids", file=file, exit_code=2)
    length = settings.get("assumed-release-length", 16)
    if not isinstance(length, int) or isinstance(length, bool) or not 1 <= length <= 53:
        raise error("`assumed-release-length` must be a number from 1 to 53", file=file,
                    exit_code=2)
    release = settings.get("release")
    if release is not None and not isinstance(release, str):
        raise error("`release` must be a string", file=file, exit_code=2)
    if release is not None:
        from svcgen.helm import check_release

        check_release(release, "`release`", file=file)
    return LintConfig(
        select=_ids(settings.get("select", []), "select", file),
        ignore=_ids(settings.get("ignore", []), "ignore", file),
        strict=bool(settings.get("strict", False)),
        release=release,
        assumed_release_length=length,
        per_file_ignores=tuple((str(k), _ids(v, f"per-file-ignores.{k}", file))
                               for k, v in per_file.items()),
        root=path.resolve().parent,
        source=file,
    )


def matches(rule_id: str, patterns: tuple[str, ...]) -> bool:
    """Whether a rule id is named by one of these ids or prefixes (``SVC6`` names SVC601…)."""
    return any(rule_id.upper().startswith(p) for p in patterns)
