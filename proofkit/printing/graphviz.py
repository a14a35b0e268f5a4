"""The claim graph as DOT and SVG (Graphviz), coloured by status, with a legend."""

from __future__ import annotations

import shutil
import subprocess
from typing import TYPE_CHECKING

import networkx as nx

from proofkit.errors import ToolMissing

if TYPE_CHECKING:  # pragma: no cover
    from proofkit.claims import ClaimGraph

__all__ = ["to_dot", "to_svg", "STATUS_COLORS"]

#: Fill colours by status.
STATUS_COLORS = {
    "fully established": "#1b7837",
    "established": "#a6dba0",
    "instance certified": "#4393c3",
    "ready": "#fdb863",
    "stated": "#f0f0f0",
    "inconclusive": "#fee0b6",
    "hypotheses not met": "#d9d9d9",
    "refuted": "#b2182b",
    "failed": "#67001f",
}
_DARK = {"fully established", "instance certified", "refuted", "failed"}
_SHAPES = {"definition": "box", "assumption": "box", "theorem": "ellipse", "lemma": "ellipse",
           "corollary": "ellipse", "conjecture": "ellipse", "instance": "hexagon", "counterexample": "octagon"}
_EDGE_STYLE = {"uses": "dashed", "proof": "solid", "instance_of": "dotted", "refutes": "bold",
               "generalizes": "dotted"}


def _q(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: ClaimGraph, *, reduce: bool = True, legend: bool = True) -> str:
    """DOT text: nodes coloured by status, definitions/assumptions as boxes, statement
    dependencies dashed and proof dependencies solid (as in a blueprint), refutations bold red.
    With ``reduce`` the dependency edges are transitively reduced.
    """
    st = graph.statuses()
    dep_edges = [(u, v) for u, v, k in graph.graph.edges(data="kind") if k in ("uses", "proof", "instance_of")
                 and u in graph.claims and v in graph.claims]
    keep = set(dep_edges)
    if reduce and dep_edges:
        red = nx.transitive_reduction(nx.DiGraph(dep_edges))
        keep = set(red.edges())
    lines = ["digraph claims {", '  rankdir=BT; node [style=filled, fontname="Helvetica", fontsize=10];',
             '  edge [color="#555555", arrowsize=0.6];']
    for label in graph.order():
        claim = graph.claims[label]
        s = st[label]
        font = "white" if s in _DARK else "black"
        extra = ', penwidth=2.5, color="#b2182b"' if graph.flagged(label) else ""
        text = f"{claim.title or label}\\n[{s}]"
        lines.append(f"  {_q(label)} [label={_q(text)}, shape={_SHAPES[claim.kind]}, "
                     f'fillcolor="{STATUS_COLORS[s]}", fontcolor={font}{extra}];')
    for u, v, kind in sorted(graph.graph.edges(data="kind")):
        if u not in graph.claims or v not in graph.claims:
            continue
        if kind in ("uses", "proof", "instance_of") and (u, v) not in keep:
            continue
        color = ', color="#b2182b"' if kind == "refutes" else ""
        lines.append(f"  {_q(u)} -> {_q(v)} [style={_EDGE_STYLE[kind]}{color}];")
    if legend:
        lines.append('  subgraph cluster_legend { label="status"; fontsize=10; style=rounded;')
        for s, c in STATUS_COLORS.items():
            font = "white" if s in _DARK else "black"
            lines.append(f'    {_q("legend:" + s)} [label={_q(s)}, shape=box, fillcolor="{c}", fontcolor={font}];')
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_svg(graph: ClaimGraph, **kwargs: bool) -> str:
    """SVG rendered by Graphviz ``dot``; :class:`ToolMissing` when Graphviz is not installed."""
    exe = shutil.which("dot")
    if exe is None:
        raise ToolMissing("Graphviz 'dot' is not installed (Debian: apt-get install graphviz)")
    proc = subprocess.run([exe, "-Tsvg"], input=to_dot(graph, **kwargs), capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"dot failed: {proc.stderr.strip()}")
    return proc.stdout
