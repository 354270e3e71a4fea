"""Untrusted inputs: files from pull requests and Compose files copied from the internet.

svcgen runs in CI on such files. Whatever they hold, it executes nothing they name, prints and
writes no secret they hold, reads a bounded amount, never crashes with a traceback, and writes
only where the user pointed it (README, "Security").
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from svcgen import helm as helm_mod

APP = """\
components:
  api:
    containers:
      app:
        image: {repository: ghcr.io/acme/api, tag: "1.4.2"}
        ports: {http: {containerPort: 8080}}
"""


def svcgen(
    *args: str,
    cwd: Path,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess: a traceback would show on its stderr."""
    full_env = {k: v for k, v in os.environ.items() if k != "SVCGEN_HELM"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "svcgen", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=timeout,
        check=False,
    )


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


# --- 1. nothing in an input becomes a helm option ----------------------------------------------


def _evil_script(tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "executed"
    script = tmp_path / "x.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\ncat\n")
    script.chmod(0o755)
    return script, marker


@pytest.mark.parametrize("release_option", ["--post-renderer=./x.sh", "--post-renderer"])
def test_release_name_cannot_run_a_post_renderer_on_helm3(
    tmp_path: Path, helm3: str, release_option: str
) -> None:
    """Helm 3 runs the --post-renderer script; a release name must never reach it as an option."""
    _, marker = _evil_script(tmp_path)
    write(tmp_path / "values.yaml", APP)
    proc = svcgen("lint", "--render", "--helm", helm3, f"--release={release_option}",
                  "values.yaml", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 2, proc.stderr
    assert "is not a valid release name" in proc.stderr
    assert not marker.exists()


def test_release_name_cannot_choose_helm4_output_dir(tmp_path: Path, helm4: str) -> None:
    write(tmp_path / "values.yaml", APP)
    out = tmp_path / "anywhere"
    proc = svcgen("template", "--helm", helm4, f"--release=--output-dir={out}", "values.yaml",
                  cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 2
    assert "is not a valid release name" in proc.stderr
    assert "values.yaml" not in proc.stderr  # a usage error, not blamed on the values
    assert not out.exists()


def test_release_from_a_found_settings_file_is_checked_like_helm_checks_it(
    tmp_path: Path, helm3: str
) -> None:
    """The repository being linted chooses .svcgen.yaml (found from the current directory up)."""
    _, marker = _evil_script(tmp_path)
    write(tmp_path / ".svcgen.yaml", 'lint:\n  release: "--post-renderer=./x.sh"\n')
    write(tmp_path / "values.yaml", APP)
    proc = svcgen("lint", "--render", "--helm", helm3, "values.yaml", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 2
    assert ".svcgen.yaml" in proc.stderr and "not a valid release name" in proc.stderr
    assert not marker.exists()


@pytest.mark.parametrize("setting", ["helm: ./x.sh", "helm-path: ./x.sh", "command: ./x.sh"])
def test_a_found_settings_file_cannot_choose_what_runs(tmp_path: Path, setting: str) -> None:
    _, marker = _evil_script(tmp_path)
    write(tmp_path / ".svcgen.yaml", f"lint:\n  {setting}\n")
    write(tmp_path / "values.yaml", APP)
    proc = svcgen("lint", "--render", "values.yaml", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 2
    assert "unknown lint setting" in proc.stderr
    assert not marker.exists()


@pytest.mark.parametrize(
    "name, ok",
    [("shop", True), ("shop-2.eu", True), ("a" * 53, True), ("a" * 54, False), ("Shop", False),
     ("-x", False), ("x-", False), ("--output-dir=/tmp", False), ("a_b", False), ("", False)],
)
def test_release_names_follow_helms_rule(name: str, ok: bool) -> None:
    """Helm's ValidateReleaseName: a DNS-1123 subdomain of at most 53 characters."""
    if ok:
        assert helm_mod.check_release(name) == name
    else:
        with pytest.raises(helm_mod.SvcgenError) as caught:
            helm_mod.check_release(name)
        assert caught.value.exit_code == 2


def test_every_helm_argument_is_an_option_with_its_value_or_a_positional_after_dashdash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Values file names and namespaces starting with '-' stay values; positionals follow '--'."""
    calls: list[list[str]] = []

    def fake_run(binary: Any, args: Sequence[str], stdin: str | None) -> Any:
        calls.append(list(args))
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(helm_mod, "_run", fake_run)
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "--post-renderer=x.sh", APP)
    binary = helm_mod.Helm("/bin/false", "v4.1.4")
    helm_mod.template(["--post-renderer=x.sh"], release="shop", namespace="-n", helm=binary)
    helm_mod.lint(["--post-renderer=x.sh"], namespace="--dry-run", helm=binary)
    for args in calls:
        dashdash = args.index("--")
        options, positionals = args[1:dashdash], args[dashdash + 1:]
        assert all((o.startswith("--") and "=" in o) or o == "--strict" for o in options), args
        assert "--values=--post-renderer=x.sh" in options
        assert positionals and not any(p.startswith("-") for p in positionals), args


def test_template_with_an_unparsable_kube_version_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "values.yaml", APP)
    proc = svcgen("template", "--kube-version", "banana", "values.yaml", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 2
    assert proc.stderr.startswith("svcgen: error: --kube-version: 'banana'"), proc.stderr


# --- 3. bounded reads --------------------------------------------------------------------------

COMPOSE = """\
services:
  api:
    image: ghcr.io/acme/api:1.4.2
"""


def test_lint_reads_a_device_only_up_to_the_input_limit(tmp_path: Path) -> None:
    """`svcgen lint /dev/zero` stops at 16 MiB instead of growing to gigabytes."""
    proc = svcgen("lint", "/dev/zero", cwd=tmp_path, timeout=60)
    no_traceback(proc)
    assert proc.returncode == 2
    assert "/dev/zero is larger than 16 MiB" in proc.stderr


def test_values_reads_a_fifo_only_up_to_the_input_limit(tmp_path: Path) -> None:
    fifo = tmp_path / "compose.yaml"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"head -c 20000000 /dev/zero > {fifo}"])
    try:
        proc = svcgen("values", "compose.yaml", cwd=tmp_path, timeout=60)
    finally:
        writer.kill()
        writer.wait()
    no_traceback(proc)
    assert proc.returncode in (1, 2)
    assert "larger than 16 MiB" in proc.stderr


@pytest.mark.parametrize(
    "compose, args",
    [
        (COMPOSE.replace("    image:", "    env_file: /dev/zero\n    image:"), ()),
        (COMPOSE, ("--env-file", "/dev/zero")),
        (COMPOSE.replace("    image: ghcr.io/acme/api:1.4.2",
                         "    extends: {file: /dev/zero, service: base}"), ()),
    ],
    ids=["env_file", "--env-file", "extends.file"],
)
def test_files_a_compose_file_names_are_read_only_up_to_the_limit(
    tmp_path: Path, compose: str, args: tuple[str, ...]
) -> None:
    write(tmp_path / "compose.yaml", compose)
    proc = svcgen("values", "compose.yaml", *args, cwd=tmp_path, timeout=60)
    no_traceback(proc)
    assert proc.returncode in (1, 2)
    assert "/dev/zero" in proc.stderr
    assert "larger than 16 MiB" in proc.stderr


def test_non_utf8_and_nul_bytes_are_errors_at_their_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes(b"components: {}\nglobal:\n  domain: caf\xe9\n")
    (tmp_path / "nul.yaml").write_bytes(b"components: {}\nglobal: {domain: a\x00}\n")
    for name, where in (("latin1.yaml", "latin1.yaml:3:14"), ("nul.yaml", "nul.yaml:2:19")):
        proc = svcgen("lint", name, cwd=tmp_path)
        no_traceback(proc)
        assert proc.returncode == 2
        assert proc.stderr.startswith(f"{where}: error"), proc.stderr


def test_alias_bombs_and_deep_nesting_in_lint_are_errors_at_their_position(
    tmp_path: Path,
) -> None:
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    (tmp_path / "bomb.yaml").write_text("\n".join(bomb) + "\n")
    (tmp_path / "deep.yaml").write_text("a: " + "[" * 300 + "]" * 300 + "\n")
    for name, where in (("bomb.yaml", "bomb.yaml:7:10"), ("deep.yaml", "deep.yaml:1:204")):
        proc = svcgen("lint", name, cwd=tmp_path)
        no_traceback(proc)
        assert proc.returncode == 2
        assert proc.stderr.startswith(f"{where}: error"), proc.stderr


# --- 7. output paths ---------------------------------------------------------------------------


def values_to(tmp_path: Path, output: str, *, umask: int | None = None
              ) -> subprocess.CompletedProcess[str]:
    write(tmp_path / "compose.yaml", COMPOSE)
    prefix = () if umask is None else ("sh", "-c", f'umask {umask:03o}; exec "$@"', "sh")
    return subprocess.run(
        [*prefix, sys.executable, "-m", "svcgen", "values", "compose.yaml", "-o", output],
        capture_output=True, text=True, cwd=tmp_path, check=False, timeout=120,
    )


def test_dash_output_is_standard_output(tmp_path: Path) -> None:
    proc = values_to(tmp_path, "-")
    assert proc.returncode == 0, proc.stderr
    assert "ghcr.io/acme/api" in proc.stdout
    assert not (tmp_path / "-").exists()


def test_output_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "deploy" / "values.yaml"
    write(real, "components: {}\n")
    link = tmp_path / "values.yaml"
    link.symlink_to(real)
    proc = values_to(tmp_path, "values.yaml")
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink()
    assert "ghcr.io/acme/api" in real.read_text()


def _device(tmp_path: Path) -> Path:
    """A character device like /dev/null (made in tmp_path where allowed, so /dev is safe)."""
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | 0o020000, os.makedev(1, 3))
    except OSError:
        return Path("/dev/null")
    return node


@pytest.mark.parametrize("kind", ["device", "fifo", "directory"])
def test_output_to_a_device_fifo_or_directory_is_refused(tmp_path: Path, kind: str) -> None:
    if kind == "device":
        target = _device(tmp_path)
    elif kind == "fifo":
        target = tmp_path / "fifo"
        os.mkfifo(target)
    else:
        target = tmp_path / "dir"
        target.mkdir()
    before = os.stat(target)
    proc = values_to(tmp_path, str(target))
    no_traceback(proc)
    assert proc.returncode == 2
    assert f"cannot write {target}" in proc.stderr
    after = os.stat(target)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)


def test_a_read_only_output_file_is_not_replaced(tmp_path: Path) -> None:
    target = write(tmp_path / "values.yaml", "components: {}\n")
    target.chmod(0o444)
    proc = values_to(tmp_path, "values.yaml")
    assert proc.returncode == 2
    assert "read-only" in proc.stderr
    assert target.read_text() == "components: {}\n"
    assert target.stat().st_mode & 0o777 == 0o444


def test_a_new_output_file_honours_the_umask(tmp_path: Path) -> None:
    proc = values_to(tmp_path, "values.yaml", umask=0o027)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "values.yaml").stat().st_mode & 0o777 == 0o640


def test_an_updated_output_file_keeps_its_mode(tmp_path: Path) -> None:
    target = write(tmp_path / "values.yaml", "components: {}\n")
    target.chmod(0o600)
    proc = values_to(tmp_path, "values.yaml", umask=0o022)
    assert proc.returncode == 0, proc.stderr
    assert target.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("command", [["values", "compose.yaml"], ["lint", "values.yaml"],
                                     ["rules"]])
def test_a_full_disk_on_standard_output_is_an_error_not_a_traceback(
    tmp_path: Path, command: list[str]
) -> None:
    write(tmp_path / "compose.yaml", COMPOSE)
    write(tmp_path / "values.yaml", APP)
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "svcgen", *command], stdout=full,
                              stderr=subprocess.PIPE, text=True, cwd=tmp_path, check=False,
                              timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2
    assert "cannot write the output: No space left on device" in proc.stderr


# --- 4. lint is as strict as Helm's schema -----------------------------------------------------


def lint_text(tmp_path: Path, text: str, *extra: str) -> tuple[int, str]:
    import io

    from svcgen.diagnostics import SvcgenError
    from svcgen.lint.command import LintRequest, run_lint

    path = tmp_path / "values.yaml"
    path.write_text(text)
    out = io.StringIO()
    try:
        code = run_lint(LintRequest(files=(str(path), *extra), format="json"), out)
    except SvcgenError as exc:
        return exc.exit_code, "\n".join(f"{d.location}: {d.message}" for d in exc.diagnostics)
    return code, out.getvalue()


@pytest.mark.parametrize(
    "field, value, message",
    [("replicas", '"3"', "whole number"), ("replicas", "true", "whole number"),
     ("enabled", '"false"', "true or false"), ("enabled", "yes-please", "true or false"),
     ("replicas", "99999999999999999999", "2147483647"), ("replicas", "2147483648", "2147483647")],
)
def test_lint_refuses_values_helms_schema_refuses(
    tmp_path: Path, field: str, value: str, message: str
) -> None:
    """Helm's schema takes no "3" for an integer, no "false" for a boolean, and the int32 bound
    of Kubernetes' replicas (an int64 beyond it renders as -9223372036854775808)."""
    code, out = lint_text(tmp_path, APP.replace("  api:\n", f"  api:\n    {field}: {value}\n"))
    assert code == 1
    import json

    findings = json.loads(out)["findings"]
    bad = [f for f in findings if f["severity"] == "error"]
    assert [(f["path"], f["line"], f["column"]) for f in bad] == [
        (f"components.api.{field}", 3, 5 + len(field) + 2)]
    assert message in bad[0]["message"]


def test_helm_refuses_replicas_beyond_int32_too(tmp_path: Path, helm4: str) -> None:
    path = write(tmp_path / "values.yaml",
                 APP.replace("  api:\n", "  api:\n    replicas: 99999999999999999999\n"))
    with pytest.raises(helm_mod.SvcgenError) as caught:
        helm_mod.template([str(path)], helm=helm4)
    assert "replicas" in caught.value.diagnostics[0].path


def test_a_null_mapping_key_is_an_error_as_helm_cannot_read_it(tmp_path: Path) -> None:
    code, out = lint_text(tmp_path, APP.replace("  api:\n", "  api:\n    labels: {null: x}\n"))
    assert code == 2
    assert out.startswith(f"{tmp_path / 'values.yaml'}:3:14: invalid YAML for Helm: a null")


@pytest.mark.parametrize("section", ["global", "tests"])
def test_nulling_a_section_the_templates_read_is_an_error(tmp_path: Path, section: str) -> None:
    code, out = lint_text(tmp_path, f"{section}: null\n" + APP)
    assert code == 1
    import json

    (finding,) = [f for f in json.loads(out)["findings"] if f["severity"] == "error"]
    assert (finding["line"], finding["column"], finding["path"]) == (1, 1, section)


def test_the_model_refuses_coerced_types_and_int32_overflow() -> None:
    from pydantic import ValidationError

    from svcgen.model import Values

    base = {"components": {"api": {"containers": {"app": {"image": {"repository": "x"}}}}}}
    assert Values.model_validate({"components": {"api": {
        **base["components"]["api"], "replicas": 3.0}}}).components["api"].replicas == 3
    for field, value in (("replicas", "3"), ("replicas", True), ("enabled", "false"),
                         ("enabled", 1), ("replicas", 2**31)):
        with pytest.raises(ValidationError):
            Values.model_validate({"components": {"api": {**base["components"]["api"],
                                                          field: value}}})


def test_values_refuses_a_replica_count_beyond_int32(tmp_path: Path) -> None:
    write(tmp_path / "compose.yaml",
          COMPOSE + "    deploy: {replicas: 99999999999999999999}\n")
    proc = svcgen("values", "compose.yaml", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1
    assert "replicas" in proc.stderr and "2147483647" in proc.stderr


# --- 2. secret material never lands in values or output ----------------------------------------


def values_run(tmp_path: Path, text: str, *args: str, name: str = "compose.yaml",
               env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    write(tmp_path / name, text)
    return svcgen("values", name, *args, cwd=tmp_path, env=env)


@pytest.mark.parametrize(
    "file", ["/proc/self/environ", "../outside.txt", "../../outside.txt", "link.txt"],
)
def test_a_config_file_outside_the_project_is_never_read(tmp_path: Path, file: str) -> None:
    """Compose would mount any host file; its content must not be copied into the values."""
    project = tmp_path / "a" / "b"
    project.mkdir(parents=True)
    (tmp_path / "a" / "outside.txt").write_text("OUTSIDE-CONTENT\n")
    (tmp_path / "outside.txt").write_text("OUTSIDE-CONTENT\n")
    (project / "link.txt").symlink_to(tmp_path / "outside.txt")
    proc = values_run(project, COMPOSE + f"    configs: [app]\nconfigs:\n  app: {{file: {file}}}\n")
    no_traceback(proc)
    assert proc.returncode == 1
    assert "compose.yaml:4:15: error: config file" in proc.stderr
    assert "outside the project directory" in proc.stderr
    assert "OUTSIDE-CONTENT" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("file", ["tls.key", "server.pem", "id_ed25519", ".env", "prod.env"])
def test_a_config_file_that_looks_like_key_material_is_refused(tmp_path: Path, file: str) -> None:
    (tmp_path / file).write_text("KEY-MATERIAL\n")
    proc = values_run(tmp_path, COMPOSE + f"    configs: [c]\nconfigs:\n  c: {{file: ./{file}}}\n")
    assert proc.returncode == 1
    assert "looks like key material" in proc.stderr
    assert "KEY-MATERIAL" not in proc.stdout + proc.stderr


def test_a_config_file_declared_as_a_secret_is_refused(tmp_path: Path) -> None:
    (tmp_path / "db.txt").write_text("s3cret-password\n")
    proc = values_run(tmp_path, COMPOSE + "    configs: [c]\n    secrets: [db]\n"
                      "configs:\n  c: {file: ./db.txt}\nsecrets:\n  db: {file: ./db.txt}\n")
    assert proc.returncode == 1
    assert "is declared as a secret" in proc.stderr
    assert "s3cret-password" not in proc.stdout + proc.stderr


def test_a_config_from_a_secret_looking_variable_becomes_a_secret_reference(
    tmp_path: Path,
) -> None:
    proc = values_run(tmp_path, COMPOSE + "    configs: [c]\nconfigs:\n  c: {environment: "
                      "DB_PASSWORD}\n", env={"DB_PASSWORD": "Hunter2-value"})
    assert proc.returncode == 0, proc.stderr
    assert "Hunter2-value" not in proc.stdout + proc.stderr
    assert "secretName: c" in proc.stdout
    assert "create Secret c with key(s) c" in proc.stderr


SPACECLOUD = """\
api: /v1/runner/shop/services/api/v1
type: service
meta: {project: shop, id: api, version: v1}
spec:
  tasks:
    - id: app
      ports: [{name: http, protocol: http, port: 8080}]
      docker: {image: "ghcr.io/acme/api:1.0"}
      resources: {cpu: 250, memory: 512}
      env:
        DB_PASSWORD: literal-pw
        DATABASE_URL: "postgres://u:url-pw@db/app"
        LOG_LEVEL: info
"""
DEVSPACE = """\
containers:
  - name: app
    image: ghcr.io/acme/api:1.0
    env:
      - {name: DB_PASSWORD, value: literal-pw}
      - {name: DATABASE_URL, value: "postgres://u:url-pw@db/app"}
      - {name: LOG_LEVEL, value: info}
"""


@pytest.mark.parametrize("text, name", [(SPACECLOUD, "service.yaml"), (DEVSPACE, "api.yaml")],
                         ids=["spacecloud", "devspace"])
def test_devspace_and_spacecloud_apply_the_compose_secret_detection(
    tmp_path: Path, text: str, name: str
) -> None:
    """`DB_PASSWORD: literal` and `postgres://u:pw@db` became plain env with 0 actions before."""
    proc = values_run(tmp_path, text, name=name)
    assert proc.returncode == 0, proc.stderr
    output = proc.stdout + proc.stderr
    assert "literal-pw" not in output and "url-pw" not in output
    import yaml

    container = yaml.safe_load(proc.stdout)["components"]["api"]["containers"]["app"]
    assert container["env"] == {"LOG_LEVEL": "info"}
    assert container["secretEnv"] == {
        "DB_PASSWORD": {"secret": "api-env", "key": "DB_PASSWORD"},
        "DATABASE_URL": {"secret": "api-env", "key": "DATABASE_URL"}}
    assert "create Secret api-env with key(s) DB_PASSWORD, DATABASE_URL" in proc.stderr
    assert "1 action(s) for you" in proc.stderr


@pytest.mark.parametrize(
    "name, value, secret",
    [("JDBC_URL", "jdbc:postgresql://u:pw@db/x", True),
     ("DB_URL", "postgres://app@db/x?sslmode=require&password=hunter2", True),
     ("DB_URL", "postgres://u:pa/ss@db/x", True),
     ("CONN", "Server=db;Database=x;User Id=u;Password=hunter2;", True),
     ("PGCONN", "host=db user=app password=hunter2", True),
     ("BLOB", "https://acct.blob.core.windows.net/c?sv=2022&sig=abc%2Bdef", True),
     ("DB_PASSWORD", "literal", True),
     ("API_URL", "http://api:8080/v1", False),
     ("DB_URL", "postgres://db:5432/x", False),
     ("PASSWORD_FILE", "/run/secrets/pw", False)],
)
def test_credentials_are_recognised_in_all_their_forms(name: str, value: str, secret: bool) -> None:
    from svcgen.readers._common import is_secret

    assert is_secret(name, value) is secret


def test_x_svcgen_values_cannot_put_a_credential_in_plain_env(tmp_path: Path) -> None:
    proc = values_run(tmp_path, COMPOSE + "    x-svcgen:\n      values:\n        containers:\n"
                      "          app:\n            env:\n"
                      '              JDBC_URL: "jdbc:postgresql://u:p/w@db/x"\n')
    assert proc.returncode == 1
    assert proc.stderr.startswith("compose.yaml:9:15: error: JDBC_URL holds secret material")
    assert "p/w" not in proc.stderr


def test_an_interpolation_error_never_prints_a_secret_value(tmp_path: Path) -> None:
    """A password that is not valid interpolation syntax in .env used to be echoed whole."""
    write(tmp_path / ".env", "DB_PASSWORD=Hunter2${!xyz\n")
    proc = values_run(tmp_path, COMPOSE + "    environment: [DB_PASSWORD]\n")
    no_traceback(proc)
    assert proc.returncode == 1
    assert ".env:1:1: error: invalid interpolation at character 8 of the value: '${' is never " \
        "closed" in proc.stderr
    assert "Hunter2" not in proc.stderr


def test_a_required_variable_message_never_carries_a_secret_value(tmp_path: Path) -> None:
    proc = values_run(tmp_path, COMPOSE + '    environment: {A: "${X:?was $DB_PASSWORD}"}\n',
                      env={"DB_PASSWORD": "Hunter2-value"})
    assert proc.returncode == 1
    assert "required variable X is not set" in proc.stderr
    assert "Hunter2" not in proc.stderr


def test_the_secret_checksum_cannot_be_brute_forced_from_the_pod_spec(helm4: str,
                                                                      tmp_path: Path) -> None:
    """sha256 of a short value is inverted by trying every value: the annotation must not be."""
    import hashlib

    import yaml

    path = write(tmp_path / "values.yaml", APP + '        secretEnv: {PIN: {value: "4711"}}\n')
    docs = list(yaml.safe_load_all(helm_mod.template([str(path)], helm=helm4)))
    pod = next(d for d in docs if d and d["kind"] == "Deployment")["spec"]["template"]
    checksum = pod["metadata"]["annotations"]["checksum/secret"]
    tries = {hashlib.sha256(f"app.PIN: \"{n:04d}\"\n".encode()).hexdigest() for n in range(10000)}
    tries |= {hashlib.sha256(f"app.PIN: \"{n:04d}\"".encode()).hexdigest() for n in range(10000)}
    tries |= {hashlib.sha256(f"app.PIN: '{n:04d}'".encode()).hexdigest() for n in range(10000)}
    assert checksum not in tries
    other = write(tmp_path / "other.yaml", 'components: {api: {containers: {app: {secretEnv: '
                  '{PIN: {value: "4712"}}}}}}\n')
    docs = list(yaml.safe_load_all(helm_mod.template([str(path), str(other)], helm=helm4)))
    pod = next(d for d in docs if d and d["kind"] == "Deployment")["spec"]["template"]
    assert pod["metadata"]["annotations"]["checksum/secret"] != checksum  # still rolls pods


ODD_ENV = {"A": "x\x7fy\x85z\u2028w\u2029v\ufeffu\x9f", "B": "line1\nline \x85 two\n",
           "C": "line1\nline\u2028two\n", "D": "plain\nblock\n"}


@pytest.mark.parametrize("update", [False, True], ids=["new", "updated"])
def test_a_written_values_file_reads_back_unchanged_everywhere(
    tmp_path: Path, helm4: str, update: bool
) -> None:
    """DEL, C1 controls, U+0085 (which became a space) and U+2028 inside literal blocks broke
    the values file for lint, for `values -o` and for helm."""
    import json

    import yaml

    env = "\n".join(f"      {k}: {json.dumps(v)}" for k, v in ODD_ENV.items())
    write(tmp_path / "compose.yaml", COMPOSE + "    environment:\n" + env + "\n")
    for _ in range(2 if update else 1):
        proc = svcgen("values", "compose.yaml", "-o", "values.yaml", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "values.yaml").read_text()
    assert yaml.safe_load(text)["components"]["api"]["containers"]["app"]["env"] == ODD_ENV
    lint = svcgen("lint", "values.yaml", cwd=tmp_path)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    docs = yaml.safe_load_all(helm_mod.template([str(tmp_path / "values.yaml")], helm=helm4))
    deployment = next(d for d in docs if d and d["kind"] == "Deployment")
    rendered = {e["name"]: e["value"]
                for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert {k: rendered[k] for k in ODD_ENV} == ODD_ENV


# --- 8. the in-place update never edits what the user owns -------------------------------------

C3 = """\
services:
  api:
    image: ghcr.io/acme/api:1.4.2
    user: "1000"
    ports: ["8080:8080"]
    environment: {LOG_LEVEL: info}
"""
ANCHORED = """\
components:
  api:
    containers:
      app: &shared
        image: {repository: old/api, tag: "0.1"}
        env: {LOG_LEVEL: debug, KEEP: "1"}
  manual:
    containers:
      app: *shared
"""
MERGED = """\
components:
  manual: &defaults
    replicas: 3
    securityProfile: baseline
    podSecurityContext: {fsGroup: 2000}
    service: {type: NodePort, ports: {http: {port: 80, targetPort: 8080}}}
    containers:
      app:
        image: {repository: ghcr.io/acme/manual, tag: "1"}
        ports: {http: {containerPort: 8080}}
  api:
    <<: *defaults
    containers:
      app:
        image: {repository: old/api, tag: "0.1"}
"""


@pytest.mark.parametrize("existing", [ANCHORED, MERGED], ids=["anchored", "merge-key"])
def test_updating_a_generated_component_leaves_shared_user_mappings_alone(
    tmp_path: Path, existing: str
) -> None:
    import yaml

    write(tmp_path / "compose.yaml", C3)
    write(tmp_path / "values.yaml", existing)
    before = yaml.safe_load(existing)["components"]["manual"]
    proc = svcgen("values", "compose.yaml", "-o", "values.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    after = yaml.safe_load((tmp_path / "values.yaml").read_text())["components"]
    assert after["manual"] == before
    assert after["api"]["containers"]["app"]["image"]["repository"] == "ghcr.io/acme/api"
    assert after["api"]["containers"]["app"]["env"] == {"LOG_LEVEL": "info"}


# --- 9. nothing dropped or renamed silently ----------------------------------------------------


def test_an_image_option_naming_no_service_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    proc = values_run(tmp_path, COMPOSE, "--image", "apu=ghcr.io/acme/api:2.0")
    assert proc.returncode == 2
    assert "--image apu=ghcr.io/acme/api:2.0: no service or component is named 'apu'" in proc.stderr
    assert "did you mean 'api'?" in proc.stderr
    assert proc.stdout == ""


def test_an_explicit_component_id_that_clashes_is_an_error(tmp_path: Path) -> None:
    proc = values_run(tmp_path, COMPOSE + "  web:\n    image: ghcr.io/acme/web:1.0\n"
                      "    x-svcgen: {component: api}\n")
    assert proc.returncode == 1
    assert proc.stderr.startswith("compose.yaml:6:16: error: component id 'api' is already the "
                                  "component of service 'api'"), proc.stderr


def test_a_missing_extends_file_is_an_error_at_the_extends_key(tmp_path: Path) -> None:
    proc = values_run(tmp_path, "services:\n  api:\n    extends: {file: ./base.yaml, service: b}\n")
    no_traceback(proc)
    assert proc.returncode in (1, 2)
    assert proc.stderr.startswith("compose.yaml:3:5: error: extends.file ./base.yaml: no such "
                                  "file"), proc.stderr


def test_an_invalid_file_after_the_update_is_reported_where_the_key_is(tmp_path: Path) -> None:
    write(tmp_path / "values.yaml", "components:\n  api:\n    priorityClassName: 5\n")
    proc = values_run(tmp_path, COMPOSE, "-o", "values.yaml")
    assert proc.returncode == 1
    assert proc.stderr.startswith("values.yaml:3:24: error: after the update, the value "
                                  "components.api.priorityClassName is invalid"), proc.stderr
    assert (tmp_path / "values.yaml").read_text().endswith("priorityClassName: 5\n")


# --- 6. no traceback, ever ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, message",
    [("!!bool maybe", "invalid YAML value 'maybe': it is not a valid bool"),
     ("!!int 12x", "invalid YAML value '12x'"),
     ("!!float nope", "invalid YAML value 'nope'"),
     ("9" * 5000, "it has too many digits")],
    ids=["bool-tag", "int-tag", "float-tag", "5000-digits"],
)
@pytest.mark.parametrize("command", ["lint", "compose", "spacecloud", "devspace"])
def test_unconstructible_scalars_are_located_errors_in_every_loader(
    tmp_path: Path, command: str, value: str, message: str
) -> None:
    """Compose's own loader reads explicit `!!` tags as compose-go's YAML does (text), so only
    the oversized number is an error there."""
    if command == "compose" and value.startswith("!!"):
        value = "9" * 5000
        message = "it has too many digits"
    write(tmp_path / "in.yaml", f"components: {{}}\nx: {value}\n")
    args = ["lint", "in.yaml"] if command == "lint" else ["values", "--format", command,
                                                          "in.yaml"]
    proc = svcgen(*args, cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode in (1, 2)
    assert proc.stderr.startswith("in.yaml:2:4: error: invalid YAML value"), proc.stderr
    assert message in proc.stderr


def test_a_set_tag_is_refused_at_its_position(tmp_path: Path) -> None:
    """No values format has sets: the tag is refused where it stands, not read as a mapping."""
    write(tmp_path / "values.yaml", "x: !!set {a, b}\ncomponents: {}\n")
    proc = svcgen("lint", "values.yaml", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 2  # as for any file lint cannot read
    assert "values.yaml:1:4: error: the YAML tag !!set is not supported" in proc.stdout + \
        proc.stderr


def test_spacecloud_null_min_replicas_is_a_located_error(tmp_path: Path) -> None:
    text = SPACECLOUD + "  autoScale: {minReplicas: null, maxReplicas: 4}\n"
    proc = values_run(tmp_path, text, name="service.yaml")
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.startswith("service.yaml:14:15: error: autoScale.minReplicas is null")


def test_a_variable_with_bytes_that_are_not_utf8_is_an_error_naming_it(tmp_path: Path) -> None:
    write(tmp_path / "compose.yaml", COMPOSE.replace(":1.4.2", ":${TAG}"))
    env = {k: v for k, v in os.environ.items() if k != "SVCGEN_HELM"}
    proc = subprocess.run([sys.executable, "-m", "svcgen", "values", "compose.yaml"],
                          capture_output=True, cwd=tmp_path, check=False, timeout=120,
                          env={**{k.encode(): v.encode() for k, v in env.items()},
                               b"TAG": b"1.4\xff"})
    stderr = proc.stderr.decode()
    assert "Traceback" not in stderr, stderr
    assert proc.returncode == 1
    assert stderr.startswith("compose.yaml:3:5: error: variable TAG is not UTF-8 text")


def test_a_settings_file_is_read_only_up_to_the_input_limit(tmp_path: Path) -> None:
    write(tmp_path / "values.yaml", APP)
    proc = svcgen("lint", "--config", "/dev/zero", "values.yaml", cwd=tmp_path, timeout=60)
    no_traceback(proc)
    assert proc.returncode == 2
    assert "/dev/zero is larger than 16 MiB" in proc.stderr
