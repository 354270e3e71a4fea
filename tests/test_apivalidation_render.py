"""``svcgen lint --render`` reports what the API server would refuse in the rendered objects at
the values line it came from, and the chart and the model refuse what they can before that."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chartutil import RenderError, helm_binary, render_text
from test_lint_render import BASE

from svcgen.lint import Linter, RenderOptions


def lint(tmp_path: Path, text: str, *, render: bool = True) -> list[tuple[int, int, str, str]]:
    path = tmp_path / "values.yaml"
    path.write_text(text, encoding="utf-8")
    opts = RenderOptions(kube_version="1.35.0", release="shop", helm=helm_binary("helm"))
    result = Linter().lint_files([str(path)], ignore=["SVC4", "SVC902"],
                                 render=opts if render else None)
    return [(d.line, d.column, d.rule, d.message) for d in result.diagnostics
            if d.severity.value == "error"]


def test_passed_through_pod_fields_the_server_refuses_are_errors_at_their_values_line(
    tmp_path: Path,
) -> None:
    found = lint(tmp_path, BASE + """\
    podSecurityContext: {runAsUser: 3000000000}
    tolerations:
      - {key: "", operator: Equal, value: gpu}
    topologySpreadConstraints:
      - {maxSkew: 0, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule}
    affinity:
      nodeAffinity:
        preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 0
            preference: {matchExpressions: [{key: zone, operator: In, values: [a]}]}
""")
    assert [(line, col, rule) for line, col, rule, _ in found] == [
        (8, 37, "SVC919"), (10, 9, "SVC920"), (12, 9, "SVC920"), (16, 21, "SVC920")]
    assert "runAsUser 3000000000: must be between 0 and 2147483647" in found[0][3]
    assert "empty key must use operator Exists" in found[1][3]
    assert found[2][3].endswith("maxSkew 0: must be greater than zero")
    assert "weight 0: must be in the range 1-100" in found[3][3]


def test_a_label_value_the_server_refuses_is_a_schema_error_at_its_line(tmp_path: Path) -> None:
    found = lint(tmp_path, BASE + "    podLabels: {team: platform engineering}\n", render=False)
    assert [(line, col, rule) for line, col, rule, _ in found] == [(8, 23, "SVC001")]
    assert "is not a label value" in found[0][3]


def test_routes_whose_derived_names_collide_are_refused_at_render(tmp_path: Path) -> None:
    """`a-b` + host `c.example.com` and `a` + host `b-c.example.com` are both routes
    `a-b-c.example.com`: the second would silently replace the first."""
    comp = """\
  {id}:
    containers:
      app:
        image: {{repository: ghcr.io/acme/{id}, tag: "1.4.2"}}
        ports: {{http: {{containerPort: 8080}}}}
    ingress: {{hosts: {{{host}: {{paths: {{/: {{}}}}}}}}}}
"""
    found = lint(tmp_path, "global:\n  exposure: gateway\n  gateway: {name: public, "
                 "namespace: gw}\ncomponents:\n" + comp.format(id="a-b", host="c.example.com")
                 + comp.format(id="a", host="b-c.example.com"))
    assert [(line, col, rule) for line, col, rule, _ in found] == [(5, 3, "SVC912")]
    assert "HTTPRoute 'a-b-c.example.com' is rendered twice (also for component 'a')" in \
        found[0][3]


def test_volume_size_zero_is_a_lint_error_not_only_a_helm_failure(tmp_path: Path) -> None:
    found = lint(tmp_path, BASE + "    volumes:\n      data: {size: 0}\n", render=False)
    assert [(line, col, rule) for line, col, rule, _ in found] == [(9, 20, "SVC001")]
    assert "greater than zero" in found[0][3]


@pytest.mark.parametrize("where", ["global", "component"])
def test_a_c1_control_character_is_refused_before_any_object_renders(
    each_helm: str, where: str
) -> None:
    """Helm's toYaml drops a map holding U+009F (the annotation would vanish) and YAML may not
    carry it raw: Helm 4 reaches the chart, which refuses it with the values path; Helm 3
    already refuses the values when it checks them against the schema."""
    values: dict[str, object] = json.loads(
        '{"components": {"api": {"containers": {"app": {"image": '
        '{"repository": "ghcr.io/acme/api", "tag": "1"}}}}}}')
    note = {"annotations": {"team": "pay\u009fments"}}
    if where == "global":
        values["global"] = note
    else:
        values["components"]["api"].update(note)  # type: ignore[index]
    with pytest.raises(RenderError) as refused:
        render_text(values, helm=each_helm)
    path = "global.annotations: a value" if where == "global" else \
        "components.api: a value of annotations"
    if Path(each_helm).name == "helm3":
        assert "values don't meet the specifications of the schema" in refused.value.stderr
        assert "control characters are not allowed" in refused.value.stderr
    else:
        assert f"{path} holds a C1 control character (U+0080-U+009F)" in refused.value.stderr



APP = """\
    containers:
      app:
        image: {repository: ghcr.io/acme/api, tag: "1.4.2"}
        ports: {http: {containerPort: 8080}}
"""
#: Values the API server (or a CRD's admission) refuses that plain lint refuses where they were
#: written: (what `components.api` holds, line and column of the finding, words of it).
STATIC = [
    ("    kind: DaemonSet\n    strategy: {maxSurge: 1, maxUnavailable: 1}\n" + APP,
     (2, 3), "maxSurge or maxUnavailable, not both"),
    ("    terminationGracePeriodSeconds: 10\n" + APP +
     "        lifecycle: {preStop: {sleep: {seconds: 20}}}\n",
     (2, 3), "longer than terminationGracePeriodSeconds (10)"),
    (APP + "    ingress: {hosts: {a.example.com: {paths: {/api//v1: {}}}}}\n",
     (7, 39), "must not contain '//'"),
    (APP + "    ingress: {hosts: {a.example.com: {paths: {/: {timeouts: "
     "{request: 1s, backendRequest: 2s}}}}}}\n", (7, 51),
     "backendRequest cannot be longer than request"),
    (APP + "    podDisruptionBudget: {maxUnavailable: 120%}\n", (7, 43), "120%"),
    ("    kind: CronJob\n    cronJob: {schedule: '0 3 * * *', timeZone: Mars/Olympus}\n" + APP,
     (4, 48), "not a time zone of the IANA database"),
]


@pytest.mark.parametrize(("component", "where", "words"), STATIC, ids=[c[2] for c in STATIC])
def test_a_refusal_the_model_knows_is_a_lint_error_where_it_was_written(
    tmp_path: Path, component: str, where: tuple[int, int], words: str
) -> None:
    found = lint(tmp_path, "components:\n  api:\n" + component, render=False)
    assert [(line, col, rule) for line, col, rule, _ in found] == [(*where, "SVC001")], found
    assert words in found[0][3]
