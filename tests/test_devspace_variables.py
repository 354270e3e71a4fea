"""DevSpace config variables, resolved as DevSpace resolves them (loft-sh/devspace,
pkg/devspace/config/loader/variable), and commands that are never run.

The configs in devspace_fixtures/versions are real-shaped ``devspace.yaml`` files of every config
version the reader accepts (v1beta1 … v2beta1), each using the variables of its version. Every
one converts with the values given, validates against the model, and leaves no ``${…}`` behind;
without them, it fails at the place the variable is used, naming the ``--var`` to pass.
"""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from svcgen.diagnostics import Diagnostic, SvcgenError, format_text
from svcgen.model import Values
from svcgen.readers.base import ReadOptions, ReadResult
from svcgen.readers.devspace import READER
from svcgen.readers.devspace_vars import VERSIONS
from svcgen.values_cmd import run_values
from svcgen.yamlio import load_documents

FIXTURES = Path(__file__).parent / "devspace_fixtures" / "versions"


def read(text: str, **options: Any) -> ReadResult:
    docs = READER.loader("devspace.yaml", textwrap.dedent(text))
    return READER.read(docs, ReadOptions(**{"environ": {}, **options}))


def failure(text: str, **options: Any) -> Diagnostic:
    with pytest.raises(SvcgenError) as info:
        read(text, **options)
    return info.value.diagnostics[0]


def container(result: ReadResult, cid: str = "api") -> dict[str, Any]:
    c: dict[str, Any] = result.values["components"][cid]["containers"]["container-0"]
    return c


def config(env: str, vars_: str = "", version: str = "v2beta1", extra: str = "") -> str:
    """A devspace.yaml with one component-chart deployment `api` whose first env value is
    ``env``; ``vars_`` is the vars section as written (indented under ``vars:``)."""
    head = ("  api:\n    helm:\n      values:\n" if version == "v2beta1" else
            "  - name: api\n    helm:\n      componentChart: true\n      values:\n")
    text = f"version: {version}\nname: shop\ndeployments:\n{head}"
    text += '        containers: [{image: nginx:1.27, env: [{name: X, value: "' + env + '"}]}]\n'
    if vars_:
        text += "vars:\n" + textwrap.indent(textwrap.dedent(vars_), "  ")
    return text + extra


def env_value(result: ReadResult) -> Any:
    return container(result)["env"]["X"]


# --- every config version -----------------------------------------------------------------------

#: Per fixture: what to pass, and what the converted values must then say.
GIVEN: dict[str, tuple[dict[str, Any], str, dict[str, Any]]] = {
    "v1beta1": ({"variables": {"GREETING": "hello"}}, "quickstart",
                {"containers.container-0.env.GREETING": "hello",
                 "containers.container-0.image.tag": None}),
    "v1beta2": ({"environ": {"APP_TAG": "2.3.4"}}, "devspace-app",
                {"containers.container-0.image.tag": "2.3.4"}),
    "v1beta3": ({}, "node-app", {"containers.container-0.image.repository":
                                 "registry.example.com/node-app",
                                 "containers.container-0.image.tag": "1.2.0"}),
    "v1beta4": ({"environ": {"NGINX_VERSION": "1.27"}}, "web",
                {"containers.container-0.image.tag": "1.27"}),
    "v1beta5": ({"variables": {"INGRESS_HOST": "backend.example.com"}}, "backend",
                {"containers.container-0.env.DATABASE_HOST": "postgres",
                 "containers.container-0.image.tag": "3.1.0",
                 "ingress.hosts.backend.example.com.paths./.port": 8080}),
    "v1beta6": ({}, "storage", {"containers.container-0.env.MINIO_VOLUMES": "/data",
                                "containers.container-0.args": ["server", "/data"],
                                "replicas": 2}),
    "v1beta7": ({"variables": {"SELECT": "api-canary"}}, "api-canary",
                {"containers.container-0.image.tag": "2.7.0"}),
    "v1beta8": ({}, "worker", {"containers.container-0.env.QUEUE_URL":
                               "amqp://worker@rabbitmq:5672/${VHOST}",
                               "containers.container-0.env.DEBUG": "false"}),
    "v1beta9": ({"variables": {"GIT_SHA": "9f3c2a1"}}, "app",
                {"containers.container-0.image.tag": "9f3c2a1"}),
    "v1beta10": ({"project": "shop"}, "frontend", {"containers.container-0.env.API_URL":
                                                   "http://backend.shop.svc.cluster.local:8080"}),
    "v1beta11": ({"environ": {"DOMAIN": "example.com"}}, "api",
                 {"containers.container-0.env.LOG_LEVEL": "info",
                  "ingress.hosts.api.example.com.paths./.port": 8080}),
    "v2beta1": ({"project": "shop", "variables": {"INGRESS_HOST": "shop.example.com"},
                 "environ": {"IMAGE_TAG": "5.3.0"}}, "shop",
                {"containers.container-0.image.repository": "ghcr.io/acme/shop",
                 "containers.container-0.image.tag": "5.3.0",
                 "containers.container-0.env.SHOP_NAME": "shop",
                 "containers.container-0.env.NAMESPACE": "shop",
                 "replicas": 2, "ingress.hosts.shop.example.com.paths./.port": 8080}),
}
#: Per fixture without what GIVEN passes: the variable, where it is used (line, column), the fix.
MISSING: dict[str, tuple[str, int, int, str]] = {
    "v1beta1": ("GREETING", 14, 22, "--var GREETING="),
    "v1beta2": ("APP_TAG", 9, 18, "--var APP_TAG="),
    "v1beta5": ("INGRESS_HOST", 21, 21, "--var INGRESS_HOST="),
    "v1beta7": ("SELECT", 7, 11, "--var SELECT="),
    "v1beta9": ("GIT_SHA", 5, 12, "--var GIT_SHA="),
    "v1beta10": ("DEVSPACE_NAMESPACE", 11, 24, "--project NAMESPACE"),
    "v1beta11": ("DOMAIN", 20, 21, "--var DOMAIN="),
    "v2beta1": ("DEVSPACE_NAMESPACE", 30, 24, "--project NAMESPACE"),
}


