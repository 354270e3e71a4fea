"""What a change of values does to the topology: components, entry points, admitted and refused
calls added, removed or changed — drawn on one picture (both sides' union, coloured), in
Markdown ready for a pull-request comment, or as JSON."""

from __future__ import annotations

import copy
import json
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from svcgen.graph import draw
from svcgen.graph.model import Edge, Graph


@dataclass
class Item:
    """One thing that changed: kind (component, entry, call, refused), its text, before/after."""

    kind: str
    action: str  # added, removed, changed
    text: str
    before: str = ""
    after: str = ""

    def as_json(self) -> dict[str, Any]:
        data = {"kind": self.kind, "action": self.action, "text": self.text}
        if self.before or self.after:
            data |= {"before": self.before, "after": self.after}
        return data


@dataclass
class TopologyChange:
    base: Graph
    new: Graph
    union: Graph
    marks: dict[Hashable, str] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)


def compare(base: Graph, new: Graph) -> TopologyChange:
    union = copy.deepcopy(new)
    change = TopologyChange(base, new, union)
    name = {**{k: n.name for k, n in base.nodes.items()}, **{k: n.name for k, n in
                                                               new.nodes.items()}}
    for key, node in base.nodes.items():
        if key not in new.nodes:
            union.nodes[key] = copy.deepcopy(node)
            change.marks[key] = "removed"
            change.items.append(Item("component", "removed", node.name))
        elif draw.node_lines(node) != draw.node_lines(new.nodes[key]):
            change.marks[key] = "changed"
            change.items.append(Item("component", "changed", node.name,
                                     " · ".join(draw.node_lines(node)),
                                     " · ".join(draw.node_lines(new.nodes[key]))))
    for key, node in new.nodes.items():
        if key not in base.nodes:
            change.marks[key] = "added"
            change.items.append(Item("component", "added", node.name))
    old_entries = {e.id: e for e in base.entries}
    new_entries = {e.id: e for e in new.entries}
    for key, entry in old_entries.items():
        if key not in new_entries:
            union.entries.append(copy.deepcopy(entry))
            change.marks[key] = "removed"
            change.items.append(Item("entry", "removed", f"{entry.kind} {entry.label}"))
        else:
            after = new_entries[key]
            before_text = f"{entry.via} → {entry.signature}"
            after_text = f"{after.via} → {after.signature}"
            if before_text != after_text:
                change.marks[key] = "changed"
                change.items.append(Item("entry", "changed", f"{entry.kind} {entry.label}",
                                         before_text, after_text))
    for key, entry in new_entries.items():
        if key not in old_entries:
            change.marks[key] = "added"
            change.items.append(Item("entry", "added", f"{entry.kind} {entry.label}"))
    old_edges = {e.key: e for e in base.edges}
    new_edges = {e.key: e for e in new.edges}

    def call(edge: Edge) -> str:
        return f"{name.get(edge.source_node, edge.source_node)} → " \
               f"{name.get(edge.target_node, edge.target_node)}"

    for edge_key, edge in old_edges.items():
        if edge_key not in new_edges:
            union.edges.append(copy.deepcopy(edge))
            change.marks[edge_key] = "removed"
            change.items.append(Item("call", "removed", f"{call(edge)} on {edge.ports_text}"))
        elif edge.ports_text != new_edges[edge_key].ports_text:
            change.marks[edge_key] = "changed"
            change.items.append(Item("call", "changed", call(edge), edge.ports_text,
                                     new_edges[edge_key].ports_text))
    for edge_key, edge in new_edges.items():
        if edge_key not in old_edges:
            change.marks[edge_key] = "added"
            change.items.append(Item("call", "added", f"{call(edge)} on {edge.ports_text}"))
    old_refused = {(r.source_node, r.target_node, r.port) for r in base.refused}
    new_refused = {(r.source_node, r.target_node, r.port) for r in new.refused}
    for r in new.refused:
        if (r.source_node, r.target_node, r.port) not in old_refused:
            change.items.append(Item("refused", "added", f"{name.get(r.source_node)} → "
                                     f"{name.get(r.target_node)} on {r.port}: {r.reason}"))
    for r in base.refused:
        if (r.source_node, r.target_node, r.port) not in new_refused:
            change.items.append(Item("refused", "removed", f"{name.get(r.source_node)} → "
                                     f"{name.get(r.target_node)} on {r.port}"))
    if base.open != new.open:
        change.items.append(Item("policies", "changed", "policies",
                                 ", ".join(base.policies) or "none",
                                 ", ".join(new.policies) or "none"))
    return change


_HEADINGS = {
    ("component", "added"): "Components added", ("component", "removed"): "Components removed",
    ("component", "changed"): "Components changed",
    ("entry", "added"): "Entry points added", ("entry", "removed"): "Entry points removed",
    ("entry", "changed"): "Entry points changed",
    ("call", "added"): "Calls now admitted", ("call", "removed"): "Calls no longer admitted",
    ("call", "changed"): "Calls on other ports",
    ("refused", "added"): "Calls newly refused", ("refused", "removed"): "Calls no longer refused",
    ("policies", "changed"): "Policies",
}


def markdown(change: TopologyChange) -> str:
    out = [f"### Topology change: {draw.release_title(change.new)}", ""]
    if not change.items:
        out += ["The change leaves the topology as it is: the same components, entry points "
                "and admitted calls.", ""]
        return "\n".join(out)
    out += ["```mermaid", draw.mermaid(change.union, change.marks).rstrip(), "```", "",
            "Green: added, red: removed, amber: changed.", ""]
    for (kind, action), heading in _HEADINGS.items():
        items = [i for i in change.items if (i.kind, i.action) == (kind, action)]
        if not items:
            continue
        out += [f"**{heading}**", ""]
        for item in items:
            line = f"- {item.text}"
            if item.before or item.after:
                line += f": {item.before} → {item.after}"
            out.append(line)
        out.append("")
    if change.new.open:
        out += [change.new.notes[0], ""]
    return "\n".join(out).rstrip() + "\n"


def draw_change(change: TopologyChange, fmt: str) -> str:
    if fmt == "markdown":
        return markdown(change)
    if fmt == "mermaid":
        return draw.mermaid(change.union, change.marks)
    if fmt == "dot":
        return draw.dot(change.union, change.marks)
    if fmt == "svg":
        return draw.svg(change.union, change.marks)
    return json.dumps({"changes": [i.as_json() for i in change.items],
                       "base": change.base.as_json(), "new": change.new.as_json()},
                      indent=2, ensure_ascii=False) + "\n"
