"""The claim graph as DOT and SVG: legible on screen and, page by page, on A4.

Nodes are labelled with the claim's number in its paper, its full title (wrapped, never cut)
and the paper; claims are clustered by source and layered by dependency (dependencies below
the claims that use them); fill colours show the provenance of each status (one legend,
:mod:`proofkit.printing.provenance`), shapes the kind of claim, edge styles the kind of
dependency; nodes link to the HTML pages of the blueprint.

Text is set at :data:`NODE_FONT_PT` points and every node is sized from the text's width
measured with DejaVu Sans (shipped with matplotlib, wider than Helvetica, Arial or Liberation
Sans), so the text stays inside its box whichever renderer lays the graph out and whichever
of these fonts draws it. For print, :func:`graph_pages` cuts a large graph into an overview
page and one page per source, each drawn at no less than :data:`MIN_PRINTED_PT` points on a
page of :data:`A4_FRAME` (an A4 text block with 2.5 cm margins).

Rendering uses the system Graphviz ``dot`` when it is installed, otherwise the
``graphviz-pure`` program installed from PyPI with proofkit (a self-contained port of
Graphviz), so a plain ``pip install`` gives the SVG.
"""

from __future__ import annotations

import functools
import math
import os
import re
import subprocess
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import networkx as nx

from proofkit.errors import InvalidInput, ToolMissing
from proofkit.printing.mathtext import math_to_unicode, plain_segments, plain_to_unicode
from proofkit.printing.provenance import PROVENANCE, legend_rows, provenances
from proofkit.printing.sources import OWN_SECTION, Section, number_claims, sections
from proofkit.tools import find_tool

if TYPE_CHECKING:  # pragma: no cover
    from proofkit.claims import ClaimGraph

__all__ = ["to_dot", "to_svg", "a4_layout", "svg_size", "svg_scale", "layers", "renderer", "page_slug",
           "neighbourhood_svg", "graph_pages", "GraphPage", "text_width", "STATUS_COLORS", "SHAPES", "EDGE_STYLES",
           "NODE_FONT_PT", "MIN_PRINTED_PT", "A4_FRAME", "PNG_DPI", "SVG_FONT_FAMILY", "paper_tag", "plain_to_unicode",
           "overview_caption"]

#: Fill colour of each provenance class (the same as in the PDF and HTML legends).
STATUS_COLORS = {k.name: k.colour for k in PROVENANCE.values()}
#: Node shape of each kind of claim: a Graphviz shape, or ``"rounded"`` (a box with rounded corners) or
#: ``"double"`` (a box with a double border). All are boxes, the most compact outline around text.
SHAPES = {"definition": "box", "assumption": "box", "theorem": "rounded", "lemma": "rounded",
          "corollary": "rounded", "conjecture": "note", "instance": "box3d", "counterexample": "double"}
#: Edge style of each kind of edge: (DOT style, colour, legend text).
EDGE_STYLES = {"uses": ("dashed", "#555555", "statement uses"), "proof": ("solid", "#555555", "proof uses"),
               "instance_of": ("dotted", "#555555", "instance of"), "refutes": ("bold", "#b2182b", "refutes"),
               "generalizes": ("tapered", "#888888", "generalises")}
#: Font size (points) of node labels, legend entries and edge labels.
NODE_FONT_PT = 9.0
#: Font size (points) of cluster titles.
CLUSTER_FONT_PT = 10.0
#: The smallest font size (points) that :func:`graph_pages` lets a page be printed at.
MIN_PRINTED_PT = 8.0
#: The drawing area of a printed page in inches: A4 (8.27 x 11.69 in) less 2.5 cm margins and room for a caption.
A4_FRAME = (6.29, 9.2)
#: Resolution (dots per inch) of the PNG pages of :func:`graph_pages`: a PNG printed at its natural size
#: (``pixels / PNG_DPI`` inches wide) has the SVG's geometry.
PNG_DPI = 300
#: The font family written into the SVG (DejaVu Sans first: the node sizes are measured with it).
SVG_FONT_FAMILY = "DejaVu Sans,Helvetica,Arial,sans-serif"

_DOT_FONT = "Helvetica"  # a name both renderers know; the SVG's family is rewritten to SVG_FONT_FAMILY
_LINE = 1.2  # Graphviz's line spacing (in font sizes)
_WRAP = 26  # characters per line of a node title
_MARGIN = (5.0, 3.5)  # points between the text and the node's inner boundary (x, y)
_SAFETY = 1.04  # measured widths are enlarged by this factor (kerning, hinting, other sans fonts)


@functools.lru_cache(maxsize=1)
def _font():  # pragma: no cover - trivial
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    return FT2Font(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"),
                                         fallback_to_default=True))


@functools.lru_cache(maxsize=4096)
def text_width(text: str, size: float = NODE_FONT_PT) -> float:
    """The width in points of one line of ``text`` set in DejaVu Sans at ``size`` points.

    Examples
    --------
    >>> 60 < text_width("Theorem 3.8 [NH17]") < 100
    True
    """
    font = _font()
    font.set_size(size, 72)
    font.set_text(text, 0.0)
    return font.get_width_height()[0] / 64.0


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


