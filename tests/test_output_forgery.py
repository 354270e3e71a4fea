"""Output cannot be forged: keys, values and file names from the input that hold newlines, lines
starting with ``::`` (a GitHub Actions workflow command) and terminal escape sequences reach every
output format of lint and diff inert — shown as escapes in text, workflow-command escaped for
GitHub, encoded by the JSON encoder for JSON and SARIF — and still say what they said."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from chartutil import ONE_COMPONENT
from typer.testing import CliRunner

from svcgen.cli import app

#: What a hostile contributor writes: a new line holding a workflow command, ANSI and OSC
#: sequences, a bare carriage return, a C1 CSI and a line separator.
EVIL = ("x\n::error file=a.yaml,line=1::approved\r::stop-commands::tok"
        "\x1b[2J\x1b]0;t\x07\x9b1m\u2028")
#: What YAML can carry in a rendered string (helm's toYaml drops a map with C0 controls but
#: newline, return and tab). The values schema refuses it as an annotation key (not a qualified
#: name), so in a render it reaches diff's output as an annotation value.
EVIL_KEY = "x\n::error file=a.yaml,line=1::approved\r\n::stop-commands::tok\u2028\u202e"
#: The values file lives in a directory whose name is itself a forged command. helm reads its
#: `-f` list as comma-separated values and a name with `:` as a URL, so diff, which renders both
#: sides, gets a name with escape sequences only.
EVIL_DIR = "\n::warning::dir\x1b[31m"
EVIL_DIR_HELM = "dir %0A%3A%3Aerror %1B[31m x"

VALUES = ONE_COMPONENT
#: A component key that is no chart key (a schema error quoting the key) and a value of the
#: wrong type (a schema error describing the value), both carrying EVIL.
LINT_BAD = VALUES + f"    {json.dumps(EVIL)}: 1\n    replicas: {json.dumps('3' + EVIL)}\n"
#: NEW adds an annotation whose value carries EVIL_KEY, an env value with EVIL, and changes the
#: Service type (a DIFF401 finding placed in the hostile file).
BASE = VALUES + "    annotations: {team: shop}\n    service: {type: NodePort}\n"
NEW = VALUES.replace(
    "        ports:", f"        env: {{MODE: {json.dumps(EVIL)}}}\n        ports:") + \
    f"    annotations: {{team: shop, note: {json.dumps(EVIL_KEY)}}}\n" + \
    "    service: {type: ClusterIP}\n"

FORMATS = ["text", "github", "json", "sarif"]
#: Lines a workflow runner would act on: any line that, stripped of leading space, starts `::`.
COMMAND = re.compile(r"^\s*::")
#: One annotation as svcgen writes it: level, properties without `::`, then the message.
ANNOTATION = re.compile(r"^::(error|warning|notice) (file=[^:,]*)(,line=\d+)?(,col=\d+)?"
                        r"(,title=[^:,]*)?::[^\r\n]*$")


def lint(tmp_path: Path, fmt: str) -> tuple[int, str, Path]:
    folder = tmp_path / EVIL_DIR
    folder.mkdir()
    values = folder / "values.yaml"
    values.write_text(LINT_BAD)
    result = CliRunner().invoke(app, ["lint", "--format", fmt, str(values)])
    return result.exit_code, result.stdout, values


def diff(tmp_path: Path, helm: str, fmt: str, new: str = NEW) -> tuple[int, str, Path]:
    folder = tmp_path / EVIL_DIR_HELM
    folder.mkdir()
    (tmp_path / "base.yaml").write_text(BASE)
    (folder / "new.yaml").write_text(new)
    result = CliRunner().invoke(app, ["diff", "--helm", helm, "--format", fmt,
                                      str(tmp_path / "base.yaml"), "--",
                                      str(folder / "new.yaml")])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, folder / "new.yaml"


def strings(doc: object) -> list[str]:
    """Every string inside a decoded JSON document."""
    if isinstance(doc, str):
        return [doc]
    if isinstance(doc, dict):
        return [t for k, v in doc.items() for t in (*strings(k), *strings(v))]
    if isinstance(doc, list):
        return [t for item in doc for t in strings(item)]
    return []


def assert_inert_text(out: str) -> None:
    """No control character but the line ends, no line a runner would execute."""
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]", out), out
    assert not [line for line in out.splitlines() if COMMAND.match(line)], out


def assert_github_commands_only_ours(out: str) -> None:
    """Each line that is a command is one whole annotation of ours; nothing else is one."""
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]", out), out
    commands = [line for line in out.splitlines() if COMMAND.match(line)]
    assert commands
    for line in commands:
        assert ANNOTATION.match(line), line


def unescape_github(text: str) -> str:
    return text.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":") \
        .replace("%2C", ",").replace("%25", "%")


# --- lint --------------------------------------------------------------------------------------


def test_lint_text_shows_hostile_keys_values_and_file_names_as_escapes(tmp_path: Path) -> None:
    code, out, values = lint(tmp_path, "text")
    assert code == 1
    assert_inert_text(out)
    assert "unknown key `x\\n::error file=a.yaml,line=1::approved\\r::stop-commands::tok" \
        "\\x1b[2J\\x1b]0;t\\x07\\x9b1m\\u2028`" in out
    assert json.dumps(str(values)) in out  # the file name, quoted as it needs escapes


def test_lint_github_output_holds_only_its_own_annotations(tmp_path: Path) -> None:
    code, out, values = lint(tmp_path, "github")
    assert code == 1
    assert_github_commands_only_ours(out)
    files = {unescape_github(m.group(2).removeprefix("file="))
             for m in map(ANNOTATION.match, out.splitlines()) if m}
    assert files == {str(values).replace("\n", "\\n").replace("\x1b", "\\x1b")}


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_lint_json_and_sarif_carry_hostile_text_encoded_and_whole(tmp_path: Path,
                                                                  fmt: str) -> None:
    code, out, values = lint(tmp_path, fmt)
    assert code == 1
    assert_inert_text(out)  # the encoder escapes every control character
    doc = json.loads(out)
    if fmt == "json":
        texts = [f["message"] for f in doc["findings"]]
        assert {f["file"] for f in doc["findings"]} == {str(values)}
        assert any(f["path"] == f"components.api.{EVIL}" for f in doc["findings"])
    else:
        results = doc["runs"][0]["results"]
        texts = [r["message"]["text"] for r in results]
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in results}
        assert all("\n" not in u and "\x1b" not in u and " " not in u for u in uris)
    assert any(f"unknown key `{EVIL}`" in t for t in texts)


# --- diff --------------------------------------------------------------------------------------


def test_diff_text_shows_hostile_paths_names_and_values_as_escapes(
        tmp_path: Path, helm4: str) -> None:
    code, out, new = diff(tmp_path, helm4, "text")
    assert code == 0, out  # one warning
    assert_inert_text(out)
    assert "x\\n::error file=a.yaml" in out  # the annotation value, escaped
    assert "DIFF401" in out and str(new) in out


def test_diff_github_output_holds_only_its_own_annotations(tmp_path: Path, helm4: str) -> None:
    code, out, _ = diff(tmp_path, helm4, "github")
    assert code == 0
    assert_github_commands_only_ours(out)
    assert "DIFF401" in out and "x\\n::error" in out


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_diff_json_and_sarif_carry_hostile_text_encoded_and_whole(
        tmp_path: Path, helm4: str, fmt: str) -> None:
    code, out, new = diff(tmp_path, helm4, fmt)
    assert code == 0
    assert_inert_text(out)
    doc = json.loads(out)
    if fmt == "json":
        paths = {f["path"] for c in doc["changes"] for f in c["fields"]}
        assert "metadata.annotations.note" in paths
        assert any(EVIL_KEY in text for text in strings(doc))  # carried whole, decoded back
        assert {f["file"] for f in doc["findings"]} == {str(new)}
        assert doc["new"] == [str(new)]
    else:
        assert [r["ruleId"] for r in doc["runs"][0]["results"]] == ["DIFF401"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_diff_refusing_a_hostile_annotation_key_prints_it_inert(tmp_path: Path, helm4: str,
                                                                 fmt: str) -> None:
    """A key that is no qualified name is refused by the values schema before any render: in every
    format the refusal goes to stderr as located errors that quote the key escaped, and the diff
    fails."""
    folder = tmp_path / EVIL_DIR_HELM
    folder.mkdir()
    (tmp_path / "base.yaml").write_text(BASE)
    (folder / "new.yaml").write_text(NEW.replace("note:", f"{json.dumps(EVIL_KEY)}:"))
    result = CliRunner().invoke(app, ["diff", "--helm", helm4, "--format", fmt,
                                      str(tmp_path / "base.yaml"), "--",
                                      str(folder / "new.yaml")])
    assert result.exit_code == 1
    assert_inert_text(result.stderr)
    assert "x\\n::error file=a.yaml,line=1::approved\\r\\n::stop-commands" in result.stderr
    assert "new.yaml:8:5: error[helm-schema]" in result.stderr


def test_errors_on_stderr_show_hostile_file_names_inert(tmp_path: Path) -> None:
    """A usage error names the file it could not read: quoted, so it starts no command."""
    missing = str(tmp_path / EVIL_DIR / "values.yaml")
    result = CliRunner().invoke(app, ["lint", missing])
    assert result.exit_code == 2
    assert_inert_text(result.stderr)
    assert json.dumps(missing) in result.stderr
