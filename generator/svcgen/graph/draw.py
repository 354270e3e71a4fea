"""The graph as Mermaid (GitHub and GitLab render it in Markdown as is), Markdown with the lists a
reviewer reads, DOT for graphviz, JSON for tools and tests, and SVG through graphviz's ``dot``.

``marks`` (used by ``graph BASE -- NEW``) colour what a change adds, removes or changes: keys are
node ids, edge keys ``(from, to)``, refused keys ``("refused", from, to, port)`` and entry ids.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from svcgen.diagnostics import error
from svcgen.graph.model import Entry, Graph, Node

FORMATS = ("mermaid", "markdown", "dot", "json", "svg")
Marks = Mapping[Hashable, str]

#: Colours of a change: added, removed, changed.
COLOURS = {"added": "#1a7f37", "removed": "#cf222e", "changed": "#bf8700"}
REFUSED_COLOUR = "#cf222e"
#: The note inside a release without policies (the full sentence is in the graph's notes).
OPEN_LABEL = "no traffic policy rendered: every pod may call every pod, on any port"


def node_lines(node: Node) -> list[str]:
    """What a node says, one line each: the same text in every format."""
    if node.kind == "External":
        return [node.name, *([f"({node.role})"] if node.role else [])]
    lines = [f"{node.name} · {node.kind}"]
    if node.hook:
        lines[0] += f" (helm hook {node.hook})"
    facts = []
    if node.replicas:
        facts.append(f"replicas {node.replicas}" if node.replicas[0].isdigit()
                     else node.replicas)
    if node.schedule:
        facts.append(f"schedule {node.schedule}")
    if facts:
        lines.append(", ".join(facts))
    lines += node.images
    if node.service_ports:
        lines.append("Service " + ", ".join(node.service_ports))
    if node.scraped_by:
        lines.append("scraped: " + ", ".join(node.scraped_by))
    return lines


def entry_lines(entry: Entry) -> list[str]:
    return [entry.label, entry.via]


def backend_label(port: str, weight: int | None) -> str:
    return f"port {port}" + (f", weight {weight}" if weight is not None else "")


# --- Mermaid -----------------------------------------------------------------------------------


def mermaid_text(text: str) -> str:
    """A label inside Mermaid's double quotes: entity codes for what its parser would read."""
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"),
                       ("`", "#96;"), ("|", "#124;")):
        text = text.replace(char, code)
    return text


def _lines(lines: list[str]) -> str:
    return "<br/>".join(mermaid_text(line) for line in lines)


