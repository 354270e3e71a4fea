"""One secret detector (svcgen.secrets) for every reader and lint: each pattern on its example,
the corpus targets per reader and lint, and the same decision everywhere for one name and value."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svcgen.cli import app
from svcgen.secrets import NAME_RULES, VALUE_PATTERNS, detect, fingerprint, is_secret

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
try:
    import _secrets_corpus as corpus_mod
finally:
    sys.path.remove(str(REPO / "benchmarks"))

CORPUS = corpus_mod.corpus()


@pytest.mark.parametrize("pattern", VALUE_PATTERNS, ids=lambda p: p.name)
def test_each_value_pattern_finds_its_example_whatever_the_name(pattern: object) -> None:
    from svcgen.secrets import Pattern

    assert isinstance(pattern, Pattern)
    found = detect("SETTING", pattern.example)
    assert found is not None and found.by_value and found.rule == pattern.name


@pytest.mark.parametrize("rule", NAME_RULES, ids=lambda r: r.name)
def test_each_name_rule_finds_its_example(rule: object) -> None:
    from svcgen.secrets import NameRule

    assert isinstance(rule, NameRule)
    found = detect(rule.example, "Tr0ub4dor-and-3")
    assert found is not None and not found.by_value and found.rule == rule.name


@pytest.mark.parametrize(
    "name, value",
    [("DATABASE_URL", "postgres://$(PGUSER):$(PGPASSWORD)@db/app"),
     ("DB_PASSWORD", "$(POSTGRES_PASSWORD)"), ("API_KEY", "${API_KEY}"),
     ("TOKEN", "{{ .Values.token }}"), ("DB_PASSWORD", "vault:secret/data/db#password"),
     ("API_KEY", "ref+awssm://prod/api#key"), ("DB_PASSWORD", "/run/secrets/db"),
     ("PASSWORD_MIN_LENGTH", "12"), ("API_KEY_HEADER", "X-Api-Key"),
     ("TOKENIZER_MODEL", "bert-base"), ("REDIS_URL", "redis://redis:6379/0"),
     ("TLS_CERT", "-----BEGIN CERTIFICATE-----\nMIIB..."), ("GIT_SHA", "a" * 40),
     ("AUTH_ENABLED", True), ("SECRET_CACHE_TTL", 300), ("MAX_UPLOAD_SIZE", "10Mi"),
     ("JWT_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----\nMIIB..."),
     ("AUTHORIZATION", "Bearer $(API_TOKEN)")],
)
def test_references_public_material_and_settings_are_not_secrets(name: str,
                                                                  value: object) -> None:
    assert detect(name, value) is None


@pytest.mark.parametrize(
    "name, value",
    [("GH_PAT", "ghp_" + "a1B2c3D4e5" * 4), ("STRIPE_KEY", "sk_live_" + "x7Y8z9" * 4),
     ("S3_KEY", "AKIAIOSFODNN7EXAMPLE"),
     ("TLS_KEY", "-----BEGIN PRIVATE KEY-----\nMIIEvQ..."),
     ("JAVA_TOOL_OPTIONS", "-Djavax.net.ssl.keyStorePassword=changeit"),
     ("AUTHORIZATION", "Bearer 9f8e7d6c5b4a39281706f5e4"), ("DB_PW", "pw-literal"),
     ("ROOT_PW", "toor"), ("REDIS_AUTH", "redis-pass"), ("SESSION_KEY", "k3y-material"),
     # where references and literals mix, the literal password is what counts
     ("DATABASE_URL", "postgres://$(PGUSER):literal-pw@db/app")],
)
def test_credentials_the_issue_names_are_found(name: str, value: str) -> None:
    assert is_secret(name, value)


def test_corpus_is_about_half_credentials() -> None:
    credentials = sum(1 for c in CORPUS if c.secret)
    assert len(CORPUS) >= 350
    assert 0.4 <= credentials / len(CORPUS) <= 0.6


@pytest.fixture(scope="module")
def decisions() -> dict[str, list[bool]]:
    return {name: decide(CORPUS) for name, decide in corpus_mod.DECIDERS.items()}


@pytest.mark.parametrize("decider", list(corpus_mod.DECIDERS))
def test_every_reader_and_lint_meet_the_corpus_targets(decider: str,
                                                       decisions: dict[str, list[bool]]) -> None:
    m = corpus_mod.confusion(CORPUS, decisions[decider])
    assert m.recall >= 0.95, m
    assert m.false_alarm_rate <= 0.05, m


def test_readers_and_lint_decide_every_corpus_variable_as_the_detector_does(
        decisions: dict[str, list[bool]]) -> None:
    expected = [is_secret(c.name, c.value) for c in CORPUS]
    for name, decided in decisions.items():
        differ = [corpus_mod.describe(c) for c, e, d in zip(CORPUS, expected, decided,
                                                             strict=True) if e != d]
        assert not differ, (name, differ)


def _credential_values() -> Iterator[str]:
    """The secret parts of the corpus credentials: a password whole, and of longer values the
    random words (letters with digits), long enough not to occur by chance."""
    for c in CORPUS:
        if not c.secret:
            continue
        if c.kind == "password-name" and len(c.value) >= 6:
            yield c.value
        for word in re.split(r"[\s\"'=:;@/{}]+", c.value):
            if len(word) >= 8 and re.search(r"\d", word) and re.search(r"[A-Za-z]", word):
                yield word


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_lint_output_never_carries_a_corpus_credential(fmt: str, tmp_path: Path) -> None:
    components = {f"s{i}": {"containers": {"app": {
        "image": {"repository": "ghcr.io/acme/app", "tag": "1.0"},
        "env": {c.name: c.value}}}} for i, c in enumerate(CORPUS) if c.secret}
    path = tmp_path / "values.yaml"
    path.write_text(json.dumps({"components": components}))
    result = CliRunner().invoke(app, ["lint", "--format", fmt, str(path)])
    assert result.exit_code == 1
    output = result.stdout + result.stderr
    assert "SVC601" in output
    leaked = [w for w in _credential_values() if w in output]
    assert not leaked, leaked[:3]


def test_values_output_and_report_never_carry_a_corpus_credential(tmp_path: Path) -> None:
    services = {f"s{i}": {"image": "ghcr.io/acme/app:1.0",
                          "environment": {c.name: c.value.replace("$", "$$")}}
                for i, c in enumerate(CORPUS) if c.secret}
    (tmp_path / "compose.yaml").write_text(json.dumps({"services": services}))
    result = CliRunner().invoke(app, ["values", str(tmp_path / "compose.yaml")])
    assert result.exit_code == 0, result.stderr
    output = result.stdout + result.stderr
    assert "secretEnv" in output
    leaked = [w for w in _credential_values() if w in output]
    assert not leaked, leaked[:3]


def test_fingerprint_tells_values_apart_without_showing_them() -> None:
    assert fingerprint("hunter2") == fingerprint("hunter2")
    assert fingerprint("hunter2") != fingerprint("hunter3")
    assert "hunter2" not in fingerprint("hunter2") and len(fingerprint("x")) == 11


def test_explain_lists_every_pattern_and_name_rule() -> None:
    result = CliRunner().invoke(app, ["explain", "SVC601"])
    assert result.exit_code == 0
    for item in (*VALUE_PATTERNS, *NAME_RULES):
        assert f"  {item.name}: " in result.stdout
