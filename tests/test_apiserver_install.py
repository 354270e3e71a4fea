"""Every chart-testing scenario (``chart/ci/*values.yaml``) and the chart's defaults, installed
into a real kube-apiserver with the real Helm 4 and Helm 3: ``helm install``, ``helm upgrade`` to
the values plus a changed label and annotation, ``helm uninstall``, in a namespace that enforces
the Pod Security profile the values claim. The server must accept every step, the Pod each
workload would create and every hook; nothing of the release may remain after the uninstall.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from apiserverutil import Cluster, install_cycle
from chartutil import CHART, REPO

CASES = ["defaults", *(str(p.relative_to(REPO)) for p in sorted(CHART.glob("ci/*values.yaml")))]


def cycle_is_clean(cluster: Cluster, helm: str, case: str, tmp_path: Path) -> None:
    files = [] if case == "defaults" else [REPO / case]
    # A namespace per helm, so that the two helms' runs do not wait for each other.
    cycle = install_cycle(cluster, helm, f"{Path(case).stem}-{Path(helm).name}", files, tmp_path)
    assert cycle.problems == [], "\n".join(cycle.problems)
    assert [s.command.split()[1] for s in cycle.steps] == ["install", "upgrade", "uninstall"]


# One class per helm: pytest-xdist's loadscope gives each to its own worker.
class TestHelm4:
    @pytest.mark.parametrize("case", CASES)
    def test_ci_values_install_upgrade_and_uninstall_on_the_real_server(
            self, cluster: Cluster, helm4: str, case: str, tmp_path: Path) -> None:
        cycle_is_clean(cluster, helm4, case, tmp_path)


class TestHelm3:
    @pytest.mark.parametrize("case", CASES)
    def test_ci_values_install_upgrade_and_uninstall_on_the_real_server(
            self, cluster: Cluster, helm3: str, case: str, tmp_path: Path) -> None:
        cycle_is_clean(cluster, helm3, case, tmp_path)
