"""The PDF report (compiled with pdflatex), provenance, numbering and the LaTeX of objects (the graph: test_graphviz.py;
marked math: test_mathtext.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from proofkit.claims import Claim, ClaimGraph
from proofkit.library import seed_graph
from proofkit.printing.provenance import provenances
from proofkit.printing.report import compile_pdf
from proofkit.printing.sources import number_claims, sections, work_keys


@pytest.fixture(scope="module")
def checked():
    g = seed_graph()
    g.check()
    return g


# -- provenance ------------------------------------------------------------------------------------
def test_provenance_distinguishes_cited_proved_checked(checked):
    prov = provenances(checked)
    assert prov["NH17:lemma4.2"].name == "cited"
    assert prov["NH17:thm3.8"].name == "proved in the source"
    assert prov["NH17:thm3.8:wide"].name == "machine-checked"
    assert prov["CE:all-minima-global:sigmoid-narrow"].name == "refuted"
    assert prov["NH17:thm3.8:narrow"].name == "hypotheses not met"
    assert "NH17:thm3.8:wide" in prov["NH17:thm3.8"].checked_instances


def test_provenance_not_complete_when_a_dependency_is_open():
    g = ClaimGraph()
    g.add_claim(Claim("A", kind="assumption", statement="$x > 0$"))
    g.add_claim(Claim("T", kind="theorem", statement="$x^2 > 0$", proof_uses=["A"], established="proof"))
    assert provenances(g)["T"].name == "open"
    g2 = ClaimGraph()
    g2.add_claim(Claim("A", kind="assumption", statement="$x > 0$"))
    g2.add_claim(Claim("C", kind="theorem", statement="$x^2 > 0$", uses=["A"], established="cited"))
    p = provenances(g2)["C"]
    assert p.name == "cited" and not p.complete


# -- numbering and sources ---------------------------------------------------------------------------
def test_papers_keep_their_numbers(checked):
    nums = number_claims(checked)
    assert nums["NH17:thm3.8"].heading == "Theorem 3.8"
    assert nums["NH17:lemma4.3"].heading == "Lemma 4.3"
    assert nums["NH17:thm3.8:wide"].heading.startswith("Instance 3.8")
    assert nums["Du19:lambda0"].heading == "Theorem 3.1"
    assert len({n.ref for n in nums.values()}) == len(nums)
    assert nums["KHK19:thm2"].ref == "Theorem 2 of Kawaguchi, Huang & Kaelbling 2019"


def test_work_keys_split_names_and_locations():
    assert work_keys("Du et al. 2019, Theorem 3.1") == [("Du et al. 2019", "Theorem 3.1")]


# -- the PDF -------------------------------------------------------------------------------------------
_TOOLS = [shutil.which(t) for t in ("pdflatex", "bibtex", "pdftotext", "pdfinfo", "pdftoppm")]
needs_tex = pytest.mark.skipif(None in _TOOLS, reason="pdflatex, bibtex or poppler-utils is not installed")


@pytest.fixture(scope="module")
def built(checked, tmp_path_factory):
    """The seed graph's report as the CLI writes it: LaTeX, bibliography, drawings, compiled once."""
    from proofkit.printing.report import build_report

    out = tmp_path_factory.mktemp("report")
    report = build_report(checked, "Report")
    pdf = compile_pdf(report, str(out))
    pages = [subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-f", str(i), "-l", str(i), pdf, "-"],
                            capture_output=True, text=True).stdout for i in range(1, _page_count(pdf) + 1)]
    return report, out, pdf, pages


def _page_count(pdf):
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def _without_math(tex):
    tex = re.sub(r"\\begin\{(align\*|aligned|bmatrix)\}.*?\\end\{\1\}", "", tex, flags=re.S)
    return re.sub(r"\$[^$]*\$", "", tex)


