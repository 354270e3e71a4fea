"""Compose input read as compose-go (what ``docker compose`` runs) reads it.

Each test states the reference's behaviour; the Compose files are small, written for the test, and
shaped like the files projects keep (shell commands in ``command``, kompose labels, ``extends``
from a sub-directory, ``include``)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from chartutil import find, render
from composeutil import convert, write_project
from hypothesis import given, settings
from hypothesis import strategies as st

from svcgen.diagnostics import SvcgenError
from svcgen.kube import validate_objects
from svcgen.readers.base import ReadOptions
from svcgen.readers.compose.interpolation import InterpolationError, Interpolator
from svcgen.readers.compose.mapping import escape_kubernetes
from svcgen.values_cmd import generate

KUBE_VERSION = "1.35.0"


def fails(tmp_path: Path, compose: str, **kwargs: object) -> SvcgenError:
    with pytest.raises(SvcgenError) as exc:
        convert(tmp_path, compose, **kwargs)  # type: ignore[arg-type]
    return exc.value


# --- 1. a '$' that starts no variable is literal --------------------------------------------------


@pytest.mark.parametrize("text", [
    "a $ string", "^REGEX$", "$}", 'sh -c "echo $(date)"', "costs 5$", "$1 and $-", "$)",
])
def test_dollar_starting_no_variable_is_literal_as_in_compose_go(text: str) -> None:
    """compose-go's pattern treats only ``$$``, ``$NAME`` and ``${…}`` as special."""
    assert Interpolator({}).substitute(text) == text


@pytest.mark.parametrize("text", ["${", "x ${ foo}", "${foo!}", "${}", "${1x}", "${a:x}"])
def test_invalid_braced_form_is_an_error_as_in_compose_go(text: str) -> None:
    """compose-go: ``${`` that does not open a valid variable is an invalid template."""
    with pytest.raises(InterpolationError):
        Interpolator({}).substitute(text)


def test_shell_substitution_in_command_survives_compose_and_kubernetes(tmp_path: Path) -> None:
    out = convert(tmp_path, """\
        services:
          a:
            image: x:1
            command: sh -c "echo $(date) >> /tmp/log"
            environment: {PATTERN: "^v[0-9]+$", PRICE: "5$"}
        """)
    assert out.container("a")["args"] == ["sh", "-c", "echo $$(date) >> /tmp/log"]
    assert out.container("a")["env"] == {"PATTERN": "^v[0-9]+$", "PRICE": "5$"}


# The property: a string built from literal text, $$, $NAME, ${NAME…} and lone '$' substitutes
# as compose-go's rules say. Each piece knows its own result; pieces are joined so that one
# piece never changes the meaning of the next (a '$NAME' before a letter would be a longer name).
NAMES = ["A", "b_1", "_c", "LONG_NAME"]
ENVIRONMENTS = st.fixed_dictionaries({}, optional={
    n: st.sampled_from(["", "v", "x$y", "$(z)", "${A}"]) for n in NAMES})
TEXT = st.text(alphabet=string.ascii_letters + string.digits + " -_./:=@()^", max_size=6)
DEFAULTS = st.text(alphabet=string.ascii_letters + " -./:", max_size=5)
OPERATORS = [":-", "-", ":+", "+"]


@st.composite
def templates(draw: st.DrawFn) -> tuple[str, dict[str, str], str]:
    environ = draw(ENVIRONMENTS)
    pieces = draw(st.lists(st.sampled_from(["text", "escaped", "named", "braced", "lone"]),
                           max_size=8))
    written, expected = "", ""
    for kind in pieces:
        name = draw(st.sampled_from(NAMES))
        value = environ.get(name)
        if kind == "text":
            piece = draw(TEXT)
            written, expected = written + piece, expected + piece
        elif kind == "escaped":
            written, expected = written + "$$", expected + "$"
        elif kind == "named":
            written, expected = written + f"${{{name}}}", expected + (value or "")
        elif kind == "braced":
            op, arg = draw(st.sampled_from(OPERATORS)), draw(DEFAULTS)
            written += f"${{{name}{op}{arg}}}"
            expected += {":-": value if value else arg, "-": value if value is not None else arg,
                         ":+": arg if value else "", "+": arg if value is not None else ""}[op]
        else:
            follower = draw(st.sampled_from(["", " ", "(", ")", "}", "-", "1", "^", "/"]))
            written, expected = written + "$" + follower, expected + "$" + follower
            if not follower:
                written, expected = written + " ", expected + " "
    # $NAME (unbraced) where no name character follows it
    name = draw(st.sampled_from(NAMES))
    written, expected = written + f" ${name}", expected + " " + (environ.get(name) or "")
    return written, environ, expected


