"""The four output formats of svcgen lint keep their shape: text for people, json, GitHub workflow
commands and SARIF 2.1.0 for CI."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from svcgen import output
from svcgen.cli import app
from svcgen.lint import Linter, all_rules

RULES = Path(__file__).parent / "lint_fixtures" / "rules"
#: Two files with errors, warnings and infos: findings in both, grouped per file.
FILES = [str(RULES / "SVC101-bad.yaml"), str(RULES / "SVC405-bad.yaml")]


def run(fmt: str, *files: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["lint", "--each", "--format", fmt, *(files or FILES)])
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def result() -> Any:
    return Linter().lint_files(FILES[:1])


def test_text_groups_findings_by_file_with_a_summary() -> None:
    code, out = run("text")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == FILES[0]
    second = lines.index(FILES[1])
    assert second > 0
    assert re.match(r"^ +11:34  error    SVC101  8080/TCP is already used by container `app`",
                    lines[lines.index(FILES[0]) + 1 + _before(lines, FILES[0], "SVC101")])
    assert re.search(r"^ +fix: give one of them another port", out, re.M)
    assert re.fullmatch(r"\d+ errors?, \d+ warnings?, \d+ infos? in 2 files", lines[-1])
    assert "\x1b[" not in out  # piped: plain


def _before(lines: list[str], file: str, rule: str) -> int:
    start = lines.index(file) + 1
    for i, line in enumerate(lines[start:]):
        if f"  {rule}  " in line:
            return i
    raise AssertionError(f"{rule} not under {file}")


def test_text_is_coloured_on_a_terminal_unless_no_color(result: Any) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert output.use_colour(Tty(), {"TERM": "xterm"})
    assert not output.use_colour(Tty(), {"TERM": "xterm", "NO_COLOR": "1"})
    assert not output.use_colour(io.StringIO(), {})
    assert output.use_colour(io.StringIO(), {"FORCE_COLOR": "1"})
    coloured = output.format_text(result.diagnostics, result.files, colour=True)
    assert "\x1b[31merror  \x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == output.format_text(
        result.diagnostics, result.files, colour=False)


def test_clean_text_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty-values.yaml"
    empty.write_text("components: {}\n")
    code, out = run("text", str(empty))
    assert (code, out) == (0, "no problems in 1 file\n")


def test_json_shape_is_stable() -> None:
    code, out = run("json")
    doc = json.loads(out)
    assert code == 1
    assert set(doc) == {"version", "tool", "files", "summary", "findings"}
    assert doc["version"] == 1 and doc["tool"]["name"] == "svcgen"
    assert doc["files"] == FILES
    assert set(doc["summary"]) == {"error", "warning", "info", "suppressed"}
    assert sum(doc["summary"][k] for k in ("error", "warning", "info")) == len(doc["findings"])
    types = {"file": str, "line": int, "column": int, "path": str, "rule": str, "name": str,
             "severity": str, "message": str, "hint": str}
    for f in doc["findings"]:
        assert {k: type(v) for k, v in f.items()} == types
        assert f["severity"] in ("error", "warning", "info")
    first = next(f for f in doc["findings"] if f["rule"] == "SVC101")
    assert (first["rule"], first["name"], first["line"], first["column"], first["path"]) == (
        "SVC101", "duplicate-container-port", 11, 34,
        "components.api.containers.proxy.ports.proxy.containerPort")


_COMMAND = re.compile(
    r"^::(?P<level>error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def test_github_workflow_commands() -> None:
    _, out = run("github")
    lines = out.splitlines()
    assert lines
    for line in lines:
        match = _COMMAND.match(line)
        assert match, line
        props = dict(p.split("=", 1) for p in match["props"].split(","))
        assert set(props) == {"file", "line", "col", "title"}
        assert props["file"] in FILES
        assert int(props["line"]) > 0 and int(props["col"]) > 0
        assert re.fullmatch(r"SVC\d{3} [a-z-]+", props["title"])
        assert "\n" not in match["message"] and "%0Afix: " in match["message"]
    assert ("::error file=" + FILES[0] + ",line=11,col=34,title=SVC101 duplicate-container-port::"
            "8080/TCP is already used") in out


def test_github_escapes_properties_and_data() -> None:
    """A message is one line: a newline from the input shows as `\\n` (as in text), and GitHub's
    own escaping keeps `%` and the property separators from being read as syntax."""
    from svcgen.diagnostics import Diagnostic, Severity

    d = Diagnostic(file="a,b:c%0A.yaml", line=1, column=2, rule="SVC101",
                   severity=Severity.INFO, message="50% off\nnext\r::x", hint="")
    assert output.format_github([d], []) == (
        "::notice file=a%2Cb%3Ac%250A.yaml,line=1,col=2,title=SVC101::50%25 off\\nnext\\r::x\n")


def sarif_problems(log: Any) -> list[str]:
    """The structure SARIF 2.1.0 requires of a log (sarif-schema-2.1.0.json's required fields and
    enums for the parts we emit); a list of what is wrong, empty when the log is valid."""
    problems: list[str] = []

    def need(cond: bool, what: str) -> None:
        if not cond:
            problems.append(what)

    need(log.get("version") == "2.1.0", "version must be 2.1.0")
    need(isinstance(log.get("runs"), list), "runs must be an array")
    for r, run_ in enumerate(log.get("runs", [])):
        driver = run_.get("tool", {}).get("driver")
        need(isinstance(driver, dict), f"runs[{r}].tool.driver is required")
        driver = driver or {}
        need(isinstance(driver.get("name"), str) and driver["name"] != "",
             "tool.driver.name is required")
        rules = driver.get("rules", [])
        ids = [rule.get("id") for rule in rules]
        need(len(ids) == len(set(ids)), "rule ids are unique")
        for rule in rules:
            need(isinstance(rule.get("id"), str), "reportingDescriptor.id is required")
            for key in ("shortDescription", "fullDescription", "help"):
                if key in rule:
                    need(isinstance(rule[key].get("text"), str), f"{key}.text is required")
            level = rule.get("defaultConfiguration", {}).get("level", "warning")
            need(level in ("none", "note", "warning", "error"), f"bad level {level}")
        for i, res in enumerate(run_.get("results", [])):
            where = f"runs[{r}].results[{i}]"
            need(isinstance(res.get("message", {}).get("text"), str), f"{where}.message.text")
            need(res.get("level", "warning") in ("none", "note", "warning", "error"),
                 f"{where}.level")
            if "ruleIndex" in res:
                need(0 <= res["ruleIndex"] < len(rules)
                     and rules[res["ruleIndex"]]["id"] == res.get("ruleId"),
                     f"{where}.ruleIndex points at its ruleId")
            for loc in res.get("locations", []):
                phys = loc.get("physicalLocation", {})
                need(isinstance(phys.get("artifactLocation", {}).get("uri"), str),
                     f"{where} artifactLocation.uri")
                region = phys.get("region")
                if region is not None:
                    need(isinstance(region.get("startLine"), int) and region["startLine"] >= 1,
                         f"{where} region.startLine >= 1")
                    need(region.get("startColumn", 1) >= 1, f"{where} region.startColumn >= 1")
                base = phys.get("artifactLocation", {}).get("uriBaseId")
                if base is not None:
                    need(base in run_.get("originalUriBaseIds", {}), f"{where} uriBaseId known")
    return problems


def test_sarif_is_a_valid_2_1_0_log_for_code_scanning() -> None:
    code, out = run("sarif")
    log = json.loads(out)
    assert code == 1
    assert sarif_problems(log) == []
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in all_rules("lint")]
    svc101 = rules[[r["id"] for r in rules].index("SVC101")]
    assert svc101["help"]["text"].startswith("Containers of one pod")
    assert "Example fix" in svc101["help"]["markdown"]
    results = run_["results"]
    first = next(r for r in results if r["ruleId"] == "SVC101")
    assert first["level"] == "error"
    phys = first["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"] == {
        "uri": "tests/lint_fixtures/rules/SVC101-bad.yaml", "uriBaseId": "%SRCROOT%"}
    assert phys["region"] == {"startLine": 11, "startColumn": 34}
    assert {r["level"] for r in results} >= {"error", "warning", "note"}


def test_sarif_check_catches_broken_logs() -> None:
    broken = {"version": "2.0", "runs": [{"tool": {"driver": {"name": ""}},
              "results": [{"message": {}, "level": "fatal",
                           "locations": [{"physicalLocation": {"artifactLocation": {},
                                                               "region": {"startLine": 0}}}]}]}]}
    assert len(sarif_problems(broken)) == 6
