"""The claim graph as DOT and SVG, readable on an A4 page.

Nodes are labelled with the claim's number in its paper, a short title and the paper;
claims are clustered by source and layered by dependency (dependencies below the
claims that use them); fill colours show the provenance of each status (one legend,
:mod:`proofkit.printing.provenance`), shapes the kind of claim, edge styles the kind
of dependency; nodes link to the HTML pages of the blueprint.

Rendering uses the system Graphviz ``dot`` when it is installed, otherwise the
``graphviz-pure`` program installed from PyPI with proofkit (a self-contained port of
Graphviz), so a plain ``pip install`` gives the SVG.
"""

from __future__ import annotations

import math
import re
import subprocess
import textwrap
from typing import TYPE_CHECKING

import networkx as nx

from proofkit.errors import ToolMissing
from proofkit.printing.mathtext import plain_segments
from proofkit.printing.provenance import PROVENANCE, legend_rows, provenances
from proofkit.printing.sources import OWN_SECTION, number_claims, sections
from proofkit.tools import find_tool

if TYPE_CHECKING:  # pragma: no cover
    from proofkit.claims import ClaimGraph

__all__ = ["to_dot", "to_svg", "a4_layout", "svg_size", "layers", "renderer", "page_slug", "STATUS_COLORS", "SHAPES",
           "EDGE_STYLES", "paper_tag", "plain_to_unicode"]

#: Fill colour of each provenance class (the same as in the PDF and HTML legends).
STATUS_COLORS = {k.name: k.colour for k in PROVENANCE.values()}
#: Node shape of each kind of claim.
SHAPES = {"definition": "box", "assumption": "box", "theorem": "ellipse", "lemma": "ellipse",
          "corollary": "ellipse", "conjecture": "note", "instance": "hexagon", "counterexample": "octagon"}
#: Edge style of each kind of edge: (DOT style, colour, legend text).
EDGE_STYLES = {"uses": ("dashed", "#555555", "statement uses"), "proof": ("solid", "#555555", "proof uses"),
               "instance_of": ("dotted", "#555555", "instance of"), "refutes": ("bold", "#b2182b", "refutes"),
               "generalizes": ("tapered", "#888888", "generalises")}

_SUB = str.maketrans("0123456789+-=()aeijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUP = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SYMBOLS = {r"\ge": "≥", r"\le": "≤", r"\ne": "≠", r"\pm": "±", r"\times": "×", r"\cdot": "·", r"\in": "∈",
            r"\to": "→", r"\Rightarrow": "⇒", r"\operatorname{rank}": "rank", r"\det": "det", r"\tanh": "tanh",
            r"\exp": "exp", r"\log": "log", r"\min": "min", r"\max": "max", r"\varepsilon": "ε", r"\infty": "∞"}
_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "lambda": "λ", "mu": "μ", "pi": "π", "rho": "ρ",
          "sigma": "σ", "tau": "τ", "phi": "φ", "theta": "θ", "Delta": "Δ", "Phi": "Φ", "Sigma": "Σ", "Omega": "Ω"}


def plain_to_unicode(text: str) -> str:
    """Plain text with ASCII math as Unicode text (for graph labels and tooltips): no backslashes remain.

    Examples
    --------
    >>> plain_to_unicode("lambda_0 > 0")
    'λ₀ > 0'
    """
    out = []
    for kind, s in plain_segments(text):
        if kind == "text":
            out.append(s)
            continue
        for a, b in _SYMBOLS.items():
            s = s.replace(a, b)
        s = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK.get(m.group(1), m.group(1)), s)
        s = re.sub(r"_\{([^{}]*)\}|_(\w)", lambda m: _script(m.group(1) or m.group(2), _SUB, "_"), s)
        s = re.sub(r"\^\{([^{}]*)\}|\^(\w)", lambda m: _script(m.group(1) or m.group(2), _SUP, "^"), s)
        out.append(s.replace("{", "").replace("}", "").replace("\\", ""))
    return "".join(out)


def _script(s: str, table: dict[int, int], mark: str) -> str:
    t = s.translate(table)
    return t if all(ord(c) > 127 or not c.isalnum() and c in "+-=()" for c in t) else f"{mark}{s}"