def lookup(values: dict[str, Any], dotted: str) -> Any:
    node: Any = values
    parts = dotted.split(".")
    i = 0
    while i < len(parts):
        # Host names and paths hold dots: take the longest key that exists.
        for j in range(len(parts), i, -1):
            key = ".".join(parts[i:j])
            if isinstance(node, dict) and key in node:
                node, i = node[key], j
                break
        else:
            return None
    return node


def read_fixture(version: str, **options: Any) -> ReadResult:
    return READER.read(load_documents(FIXTURES / f"{version}.yaml"),
                       ReadOptions(**{"environ": {}, **options}))


def test_there_is_a_fixture_for_every_config_version_the_reader_accepts() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("*.yaml")) == sorted(VERSIONS) == sorted(GIVEN)


@pytest.mark.parametrize("version", VERSIONS)
def test_each_config_version_converts_with_its_variables_resolved(version: str) -> None:
    options, cid, expected = GIVEN[version]
    result = read_fixture(version, **options)
    Values.model_validate(result.values)
    component = result.values["components"][cid]
    for dotted, want in expected.items():
        assert lookup(component, dotted) == want, dotted
    text = json.dumps(result.values)
    # Only the escaped $${VHOST} of v1beta8 may stay: DevSpace writes it as ${VHOST} too.
    assert text.count("${") == (1 if version == "v1beta8" else 0)


@pytest.mark.parametrize("version", sorted(MISSING, key=VERSIONS.index))
def test_each_config_version_without_a_value_names_the_variable_its_place_and_the_fix(
        version: str) -> None:
    name, line, column, fix = MISSING[version]
    with pytest.raises(SvcgenError) as info:
        read_fixture(version)
    diag = info.value.diagnostics[0]
    assert diag.message.startswith(f"${{{name}}} ")
    assert (diag.file.endswith(f"{version}.yaml"), diag.line, diag.column) == (True, line, column)
    assert fix in diag.hint


# --- where a value comes from ---------------------------------------------------------------------


def test_var_option_wins_over_the_environment_and_the_definition() -> None:
    text = config("${TIER}", "TIER: {source: env, default: free}\n")
    result = read(text, environ={"TIER": "pro"}, variables={"TIER": "enterprise"})
    assert env_value(result) == "enterprise"


def test_source_env_reads_the_environment_then_the_default_else_fails() -> None:
    text = config("${TIER}", "TIER: {source: env, default: free}\n")
    assert env_value(read(text, environ={"TIER": "pro"})) == "pro"
    assert env_value(read(text)) == "free"
    diag = failure(config("${TIER}", "TIER: {source: env}\n"))
    assert "reads the environment (source: env)" in diag.message
    assert diag.hint == "set TIER in the environment or pass --var TIER=<value>"


def test_source_input_ignores_the_environment_and_takes_the_offered_default() -> None:
    text = config("${TIER}", "TIER: {source: input, default: free}\n")
    result = read(text, environ={"TIER": "pro"})
    assert env_value(result) == "free"
    assert any("DevSpace asks for it" in d.message for d in result.report if d.rule == "R002")