@needs_tex
def test_report_compiles_cleanly(checked, built):
    report, out, pdf, pages = built
    assert "<" not in _without_math(report.tex).replace(r"\textless{}", "")
    log = (out / "report.log").read_text(errors="replace")
    overfull = [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert not [x for x in overfull if x > 1.0], overfull
    assert "Missing character" not in log and "undefined" not in log.lower().replace("undefined references", "")
    lmodern = subprocess.run(["kpsewhich", "lmodern.sty"], capture_output=True, text=True).stdout.strip()
    assert ("T1/lmr" in log) if lmodern else ("T1/cmr" in log)
    text = "\n".join(pages)
    assert "¡" not in text and "¿" not in text
    for label, num in number_claims(checked).items():
        assert num.heading.split()[-1] in text, label


@needs_tex
def test_a_claim_stays_with_its_status(built):
    """No page of the claims begins with a claim's status lines (they stay on the page of its statement), and
    a result's checked instances are listed in the order of their numbers."""
    report, out, pdf, pages = built
    first = next(i for i, p in enumerate(pages) if re.search(r"^1\s+Nguyen & Hein 2017", p, re.M))
    last = next(i for i, p in enumerate(pages) if "The dependency graph by source" in p)
    meta = re.compile(r"^(Status|Uses|Proof uses|Instance of|Refutes|Generalises|Refuted by|Remark|Certificates|"
                      r"Hypotheses not met|Depends on refuted):")
    for i in range(first + 1, last):
        top = next(ln.strip() for ln in pages[i].splitlines() if ln.strip())
        assert not meta.match(top), (i + 1, top)
    flat = " ".join(" ".join(pages).split())
    assert "machine-checked instances: Instance 2.3a, Instance 2.3b, Instance 2.3c, Instance 2.3d." in flat


@needs_tex
def test_bibliography_is_bibtex_with_full_entries(built):
    from proofkit.printing.bibliography import SEED_REFERENCES

    report, out, pdf, pages = built
    blg = (out / "report.blg").read_text()
    assert "Database file #1: references.bib" in blg and "Warning" not in blg and "error" not in blg.lower()
    bib = (out / "references.bib").read_text()
    assert bib == report.bib
    cited = set(re.findall(r"\\cite(?:\[[^\]]*\])?\{([^}]*)\}", report.tex))
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    assert cited == keys, cited ^ keys
    text = "\n".join(pages)
    refs = text[text.rindex("References"):]
    assert len(re.findall(r"^\s*\[\d+\]", refs, re.M)) == len(keys)
    # authors, venues, years and identifiers as checked against the publishers' records
    for expected in ("Quynh Nguyen and Matthias Hein", "Proceedings of Machine Learning Research",
                     "arXiv:1704.08045", "10.1109/72.410380", "Itay Safran and Ohad Shamir", "arXiv:1712.08968",
                     "4433–4441", "Neural Computation", "31(12):2293–2323", "10.1134/S0001434620030189",
                     "Kenji Kawaguchi and Leslie Pack Kaelbling", "853–863", "arXiv:2101.08576"):
        assert expected in " ".join(refs.split()) or expected in "".join(refs.split()), expected
    for name, ref in SEED_REFERENCES.items():  # every seed work names a year and an identifier or a venue
        assert ref.fields.get("year"), name
        assert ref.fields.get("eprint") or ref.fields.get("doi") or name == "Lecture notes", name


def test_claim_texts_come_from_the_library_itself():
    """No reference to files outside the repository, no "as we recall", no contradiction with a checked instance."""
    import proofkit

    root = os.path.dirname(proofkit.__file__)
    for folder in ("library", "printing"):
        for name in os.listdir(os.path.join(root, folder)):
            if name.endswith(".py"):
                src = open(os.path.join(root, folder, name)).read()
                for phrase in ("MATH.md", "DESIGN.md", "as we recall", "not among the seeds"):
                    assert phrase not in src, (name, phrase)
    g = seed_graph()
    for label, claim in g.claims.items():
        text = " ".join(str(getattr(claim, f) or "") for f in ("title", "statement", "note", "source"))
        assert "no instance checker" not in text, label
        if claim.note and any(c.instance_of == label for c in g.claims.values()):
            assert "no instance" not in claim.note, label


@needs_tex
def test_certificates_appendix_is_numbered_like_its_appendix(checked, built):
    report, out, pdf, pages = built
    text = "\n".join(pages)
    letter = re.search(r"^([A-Z])\s+Certificates$", text, re.M).group(1)
    numbers = re.findall(rf"^{letter}\.(\d+)\s", text, re.M)
    n = sum(len(c) for c in checked.certificates.values())
    assert [int(x) for x in numbers] == list(range(1, n + 1))
    assert not re.search(r"\bC\.\d+\b", text.replace(f"{letter}.", "")) or letter == "C"
    linked = re.findall(rf"Certificates:\s+((?:{letter}\.\d+,?\s*)+)", text)
    assert sum(len(re.findall(r"\d+", x)) for x in linked) == n


@needs_tex
def test_certificates_show_what_was_certified(built):
    report, out, pdf, pages = built
    appendix = "\n".join(pages)
    appendix = appendix[appendix.index("Certificates\n"):appendix.rindex("References")]
    flat = " ".join(appendix.split())
    for wrong in ("expressions, 24 characters", "× 0 matrix", "x 0 matrix", "['", "']", "{'", "None", "True",
                  "False", "input assumptions", "format: proofkit", "=?"):
        assert wrong not in flat, wrong
    # formulas, curves, enclosures and exact matrices are typeset, not hashed
    for shown in ("Φ = (−2w1 w2 w3 + 3)2 + (−w1 w2 w3 + 1)2", "θ(t) =", "−14 t3 + O(t4 )", "λ1 ∈",
                  "σ(t) = tanh (t)", "881", "1000"):
        assert shown in flat, shown
    # a hash appears only for an object too large to typeset, or as the certificate's input hash
    for m in re.finditer(r"SHA-256", flat):
        before = flat[max(0, m.start() - 200):m.start()]
        assert "too large" in before[-120:] or "input hash:" in before[-20:] or "not stored" in before[-80:], before
    # the 64-coordinate point of the Safran-Shamir certificate is a matrix, not one coordinate per line
    ss = appendix[appendix.index("Counterexample G2\n"):]
    centre = ss[ss.index("box centre"):ss.index("box radius")]
    assert len([ln for ln in centre.splitlines() if ln.strip()]) < 48, centre  # one per coordinate would be 64
    assert not re.search(r"^\s*w\d+\s*[=≈]", centre, re.M)


@needs_tex
def test_matrices_share_one_kind_of_bracket(built):
    report, out, pdf, pages = built
    assert "pmatrix" not in report.tex and "vmatrix" not in report.tex and "Bmatrix" not in report.tex
    appendix = report.tex[report.tex.index(r"\section{Certificates}"):]
    assert appendix.count(r"\begin{bmatrix}") > 20


def _pdf_text_sizes(pdf, first=None, last=None):
    """``[(page, font family, size, text)]`` of every text run of a PDF as poppler's pdftohtml reports them
    (sizes in thirds of a point, rounded: the finest it gives)."""
    import xml.etree.ElementTree as ET

    pages = [f"-f{first}"] if first else []
    pages += [f"-l{last}"] if last else []
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", "-zoom", "3", *pages, pdf], capture_output=True,
                         text=True, check=True).stdout
    root = ET.fromstring(xml[xml.index("<pdf2xml"):])
    fonts = {f.get("id"): (f.get("family").split("+")[-1], int(f.get("size"))) for f in root.iter("fontspec")}
    return [(int(page.get("number")), *fonts[t.get("font")], "".join(t.itertext()))
            for page in root.iter("page") for t in page.iter("text")]


