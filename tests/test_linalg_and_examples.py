import random

import pytest
import sympy
from sympy.polys.matrices import DomainMatrix

from proofkit import cli
from proofkit.errors import NotExact, ShapeMismatch
from proofkit.printing import latex
from proofkit.symbolic import (
    exact_det,
    exact_kernel,
    is_nondegenerate_on,
    nonconvexity_example,
    rank_over_q,
)


def test_exact_rank_of_rank_deficient_products():
    rng = random.Random(1)
    for n, r in [(5, 2), (20, 19), (30, 7)]:
        A = sympy.Matrix(n, r, lambda i, j: sympy.Rational(rng.randint(-9, 9), rng.randint(1, 5)))
        B = sympy.Matrix(r, n, lambda i, j: sympy.Rational(rng.randint(-9, 9), rng.randint(1, 5)))
        assert rank_over_q(A * B) <= r
        assert rank_over_q(A * B) == DomainMatrix.from_Matrix(A * B).convert_to(sympy.QQ).rank()
        for v in exact_kernel(A * B):
            assert (A * B) * v == sympy.zeros(n, 1)


def test_exact_det_and_hilbert():
    H = sympy.Matrix(6, 6, lambda i, j: sympy.Rational(1, i + j + 1))
    assert exact_det(H) == H.det()
    assert exact_det([[1, 2], [2, 4]]) == 0


def test_definition_3_7_example():
    Hx = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    Hy = [[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]]
    assert is_nondegenerate_on(Hx, [0, 1]) and not is_nondegenerate_on(Hx, [0, 1, 2, 3])
    assert is_nondegenerate_on(Hy, [0, 1, 2, 3]) and not is_nondegenerate_on(Hy, [2, 3])


def test_exact_linalg_bad_input():
    with pytest.raises(NotExact, match="entry \\(0, 1\\)"):
        rank_over_q([[1, sympy.sqrt(2)]])
    with pytest.raises(ShapeMismatch, match="square"):
        exact_det([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ShapeMismatch, match="ragged"):
        rank_over_q([[1, 2], [3]])


def test_nonconvexity_example():
    ex = nonconvexity_example()
    x = sympy.Symbol("x")
    assert ex.hessian_linear == sympy.Matrix([[0, x], [x, 0]])
    assert set(ex.eigenvalues_linear) == {x, -x}
    assert ex.det_identity_check.verdict == "proved"
    assert ex.certified_indefinite
    assert r"\begin{bmatrix}0 & x\\x & 0\end{bmatrix}" in ex.latex


def test_latex_defaults():
    W = sympy.Symbol("W^{(1)}_{12}")
    assert latex(sympy.Matrix([[W]])) == r"\begin{bmatrix}W^{(1)}_{12}\end{bmatrix}"


def test_cli_demo_and_errors(capsys):
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "indefinite" in out and "proved" in out
    assert cli.main(["demo", "--activation", "nope"]) == 2
    assert "activation" in capsys.readouterr().err
    assert cli.main([]) == 2
    assert cli.main(["--help"]) == 0
    assert cli.main(["no-such-command"]) == 2
