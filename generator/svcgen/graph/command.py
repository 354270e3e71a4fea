"""What ``svcgen graph`` does behind the CLI's argument parsing: render through helm (as
``svcgen template`` and ``lint --render`` do), build the topology, draw it, write it."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TextIO

from svcgen import helm
from svcgen.diagnostics import error
from svcgen.diff.objects import parse
from svcgen.graph.draw import FORMATS, draw
from svcgen.graph.model import Graph, build
from svcgen.lint.source import PosNode, SourceDoc, chart_defaults
from svcgen.merge import merge
from svcgen.yamlio import atomic_write, read_text


@dataclass(frozen=True)
class GraphRequest:
    files: tuple[str, ...]
    #: The files after ``--``: draw what changes from ``files`` to these (None: no ``--``).
    new: tuple[str, ...] | None = None
    format: str | None = None
    output: str | None = None
    release: str = helm.DEFAULT_RELEASE
    namespace: str | None = None
    kube_version: str = helm.DEFAULT_KUBE_VERSION
    helm: str | None = None


def run_graph(req: GraphRequest, stream: TextIO | None = None) -> int:
    fmt = req.format or _format_for(req.output, changed=bool(req.new))
    if fmt not in FORMATS:
        raise error(f"unknown format `{fmt}`", exit_code=2,
                    hint=f"use one of: {', '.join(FORMATS)}")
    if not req.files:
        raise error("name the values files to draw", exit_code=2,
                    hint="svcgen graph values.yaml, or svcgen graph old.yaml -- new.yaml")
    if req.new is not None and not req.new:
        raise error("`--` is followed by no NEW values files", exit_code=2,
                    hint="svcgen graph old.yaml -- new.yaml, or leave out `--` to draw one release")
    new = req.new or ()
    option = next((f for f in new if f.startswith("--")), None)
    if option is not None:
        raise error(f"`{option}` follows `--`, where only NEW values files go", exit_code=2,
                    hint="put options before the BASE files: svcgen graph --format json "
                    "old.yaml -- new.yaml")
    if [*req.files, *new].count("-") > 1:
        raise error("standard input ('-') can be read only once", exit_code=2,
                    hint="git show main:values.yaml | svcgen graph - -- values.yaml")
    stdin = read_text("-") if "-" in (*req.files, *new) else None
    if new:
        from svcgen.graph.change import compare, draw_change

        with ThreadPoolExecutor(max_workers=2) as pool:
            base_job = pool.submit(graph_of, req.files, req, stdin)
            new_job = pool.submit(graph_of, new, req, stdin)
            text = draw_change(compare(base_job.result(), new_job.result()), fmt)
    else:
        text = draw(graph_of(req.files, req, stdin), fmt)
    if req.output:
        atomic_write(req.output, text)
    else:
        (stream or sys.stdout).write(text)
    return 0


def _format_for(output: str | None, *, changed: bool) -> str:
    """The format a file name asks for; Markdown for a change (a pull-request comment)."""
    suffix = (output or "").rpartition(".")[2].lower() if output and "." in output else ""
    by_suffix = {"mmd": "mermaid", "mermaid": "mermaid", "md": "markdown", "dot": "dot",
                 "gv": "dot", "json": "json", "svg": "svg"}
    return by_suffix.get(suffix, "markdown" if changed else "mermaid")


def graph_of(files: Sequence[str], req: GraphRequest, stdin: str | None = None) -> Graph:
    """Render these values files and build their graph."""
    values = merged_values(files, stdin)
    namespace = req.namespace or helm.project_namespace(files, stdin) or helm.DEFAULT_NAMESPACE
    manifests = helm.template(list(files), release=req.release, namespace=namespace,
                              kube_version=req.kube_version, helm=req.helm,
                              stdin=stdin if "-" in files else None)
    return build(parse(manifests), release=req.release, namespace=namespace, values=values)


def merged_values(files: Sequence[str], stdin: str | None) -> dict[str, Any]:
    """The ``global`` values as helm merges them: only the namespaces they give a role are read.

    Only each file's ``global`` block is parsed, as helm's namespace lookup does: the whole of a
    large values file takes seconds to load in pure Python.
    """
    # The chart's own defaults first: they name namespaces too (monitoring, keda).
    defaults = chart_defaults()
    sources = [SourceDoc("values.yaml", {"global": defaults.get("global") or {}}, PosNode())]
    for name in files:
        text = (stdin or "") if name == "-" else read_text(name)
        glob = helm._global_block(name, text)  # the one parser of that block
        data = {"global": glob} if isinstance(glob, dict) else {}
        sources.append(SourceDoc(name, data, PosNode()))
    return merge(sources, defaults).data