# -- node geometry ------------------------------------------------------------------------------------------
#: Each polygon shape's vertices for a bounding box of half-width and half-height 1 (as Graphviz draws them).
_POLYGONS = {"hexagon": [(1, 0), (0.5, 1), (-0.5, 1), (-1, 0), (-0.5, -1), (0.5, -1)],
             "octagon": [(1, 0.4142), (0.4142, 1), (-0.4142, 1), (-1, 0.4142), (-1, -0.4142), (-0.4142, -1),
                         (0.4142, -1), (1, -0.4142)]}


def _inside_convex(point: tuple[float, float], poly: Sequence[tuple[float, float]]) -> bool:
    x, y = point
    sign = 0
    for (x1, y1), (x2, y2) in zip(poly, [*poly[1:], poly[0]]):
        cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
        if abs(cross) < 1e-12:
            continue
        s = 1 if cross > 0 else -1
        if sign and s != sign:
            return False
        sign = s
    return True


def _stretch(shape: str, ky: float) -> float:
    """The least horizontal stretch ``kx`` such that the corners ``(+-1/kx, +-1/ky)`` of the text block lie
    inside ``shape`` drawn in the box ``[-1, 1]^2``."""
    if shape == "ellipse":
        return 1 / math.sqrt(1 - 1 / ky ** 2)
    lo, hi = 1.0, 8.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if _inside_convex((1 / mid, 1 / ky), _POLYGONS[shape]):
            hi = mid
        else:
            lo = mid
    return hi


def node_size(shape: str, text_w: float, text_h: float) -> tuple[float, float]:
    """``(width, height)`` in points of a node of ``shape`` (see :data:`SHAPES`) whose text block is
    ``text_w`` x ``text_h`` points, so that the text block with its margins lies inside the shape's outline.

    Examples
    --------
    >>> node_size("box", 100, 20)
    (110.0, 27.0)
    >>> w, h = node_size("ellipse", 100, 20); round(w), round(h)
    (127, 54)
    """
    a, b = text_w / 2 + _MARGIN[0], text_h / 2 + _MARGIN[1]
    if shape == "ellipse" or shape in _POLYGONS:
        ky = 2.0
        return 2 * a * _stretch(shape, ky), 2 * b * ky
    extra = {"note": (8.0, 0.0), "box3d": (4.0, 4.0)}.get(shape, (0.0, 0.0))
    return 2 * a + extra[0], 2 * b + extra[1]


def _shape_attrs(shape: str) -> str:
    if shape == "rounded":
        return 'shape=box, style="rounded,filled"'
    if shape == "double":
        return "shape=box, peripheries=2"
    return f"shape={shape}"


@dataclass
class _Node:
    name: str
    lines: list[str]
    shape: str
    attrs: str = ""
    size: float = NODE_FONT_PT

    def decl(self) -> str:
        w = max((text_width(ln, self.size) for ln in self.lines), default=0.0) * _SAFETY
        h = len(self.lines) * self.size * _LINE
        width, height = node_size(self.shape, w, h)
        return (f"{_q(self.name)} [label={_q(chr(10).join(self.lines))}, {_shape_attrs(self.shape)}, "
                f"width={width / 72:.3f}, height={height / 72:.3f}, fixedsize=true, fontsize={self.size:g}{self.attrs}];")


def _wrap(text: str, width: int = _WRAP) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) if text else []


def _claim_lines(heading: str, title: str, tag: str) -> list[str]:
    # a formula is never broken across lines: its spaces are no-break spaces
    text = "".join(math_to_unicode(s).replace(" ", "\u00a0") if k == "math" else s for k, s in plain_segments(title))
    return [f"{heading} [{tag}]" if tag else heading, *_wrap(text)]


# -- ranks -------------------------------------------------------------------------------------------------
def _rank_sections(graph: ClaimGraph, secs: list[Section], width: int) -> dict[str, int]:
    order = graph.order()
    pos = {lab: i for i, lab in enumerate(order)}
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


def layers(graph: ClaimGraph, width: int) -> dict[str, int]:
    """Ranks for the claims, at most ``width`` claims per rank: each source is layered by dependency
    (a claim above what it uses, wide ranks wrapped onto the next), then sources are packed side by
    side into bands of ranks, in section order, so that small sources share a band."""
    return _rank_sections(graph, _linked_order(graph, sections(graph)), width)