def test_a_question_without_default_is_an_error_listing_its_options() -> None:
    diag = failure(config("${TIER}", "TIER: {question: 'Which tier?', options: [free, pro]}\n"))
    assert "a question DevSpace asks (one of free, pro)" in diag.message
    assert diag.hint == "pass --var TIER=<value>, or set TIER in the environment"


def test_source_none_takes_the_default_and_value_is_its_shortcut() -> None:
    assert env_value(read(config("${P}", "P: {source: none, default: /data}\n"))) == "/data"
    assert env_value(read(config("${P}", "P: {value: /data}\n"), environ={"P": "/x"})) == "/data"
    diag = failure(config("${P}", "P: {value: /data, default: /x}\n"))
    assert diag.message == "variable P has both value and default"


def test_a_whole_value_keeps_the_variables_type_and_parts_are_text() -> None:
    text = config("${COUNT}", "COUNT: {default: 3}\n").replace(
        "containers:", "replicas: ${COUNT}\n        containers:")
    result = read(text)
    assert result.values["components"]["api"]["replicas"] == 3
    assert env_value(read(config("n-${COUNT}", "COUNT: {default: 3}\n"))) == "n-3"
    assert env_value(read(config("$!{COUNT}", "COUNT: {default: 3}\n"))) == "3"
    assert env_value(read(config("${F}", "F: {default: false}\n"), environ={"F": "true"})) is True


def test_an_environment_value_must_have_the_type_of_the_default() -> None:
    diag = failure(config("${COUNT}", "COUNT: {default: 3}\n"), environ={"COUNT": "three"})
    assert "not a number" in diag.message


def test_escapes_stay_literal_as_devspace_writes_them() -> None:
    assert env_value(read(config("$${HOME}"))) == "${HOME}"
    assert env_value(read(config("$$(date)"))) == "$(date)"


def test_an_undefined_variable_comes_from_the_environment_or_is_an_error() -> None:
    assert env_value(read(config("${REGION}"), environ={"REGION": "eu"})) == "eu"
    diag = failure(config("${REGION}"))
    assert diag.message.startswith("${REGION} has no value: no vars entry defines it")
    assert diag.hint == "pass --var REGION=<value>, or set REGION in the environment"


def test_definitions_may_use_other_variables_and_predefined_ones() -> None:
    text = config("${NS}", "NS: {value: '${devspace.namespace}-cache'}\n")
    assert env_value(read(text, project="shop")) == "shop-cache"


def test_a_definition_that_refers_to_itself_is_an_error() -> None:
    diag = failure(config("${A}", "A: {value: '${B}'}\nB: {value: '${A}'}\n"))
    assert "refers to itself (A → B → A)" in diag.message


@pytest.mark.parametrize("name", ["DEVSPACE_NAMESPACE", "devspace.namespace", "DEVSPACE_SPACE"])
def test_the_namespace_variables_are_the_project_given(name: str) -> None:
    result = read(config("${" + name + "}"), project="shop")
    assert env_value(result) == "shop"
    assert result.values["global"]["project"] == "shop"


def test_devspace_name_and_profile_come_from_the_config_and_the_options() -> None:
    assert env_value(read(config("${DEVSPACE_NAME}"))) == "shop"
    assert env_value(read(config("${DEVSPACE_PROFILE}"), profiles=("a", "prod"))) == "prod"
    assert env_value(read(config("${DEVSPACE_PROFILE}"))) == ""


@pytest.mark.parametrize("name", ["DEVSPACE_RANDOM", "DEVSPACE_TIMESTAMP", "DEVSPACE_GIT_COMMIT",
                                  "DEVSPACE_CONTEXT", "devspace.git.branch"])
def test_values_of_a_devspace_run_need_var(name: str) -> None:
    diag = failure(config("${" + name + "}"))
    assert "differs from run to run" in diag.message
    assert diag.hint == f"pass --var {name}=<value> to fix it"
    assert env_value(read(config("${" + name + "}"), variables={name: "x1"})) == "x1"


def test_a_runtime_variable_outside_an_image_is_an_error() -> None:
    diag = failure(config("${runtime.hooks.digest.stdout}"))
    assert "runtime variable" in diag.message


# --- commands are never run ----------------------------------------------------------------------


