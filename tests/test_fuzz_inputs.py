"""Fuzzing every reader and lint with mutated real inputs: wrong types, YAML tags, huge numbers
and sizes, deleted and renamed keys. Whatever the input, the outcome is a result (exit 0 or 1)
or an error of our own with exit 1 or 2 that names the file; never another exception.

Each example starts from a committed example input, applies up to four mutations at random
paths and runs the command in-process. ``SVCGEN_FUZZ_EXAMPLES`` raises the number of examples
for a longer local run (the default keeps the suite fast).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from chartutil import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svcgen.diagnostics import SvcgenError
from svcgen.lint.command import LintRequest, run_lint
from svcgen.values_cmd import run_values
from svcgen.yamlio import iter_paths

EXAMPLES = int(os.environ.get("SVCGEN_FUZZ_EXAMPLES", "40"))
SEEDS = {
    "compose": REPO / "values-examples" / "compose" / "compose.yaml",
    "spacecloud": REPO / "values-examples" / "spacecloud" / "services.yaml",
    "devspace": REPO / "values-examples" / "devspace" / "devspace.yaml",
    "lint": REPO / "values-examples" / "shop-values.yaml",
}
#: YAML text no plain value can hold: each is put in place of a marker after dumping.
RAW = [
    "!!bool maybe", "!!set {a, b}", "!!int 12x", "!!float nope", "!!binary '==='",
    "!!timestamp 2020-13-45", "!!python/object:os.system x", "!custom tagged", "!!null x",
    "!reset null", "!override {}", "9" * 5000, "-" + "9" * 4400, "1e400", "0x" + "f" * 40,
    "'\\x85 quoted'", '"\\x00\\x7f\\u2028\\x85"', "|\n  block\n   \x85 text\n", "*undefined",
    "[" * 50 + "]" * 50, "'${UNSET:?boom}'", "'$'", "'${'", "'${1X}'", "'$${X}'",
    "'postgres://u:p/w@db/x'", "'" + "x" * 70000 + "'",
]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["3", "false", "yes", "", "-", "0o17", "0x1F", "12:30", "~", "null", "1_000",
                     "/etc/passwd", "../../x", "/proc/self/environ", "--output-dir=/tmp",
                     "a" * 300, "x:1", "ghcr.io/acme/api:latest", "http", "tcp", "udp"]),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3),
                   st.dictionaries(st.text(max_size=8), SCALARS, max_size=3),
                   st.integers(0, len(RAW) - 1).map(lambda i: f"__RAW_{i}__"))


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _mutate(data: Any, draw: Callable[..., Any]) -> Any:
    paths = [p for p in iter_paths(data) if p]
    if not paths:
        return draw(VALUES)
    path = draw(st.sampled_from(paths))
    parent = _at(data, path[:-1])
    key = path[-1]
    action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "rename", "wrap"]))
    if action == "delete":
        del parent[key]
    elif action == "rename" and isinstance(parent, dict):
        parent[draw(st.text(max_size=10))] = parent.pop(key)
    elif action == "wrap":
        parent[key] = [parent[key]] if draw(st.booleans()) else {"x": parent[key]}
    else:
        parent[key] = draw(VALUES)
    return data


@st.composite
def mutated(draw: Callable[..., Any], seed: Path) -> str:
    documents = list(yaml.safe_load_all(seed.read_text()))
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(documents) - 1))
        documents[index] = _mutate(documents[index], draw)
    text = yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True, width=4096)
    for i, raw in enumerate(RAW):
        text = text.replace(f"'__RAW_{i}__'", raw).replace(f"__RAW_{i}__", raw)
    return text


def _outcome(target: str, workdir: Path, text: str) -> tuple[int, list[Any]]:
    name = SEEDS[target].name
    path = workdir / name
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    out, err = io.StringIO(), io.StringIO()
    try:
        if target == "lint":
            code = run_lint(LintRequest(files=(str(path),), format="json"), out)
        else:
            code = run_values([str(path)], output=None, fmt=target, env_file=None, profiles=(),
                              project=None, registry=None, images=(), strict=False,
                              stdout=out, stderr=err)
    except SvcgenError as exc:
        return exc.exit_code, list(exc.diagnostics)
    return code, []


@pytest.fixture(scope="module")
def workdirs() -> dict[str, Path]:
    """One copy of each example directory (its env files and configs), reused by every run."""
    root = Path(tempfile.mkdtemp(prefix="svcgen-fuzz-"))
    dirs = {}
    for target, seed in SEEDS.items():
        dirs[target] = root / target
        shutil.copytree(seed.parent, dirs[target])
    return dirs


@pytest.mark.parametrize("target", list(SEEDS))
def test_mutated_inputs_end_in_a_result_or_a_located_error(
    target: str, workdirs: dict[str, Path]
) -> None:
    """Every reader and lint: exit 0/1 with output, or an SvcgenError (exit 1 or 2) whose first
    diagnostic names the input file; any other exception fails the test with its input."""
    tried = 0

    @settings(max_examples=EXAMPLES, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.large_base_example])
    @given(text=mutated(SEEDS[target]))
    def run(text: str) -> None:
        nonlocal tried
        tried += 1
        code, diagnostics = _outcome(target, workdirs[target], text)
        assert code in (0, 1, 2)
        for d in diagnostics[:1]:
            assert d.file, (d, text[:2000])
            assert d.message
            # A problem inside the input file is located in it.
            if d.file.endswith(SEEDS[target].name) and code == 1:
                assert d.line > 0, (d, text[:2000])

    run()
    assert tried >= min(EXAMPLES, 20)