def _linked_order(graph: ClaimGraph, secs: list) -> list:
    """Sections reordered for drawing: each after the sections whose claims it uses when possible (dependencies
    are drawn below), else after the sections it has most edges with (short edges), larger ones first."""
    if not secs:
        return secs
    where = {lab: i for i, sec in enumerate(secs) for lab in sec.labels}
    links: dict[tuple[int, int], int] = {}
    needs: dict[int, set[int]] = {}
    for u, v, kind in graph.graph.edges(data="kind"):  # u is used by v
        if u in where and v in where and where[u] != where[v]:
            key = (min(where[u], where[v]), max(where[u], where[v]))
            links[key] = links.get(key, 0) + 1
            if kind in _DEP_KINDS:
                needs.setdefault(where[v], set()).add(where[u])
    placed: list[int] = []
    rest = list(range(len(secs)))
    while rest:
        def score(i: int) -> tuple[int, int, int, int]:
            return (len(needs.get(i, set()) - set(placed)), -sum(links.get((min(i, j), max(i, j)), 0) for j in placed),
                    -len(secs[i].labels), i)
        best = min(rest, key=score)
        placed.append(best)
        rest.remove(best)
    return [secs[i] for i in placed]


# -- DOT ---------------------------------------------------------------------------------------------------
_DEP_KINDS = ("uses", "proof", "instance_of")


def _header(page: tuple[float, float] | None, title: str | None = None) -> list[str]:
    size = f', size="{page[0]},{page[1]}"' if page else ""
    label = f", label={_q(chr(10).join(_wrap(title, 60)))}, labelloc=t, labeljust=l" if title else ""
    return ["digraph claims {",
            f"  graph [rankdir=BT, newrank=true, compound=true, ranksep=0.3, nodesep=0.14{size},"
            f' fontname="{_DOT_FONT}", fontsize={CLUSTER_FONT_PT:g}{label}];',
            f'  node [style=filled, fontname="{_DOT_FONT}", fontsize={NODE_FONT_PT:g}, margin="0.04,0.02"];',
            f'  edge [color="#555555", arrowsize=0.5, fontname="{_DOT_FONT}", fontsize={NODE_FONT_PT:g}];']


def _kept_edges(graph: ClaimGraph, labels: Iterable[str], reduce: bool) -> list[tuple[str, str, str]]:
    """Edges among ``labels`` (dependency edges transitively reduced within the whole graph)."""
    inside = set(labels)
    dep_edges = [(u, v) for u, v, k in graph.graph.edges(data="kind") if k in _DEP_KINDS
                 and u in graph.claims and v in graph.claims]
    keep = set(dep_edges)
    if reduce and dep_edges:
        keep = set(nx.transitive_reduction(nx.DiGraph(dep_edges)).edges())
    out = []
    for u, v, kind in sorted(graph.graph.edges(data="kind")):
        if u not in inside or v not in inside:
            continue
        if kind in _DEP_KINDS and (u, v) not in keep:
            continue
        out.append((u, v, kind))
    return out


def _claim_node(graph: ClaimGraph, label: str, nums: dict, prov: dict, url_prefix: str | None, *,
                tag: bool = True, focus: bool = False) -> _Node:
    claim = graph.claims[label]
    p = prov[label]
    works = nums[label].works
    t = paper_tag(works[0][0]) if works and tag else ""
    lines = _claim_lines(nums[label].heading, nums[label].rest, t)
    font = "white" if p.kind.dark else "black"
    extra = ', penwidth=2.2, color="#b2182b"' if p.flagged else ""
    if focus:
        extra += ", penwidth=3"
    url = f', URL={_q(url_prefix + page_slug(label))}, target="_top"' if url_prefix is not None else ""
    tooltip = f"{nums[label].heading}: {p.detail()}"
    return _Node(label, lines, SHAPES.get(claim.kind, "box"),
                 f', fillcolor="{p.kind.colour}", fontcolor={font}, tooltip={_q(tooltip)}{url}{extra}')


def _edge_line(u: str, v: str, kind: str) -> str:
    style, colour, _ = EDGE_STYLES.get(kind, ("solid", "#555555", kind))
    constraint = ", constraint=false" if kind in ("generalizes", "refutes") else ""
    return f'  {_q(u)} -> {_q(v)} [style={style}, color="{colour}"{constraint}];'


