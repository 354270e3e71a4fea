"""No message quotes the value of a secret field: schema errors name the field and its path only,
in every output format of lint, and diff's report of values helm refuses says the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from chartutil import ONE_COMPONENT
from typer.testing import CliRunner

from svcgen.cli import app

HEAD = ONE_COMPONENT

#: (the offending lines, the secret that must not appear, the path that must).
CASES = [
    ('        secretEnv: {DB_PASSWORD: "s3cr3t-hunter2"}\n', "s3cr3t-hunter2",
     "components.api.containers.app.secretEnv.DB_PASSWORD"),
    ("        secretEnv: {DB_PASSWORD: {value: 861177342}}\n", "861177342",
     "components.api.containers.app.secretEnv.DB_PASSWORD.value"),
    ('        secretEnv: {DB_PASSWORD: {value: "pw-hunter5", secret: db, key: pw}}\n',
     "pw-hunter5", "components.api.containers.app.secretEnv.DB_PASSWORD"),
    ("        env: {API_TOKEN: {token: tk-hunter3}}\n", "tk-hunter3",
     "components.api.containers.app.env.API_TOKEN"),
    ('global: {imagePullSecrets: ["https://robot:hunter4@registry.example.com"]}\n', "hunter4",
     "global.imagePullSecrets.0"),
]
FORMATS = ["text", "json", "github", "sarif"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("lines", "secret", "path"), CASES)
def test_lint_schema_error_names_a_secret_field_without_its_value(
        tmp_path: Path, lines: str, secret: str, path: str, fmt: str) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(HEAD + lines)
    result = CliRunner().invoke(app, ["lint", "--format", fmt, str(values)])
    assert result.exit_code == 1, result.output
    assert "SVC001" in result.stdout
    assert path in result.stdout or path.replace(".", "/") in result.stdout
    assert secret not in result.stdout + result.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_diff_of_values_helm_refuses_does_not_quote_the_secret(
        tmp_path: Path, helm4: str, fmt: str) -> None:
    (tmp_path / "base.yaml").write_text(HEAD)
    (tmp_path / "new.yaml").write_text(HEAD + CASES[0][0])
    result = CliRunner().invoke(app, ["diff", "--helm", helm4, "--format", fmt,
                                      str(tmp_path / "base.yaml"), "--",
                                      str(tmp_path / "new.yaml")])
    assert result.exit_code == 1
    assert "secretEnv" in result.stdout + result.stderr
    assert CASES[0][1] not in result.stdout + result.stderr
