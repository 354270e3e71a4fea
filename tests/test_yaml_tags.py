"""A YAML tag the input format does not support is refused at its line and column, in every
reader and in lint: never a traceback, a Python repr (``b'hello'``) or a type name."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from svcgen.cli import app

TAGS = ["!!binary aGVsbG8=", "!!set foo", "!!set {a: null}", "!!python/object:os.system x",
        "!!python/tuple [1, 2]", "!custom x", "!!omap [{a: 1}]"]

INPUTS = {
    "compose.yaml": ('services:\n  api:\n    image: "x:1"\n    environment: {{A: {tag}}}\n',
                     (4, 22)),
    "api.yaml": ("containers:\n  - image: nginx:1.27\nreplicas: {tag}\n", (3, 11)),
    "services.yaml": ("api: /v1/runner/{{project}}/services/{{id}}/{{version}}\ntype: service\n"
                      "meta: {{project: shop, id: api, version: v1}}\nspec:\n  tasks:\n"
                      '    - id: app\n      docker: {{image: "x:1"}}\n      env: {{A: {tag}}}\n',
                      (8, 16)),
}


def _check(output: str, tag: str) -> None:
    assert "Traceback" not in output and "b'hello'" not in output
    assert "Commented" not in output and "Error(" not in output
    assert f"the YAML tag {tag.split()[0]} is not supported" in output


@pytest.mark.parametrize("tag", TAGS)
@pytest.mark.parametrize("file", list(INPUTS))
def test_every_reader_refuses_an_unsupported_tag_at_its_position(tmp_path: Path, file: str,
                                                                  tag: str) -> None:
    text, (line, col) = INPUTS[file]
    (tmp_path / file).write_text(text.format(tag=tag))
    result = CliRunner().invoke(app, ["values", str(tmp_path / file)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{tmp_path / file}:{line}:{col}: error:"), result.stderr
    _check(result.stdout + result.stderr, tag)


@pytest.mark.parametrize("tag", TAGS)
def test_lint_refuses_an_unsupported_tag_at_its_position(tmp_path: Path, tag: str) -> None:
    path = tmp_path / "values.yaml"
    path.write_text("components:\n  api:\n    containers:\n      app:\n"
                    f"        image: {{repository: x, tag: '1'}}\n        env: {{A: {tag}}}\n")
    result = CliRunner().invoke(app, ["lint", str(path)])
    assert result.exit_code != 0
    output = result.stdout + result.stderr
    assert "values.yaml:6:18: error" in output
    _check(output, tag)


def test_the_tags_the_formats_use_still_load(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text('services:\n  api:\n    image: "x:1"\n    ports: !reset []\n'
                    "    environment: {A: !!str 1, B: !!int '2'}\n")
    result = CliRunner().invoke(app, ["values", str(path)])
    assert result.exit_code == 0, result.stderr
