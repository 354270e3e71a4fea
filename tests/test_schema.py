"""values.schema.json and the README values table: generated from the model, never drifting from it,
and enforced the same way by the model, Python's jsonschema, Helm 3 (gojsonschema) and Helm 4.
"""

from __future__ import annotations

import concurrent.futures
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from chartutil import CHART, RenderError, render_text
from golden import assert_golden
from pydantic import ValidationError
from typer.testing import CliRunner

from svcgen import schema as schema_mod
from svcgen.cli import app
from svcgen.model import Component, Values
from svcgen.yamlio import iter_paths, load_document

SCHEMA_FILE = CHART / "values.schema.json"
README_FILE = CHART / "README.md"
SCHEMA_ERROR = "values don't meet the specifications of the schema"

#: Keywords that Helm 3's gojsonschema (drafts 4 to 7) and Helm 4's 2020-12 validator both enforce.
PORTABLE_KEYWORDS = {
    "$schema", "$defs", "$ref", "description", "default", "examples", "type", "enum", "const",
    "properties", "patternProperties", "additionalProperties", "propertyNames", "required",
    "items", "minItems", "maxItems", "minProperties", "maxProperties", "minLength", "maxLength",
    "pattern", "minimum", "maximum", "anyOf", "oneOf", "allOf", "not", "uniqueItems",
}
#: What may stand beside a ``$ref``: draft 7 ignores everything there, so only annotations.
BESIDE_REF = {"$ref", "description", "default", "examples"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


def schema_nodes(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema with its JSON pointer (keys of ``properties`` are names, not schemas)."""
    if not isinstance(node, dict):
        return
    yield where, node
    for key, value in node.items():
        if key in ("properties", "patternProperties", "$defs"):
            for name, sub in value.items():
                yield from schema_nodes(sub, f"{where}/{key}/{name}")
        elif key in ("items", "additionalProperties", "propertyNames", "not"):
            yield from schema_nodes(value, f"{where}/{key}")
        elif key in ("anyOf", "oneOf", "allOf"):
            for i, sub in enumerate(value):
                yield from schema_nodes(sub, f"{where}/{key}/{i}")


def sub_schema(schema: dict[str, Any], *path: str) -> dict[str, Any]:
    """The schema of a values path, following ``$ref`` and keyed-map values (``*``)."""

    def deref(node: dict[str, Any]) -> dict[str, Any]:
        # A nullable object is ``anyOf: [{$ref}, {type: null}]``.
        refs = [b for b in node.get("anyOf", []) if "$ref" in b]
        node = refs[0] if refs else node
        while "$ref" in node:
            node = schema["$defs"][node["$ref"].removeprefix("#/$defs/")]
        return node

    node = schema
    for part in path:
        node = deref(node)
        node = (schema_mod.map_values(node) or {}) if part == "*" else node["properties"][part]
    return deref(node)


# --- drift -----------------------------------------------------------------------------------


@pytest.mark.golden
def test_values_schema_json_is_generated_from_the_model() -> None:
    wanted = schema_mod.schema_text()
    assert_golden(SCHEMA_FILE, wanted, "run `svcgen schema` (or SVCGEN_UPDATE_GOLDENS=1)")


@pytest.mark.golden
def test_readme_values_table_is_generated_from_the_model() -> None:
    readme = README_FILE.read_text(encoding="utf-8")
    wanted = schema_mod.readme_with_table(readme, schema_mod.table_markdown())
    assert_golden(README_FILE, wanted, "its values table; run `svcgen schema`")


def test_generation_is_deterministic() -> None:
    assert schema_mod.schema_text() == schema_mod.schema_text()
    assert schema_mod.table_markdown() == schema_mod.table_markdown()


def test_readme_table_documents_every_field_of_a_container_with_its_description() -> None:
    rows = {row.path: row for row in schema_mod.table_rows()}
    tag = rows["components.<id>.containers.<name>.image.tag"]
    assert (tag.type, tag.default, tag.description) == ("string", "`null`", "Image tag.")
    assert rows["components.<id>.replicas"].default == "`1`"
    assert rows["components.<id>.containers"].default == "*required*"
    # A concrete path shows the chart's effective default, not the field type's own.
    requests = rows["global.defaultResources.requests"]
    assert requests.default == '`{"cpu": "100m", "memory": "128Mi"}`'
    assert rows["components.<id>.containers.<name>.ports"].type == "map of object"
    for field in Component.model_fields:
        assert any(path.startswith(f"components.<id>.{field}") for path in rows), field


def test_readme_table_replaces_only_the_text_between_its_markers() -> None:
    readme = f"intro\n{schema_mod.TABLE_START}\nold\n{schema_mod.TABLE_END}\noutro\n"
    out = schema_mod.readme_with_table(readme, "| new |\n")
    assert out == f"intro\n{schema_mod.TABLE_START}\n| new |\n{schema_mod.TABLE_END}\noutro\n"


# --- the CLI ---------------------------------------------------------------------------------


@pytest.fixture()
def chart_copy(tmp_path: Path) -> Path:
    target = tmp_path / "chart"
    target.mkdir()
    for name in ("values.schema.json", "README.md"):
        shutil.copy(CHART / name, target / name)
    return target


def test_schema_check_passes_on_the_committed_chart() -> None:
    result = CliRunner().invoke(app, ["schema", "--check", "--chart", str(CHART)])
    assert result.exit_code == 0, result.output


def test_schema_check_names_the_stale_file_and_writes_nothing(chart_copy: Path) -> None:
    stale = chart_copy / "values.schema.json"
    stale.write_text("{}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["schema", "--check", "--chart", str(chart_copy)])
    assert result.exit_code == 1
    assert f"{stale} is stale" in result.output
    assert "README.md" not in result.output
    assert stale.read_text(encoding="utf-8") == "{}\n"


def test_schema_command_rewrites_stale_files_and_keeps_prose(chart_copy: Path) -> None:
    readme = chart_copy / "README.md"
    text = readme.read_text(encoding="utf-8")
    start = text.index(schema_mod.TABLE_START) + len(schema_mod.TABLE_START)
    readme.write_text(text[:start] + "\nstale\n" + text[text.index(schema_mod.TABLE_END):])
    (chart_copy / "values.schema.json").unlink()
    result = CliRunner().invoke(app, ["schema", "--chart", str(chart_copy)])
    assert result.exit_code == 0, result.output
    assert readme.read_text(encoding="utf-8") == text
    assert (chart_copy / "values.schema.json").read_bytes() == SCHEMA_FILE.read_bytes()
    assert CliRunner().invoke(app, ["schema", "--check", "--chart", str(chart_copy)]).exit_code == 0


def test_schema_command_without_table_markers_is_a_user_error(chart_copy: Path) -> None:
    (chart_copy / "README.md").write_text("# chart\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["schema", "--chart", str(chart_copy)])
    assert result.exit_code == 1
    assert "values-table:start" in result.output
    assert "Traceback" not in result.output
    assert not list(chart_copy.glob(".*.tmp"))


# --- shape -----------------------------------------------------------------------------------


def test_schema_is_one_self_contained_draft_2020_12_document(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    # gojsonschema reads it as a draft-7-era document: it must be a valid one too.
    jsonschema.Draft7Validator.check_schema(schema)
    for where, node in schema_nodes(schema):
        ref = node.get("$ref")
        if ref is not None:
            assert ref.startswith("#/$defs/"), f"{where}: non-local $ref {ref}"
            assert ref.removeprefix("#/$defs/") in schema["$defs"], f"{where}: dangling {ref}"
            assert set(node) <= BESIDE_REF, f"{where}: draft 7 ignores {set(node) - BESIDE_REF}"
        assert "format" not in node, where
        assert "prefixItems" not in node, where
        assert "title" not in node, where
        assert set(node) <= PORTABLE_KEYWORDS, f"{where}: {set(node) - PORTABLE_KEYWORDS}"


def test_root_allows_global_and_nothing_unknown(schema: dict[str, Any]) -> None:
    assert "global" in schema["properties"]
    assert schema["additionalProperties"] is False


def test_keyed_maps_constrain_their_keys(schema: dict[str, Any]) -> None:
    components = sub_schema(schema, "components")
    assert components["propertyNames"] == {"pattern": "^[a-z]([-a-z0-9]*[a-z0-9])?$",
                                           "maxLength": 63}
    ports = sub_schema(schema, "components", "*", "containers", "*", "ports")
    assert ports["propertyNames"]["maxLength"] == 15
    assert sub_schema(schema, "components", "*", "service", "ports")["propertyNames"][
        "maxLength"] == 15
    for path in (("components", "*", "containers"), ("components", "*", "volumes"),
                 ("components", "*", "containers", "*", "env"),
                 ("components", "*", "ingress", "hosts")):
        node = sub_schema(schema, *path)
        assert "pattern" in node["propertyNames"], path
        # A key outside the pattern must not slip through unchecked.
        assert node["additionalProperties"] is False, path


def test_nullable_where_values_yaml_has_null(schema: dict[str, Any]) -> None:
    defaults = load_document(CHART / "values.yaml").data()
    nulls: list[tuple[str, ...]] = []
    for path in iter_paths(defaults):
        value: Any = defaults
        for part in path:
            value = value[part]
        if value is None:
            nulls.append(tuple(map(str, path)))
    assert nulls, "values.yaml has no null to check"
    for path in nulls:
        node = sub_schema(schema, *path)
        assert "null" in node["type"], path


# --- agreement: model, jsonschema, Helm 3, Helm 4 ----------------------------------------------

IMAGE = {"repository": "ghcr.io/acme/api", "tag": "1.4.2"}


def component(**fields: Any) -> dict[str, Any]:
    """Values with one component ``api`` whose container ``app`` has ``fields`` merged in."""
    extra = fields.pop("component", {})
    return {"components": {"api": {"containers": {"app": {"image": IMAGE, **fields}}, **extra}}}


VALID: dict[str, dict[str, Any]] = {
    "empty": {},
    "null-defaults": {"global": {"project": None, "domain": None, "ingressClassName": None},
                      "nameOverride": None},
    "design-sketch": {
        "global": {"project": "shop", "domain": "example.com", "imagePullSecrets": ["regcred"],
                   "networkPolicy": {"enabled": True}, "mesh": {"istio": True}},
        "components": {
            "api": {
                "replicas": 2,
                "containers": {"app": {
                    "image": IMAGE,
                    "ports": {"http": {"containerPort": 8080}},
                    "env": {"LOG_LEVEL": "info", "WORKERS": 4, "DEBUG": False, "RATIO": 0.5},
                    "secretEnv": {"DB_PASSWORD": {"secret": "db", "key": "password"}},
                    "resources": {"requests": {"cpu": "250m", "memory": "512Mi"},
                                  "limits": {"cpu": 1}},
                    "probes": {"readiness": {"httpGet": {"path": "/healthz", "port": "http"}},
                               "liveness": {"tcpSocket": {"port": 8080}}},
                    "volumeMounts": {"data": {"mountPath": "/var/lib/data"}},
                }},
                "service": {"ports": {"http": {"port": 80, "targetPort": "http"}}},
                "ingress": {"hosts": {"api.example.com": {"paths": {"/": {"port": "http"}}}}},
                "scaling": {"minReplicas": 2, "maxReplicas": 10, "targetCPU": 70},
                "upstreams": [{"component": "db"}, {"project": "billing", "service": "*"}],
                "whitelists": [{"component": "web"}, {"project": "*"}],
                "volumes": {"data": {"size": "1Gi"}},
                "strategy": {"maxUnavailable": "25%", "maxSurge": 1},
            },
        },
    },
    "every-volume-kind": component(component={"volumes": {
        "a": {"emptyDir": {"medium": "Memory"}},
        "b": {"configMap": {"name": "settings"}},
        "c": {"secret": {"secretName": "tls"}},
        "d": {"files": {"nginx.conf": "events {}"}},
        "e": {"existingClaim": "shared"},
        "f": {"size": 1073741824, "accessModes": ["ReadWriteMany"]},
    }}),
    "inline-secret-value": component(secretEnv={"TOKEN": {"value": "s3cr3t"}}),
    "env-from-one-source": component(envFrom=[{"configMap": "settings", "prefix": "APP_"}]),
    "probe-disabled": component(probes={"liveness": {"enabled": False}}),
    "explicit-nulls-beside-the-one-kind": component(
        probes={"readiness": {"httpGet": {"port": 80}, "tcpSocket": None, "exec": None}},
        secretEnv={"T": {"secret": "s", "key": "k", "value": None}},
        component={"volumes": {"d": {"size": "1Gi", "emptyDir": None, "files": None}}},
    ),
    "lifecycle-sleep": component(lifecycle={"preStop": {"sleep": {"seconds": 5}}}),
    "keda-triggers": component(component={"scaling": {
        "minReplicas": 0, "maxReplicas": 3,
        "triggers": [{"type": "cron", "metadata": {"start": "0 8 * * *"}}]}}),
    "id-63-characters": {"components": {"a" * 63: {"containers": {"app": {"image": IMAGE}}}}},
    "hook-job": component(component={"kind": "Job", "job": {
        "backoffLimit": 2, "hook": {"phases": ["post-install", "pre-upgrade"], "weight": -5}}}),
    "cronjob": component(component={"kind": "CronJob", "cronJob": {
        "schedule": "30 2 * * *", "timeZone": "Europe/Berlin"}, "job": {"restartPolicy": "Never"}}),
    "daemonset-with-strategy": component(component={"kind": "DaemonSet", "strategy": {
        "maxUnavailable": 1, "maxSurge": 0}}),
    # A parent chart hands its own globals to this chart when it is a dependency (lint: SVC002).
    "parent-chart-globals": {"global": {"storageClass": "fast", "registry": {"url": "x"}}},
}

INVALID: dict[str, dict[str, Any]] = {
    "unknown-root-key": {"component": {}},
    "unknown-key-inside-a-global-setting": {"global": {"networkPolicy": {"enabeld": True}}},
    "unknown-component-key": component(component={"replica": 2}),
    "negative-replicas": component(component={"replicas": -1}),
    "string-replicas": component(component={"replicas": "2"}),
    "fractional-replicas": component(component={"replicas": 1.5}),
    "uppercase-id": {"components": {"Api": {"containers": {"app": {"image": IMAGE}}}}},
    "id-starting-with-digit": {"components": {"1api": {"containers": {"app": {"image": IMAGE}}}}},
    "id-64-characters": {"components": {"a" * 64: {"containers": {"app": {"image": IMAGE}}}}},
    "port-name-16-characters": component(ports={"p" * 16: {"containerPort": 80}}),
    "port-out-of-range": component(ports={"http": {"containerPort": 70000}}),
    "no-containers": {"components": {"api": {}}},
    "empty-containers": {"components": {"api": {"containers": {}}}},
    "container-without-image": {"components": {"api": {"containers": {"app": {}}}}},
    "wrong-enum": component(component={"kind": "Pod"}),
    # What a kind cannot have (Component's validators; the schema says the same).
    "daemonset-with-replicas": component(component={"kind": "DaemonSet", "replicas": 2}),
    "daemonset-with-scaling": component(component={"kind": "DaemonSet", "scaling": {
        "maxReplicas": 3}}),
    "job-with-scaling": component(component={"kind": "Job", "scaling": {"maxReplicas": 3}}),
    "job-with-service": component(component={"kind": "Job", "service": {"enabled": False}}),
    "cronjob-with-ingress": component(component={"kind": "CronJob", "ingress": {},
                                                 "cronJob": {"schedule": "@daily"}}),
    "cronjob-without-schedule": component(component={"kind": "CronJob"}),
    "cronjob-as-hook": component(component={"kind": "CronJob", "cronJob": {"schedule": "@daily"},
                                            "job": {"hook": {"phases": ["pre-upgrade"]}}}),
    "deployment-with-job": component(component={"job": {"backoffLimit": 1}}),
    "statefulset-with-cronjob": component(component={"kind": "StatefulSet",
                                                     "cronJob": {"schedule": "@daily"}}),
    "hook-without-phases": component(component={"kind": "Job", "job": {"hook": {
        "phases": []}}}),
    "hook-phase-twice": component(component={"kind": "Job", "job": {"hook": {
        "phases": ["pre-upgrade", "pre-upgrade"]}}}),
    "job-restart-always": component(component={"kind": "Job", "job": {
        "restartPolicy": "Always"}}),
    "env-name-with-space": component(env={"LOG LEVEL": "info"}),
    "env-value-object": component(env={"LOG": {"level": "info"}}),
    "bad-quantity": component(resources={"requests": {"cpu": "lots"}}),
    "two-probe-handlers": component(probes={"readiness": {"httpGet": {"port": 80},
                                                          "tcpSocket": {"port": 80}}}),
    "secret-value-and-reference": component(secretEnv={"T": {"value": "x", "secret": "s",
                                                             "key": "k"}}),
    "secret-reference-without-key": component(secretEnv={"T": {"secret": "s"}}),
    "env-from-two-sources": component(envFrom=[{"configMap": "a", "secret": "b"}]),
    "env-from-no-source": component(envFrom=[{"prefix": "A_"}]),
    "volume-two-kinds": component(component={"volumes": {"d": {"size": "1Gi",
                                                                "emptyDir": {}}}}),
    "volume-no-kind": component(component={"volumes": {"d": {"storageClassName": "fast"}}}),
    "peer-component-and-project": component(component={"upstreams": [
        {"component": "db", "project": "billing"}]}),
    "peer-service-without-project": component(component={"whitelists": [{"service": "web"}]}),
    "scaling-without-max": component(component={"scaling": {"minReplicas": 1}}),
    "node-port-out-of-range": component(component={"service": {"ports": {
        "http": {"nodePort": 80}}}}),
    "sleep-unknown-key": component(lifecycle={"preStop": {"sleep": {"minutes": 1}}}),
    "null-required": component(component={"containers": None}),
}

CASES = [(name, values, True) for name, values in VALID.items()] + [
    (name, values, False) for name, values in INVALID.items()
]


def model_accepts(values: dict[str, Any]) -> bool:
    """The model's verdict on values as Helm sees them: JSON types, no string-to-int coercion."""
    try:
        Values.model_validate_json(json.dumps(values), strict=True)
    except ValidationError:
        return False
    return True


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize(("name", "values", "valid"), CASES, ids=[c[0] for c in CASES])
def test_model_and_schema_agree(
    name: str, values: dict[str, Any], valid: bool, validator: jsonschema.Draft202012Validator
) -> None:
    errors = [e.message for e in validator.iter_errors(values)]
    assert model_accepts(values) is valid, f"model verdict on {name}"
    assert (not errors) is valid, f"schema verdict on {name}: {errors}"


def helm_schema_verdict(helm: str, values: dict[str, Any]) -> str | None:
    """Helm's schema error text, or None when Helm's schema check passed."""
    try:
        render_text(values, helm=helm, extra_args=["--show-only", "templates/service.yaml"])
    except RenderError as exc:
        if SCHEMA_ERROR in exc.stderr:
            return exc.stderr
    return None


@pytest.fixture(scope="module")
def helm_verdicts() -> dict[tuple[str, str], str | None]:
    """Every case through both Helms at once (threads: each run is a separate helm process)."""
    jobs = [(helm, name, values) for helm in ("helm", "helm3") for name, values, _ in CASES]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda job: helm_schema_verdict(job[0], job[2]), jobs)
        return {(helm, name): verdict for (helm, name, _), verdict in zip(jobs, results,
                                                                          strict=True)}


@pytest.mark.parametrize("helm", ["helm", "helm3"], ids=["helm4", "helm3"])
def test_helm_enforces_the_schema_like_the_model(
    helm: str, helm_verdicts: dict[tuple[str, str], str | None]
) -> None:
    disagreements = []
    for name, _values, valid in CASES:
        verdict = helm_verdicts[(helm, name)]
        if (verdict is None) is not valid:
            disagreements.append(f"{name}: expected {'valid' if valid else 'invalid'}, "
                                 f"helm said {verdict or 'valid'}")
    assert not disagreements, "\n".join(disagreements)


# Helm rejects these with a message that names where the fix goes: Helm 3 prints dotted paths,
# Helm 4 JSON pointers.
NAMED_PATHS = {
    "unknown-component-key": ("components.api: Additional property replica is not allowed",
                              "at '/components/api': additional properties 'replica'"),
    "string-replicas": ("components.api.replicas: Invalid type. Expected: integer, given: string",
                        "at '/components/api/replicas': got string, want integer"),
    "negative-replicas": ("components.api.replicas: Must be greater than or equal to 0",
                          "at '/components/api/replicas': minimum: got -1, want 0"),
    "uppercase-id": ("components: Additional property Api is not allowed",
                     "at '/components': additional properties 'Api' not allowed"),
    "id-64-characters": (f"components: Additional property {'a' * 64} is not allowed",
                         f"at '/components': additional properties '{'a' * 64}' not allowed"),
    "port-name-16-characters": (
        f"components.api.containers.app.ports: Additional property {'p' * 16} is not allowed",
        f"at '/components/api/containers/app/ports': additional properties '{'p' * 16}'"),
}


@pytest.mark.parametrize("name", sorted(NAMED_PATHS))
@pytest.mark.parametrize("helm", ["helm", "helm3"], ids=["helm4", "helm3"])
def test_helm_rejection_names_the_values_path(
    helm: str, name: str, helm_verdicts: dict[tuple[str, str], str | None]
) -> None:
    helm3_text, helm4_text = NAMED_PATHS[name]
    verdict = helm_verdicts[(helm, name)]
    assert verdict is not None, f"{helm} accepted {name}"
    assert (helm4_text if helm == "helm" else helm3_text) in verdict


def test_helm_rejects_schema_errors_before_rendering_anything() -> None:
    with pytest.raises(RenderError) as caught:
        render_text(INVALID["negative-replicas"], helm="helm")
    assert SCHEMA_ERROR in caught.value.stderr


# --- chart/values.yaml -----------------------------------------------------------------------


def test_values_yaml_validates_against_model_and_schema(
    validator: jsonschema.Draft202012Validator,
) -> None:
    data = load_document(CHART / "values.yaml").data()
    assert [e.message for e in validator.iter_errors(data)] == []
    Values.model_validate_json(json.dumps(data), strict=True)


def test_values_yaml_states_exactly_the_model_defaults() -> None:
    data = load_document(CHART / "values.yaml").data()
    parsed = Values.model_validate(data).model_dump(mode="json", by_alias=True)
    assert parsed == Values().model_dump(mode="json", by_alias=True)
    # Every top-level and global key of the model is written out, so users see it there.
    assert set(data) == {f.alias or n for n, f in Values.model_fields.items()}
    assert set(data["global"]) == set(Values().model_dump(by_alias=True)["global"])
