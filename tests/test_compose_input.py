"""Reading Compose files: interpolation, .env files, merging several -f files, our model of the
specification, and positions in every message."""

from __future__ import annotations

from pathlib import Path

import pytest
from composeutil import convert, write_project

from svcgen.diagnostics import SvcgenError
from svcgen.readers.compose.interpolation import InterpolationError, Interpolator, parse_dotenv
from svcgen.readers.compose.loader import load_sources
from svcgen.readers.compose.units import byte_count, cpu_quantity, duration_seconds

ENV = {"SET": "value", "EMPTY": ""}


@pytest.mark.parametrize(("template", "expected"), [
    ("$SET", "value"),
    ("${SET}", "value"),
    ("pre-${SET}-post", "pre-value-post"),
    ("${UNSET:-default}", "default"),
    ("${EMPTY:-default}", "default"),
    ("${SET:-default}", "value"),
    ("${UNSET-default}", "default"),
    ("${EMPTY-default}", ""),
    ("${SET:+replacement}", "replacement"),
    ("${EMPTY:+replacement}", ""),
    ("${EMPTY+replacement}", "replacement"),
    ("${UNSET+replacement}", ""),
    ("${SET:?never raised}", "value"),
    ("${EMPTY?set but empty is fine}", ""),
    ("${UNSET:-${SET}}", "value"),
    ("${UNSET:-${ALSO_UNSET:-deep}}", "deep"),
    ("${SET:-${UNSET:?not evaluated}}", "value"),
    ("$$SET and $${SET}", "$SET and ${SET}"),
    ("cost: $$5", "cost: $5"),
    ("${UNSET}", ""),
])
def test_interpolation_syntax(template: str, expected: str) -> None:
    assert Interpolator(ENV).substitute(template) == expected


@pytest.mark.parametrize(("template", "needle"), [
    ("${UNSET:?needs a value}", "required variable UNSET is not set: needs a value"),
    ("${EMPTY:?}", "required variable EMPTY is empty"),
    ("${UNSET?}", "required variable UNSET is not set"),
    ("${UNSET", "never closed"),
    ("${1BAD}", "starts with a letter"),
    ("${SET:x}", "unknown operator"),
])
def test_interpolation_errors(template: str, needle: str) -> None:
    with pytest.raises(InterpolationError) as exc:
        Interpolator(ENV).substitute(template)
    assert needle in exc.value.message


def test_missing_required_variable_names_the_variable_and_the_line(tmp_path: Path) -> None:
    with pytest.raises(SvcgenError) as exc:
        convert(tmp_path, "services:\n  db:\n    image: postgres:16\n    environment:\n"
                "      POSTGRES_DB: ${DB_NAME:?set DB_NAME}\n")
    d = exc.value.diagnostics[0]
    assert (Path(d.file).name, d.line, d.column) == ("compose.yaml", 5, 7)
    assert "DB_NAME" in d.message and "set DB_NAME" in d.message


def test_unset_variable_warns_and_becomes_empty(tmp_path: Path) -> None:
    out = convert(tmp_path, "services:\n  a:\n    image: x:1${TAG}\n")
    assert out.container("a")["image"] == {"repository": "x", "tag": "1"}
    warning = next(d for d in out.report if "TAG" in d.message)
    assert warning.line == 3 and warning.rule == "R101"


def test_dotenv_file_feeds_interpolation_and_the_shell_wins(tmp_path: Path) -> None:
    write_project(tmp_path, "services: {}", **{".env": "TAG=1.0\nREG=ghcr.io\nNAME=${REG}/api\n"})
    out = convert(tmp_path, "services: {a: {image: '${NAME}:${TAG}'}}", environ={"TAG": "2.0"})
    assert out.container("a")["image"] == {"repository": "ghcr.io/api", "tag": "2.0"}


def test_env_file_option_replaces_the_default_dotenv(tmp_path: Path) -> None:
    write_project(tmp_path, "services: {}", **{".env": "TAG=1.0\n", "prod.env": "TAG=9.9\n"})
    out = convert(tmp_path, "services: {a: {image: 'x:${TAG}'}}",
                  env_file=str(tmp_path / "prod.env"))
    assert out.container("a")["image"]["tag"] == "9.9"


