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
