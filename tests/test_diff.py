"""`svcgen diff BASE... -- NEW...` end to end: the command line, multi-file merging and standard
input, the change listing, the output formats, exit status, settings and silencing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svcgen.cli import app

FIXTURES = Path(__file__).parent / "diff_fixtures"
EMPTY = FIXTURES / "empty"

API = """\
components:
  api:
    replicas: 2
    containers:
      app:
        image: {repository: ghcr.io/acme/api, tag: "1.4.2"}
        ports: {http: {containerPort: 8080}}
        secretEnv: {TOKEN: {value: s3cret-one}}
    service: {type: NodePort}
"""
#: Each change has a finding: an image (none), the type (DIFF401 warning), a secret (none).
CHANGED = API.replace("1.4.2", "1.5.0").replace("NodePort", "ClusterIP") \
    .replace("s3cret-one", "s3cret-two")


def cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None
        ) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["diff", *args], input=stdin, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def pair(tmp_path: Path) -> tuple[str, str]:
    base, new = tmp_path / "base.yaml", tmp_path / "new.yaml"
    base.write_text(API)
    new.write_text(CHANGED)
    return str(base), str(new)


def test_equivalent_values_in_other_files_and_order_have_an_empty_diff(helm4: str) -> None:
    """The fixture's NEW side is BASE rewritten (two files, other key order, defaults spelled
    out): the renders are the same objects, so nothing changes and the exit status is 0."""
    code, out, err = cli("--helm", helm4, str(EMPTY / "base.yaml"), "--",
                         str(EMPTY / "new.yaml"), str(EMPTY / "new-prod.yaml"))
    assert (code, err) == (0, "")
    assert out.startswith("no changes: the upgrade leaves every object as it is\n")
    assert out.rstrip().endswith("no object changes; no problems in 3 files")
    doc = json.loads(cli("--helm", helm4, "--format", "json", str(EMPTY / "base.yaml"), "--",
                         str(EMPTY / "new.yaml"), str(EMPTY / "new-prod.yaml"))[1])
    assert doc["changes"] == [] and doc["findings"] == []


def test_text_lists_each_object_with_its_changed_fields(pair: tuple[str, str], helm4: str
                                                       ) -> None:
    code, out, _ = cli("--helm", helm4, pair[0], "--", pair[1])
    assert code == 0  # one warning, no error
    assert "~ Deployment api: changed in place\n" in out
    assert '    spec.template.spec.containers[app].image: "ghcr.io/acme/api:1.4.2" → ' \
        '"ghcr.io/acme/api:1.5.0"\n' in out
    assert '~ Service api: changed in place\n    spec.type: "NodePort" → "ClusterIP"' in out
    assert re.search(r"new\.yaml\n +9:21 +warning +DIFF401 +Service api: type NodePort → "
                     r"ClusterIP releases its node ports", out)
    assert out.rstrip().endswith("3 objects change (3 changed in place); 0 errors, 1 warning, "
                                 "0 infos in 2 files")
    assert "\x1b[" not in out  # plain when piped


def test_text_is_coloured_on_request(pair: tuple[str, str], helm4: str) -> None:
    _, out, _ = cli("--helm", helm4, pair[0], "--", pair[1], env={"FORCE_COLOR": "1"})
    assert "\x1b[33m~ Deployment api: changed in place\x1b[0m" in out


def test_secret_values_are_never_printed(pair: tuple[str, str], helm4: str) -> None:
    for fmt in ("text", "json", "github"):
        _, out, _ = cli("--helm", helm4, "--format", fmt, pair[0], "--", pair[1])
        assert "Secret api-env" in out or '"name": "api-env"' in out
        assert "(secret value)" in out
        for leaked in ("s3cret", "czNjcmV0"):  # the values, and their base64
            assert leaked not in out, fmt


def test_json_has_changes_with_fields_and_findings(pair: tuple[str, str], helm4: str) -> None:
    code, out, _ = cli("--helm", helm4, "--format", "json", pair[0], "--", pair[1])
    doc = json.loads(out)
    assert code == 0
    assert doc["base"] == [pair[0]] and doc["new"] == [pair[1]]
    assert doc["summary"] == {"added": 0, "removed": 0, "replaced": 0, "changed": 3,
                              "error": 0, "warning": 1, "info": 0, "suppressed": 0}
    service = next(c for c in doc["changes"] if c["kind"] == "Service")
    assert service == {"action": "changed", "kind": "Service", "name": "api",
                       "apiVersion": "v1", "component": "api", "baseKind": "Service",
                       "hook": False,
                       "reasons": [], "fields": [{"path": "spec.type", "before": "NodePort",
                                                  "after": "ClusterIP"}]}
    finding = doc["findings"][0]
    assert (finding["rule"], finding["name"], finding["line"], finding["column"]) == \
        ("DIFF401", "service-exposure-lost", 9, 21)


def test_github_annotates_findings_and_logs_the_changes(pair: tuple[str, str], helm4: str
                                                       ) -> None:
    _, out, _ = cli("--helm", helm4, "--format", "github", pair[0], "--", pair[1])
    first, *rest = out.splitlines()
    assert first.startswith(f"::warning file={pair[1]},line=9,col=21,"
                            "title=DIFF401 service-exposure-lost::Service api")
    assert "~ Service api: changed in place" in rest


def test_sarif_names_only_diff_rules(pair: tuple[str, str], helm4: str) -> None:
    _, out, _ = cli("--helm", helm4, "--format", "sarif", pair[0], "--", pair[1])
    run = json.loads(out)["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ids and all(i.startswith("DIFF") for i in ids)
    assert [r["ruleId"] for r in run["results"]] == ["DIFF401"]
    assert run["results"][0]["locations"][0]["physicalLocation"]["region"] == \
        {"startLine": 9, "startColumn": 21}


def test_base_from_standard_input_as_git_show_gives_it(tmp_path: Path, helm4: str) -> None:
    """`git show main:values.yaml | svcgen diff - -- values.yaml`: removals are placed in '-'."""
    new = tmp_path / "values.yaml"
    new.write_text(API.replace("    service: {type: NodePort}\n", ""))
    volume = API.replace("        secretEnv", "        volumeMounts: {data: {mountPath: /data}}\n"
                         "        secretEnv") + "    volumes: {data: {size: 1Gi}}\n"
    code, out, _ = cli("--helm", helm4, "--format", "json", "-", "--", str(new), stdin=volume)
    found = [(f["file"], f["line"], f["column"], f["rule"]) for f in json.loads(out)["findings"]]
    assert ("-", 11, 15, "DIFF201") in found
    assert code == 1


def test_exit_status_strict_select_and_ignore(pair: tuple[str, str], helm4: str) -> None:
    assert cli("--helm", helm4, pair[0], "--", pair[1])[0] == 0
    assert cli("--helm", helm4, "--strict", pair[0], "--", pair[1])[0] == 1
    assert cli("--helm", helm4, "--strict", "--ignore", "DIFF4", pair[0], "--", pair[1])[0] == 0
    assert cli("--helm", helm4, "--strict", "--select", "DIFF1", pair[0], "--", pair[1])[0] == 0
    code, _, err = cli("--helm", helm4, "--select", "SVC101", pair[0], "--", pair[1])
    assert code == 2 and "`SVC101` names no rule" in err


def test_settings_section_and_inline_comment_silence_findings(
        pair: tuple[str, str], tmp_path: Path, helm4: str) -> None:
    settings = tmp_path / ".svcgen.yaml"
    settings.write_text("lint: {ignore: [SVC402]}\ndiff: {ignore: [DIFF401], strict: true}\n")
    code, out, _ = cli("--helm", helm4, "--config", str(settings), pair[0], "--", pair[1])
    assert code == 0 and "DIFF401" not in out
    Path(pair[1]).write_text(CHANGED.replace("{type: ClusterIP}",
                                             "{type: ClusterIP}  # svcgen: ignore[DIFF401]"))
    code, out, _ = cli("--helm", helm4, "--strict", pair[0], "--", pair[1])
    assert code == 0 and "DIFF401" not in out
    assert "(1 silenced by configuration or comments)" in out


def test_usage_problems_exit_2_with_a_hint(pair: tuple[str, str], helm4: str) -> None:
    code, _, err = cli(pair[0], pair[1])
    assert code == 2 and "then `--`, then the NEW ones" in err
    code, _, err = cli(pair[0], "--", pair[1], "--format", "json")
    assert code == 2 and "`--format` follows `--`" in err
    code, _, err = cli("-", "--", "-", stdin=API)
    assert code == 2 and "standard input ('-') can be read only once" in err
    code, _, err = cli("--format", "xml", pair[0], "--", pair[1])
    assert code == 2 and "unknown format `xml`" in err


def test_values_helm_refuses_are_reported_at_their_line(pair: tuple[str, str], helm4: str
                                                       ) -> None:
    Path(pair[1]).write_text(CHANGED.replace("replicas: 2", "replicas: two"))
    code, out, err = cli("--helm", helm4, pair[0], "--", pair[1])
    assert code == 1 and out == ""
    assert f"{pair[1]}:3:15: error[helm-schema]" in err
    assert "Traceback" not in err


def test_rules_and_explain_cover_the_diff_rules() -> None:
    result = CliRunner().invoke(app, ["rules"])
    assert "Upgrade safety (svcgen diff)\n  DIFF101  error    immutable-field" in result.stdout
    explained = CliRunner().invoke(app, ["explain", "claim-removed"]).stdout
    assert explained.startswith("DIFF201 claim-removed (error, Upgrade safety (svcgen diff))")
    assert "Example fix:" in explained and "cache: {size: 1Gi}" in explained


def test_removed_component_is_acknowledged_on_components_in_new(tmp_path: Path, helm4: str
                                                                ) -> None:
    """A removal points into BASE; the comment goes on the nearest key NEW still has."""
    two = API + "  worker:\n    containers:\n      app:\n" \
        "        image: {repository: ghcr.io/acme/worker, tag: \"2.0.0\"}\n"
    (tmp_path / "base.yaml").write_text(two)
    (tmp_path / "new.yaml").write_text(API)
    args = ("--helm", helm4, "--strict", str(tmp_path / "base.yaml"), "--",
            str(tmp_path / "new.yaml"))
    code, out, _ = cli(*args)
    assert code == 1 and re.search(r"base\.yaml\n +10:3 +warning +DIFF301 +Deployment worker "
                                   r"is removed: its pods stop", out)
    (tmp_path / "new.yaml").write_text(API.replace("components:\n",
                                                   "components:  # svcgen: ignore[DIFF301]\n"))
    code, out, _ = cli(*args)
    assert code == 0 and "(1 silenced by configuration or comments)" in out
