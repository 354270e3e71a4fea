"""Fixtures shared by every suite: the pinned helm binaries.

A test that needs helm FAILS when it is missing, never skips: a green run must mean the chart was
rendered. Under CI (``CI=true``) a skipped test of any kind is turned into a failure as well, so
nothing passes there without having run, and property tests replay a fixed sequence of examples.
Fixtures are session-scoped, so each pytest-xdist worker looks the binaries up once.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Generator
from pathlib import Path

import pytest
from apiserverutil import Cluster, script
from chartutil import helm_binary
from hypothesis import settings

from svcgen.helm import helm_version, unsupported_reason

#: The versions `make setup` installs; CI runs with exactly these.
PINNED = {"helm": "v4.1.4", "helm3": "v3.17.3"}

IN_CI = os.environ.get("CI", "").lower() == "true"

#: Property tests explore new examples on every local run; CI replays a fixed sequence, so a
#: submission lands or fails on its own changes, not on the examples drawn that day.
settings.register_profile("ci", derandomize=True, database=None)
if IN_CI:
    settings.load_profile("ci")


def _pinned_helm(name: str) -> str:
    try:
        path = helm_binary(name)
    except RuntimeError as exc:
        pytest.fail(f"{exc} (or `python scripts/install_helm.py`); tests that render need it",
                    pytrace=False)
    version = helm_version(path)
    if version is None:
        pytest.fail(f"{path} does not run as helm: reinstall it with `make setup`", pytrace=False)
    reason = unsupported_reason(version)
    if reason is not None:
        pytest.fail(f"{path}: {reason}", pytrace=False)
    if IN_CI and version != PINNED[name]:
        pytest.fail(f"{path} is {version}; CI runs the pinned {PINNED[name]}", pytrace=False)
    return path


@pytest.fixture(scope="session")
def helm4() -> str:
    """Path of Helm 4 (``.venv/bin/helm``)."""
    return _pinned_helm("helm")


@pytest.fixture(scope="session")
def helm3() -> str:
    """Path of Helm 3.17 (``.venv/bin/helm3``)."""
    return _pinned_helm("helm3")


@pytest.fixture(scope="session", params=["helm", "helm3"], ids=["helm4", "helm3"])
def each_helm(request: pytest.FixtureRequest) -> str:
    """Runs the test once with Helm 4 and once with Helm 3: the chart must behave alike on both."""
    return _pinned_helm(str(request.param))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where every test must run: {reason}"
    return report


#: Names the test run that started the API server, so that only that run stops it; set by the
#: controlling process before pytest-xdist starts its workers, which inherit it.
APISERVER_RUN = "SVCGEN_APISERVER_RUN"


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        os.environ.setdefault(APISERVER_RUN, uuid.uuid4().hex)


def pytest_unconfigure(config: pytest.Config) -> None:
    """The run that started the API server stops it; one started by `make apiserver` stays."""
    if hasattr(config, "workerinput"):
        return
    owner = script.default_dir() / "owner"
    try:
        started_here = owner.read_text().strip() == os.environ.get(APISERVER_RUN)
    except OSError:
        return
    if started_here:
        script.stop(script.default_dir(), script.Cache(script.default_cache()))


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Cluster:
    """The real kube-apiserver (scripts/apiserver.py), started once for the whole run.

    pytest-xdist workers share it: the first to get the lock starts it, the others find it
    running. A server already started with `make apiserver` is used and left running. Not built
    yet: skipped locally with the command that builds it, a failure under CI (`make test` builds
    it before pytest runs).
    """
    cache = script.Cache(script.default_cache())
    missing = script.verify(cache)
    if missing:
        message = (f"the API server is not built ({', '.join(missing)}): run `make apiserver` "
                   "once (slow the first time, then cached)")
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    directory: Path = script.default_dir()
    try:
        server, _ = script.start(directory, cache, owner=os.environ.get(APISERVER_RUN, ""))
    except script.ApiServerError as exc:
        pytest.fail(f"the API server did not start: {exc}", pytrace=False)
    return Cluster(server, tmp_path_factory.mktemp("helm-home"))
