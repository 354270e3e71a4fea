"""svcgen lint as a whole: Helm-style merging with provenance, schema errors as diagnostics,
configuration and inline ignores, exit statuses, bad input, and the commands around it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svcgen.cli import app
from svcgen.diagnostics import Severity, SvcgenError
from svcgen.lint import LintConfig, Linter, LintOptions, find_config
from svcgen.lint.source import parse_values
from svcgen.merge import merge

FIXTURES = Path(__file__).parent / "lint_fixtures"
RULES = FIXTURES / "rules"

API = """\
components:
  api:
    replicas: 2
    containers:
      app:
        image: {repository: ghcr.io/acme/api, tag: "1.4.2"}
        ports:
          http: {containerPort: 8080}
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def findings(files: list[str], *rules: str, config: LintConfig | None = None,
             options: LintOptions | None = None) -> list[tuple[str, int, int, str]]:
    result = Linter(config, options).lint_files(files, select=list(rules))
    return [(Path(d.file).name, d.line, d.column, d.rule) for d in result.diagnostics]


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


# --- merging as Helm does, with provenance --------------------------------------------------


def test_later_file_overrides_a_scalar_and_the_finding_points_at_it(tmp_path: Path) -> None:
    base = write(tmp_path, "values.yaml", API + "    scaling: {minReplicas: 2, maxReplicas: 4}\n")
    prod = write(tmp_path, "prod-values.yaml",
                 "components:\n  api:\n    scaling:\n      minReplicas: 9\n")
    assert findings([base, prod], "SVC301") == [("prod-values.yaml", 4, 20, "SVC301")]
    # The other way round the base file's value wins and is reported there.
    assert findings([prod, base], "SVC301") == []


def test_maps_merge_key_by_key_and_keep_the_first_files_positions(tmp_path: Path) -> None:
    base = write(tmp_path, "values.yaml", API)
    extra = write(tmp_path, "extra-values.yaml",
                  "components:\n  api:\n    containers:\n      sidecar:\n"
                  "        image: {repository: envoyproxy/envoy, tag: v1.31.0}\n"
                  "        ports: {admin: {containerPort: 8080}}\n")
    found = findings([base, extra], "SVC101", "SVC402")
    # The duplicate port was written in the second file; the container `app` (no resources) in
    # the first, even though the second file merged into the same `containers` mapping.
    assert ("extra-values.yaml", 6, 40, "SVC101") in found
    assert ("values.yaml", 5, 7, "SVC402") in found
    assert ("extra-values.yaml", 4, 7, "SVC402") in found


def test_lists_are_replaced_whole(tmp_path: Path) -> None:
    base = write(tmp_path, "values.yaml",
                 API + "    upstreams: [{component: nothere}, {component: api}]\n")
    fix = write(tmp_path, "fix-values.yaml",
                "components:\n  api:\n    upstreams: [{component: api}]\n")
    assert findings([base], "SVC701") == [("values.yaml", 9, 29, "SVC701")]
    assert findings([base, fix], "SVC701") == []


def test_null_deletes_the_key(tmp_path: Path) -> None:
    base = write(tmp_path, "values.yaml", API + "    scaling: {minReplicas: 5, maxReplicas: 2}\n")
    off = write(tmp_path, "off-values.yaml", "components:\n  api:\n    scaling: null\n")
    assert findings([base], "SVC301") == [("values.yaml", 9, 28, "SVC301")]
    assert findings([base, off], "SVC301") == []


def test_merge_provenance_for_replaced_subtrees() -> None:
    a = parse_values("a.yaml", "x:\n  k: {z: 1, w: 2}\n")
    b = parse_values("b.yaml", "x:\n  k: 5\n")
    c = parse_values("c.yaml", "x:\n  k:\n    z: 3\n")
    merged = merge([a, b, c])
    assert merged.data == {"x": {"k": {"z": 3}}}
    assert merged.locate(("x", "k", "z")) == ("c.yaml", 3, 8)
    # Nothing left of a.yaml's `w`: the key does not exist any more, its parent is c.yaml's.
    assert merged.locate(("x", "k", "w"))[0] == "c.yaml"


# --- loading: positions, YAML rules, guards -------------------------------------------------