@settings(max_examples=300, deadline=None)
@given(case=templates())
def test_interpolation_follows_compose_go_rules(case: tuple[str, dict[str, str], str]) -> None:
    written, environ, expected = case
    assert Interpolator(environ).substitute(written) == expected


def kubernetes_expand(text: str, environ: dict[str, str]) -> str:
    """Kubernetes' expansion of command, args and env values (its third_party expansion package):
    ``$$`` → ``$``, ``$(NAME)`` → the variable (or left as written when unknown)."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "$" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
                continue
            if nxt == "(":
                close = text.find(")", i + 2)
                if close >= 0:
                    name = text[i + 2 : close]
                    out.append(environ.get(name, f"$({name})"))
                    i = close + 1
                    continue
                out.append("$(")
                i += 2
                continue
            out.append("$" + nxt)
            i += 2
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="$()ab ", max_size=12))
def test_kubernetes_gives_back_escaped_text_unchanged(text: str) -> None:
    assert kubernetes_expand(escape_kubernetes(text), {"a": "EXPANDED", "b": "EXPANDED"}) == text


def test_kubernetes_expansion_model_expands_what_kubernetes_expands() -> None:
    assert kubernetes_expand("$(a) $$(a) $$ $x $(", {"a": "1"}) == "1 $(a) $ $x $("
    assert re.fullmatch(r"\$\$\(a\)", escape_kubernetes("$(a)"))


# --- 8. a file without services is Compose -------------------------------------------------------


def test_volumes_only_override_file_is_read_as_compose(tmp_path: Path) -> None:
    """compose-go loads any file of the specification's top-level keys; services are optional."""
    write_project(tmp_path, "", **{"storage.yaml": "volumes: {data: {x-svcgen: {size: 5Gi}}}\n"})
    out = convert(tmp_path, """\
        services:
          db: {image: "postgres:16", volumes: ["data:/var/lib/postgresql/data"]}
        volumes:
          data: {}
        """, extra=("storage.yaml",))
    assert out.component("db")["volumes"]["data"] == {"size": "5Gi"}