def test_dotenv_syntax() -> None:
    text = ('# comment\nexport A=1\nB = two words # trailing comment\nC="line\\nbreak"\n'
            "D='$NOT ${EXPANDED}'\nE=\"multi\nline\"\nF\n")
    entries = {e.name: e.value for e in parse_dotenv(text, ".env", lambda v, _: v.upper())}
    assert entries == {"A": "1", "B": "TWO WORDS", "C": "LINE\nBREAK",
                       "D": "$NOT ${EXPANDED}", "E": "MULTI\nLINE", "F": None}


# --- several files --------------------------------------------------------------------------------


def test_files_merge_like_docker_compose(tmp_path: Path) -> None:
    (tmp_path / "override.yaml").write_text(
        "services:\n"
        "  a:\n"
        "    image: x:2\n"
        "    environment: [B=over, C=new]\n"
        "    ports: ['80:80', '443:443']\n"
        "    command: [serve, --prod]\n"
        "    volumes: ['data2:/data']\n"
        "    labels: !reset {}\n"
        "    healthcheck: !override {test: [CMD, ok]}\n"
        "volumes: {data2: {}}\n", encoding="utf-8")
    out = convert(tmp_path, """
        services:
          a:
            image: "x:1"
            environment: {A: base, B: base}
            ports: ["80:80"]
            command: [serve, --dev, --verbose]
            volumes: ["data:/data", "logs:/logs"]
            labels: {a.b: c}
            healthcheck: {test: [CMD, old], interval: 5s}
        volumes: {data: {}, logs: {}}
        """, extra=("override.yaml",))
    c = out.container("a")
    assert c["image"]["tag"] == "2"
    assert c["env"] == {"A": "base", "B": "over", "C": "new"}
    assert sorted(p["port"] for p in out.component("a")["service"]["ports"].values()) == [80, 443]
    assert c["args"] == ["serve", "--prod"]
    assert c["volumeMounts"] == {"data2": {"mountPath": "/data"}, "logs": {"mountPath": "/logs"}}
    assert "labels" not in out.component("a")
    assert c["probes"]["readiness"]["periodSeconds"] == 30  # !override dropped interval: 5s


def test_report_points_at_the_file_that_wrote_the_key(tmp_path: Path) -> None:
    (tmp_path / "override.yaml").write_text("services:\n  a:\n    stop_signal: SIGINT\n")
    out = convert(tmp_path, "services:\n  a:\n    image: x:1\n", extra=("override.yaml",))
    stop_signal = out.note_at("services.a.stop_signal", "R100")
    assert (Path(stop_signal.file).name, stop_signal.line) == ("override.yaml", 3)
    summary = out.note_at("services.a", "R001")
    assert (Path(summary.file).name, summary.line) == ("compose.yaml", 2)


# --- the model of the specification ---------------------------------------------------------------


def test_unknown_key_is_an_error_with_a_suggestion_and_position(tmp_path: Path) -> None:
    with pytest.raises(SvcgenError) as exc:
        convert(tmp_path, "services:\n  a:\n    image: x:1\n    enviroment: {A: b}\n")
    d = exc.value.diagnostics[0]
    assert (d.line, d.column, d.path) == (4, 5, "services.a.enviroment")
    assert "unknown key 'enviroment'" in d.message and "environment" in d.hint


def test_wrong_type_is_an_error_naming_path_and_type(tmp_path: Path) -> None:
    with pytest.raises(SvcgenError) as exc:
        convert(tmp_path, "services:\n  a:\n    image: x:1\n    deploy:\n      replicas: many\n")
    d = exc.value.diagnostics[0]
    assert (d.line, d.path) == (5, "services.a.deploy.replicas")
    assert "integer" in d.message and "'many'" in d.message


def test_yaml_1_2_scalars_as_compose_reads_them() -> None:
    data = load_sources("x.yaml", "a: yes\nb: on\nc: true\nd: 0o17\ne: 0440\nf: 1.5\ng: ~\n"
                        "h: '12'\n")[0].data
    assert data == {"a": "yes", "b": "on", "c": True, "d": 15, "e": 0o440, "f": 1.5, "g": None,
                    "h": "12"}


def test_duplicate_keys_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(SvcgenError) as exc:
        load_sources("x.yaml", "services:\n  a: {}\n  a: {}\n")
    assert exc.value.diagnostics[0].line == 3 and "duplicate" in exc.value.diagnostics[0].message


