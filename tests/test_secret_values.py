"""Inline secret values at install time: the salted pod checksum (cheap, and still no way back to a
short value without the salt)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from svcgen import helm as helm_mod

SALT = "5e8f0c2a9b7d4e1f3a6c8b0d2e4f6a8c"


def values(pin: str, salt: str | None) -> str:
    head = f"global: {{secretChecksumSalt: {salt}}}\n" if salt else ""
    return head + (
        "components:\n  api:\n    containers:\n      app:\n"
        '        image: {repository: ghcr.io/acme/api, tag: "1.4.2"}\n'
        f'        secretEnv: {{PIN: {{value: "{pin}"}}}}\n')


def checksum(tmp_path: Path, helm: str, pin: str, salt: str | None) -> str:
    path = tmp_path / "values.yaml"
    path.write_text(values(pin, salt))
    docs: list[Any] = list(yaml.safe_load_all(helm_mod.template([str(path)], helm=helm)))
    pod = next(d for d in docs if d and d["kind"] == "Deployment")["spec"]["template"]
    result: str = pod["metadata"]["annotations"]["checksum/secret"]
    return result


def test_salted_secret_checksum_changes_with_the_value_and_the_salt(helm4: str,
                                                                    tmp_path: Path) -> None:
    first = checksum(tmp_path, helm4, "4711", SALT)
    assert checksum(tmp_path, helm4, "4712", SALT) != first  # a new value rolls the pods
    assert checksum(tmp_path, helm4, "4711", SALT) == first  # the same one does not
    assert checksum(tmp_path, helm4, "4711", SALT[::-1]) != first


def test_salted_secret_checksum_cannot_be_brute_forced_without_the_salt(helm4: str,
                                                                        tmp_path: Path) -> None:
    found = checksum(tmp_path, helm4, "4711", SALT)
    tries = set()
    for n in range(10000):
        for data in (f"app.PIN: \"{n:04d}\"", f"app.PIN: \"{n:04d}\"\n", f"app.PIN: '{n:04d}'"):
            tries.add(hashlib.sha256(data.encode()).hexdigest())
    assert found not in tries
    assert checksum(tmp_path, helm4, "4711", None) != found  # unsalted: the scrypt stretch


def test_salted_secret_checksum_renders_alike_on_helm_3_and_4(helm4: str, helm3: str,
                                                              tmp_path: Path) -> None:
    assert checksum(tmp_path, helm4, "4711", SALT) == checksum(tmp_path, helm3, "4711", SALT)


COMPOSE = """\
services:
  api:
    image: ghcr.io/acme/api:1.4.2
    ports: ["8080:8080"]
    environment:
      DB_PW: Tr0ub4dor-3
      STRIPE_KEY: sk_live_4eC39HqLyjWDarjtT1zdp7dc
      DATABASE_URL: postgres://$${PGUSER}:$${PGPASSWORD}@db/app
      LOG_LEVEL: info
"""


def run_values(tmp_path: Path, *args: str) -> Any:
    from typer.testing import CliRunner

    from svcgen.cli import app

    return CliRunner().invoke(app, ["values", str(tmp_path / "compose.yaml"), *args])


def test_secret_values_overlay_installs_secrets_the_pods_read(helm4: str, tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    values_file, secrets_file = tmp_path / "values.yaml", tmp_path / "secrets.yaml"
    result = run_values(tmp_path, "-o", str(values_file), "--secret-values", str(secrets_file))
    assert result.exit_code == 0, result.stderr
    assert secrets_file.stat().st_mode & 0o777 == 0o600
    written = values_file.read_text()
    assert "Tr0ub4dor-3" not in written and "sk_live_" not in written
    assert "Tr0ub4dor-3" not in result.stdout + result.stderr
    docs: list[Any] = [d for d in yaml.safe_load_all(helm_mod.template(
        [str(values_file), str(secrets_file)], helm=helm4)) if d]
    import base64

    secret = next(d for d in docs if d["kind"] == "Secret" and d["metadata"]["name"] == "api-env")
    data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert data == {"app.DB_PW": "Tr0ub4dor-3",
                    "app.STRIPE_KEY": "sk_live_4eC39HqLyjWDarjtT1zdp7dc"}
    pod = next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]
    env = {e["name"]: e for e in pod["spec"]["containers"][0]["env"]}
    assert env["DB_PW"]["valueFrom"]["secretKeyRef"] == {"name": "api-env", "key": "app.DB_PW"}
    assert env["STRIPE_KEY"]["valueFrom"]["secretKeyRef"]["name"] == "api-env"
    # a URL whose password is a reference stays plain: a Secret would not expand it
    assert env["DATABASE_URL"]["value"] == "postgres://${PGUSER}:${PGPASSWORD}@db/app"
    assert "checksum/secret" in pod["metadata"]["annotations"]


def test_secret_values_file_is_never_overwritten_without_force(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    secrets_file = tmp_path / "secrets.yaml"
    assert run_values(tmp_path, "--secret-values", str(secrets_file)).exit_code == 0
    before = secrets_file.read_text()
    refused = run_values(tmp_path, "--secret-values", str(secrets_file))
    assert refused.exit_code == 2
    assert "never overwritten without --force" in refused.stderr
    assert secrets_file.read_text() == before
    forced = run_values(tmp_path, "--secret-values", str(secrets_file), "--force")
    assert forced.exit_code == 0, forced.stderr
    salt = yaml.safe_load(before)["global"]["secretChecksumSalt"]
    assert yaml.safe_load(secrets_file.read_text())["global"]["secretChecksumSalt"] == salt
    assert secrets_file.stat().st_mode & 0o777 == 0o600


def test_without_secret_values_the_action_names_the_flag(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    result = run_values(tmp_path)
    assert result.exit_code == 0
    assert "--secret-values FILE" in result.stderr
    assert "Tr0ub4dor-3" not in result.stdout + result.stderr


def test_secret_values_overlay_holds_a_renamed_service_as_callers_must_name_it(
        tmp_path: Path) -> None:
    """`pg_main` becomes Service `pg-main`; a URL naming it with a password goes into a Secret,
    and the overlay holds it rewritten, so the installed pod connects to the Service that exists."""
    (tmp_path / "compose.yaml").write_text(
        "services:\n"
        "  app:\n    image: ghcr.io/acme/notes:2.3.1\n"
        "    environment: {DATABASE_URL: 'postgres://notes:Tr0ub4dor-3@pg_main:5432/notes'}\n"
        "  pg_main:\n    image: postgres:16.4\n")
    secrets_file = tmp_path / "secrets.yaml"
    result = run_values(tmp_path, "-o", str(tmp_path / "values.yaml"),
                        "--secret-values", str(secrets_file))
    assert result.exit_code == 0, result.stderr
    overlay = yaml.safe_load(secrets_file.read_text())
    env = overlay["components"]["app"]["containers"]["app"]["secretEnv"]
    assert env["DATABASE_URL"]["value"] == "postgres://notes:Tr0ub4dor-3@pg-main:5432/notes"
    assert "the --secret-values file holds it rewritten" in result.stderr
    assert "Tr0ub4dor-3" not in result.stdout + result.stderr
