"""Keys of the values themselves that the schema lets through."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

from svcgen.diagnostics import Severity
from svcgen.lint.registry import Context, Finding, Path, rule
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


_C1 = re.compile("[\u0080-\u009f]")
#: A component's sections the chart writes with toYaml or toJson, which cannot carry a C1
#: character (chart/templates/_validate.tpl refuses the same); env values are quoted and can.
YAML_ONLY_SECTIONS = ("annotations", "podAnnotations", "service", "ingress", "serviceAccount",
                      "affinity", "tolerations", "topologySpreadConstraints", "podSecurityContext")


def _c1_strings(node: Any, path: Path) -> Iterator[tuple[Path, bool]]:
    """(path, is a key) of every key and string value holding a C1 control character."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and _C1.search(key):
                yield (*path, key), True
            yield from _c1_strings(value, (*path, key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _c1_strings(item, (*path, i))
    elif isinstance(node, str) and _C1.search(node):
        yield path, False


@rule("SVC006", "control-character", Severity.ERROR,
      "A value holds a C1 control character the rendered YAML cannot carry", raw_only=True)
def control_character(ctx: Context) -> Iterator[Finding]:
    """A C1 control character (U+0080 to U+009F, e.g. NEL U+0085 pasted from a document) is valid
    UTF-8 and fits the schema, but a YAML document may not carry it unescaped: Helm's ``toYaml``
    drops the whole map that holds it (an annotation vanishes without a word) or breaks the
    document, and ``helm install`` then fails on YAML the user never wrote. The chart refuses
    such values in the sections it writes that way (annotations, the Service, the ingress, the
    ServiceAccount and its rules, the pod fields passed through); the lint names the key.
    Environment values are quoted and carry them.

    Example fix: delete the invisible character (retype the value).

        annotations: {team: payments}
    """
    for path, key in _c1_strings((ctx.raw.get("global") or {}).get("annotations"),
                                 ("global", "annotations")):
        yield _c1_finding(path, key)
    components = ctx.raw.get("components")
    for cid, comp in (components.items() if isinstance(components, dict) else ()):
        for section in YAML_ONLY_SECTIONS:
            if isinstance(comp, dict) and section in comp:
                for path, key in _c1_strings(comp[section], ("components", cid, section)):
                    yield _c1_finding(path, key)


def _c1_finding(path: Path, key: bool) -> Finding:
    return Finding(path, "a C1 control character (U+0080-U+009F) is in this "
                   f"{'key' if key else 'value'}: the rendered YAML cannot carry it",
                   "delete the invisible character", key=key)