@pytest.mark.parametrize(("text", "seconds"), [("10s", 10), ("1m30s", 90), ("500ms", 0.5),
                                               ("1h", 3600), ("0", 0), ("2.5s", 2.5)])
def test_durations(text: str, seconds: float) -> None:
    assert duration_seconds(text) == seconds


def test_units() -> None:
    assert [byte_count(v) for v in ("512m", "1g", "1.5g", "64k", "2048", "1gb")] == [
        512 * 2**20, 2**30, 1536 * 2**20, 65536, 2048, 2**30]
    assert [cpu_quantity(v) for v in ("0.5", "2", "1.25", "-1")] == ["500m", "2", "1250m", None]
    assert duration_seconds("ten seconds") is None


def test_extends_merges_a_base_service_from_this_or_another_file(tmp_path: Path) -> None:
    write_project(tmp_path, "services: {}", **{"common.yaml": """\
        services:
          base:
            image: "x:1"
            environment: {A: common, B: common}
            healthcheck: {test: [CMD, ok], interval: 7s}
        """})
    out = convert(tmp_path, """
        services:
          web:
            extends: {file: common.yaml, service: base}
            environment: {B: web}
          worker:
            extends: web
            command: [work]
        """)
    assert out.container("web")["env"] == {"A": "common", "B": "web"}
    assert out.container("web")["probes"]["readiness"]["periodSeconds"] == 7
    assert out.container("worker")["env"] == {"A": "common", "B": "web"}
    assert out.container("worker")["args"] == ["work"]
    assert not out.notes("R100")


def test_extends_file_is_relative_to_the_file_that_names_it(tmp_path: Path) -> None:
    write_project(tmp_path, "services: {}", **{
        "shared__app.yaml": """\
            services:
              app:
                extends: {file: ../base/runtime.yaml, service: runtime}
                environment: {LAYER: app}
            """,
        "base__runtime.yaml": """\
            services:
              runtime:
                image: "ghcr.io/acme/runtime:3.2"
                environment: {LAYER: runtime, TZ: UTC}
            """})
    out = convert(tmp_path, """
        services:
          api:
            extends: {file: shared/app.yaml, service: app}
        """)
    assert out.container("api")["image"] == {"repository": "ghcr.io/acme/runtime", "tag": "3.2"}
    assert out.container("api")["env"] == {"LAYER": "app", "TZ": "UTC"}


def test_extends_cycle_is_an_error_at_the_extends_key(tmp_path: Path) -> None:
    with pytest.raises(SvcgenError) as exc:
        convert(tmp_path, "services:\n  a: {image: 'x:1', extends: b}\n"
                "  b: {image: 'x:1', extends: a}\n")
    d = exc.value.diagnostics[0]
    assert d.line == 2 and "loops" in d.message


@pytest.mark.parametrize(("compose", "path", "needle"), [
    ("services:\n  'web app': {image: 'x:1'}\n", "services.web app", "name 'web app'"),
    ("services:\n  a:\n    image: x:1\n    deploy: {replicas: -1}\n", "services.a.deploy.replicas",
     "greater than or equal to 0"),
])
def test_names_and_counts_are_checked_by_the_specification(
        tmp_path: Path, compose: str, path: str, needle: str) -> None:
    with pytest.raises(SvcgenError) as exc:
        convert(tmp_path, compose)
    d = exc.value.diagnostics[0]
    assert d.path == path and needle in d.message and d.line >= 2


@pytest.mark.parametrize(("compose", "suggestion"), [
    ("services:\n  a:\n    image: x:1\n    healthcheck: {test: [CMD, ok], intervall: 5s}\n",
     "'interval'"),
    ("services:\n  a:\n    image: x:1\n    ports: [{target: 80, publshed: '8080'}]\n",
     "'published'"),
    ("services:\n  a:\n    image: x:1\n    deploy: {replicaz: 2}\n", "'replicas'"),
    ("services:\n  a:\n    image: x:1\nvolumes:\n  v: {drvier: local}\n", "'driver'"),
])
def test_unknown_keys_get_suggestions_from_their_own_level(
        tmp_path: Path, compose: str, suggestion: str) -> None:
    with pytest.raises(SvcgenError) as exc:
        convert(tmp_path, compose)
    assert suggestion in exc.value.diagnostics[0].hint
