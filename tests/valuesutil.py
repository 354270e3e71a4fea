"""Running `svcgen values` in process, for the reader tests."""

from __future__ import annotations

import io

from svcgen.diagnostics import SvcgenError, format_text


def svcgen_values(*args: str, exposure: str | None = None,
                  gateway: str | None = None) -> tuple[int, str, str]:
    """Run `svcgen values ARGS [--exposure E] [--gateway G]` in process: exit code, stdout,
    stderr."""
    from svcgen.values_cmd import run_values

    out, err = io.StringIO(), io.StringIO()
    try:
        code = run_values(
            list(args),
            output=None,
            fmt="auto",
            env_file=None,
            profiles=(),
            project=None,
            registry=None,
            images=(),
            strict=False,
            stdout=out,
            stderr=err,
            exposure=exposure,
            gateway=gateway,
        )
    except SvcgenError as exc:
        err.write("\n".join(format_text(d) for d in exc.diagnostics))
        code = exc.exit_code
    return code, out.getvalue(), err.getvalue()
