"""docs/graphs.md shows the picture of every bundled example, as `svcgen graph` draws it now;
`make generate` (SVCGEN_UPDATE_GOLDENS=1) redraws it, and this test fails when it is stale."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from golden import REPO, assert_golden

#: (values files, namespace): every example, and the shop once more with NetworkPolicies on.
PICTURES = [
    (["values-examples/minimal-values.yaml"], None),
    (["values-examples/shop-values.yaml"], "shop"),
    (["values-examples/shop-values.yaml", "docs/graphs/shop-networkpolicy.yaml"], "shop"),
    (["values-examples/compose/values.yaml"], None),
    (["values-examples/devspace/values.yaml"], None),
    (["values-examples/spacecloud/values.yaml"], None),
]
DOC = REPO / "docs" / "graphs.md"
INTRO = """\
# Pictures of the bundled examples

Each picture is what `svcgen graph` draws from the chart's render of an example in
`values-examples/`: the components (kind, replicas, images, Service ports), their persistent
claims, the entry points from outside (Ingress hosts and paths, Gateway API routes with their
weights, node ports and load balancers), every call the rendered NetworkPolicies and Istio
policies admit, and the calls a component makes that no policy admits (dashed, crossed, red).
A release without policies is drawn without calls: every pod may call every pod.

This page is generated: `make generate` redraws it, and the tests fail when it is stale.
"""


def picture(files: list[str], namespace: str | None) -> str:
    args = ["graph", "--format", "markdown", *(["-n", namespace] if namespace else []), *files]
    env = {**os.environ, "SVCGEN_HELM": str(REPO / ".venv" / "bin" / "helm")}
    if not os.access(env["SVCGEN_HELM"], os.X_OK):
        env.pop("SVCGEN_HELM")
    proc = subprocess.run([sys.executable, "-m", "svcgen", *args], capture_output=True,
                          text=True, cwd=REPO, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    heading = proc.stdout.partition("\n")[2]
    return f"## {' + '.join(f'`{f}`' for f in files)}\n\n`svcgen {' '.join(args)}`\n" + heading


def test_every_bundled_example_has_its_picture() -> None:
    examples = {str(p.relative_to(REPO)) for p in REPO.glob("values-examples/**/*values.yaml")}
    assert examples == {files[0] for files, _ in PICTURES}


@pytest.mark.golden
def test_docs_show_the_pictures_of_the_bundled_examples_as_drawn_now() -> None:
    text = INTRO + "".join("\n" + picture(files, ns) for files, ns in PICTURES)
    assert_golden(DOC, text, "run `make generate` and commit docs/graphs.md")