def _dot_size_of(points, tmp_path):
    """What pdftohtml reports for text that Graphviz ``dot`` sets at ``points`` (font family, size)."""
    dot = f'digraph {{ node [fontname="Helvetica", fontsize={points}, shape=box]; a [label="Theorem 3.8"]; }}'
    pdf = tmp_path / f"calibration-{points}.pdf"
    subprocess.run(["dot", "-Tpdf", "-o", str(pdf)], input=dot, text=True, check=True)
    (_, family, size, _), = _pdf_text_sizes(str(pdf))[:1]
    return family, size


@needs_tex
@pytest.mark.skipif(shutil.which("dot") is None or shutil.which("pdftohtml") is None, reason="needs dot and pdftohtml")
def test_graph_figures_print_at_least_8pt(checked, built, tmp_path):
    """Every page of the report that draws the dependency graph sets its text at 8 pt or more: measured in the
    compiled PDF against text that dot sets at exactly 8 pt (and at 7.8 pt, which must measure smaller)."""
    report, out, pdf, pages = built
    family, at_8 = _dot_size_of(8, tmp_path)
    assert _dot_size_of(7.8, tmp_path)[1] < at_8  # the measure can tell 7.8 pt from 8 pt
    drawn = [(page, size, text) for page, fam, size, text in _pdf_text_sizes(pdf) if fam == family]
    assert len(drawn) > 200, len(drawn)  # the drawings are vector graphics with real text
    small = [(page, size, text) for page, size, text in drawn if size < at_8]
    assert not small, small[:10]
    figure_pages = {page for page, _, _ in drawn}
    assert len(figure_pages) >= 5 and {t for _, _, t in drawn} >= {"Theorem 3.8", "Nguyen & Hein 2017"}


