"""Relative paths in Compose files, resolved as compose-go resolves them.

A relative path means a place relative to the directory of the file that wrote it (for the
Compose files given on the command line: the project directory, the directory of the first
one). Files reached through ``extends`` and ``include`` bring their services with their paths
already made absolute against their own directory, so the rest of the reader reads every path
against the project directory with :func:`resolve`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["rebase_service", "resolve"]


def resolve(value: str, base: Path) -> Path:
    """``value`` as the file in directory ``base`` means it: ``~`` is the home directory, an
    absolute path stays, anything else is relative to ``base``."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _rebased(value: Any, base: Path) -> Any:
    return str(resolve(value, base)) if isinstance(value, str) and value else value


def _is_remote(value: str) -> bool:
    """A build context Docker fetches (a git or https URL) is not a path."""
    return "://" in value or value.startswith(("git@", "github.com/"))


def rebase_service(service: Any, base: Path) -> Any:
    """A copy of ``service`` (from a file in ``base``) whose relative paths are absolute: build
    contexts, env and label files, and bind-mount sources (what compose-go's
    ``ResolveRelativePaths`` rewrites in a service)."""
    if not isinstance(service, dict):
        return service
    out = dict(service)
    build = out.get("build")
    if isinstance(build, str) and not _is_remote(build):
        out["build"] = _rebased(build, base)
    elif isinstance(build, dict):
        build = dict(build)
        context = build.get("context")
        if isinstance(context, str) and not _is_remote(context):
            build["context"] = _rebased(context, base)
        extra = build.get("additional_contexts")
        if isinstance(extra, dict):
            build["additional_contexts"] = {
                k: v if not isinstance(v, str) or _is_remote(v) or ":" in v.split("/")[0]
                else _rebased(v, base) for k, v in extra.items()}
        out["build"] = build
    env_file = out.get("env_file")
    if isinstance(env_file, str):
        out["env_file"] = _rebased(env_file, base)
    elif isinstance(env_file, list):
        out["env_file"] = [
            {**item, "path": _rebased(item.get("path"), base)} if isinstance(item, dict)
            else _rebased(item, base) for item in env_file]
    label_file = out.get("label_file")
    if isinstance(label_file, str):
        out["label_file"] = _rebased(label_file, base)
    elif isinstance(label_file, list):
        out["label_file"] = [_rebased(item, base) for item in label_file]
    volumes = out.get("volumes")
    if isinstance(volumes, list):
        out["volumes"] = [_rebased_volume(item, base) for item in volumes]
    return out


def _rebased_volume(item: Any, base: Path) -> Any:
    if isinstance(item, dict):
        source = item.get("source")
        if item.get("type") == "bind" and isinstance(source, str):
            return {**item, "source": _rebased(source, base)}
        return item
    if not isinstance(item, str):
        return item
    source, sep, rest = item.partition(":")
    # a relative bind mount; a name is a named volume, and ~ and / are not relative
    if sep and source.startswith("."):
        return f"{resolve(source, base)}{sep}{rest}"
    return item
