"""The HTML blueprint: MathML without errors, working links, nothing remote, the interactive index (search,
click) and the claim pages (dependency subgraph, proof) in a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from urllib.parse import unquote, urlparse

import pytest

from proofkit.claims import Claim, ClaimGraph
from proofkit.cli import write_report
from proofkit.library import seed_graph
from proofkit.printing.html import progress_by_source, write_html

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    g = seed_graph()
    g.check()
    out = tmp_path_factory.mktemp("report")
    write_report(g, str(out), pdf=False)
    return g, out


def _pages(out):
    root = out / "html"
    return [root / "index.html", *sorted((root / "claims").glob("*.html"))]


def test_every_claim_has_a_page_with_math(report):
    g, out = report
    pages = _pages(out)
    assert len(pages) == len(g) + 1
    page = (out / "html" / "claims" / "NH17_thm3.8.html").read_text()
    assert "<math" in page and "proved in the source" in page and "Nguyen &amp; Hein 2017" in page


def test_no_mathml_errors_and_no_raw_latex(report):
    _, out = report
    for page in _pages(out):
        text = page.read_text()
        assert "merror" not in text, page.name
        visible = re.sub(r"<math.*?</math>|<[^>]+>", " ", text, flags=re.S)
        assert "$" not in visible and "\\" not in visible.replace("\\n", ""), page.name


def test_all_local_links_resolve(report):
    _, out = report
    checked = 0
    for page in _pages(out):
        for href in re.findall(r'(?:href|xlink:href|src)="([^"]+)"', page.read_text()):
            url = urlparse(href)
            if url.scheme in ("http", "https"):
                pytest.fail(f"{page.name} links to the network: {href}")
            if not url.path:
                continue
            target = os.path.normpath(os.path.join(page.parent, unquote(url.path)))
            assert os.path.exists(target), f"{page.name}: broken link {href}"
            checked += 1
    assert checked > 200


def test_certificate_pages_link_their_json(report):
    _, out = report
    page = (out / "html" / "claims" / "CE_sigmoid-narrow.html").read_text()
    assert "CE_sigmoid-narrow-1.json" in page and "kernel re-check" in page and "accepted" in page


def _chromium(args, timeout=120):
    profile = tempfile.mkdtemp()
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}", *args]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_pages_render_in_chromium(report, tmp_path):
    _, out = report
    for name in ("index.html", "claims/CE_sigmoid-narrow.html", "claims/NH17_lemma4.3.html"):
        url = (out / "html" / name).as_uri()
        dom = _chromium(["--dump-dom", url]).stdout
        assert "<math" in dom and "</html>" in dom, name
        assert "merror" not in dom
        if name == "index.html":
            assert "<svg" in dom and "claims/NH17_thm3.8.html" in dom
    shot = tmp_path / "index.png"
    _chromium(["--window-size=1200,1600", f"--screenshot={shot}", (out / "html" / "index.html").as_uri()])
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_mathml_is_laid_out_by_the_browser(report, tmp_path):
    """Chromium lays MathML out: a fraction is taller than a line of text."""
    _, out = report
    probe = tmp_path / "probe.html"
    page = (out / "html" / "claims" / "CE_sigmoid-narrow.html").read_text()
    script = ("<script>window.onload=()=>{const m=[...document.querySelectorAll('math')];"
              "const h=Math.max(...m.map(e=>e.getBoundingClientRect().height));"
              "document.title='H'+Math.round(h)+'N'+m.length;}</script>")
    probe.write_text(page.replace("</body>", script + "</body>").replace('href="../style.css"',
                                                                         f'href="{(out / "html" / "style.css").as_uri()}"'))
    dom = _chromium(["--virtual-time-budget=3000", "--dump-dom", probe.as_uri()]).stdout
    m = re.search(r"<title>H(\d+)N(\d+)</title>", dom)
    assert m, dom[:300]
    assert int(m.group(2)) > 5 and int(m.group(1)) > 40


def _dom(url, budget=5000):
    return _chromium([f"--virtual-time-budget={budget}", "--dump-dom", url]).stdout


def test_claim_pages_draw_their_dependencies(report):
    _, out = report
    page = (out / "html" / "claims" / "NH17_thm3.8.html").read_text()
    svg = page[page.index('<div class="graph neighbourhood">'):]
    svg = svg[:svg.index("</svg>")]
    for lab in ("NH17:thm3.8", "NH17:ass3.2", "NH17:lemma3.5", "NH17:cor3.9", "NH17:thm3.8:wide"):
        assert f"<title>{lab}</title>" in svg, lab
    assert 'xlink:href="NH17_lemma3.5.html"' in svg
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page


def test_progress_by_source(report):
    g, out = report
    rows = {r["key"]: r for r in progress_by_source(g)}
    nh = rows["Nguyen & Hein 2017"]
    assert nh["total"] == 29 and sum(nh["counts"].values()) == 29
    assert nh["established"] == nh["counts"]["checked"] + nh["counts"]["proved"] + nh["counts"]["cited"]
    assert sum(r["total"] for r in rows.values()) == len(g)
    index = (out / "html" / "index.html").read_text()
    row = re.search(r'<tr data-source="Nguyen &amp; Hein 2017">.*?</tr>', index, re.S).group(0)
    assert f"{nh['established']}/29" in row and f"{nh['counts']['checked']} machine-checked" in row


def test_proof_is_rendered(tmp_path):
    g = ClaimGraph()
    g.add_claim(Claim("A", kind="assumption", title="Assumption 1", statement="$x > 0$", established="cited"))
    g.add_claim(Claim("T", kind="theorem", title="Theorem 2", statement="$x^2 > 0$", uses=["A"], established="proof",
                      proof=r"Multiply $x > 0$ by $x$ -- both factors are positive."))
    write_html(g, str(tmp_path))
    page = (tmp_path / "claims" / "T.html").read_text()
    proof = page[page.index('<div class="proof">'):]
    proof = proof[:proof.index("</div>")]
    assert "<i>Proof.</i>" in proof and proof.count("<math") == 2 and "\u2013 both factors" in proof
    assert "Proof." not in (tmp_path / "claims" / "A.html").read_text()


def test_template_files_are_package_data():
    from importlib import resources

    import proofkit

    root = resources.files("proofkit.printing")
    for name in ("templates/base.html", "templates/index.html", "templates/claim.html", "static/style.css",
                 "static/blueprint.js"):
        assert root.joinpath(name).is_file(), name
    pyproject = os.path.join(os.path.dirname(os.path.dirname(proofkit.__file__)), "pyproject.toml")
    if os.path.exists(pyproject):
        text = open(pyproject).read()
        assert '"proofkit.printing" = ["templates/*.html", "static/*.css", "static/*.js"]' in text
        assert '"jinja2' in text


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_search_highlights_and_lists_claims(report):
    _, out = report
    index = out / "html" / "index.html"
    dom = _dom(index.as_uri() + "#search=Lemma%204.3")
    assert 'data-blueprint="ready"' in dom, "the script did not run"
    listed = re.findall(r'<li data-label="([^"]+)"><a href="([^"]+)"', dom)
    assert {lab for lab, _ in listed} == {"NH17:lemma4.3", "NH17:lemma4.3:sigmoid", "NH17:lemma4.3:softplus",
                                          "NH17:lemma4.3:tanh-deep", "NH17:lemma4.3:duplicate", "NH17:lemma4.3:relu"}
    assert all((out / "html" / href).exists() for _, href in listed)
    assert len(re.findall(r'class="node match"', dom)) == len(listed)
    assert len(re.findall(r'class="node dim"', dom)) == 63 - len(listed)
    # words of the text of a claim, not of its title
    dom = _dom(index.as_uri() + "#search=Lyapunov")
    assert re.findall(r'<li data-label="([^"]+)"', dom) == ["YC95:theorem"]  # in its remark
    dom = _dom(index.as_uri() + "#search=no%20such%20claim%20xyz")
    assert "0 of 63 claims" in dom and "<li" not in dom.split('id="search-results"')[1].split("</ul>")[0]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_clicking_a_node_opens_its_page(report):
    _, out = report
    index = (out / "html" / "index.html").read_text()
    probe = out / "html" / "probe_click.html"
    probe.write_text(index.replace("</body>", """<script>window.addEventListener('load', () => {
  const a = [...document.querySelectorAll('#graph g.node a')]
    .find(e => e.getAttribute('xlink:href') === 'claims/NH17_thm3.8.html');
  a.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, view: window}));
});</script></body>"""))
    try:
        dom = _dom(probe.as_uri())
    finally:
        probe.unlink()
    assert "<title>Theorem 3.8 — proofkit</title>" in dom


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_claim_page_screenshot_shows_the_subgraph(report, tmp_path):
    _, out = report
    shot = tmp_path / "thm.png"
    _chromium(["--window-size=1100,1300", f"--screenshot={shot}",
               (out / "html" / "claims" / "NH17_thm3.8.html").as_uri()])
    from PIL import Image

    img = Image.open(shot).convert("RGB")
    # the subgraph's fills are in the picture: machine-checked green and proved-in-the-source blue
    colours = {c for _, c in img.getcolors(maxcolors=1 << 20)}
    assert (0x1b, 0x78, 0x37) in colours and (0x92, 0xc5, 0xde) in colours


def _own_paper_graph():
    g = ClaimGraph(title="Spurious minima of small sigmoid networks")
    g.add_claim(Claim("A", kind="assumption", title="Assumption 1", source="Doe 2020, Assumption 1",
                      statement="$x > 0$", established="cited"))
    g.add_claim(Claim("L2", kind="lemma", source="this paper, Lemma 2", statement="Then $x^2 > 0$.", uses=["A"],
                      established="proof", proof="Multiply $x > 0$ by $x$."))
    g.add_claim(Claim("T3:i", kind="instance", instance_of="L2", statement="$2^2 > 0$", established="checked"))
    return g


def test_own_results_stale_claims_and_the_graph_title(tmp_path):
    """A user's graph: its title heads the index, results of "this paper" are a section of their own and never a
    reference, a stale claim has its own badge and legend entry."""
    g = _own_paper_graph()
    write_html(g, str(tmp_path), subgraphs=False)
    index = (tmp_path / "index.html").read_text()
    assert "<title>Spurious minima of small sigmoid networks</title>" in index
    assert re.search(r"<h1>Spurious minima of small sigmoid networks</h1>", index)
    headings = re.findall(r'<h2 id="src-[^"]*">([^<]*)</h2>', index)
    assert headings == ["Results of this paper", "Doe 2020"]
    refs = index[index.index('<h2 id="references">'):]
    assert "Doe 2020" in refs and "this paper" not in refs.lower() and "ref-thispaper" not in index
    legend = index[index.index('<h2 id="legend">'):index.index('<h2 id="dependency-graph">')]
    assert re.search(r'<span class="badge" style="background:#c2a5cf;color:#000" title="has a checker[^"]*">stale</span>',
                     legend)
    stale = (tmp_path / "claims" / "T3_i.html").read_text()
    assert ">stale</span>" in stale and ">open</span>" not in stale
    lemma = (tmp_path / "claims" / "L2.html").read_text()
    assert "<b>Source:</b>" not in lemma and '<div class="proof">' in lemma  # its own result: nothing to cite


def test_certificates_are_typeset_not_marked_up(report):
    """Aligned displays are tables without stray alignment marks, hashes are code, signs and ± are spaced as in
    LaTeX (a minus after a bracket is a sign, ± an operator)."""
    _, out = report
    for page in _pages(out):
        text = page.read_text()
        assert not re.search(r"<mi>&(amp;)?</mi>", text), page.name
        assert "<mi>&#x000B1;</mi>" not in text, page.name
        for m in re.finditer(r"SHA-256 (\S+)", re.sub(r"<math.*?</math>", "", text, flags=re.S)):
            assert m.group(1).startswith("<code>"), (page.name, m.group(0))
    narrow = (out / "html" / "claims" / "CE_sigmoid-narrow.html").read_text()
    assert '<mo stretchy="false">&#x00028;</mo><mo form="prefix">&#x02212;</mo><mi>x</mi>' in narrow  # σ(−x/2)
    assert '<mtable columnspacing="0.28em"><mtr><mtd columnalign="right">' in narrow
