"""The PDF report (compiled with pdflatex), the dependency graph (rendered), provenance and ASCII math."""

from __future__ import annotations

import math
import re
import shutil
import subprocess

import pytest

from proofkit.claims import Claim, ClaimGraph
from proofkit.library import seed_graph
from proofkit.printing.graphviz import plain_to_unicode, svg_size, to_dot, to_svg
from proofkit.printing.mathtext import plain_segments, plain_to_latex
from proofkit.printing.provenance import provenances
from proofkit.printing.report import compile_pdf, report_document
from proofkit.printing.sources import number_claims, work_keys


@pytest.fixture(scope="module")
def checked():
    g = seed_graph()
    g.check()
    return g


# -- ASCII math ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, math_part", [
    ("violates n_k >= N - 1 of Theorem 3.8", r"n_k \ge N - 1"),
    ("lambda_0 > 0", r"\lambda_0 > 0"),
    ("det = 1 != 0 modulo 7", r"\det = 1 \ne 0"),
    ("loss gap in [0.25 +/- 1e-20]", r"0.25 \pm 1\cdot 10^{-20}"),
    ("so rank([F_1, 1]) <= 2", r"\operatorname{rank} ([F_1, 1]) \le 2"),
])
def test_ascii_math_becomes_math(text, math_part):
    assert ("math", math_part) in plain_segments(text)


@pytest.mark.parametrize("text", ["Yu & Chen's width condition", "a strict local minimum in the box",
                                  "Examples 1-3", "Assumption 3.2(1): no identical samples"])
def test_prose_stays_text(text):
    assert all(kind == "text" for kind, _ in plain_segments(text))


def test_no_bare_angle_brackets_in_latex_text():
    tex = plain_to_latex("widths 1 < 3, a -> b, x | y")
    assert "<" not in tex.replace("$1 < 3$", "") and "|" not in tex


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
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_report_compiles_cleanly(checked, tmp_path):
    tex = report_document(checked, "Report")
    assert "<" not in re.sub(r"\$[^$]*\$", "", tex).replace(r"\textless{}", "")
    pdf = compile_pdf(tex, str(tmp_path))
    log = (tmp_path / "report.log").read_text(errors="replace")
    overfull = [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert not [x for x in overfull if x > 1.0], overfull
    assert "Missing character" not in log
    lmodern = subprocess.run(["kpsewhich", "lmodern.sty"], capture_output=True, text=True).stdout.strip()
    assert ("T1/lmr" in log) if lmodern else ("T1/cmr" in log)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"], capture_output=True, text=True).stdout
    assert "¡" not in text and "¿" not in text
    for label, num in number_claims(checked).items():
        assert num.heading.split()[-1] in text, label
    assert "References" in text and "Nguyen and M. Hein" in text


# -- the graph -------------------------------------------------------------------------------------------
def _renderers():
    return [r for r in ("dot", "graphviz-pure") if shutil.which(r)]


def test_dot_labels_have_real_line_breaks_and_the_paper(checked):
    dot = to_dot(checked)
    assert "\\\\n" not in dot
    assert '"Theorem 3.8 [NH17]"' in dot or '"Theorem 3.8 [NH17]\\n' in dot
    assert "cluster_legend" in dot and "subgraph cluster_0" in dot
    assert 'URL="html/claims/NH17_thm3.8.html"' in dot


@pytest.mark.parametrize("renderer", _renderers() or [pytest.param(None, marks=pytest.mark.skip("no renderer"))])
def test_graph_fits_a4(checked, renderer):
    svg = to_svg(checked, command=[shutil.which(renderer)])
    w, h = svg_size(svg)
    ratio = (h / w) / math.sqrt(2)
    assert 1 / 1.5 <= ratio <= 1.5, (w, h)
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts and not [t for t in texts if "\\" in t]
    assert any("Theorem 3.8" in t for t in texts)
    # on A4 (with margins) and readable when printed: the 9 pt node font is not scaled below 3.5 pt
    assert w <= 540.5 and h <= 763.5
    m = re.search(r'transform="scale\(([\d.]+)', svg)
    scale = float(m.group(1)) if m else 1.0
    assert 9 * scale >= 3.5, scale


def test_unicode_labels_have_no_backslashes():
    assert plain_to_unicode("lambda_0 > 0, n_k >= N - 1") == "λ₀ > 0, nₖ ≥ N - 1"


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