@needs_tex
def test_dependency_graph_is_in_the_pdf(checked, built):
    report, out, pdf, pages = built
    first = next(i for i, p in enumerate(pages) if p.lstrip().startswith("Dependency graph"))
    assert "Figure 1: Overview" in pages[first] and "figures 3–5" in pages[first]  # the overview names its figures
    text = "\n".join(pages)
    captions = re.findall(r"Figure (\d+):", text)
    assert [int(c) for c in captions] == list(range(1, len(captions) + 1)) and len(captions) >= 10
    by_source = "\n".join(pages[first + 1:])
    assert "The dependency graph by source" in by_source
    flat = " ".join(by_source.split())
    for sec in sections(checked):  # every source drawn, its title in a caption
        assert re.search(rf"Figure \d+: {re.escape(sec.title)}[,:]", flat), sec.title
    # the drawings are the files of graph_pages, included at their natural size (no width or scale given)
    names = sorted(report.files)
    assert names and all(re.fullmatch(r"graph-\d\d-[a-z0-9-]+\.pdf", n) for n in names), names
    for name in names:
        assert f"\\includegraphics{{{name}}}" in report.tex
        assert (out / name).exists()
    import proofkit.printing.report as rp

    assert not hasattr(rp, "draw_graph_pages")  # one implementation of the pages: graph_pages


@pytest.mark.skipif(shutil.which("graphviz-pure") is None or None in _TOOLS, reason="graphviz-pure or TeX missing")
def test_graph_drawn_by_the_embedded_renderer(checked, monkeypatch, tmp_path):
    """Without system Graphviz the figures are graph_pages' PNGs from the embedded renderer, each printed at its
    natural size: 300 pixels per inch, as drawn (graph_pages keeps that drawing's text at 8 pt or more)."""
    import proofkit.printing.graphviz as gv
    from proofkit.printing.report import build_report

    monkeypatch.setattr(gv, "renderer", lambda: [shutil.which("graphviz-pure")])
    monkeypatch.setattr("proofkit.printing.report.renderer", gv.renderer)
    report = build_report(checked, "Embedded renderer")
    assert report.files and all(n.endswith(".png") and data[:4] == b"\x89PNG" for n, data in report.files.items())
    pdf = compile_pdf(report, str(tmp_path))
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
    assert "Dependency graph" in text and "missing from the folder" not in text
    assert len(set(re.findall(r"Figure (\d+):", text))) == len(report.files)
    if shutil.which("pdfimages"):
        rows = subprocess.run(["pdfimages", "-list", pdf], capture_output=True, text=True).stdout.splitlines()[2:]
        images = [ln.split() for ln in rows if ln.split()[2] == "image"]
        assert len(images) == len(report.files)
        for row in images:
            x_ppi, y_ppi = int(row[12]), int(row[13])
            assert abs(x_ppi - gv.PNG_DPI) <= 1 and abs(y_ppi - gv.PNG_DPI) <= 1, row  # natural size