def _claims_dot(graph: ClaimGraph, secs: list[Section], *, reduce: bool, legend: bool, url_prefix: str | None,
                page: tuple[float, float] | None, width: int, title: str | None = None,
                externals: dict[str, list[str]] | None = None, tag: bool = True) -> str:
    prov = provenances(graph)
    nums = number_claims(graph)
    secs = _linked_order(graph, secs)
    lines = _header(page, title)
    for i, sec in enumerate(secs):
        name = sec.title if sec.key != OWN_SECTION else "checked here"
        lines.append(f'  subgraph cluster_{i} {{ label={_q(name)}; style="rounded"; color="#999999";')
        for label in sec.labels:
            lines.append("    " + _claim_node(graph, label, nums, prov, url_prefix, tag=tag).decl())
        lines.append("  }")
    members = [lab for sec in secs for lab in sec.labels]
    group_of: dict[str, str] = {}
    for i, (name, labs) in enumerate((externals or {}).items()):  # claims of other pages: one box per group
        node = f"external:{i}"
        for lab in labs:
            group_of[lab] = node
        refs = ", ".join(nums[lab].heading for lab in labs)
        lines.append("  " + _Node(node, [*_wrap(name + ":", 34), *_wrap(refs, 34)], "box",
                                  ', style="dashed", color="#777777", fontcolor="#333333"').decl())
    seen: set[tuple[str, str, str]] = set()
    for u, v, kind in _kept_edges(graph, members + list(group_of), reduce):
        u2, v2 = group_of.get(u, u), group_of.get(v, v)
        if (u2, v2, kind) in seen or u2 == v2:
            continue
        seen.add((u2, v2, kind))
        lines.append(_edge_line(u2, v2, kind))
    rank = _rank_sections(graph, secs, width)
    top = max(rank.values(), default=0)
    for sec in secs:  # pull each cluster towards the left margin
        first = min(sec.labels, key=lambda lab: (rank[lab], lab))
        lines.append(f'  "rank:{rank[first]}" -> {_q(first)} [style=invis, weight=4];')
    for r in range(top + 1):
        same = " ".join(_q(lab) for lab, rr in rank.items() if rr == r)
        lines.append(f'  {{ rank=same; "rank:{r}" [shape=point, style=invis, width=0, label=""]; {same} }}')
        if r:
            lines.append(f'  "rank:{r - 1}" -> "rank:{r}" [style=invis];')
    if legend:
        lines += _legend_dot(graph, {prov[lab].kind.key for lab in members},
                             {graph.claims[lab].kind for lab in members},
                             {k for u, v, k in graph.graph.edges(data="kind") if u in members and v in members}, top)
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_dot(graph: ClaimGraph, *, reduce: bool = True, legend: bool = True, url_prefix: str | None = "html/claims/",
           page: tuple[float, float] | None = None, width: int = 5) -> str:
    """DOT text of the whole claim graph (see the module docstring).

    Parameters
    ----------
    reduce : bool
        Drop dependency edges implied by others (transitive reduction).
    legend : bool
        Add the legend of colours, shapes and edge styles.
    url_prefix : str or None
        Prefix of the node hyperlinks (``None``: no links).
    page : (width, height) in inches, optional
        Scale the drawing down to fit (Graphviz ``size``); ``None`` draws it at its natural size, with
        :data:`NODE_FONT_PT` text. For print use :func:`graph_pages`, which keeps the text legible.
    width : int
        At most this many claims per rank (see :func:`layers`).

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("A", kind="assumption", title="Assumption 1", source="Doe 2020, Assumption 1",
    ...                   established="cited"))
    >>> "Assumption 1 [Doe20]" in to_dot(g)
    True
    """
    return _claims_dot(graph, sections(graph), reduce=reduce, legend=legend, url_prefix=url_prefix, page=page,
                       width=width)


def _legend_dot(graph: ClaimGraph, used: set[str], kinds_used: set[str], edges_used: set[str], top: int,
                per_row: int = 3) -> list[str]:
    out = [f'  subgraph cluster_legend {{ label="legend"; style="rounded"; color="#999999"; '
           f"fontsize={CLUSTER_FONT_PT:g};"]
    rows: list[str] = []
    for k in legend_rows(used):
        font = "white" if k.dark else "black"
        rows.append(_Node("legend:" + k.key, [k.name], "box", f', fillcolor="{k.colour}", fontcolor={font}').decl())
    kinds = sorted(kinds_used, key=list(SHAPES).index)
    shape_rows: dict[str, list[str]] = {}
    for kind in kinds:
        shape_rows.setdefault(SHAPES[kind], []).append(kind)
    for shape, ks in shape_rows.items():
        rows.append(_Node("legend:shape:" + shape, [" / ".join(ks)], shape, ', fillcolor="#ffffff"').decl())
    edge_nodes = []
    for kind, (style, colour, text) in EDGE_STYLES.items():
        if kind not in edges_used:
            continue
        a, b = f"legend:edge:{kind}:a", f"legend:edge:{kind}:b"
        edge_nodes.append((a, b))
        out.append("    " + _Node(a, [text], "plaintext", ', style=""').decl())
        out.append(f'    {_q(b)} [label="", shape=point, width=0.04, style=invis];')
        out.append(f'    {_q(a)} -> {_q(b)} [style={style}, color="{colour}", arrowhead=normal, minlen=1];')
    grid = [rows[i:i + per_row] for i in range(0, len(rows), per_row)]
    for i, row in enumerate(grid):
        r = top + 2 + i
        names = [decl.split(" [")[0] for decl in row]
        out += [f"    {decl}" for decl in row]
        out.append(f'    {{ rank=same; "rank:{r}"; {" ".join(names)} }}')
        out.append(f'    "rank:{r}" -> {" -> ".join(names)} [style=invis];')
    r = top + 2 + len(grid)
    if edge_nodes:
        out.append(f'    {{ rank=same; "rank:{r}"; {" ".join(_q(a) for a, _ in edge_nodes)} }}')
        out.append(f'    "rank:{r}" -> {" -> ".join(_q(a) for a, _ in edge_nodes)} [style=invis];')
    out.append("  }")
    last = top + 2 + len(grid) + (1 if edge_nodes else 0)
    for k in range(top + 1, last + 1):
        out.append(f'  "rank:{k}" [shape=point, style=invis, width=0, label=""];')
        out.append(f'  "rank:{k - 1}" -> "rank:{k}" [style=invis];')
    return out