def test_file_of_only_version_and_name_is_not_taken_for_compose(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text("version: '3'\nname: x\n", encoding="utf-8")
    with pytest.raises(SvcgenError) as exc:
        generate([str(path)], ReadOptions(environ={}))
    assert "cannot tell the format" in exc.value.diagnostics[0].message


# --- 3. number-shaped fields: an error at the line, never a traceback -----------------------------

GPU = """\
    services:
      ml:
        image: x:1
        deploy:
          resources:
            reservations:
              devices:
                - capabilities: [gpu]
                  {device}
    """


@pytest.mark.parametrize("device", [
    "count: some_string", "count: ''", "count: 1.5", "count: -2", "count: true",
    "count: '${GPUS}'",
])
def test_gpu_count_that_is_no_number_is_an_error_at_its_line(tmp_path: Path, device: str) -> None:
    """compose-go: count is a number, or ``all`` (stored as -1); anything else is invalid."""
    error = fails(tmp_path, GPU.format(device=device)).diagnostics[0]
    assert (error.line, error.path) == (9, "services.ml.deploy.resources.reservations.devices[0]"
                                              ".count")
    assert "not a number or all" in error.message


@pytest.mark.parametrize(("device", "gpus"), [
    ("count: 2", 2), ("count: '3'", 3), ("count: all", 1), ("count: -1", 1),
    ('device_ids: ["0", "1"]', 2), ("driver: nvidia", 1),
])
def test_gpu_count_means_what_compose_means(tmp_path: Path, device: str, gpus: int) -> None:
    """compose-go: -1 is ``all``; Docker gives one GPU per id in device_ids."""
    out = convert(tmp_path, GPU.format(device=device))
    assert out.container("ml")["resources"]["limits"]["nvidia.com/gpu"] == gpus


def test_gpu_count_beside_device_ids_is_an_error(tmp_path: Path) -> None:
    error = fails(tmp_path, GPU.format(device='count: 1\n                  device_ids: ["0"]'))
    assert "mutually exclusive" in error.diagnostics[0].hint


@pytest.mark.parametrize("user", ["²", "1²", "\u0661\u0660\u0660\u0660", "1_000"])
def test_user_that_is_not_ascii_digits_is_a_name(tmp_path: Path, user: str) -> None:
    """Go's strconv (and so Docker) reads only ASCII digits as a uid; anything else is a name."""
    out = convert(tmp_path, f"services:\n  a: {{image: 'x:1', user: '{user}'}}\n")
    assert "runAsUser" not in out.container("a").get("securityContext", {})
    assert out.component("a")["securityProfile"] == "baseline"


@pytest.mark.parametrize("port", ["'²'", "'80²'", "'1_000'", "'\u0668\u0660'"])
def test_port_that_is_not_ascii_digits_is_an_error(tmp_path: Path, port: str) -> None:
    error = fails(tmp_path, f"services:\n  a:\n    image: x:1\n    ports: [{port}]\n")
    assert error.diagnostics[0].line == 4 and "not a port" in error.diagnostics[0].message


@pytest.mark.parametrize(("key", "line"), [
    ("user: '99999999999999999999'", 4), ("user: '1000:4294967296'", 4),
    ("deploy: {replicas: 99999999999}", 4), ("scale: 3000000000", 4),
    ("healthcheck: {test: [CMD, x], retries: 99999999999}", 4),
    ("healthcheck: {test: [CMD, x], interval: 9999999999s}", 4),
])
def test_values_out_of_kubernetes_range_are_errors(tmp_path: Path, key: str, line: int) -> None:
    """Kubernetes keeps replicas, uids, gids and probe timings in 32 bits."""
    error = fails(tmp_path, f"services:\n  a:\n    image: x:1\n    {key}\n").diagnostics[0]
    assert error.line == line and "2147483647" in error.message


# --- 4. errors Compose raises are errors here ----------------------------------------------------


@pytest.mark.parametrize(("mounts", "line"), [
    ('volumes: ["data:/data", "other:/data"]', 4),
    ('tmpfs: [/cache]\n    volumes: ["data:/cache/"]', 5),
    ('volumes: [{type: tmpfs, target: /run}, "data:/run"]', 4),
    ('volumes: ["data:/run/secrets/token"]\n    secrets: [token]', 5),
])
def test_two_mounts_at_one_container_path_are_an_error(tmp_path: Path, mounts: str,
                                                       line: int) -> None:
    """compose-go: "target /data already mounted" for tmpfs and volumes; Docker refuses any two
    mounts at one path, and so does Kubernetes (lint rule SVC505)."""
    error = fails(tmp_path, f"""\
services:
  a:
    image: x:1
    {mounts}
volumes: {{data: {{}}, other: {{}}}}
secrets: {{token: {{file: ./token}}}}
""").diagnostics[0]
    assert error.line == line and "already mounted" in error.message


@pytest.mark.parametrize(("services", "cycle", "line"), [
    ("a: {image: 'x:1', depends_on: [a]}", "a -> a", 2),
    ("a: {image: 'x:1', depends_on: [b]}\n  b: {image: 'x:1', depends_on: {c: {condition: "
     "service_started}}}\n  c: {image: 'x:1', links: ['a:alias']}", "a -> b -> c -> a", 4),
])
def test_dependency_cycle_is_an_error_naming_the_services(tmp_path: Path, services: str,
                                                          cycle: str, line: int) -> None:
    """compose-go: "dependency cycle detected: service1 -> service2 -> service3 -> service1"."""
    error = fails(tmp_path, f"services:\n  {services}\n").diagnostics[0]
    assert cycle in error.message and error.line == line


def test_dependency_through_a_disabled_service_is_no_cycle(tmp_path: Path) -> None:
    out = convert(tmp_path, """\
        services:
          a: {image: "x:1", depends_on: {b: {condition: service_started, required: false}}}
          b: {image: "x:1", depends_on: [a], profiles: [debug]}
        """)
    assert "upstreams" not in out.component("a")


# --- 7. an error caused by an unset variable names the variable -----------------------------------


@pytest.mark.parametrize(("key", "name"), [
    ('ports: ["${HTTP_PORT}"]', "HTTP_PORT"),
    ('expose: ["${METRICS}"]', "METRICS"),
    ("ports: [{target: 80, published: '${PUBLIC}-${PUBLIC_END}'}]", "PUBLIC"),
    ("deploy: {replicas: '${REPLICAS}'}", "REPLICAS"),
    ("healthcheck: {test: [CMD, x], interval: '${EVERY}'}", "EVERY"),
])
def test_error_from_an_unset_variable_names_it_and_where_it_was_written(
        tmp_path: Path, key: str, name: str) -> None:
    """docker compose warns that the variable is not set and uses ''; the error that follows
    says which variable made the value empty, and where."""
    error = fails(tmp_path, f"services:\n  a:\n    image: x:1\n    {key}\n").diagnostics[0]
    assert f"${{{name}}} (compose.yaml:4)" in error.message
    assert f"set {name}" in error.hint


def test_error_from_a_set_variable_does_not_blame_an_unset_one(tmp_path: Path) -> None:
    error = fails(tmp_path, 'services:\n  a:\n    image: x:1${TAG}\n    ports: ["${P}:80"]\n',
                  environ={"P": "x"}).diagnostics[0]
    assert "not set" not in error.message


# --- 2. extends from another file: the base's paths are relative to the base file -----------------


def test_extends_from_another_file_reads_the_base_paths_beside_the_base_file(
        tmp_path: Path) -> None:
    """compose-go resolves the base service's relative paths (env_file, bind sources,
    build.context) against the directory of the file the base is written in."""
    write_project(tmp_path, "", **{
        "sub__base.yaml": """\
            services:
              base:
                build: {context: ./app}
                env_file: ./extra.env
                volumes: ["./conf/app.conf:/etc/app.conf:ro", {type: bind, source: ./html,
                          target: /srv/html}]
                x-svcgen: {configFiles: [/etc/app.conf, /srv/html]}
            """,
        "sub__extra.env": "FROM=sub\n",
        "sub__conf__app.conf": "from sub\n",
        "sub__html__index.html": "<p>sub</p>\n",
        # same-named files beside the extending file must not be used
        "extra.env": "FROM=top\n",
        "conf__app.conf": "from top\n",
    })
    out = convert(tmp_path, """\
        services:
          web:
            extends: {file: sub/base.yaml, service: base}
        """, registry="reg.example")
    assert out.container("web")["env"] == {"FROM": "sub"}
    volumes = out.component("web")["volumes"]
    assert volumes["file-app-conf"]["files"] == {"app.conf": "from sub\n"}
    assert volumes["file-html"]["files"] == {"index.html": "<p>sub</p>\n"}


def test_extends_within_one_file_keeps_paths_relative_to_the_project(tmp_path: Path) -> None:
    write_project(tmp_path, "", **{"extra.env": "FROM=top\n"})
    out = convert(tmp_path, """\
        services:
          base: {image: "x:1", env_file: ./extra.env}
          web: {extends: base}
        """)
    assert out.container("web")["env"] == {"FROM": "top"}


# --- 5. nothing passes silently: kompose labels, restart, true reasons ----------------------------


def test_kompose_labels_become_the_chart_settings_they_ask_for(tmp_path: Path) -> None:
    """kompose reads these labels as conversion instructions; they are not labels for objects."""
    out = convert(tmp_path, """\
        services:
          web:
            image: nginx:1.27
            ports: ["8080:80"]
            volumes: ["html:/usr/share/nginx/html"]
            labels:
              kompose.service.type: NodePort
              kompose.service.nodeport.port: "30080"
              kompose.service.expose: shop.example.com,admin.example.com/admin
              kompose.service.expose.tls-secret: shop-tls
              kompose.service.expose.ingress-class-name: traefik
              kompose.volume.size: 5Gi
              kompose.volume.storage-class-name: fast
              kompose.image-pull-policy: Always
              kompose.security-context.fsgroup: "101"
              kompose.service.healthcheck.readiness.http_get_path: /ready
              kompose.service.healthcheck.readiness.http_get_port: "80"
              kompose.service.healthcheck.readiness.interval: 10s
              kompose.service.healthcheck.liveness.tcp_port: "80"
              team: web
        volumes: {html: {}}
        """)
    web = out.component("web")
    assert web["labels"] == {"team": "web"}
    assert "annotations" not in web
    assert web["service"]["type"] == "NodePort"
    assert web["service"]["ports"]["tcp-80"]["nodePort"] == 30080
    assert web["ingress"] == {
        "className": "traefik",
        "hosts": {"shop.example.com": {"paths": {"/": {"port": "tcp-80"}}},
                  "admin.example.com": {"paths": {"/admin": {"port": "tcp-80"}}}},
        "tls": {"secretName": "shop-tls"}}
    assert web["volumes"]["html"] == {"size": "5Gi", "storageClassName": "fast"}
    assert web["podSecurityContext"] == {"fsGroup": 101}
    app = out.container("web")
    assert app["image"]["pullPolicy"] == "Always"
    assert app["probes"]["readiness"] == {"httpGet": {"path": "/ready", "port": 80},
                                          "periodSeconds": 10}
    assert app["probes"]["liveness"] == {"tcpSocket": {"port": 80}}
    assert not out.notes("R100")
    objects = render(out.values)
    assert validate_objects(objects, KUBE_VERSION) == []
    ingress = find(objects, "Ingress")[0]["spec"]
    assert ingress["tls"][0]["secretName"] == "shop-tls"
    assert find(objects, "Service", "web")[0]["spec"]["ports"][0]["nodePort"] == 30080


def test_kompose_labels_the_chart_cannot_express_are_reported(tmp_path: Path) -> None:
    out = convert(tmp_path, """\
        services:
          a:
            image: x:1
            labels:
              - kompose.controller.type=daemonset
              - kompose.service.group=backend
              - kompose.made.up=1
        """)
    reported = {d.path for d in out.notes("R100")}
    assert reported == {f"services.a.labels.kompose.{k}"
                        for k in ("controller.type", "service.group", "made.up")}
    assert "labels" not in out.component("a")


def test_kompose_expose_true_uses_the_default_host(tmp_path: Path) -> None:
    out = convert(tmp_path, """\
        services:
          a: {image: "x:1", ports: ["80"], labels: {kompose.service.expose: "true"}}
        """)
    assert out.component("a")["ingress"] == {}
    assert "global.domain" in out.note_at("services.a.labels.kompose.service.expose",
                                          "R101").hint


def test_kompose_service_type_that_kompose_refuses_is_an_error(tmp_path: Path) -> None:
    error = fails(tmp_path, """\
        services:
          a: {image: "x:1", ports: ["80"], labels: {kompose.service.type: ingress}}
        """).diagnostics[0]
    assert error.line == 2 and "not a Service type" in error.message


def test_x_svcgen_wins_over_a_kompose_label(tmp_path: Path) -> None:
    out = convert(tmp_path, """\
        services:
          a:
            image: x:1
            ports: ["80"]
            labels: {kompose.service.type: nodeport}
            x-svcgen: {serviceType: LoadBalancer}
        """)
    assert out.component("a")["service"]["type"] == "LoadBalancer"


@pytest.mark.parametrize("policy", ["always", "unless-stopped"])
def test_restart_always_is_what_kubernetes_does_a_note_not_a_loss(tmp_path: Path,
                                                                  policy: str) -> None:
    out = convert(tmp_path, f"services:\n  a: {{image: 'x:1', restart: {policy}}}\n")
    assert not out.notes("R100")
    assert "restart" in out.note_at("services.a", "R001").message


@pytest.mark.parametrize(("keys", "conflict"), [
    ("cpus: 0.5\n    deploy: {resources: {limits: {cpus: '1'}}}", "cpus"),
    ("mem_limit: 1g\n    deploy: {resources: {limits: {memory: 512m}}}", "mem_limit"),
    ("mem_reservation: 1g\n    deploy: {resources: {reservations: {memory: 2g}}}",
     "mem_reservation"),
    ("scale: 2\n    deploy: {replicas: 3}", "scale"),
])
def test_service_value_beside_a_different_deploy_value_is_a_conflict(
        tmp_path: Path, keys: str, conflict: str) -> None:
    """compose-go: "can't set distinct values on 'cpus' and 'deploy.resources.limits.cpus'"."""
    error = fails(tmp_path, f"services:\n  a:\n    image: x:1\n    {keys}\n").diagnostics[0]
    assert error.path == f"services.a.{conflict}" and "differ" in error.message


def test_service_value_equal_to_the_deploy_value_is_converted(tmp_path: Path) -> None:
    out = convert(tmp_path, """\
        services:
          a:
            image: x:1
            cpus: 0.5
            mem_limit: 512m
            scale: 2
            deploy: {replicas: 2, resources: {limits: {cpus: "0.5", memory: 512M}}}
        """)
    assert out.container("a")["resources"]["limits"] == {"cpu": "500m", "memory": "512Mi"}
    assert out.component("a")["replicas"] == 2
    assert not out.notes("R100")


# --- 6. current Compose keys: hooks, provider services, image beside build, include ---------------


def test_post_start_and_pre_stop_hooks_become_lifecycle_handlers(tmp_path: Path) -> None:
    """Compose runs post_start/pre_stop hooks as an exec in the service container, which is
    what a Kubernetes lifecycle handler is."""
    out = convert(tmp_path, """\
        services:
          a:
            image: x:1
            post_start: [{command: ./warm-cache.sh --all}]
            pre_stop: [{command: [nginx, -s, quit]}, {command: sleep 5}]
        """)
    assert out.container("a")["lifecycle"] == {
        "postStart": {"exec": {"command": ["./warm-cache.sh", "--all"]}},
        "preStop": {"exec": {"command": ["nginx", "-s", "quit"]}}}
    assert {d.path for d in out.notes("R100")} == {"services.a.pre_stop[1]"}


def test_hook_settings_a_lifecycle_handler_lacks_are_reported(tmp_path: Path) -> None:
    out = convert(tmp_path, """\
        services:
          a:
            image: x:1
            post_start: [{command: chown app /data, user: root}]
        """)
    assert out.note_at("services.a.post_start[0].user", "R100")


def test_pre_start_hook_becomes_an_init_container(tmp_path: Path) -> None:
    """compose-spec: pre_start runs an ephemeral container (the service's image unless it names
    one) to completion before the service container starts; its environment adds to the
    service's."""
    out = convert(tmp_path, """\
        services:
          api:
            image: ghcr.io/acme/api:1.4
            working_dir: /srv
            environment: {LOG_LEVEL: info, MODE: serve}
            pre_start:
              - command: ["./manage", "migrate"]
                environment: {MODE: migrate}
              - image: busybox:1.36
                command: sh -c "echo $(date) > /srv/started"
        """)
    init = out.component("api")["initContainers"]
    assert list(init) == ["pre-start-01", "pre-start-02"]
    assert init["pre-start-01"] == {
        "image": {"repository": "ghcr.io/acme/api", "tag": "1.4"}, "command": ["./manage",
                                                                                "migrate"],
        "workingDir": "/srv", "env": {"LOG_LEVEL": "info", "MODE": "migrate"}}
    assert init["pre-start-02"]["image"] == {"repository": "busybox", "tag": "1.36"}
    assert init["pre-start-02"]["command"] == ["sh", "-c", "echo $$(date) > /srv/started"]
    assert "every pod" in out.note_at("services.api.pre_start[0]", "R002").message
    objects = render(out.values)
    assert validate_objects(objects, KUBE_VERSION) == []
    pod = find(objects, "Deployment", "api")[0]["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["initContainers"]] == ["pre-start-01", "pre-start-02"]


def test_provider_service_is_reported_as_not_deployed(tmp_path: Path) -> None:
    """compose-go accepts a service with provider and no image; docker compose runs the
    provider plugin, not a container."""
    out = convert(tmp_path, """\
        services:
          chat: {image: "x:1", depends_on: [llm]}
          llm:
            provider: {type: model, options: {model: ai/smollm2}}
        """)
    assert set(out.values["components"]) == {"chat"}
    assert "not deployed" in out.note_at("services.llm.provider", "R100").message
    assert "provider service" in out.note_at("services.chat.depends_on[0]", "R100").message


def test_empty_image_beside_build_is_the_image_compose_builds(tmp_path: Path) -> None:
    """docker compose names the image it builds <project>-<service> when image is empty, as
    ``image: ${TAG}`` with TAG unset leaves it."""
    out = convert(tmp_path, """\
        name: shop
        services:
          api: {image: "${API_IMAGE}", build: .}
        """, registry="reg.example")
    assert out.container("api")["image"] == {"repository": "reg.example/shop-api",
                                             "tag": "latest"}
    assert not out.notes("R100")


def test_empty_image_without_build_is_an_error(tmp_path: Path) -> None:
    error = fails(tmp_path, "services:\n  api: {image: '${API_IMAGE}'}\n").diagnostics[0]
    assert "neither image nor build" in error.message


def include_project(tmp_path: Path) -> None:
    write_project(tmp_path, "", **{
        "db__compose.yaml": """\
            services:
              db:
                image: postgres:${PG_TAG}
                env_file: ./db.env
                volumes: [data:/var/lib/postgresql/data]
                stop_signal: SIGINT
            volumes:
              data: {}
            """,
        "db__.env": "PG_TAG=16.4\n",
        "db__db.env": "POSTGRES_DB=shop\n",
        "db.env": "POSTGRES_DB=wrong-file\n",
    })


def test_include_loads_a_project_with_its_own_paths_and_env(tmp_path: Path) -> None:
    """compose-go: an included file's relative paths and its .env belong to its own directory;
    its services, volumes, secrets and configs join the project."""
    include_project(tmp_path)
    out = convert(tmp_path, """\
        include: [db/compose.yaml]
        services:
          app: {image: "x:1", depends_on: [db]}
        """)
    assert set(out.values["components"]) == {"app", "db"}
    assert out.container("db")["image"] == {"repository": "postgres", "tag": "16.4"}
    assert out.container("db")["env"] == {"POSTGRES_DB": "shop"}
    assert out.component("db")["volumes"] == {"data": {"size": "1Gi"}}
    assert out.component("app")["upstreams"] == [{"component": "db"}]
    note = out.note_at("services.db.stop_signal", "R100")
    assert Path(note.file).relative_to(tmp_path) == Path("db/compose.yaml") and note.line == 6


def test_including_file_writes_over_what_it_includes(tmp_path: Path) -> None:
    """compose-go merges the including file's definition of an imported name over it."""
    include_project(tmp_path)
    out = convert(tmp_path, """\
        include:
          - path: db/compose.yaml
        services:
          db: {environment: {POSTGRES_USER: app}, deploy: {replicas: 2}}
        """, environ={"PG_TAG": "17"})
    assert out.container("db")["image"]["tag"] == "17"  # the environment wins over the .env
    assert out.container("db")["env"] == {"POSTGRES_DB": "shop", "POSTGRES_USER": "app"}
    assert out.component("db")["replicas"] == 2


def test_include_only_file_is_a_compose_project(tmp_path: Path) -> None:
    include_project(tmp_path)
    out = convert(tmp_path, "include: [db/compose.yaml]\n")
    assert set(out.values["components"]) == {"db"}


def test_include_cycle_is_an_error(tmp_path: Path) -> None:
    write_project(tmp_path, "", **{"other.yaml": "include: [compose.yaml]\n"})
    error = fails(tmp_path, "include: [other.yaml]\nservices: {a: {image: 'x:1'}}\n")
    assert "include cycle" in error.diagnostics[0].message


def test_missing_included_file_is_an_error_at_the_entry(tmp_path: Path) -> None:
    error = fails(tmp_path, "services: {a: {image: 'x:1'}}\ninclude:\n  - nowhere.yaml\n")
    assert error.diagnostics[0].line == 3 and "does not exist" in error.diagnostics[0].message


@pytest.mark.parametrize(("key", "path", "needle"), [
    ("deploy: {labels: {team: web}}", "deploy.labels", "move them to labels"),
    ("deploy: {endpoint_mode: dnsrr}", "deploy.endpoint_mode", "Headless"),
    ("cpu_quota: 50000", "cpu_quota", "write cpus"),
])
def test_reasons_say_what_the_key_is_instead_of_no_equivalent(tmp_path: Path, key: str,
                                                              path: str, needle: str) -> None:
    out = convert(tmp_path, f"services:\n  a:\n    image: x:1\n    {key}\n")
    note = out.note_at(f"services.a.{path}", "R100")
    assert needle in note.message + note.hint and "no equivalent" not in note.message


def test_env_file_in_a_format_compose_go_does_not_know_is_an_error(tmp_path: Path) -> None:
    """compose-go: "unsupported env_file format" for anything but the .env format."""
    error = fails(tmp_path, "services:\n  a:\n    image: x:1\n"
                  "    env_file: [{path: a.env, format: raw}]\n").diagnostics[0]
    assert "unsupported env_file format" in error.message and error.line == 4


@pytest.mark.parametrize("key", [
    "labels: {prometheus.io/scrape: 'true', prometheus.io/port: '²'}",
    "x-svcgen: {ingress: {host: a.example.com, port: '²'}}",
    "secrets: [{source: s, mode: '0²'}]",
])
def test_number_shaped_strings_go_does_not_read_are_errors_not_tracebacks(
        tmp_path: Path, key: str) -> None:
    error = fails(tmp_path, f"services:\n  a:\n    image: x:1\n    ports: ['80']\n    {key}\n"
                  "secrets: {s: {file: ./s}}\n").diagnostics[0]
    assert error.line == 5
