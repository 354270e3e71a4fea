"""The reader kit: every format names, parses images, reports, validates, owns keys and orders
values the same way, and ``svcgen values`` knows the formats only from the table of readers.
"""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from chartutil import REPO
from ruamel.yaml import YAML

from svcgen import readers
from svcgen.diagnostics import SvcgenError
from svcgen.model import Component, Container, Values
from svcgen.readers._common import NOT_CONVERTED, RULE_SEVERITY, Owned, ordered, parse_image
from svcgen.readers.base import ReadOptions, ReadResult
from svcgen.values_cmd import generate, run_values
from svcgen.yamlio import Document, load_documents

GENERATOR = REPO / "generator" / "svcgen"


def compose(name: str, image: str = "ghcr.io/acme/api:1.0.0") -> str:
    return f"services:\n  {name}:\n    image: {image}\n"


def spacecloud(name: str, image: str = "ghcr.io/acme/api:1.0.0") -> str:
    return textwrap.dedent(f"""\
        api: /v1/runner/shop/services/{name}/v1
        type: service
        meta: {{project: shop, id: {name}, version: v1}}
        spec:
          tasks:
            - id: app
              docker: {{image: "{image}"}}
        """)


def devspace(name: str, image: str = "ghcr.io/acme/api:1.0.0") -> str:
    return textwrap.dedent(f"""\
        version: v2beta1
        deployments:
          {name}:
            helm:
              values:
                containers:
                  - image: "{image}"
        """)


FORMATS = {"compose": compose, "spacecloud": spacecloud, "devspace": devspace}


