"""Generic block formulas with symbolic indices: instantiated at concrete indices they are proved equal
to the Objective's exact Hessian (and gradient) entries; a formula with a term dropped is not."""

from __future__ import annotations

import dataclasses
import re
import shutil

import pytest
import sympy

from proofkit import Network, check_identity, latex
from proofkit.errors import InvalidInput
from proofkit.printing.block_formulas import block_formula, generic_latex, gradient_formula
from proofkit.printing.network_notation import _act
from proofkit.symbolic.losses import A, Loss

README = dict(widths=[2, 3, 1], act="sigmoid", out="identity", loss="squared", bias=True)


def _objective(widths, act, out, loss, bias, N=2):
    net = Network(widths, activation=act, output_activation=out, bias=bias)
    X = [[sympy.Rational(i + j + 1, 3) - 1 for j in range(widths[0])] for i in range(N)]
    Y = [[sympy.Rational(i * (j + 1) + 1, 4) for j in range(widths[-1])] for i in range(N)]
    return net.loss(X, Y, loss)


def _readme():
    return Network([2, 3, 1], activation="sigmoid").loss([[0, 1], [1, 0], [1, 1]], [0, 1, 1])


def _index_choices(widths, a, b):
    """Index values (p, q, p', q'): all first, all last, and a mixed choice (equal and unequal indices)."""
    lo = [1, 1, 1, 1]
    hi = [widths[a - 1], widths[a], widths[b - 1], widths[b]]
    mixed = [widths[a - 1], 1, 1, widths[b]]
    return [list(v) for v in dict.fromkeys(map(tuple, (lo, hi, mixed)))]


QUARTIC = Loss("quartic", "residual", A**4 / 4 + A**2)

CASES = [
    (dict(README), None),
    (dict(widths=[1, 2, 2], act="tanh", out="tanh", loss="squared", bias=False), None),
    (dict(widths=[2, 2, 2, 1], act="tanh", out="identity", loss="squared", bias=True), None),
    (dict(widths=[1, 2, 1, 1], act="tanh", out="tanh", loss="squared", bias=False), None),
    (dict(widths=[2, 2, 1], act="identity", out="sigmoid", loss="squared", bias=False), None),
    (dict(widths=[1, 2, 2], act="tanh", out="tanh", loss=QUARTIC, bias=False), False),  # l', l'' as functions
    (dict(widths=[1, 2, 1], act="identity", out="identity", loss="cauchy", bias=False), None),
]


@pytest.mark.parametrize("case, expand_loss", CASES,
                         ids=[f"{c['widths']}-{c['act']}-{c['out']}-{getattr(c['loss'], 'name', c['loss'])}"
                              for c, _ in CASES])
def test_block_formulas_equal_the_exact_hessian(case, expand_loss):
    obj = _objective(**case)
    L = obj.network.depth
    for a in range(1, L + 1):
        for b in range(a, L + 1):
            f = block_formula(obj, a, b, expand_loss=expand_loss)
            if expand_loss is False or case["loss"] == "cauchy":
                assert "l''" in f.latex() or "l'" in f.latex()
            for vals in _index_choices(case["widths"], a, b):
                res = check_identity(f.instantiate(vals), f.exact_entry(vals), obj.params)
                assert res.verdict == "proved", (a, b, vals, res)
        g = gradient_formula(obj, a, expand_loss=expand_loss)
        vals = [case["widths"][a - 1], case["widths"][a]]
        assert check_identity(g.instantiate(vals), g.exact_entry(vals), obj.params).verdict == "proved"


def test_sigmoid_inside_sigmoid_agrees_but_is_beyond_the_symbolic_prover():
    """With sigma at two layers of sigmoids, check_identity finds numerical agreement only (it cannot
    cancel the nested exponentials); the formula is never refuted."""
    obj = _objective(widths=[2, 2, 1], act="sigmoid", out="sigmoid", loss="squared", bias=False)
    for a, b in ((1, 1), (1, 2), (2, 2)):
        f = block_formula(obj, a, b)
        vals = _index_choices([2, 2, 1], a, b)[-1]
        res = check_identity(f.instantiate(vals), f.exact_entry(vals), obj.params)
        assert res.verdict in ("proved", "inconclusive") and res.witness is None, res


