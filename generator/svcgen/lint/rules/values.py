"""Keys of the values themselves that the schema lets through."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from svcgen.diagnostics import Severity
from svcgen.lint.registry import Context, Finding, rule
from svcgen.model import Global


def _global_keys() -> tuple[str, ...]:
    return tuple(sorted(f.alias or name for name, f in Global.model_fields.items()))


@rule("SVC002", "unknown-global-key", Severity.WARNING,
      "A key under `global` that the chart does not know", raw_only=True)
def unknown_global_key(ctx: Context) -> Iterator[Finding]:
    """The schema lets unknown keys through at the top of ``global``, because Helm hands a chart
    that is a dependency of another chart the parent's globals too. Outside such an umbrella
    chart an unknown global key is almost always a typo, and a typo there fails silently: the
    setting it meant keeps its default (``networkPolicies: {enabled: true}`` leaves every
    NetworkPolicy off). Silence the rule for a file that does carry a parent's globals.

    Example fix: spell the key as the chart does.

        global:
          networkPolicy: {enabled: true}   # was networkPolicies
    """
    globals_ = ctx.raw.get("global")
    if not isinstance(globals_, dict):
        return
    known = _global_keys()
    for key in globals_:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        hint = (f"did you mean `{close[0]}`?" if close
                else "remove it, or ignore SVC002 for a file that carries a parent chart's globals")
        yield Finding(("global", key), f"`global.{key}` is not a setting of this chart", hint,
                      key=True)