def test_yaml_is_read_as_helm_reads_it() -> None:
    doc = parse_values("v.yaml", 'a: on\nb: "on"\nc: 0x10\nd: 1.10\ne: 2024-01-01\nf: ~\n'
                       "g: n\nh: 12:30\ni: 1_000\n")
    assert doc.data == {"a": True, "b": "on", "c": 16, "d": 1.1, "e": "2024-01-01", "f": None,
                        "g": False, "h": "12:30", "i": 1000}


def test_anchors_and_merge_keys_keep_positions() -> None:
    doc = parse_values("v.yaml", "base: &b\n  tag: latest\nimg:\n  <<: *b\n  repository: x\n")
    assert doc.data["img"] == {"repository": "x", "tag": "latest"}
    assert doc.position(("img", "tag")) == (2, 8)
    assert doc.position(("img", "repository")) == (5, 15)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: [1\n", 2, "invalid YAML"),
        ("a: 1\na: 2\n", 2, "duplicate key 'a'"),
        ("- 1\n", 1, "must hold a YAML mapping"),
        ("a: 1\n---\nb: 2\n", 2, "more than one YAML document"),
        ("a: *nope\n", 1, "invalid YAML"),
    ],
)
def test_bad_yaml_is_a_positioned_error(text: str, line: int, message: str) -> None:
    with pytest.raises(SvcgenError) as info:
        parse_values("bad.yaml", text)
    d = info.value.diagnostics[0]
    assert (d.file, d.line) == ("bad.yaml", line)
    assert message in d.message


def test_alias_bomb_is_refused() -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    with pytest.raises(SvcgenError, match="alias bomb"):
        parse_values("bomb.yaml", "\n".join(lines) + "\n")


# --- schema errors as diagnostics -----------------------------------------------------------


def test_schema_errors_are_translated_not_dumped(tmp_path: Path) -> None:
    code, out, _ = cli("lint", "--format", "json", str(RULES / "SVC001-bad.yaml"))
    assert code == 1
    got = {(f["line"], f["column"]): f for f in json.loads(out)["findings"]}
    assert got[(6, 47)]["message"] == "unknown key `tga`"
    assert got[(6, 47)]["hint"] == "did you mean `tag`?"
    assert "DNS-1035 label" in got[(9, 3)]["message"]
    assert got[(10, 5)]["message"] == "`containers` needs at least 1 entry"
    for f in got.values():
        assert f["rule"] == "SVC001" and "pydantic" not in f["message"]
        assert "validation error" not in f["message"] and "https://" not in f["message"]


def test_raw_rules_still_run_when_the_schema_fails(tmp_path: Path) -> None:
    found = findings([str(RULES / "SVC605-bad.yaml")])
    rules = {r for *_, r in found}
    # hostPath/hostNetwork are explained by SVC605 instead of a bare "unknown key".
    assert rules == {"SVC605"}


# --- names with the release prefix -----------------------------------------------------------


def test_prefixed_names_use_the_release_or_an_assumed_length(tmp_path: Path) -> None:
    cid = "a" * 44  # with the assumed 16-character release: 16 + "-" + 44 = 61, within 63
    values = write(tmp_path, "values.yaml", API.replace("api:", f"{cid}:")
                   .replace("components:", "global: {prefixWithRelease: true}\ncomponents:"))
    result = Linter().lint_files([values], select=["SVC202"])
    assert result.diagnostics == []
    long_release = Linter(options=LintOptions(release="r" * 20)).lint_files(
        [values], select=["SVC202"])
    assert [(d.line, d.severity) for d in long_release.diagnostics] == [
        (3, Severity.ERROR), (3, Severity.ERROR)]
    assumed = Linter(options=LintOptions(assumed_release_length=30)).lint_files(
        [values], select=["SVC202"])
    assert {d.severity for d in assumed.diagnostics} == {Severity.WARNING}
    assert "assumed" in assumed.diagnostics[0].message


# --- silencing: configuration and inline comments ------------------------------------------


def test_inline_comment_silences_only_the_named_rule(tmp_path: Path) -> None:
    values = write(tmp_path, "values.yaml", API.replace(
        '    replicas: 2\n', '    replicas: 2  # svcgen: ignore[SVC302]\n')
        + "    scaling: {minReplicas: 1, maxReplicas: 3}\n"
        + "    volumes:\n      cache: {emptyDir: {}}  # svcgen: ignore\n")
    result = Linter().lint_files([values], select=["SVC302", "SVC503", "SVC402"])
    assert [d.rule for d in result.diagnostics] == ["SVC402"]
    assert result.suppressed == 2


