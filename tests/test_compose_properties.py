"""Property: any Compose document within the specification (as generated here) converts into values
the model accepts, every key of it is converted or reported, and the chart renders the values into
objects the Kubernetes API accepts. Helm runs for a bounded number of the examples."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import pytest
from chartutil import render
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svcgen.kube import validate_objects
from svcgen.readers.base import ReadOptions
from svcgen.values_cmd import generate

RENDERS = 6
KUBE_VERSION = "1.35.0"

names = st.from_regex(r"[a-zA-Z][a-zA-Z0-9_.-]{0,14}", fullmatch=True)
env_names = st.from_regex(r"[A-Z_][A-Z0-9_]{0,11}", fullmatch=True)
text = st.text(alphabet=string.ascii_letters + string.digits + " -_./:=@,", max_size=20)
images = st.sampled_from(["nginx:1.27", "ghcr.io/acme/api:1.4.2", "redis", "postgres:16.4-alpine",
                          "localhost:5000/tools/x:dev"])
durations = st.sampled_from(["1s", "5s", "1m", "1m30s", "500ms", "2h"])
ports = st.integers(min_value=1, max_value=65535)
short_ports = st.one_of(
    ports.map(str),
    st.tuples(ports, ports).map(lambda p: f"{p[0]}:{p[1]}"),
    st.tuples(ports, st.sampled_from(["tcp", "udp"])).map(lambda p: f"{p[0]}/{p[1]}"),
    st.tuples(ports, ports).map(lambda p: f"127.0.0.1:{p[0]}:{p[1]}"),
)
long_ports = st.fixed_dictionaries(
    {"target": ports},
    optional={"published": ports.map(str), "protocol": st.sampled_from(["tcp", "udp"]),
              "mode": st.sampled_from(["ingress", "host"])})
healthchecks = st.fixed_dictionaries(
    {"test": st.one_of(st.lists(text.filter(str.strip), min_size=1, max_size=3).map(
        lambda c: ["CMD", *c]), text.filter(str.strip), st.just(["NONE"]))},
    optional={"interval": durations, "timeout": durations, "retries": st.integers(1, 10),
              "start_period": durations})
resources = st.fixed_dictionaries({}, optional={
    "cpus": st.sampled_from(["0.1", "0.5", "1", "2.25"]),
    "memory": st.sampled_from(["64m", "512M", "1g", "1.5g", "300000000"])})


@st.composite
def services(draw: st.DrawFn, name: str, others: list[str], volumes: list[str]) -> dict[str, Any]:
    svc: dict[str, Any] = {}
    if draw(st.booleans()):
        svc["image"] = draw(images)
    else:
        svc["build"] = "."
    optional: dict[str, st.SearchStrategy[Any]] = {
        "ports": st.lists(st.one_of(short_ports, long_ports), max_size=3),
        "expose": st.lists(ports.map(str), max_size=2),
        "environment": st.one_of(st.dictionaries(env_names, text, max_size=4),
                                 st.lists(st.tuples(env_names, text).map("=".join), max_size=3)),
        "healthcheck": healthchecks,
        "deploy": st.fixed_dictionaries({}, optional={
            "replicas": st.integers(0, 5),
            "resources": st.fixed_dictionaries({}, optional={"limits": resources,
                                                             "reservations": resources})}),
        "command": st.lists(text, min_size=1, max_size=3),
        "user": st.sampled_from(["1000", "1000:1000", "0", "root", "node", "65534"]),
        "read_only": st.booleans(),
        "cap_add": st.lists(st.sampled_from(["NET_BIND_SERVICE", "CHOWN", "SYS_ADMIN"]),
                            max_size=2, unique=True),
        "stop_grace_period": durations,
        "tmpfs": st.lists(st.sampled_from(["/tmp", "/run", "/var/cache:size=64m"]), max_size=2,
                          unique=True),
        "labels": st.dictionaries(st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,8}){0,2}", fullmatch=True),
                                  text, max_size=2),
        "restart": st.sampled_from(["no", "always", "unless-stopped"]),
        "working_dir": st.sampled_from(["/app", "/srv/data"]),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            svc[key] = draw(strategy)
    if volumes and draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(volumes), max_size=2, unique=True))
        svc["volumes"] = [f"{v}:/data/{i}" for i, v in enumerate(chosen)]
    if others and draw(st.booleans()):
        svc["depends_on"] = draw(st.lists(st.sampled_from(others), max_size=2, unique=True))
    return svc


@st.composite
def projects(draw: st.DrawFn) -> dict[str, Any]:
    # names that normalise to one id (A_b, a.b) are allowed: the reader numbers them apart
    service_names = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    volumes = draw(st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), max_size=2,
                            unique=True))
    doc: dict[str, Any] = {"name": "prop", "services": {}}
    for index, name in enumerate(service_names):
        # a service depends only on those before it: Compose refuses dependency cycles
        doc["services"][name] = draw(services(name, service_names[:index], volumes))
    doc["volumes"] = {v: {} for v in volumes}
    return doc


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("compose-properties")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=projects())
def test_compose_within_the_specification_gives_values_the_chart_renders(
        workdir: Path, doc: dict[str, Any]) -> None:
    path = workdir / "compose.yaml"
    path.write_text(json.dumps(doc), encoding="utf-8")  # JSON is YAML
    values, report, _ = generate([str(path)], ReadOptions(environ={}, registry="reg.example"))

    # every key of every service is either named in its summary or reported as not converted
    for name, svc in doc["services"].items():
        summary = next(d for d in report if d.rule == "R001" and d.path == f"services.{name}")
        converted = set(summary.message.split("converted ", 1)[1].split(", ")) if (
            "converted " in summary.message) else set()
        prefix = f"services.{name}."
        reported = {d.path[len(prefix):].split(".")[0].split("[")[0] for d in report
                    if d.rule == "R100" and d.path.startswith(prefix)}
        assert set(svc) <= converted | reported, (name, svc, summary.message)

    global _rendered
    if _rendered < RENDERS:
        _rendered += 1
        objects = render(values)
        assert validate_objects(objects, KUBE_VERSION) == []


_rendered = 0