class _Ids:
    """Mermaid/DOT identifiers: letters, digits and underscores, never a keyword (``end``)."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.used: set[str] = set()

    def __call__(self, prefix: str, key: str) -> str:
        full = f"{prefix}:{key}"
        if full not in self.ids:
            base = prefix + "_" + (re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_") or "x")
            candidate, n = base, 2
            while candidate in self.used:
                candidate, n = f"{base}_{n}", n + 1
            self.used.add(candidate)
            self.ids[full] = candidate
        return self.ids[full]

    def node(self, graph: Graph, key: str) -> str:
        """The identifier of a node of the graph: a peer's, or a component's."""
        node = graph.nodes.get(key)
        return self("p" if node is None or node.kind == "External" else "n", key)


_SHAPES = {
    "Deployment": ('["', '"]'), "StatefulSet": ('[["', '"]]'), "DaemonSet": ('[/"', '"\\]'),
    "Job": ('[/"', '"/]'), "CronJob": ('{{"', '"}}'), "Pod": ('("', '")'),
    "External": ('(["', '"])'),
}


def mermaid(graph: Graph, marks: Marks | None = None) -> str:
    marks = marks or {}
    ids = _Ids()
    out = ["flowchart LR"]
    links: list[tuple[str, str]] = []  # (line, colour or "")

    def mark_class(key: Hashable) -> str:
        mark = marks.get(key)
        return f":::{mark}" if mark else ""

    if graph.entries:
        out.append('  subgraph outside["from outside"]')
        for entry in graph.entries:
            out.append(f'    {ids("e", entry.id)}>"{_lines(entry_lines(entry))}"]'
                       f"{mark_class(entry.id)}")
        out.append("  end")
    release = [n for n in graph.nodes.values() if n.kind != "External"]
    out.append(f'  subgraph release["{mermaid_text(release_title(graph))}"]')
    for node in release:
        start, end = _SHAPES.get(node.kind, ('["', '"]'))
        out.append(f"    {ids('n', node.id)}{start}{_lines(node_lines(node))}{end}"
                   f"{mark_class(node.id)}")
        for claim in node.claims:
            cid = ids("c", f"{node.id}/{claim}")
            out.append(f'    {cid}[("{mermaid_text("claim " + claim)}")]')
            links.append((f"  {ids('n', node.id)} --- {cid}", ""))
    if graph.open:
        out.append(f'    open["{mermaid_text(OPEN_LABEL)}"]')
    out.append("  end")
    for node in graph.nodes.values():
        if node.kind == "External":
            start, end = _SHAPES["External"]
            out.append(f"  {ids('p', node.id)}{start}{_lines(node_lines(node))}{end}"
                       f"{mark_class(node.id)}")

    def nid(key: str) -> str:
        return ids.node(graph, key)

    for entry in graph.entries:
        for b in entry.backends:
            label = mermaid_text(backend_label(b.port, b.weight))
            links.append((f'  {ids("e", entry.id)} -->|"{label}"| {nid(b.node)}',
                          COLOURS.get(marks.get(entry.id, ""), "")))
    for edge in graph.edges:
        mark = marks.get(edge.key, "")
        arrow = "-.->" if mark == "removed" else ("==>" if mark else "-->")
        links.append((f'  {nid(edge.source_node)} {arrow}|"{mermaid_text(edge.ports_text)}"| '
                      f"{nid(edge.target_node)}", COLOURS.get(mark, "")))
    for r in graph.refused:
        label = mermaid_text(f"refused {r.port}")
        links.append((f'  {nid(r.source_node)} -.-x|"{label}"| {nid(r.target_node)}',
                      REFUSED_COLOUR))
    out += [line for line, _ in links]
    for i, (_, colour) in enumerate(links):
        if colour:
            out.append(f"  linkStyle {i} stroke:{colour},color:{colour}")
    for name, colour in COLOURS.items():
        if name in marks.values():
            out.append(f"  classDef {name} stroke:{colour},stroke-width:3px")
    return "\n".join(out) + "\n"


def release_title(graph: Graph) -> str:
    return f"release {graph.release} · namespace {graph.namespace}"


# --- Markdown ----------------------------------------------------------------------------------


def markdown(graph: Graph, title: str | None = None) -> str:
    out = [f"### {title or release_title(graph)}", "", "```mermaid", mermaid(graph).rstrip(),
           "```", ""]
    out += summary_lines(graph)
    return "\n".join(out).rstrip() + "\n"


def summary_lines(graph: Graph) -> list[str]:
    out: list[str] = []
    if graph.open:
        out += [f"**Policies:** none. {graph.notes[0]}", ""]
    else:
        out += [f"**Policies:** {', '.join(graph.policies)}; {len(graph.edges)} admitted "
                f"call{'s' if len(graph.edges) != 1 else ''} drawn.", ""]
    if graph.refused:
        out.append("**Refused calls** (made or stated by a component, admitted by no policy):")
        out.append("")
        for r in graph.refused:
            out.append(f"- `{_name(graph, r.source_node)}` → `{_name(graph, r.target_node)}` "
                       f"on {r.port}: {r.reason} (stated in {'; '.join(r.evidence)})")
        out.append("")
    return out


def _name(graph: Graph, node_id: str) -> str:
    node = graph.nodes.get(node_id)
    return node.name if node is not None else node_id


# --- DOT and SVG -------------------------------------------------------------------------------


def dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


_DOT_SHAPES = {"Deployment": "box", "StatefulSet": "box3d", "DaemonSet": "trapezium",
               "Job": "parallelogram", "CronJob": "hexagon", "Pod": "ellipse",
               "External": "oval"}


def dot(graph: Graph, marks: Marks | None = None) -> str:
    marks = marks or {}
    ids = _Ids()

    def label(lines: list[str]) -> str:
        return dot_text("\n".join(lines))

    def colour(key: Hashable, default: str = "") -> str:
        found = COLOURS.get(marks.get(key, ""), default)
        return f', color="{found}", penwidth=2' if found else ""

    out = ["digraph svcgen {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];',
           '  edge [fontname="Helvetica", fontsize=9];']
    if graph.entries:
        out.append('  subgraph cluster_outside { label="from outside"; style=dashed;')
        for entry in graph.entries:
            out.append(f'    {ids("e", entry.id)} [shape=cds, label="{label(entry_lines(entry))}"'
                       f"{colour(entry.id)}];")
        out.append("  }")
    out.append(f'  subgraph cluster_release {{ label="{dot_text(release_title(graph))}";')
    claims: list[str] = []
    for node in graph.nodes.values():
        if node.kind == "External":
            continue
        out.append(f'    {ids("n", node.id)} [shape={_DOT_SHAPES.get(node.kind, "box")}, '
                   f'label="{label(node_lines(node))}"{colour(node.id)}];')
        for claim in node.claims:
            cid = ids("c", f"{node.id}/{claim}")
            out.append(f'    {cid} [shape=cylinder, label="{dot_text("claim " + claim)}"];')
            claims.append(f"  {ids('n', node.id)} -> {cid} [dir=none, style=dotted];")
    if graph.open:
        out.append(f'    open [shape=note, label="{dot_text(OPEN_LABEL)}"];')
    out.append("  }")
    for node in graph.nodes.values():
        if node.kind == "External":
            out.append(f'  {ids("p", node.id)} [shape=oval, style=dashed, '
                       f'label="{label(node_lines(node))}"{colour(node.id)}];')

    def nid(key: str) -> str:
        return ids.node(graph, key)

    out += claims
    for entry in graph.entries:
        for b in entry.backends:
            out.append(f'  {ids("e", entry.id)} -> {nid(b.node)} '
                       f'[label="{dot_text(backend_label(b.port, b.weight))}"{colour(entry.id)}];')
    for edge in graph.edges:
        style = ", style=dashed" if marks.get(edge.key) == "removed" else ""
        out.append(f'  {nid(edge.source_node)} -> {nid(edge.target_node)} '
                   f'[label="{dot_text(edge.ports_text)}"{style}{colour(edge.key)}];')
    for r in graph.refused:
        out.append(f'  {nid(r.source_node)} -> {nid(r.target_node)} '
                   f'[label="{dot_text("refused " + r.port)}", style=dashed, '
                   f'color="{REFUSED_COLOUR}", fontcolor="{REFUSED_COLOUR}", arrowhead=tee];')
    out.append("}")
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class Graphviz:
    path: str


def find_dot() -> Graphviz:
    found = shutil.which("dot")
    if found is None:
        raise error("--format svg needs graphviz's `dot`, which is not installed", exit_code=2,
                    hint="install graphviz (apt-get install graphviz, brew install graphviz), "
                    "or write --format dot and render it elsewhere, or use --format mermaid")
    return Graphviz(found)


def svg(graph: Graph, marks: Marks | None = None) -> str:
    binary = find_dot()
    proc = subprocess.run([binary.path, "-Tsvg"], input=dot(graph, marks), capture_output=True,
                          text=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise error(f"graphviz's dot failed: {proc.stderr.strip()}", exit_code=2,
                    hint="report this with the --format dot output")
    return proc.stdout


def as_json(graph: Graph) -> str:
    return json.dumps(graph.as_json(), indent=2, ensure_ascii=False) + "\n"


def draw(graph: Graph, fmt: str, title: str | None = None) -> str:
    if fmt == "mermaid":
        return mermaid(graph)
    if fmt == "markdown":
        return markdown(graph, title)
    if fmt == "dot":
        return dot(graph)
    if fmt == "svg":
        return svg(graph)
    return as_json(graph)