def _drop(formula, predicate):
    """The formula with every sub-expression matching ``predicate`` replaced by 0 (a term dropped)."""
    rhs = formula.rhs.replace(predicate, lambda e: sympy.Integer(0))
    assert rhs != formula.rhs
    return dataclasses.replace(formula, rhs=rhs)


def test_a_formula_with_a_term_dropped_is_not_proved():
    obj = _objective(**README)
    vals = [1, 2, 1, 2]
    f = block_formula(obj, 1, 1)
    wrong = _drop(f, lambda e: isinstance(e, _act(r"\sigma", 2)))  # the sigma'' term
    assert check_identity(wrong.instantiate(vals), wrong.exact_entry(vals), obj.params).verdict != "proved"
    vals = [1, 2, 2, 1]
    f = block_formula(obj, 1, 2)
    wrong = _drop(f, lambda e: isinstance(e, sympy.KroneckerDelta))  # the term through sigma'(g) delta
    assert check_identity(f.instantiate(vals), f.exact_entry(vals), obj.params).verdict == "proved"
    assert check_identity(wrong.instantiate(vals), wrong.exact_entry(vals), obj.params).verdict != "proved"


def test_readme_blocks_read_like_the_papers():
    obj = _readme()
    b22 = block_formula(obj, 2, 2).latex()
    b12 = block_formula(obj, 1, 2).latex()
    b11 = block_formula(obj, 1, 1).latex()
    assert r"W^{(2)}_{jk}\,\partial W^{(2)}_{j'k'}} &= 2 \delta_{k k'} \sum_{i} f_{ij} f_{ij'}" in b22
    assert r"\delta_{j j'} r_{ik} + W^{(2)}_{jk} f_{ij'}" in b12
    assert r"\sigma'\left(g_{ij}\right) x_{ip}" in b12
    assert r"\sigma''\left(g_{ij}\right)" in b11 and r"\sum_{k} W^{(2)}_{jk} W^{(2)}_{j'k}" in b11
    for tex in (b22, b12, b11):
        assert len(tex) < 600, len(tex)
    assert gradient_formula(obj, 2).lines() == [r"\frac{\partial\Phi}{\partial W^{(2)}_{jk}} &= 2 \sum_{i} f_{ij} r_{ik}"]


def test_latex_generic_form_of_a_block_hessian_compiles(tmp_path):
    obj = _readme()
    tex = latex(obj.block_hessian(layers=[1, 2]), notation="network", form="generic")
    assert tex == generic_latex(obj.block_hessian(layers=[1, 2]))
    assert tex.count(r"\frac{\partial^2\Phi}") == 3 and r"\text{where }" in tex
    grad = latex(obj.gradient(), notation="network", form="generic")
    assert grad.count(r"\frac{\partial\Phi}") == 2
    deep = latex(_objective(**CASES[2][0]).block_hessian(layers=[1, 3]), notation="network", form="generic")
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    from proofkit.printing.report import PREAMBLE, compile_pdf

    body = f"\\[{tex}\\]\n\\[{grad}\\]\n\\[{deep}\\]\n"
    compile_pdf(PREAMBLE + "\\begin{document}\n" + body + "\\end{document}\n", str(tmp_path), "blocks")
    log = (tmp_path / "blocks.log").read_text(errors="replace")
    overfull = [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert not [x for x in overfull if x > 1.0], overfull


def test_bad_arguments_are_named_errors():
    obj = _readme()
    with pytest.raises(InvalidInput, match="layer_b"):
        block_formula(obj, 1, 3)
    with pytest.raises(InvalidInput, match="values"):
        block_formula(obj, 1, 2).instantiate([1, 4, 1, 1])
    with pytest.raises(InvalidInput, match="objective"):
        block_formula(Network([1, 2]).loss([[0]], [[1, 0]], "cross_entropy"), 1, 1)
    with pytest.raises(InvalidInput, match="form"):
        latex(obj.gradient(), form="generic")
    with pytest.raises(InvalidInput, match="form"):
        latex(obj.gradient(), notation="network", form="papers")