def test_pyproject_section_is_found_upwards_and_applied(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.svcgen.lint]\n'
          'ignore = ["SVC4"]\n\n[tool.svcgen.lint.per-file-ignores]\n'
          '"deploy/*-values.yaml" = ["SVC302"]\n')
    values = write(tmp_path, "deploy/prod-values.yaml",
                   API + "    scaling: {minReplicas: 1, maxReplicas: 3}\n")
    other = write(tmp_path, "other/prod-values.yaml",
                  API + "    scaling: {minReplicas: 1, maxReplicas: 3}\n")
    config = find_config(tmp_path / "deploy")
    assert config.ignore == ("SVC4",)
    assert findings([values], config=config) == []
    assert findings([other], config=config) == [("prod-values.yaml", 3, 5, "SVC302")]


def test_svcgen_yaml_wins_over_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.svcgen.lint]\nignore = ["SVC3"]\n')
    write(tmp_path, ".svcgen.yaml", "lint:\n  select: [SVC3]\n  strict: true\n")
    config = find_config(tmp_path)
    assert (config.select, config.ignore, config.strict) == (("SVC3",), (), True)


def test_bad_configuration_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, ".svcgen.yaml", "lint:\n  ignroe: [SVC3]\n")
    with pytest.raises(SvcgenError) as info:
        find_config(tmp_path)
    assert info.value.exit_code == 2
    assert "unknown lint setting `ignroe`" in info.value.diagnostics[0].message


# --- exit statuses and bad input -------------------------------------------------------------


def test_exit_status_contract(tmp_path: Path) -> None:
    clean = write(tmp_path, "clean-values.yaml", API.replace("    replicas: 2\n", ""))
    warn = write(tmp_path, "warn-values.yaml",
                 API + "    scaling: {minReplicas: 1, maxReplicas: 3}\n")
    assert cli("lint", clean)[0] == 0
    assert cli("lint", warn)[0] == 0
    assert cli("lint", "--strict", warn)[0] == 1
    assert cli("lint", "--strict", "--select", "SVC1", warn)[0] == 0
    assert cli("lint", str(RULES / "SVC101-bad.yaml"))[0] == 1
    assert cli("lint", "--ignore", "SVC101", str(RULES / "SVC101-bad.yaml"))[0] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("components: [\n", "invalid YAML"),
        ("", "is a directory"),
        ("- components\n", "must hold a YAML mapping"),
        ("latin1: caf\xe9\n", "is not UTF-8 text"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
        tmp_path: Path, content: str | None, message: str) -> None:
    if content is None:
        target = str(tmp_path / "missing-values.yaml")
    elif content == "":
        target = str(tmp_path)
    else:
        target = str(tmp_path / "broken-values.yaml")
        Path(target).write_bytes(content.encode("latin-1"))
    code, out, err = cli("lint", target)
    assert code == 2
    assert message in err and "Traceback" not in err + out