def convert(tmp_path: Path, fmt: str, text: str) -> tuple[dict[str, Any], list[Any]]:
    path = tmp_path / f"{fmt}.yaml"
    path.write_text(text, encoding="utf-8")
    values, report, _ = generate([str(path)], ReadOptions(environ={}))
    return values, report


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_one_name_becomes_the_same_component_id_whatever_the_format(
    tmp_path: Path, fmt: str
) -> None:
    """A name that starts with a digit keeps its digits behind an ``s-`` prefix in every format
    (a Service name must start with a letter), so ``1api`` and ``api`` never collide."""
    values, _ = convert(tmp_path, fmt, FORMATS[fmt]("1api"))
    assert list(values["components"]) == ["s-1api"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_invalid_image_reference_is_an_error_at_its_position_in_every_format(
    tmp_path: Path, fmt: str
) -> None:
    with pytest.raises(SvcgenError) as info:
        convert(tmp_path, fmt, FORMATS[fmt]("api", image="ghcr.io/acme/api:bad!tag"))
    diagnostic = info.value.diagnostics[0]
    assert "is not an image reference" in diagnostic.message
    assert diagnostic.file.endswith(f"{fmt}.yaml") and diagnostic.line > 0


def test_the_image_parser_splits_registry_tag_and_digest() -> None:
    ref = parse_image("registry.local:5000/acme/api:1.4@sha256:" + "a" * 64)
    assert ref is not None
    assert ref.values() == {
        "repository": "registry.local:5000/acme/api",
        "tag": "1.4",
        "digest": "sha256:" + "a" * 64,
    }
    assert parse_image("registry.local:5000/acme/api") == parse_image(
        "registry.local:5000/acme/api "
    )
    assert parse_image("acme/api@notadigest") is None


UNCONVERTED = {
    "compose": "services:\n  api:\n    image: nginx:1.27\n    stop_signal: SIGINT\n",
    "spacecloud": spacecloud("api").replace("  tasks:", "  name: The API\n  tasks:"),
    "devspace": devspace("api").replace("helm:", "namespace: other\n    helm:"),
}


@pytest.mark.parametrize("fmt", sorted(UNCONVERTED))
def test_every_reader_reports_an_unconverted_key_the_same_way(tmp_path: Path, fmt: str) -> None:
    _, report = convert(tmp_path, fmt, UNCONVERTED[fmt])
    skipped = [d for d in report if d.rule == NOT_CONVERTED]
    assert skipped, report
    for d in report:
        assert d.severity == RULE_SEVERITY[d.rule]
    for d in skipped:
        assert d.message.startswith("not converted: ")
        assert d.line > 0 and d.path


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_values_keys_follow_the_model_order_in_every_format(tmp_path: Path, fmt: str) -> None:
    values, _ = convert(tmp_path, fmt, FORMATS[fmt]("api"))
    component_order = list(Component.model_fields)
    container_order = list(Container.model_fields)
    for comp in values["components"].values():
        keys = list(comp)
        assert keys == sorted(keys, key=component_order.index)
        for container in comp["containers"].values():
            ckeys = list(container)
            assert ckeys == sorted(ckeys, key=container_order.index)


def test_ordered_sorts_model_keys_at_every_level_and_keeps_maps_as_written() -> None:
    data = {
        "components": {
            "web": {"containers": {"b": {"env": {"Z": "1", "A": "2"}, "image": {"tag": "1",
                                                                           "repository": "x"}}},
                    "kind": "Deployment"},
            "api": {"replicas": 2, "enabled": True, "containers": {}},
        },
        "global": {"project": "shop"},
    }
    out = ordered(data)
    assert list(out) == ["global", "components"]
    assert list(out["components"]) == ["web", "api"]
    assert list(out["components"]["web"]) == ["kind", "containers"]
    assert list(out["components"]["api"]) == ["enabled", "replicas", "containers"]
    container = out["components"]["web"]["containers"]["b"]
    assert list(container) == ["image", "env"]
    assert list(container["image"]) == ["repository", "tag"]
    assert list(container["env"]) == ["Z", "A"]


def test_owned_keys_must_be_fields_of_the_model() -> None:
    with pytest.raises(ValueError, match="not fields of Component"):
        Owned(component=("replica",))
    for name in readers.FORMATS:
        owned = readers.load_reader(name).owned
        assert set(owned.component) <= set(Component.model_fields)
        assert set(owned.container) <= set(Container.model_fields)


def _values(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return data


def _run(inputs: list[str], output: str) -> None:
    err = io.StringIO()
    code = run_values(inputs, output=output, fmt="auto", env_file=None, profiles=(), project=None,
                      registry=None, images=(), strict=False, stdout=io.StringIO(), stderr=err)
    assert code == 0, err.getvalue()


EXTRA = {
    "devspace": ("      values:\n", "      values:\n        replicas: 3\n"),
    "spacecloud": ("  tasks:\n", "  affinity:\n    - {id: a, type: node, weight: 50, "
                   "operator: preferred, matchExpressions: [{key: zone, operator: In, "
                   "values: [a]}]}\n  tasks:\n"),
}


@pytest.mark.parametrize("fmt", sorted(EXTRA))
def test_an_update_in_place_removes_an_owned_key_the_input_no_longer_gives(
    tmp_path: Path, fmt: str
) -> None:
    """Before the kit, only Compose declared owned keys: an in-place update from the other
    formats kept a key the reader had stopped generating."""
    source = tmp_path / f"{fmt}.yaml"
    target = tmp_path / "values.yaml"
    source.write_text(FORMATS[fmt]("api").replace(*EXTRA[fmt]), encoding="utf-8")
    _run([str(source)], str(target))
    generated = _values(target)["components"]["api"]
    assert ("replicas" if fmt == "devspace" else "affinity") in generated
    source.write_text(FORMATS[fmt]("api"), encoding="utf-8")
    _run([str(source)], str(target))
    refreshed = _values(target)["components"]["api"]
    assert "replicas" not in refreshed and "affinity" not in refreshed
    Values.model_validate(_values(target))


def test_the_commands_name_no_format() -> None:
    """``values_cmd.py`` and ``cli.py`` know formats only from the table of readers."""
    for module in ("values_cmd.py", "cli.py"):
        text = (GENERATOR / module).read_text(encoding="utf-8")
        found = re.findall(r"compose|space ?cloud|devspace", text, re.IGNORECASE)
        assert not found, f"{module} names {sorted(set(found))}"


class _IniReader:
    """A format made up for the test: ``kind: ini-service`` documents."""

    name = "ini"
    looks_like = "an ini file has `kind: ini-service`"
    owned = Owned(component=("replicas",))
    loader = staticmethod(load_documents)

    def detect(self, document: Document) -> bool:
        return isinstance(document.tree, dict) and document.tree.get("kind") == "ini-service"

    def read(self, documents: list[Document], options: ReadOptions) -> ReadResult:
        return ReadResult(values={"components": {
            str(d.tree["id"]): {"containers": {"app": {"image": {"repository": "nginx"}}}}
            for d in documents}})


def test_a_reader_registered_in_the_table_is_detected_and_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import types

    module = types.ModuleType("svcgen_test_ini_reader")
    module.READER = _IniReader()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "svcgen_test_ini_reader", module)
    monkeypatch.setitem(readers.READERS, "ini", "svcgen_test_ini_reader")
    monkeypatch.setattr(readers, "FORMATS", (*readers.FORMATS, "ini"))
    import svcgen.values_cmd as values_cmd

    monkeypatch.setattr(values_cmd, "FORMATS", readers.FORMATS)
    path = tmp_path / "web.ini.yaml"
    path.write_text("kind: ini-service\nid: web\n", encoding="utf-8")
    values, _, origin = generate([str(path)], ReadOptions(environ={}))
    assert list(values["components"]) == ["web"] and origin == {"web": "ini"}
    unknown = tmp_path / "other.yaml"
    unknown.write_text("something: else\n", encoding="utf-8")
    with pytest.raises(SvcgenError) as info:
        generate([str(unknown)], ReadOptions(environ={}))
    assert "an ini file has `kind: ini-service`" in info.value.diagnostics[0].hint
    assert "--format compose|spacecloud|devspace|ini" in info.value.diagnostics[0].hint
