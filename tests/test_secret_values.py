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