@pytest.mark.parametrize("definition", [
    "MARK: {command: touch, args: ['{mark}']}\n",
    "MARK: {commands: [{os: linux, command: 'touch {mark}'}]}\n",
    "MARK: {source: command, command: 'touch {mark}'}\n",
    "MARK: $(touch {mark})\n",
])
def test_a_command_variable_is_refused_and_never_run(definition: str, tmp_path: Path) -> None:
    mark = tmp_path / "ran"
    diag = failure(config("${MARK}", definition.replace("{mark}", str(mark))))
    assert "takes its value from a command, which DevSpace runs and svcgen never does" in (
        diag.message)
    assert diag.hint.startswith("pass --var MARK=<the command's output>")
    assert diag.path == "deployments.api.helm.values.containers[0].env[0].value"
    assert not mark.exists()
    given = read(config("${MARK}", definition.replace("{mark}", str(mark))),
                 variables={"MARK": "42"})
    assert env_value(given) == 42
    assert not mark.exists()


def test_a_config_expression_is_refused_with_its_command_and_path(tmp_path: Path) -> None:
    mark = tmp_path / "ran"
    text = config("x").replace('env: [{name: X, value: "x"}]', f'env: "$(touch {mark})"')
    diag = failure(text)
    assert diag.message.startswith(f"'$(touch {mark})' is a config expression: DevSpace runs")
    assert "never runs the programs a config names" in diag.message
    assert "--var NAME=<value>" in diag.hint
    assert (diag.path, diag.line) == ("deployments.api.helm.values.containers[0].env", 7)
    assert not mark.exists()


def test_an_unused_command_variable_is_reported_when_devspace_resolves_it_always() -> None:
    result = read(config("x", "SHA: $(git rev-parse HEAD)\n"))
    warned = [d for d in result.report if d.rule == "R100" and d.path == "vars.SHA"]
    assert warned and "alwaysResolve" in warned[0].message
    quiet = read(config("x", "SHA: {command: git, alwaysResolve: false}\n"))
    assert not [d for d in quiet.report if d.path == "vars.SHA"]


def test_before_v2beta1_unused_variables_are_not_resolved() -> None:
    text = config("x", "- name: SHA\n  command: git\n", version="v1beta11")
    assert not [d for d in read(text).report if d.path == "vars[0]"]
    always = config("x", "- name: SHA\n  command: git\n  alwaysResolve: true\n",
                    version="v1beta11")
    assert [d for d in read(always).report if d.path == "vars[0]" and d.rule == "R100"]


# --- definitions by config version ----------------------------------------------------------------


@pytest.mark.parametrize(("version", "definition", "message"), [
    ("v1beta9", "- name: P\n  value: x\n", "unknown key 'value'"),
    ("v1beta10", "- name: P\n  alwaysResolve: true\n", "unknown key 'alwaysResolve'"),
    ("v1beta5", "- name: P\n  source: none\n", "variable source 'none' is not one of"),
    ("v1beta8", "- name: P\n  command: date\n", "unknown key 'command'"),
])
def test_each_version_knows_only_its_own_definition_keys(
        version: str, definition: str, message: str) -> None:
    assert message in failure(config("${P}", definition, version=version)).message


def test_an_unknown_config_version_is_an_error() -> None:
    diag = failure(config("x").replace("v2beta1", "v3", 1).replace("version: v3", "version: v3"))
    assert diag.message == "config version 'v3' is not one DevSpace reads"


# --- svcgen values --var --------------------------------------------------------------------------


def run(*args: str, variables: tuple[str, ...] = ()) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        code = run_values(list(args), output=None, fmt="auto", env_file=None, profiles=(),
                          project=None, registry=None, images=(), strict=False, stdout=out,
                          stderr=err, variables=variables)
    except SvcgenError as exc:
        err.write("\n".join(format_text(d) for d in exc.diagnostics))
        code = exc.exit_code
    return code, out.getvalue(), err.getvalue()


def test_values_command_takes_var_options() -> None:
    fixture = str(FIXTURES / "v1beta7.yaml")
    code, out, _ = run(fixture, variables=("SELECT = api", "UNUSED=1"))
    assert code == 0
    assert "  api:\n" in out
    code, _, err = run(fixture)
    assert code == 1
    assert "v1beta7.yaml:7:11: error: ${SELECT} has no value" in err
    assert "pass --var SELECT=<value>" in err
    code, _, err = run(fixture, variables=("SELECT",))
    assert code == 2
    assert "--var 'SELECT' is not NAME=VALUE" in err


def test_a_config_without_deployments_is_a_devspace_config_with_nothing_to_convert() -> None:
    diag = failure("version: v2beta1\nname: dev-only\ndev:\n  app: {imageSelector: nginx}\n")
    assert diag.message == "no component-chart deployments in the input"