@pytest.mark.parametrize("args", [["--format", "xml"], ["--select", "SVC999"], ["--ignore", "X1"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    code, _, err = cli("lint", *args, str(RULES / "SVC101-good.yaml"))
    assert code == 2 and err


def test_each_lints_files_separately(tmp_path: Path) -> None:
    a = write(tmp_path, "a-values.yaml", API + "    scaling: {minReplicas: 5, maxReplicas: 9}\n")
    b = write(tmp_path, "b-values.yaml", "components:\n  api:\n    scaling: {maxReplicas: 2}\n")
    assert cli("lint", "--select", "SVC301", a, b)[0] == 1  # merged: 5 > 2
    code, out, _ = cli("lint", "--each", "--select", "SVC001,SVC301", "--format", "json", a, b)
    # Alone, b has no containers: a schema error of b, not a scaling finding.
    assert sorted((Path(f["file"]).name, f["rule"], f["severity"])
                  for f in json.loads(out)["findings"]) == [
        ("b-values.yaml", "SVC001", "error"), ("b-values.yaml", "SVC001", "info")]
    assert code == 1


def test_schema_errors_say_that_the_other_rules_did_not_run(tmp_path: Path) -> None:
    bad = write(tmp_path, "values.yaml", API.replace("repository:", "repo:"))
    notes = [d for d in Linter().lint_files([bad]).diagnostics if d.severity is Severity.INFO]
    assert len(notes) == 1
    assert "cross-reference rules did not run" in notes[0].message
    assert notes[0].hint == "fix the schema errors, then lint again"


# --- rules and explain -----------------------------------------------------------------------


def test_rules_lists_every_rule() -> None:
    from svcgen.lint import all_rules

    code, out, _ = cli("rules")
    assert code == 0
    for r in all_rules():
        assert re.search(rf"^  {r.id}  {r.severity.value}\s+{r.name}\s", out, re.M), r.id


def test_explain_prints_rationale_and_example_fix() -> None:
    code, out, _ = cli("explain", "SVC501")
    assert code == 0
    assert out.startswith("SVC501 rwo-volume-shared (error, Storage)")
    assert "Example fix:" in out and "kind: StatefulSet" in out
    assert cli("explain", "duplicate-container-port")[1].startswith("SVC101")
    assert cli("explain", "SVC999")[0] == 2


def test_secret_values_are_never_printed() -> None:
    for fmt in ("text", "json", "github", "sarif"):
        _, out, err = cli("lint", "--format", fmt, str(RULES / "SVC601-bad.yaml"),
                          str(RULES / "SVC602-bad.yaml"))
        for secret in ("hunter2", "sk_live_0123456789", "ghp_0123456789", "s3cret",
                       "not-so-secret"):
            assert secret not in out + err, (fmt, secret)


def test_merge_never_changes_the_files_data() -> None:
    a = parse_values("a.yaml", "components:\n  api:\n    replicas: 2\n    env: {A: 1}\n")
    b = parse_values("b.yaml", "components:\n  api:\n    replicas: null\n    env: {B: 2}\n")
    before = json.dumps([a.data, b.data])
    merged = merge([a, b])
    # Without chart defaults nothing is deleted: the null stays, as helm leaves it.
    assert merged.data == {"components": {"api": {"replicas": None, "env": {"A": 1, "B": 2}}}}
    assert json.dumps([a.data, b.data]) == before
    assert merged.locate(("components", "api", "env", "B")) == ("b.yaml", 4, 14)
    assert merged.locate(("components", "api", "env", "A")) == ("a.yaml", 4, 14)


@pytest.mark.parametrize(
    ("snippet", "message", "hint"),
    [
        ("        image: {repository: x, tag: 1.10}\n",
         "expected a string, got a number 1.1", "quote it"),
        ("        image: {repository: x, tag: '1'}\n        ports: [8080]\n",
         "expected a mapping, got a list", "write it as `key: value` pairs"),
        ("        image: {repository: x, tag: '1'}\n        resources: {requests: {cpu: lots}}\n",
         "'lots' is not a Kubernetes quantity such as 250m, 0.5, 512Mi or 2Gi",
         "change the value to fit"),
        ("        image: {repository: x, tag: '1'}\n        env: {A: [1]}\n",
         "expected a string, a whole number, a number or true or false, got a list",
         "write a string"),
    ],
)
def test_schema_messages_speak_of_the_value(snippet: str, message: str, hint: str) -> None:
    doc = parse_values("v.yaml", "components:\n  api:\n    containers:\n      app:\n" + snippet)
    [d] = Linter().lint_sources([doc], select=["SVC001"]).diagnostics
    assert d.message == message
    assert d.hint.startswith(hint)


def test_null_resets_chart_defaults_but_is_judged_elsewhere(tmp_path: Path) -> None:
    base = write(tmp_path, "values.yaml",
                 "global: {domain: example.com}\n" + API)
    reset = write(tmp_path, "reset-values.yaml",
                  "global: {domain: null, networkPolicy: {enabled: null}}\ncomponents:\n"
                  "  api:\n    replicas: null\n")
    result = Linter().lint_files([base, reset], select=["SVC001"])
    # global.* has chart defaults: the nulls delete. components.api.replicas has none: Helm passes
    # the null on and its schema refuses it, so the lint does too, at the null.
    assert [(Path(d.file).name, d.line, d.column, d.path) for d in result.diagnostics] == [
        ("reset-values.yaml", 4, 15, "components.api.replicas")]
    assert "remove the key" in result.diagnostics[0].hint