def test_network_latex_align_breaks_across_pages(tmp_path):
    """A first-layer Hessian block (21 entries) in a plain amsmath document: every entry is on a page."""
    from proofkit import Network, latex

    if None in _TOOLS:
        pytest.skip("pdflatex or poppler-utils is not installed")
    obj = Network([2, 3, 1], activation="sigmoid", bias=False).loss([[0, 1], [1, 0], [1, 1]], [0, 1, 1])
    tex = latex(obj.block_hessian(layers=[1]), notation="network", layout="align")
    assert tex.count(r"\partial^2\Phi") == 21
    doc = "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n" + tex + "\n\\end{document}\n"
    pdf = compile_pdf(doc, str(tmp_path), "block")
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
    assert text.count("∂2Φ") == 21
    assert _page_count(pdf) >= 2
    assert "where" in text


def test_points_are_matrices_of_the_network_parameters():
    from proofkit.printing.certificates import _point_item

    names = [f"w{i}_{t}" for i in range(8) for t in range(8)]
    item = _point_item("box centre", names, [f"{i}/7" for i in range(64)])
    assert item.kind == "display" and len(item.lines) <= 2
    assert all(r"\begin{bmatrix}" in ln and ln.startswith("W") for ln in item.lines)
    names = ["W^{(1)}_{11}", "W^{(1)}_{12}", "W^{(1)}_{21}", "W^{(1)}_{22}", "b^{(1)}_{1}", "b^{(1)}_{2}", "a_e"]
    lines = _point_item("point", names, ["1", "2", "3", "4", "5", "6", "1/3"]).lines
    assert lines[0] == r"W^{(1)} &= \begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"
    assert lines[1] == r"b^{(1)} &= \begin{bmatrix} 5 & 6 \end{bmatrix}"
    assert lines[2] == r"&a_{e} = \tfrac{1}{3}"


def test_certificates_of_every_family_typeset(tmp_path):
    """Certificates the seed graph does not hold (determinants, eigenvalues, classifications, refutations, float
    input) are typeset too, rounded values marked as such, and compile."""
    import sympy

    from proofkit import (
        certify_full_rank,
        certify_nonsingular,
        certify_positive_definite,
        certify_rank_deficient,
        classify_critical_point,
        enclose_det,
        enclose_eigenvalues,
    )
    from proofkit.printing.claims_latex import certificate_latex
    from proofkit.printing.report import PREAMBLE

    x, y = sympy.symbols("x y")
    certs = [certify_nonsingular([[1, 2], [3, 4]]), certify_full_rank([[1, 2, 3], [4, 5, 6]]),
             enclose_det([[0.1, 2], [3, 4]]), enclose_eigenvalues([[2, 1], [1, 2]]),
             classify_critical_point((x**2 - 1)**2 + y**2, [x, y], [0, 0]), certify_rank_deficient([[1, 0], [0, 1]]),
             certify_positive_definite([[2.5, 0.1], [0.1, 1.0]])]
    body = "\n".join(certificate_latex(c, f"Certificate {i}") for i, c in enumerate(certs, 1))
    assert r"A &\approx \begin{bmatrix} 0.1 & 2" in body  # 0.1 is a float64: its value is shown rounded
    assert r"\lambda_{1} &= 1" in body and r"\det A = " in body and "strict saddle" in body
    if None in _TOOLS:
        pytest.skip("pdflatex or poppler-utils is not installed")
    pdf = compile_pdf(PREAMBLE + "\\begin{document}\n" + body + "\n\\end{document}\n", str(tmp_path), "certs")
    text = " ".join(subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout.split())
    assert "claim: the 2 × 2 matrix A has rank below full verdict: refuted" in text
    assert not re.search(r"\[['\"]|\{'|None|True|False", text)


