"""LaTeX with paper-ready defaults: bmatrix, W^{(k)}_{ij} names, no clutter."""

from __future__ import annotations

from typing import Any

import sympy

__all__ = ["latex", "LATEX_DEFAULTS"]

#: Defaults for :func:`latex`; any sympy ``latex`` setting may be overridden per call.
LATEX_DEFAULTS: dict[str, Any] = {
    "mat_str": "bmatrix",
    "mat_delim": "",
    "mul_symbol": None,
    "fold_short_frac": False,
}


def latex(obj: Any, **settings: Any) -> str:
    """LaTeX for an expression, a matrix or a proofkit object.

    Objects with a ``_latex`` method (lazy matrices, certificates) print
    themselves; everything else goes through ``sympy.latex`` with
    :data:`LATEX_DEFAULTS`.

    Examples
    --------
    >>> latex(sympy.Matrix([[0, sympy.Symbol("x")], [sympy.Symbol("x"), 0]]))
    '\\\\begin{bmatrix}0 & x\\\\\\\\x & 0\\\\end{bmatrix}'
    """
    opts = {**LATEX_DEFAULTS, **settings}
    if hasattr(obj, "to_sympy"):
        obj = obj.to_sympy()
    return sympy.latex(obj, **opts)
