"""The secrets overlay of ``svcgen values --secret-values FILE``: the values the readers kept out
of the values file, in the chart's own ``secretEnv.<VAR>.value`` form, so that
``helm install -f values.yaml -f secrets.yaml`` renders Secrets holding them and pods reading
them, with no Secret created by hand.

In values.yaml each such variable is a reference, ``{secret: <component>-env, key: VAR}``. The
overlay sets ``secret`` and ``key`` to null: Helm merges ``-f`` files key by key, so null removes
the reference and the variable becomes an inline value of the chart-owned Secret. The overlay
also holds a random ``global.secretChecksumSalt`` (kept when the file is rewritten with
``--force``, so the pods' checksum changes only when a value does).

The file is created with mode 0600 and written in one step; an existing file is never replaced
without ``--force``.
"""

from __future__ import annotations

import contextlib
import os
import secrets as random_source
import tempfile
from pathlib import Path
from typing import Any

from svcgen.diagnostics import SvcgenError, error
from svcgen.yamlio import load_documents, output_target

HEADER = (
    "# Secret values for the chart: keep this file out of Git (mode 0600).\n"
    "# Install with: helm install RELEASE CHART -f values.yaml -f {name}\n"
    "# secret/key null drop the references values.yaml holds, so the chart creates the Secrets.\n"
)


def overlay(literals: dict[str, dict[str, dict[str, str]]], salt: str) -> dict[str, Any]:
    """The overlay's data: ``components.<id>.containers.<c>.secretEnv.<VAR>`` for each value."""
    components: dict[str, Any] = {}
    for cid in sorted(literals):
        containers = {
            cname: {"secretEnv": {var: {"secret": None, "key": None, "value": value}
                                  for var, value in sorted(env.items())}}
            for cname, env in sorted(literals[cid].items()) if env}
        if containers:
            components[cid] = {"containers": containers}
    return {"global": {"secretChecksumSalt": salt}, "components": components}


def existing_salt(path: Path) -> str | None:
    """The salt of an overlay written before, so rewriting it does not roll every pod."""
    try:
        docs = load_documents(path, path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SvcgenError):  # unreadable: a new salt, that is all
        return None
    data = docs[0].data() if docs else None
    salt = data.get("global", {}).get("secretChecksumSalt") if isinstance(data, dict) else None
    return salt if isinstance(salt, str) and len(salt) >= 16 else None


def write_overlay(path: str, literals: dict[str, dict[str, dict[str, str]]], *,
                  force: bool) -> int:
    """Write the overlay to ``path`` (mode 0600, in one step); the number of values written."""
    from svcgen.values_cmd import emit

    target = output_target(path)
    if target.exists() and not force:
        raise error(f"{path} exists; secret values are never overwritten without --force",
                    file=path, exit_code=2, hint="pass --force to replace it, or name another file")
    salt = (existing_salt(target) if target.exists() else None) or random_source.token_hex(16)
    data = overlay(literals, salt)
    text = HEADER.format(name=Path(path).name) + emit(data)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise error(f"cannot write {path}: {exc.strerror or exc}", file=path, exit_code=2,
                    hint="check that the directory exists and is writable") from None
    try:
        os.fchmod(fd, 0o600)  # mkstemp creates 0600 already; said explicitly, as it matters
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)  # fails if the file appeared meanwhile: never overwrite
            os.unlink(tmp)
    except FileExistsError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise error(f"{path} exists; secret values are never overwritten without --force",
                    file=path, exit_code=2, hint="pass --force to replace it") from None
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise error(f"cannot write {path}: {exc.strerror or exc}", file=path, exit_code=2,
                    hint="free some space, or write elsewhere") from None
    return sum(len(env) for comp in literals.values() for env in comp.values())
