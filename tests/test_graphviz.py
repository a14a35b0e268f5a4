"""The dependency graph: text size as printed on A4, labels never cut, text inside its box, with the system
Graphviz ``dot`` and with ``graphviz-pure``; the printed pages (overview, legend, one per source)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET

import pytest

from proofkit.claims import Claim, ClaimGraph
from proofkit.library import seed_graph
from proofkit.printing import graphviz as gv
from proofkit.printing.graphviz import A4_FRAME, MIN_PRINTED_PT, graph_pages, neighbourhood_svg, to_dot, to_svg
from proofkit.printing.sources import number_claims

RENDERERS = [r for r in ("dot", "graphviz-pure") if shutil.which(r)]
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
NS = {"svg": "http://www.w3.org/2000/svg"}
renderers = pytest.mark.parametrize(
    "renderer", RENDERERS or [pytest.param(None, marks=pytest.mark.skip("no Graphviz renderer"))])


@pytest.fixture(scope="module")
def checked():
    g = seed_graph()
    g.check()
    return g


@pytest.fixture(scope="module")
def pages(checked):
    out = {}
    for r in RENDERERS:
        folder = tempfile.mkdtemp()
        out[r] = (graph_pages(checked, folder, command=[shutil.which(r)]), folder)
    return out


# -- measuring an SVG as it prints --------------------------------------------------------------------
def _font(size: float):
    from matplotlib import font_manager
    from PIL import ImageFont

    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
    return ImageFont.truetype(path, size)


def _ink(text: str, size: float) -> tuple[float, float, float, float]:
    """Ink box (x0, y0, x1, y1) of ``text`` in DejaVu Sans at ``size`` pt, relative to the left end of the
    baseline (measured by Pillow/FreeType at 10x for precision, independently of proofkit's own metric)."""
    x0, y0, x1, y1 = _font(size * 10).getbbox(text, anchor="ls")
    return x0 / 10, y0 / 10, x1 / 10, y1 / 10


def _points(el: ET.Element) -> list[tuple[float, float]]:
    tag = el.tag.split("}")[1]
    if tag == "polygon":
        nums = [float(v) for v in re.findall(r"-?[\d.]+", el.get("points", ""))]
    elif tag == "path":
        nums = [float(v) for v in re.findall(r"-?[\d.]+", el.get("d", ""))]
    elif tag == "ellipse":
        cx, cy, rx, ry = (float(el.get(k)) for k in ("cx", "cy", "rx", "ry"))
        import math
        return [(cx + rx * math.cos(t / 32 * math.pi), cy + ry * math.sin(t / 32 * math.pi)) for t in range(64)]
    else:
        return []
    return list(zip(nums[::2], nums[1::2]))


def _inside(p: tuple[float, float], poly: list[tuple[float, float]], tol: float = 0.3) -> bool:
    """``p`` inside the convex hull of ``poly`` (with ``tol`` points of slack)."""
    from scipy.spatial import ConvexHull

    hull = ConvexHull(poly)
    return all(a * p[0] + b * p[1] + c <= tol for a, b, c in hull.equations)


def node_report(svg: str) -> list[dict]:
    """Per node: name, the text lines, the smallest font size and every text corner outside the node's outline."""
    root = ET.fromstring(svg[svg.index("<svg"):])
    out = []
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        if g.get("class") != "node":
            continue
        name = g.find("svg:title", NS).text
        shapes = [el for el in g.iter() if el.tag.split("}")[1] in ("polygon", "path", "ellipse")]
        texts = [el for el in g.iter() if el.tag.split("}")[1] == "text"]
        if not texts:
            continue
        outline = _points(shapes[0]) if shapes else []
        if shapes and shapes[0].get("fill") == "none" and len(shapes) > 1:  # double border: the inner one
            outline = _points(shapes[1])
        outside = []
        for t in texts:
            size = float(t.get("font-size"))
            x, y = float(t.get("x")), float(t.get("y"))
            x0, y0, x1, y1 = _ink(t.text or "", size)
            width = x1 - x0
            left = x - (width / 2 + x0) if t.get("text-anchor") == "middle" else x + x0
            for corner in ((left, y + y0), (left + width, y + y0), (left, y + y1), (left + width, y + y1)):
                if outline and not _inside(corner, outline):
                    outside.append((t.text, corner))
        out.append({"name": name, "lines": [t.text or "" for t in texts], "outside": outside,
                    "font": min(float(t.get("font-size")) for t in texts)})
    return out


def _all_text_sizes(svg: str) -> list[float]:
    return [float(x) for x in re.findall(r'font-size="([\d.]+)"', svg)]


# -- the whole graph (screen, HTML index) ---------------------------------------------------------------
@renderers
def test_text_stays_inside_every_node(checked, renderer):
    svg = to_svg(checked, command=[shutil.which(renderer)], url_prefix=None)
    report = node_report(svg)
    assert len([r for r in report if r["name"] in checked.claims]) == len(checked)
    bad = [(r["name"], r["outside"][:2]) for r in report if r["outside"]]
    assert not bad, bad
    assert min(_all_text_sizes(svg)) * gv.svg_scale(svg) >= MIN_PRINTED_PT


@renderers
def test_no_label_is_cut(checked, renderer):
    svg = to_svg(checked, command=[shutil.which(renderer)], url_prefix=None)
    assert "…" not in svg and "..." not in svg
    nums = number_claims(checked)
    report = {r["name"]: " ".join(r["lines"]) for r in node_report(svg)}
    for label, num in nums.items():
        words = gv.plain_to_unicode(num.rest).split()
        assert words == report[label].split()[-len(words):] if words else True, (label, report[label])


def test_measure_detects_overflow():
    """The geometry check can fail: a label wider than its fixed box is reported."""
    if not RENDERERS:
        pytest.skip("no Graphviz renderer")
    dot = ('digraph { node [fontname="Helvetica", fontsize=9, fixedsize=true, width=0.5, height=0.3, shape=box]; '
           'a [label="a label much wider than its box"]; }')
    svg = subprocess.run([shutil.which(RENDERERS[0]), "-Tsvg"], input=dot, capture_output=True, text=True).stdout
    assert node_report(svg)[0]["outside"]


def test_every_kind_with_a_long_title_fits(tmp_path):
    """Every shape, long titles with math: the text block is inside the outline with either renderer."""
    if not RENDERERS:
        pytest.skip("no Graphviz renderer")
    g = ClaimGraph()
    long = r"a title long enough to wrap over several lines, with $\lambda_0 \ge N - 1$ and $W^{(2)}_{11}$ in it"
    kinds = ["definition", "assumption", "theorem", "lemma", "corollary", "conjecture", "instance", "counterexample"]
    for i, kind in enumerate(kinds):
        g.add_claim(Claim(f"C{i}", kind=kind, title=f"{kind.capitalize()} {i + 1} ({long})",
                          source="Doe & Roe 2020", established="cited" if kind != "conjecture" else None,
                          uses=[f"C{i - 1}"] if i else []))
    for r in RENDERERS:
        svg = to_svg(g, command=[shutil.which(r)], url_prefix=None)
        bad = [(x["name"], x["outside"][:1]) for x in node_report(svg) if x["outside"]]
        assert not bad, (r, bad)
        flat = svg.replace("\u00a0", " ").replace("&#160;", " ")
        assert "λ₀ ≥ N − 1" in flat and "…" not in svg  # the formula on one line (no-break spaces)


# -- pages for print ----------------------------------------------------------------------------------
@renderers
def test_pages_print_at_least_8pt_on_a4(checked, pages, renderer):
    got, folder = pages[renderer]
    frame_pt = (A4_FRAME[0] * 72 + 0.5, A4_FRAME[1] * 72 + 0.5)
    keys = [p.key for p in got]
    assert keys[0] == "overview" and len(got) > 3
    for p in got:
        w, h = gv.svg_size(p.svg)
        assert w <= frame_pt[0] and h <= frame_pt[1], (p.key, w, h)
        printed = min(_all_text_sizes(p.svg)) * gv.svg_scale(p.svg)
        assert printed >= MIN_PRINTED_PT - 1e-6, (p.key, printed)
        bad = [(x["name"], x["outside"][:1]) for x in node_report(p.svg) if x["outside"]]
        assert not bad, (p.key, bad)
    drawn = [lab for p in got for lab in p.labels]
    assert sorted(drawn) == sorted(checked.claims), "every claim on exactly one page"


@renderers
def test_page_files(pages, renderer):
    got, folder = pages[renderer]
    for p in got:
        assert open(p.files["svg"]).read() == p.svg
        if renderer == "dot":
            pdf = p.files["pdf"]
            assert open(pdf, "rb").read(5) == b"%PDF-"
            if shutil.which("pdfinfo"):
                info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
                w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
                assert w <= A4_FRAME[0] * 72 + 2 and h <= A4_FRAME[1] * 72 + 2  # whole points
            if shutil.which("pdffonts"):
                fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True).stdout
                assert all(" yes " in ln for ln in fonts.splitlines()[2:]), fonts  # embedded
        else:
            assert open(p.files["png"], "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_small_graph_is_one_page():
    if not RENDERERS:
        pytest.skip("no Graphviz renderer")
    g = ClaimGraph()
    g.add_claim(Claim("A", kind="assumption", title="Assumption 1", established="cited"))
    g.add_claim(Claim("T", kind="theorem", title="Theorem 2", uses=["A"], established="proof"))
    got = graph_pages(g)
    assert [p.key for p in got] == ["graph"] and got[0].scale == 1.0 and "legend" in got[0].svg


def test_graph_pages_rejects_unknown_formats():
    from proofkit.errors import InvalidInput

    g = ClaimGraph()
    g.add_claim(Claim("A", kind="assumption", title="Assumption 1", established="cited"))
    with pytest.raises(InvalidInput, match="formats"):
        graph_pages(g, formats=("eps",))


# -- DOT and the neighbourhood of a claim -------------------------------------------------------------
def test_dot_labels_have_real_line_breaks_and_the_paper(checked):
    dot = to_dot(checked)
    assert "\\\\n" not in dot
    assert '"Theorem 3.8 [NH17]"' in dot or '"Theorem 3.8 [NH17]\\n' in dot
    assert "cluster_legend" in dot and "subgraph cluster_0" in dot
    assert 'URL="html/claims/NH17_thm3.8.html"' in dot
    assert "fixedsize=true" in dot


def test_neighbourhood_has_the_claim_its_dependencies_and_dependants(checked):
    if not RENDERERS:
        pytest.skip("no Graphviz renderer")
    svg = neighbourhood_svg(checked, "NH17:thm3.8")
    names = {r["name"] for r in node_report(svg)}
    assert {"NH17:thm3.8", "NH17:ass3.2", "NH17:lemma3.5", "NH17:thm3.8:wide", "NH17:cor3.9"} <= names
    assert "NH17:lemma2.1" not in names  # two steps away
    assert 'xlink:href="NH17_lemma3.5.html"' in svg and 'xlink:href="NH17_thm3.8.html"' not in svg


# -- in a real browser ----------------------------------------------------------------------------------
_PROBE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>%s<script>
const bad = [];
let n = 0;
for (const g of document.querySelectorAll('g.node')) {
  const shapes = [...g.querySelectorAll('polygon, path, ellipse')];
  if (!shapes.length) continue;
  const shape = shapes.length > 1 && shapes[0].getAttribute('fill') === 'none' ? shapes[1] : shapes[0];
  for (const t of g.querySelectorAll('text')) {
    const b = t.getBBox(); n++;
    const inset = 0.15 * b.height;  // the line box includes leading above and below the ink
    for (const [x, y] of [[b.x, b.y + inset], [b.x + b.width, b.y + inset], [b.x, b.y + b.height - inset],
                          [b.x + b.width, b.y + b.height - inset]]) {
      const p = shape.ownerSVGElement.createSVGPoint(); p.x = x; p.y = y;
      if (!shape.isPointInFill(p) && !shape.isPointInStroke(p)) bad.push(g.querySelector('title').textContent);
    }
  }
}
document.title = 'checked ' + n + ' outside ' + [...new Set(bad)].join('|');
</script></body></html>"""


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
@renderers
def test_text_inside_boxes_as_chromium_draws_it(checked, pages, renderer, tmp_path):
    got, _ = pages[renderer]
    largest = max(got, key=lambda p: len(p.labels))
    svgs = [to_svg(checked, command=[shutil.which(renderer)], url_prefix=None), largest.svg]
    for i, svg in enumerate(svgs):
        probe = tmp_path / f"probe{i}.html"
        probe.write_text(_PROBE % svg[svg.index("<svg"):], encoding="utf-8")
        profile = tempfile.mkdtemp()
        dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
                              "--virtual-time-budget=3000", "--dump-dom", probe.as_uri()],
                             capture_output=True, text=True, timeout=120).stdout
        shutil.rmtree(profile, ignore_errors=True)
        m = re.search(r"<title>checked (\d+) outside ([^<]*)</title>", dom)
        assert m, dom[:300]
        assert int(m.group(1)) > 20 and m.group(2) == "", (renderer, i, m.group(2))


def test_stale_claims_have_their_own_colour_and_legend_entry():
    """A claim whose checker's certificates are missing is drawn and listed as stale, never as open."""
    if not RENDERERS:
        pytest.skip("no Graphviz renderer")
    from proofkit.printing.provenance import PROVENANCE

    g = ClaimGraph()
    g.add_claim(Claim("T", kind="theorem", title="Theorem 1", source="Doe 2020, Theorem 1", statement="$x > 0$",
                      established="cited"))
    g.add_claim(Claim("T:i", kind="instance", instance_of="T", statement="$1 > 0$", established="checked"))
    g.add_claim(Claim("C", kind="conjecture", title="Conjecture 2", source="Doe 2020, Conjecture 2", statement="$x > 1$"))
    assert g.status("T:i") == "stale"
    stale, open_ = PROVENANCE["stale"], PROVENANCE["open"]
    for r in RENDERERS:
        svg = to_svg(g, command=[shutil.which(r)], url_prefix=None)
        root = ET.fromstring(svg[svg.index("<svg"):])
        fills = {}
        for node in root.iter("{http://www.w3.org/2000/svg}g"):
            if node.get("class") == "node":
                shapes = [el.get("fill") for el in node.iter() if el.tag.split("}")[1] in ("polygon", "path")]
                fills[node.find("svg:title", NS).text] = next((f for f in shapes if f and f != "none"), None)
        assert fills["T:i"] == stale.colour and fills["legend:stale"] == stale.colour, (r, fills)
        assert fills["C"] == open_.colour != stale.colour
        legend = [n for n in node_report(svg) if n["name"] == "legend:stale"]
        assert legend and legend[0]["lines"] == ["stale"]


def test_dependencies_are_drawn_below_the_claims_that_use_them(checked):
    """Every dependency (statement, proof, instance) is on a lower rank than the claim that uses it, also across
    sources: a paper's own results ("this paper") above the works they cite."""
    from proofkit.printing.graphviz import layers

    own = ClaimGraph(title="A paper")
    own.add_claim(Claim("A", kind="assumption", title="Assumption 1", source="Doe 2020, Assumption 1",
                        statement="$x > 0$", established="cited"))
    own.add_claim(Claim("L2", kind="lemma", source="this paper, Lemma 2", statement="$x^2 > 0$", uses=["A"],
                        established="proof"))
    own.add_claim(Claim("T3", kind="theorem", source="This paper, Theorem 3", statement="$x^3 > 0$", uses=["L2"],
                        established="proof"))
    for g in (checked, own):
        for width in (1, 2, 3, 5):
            rank = layers(g, width)
            wrong = [(u, v) for u, v, kind in g.graph.edges(data="kind")
                     if kind in ("uses", "proof", "instance_of") and rank[u] >= rank[v]]
            assert not wrong, (width, wrong)
