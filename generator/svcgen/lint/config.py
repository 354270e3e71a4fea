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

Every key is checked as the CLI checks its options: rule ids must name rules of the section's
command (a typo is an error with the nearest id), no id may be empty, ``strict`` is a boolean, and
the settings must leave some rule to run; lint's schema check runs whatever they select.

A settings file is chosen by the repository being linted, so it can choose nothing that runs: no
helm binary, no plugin, no command. Its release name is checked as Helm checks one.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from collections.abc import Iterable
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
                    return from_mapping(settings, candidate, section)
    return LintConfig()


def load_config(path: Path, section: str = "lint") -> LintConfig:
    """The configuration in one file, given with ``--config``."""
    settings = _read(path, section)
    return from_mapping(settings or {}, path, section)


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
        if found is not None and not isinstance(found, dict):
            raise error(f"`tool.svcgen.{section}` must be a table", file=name, exit_code=2)
        return found
    from svcgen.lint.source import parse_values

    try:
        doc = parse_values(name, text)
    except SvcgenError as exc:
        raise SvcgenError(*exc.diagnostics, exit_code=2) from None
    found = doc.data.get(section, {})
    if found is None:
        found = {}
    if not isinstance(found, dict):
        raise error(f"`{section}` must be a mapping", file=name, exit_code=2)
    return found


def _ids(value: Any, key: str, file: str, command: str) -> tuple[str, ...]:
    """Rule ids or prefixes, each checked as the CLI checks ``--select``: a typo is an error with
    the nearest id, never a pattern that matches nothing (or, empty, everything)."""
    from svcgen.lint.registry import check_rule_id

    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise error(f"`{key}` must be a list of rule ids", file=file, exit_code=2,
                    hint='e.g. ["SVC402", "SVC6"]')
    ids = tuple(v.strip().upper() for v in value)
    for i in ids:
        if not i:
            raise error(f"`{key}` holds an empty rule id, which would name every rule",
                        file=file, exit_code=2, hint="remove the empty entry")
        check_rule_id(i, f"`{key}`", command, file=file)
    return ids


def _bool(settings: dict[str, Any], key: str, file: str) -> bool:
    value = settings.get(key, False)
    if not isinstance(value, bool):
        raise error(f"`{key}` must be true or false, not {type(value).__name__} {value!r}",
                    file=file, exit_code=2,
                    hint=f"write `{key}: true` or `{key}: false`, unquoted")
    return value


#: The settings each command's section takes.
KNOWN = frozenset({"select", "ignore", "strict", "release", "assumed-release-length",
                   "per-file-ignores"})
#: The rule that always runs: without it, values that do not fit the chart pass unseen.
ALWAYS = {"lint": "SVC001"}


def from_mapping(settings: dict[str, Any], path: Path, section: str = "lint") -> LintConfig:
    file = str(path)
    command = section
    unknown = sorted(set(settings) - KNOWN)
    if unknown:
        import difflib

        close = difflib.get_close_matches(str(unknown[0]), sorted(KNOWN), n=1)
        raise error(f"unknown {section} setting `{unknown[0]}`", file=file, exit_code=2,
                    hint=(f"did you mean `{close[0]}`? " if close else "")
                    + f"known settings: {', '.join(sorted(KNOWN))}")
    per_file = settings.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise error("`per-file-ignores` must map globs to rule ids", file=file, exit_code=2)
    if any(not isinstance(k, str) or not k.strip() for k in per_file):
        raise error("`per-file-ignores` holds an empty glob", file=file, exit_code=2,
                    hint='name the files, e.g. "chart/ci/*values.yaml"')
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
    select = _ids(settings.get("select", []), "select", file, command)
    ignore = _ids(settings.get("ignore", []), "ignore", file, command)
    _check_selection(select, ignore, file, command)
    return LintConfig(
        select=select,
        ignore=ignore,
        strict=_bool(settings, "strict", file),
        release=release,
        assumed_release_length=length,
        per_file_ignores=tuple((str(k), _ids(v, f"per-file-ignores.{k}", file, command))
                               for k, v in per_file.items()),
        root=path.resolve().parent,
        source=file,
    )


def _check_selection(select: tuple[str, ...], ignore: tuple[str, ...], file: str,
                     command: str) -> None:
    """A settings file that leaves no rule to run turns the gate off: refuse it."""
    from svcgen.lint.registry import all_rules

    always = ALWAYS.get(command)
    if always is not None and always in ignore:
        raise error(f"`ignore` names {always}: the schema check always runs", file=file,
                    exit_code=2, hint="fix the values, or silence one line with "
                    f"`# svcgen: ignore[{always}]`")
    chosen = [r.id for r in all_rules(command)
              if (not select or matches(r.id, select)) and not matches(r.id, ignore)]
    if not chosen:
        raise error(f"the {command} settings select no rule (select {list(select)}, ignore "
                    f"{list(ignore)})", file=file, exit_code=2,
                    hint="select rule ids or prefixes that `ignore` leaves, or remove the "
                    "settings")


def active_rules(rule_ids: Iterable[str], select: tuple[str, ...], ignore: tuple[str, ...],
                 command: str = "lint") -> set[str]:
    """The rules a run reports: those ``select`` names (all when empty) and ``ignore`` does not;
    lint's schema check always."""
    always = ALWAYS.get(command)
    return {rid for rid in rule_ids
            if rid == always or ((not select or matches(rid, select))
                                 and not matches(rid, ignore))}


def matches(rule_id: str, patterns: tuple[str, ...]) -> bool:
    """Whether a rule id is named by one of these ids or prefixes (``SVC6`` names SVC601…)."""
    return any(rule_id.upper().startswith(p) for p in patterns)
