"""The HTML blueprint: MathML without errors, working links, and pages loaded in a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from urllib.parse import unquote, urlparse

import pytest

from proofkit.cli import write_report
from proofkit.library import seed_graph

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
        for href in re.findall(r'(?:href|xlink:href)="([^"]+)"', page.read_text()):
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
