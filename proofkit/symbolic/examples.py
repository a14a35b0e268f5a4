"""The non-convexity example of the lecture notes (Section 1).

For ``f = w2 * w1 * x`` (a one-hidden-layer linear net with scalar weights)
the Hessian in ``(w1, w2)`` is ``[[0, x], [x, 0]]`` at every point, with
eigenvalues ``x`` and ``-x``: indefinite for every ``x != 0``, so f is not
convex in its weights. With a sigmoid hidden unit, ``f = w2 * sigma(w1 x)``
has Hessian determinant ``-x^2 sigma'(w1 x)^2 < 0``; at a concrete point the
negative eigenvalue is certified with Arb.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

from proofkit.convert import rational
from proofkit.errors import InvalidInput
from proofkit.numeric.contexts import ArbContext, arb_precision
from proofkit.numeric.program import compile_program
from proofkit.printing.latex import latex
from proofkit.symbolic.identities import check_identity

__all__ = ["NonConvexityExample", "nonconvexity_example"]


@dataclass
class NonConvexityExample:
    """The statement, matrices, eigenvalues and LaTeX of the non-convexity example."""

    statement: str
    f_linear: sympy.Expr
    hessian_linear: sympy.Matrix
    eigenvalues_linear: dict[sympy.Expr, int]
    f_sigmoid: sympy.Expr
    hessian_sigmoid: sympy.Matrix
    det_sigmoid: sympy.Expr
    det_identity_check: Any
    point: dict[sympy.Symbol, sympy.Rational]
    hessian_at_point: sympy.Matrix
    negative_eigenvalue_enclosure: str
    positive_eigenvalue_enclosure: str
    certified_indefinite: bool
    latex: str

    def _repr_latex_(self) -> str:
        return f"${self.latex}$"


def nonconvexity_example(point: dict[str, Any] | None = None, prec: int = 128) -> NonConvexityExample:
    """Build the non-convexity example, with a certified negative eigenvalue for a sigmoid unit.

    Parameters
    ----------
    point : dict, optional
        Values of ``w1``, ``w2``, ``x`` for the sigmoid case (default 1/2, 1, 1).
    prec : int
        Arb precision in bits.

    Examples
    --------
    >>> ex = nonconvexity_example()
    >>> ex.hessian_linear
    Matrix([
    [0, x],
    [x, 0]])
    >>> ex.certified_indefinite
    True
    """
    w1, w2, x = sympy.symbols("w_1 w_2 x")
    f = w2 * w1 * x
    H = sympy.hessian(f, (w1, w2))
    eig = H.eigenvals()
    sig = 1 / (1 + sympy.exp(-w1 * x))
    fs = w2 * sig
    Hs = sympy.hessian(fs, (w1, w2))
    dsig = sig * (1 - sig)
    det_claim = check_identity(Hs.det(), -x**2 * dsig**2)
    vals = {w1: sympy.Rational(1, 2), w2: sympy.Integer(1), x: sympy.Integer(1)}
    if point is not None:
        if not isinstance(point, dict):
            raise InvalidInput("point", "a dict of values for w_1, w_2, x", type(point).__name__)
        by_name = {s.name: s for s in vals}
        for k, v in point.items():
            name = k.name if isinstance(k, sympy.Symbol) else str(k)
            if name not in by_name:
                raise InvalidInput("point", "values for w_1, w_2, x only", f"unknown name {name!r}")
            vals[by_name[name]] = rational(v, "point", name)
    at = Hs.subs(vals)
    a, b, _, c = compile_program(list(Hs), [w1, w2, x]).run(ArbContext(prec), [vals[w1], vals[w2], vals[x]])
    # eigenvalues of [[a, b], [b, c]]: (a + c)/2 -+ sqrt(((a - c)/2)^2 + b^2)
    with arb_precision(prec):
        mid = (a + c) / 2
        rad = (((a - c) / 2) ** 2 + b**2).sqrt()
        lam_minus, lam_plus = mid - rad, mid + rad
    certified = bool(lam_minus < 0 and lam_plus > 0)
    statement = ("For f(w_1, w_2) = w_2 w_1 x the Hessian in (w_1, w_2) is [[0, x], [x, 0]] with "
                 "eigenvalues x and -x, so f is not convex in its weights for any x != 0; for a sigmoid "
                 "unit f = w_2 sigma(w_1 x) the Hessian has determinant -x^2 sigma'(w_1 x)^2 < 0.")
    tex = (r"\nabla^2_{(w_1,w_2)}\, w_2 w_1 x = " + latex(H)
           + r",\quad \operatorname{spec} = \{x, -x\}")
    return NonConvexityExample(statement, f, H, eig, fs, Hs, sympy.simplify(Hs.det()), det_claim, vals, at,
                               lam_minus.str(20, radius=True), lam_plus.str(20, radius=True), certified, tex)

