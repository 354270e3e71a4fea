"""Property: whatever values satisfy ``values.schema.json``, lint refuses them, helm refuses them
clearly, or the chart renders objects that pass the API schemas and the API server's validation
— and lint and helm agree: helm never refuses values that plain ``svcgen lint`` accepts.

The values come from :mod:`valuesgen` (drawn from the schema, bounded sizes) and are linted with
``--render`` against the real Helm 4, in the release namespace ``global.project`` names (as
``svcgen lint --render`` and an install do). Every refusal the API validation predicts for a
rendered object (SVC903, SVC910-SVC927) must be an error at a line of the values file, where
the user fixes it. The figures (tried, refused by lint, refused by lint only at render, refused
by helm, rendered clean) are printed; ``SVCGEN_PROPERTY_EXAMPLES`` sets how many examples run.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from chartutil import KUBE_VERSION, RenderError, helm_binary, render_text
from hypothesis import HealthCheck, Phase, given, settings
from valuesgen import schema_valid_values

from svcgen.diagnostics import Diagnostic, Severity
from svcgen.lint import Linter, RenderOptions

EXAMPLES = int(os.environ.get("SVCGEN_PROPERTY_EXAMPLES", "40"))
#: How helm says the chart refused the values on purpose: a `fail` or the values schema.
CLEAR_REFUSAL = re.compile(r"execution error at \(svcgen/templates/[^)]*\): \S|"
                           r"values don't meet the specifications of the schema")
RENDER_RULES = ("SVC901", "SVC903", "SVC91", "SVC92")


def lint_render(path: Path, namespace: str) -> list[Diagnostic]:
    """Errors of `svcgen lint --render` (helm lint aside: it repeats helm template's refusal)."""
    opts = RenderOptions(kube_version=KUBE_VERSION, release="rel", namespace=namespace,
                         helm=helm_binary("helm"))
    result = Linter().lint_files([str(path)], ignore=["SVC902"], render=opts)
    return [d for d in result.diagnostics if d.severity is Severity.ERROR]


def test_schema_valid_values_are_refused_by_lint_or_helm_or_render_objects_the_server_accepts(
    tmp_path: Path,
) -> None:
    figures: Counter[str] = Counter()

    # Shrinking re-renders each smaller example with helm: the failing example itself is shown.
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.data_too_large])
    @given(values=schema_valid_values())
    def check(values: dict[str, Any]) -> None:
        figures["tried"] += 1
        path = tmp_path / "values.yaml"
        path.write_text(json.dumps(values, indent=1), encoding="utf-8")
        namespace = (values.get("global") or {}).get("project") or "demo"
        errors = lint_render(path, namespace)
        assert not [d for d in errors if d.rule == "SVC901"], (
            f"helm refused values plain lint accepts: {errors}")
        at_render = [d for d in errors if d.rule.startswith(RENDER_RULES)]
        for d in at_render:
            assert d.file == str(path) and d.line > 0, f"not at a values line: {d}"
        if len(at_render) < len(errors):
            figures["refused by lint"] += 1
            try:
                render_text(values, release="rel", namespace=namespace)
            except RenderError as exc:
                figures["refused by helm (and lint)"] += 1
                assert CLEAR_REFUSAL.search(exc.stderr), exc.stderr
        elif at_render:
            figures["refused by lint --render only"] += 1
        else:
            figures["rendered clean"] += 1

    check()
    print("\nAPI validation property:", ", ".join(f"{k} {v}" for k, v in figures.items()))
    assert figures["tried"] >= min(EXAMPLES, 20)
    assert figures["rendered clean"] > 0