# -- rendering ---------------------------------------------------------------------------------------------
def renderer() -> list[str] | None:
    """The command that renders DOT: system Graphviz ``dot`` if present, else ``graphviz-pure`` (on the
    ``PATH`` or next to the running interpreter); None if neither."""
    for exe in ("dot", "graphviz-pure"):
        path = find_tool(exe)  # PATH, then next to this interpreter (a venv that is not activated)
        if path:
            return [path]
    return None


def _command(command: list[str] | None) -> list[str]:
    cmd = command or renderer()
    if cmd is None:
        raise ToolMissing("no Graphviz renderer: install proofkit's dependency graphviz-pure (pip) or Graphviz "
                          "(Debian: apt-get install graphviz)")
    return cmd


def _run(cmd: list[str], dot: str, fmt: str = "svg") -> str | bytes:
    margin = [] if fmt == "svg" else ["-Gmargin=0"]  # paged devices add half an inch on each side by default
    proc = subprocess.run([*cmd, *margin, f"-T{fmt}"], input=dot.encode(), capture_output=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {proc.stderr.decode(errors='replace').strip()[:300]}")
    if fmt == "svg":
        svg = proc.stdout.decode()
        return re.sub(r'font-family="[^"]*"', f'font-family="{SVG_FONT_FAMILY}"', svg)
    return proc.stdout


def svg_size(svg: str) -> tuple[float, float]:
    """``(width, height)`` in points of an SVG written by Graphviz."""
    m = re.search(r'<svg[^>]*?width="([\d.]+)pt"[^>]*?height="([\d.]+)pt"', svg, re.S)
    if not m:
        raise ValueError("no width/height in points in the SVG")
    return float(m.group(1)), float(m.group(2))


def svg_scale(svg: str) -> float:
    """The scale Graphviz applied to the drawing (``transform="scale(s s)"``; 1 when absent)."""
    m = re.search(r'class="graph"[^>]*transform="scale\(([\d.]+)', svg)
    return float(m.group(1)) if m else 1.0


def to_svg(graph: ClaimGraph, *, command: list[str] | None = None, width: int | None = None, **kwargs: object) -> str:
    """SVG of :func:`to_dot` (system ``dot``, else ``graphviz-pure``); :class:`ToolMissing` if neither is installed.

    The whole graph at its natural size (text at :data:`NODE_FONT_PT` points), for screens and the HTML
    index. Without ``width`` the number of claims per rank is chosen so that the drawing's aspect ratio
    is closest to A4 portrait; see :func:`a4_layout`. For print, see :func:`graph_pages`.
    """
    return a4_layout(graph, command=command, width=width, **kwargs)[1]


def a4_layout(graph: ClaimGraph, *, command: list[str] | None = None, width: int | None = None,
              **kwargs: object) -> tuple[int, str]:
    """``(width, svg)``: the number of claims per rank whose drawing is closest to an A4 aspect, and the SVG."""
    cmd = _command(command)

    def render(w: int) -> str:
        out = _run(cmd, to_dot(graph, width=w, **kwargs))  # type: ignore[arg-type]
        assert isinstance(out, str)
        return out

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


# -- the neighbourhood of one claim (claim pages) ----------------------------------------------------------
def neighbourhood_svg(graph: ClaimGraph, label: str, *, command: list[str] | None = None, depth: int = 1,
                      url_prefix: str | None = "") -> str:
    """SVG of one claim with the claims it depends on and the claims that depend on it (``depth`` steps each
    way), for the claim's HTML page; nodes link to ``url_prefix + page``.

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("A", kind="assumption", title="Assumption 1", established="cited"))
    >>> g.add_claim(Claim("T", kind="theorem", title="Theorem 2", uses=["A"], established="proof"))
    >>> "Assumption 1" in neighbourhood_svg(g, "T")
    True
    """
    graph.claim(label)
    return _run(_command(command), _neighbourhood_dot(graph, label, depth, url_prefix))  # type: ignore[return-value]


def _neighbourhood_dot(graph: ClaimGraph, label: str, depth: int, url_prefix: str | None) -> str:
    g = graph.graph
    keep = {label}
    frontier = {label}
    for _ in range(depth):
        nxt: set[str] = set()
        for n in frontier:
            nxt |= {u for u in g.predecessors(n)} | {v for v in g.successors(n)}
        nxt = {n for n in nxt if n in graph.claims} - keep
        keep |= nxt
        frontier = nxt
    prov = provenances(graph)
    nums = number_claims(graph)
    lines = _header(None)
    for lab in sorted(keep, key=lambda x: list(graph.claims).index(x)):
        lines.append("  " + _claim_node(graph, lab, nums, prov, None if lab == label else url_prefix,
                                        focus=lab == label).decl())
    for u, v, kind in _kept_edges(graph, keep, reduce=False):
        lines.append(_edge_line(u, v, kind))
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- pages for print ---------------------------------------------------------------------------------------
@dataclass
class GraphPage:
    """One printed page of the claim graph (see :func:`graph_pages`).

    Attributes
    ----------
    key : str
        ``"graph"`` (the whole graph on one page), ``"overview"`` or the slug of a source.
    title : str
        A caption for the page.
    svg : str
        The page as SVG.
    scale : float
        The scale applied to fit :data:`A4_FRAME` (1 = natural size); text prints at ``NODE_FONT_PT * scale``.
    files : dict
        Written files by format (``"svg"``, ``"pdf"``, ``"png"``), when an output folder was given.
    labels : list of str
        The claims drawn on the page (for the overview: none).
    dot : str
        The page's DOT text (scaled to the frame).
    """

    key: str
    title: str
    svg: str
    scale: float
    files: dict[str, str] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    dot: str = ""


def _fit(svg: str, frame: tuple[float, float]) -> float:
    w, h = svg_size(svg)
    return min(1.0, frame[0] * 72 / w, frame[1] * 72 / h)


def _best_page(cmd: list[str], make: object, frame: tuple[float, float], widths: Sequence[int]) -> tuple[str, str, float]:
    """Render ``make(width, page)`` for each width; keep the one that needs the least shrinking (``(dot, svg, scale)``)."""
    best: tuple[float, float, int, str] | None = None
    for w in widths:
        dot = make(w, None)  # type: ignore[operator]
        svg = _run(cmd, dot)
        assert isinstance(svg, str)
        x, y = svg_size(svg)
        s = _fit(svg, frame)
        aspect = abs(math.log((y / x) / (frame[1] / frame[0])))
        if best is None or (s, -aspect) > (best[0], -best[1]):
            best = (s, aspect, w, dot)
        if s >= 1.0:
            break
    assert best is not None
    dot = make(best[2], frame)  # type: ignore[operator]
    svg = _run(cmd, dot)
    assert isinstance(svg, str)
    return dot, svg, svg_scale(svg)


def _page_range(numbers: set[int]) -> str:
    lo, hi = min(numbers), max(numbers)
    return str(lo) if lo == hi else f"{lo}\u2013{hi}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "source"


def _legend_page_dot(graph: ClaimGraph, page: tuple[float, float] | None, titled: bool = True) -> str:
    prov = provenances(graph)
    lines = [*_header(page, "Legend of the dependency graph" if titled else None),
             '  "rank:-1" [shape=point, style=invis, width=0, label=""];']
    lines += _legend_dot(graph, {p.kind.key for p in prov.values()}, {c.kind for c in graph.claims.values()},
                         {k for _, _, k in graph.graph.edges(data="kind")}, -1)
    lines[1] = lines[1].replace("rankdir=BT", "rankdir=TB")
    return "\n".join([*lines, "}"]) + "\n"


def _overview_dot(graph: ClaimGraph, secs: list[Section], page: tuple[float, float] | None, titles: dict[str, str],
                  per_row: int = 3, legend: bool = True, title: str | None = None) -> str:
    prov = provenances(graph)
    where = {lab: sec.key for sec in secs for lab in sec.labels}
    lines = _header(page, title)
    lines[1] = lines[1].replace("rankdir=BT", "rankdir=TB")
    rows = [secs[i:i + per_row] for i in range(0, len(secs), per_row)]
    for r, row in enumerate(rows):
        names = []
        for sec in row:
            counts: dict[str, int] = {}
            for lab in sec.labels:
                counts[prov[lab].kind.key] = counts.get(prov[lab].kind.key, 0) + 1
            n = len(sec.labels)
            text = [*_wrap(sec.title, 22), f"{n} claim{'s' if n > 1 else ''}, {titles[sec.key]}"]
            text += [f"{c} {PROVENANCE[k].name}" for k, c in
                     sorted(counts.items(), key=lambda kv: list(PROVENANCE).index(kv[0]))]
            lines.append("  " + _Node("source:" + sec.key, text, "rounded", ', fillcolor="#ffffff"').decl())
            names.append(_q("source:" + sec.key))
        lines.append(f'  {{ rank=same; "rank:{r}" [shape=point, style=invis, width=0, label=""]; {" ".join(names)} }}')
        lines.append(f'  "rank:{r}" -> {" -> ".join(names)} [style=invis];')  # one connected row, in this order
        if r:
            lines.append(f'  "rank:{r - 1}" -> "rank:{r}" [style=invis];')
    links: dict[tuple[str, str], int] = {}
    for u, v, kind in graph.graph.edges(data="kind"):
        if u in where and v in where and where[u] != where[v] and kind in (*_DEP_KINDS, "refutes", "generalizes"):
            links[(where[u], where[v])] = links.get((where[u], where[v]), 0) + 1
    for (a, b), n in sorted(links.items()):
        lines.append(f'  {_q("source:" + a)} -> {_q("source:" + b)} [label=" {n}", constraint=false];')
    if legend:
        lines += _legend_dot(graph, {p.kind.key for p in prov.values()}, {c.kind for c in graph.claims.values()},
                             {k for _, _, k in graph.graph.edges(data="kind")}, len(rows) - 2)
    lines.append("}")
    return "\n".join(lines) + "\n"


def overview_caption(page_label: str = "page") -> str:
    """What the overview page shows (its title in :func:`graph_pages`, a caption where the title is left out)."""
    return (f"Overview: the sources (with the {page_label}s that draw their claims), their claims by provenance, "
            f"and the number of dependencies between them")


def graph_pages(graph: ClaimGraph, out_dir: str | None = None, *, command: list[str] | None = None,
                frame: tuple[float, float] = A4_FRAME, formats: Sequence[str] = ("svg", "pdf"),
                url_prefix: str | None = None, page_label: str = "page", titled: bool = True) -> list[GraphPage]:
    """The claim graph as printable pages: text never below :data:`MIN_PRINTED_PT` points on a ``frame``.

    When the whole graph fits one page at that size it is one page (with the legend). Otherwise the
    first page is an overview (one box per source, with its counts by provenance, and the number of
    dependencies between sources, with the legend), followed by one page per source: its claims with
    the claims of other sources they use or are used by (dashed, in a cluster "from other sources").
    A source too large for one page is split into parts.

    Parameters
    ----------
    out_dir : str, optional
        Write each page there as ``graph-NN-<key>.<format>``; :attr:`GraphPage.files` lists the files.
    command : list of str, optional
        The Graphviz command (default: :func:`renderer`).
    frame : (width, height) in inches
        The drawing area of a page (default :data:`A4_FRAME`: A4 with 2.5 cm margins, room for a caption).
    formats : sequence of {"svg", "pdf", "png"}
        Formats to write. PDF needs the system ``dot`` (cairo, fonts embedded); without it a :data:`PNG_DPI` dpi PNG
        is written instead.
    url_prefix : str, optional
        Link nodes to ``url_prefix + page`` (none by default: links do not survive inclusion in a PDF).
    page_label : str
        What the overview calls the pages when it says which of them draw a source (``"page 3"``,
        ``"pages 3\u20135"``); pages are numbered from 1 in print order. A document that numbers the drawings
        as its figures passes ``"figure"``.
    titled : bool
        Write each page's title at the top of its drawing (the default, for pages printed on their own);
        a document that sets :attr:`GraphPage.title` as a caption leaves them out.

    Returns
    -------
    list of GraphPage
        In print order. Include each file at its natural size (e.g. ``\\includegraphics{graph-01-....pdf}``
        without ``width=``; a PNG is drawn at :data:`PNG_DPI` dots per inch): scaling it down again would
        undo the legibility guarantee.

    Examples
    --------
    >>> from proofkit.claims import Claim, ClaimGraph
    >>> g = ClaimGraph()
    >>> g.add_claim(Claim("A", kind="assumption", title="Assumption 1", established="cited"))
    >>> [p.key for p in graph_pages(g)]
    ['graph']
    """
    unknown = set(formats) - {"svg", "pdf", "png"}
    if unknown:
        raise InvalidInput("formats", 'a subset of {"svg", "pdf", "png"}', repr(sorted(unknown)))
    cmd = _command(command)
    least = MIN_PRINTED_PT / NODE_FONT_PT - 1e-9
    secs = sections(graph)
    widths = (3, 2, 4, 1)  # claims per rank; one per rank last: a tall narrow drawing may fit where wide ones do not
    pages: list[GraphPage] = []

    def whole(w: int, page: tuple[float, float] | None) -> str:
        return _claims_dot(graph, secs, reduce=True, legend=True, url_prefix=url_prefix, page=page, width=w)

    dot, svg, scale = _best_page(cmd, whole, frame, widths)
    if scale >= least or len(graph) <= 1:
        pages.append(GraphPage("graph", "The dependency graph", svg, scale, labels=list(graph.claims), dot=dot))
    else:
        parts: list[tuple[str, str, list[str]]] = []  # (key, title, labels)
        for sec in secs:
            parts += _source_parts(graph, cmd, secs, sec, frame, widths, least, url_prefix, titled)

        def numbering(first: int) -> dict[str, str]:
            page_of: dict[str, set[int]] = {}
            for i, (_key, _title, labels) in enumerate(parts):
                page_of.setdefault(_section_key(secs, labels[0]), set()).add(i + first)
            return {sec.key: page_label + ("s " if len(page_of[sec.key]) > 1 else " ") + _page_range(page_of[sec.key])
                    for sec in secs}

        head = overview_caption(page_label) if titled else None
        titles = numbering(2)
        dot, svg, scale = _best_page(cmd, lambda w, page: _overview_dot(graph, secs, page, titles, title=head), frame,
                                     (1,))
        if scale < least:
            titles = numbering(3)
        if scale < least:  # the legend gets a page of its own
            for per_row in (3, 2, 1):
                dot, svg, scale = _best_page(cmd, lambda w, page, n=per_row: _overview_dot(
                    graph, secs, page, titles, n, legend=False, title=head), frame, (1,))
                if scale >= least:
                    break
            pages.append(GraphPage("overview", "Overview of the dependency graph", svg, scale, dot=dot))
            dot, svg, scale = _best_page(cmd, lambda w, page: _legend_page_dot(graph, page, titled), frame, (1,))
            pages.append(GraphPage("legend", "Legend of the dependency graph", svg, scale, dot=dot))
        else:
            pages.append(GraphPage("overview", "Overview of the dependency graph", svg, scale, dot=dot))
        for key, title, labels in parts:
            dot, svg, scale = _part_page(graph, cmd, secs, labels, title if titled else None, frame, widths,
                                         url_prefix)
            pages.append(GraphPage(key, title, svg, scale, labels=labels, dot=dot))
    if out_dir is not None:
        os.makedirs(out_dir, exist_ok=True)
        for i, page in enumerate(pages):
            stem = os.path.join(out_dir, f"graph-{i:02d}-{page.key}")
            if "svg" in formats:
                _write(stem + ".svg", page.svg.encode())
                page.files["svg"] = stem + ".svg"
            want_pdf = "pdf" in formats and os.path.basename(cmd[0]) == "dot"
            if want_pdf:
                _write(stem + ".pdf", _run(cmd, page.dot, "pdf"))  # type: ignore[arg-type]
                page.files["pdf"] = stem + ".pdf"
            if "png" in formats or ("pdf" in formats and not want_pdf):
                _write(stem + ".png", _run([*cmd, f"-Gdpi={PNG_DPI}"], page.dot, "png"))  # type: ignore[arg-type]
                page.files["png"] = stem + ".png"
    return pages


def _section_key(secs: list[Section], label: str) -> str:
    for sec in secs:
        if label in sec.labels:
            return sec.key
    return ""


def _externals(graph: ClaimGraph, secs: list[Section], labels: Sequence[str]) -> dict[str, list[str]]:
    """The claims of other pages adjacent to ``labels``, grouped by source (or the other parts of this one)
    and by direction: what these claims use (drawn below them) and what uses them (drawn above)."""
    inside = set(labels)
    own = _section_key(secs, labels[0])
    groups: dict[str, list[str]] = {}
    for u, v in graph.graph.edges():  # u is used by v
        for a, b, verb in ((v, u, "used here, from"), (u, v, "using these, in")):
            if a in inside and b not in inside and b in graph.claims:
                key = _section_key(secs, b)
                title = next(s.title for s in secs if s.key == key)
                name = f"{verb} {'other parts of ' if key == own else ''}{title}"
                if b not in groups.setdefault(name, []):
                    groups[name].append(b)
    order = {lab: i for i, lab in enumerate(graph.claims)}
    return {k: sorted(v, key=order.__getitem__) for k, v in sorted(groups.items())}


def _part_dot(graph: ClaimGraph, secs: list[Section], labels: list[str], title: str | None,
              page: tuple[float, float] | None,
              width: int, url_prefix: str | None) -> str:
    key = _section_key(secs, labels[0])
    sec = Section(key, next(s.title for s in secs if s.key == key), labels)
    return _claims_dot(graph, [sec], reduce=True, legend=False, url_prefix=url_prefix, page=page, width=width,
                       title=title,
                       externals=_externals(graph, secs, labels), tag=False)


def _part_page(graph: ClaimGraph, cmd: list[str], secs: list[Section], labels: list[str], title: str | None,
               frame: tuple[float, float], widths: Sequence[int], url_prefix: str | None) -> tuple[str, str, float]:
    return _best_page(cmd, lambda w, page: _part_dot(graph, secs, labels, title, page, w, url_prefix), frame, widths)


def _source_parts(graph: ClaimGraph, cmd: list[str], secs: list[Section], sec: Section, frame: tuple[float, float],
                  widths: Sequence[int], least: float, url_prefix: str | None,
                  titled: bool = True) -> list[tuple[str, str, list[str]]]:
    """The source's claims as one page, or cut (in the papers' order) into consecutive parts, each as long
    as still fits a page at ``least`` scale (found by bisection on the length of each part)."""
    labels = sec.labels

    def fits(chunk: list[str]) -> bool:
        title = sec.title if len(chunk) == len(labels) else f"{sec.title}, part 9 of 9"
        return _part_page(graph, cmd, secs, chunk, title if titled else None, frame, widths, url_prefix)[2] >= least

    if fits(labels):
        return [(_slug(sec.key), sec.title, labels)]
    chunks = []
    start = 0
    while start < len(labels):
        lo, hi = start + 1, len(labels)  # labels[start:lo] is taken even if it does not fit (a single claim)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(labels[start:mid]):
                lo = mid
            else:
                hi = mid - 1
        chunks.append(labels[start:lo])
        start = lo
    return [(f"{_slug(sec.key)}-{i}", f"{sec.title}, part {i} of {len(chunks)}", c) for i, c in enumerate(chunks, 1)]


def _write(path: str, data: bytes) -> None:
    tmp = path + ".tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
