"""Every bundled example (``values-examples/**/*values.yaml``) and every golden Compose
conversion, installed into a real kube-apiserver with the real Helm 4: install, upgrade to a
changed label and annotation, uninstall, in a namespace that enforces the Pod Security profile
the values claim. The server must accept every step, the Pod each workload would create and
every hook.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from apiserverutil import Cluster, install_cycle
from chartutil import REPO

EXAMPLES = sorted(str(p.relative_to(REPO)) for p in REPO.glob("values-examples/**/*values.yaml"))
GOLDEN = REPO / "tests" / "compose_golden"
GOLDENS = sorted(p.name for p in GOLDEN.iterdir() if (p / "expected.yaml").is_file())


@pytest.mark.parametrize("case", EXAMPLES)
def test_bundled_example_installs_upgrades_and_uninstalls_on_the_real_server(
        cluster: Cluster, helm4: str, case: str, tmp_path: Path) -> None:
    cycle = install_cycle(cluster, helm4, Path(case).parent.name + "-" + Path(case).stem,
                          [REPO / case], tmp_path)
    assert cycle.problems == [], "\n".join(cycle.problems)
    assert [s.command.split()[1] for s in cycle.steps] == ["install", "upgrade", "uninstall"]



@pytest.mark.parametrize("case", GOLDENS)
def test_golden_compose_conversion_installs_upgrades_and_uninstalls_on_the_real_server(
        cluster: Cluster, helm4: str, case: str, tmp_path: Path) -> None:
    cycle = install_cycle(cluster, helm4, f"golden-{case}", [GOLDEN / case / "expected.yaml"],
                          tmp_path)
    assert cycle.problems == [], "\n".join(cycle.problems)
    assert [s.command.split()[1] for s in cycle.steps] == ["install", "upgrade", "uninstall"]