def paper_tag(work: str) -> str:
    """A short tag for a work: ``"Nguyen & Hein 2017"`` -> ``"NH17"``, ``"Du et al. 2019"`` -> ``"Du19"``.

    Examples
    --------
    >>> paper_tag("Kawaguchi, Huang & Kaelbling 2019")
    'KHK19'
    """
    m = re.search(r"(\d\d)(\d\d)", work)
    if not m:
        return work.split()[0] if work.strip() else "?"
    names = work[:m.start()]
    if "et al" in names:
        return names.split()[0] + m.group(2)
    initials = "".join(w[0] for w in re.findall(r"[A-Z][a-z]+", names))
    return (initials if len(initials) > 1 else names.split()[0]) + m.group(2)


def page_slug(label: str) -> str:
    """The file name (without folder) of a claim's HTML page."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", label) + ".html"


def _q(text: str) -> str:
    """A DOT string; ``text`` lines are joined with real DOT line breaks."""
    lines = str(text).split("\n")
    return '"' + "\\n".join(ln.replace("\\", "").replace('"', "'") for ln in lines) + '"'


def _node_label(heading: str, title: str, tag: str) -> str:
    lines = [f"{heading} [{tag}]" if tag else heading]
    if title:
        wrapped = textwrap.wrap(plain_to_unicode(title), 22)
        if len(wrapped) > 2:
            wrapped = [wrapped[0], textwrap.shorten(" ".join(wrapped[1:]), 22, placeholder="…")]
        lines += wrapped
    return "\n".join(lines)


def layers(graph: ClaimGraph, width: int) -> dict[str, int]:
    """Ranks for the claims, at most ``width`` claims per rank: each source is layered by dependency
    (a claim above what it uses, wide ranks wrapped onto the next), then sources are packed side by
    side into bands of ranks, in section order, so that small sources share a band."""
    order = graph.order()
    pos = {lab: i for i, lab in enumerate(order)}
    secs = _linked_order(graph, sections(graph))
    local: list[dict[str, int]] = []
    for sec in secs:
        rank: dict[str, int] = {}
        count: dict[int, int] = {}
        for label in sorted(sec.labels, key=lambda lab: pos.get(lab, len(pos))):
            deps = [d for d in graph.claims[label].dependencies if d in rank]
            r = max([0, *(rank[d] + 1 for d in deps)])
            while count.get(r, 0) >= width:
                r += 1
            rank[label] = r
            count[r] = count.get(r, 0) + 1
        local.append(rank)
    out: dict[str, int] = {}
    base, band_width, band_height = 0, 0, 0
    for rank in local:
        w = max((list(rank.values()).count(r) for r in set(rank.values())), default=0)
        h = max(rank.values(), default=-1) + 1
        if band_width and band_width + w > width:
            base, band_width, band_height = base + band_height, 0, 0
        lowest = 0
        for label, r in rank.items():  # stay above dependencies placed in earlier bands
            deps = [d for d in graph.claims[label].dependencies if d in out]
            lowest = max([lowest, *(out[d] + 1 - (base + r) for d in deps)])
        shift = base + max(lowest, 0)
        for label, r in rank.items():
            out[label] = shift + r
        band_width += w
        band_height = max(band_height, h + max(lowest, 0))
    return out


def _linked_order(graph: ClaimGraph, secs: list) -> list:
    """Sections reordered so that each comes right after the sections it has most edges with (short edges)."""
    if not secs:
        return secs
    where = {lab: i for i, sec in enumerate(secs) for lab in sec.labels}
    links: dict[tuple[int, int], int] = {}
    for u, v in graph.graph.edges():
        if u in where and v in where and where[u] != where[v]:
            key = (min(where[u], where[v]), max(where[u], where[v]))
            links[key] = links.get(key, 0) + 1
    placed = [0]
    rest = list(range(1, len(secs)))
    while rest:
        def score(i: int) -> tuple[int, int, int]:
            return (-sum(links.get((min(i, j), max(i, j)), 0) for j in placed), -len(secs[i].labels), i)
        best = min(rest, key=score)
        placed.append(best)
        rest.remove(best)
    return [secs[i] for i in placed]


def to_dot(graph: ClaimGraph, *, reduce: bool = True, legend: bool = True, url_prefix: str | None = "html/claims/",
           page: tuple[float, float] = (7.5, 10.6), width: int = 5) -> str:
    """DOT text of the claim graph (see the module docstring).

    Parameters
    ----------
    reduce : bool
        Drop dependency edges implied by others (transitive reduction).
    legend : bool
        Add the legend of colours, shapes and edge styles.
    url_prefix : str or None
        Prefix of the node hyperlinks (``None``: no links).
    page : (width, height) in inches
        The drawing is scaled down to fit (A4 with margins by default).
    width : int
        At most this many claims per rank (see :func:`layers`); :func:`to_svg` chooses it for an A4 aspect.

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("A", kind="assumption", title="Assumption 1", source="Doe 2020, Assumption 1",
    ...                   established="cited"))
    >>> "Assumption 1 [Doe20]" in to_dot(g)
    True
    """
    prov = provenances(graph)
    nums = number_claims(graph)
    dep_edges = [(u, v) for u, v, k in graph.graph.edges(data="kind") if k in ("uses", "proof", "instance_of")
                 and u in graph.claims and v in graph.claims]
    keep = set(dep_edges)
    if reduce and dep_edges:
        keep = set(nx.transitive_reduction(nx.DiGraph(dep_edges)).edges())
    lines = ["digraph claims {",
             f'  graph [rankdir=BT, newrank=true, compound=true, ranksep=0.28, nodesep=0.12, size="{page[0]},{page[1]}",'
             ' fontname="Helvetica,Arial,sans-serif", fontsize=11, labelloc=t];',
             '  node [style=filled, fontname="Helvetica,Arial,sans-serif", fontsize=9, margin="0.04,0.02", height=0.3];',
             '  edge [color="#555555", arrowsize=0.5];']
    for i, sec in enumerate(_linked_order(graph, sections(graph))):
        title = sec.title if sec.key != OWN_SECTION else "checked here"
        lines.append(f'  subgraph cluster_{i} {{ label={_q(title)}; style="rounded"; color="#999999";')
        for label in sec.labels:
            claim = graph.claims[label]
            p = prov[label]
            works = nums[label].works
            tag = paper_tag(works[0][0]) if works else ""
            text = _node_label(nums[label].heading, nums[label].rest, tag)
            font = "white" if p.kind.dark else "black"
            extra = ', penwidth=2.2, color="#b2182b"' if p.flagged else ""
            url = f', URL={_q(url_prefix + page_slug(label))}, target="_top"' if url_prefix is not None else ""
            lines.append(f"    {_q(label)} [label={_q(text)}, shape={SHAPES.get(claim.kind, 'box')}, "
                         f'fillcolor="{p.kind.colour}", fontcolor={font}, tooltip={_q(p.detail())}{url}{extra}];')
        lines.append("  }")
    for u, v, kind in sorted(graph.graph.edges(data="kind")):
        if u not in graph.claims or v not in graph.claims:
            continue
        if kind in ("uses", "proof", "instance_of") and (u, v) not in keep:
            continue
        style, colour, _ = EDGE_STYLES.get(kind, ("solid", "#555555", kind))
        constraint = ", constraint=false" if kind in ("generalizes", "refutes") else ""
        lines.append(f'  {_q(u)} -> {_q(v)} [style={style}, color="{colour}"{constraint}];')
    rank = layers(graph, width)
    top = max(rank.values(), default=0)
    for sec in _linked_order(graph, sections(graph)):  # pull each cluster towards the left margin
        first = min(sec.labels, key=lambda lab: (rank[lab], lab))
        lines.append(f'  "rank:{rank[first]}" -> {_q(first)} [style=invis, weight=4];')
    for r in range(top + 1):
        members = " ".join(_q(lab) for lab, rr in rank.items() if rr == r)
        lines.append(f'  {{ rank=same; "rank:{r}" [shape=point, style=invis, width=0, label=""]; {members} }}')
        if r:
            lines.append(f'  "rank:{r - 1}" -> "rank:{r}" [style=invis];')
    if legend:
        lines += _legend_dot(graph, {p.kind.key for p in prov.values()}, top)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _legend_dot(graph: ClaimGraph, used: set[str], top: int, per_row: int = 3) -> list[str]:
    out = ['  subgraph cluster_legend { label="legend"; style="rounded"; color="#999999"; fontsize=10;',
           "    node [fontsize=8];"]
    rows: list[list[str]] = []
    for k in legend_rows(used):
        font = "white" if k.dark else "black"
        rows.append([f'{_q("legend:" + k.key)} [label={_q(k.name)}, shape=box, fillcolor="{k.colour}", '
                     f"fontcolor={font}];"])
    kinds = sorted({c.kind for c in graph.claims.values()}, key=list(SHAPES).index)
    shape_rows: dict[str, list[str]] = {}
    for kind in kinds:
        shape_rows.setdefault(SHAPES[kind], []).append(kind)
    for shape, ks in shape_rows.items():
        rows.append([f'{_q("legend:shape:" + shape)} [label={_q(" / ".join(ks))}, shape={shape}, '
                     'fillcolor="#ffffff"];'])
    used_edges = {k for _, _, k in graph.graph.edges(data="kind")}
    edge_nodes = []
    for kind, (style, colour, text) in EDGE_STYLES.items():
        if kind not in used_edges:
            continue
        a, b = f"legend:edge:{kind}:a", f"legend:edge:{kind}:b"
        edge_nodes.append((a, b))
        out.append(f'    {_q(a)} [label={_q(text)}, shape=plaintext, style="", fontsize=8];')
        out.append(f'    {_q(b)} [label="", shape=point, width=0.04, style=invis];')
        out.append(f'    {_q(a)} -> {_q(b)} [style={style}, color="{colour}", arrowhead=normal, minlen=1];')
    flat = [r[0] for r in rows]
    grid = [flat[i:i + per_row] for i in range(0, len(flat), per_row)]
    for i, row in enumerate(grid):
        r = top + 2 + i
        names = [decl.split(" [")[0] for decl in row]
        out += [f"    {decl}" for decl in row]
        out.append(f'    {{ rank=same; "rank:{r}"; {" ".join(names)} }}')
    r = top + 2 + len(grid)
    if edge_nodes:
        out.append(f'    {{ rank=same; "rank:{r}"; {" ".join(_q(a) for a, _ in edge_nodes)} }}')
    out.append("  }")
    last = top + 2 + len(grid) + (1 if edge_nodes else 0)
    for k in range(top + 1, last + 1):
        out.append(f'  "rank:{k}" [shape=point, style=invis, width=0, label=""];')
        out.append(f'  "rank:{k - 1}" -> "rank:{k}" [style=invis];')
    return out


def renderer() -> list[str] | None:
    """The command that renders DOT: system Graphviz ``dot`` if present, else ``graphviz-pure``; None if neither."""
    for exe in ("dot", "graphviz-pure"):
        path = find_tool(exe)  # PATH, then next to this interpreter (a venv that is not activated)
        if path:
            return [path]
    return None


def svg_size(svg: str) -> tuple[float, float]:
    """``(width, height)`` in points of an SVG written by Graphviz."""
    m = re.search(r'<svg[^>]*?width="([\d.]+)pt"[^>]*?height="([\d.]+)pt"', svg, re.S)
    if not m:
        raise ValueError("no width/height in points in the SVG")
    return float(m.group(1)), float(m.group(2))


def to_svg(graph: ClaimGraph, *, command: list[str] | None = None, width: int | None = None, **kwargs: object) -> str:
    """SVG of :func:`to_dot` (system ``dot``, else ``graphviz-pure``); :class:`ToolMissing` if neither is installed.

    Without ``width`` the number of claims per rank is chosen so that the drawing's aspect ratio is
    closest to A4 portrait (height / width = 1.414); see :func:`a4_layout`.
    """
    return a4_layout(graph, command=command, width=width, **kwargs)[1]


def a4_layout(graph: ClaimGraph, *, command: list[str] | None = None, width: int | None = None,
              **kwargs: object) -> tuple[int, str]:
    """``(width, svg)``: the number of claims per rank closest to an A4 aspect, and the SVG drawn with it."""
    cmd = command or renderer()
    if cmd is None:
        raise ToolMissing("no Graphviz renderer: install proofkit's dependency graphviz-pure (pip) or Graphviz "
                          "(Debian: apt-get install graphviz)")

    def render(w: int) -> str:
        proc = subprocess.run([*cmd, "-Tsvg"], input=to_dot(graph, width=w, **kwargs), capture_output=True,
                              text=True, timeout=300)
        if proc.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed: {proc.stderr.strip()[:300]}")
        return proc.stdout

    if width is not None:
        return width, render(width)
    best: tuple[float, int, str] | None = None
    for w in (3, 4, 2, 5, 6):
        svg = render(w)
        x, y = svg_size(svg)
        score = abs(math.log((y / x) / math.sqrt(2)))
        if best is None or score < best[0]:
            best = (score, w, svg)
        if score < math.log(1.2):
            break
    assert best is not None
    return best[1], best[2]