def test_descriptions_have_no_program_syntax(checked):
    from proofkit.printing.certificates import describe, marked_segments, segments_of

    for label, certs in checked.certificates.items():
        for cert in certs:
            for item in describe(cert):
                assert "_" not in item.caption and "$" not in item.caption, (label, item.caption)
                if item.kind == "text":
                    text = "".join(s for k, s in marked_segments(item.value) if k == "text")
                    assert not re.search(r"\[['\"]|\{'|\bNone\b|\bTrue\b|\bFalse\b", text), (label, item)
                    if item.caption not in ("method", "margin", "reason", "identities proved by"):  # data as written
                        assert not re.search(r"\w_\w", text), (label, item)
                assert segments_of(item) or item.lines


# -- LaTeX of expressions and objects ------------------------------------------------------------------
def _compile(body, tmp_path):
    from proofkit.printing.report import PREAMBLE

    compile_pdf(PREAMBLE + "\\begin{document}\n" + body + "\n\\end{document}\n", str(tmp_path), "snippet")
    log = (tmp_path / "snippet.log").read_text(errors="replace")
    return [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


def test_network_notation_hessian_block_is_short_and_compiles(tmp_path):
    from proofkit import Network, latex

    obj = Network([2, 3, 1], activation="sigmoid").loss([[0, 1], [1, 0], [1, 1]], [0, 1, 1])  # README example
    block = latex(obj.block_hessian(layers=[2]), notation="network")
    assert len(block) < 2000 and "f^{(1)}_{11}" in block
    assert len(latex(obj.block_hessian(layers=[2]))) > len(block)
    deep = latex(obj.hessian(obj.network.layer_params(1)[:2]), notation="network")
    assert r"\sigma''" in deep and "r_{2}" in deep and "g^{(1)}_{21}" in deep
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    full = latex(obj.hessian(), notation="network", layout="align")  # the whole 13x13 Hessian, page-breakable
    assert full.startswith("\\begin{align*}") and len(full) < len(latex(obj.hessian())) / 4
    overfull = _compile(f"\\[{block}\\]\n\\[{deep}\\]\n{full}", tmp_path)
    assert not [x for x in overfull if x > 1.0], overfull


def test_latex_of_certificate_claim_and_graph_compile(checked, tmp_path):
    from proofkit import latex

    cert = checked.certificates["CE:sigmoid-narrow"][0]
    claim = checked.claims["NH17:thm3.8"]
    body = latex(cert) + "\n\n" + latex(claim)
    assert "\\mathtt" not in body and "Certificate(" not in body and "Claim(" not in body
    assert latex(checked).startswith("\\documentclass")
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    overfull = _compile(body, tmp_path)
    assert not [x for x in overfull if x > 1.0], overfull


def test_unknown_notation_is_a_named_error():
    from proofkit import latex
    from proofkit.errors import InvalidInput

    with pytest.raises(InvalidInput, match="notation"):
        latex(1, notation="papers")


@pytest.mark.parametrize("widths, act, out_act, bias", [([2, 3, 1], "sigmoid", "identity", True),
                                                        ([1, 2, 2], "tanh", "tanh", False)])
def test_network_notation_equals_the_exact_hessian(widths, act, out_act, bias):
    """Substituting the definitions of g, f, r and sigma back gives the exact Hessian (checked at a point)."""
    import sympy

    from proofkit import Network
    from proofkit.printing.network_notation import _act, network_entries
    from proofkit.symbolic.activations import T

    net = Network(widths, activation=act, output_activation=out_act, bias=bias)
    N = 3
    X = [[sympy.Rational(i + j, 3) - 1 for j in range(widths[0])] for i in range(N)]
    Y = [[sympy.Rational(i * (j + 1), 4) for j in range(widths[-1])] for i in range(N)]
    obj = net.loss(X, Y)
    idx = list(range(len(obj.params)))
    M, used = network_entries(obj, idx, idx)
    assert {"g", "r"} <= set(used)
    L = net.depth
    back = {}
    for k in range(1, L + 1):
        Gk, Fk = obj.G(k), obj.F(k)
        for i in range(N):
            for j in range(widths[k]):
                back[sympy.Symbol(f"g^{{({k})}}_{{{i + 1}{j + 1}}}")] = Gk[i, j]
                back[sympy.Symbol(f"f^{{({k})}}_{{{i + 1}{j + 1}}}")] = Fk[i, j]
                if k == L:
                    r = f"r_{{{i + 1}{j + 1}}}" if widths[-1] > 1 else f"r_{{{i + 1}}}"
                    back[sympy.Symbol(r)] = Fk[i, j] - Y[i][j]
    sigma = net.activations[0]
    expanded = M
    for order in range(4):
        cls = _act(r"\sigma", order)
        expanded = expanded.replace(lambda e, cls=cls: isinstance(e, cls),
                                    lambda e, order=order: sigma.derivative(order).xreplace({T: e.args[0]}))
    expanded = expanded.xreplace(back)
    H = obj.hessian().to_sympy()
    point = {p: sympy.Rational((3 * n) % 7 - 3, 5) for n, p in enumerate(obj.params)}
    diff = (expanded - H).xreplace(point)
    worst = max(abs(sympy.N(e, 30)) for e in diff)
    assert worst < sympy.Float("1e-20"), worst
    # and the check can fail: dropping the sigma'' terms changes the result
    wrong = M.replace(lambda e: isinstance(e, _act(r"\sigma", 2)), lambda e: 0)
    if wrong != M:
        for order in range(4):
            cls = _act(r"\sigma", order)
            wrong = wrong.replace(lambda e, cls=cls: isinstance(e, cls),
                                  lambda e, order=order: sigma.derivative(order).xreplace({T: e.args[0]}))
        assert max(abs(sympy.N(e, 30)) for e in (wrong.xreplace(back) - H).xreplace(point)) > 1e-6


# -- a user's graph: its own results, proofs, stale claims --------------------------------------------
def _own_paper_graph():
    """A paper's claim graph: two results of the paper itself ("this paper"), one cited assumption, and an
    instance whose checker's certificates are missing (stale)."""
    g = ClaimGraph(title="Spurious minima of small sigmoid networks")
    g.add_claim(Claim("A", kind="assumption", title="Assumption 1", source="Doe 2020, Assumption 1",
                      statement="$x > 0$", established="cited"))
    g.add_claim(Claim("L2", kind="lemma", source="this paper, Lemma 2", statement="Then $x^2 > 0$.", uses=["A"],
                      established="proof", proof=r"Multiply $x > 0$ by $x$: a product of positive numbers is positive."))
    g.add_claim(Claim("T3", kind="theorem", title="Theorem 3 (the main result)", source="This paper",
                      statement="Then $x^3 > 0$.", uses=["L2"], established="proof"))
    g.add_claim(Claim("T3:i", kind="instance", instance_of="T3", statement="$2^3 > 0$", established="checked"))
    return g


def test_own_results_are_a_section_never_a_citation():
    from proofkit.printing.report import build_report

    g = _own_paper_graph()
    secs = sections(g)
    assert [(s.title, s.labels) for s in secs] == [("Results of this paper", ["L2", "T3", "T3:i"]),
                                                  ("Doe 2020", ["A"])]
    nums = number_claims(g)
    assert (nums["L2"].heading, nums["L2"].works) == ("Lemma 2", [])  # numbered as the paper numbers it, not cited
    assert (nums["T3"].heading, nums["T3"].rest, nums["T3"].works) == ("Theorem 3", "the main result", [])
    rep = build_report(g, draw_graph=False)
    assert r"\title{Spurious minima of small sigmoid networks}" in rep.tex  # the graph's title
    assert r"\section{Results of this paper}" in rep.tex and "thispaper" not in rep.tex + rep.bib
    assert set(re.findall(r"@\w+\{([^,]+),", rep.bib)) == {"doe2020"}
    assert set(re.findall(r"\\cite(?:\[[^\]]*\])?\{([^}]*)\}", rep.tex)) == {"doe2020"}
    assert "3.8" not in rep.tex and "Instance 3a is an instance of Theorem 3" in rep.tex  # no library text


def test_every_status_has_its_own_provenance():
    from proofkit.claims.structure import STATUSES
    from proofkit.printing.provenance import _FROM_STATUS, PROVENANCE

    assert set(STATUSES) - {"fully established", "established"} == set(_FROM_STATUS)
    assert _FROM_STATUS["stale"] == "stale" and PROVENANCE["stale"].colour not in \
        {k.colour for k in PROVENANCE.values() if k.key != "stale"}
    g = _own_paper_graph()
    assert g.status("T3:i") == "stale" and provenances(g)["T3:i"].name == "stale"


@needs_tex
def test_proofs_and_stale_claims_in_the_pdf(tmp_path):
    from proofkit.printing.report import build_report

    g = _own_paper_graph()
    pdf = compile_pdf(build_report(g), str(tmp_path))
    text = " ".join(subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout.split())
    lemma = text[text.index("Lemma 2. Then"):text.index("Theorem 3 (the main result). Then")]
    statement, proof, status = (lemma.index("Then x2 > 0."), lemma.index("Proof. Multiply x > 0 by x: a product"),
                                lemma.index("Status: proved in the source"))
    assert statement < proof < status  # statement, proof, then where the status comes from
    assert "Proof." not in text[text.index("Theorem 3 (the main result). Then"):]  # only claims with a proof
    assert "stale has a checker, but its certificates are missing" in text  # in the legend
    assert re.search(r"Instance 3a\. 23 > 0 Status: stale ?\.", text)
    assert "Results of this paper" in text and "?" not in text.replace("?)", "")  # no unresolved reference
    refs = text[text.rindex("References"):]
    assert "Doe 2020" in refs and "this paper" not in refs.lower()


@needs_tex
def test_hashes_are_monospace(built):
    report, out, pdf, pages = built
    assert r"SHA-256 \texttt{" in report.tex
    assert not re.search(r"SHA-256 [0-9a-f]{8}", report.tex)


def test_texts_speak_of_the_project_only():
    """No file of the package (but the kernel's, which is being rewritten), the docs, the notebooks, the README
    or the examples refers to files outside the repository or to how the project is developed."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    files = [p for p in (root / "proofkit").rglob("*") if p.suffix in (".py", ".html", ".css", ".js")
             and "kernel" not in p.relative_to(root / "proofkit").parts[:1]]
    for folder, suffixes in (("docs", (".md", ".rst", ".py")), ("notebooks", (".ipynb",)), ("examples", (".py",))):
        files += [p for p in (root / folder).rglob("*") if p.suffix in suffixes and "_build" not in p.parts]
    files.append(root / "README.md")
    pattern = re.compile(r"MATH\.md|DESIGN\.md|\bissues? #?\d|\bseeds? 0\d\d|\bsessions?\b|\bthe brief\b|"
                         r"\bcoordinator\b|\bagents?\b|\bworktree", re.I)
    found = []
    for path in files:
        if path.exists():
            for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                m = pattern.search(line.replace("numpy issue #20895", "").replace("Unix session", ""))
                if m:
                    found.append(f"{path.relative_to(root)}:{n}: {m.group(0)}")
    assert not found, found
