"""Gradients and Hessian blocks of an :class:`~proofkit.symbolic.Objective` in the papers' notation.

The objective is rebuilt with the activation as an abstract function ``σ`` (so that
derivatives print as ``σ'``, ``σ''``), differentiated, and then the pre-activations,
layer outputs and residuals are named: ``g^{(k)}_{ij}`` (entries of ``G_k``),
``f^{(k)}_{ij}`` (entries of ``F_k``) and ``r_{ij} = (F_L)_{ij} - Y_{ij}``. Entries are
then short, and :func:`network_latex` lays a block out one entry per line with line
breaks so that it fits a page.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import sympy
from sympy.core.function import Function

from proofkit.errors import InvalidInput
from proofkit.printing.certificates import MAX_LINE, break_sum

__all__ = ["network_entries", "network_latex", "definitions_latex"]


@cache
def _act(name: str, order: int) -> type:
    """The ``order``-th derivative of the abstract activation ``name`` as a sympy function class."""

    def fdiff(self: Any, argindex: int = 1) -> Any:
        return _act(name, order + 1)(self.args[0])

    def _latex(self: Any, printer: Any, exp: Any = None) -> str:
        primes = "'" * order if order <= 3 else f"^{{({order})}}"
        body = rf"{name}{primes}\left({printer._print(self.args[0])}\right)"
        return body if exp is None else rf"{body}^{{{exp}}}"

    return type(f"act_{re.sub(r'[^A-Za-z0-9]', '_', name)}_{order}", (Function,),
                {"nargs": 1, "fdiff": fdiff, "_latex": _latex, "_proofkit_latex": _latex})


def _se_to_sympy(e: Any) -> sympy.Expr:
    return sympy.sympify(e._sympy_()) if hasattr(e, "_sympy_") else sympy.sympify(e)


def _names(net: Any) -> dict[int, str | None]:
    """The name of each layer's activation: None for the identity, σ when all others share one, else σ_k."""
    shared = len({a.name for a in net.activations if not a.is_identity}) == 1
    return {k: None if act.is_identity else r"\sigma" if shared else rf"\sigma_{{{k}}}"
            for k, act in enumerate(net.activations, start=1)}


def network_entries(obj: Any, rows: list[int], cols: list[int] | None = None) -> tuple[sympy.Matrix, list[str]]:
    """Hessian entries (``cols`` given) or gradient entries (``cols`` None) of ``obj`` on parameter indices
    ``rows`` x ``cols``, in network notation; and the names used (``g``, ``f``, ``r``)."""
    net = obj.network
    L = net.depth
    names = _names(net)
    params = obj.params
    X = [[sympy.sympify(v) for v in row] for row in obj.X]
    Y = [[sympy.sympify(v) for v in row] for row in obj.Y]
    N = len(X)
    F: dict[int, list[list[Any]]] = {0: X}
    G: dict[int, list[list[Any]]] = {}
    for k in range(1, L + 1):
        W, b = net.weights[k], net.biases[k] if net.bias else None
        G[k] = [[sympy.Add(*[F[k - 1][i][a] * W[a, j] for a in range(net.widths[k - 1])],
                           *([b[j]] if b is not None else [])) for j in range(net.widths[k])] for i in range(N)]
        act = _act(names[k], 0) if names[k] else None
        F[k] = [[act(g) if act else g for g in row] for row in G[k]]
    qs = [sympy.Symbol(f"_q{j}") for j in range(net.widths[-1])]
    import symengine as se

    se_qs = [se.Symbol(q.name) for q in qs]
    phi = sympy.Integer(0)
    for i in range(N):
        terms = obj.loss_function.sample_terms(se_qs, obj.Y[i])
        phi += sympy.Add(*[_se_to_sympy(t) for t in terms]).xreplace(dict(zip(qs, F[L][i])))
    first = {p: phi.diff(params[p]) for p in set(rows) | set(cols or [])}
    if cols is None:
        M = sympy.Matrix([[first[r]] for r in rows])
    else:
        M = sympy.Matrix(len(rows), len(cols), lambda a, c: first[rows[a]].diff(params[cols[c]]))
    used: list[str] = []
    # name the pieces, innermost layer first
    sub_g: dict[int, dict[Any, Any]] = {}
    for k in range(1, L + 1):
        sub_g[k] = {}
        for i in range(N):
            for j in range(net.widths[k]):
                gsym = sympy.Symbol(f"g^{{({k})}}_{{{i + 1}{j + 1}}}")
                fsym = sympy.Symbol(f"f^{{({k})}}_{{{i + 1}{j + 1}}}")
                if k == L:  # residuals of the output layer
                    out = F[k][i][j]
                    rsym = sympy.Symbol(f"r_{{{i + 1}{j + 1}}}" if net.widths[k] > 1 else f"r_{{{i + 1}}}")
                    M = M.xreplace({out - Y[i][j]: rsym, -out + Y[i][j]: -rsym})
                M = M.xreplace({G[k][i][j]: gsym})
                if names[k]:
                    M = M.xreplace({_act(names[k], 0)(gsym): fsym})
                else:
                    M = M.xreplace({gsym: fsym}) if k < L else M
                # later layers were built from F_k: rebuild them from the new names
                for kk in range(k + 1, L + 1):
                    G[kk] = [[e.xreplace({G[k][i][j]: gsym}).xreplace(
                        {_act(names[k], 0)(gsym): fsym} if names[k] else {gsym: fsym} if k < L else {})
                        for e in row] for row in G[kk]]
                    F[kk] = [[_act(names[kk], 0)(g) if names[kk] else g for g in row] for row in G[kk]]
    text = sympy.latex(M)
    for sym, what in (("g^", "g"), ("f^", "f"), ("r_", "r")):
        if sym in text:
            used.append(what)
    return M, used


def definitions_latex(obj: Any, used: list[str]) -> str:
    """The legend of the names: ``g``, ``f``, ``r`` in terms of ``G_k``, ``F_k`` and the residual."""
    net = obj.network
    parts = []
    if "g" in used:
        parts.append(r"g^{(k)}_{ij} = (G_k)_{ij},\ G_k = F_{k-1}W_k" + (r" + 1_N b_k^T" if net.bias else ""))
    if "f" in used:
        parts.append(r"f^{(k)}_{ij} = (F_k)_{ij} = \sigma\bigl(g^{(k)}_{ij}\bigr),\ F_0 = X")
    if "r" in used:
        parts.append(r"r_{i} = (F_L)_{i1} - Y_{i1}" if net.widths[-1] == 1 else r"r_{ij} = (F_L)_{ij} - Y_{ij}")
    return r",\quad ".join(parts)


def network_latex(matrix: Any, *, max_line: float = MAX_LINE, layout: str = "aligned") -> str:
    """LaTeX of a gradient or (block) Hessian of an Objective in network notation, one entry per line.

    ``matrix`` is a :class:`~proofkit.symbolic.LazyMatrix` returned by ``Objective.gradient()``,
    ``hessian()`` or ``block_hessian()`` (it records where it came from). Symmetric matrices print
    their upper triangle. With ``layout="aligned"`` the result is an ``aligned`` environment (for use
    inside display math); with ``layout="align"`` an ``align*`` environment, which may break across
    pages (for a whole Hessian).

    Examples
    --------
    >>> from proofkit.symbolic import Network
    >>> obj = Network([1, 1, 1], activation="tanh", bias=False).loss([[1]], [[0]])
    >>> print(network_latex(obj.block_hessian(layers=[2])))
    \\begin{aligned}
    \\frac{\\partial^2\\Phi}{\\partial W^{(2)}_{11}\\,\\partial W^{(2)}_{11}} &= 2 \\left(f^{(1)}_{11}\\right)^{2} \\\\
    &\\text{where } f^{(k)}_{ij} = (F_k)_{ij} = \\sigma\\bigl(g^{(k)}_{ij}\\bigr),\\ F_0 = X
    \\end{aligned}
    """
    origin = getattr(matrix, "origin", None)
    if origin is None:
        raise InvalidInput("matrix", "a gradient or Hessian of an Objective (obj.gradient(), obj.hessian(), "
                                     "obj.block_hessian())", type(matrix).__name__)
    obj, kind, idx = origin
    params = obj.params
    if kind == "gradient":
        M, used = network_entries(obj, idx, None)
        entries = [(rf"\frac{{\partial\Phi}}{{\partial {sympy.latex(params[p])}}}", M[a, 0]) for a, p in enumerate(idx)]
    else:
        M, used = network_entries(obj, idx, idx)
        entries = [(rf"\frac{{\partial^2\Phi}}{{\partial {sympy.latex(params[p])}\,\partial {sympy.latex(params[q])}}}",
                    M[a, c]) for a, p in enumerate(idx) for c, q in enumerate(idx) if c >= a]
    if layout not in ("aligned", "align"):
        raise InvalidInput("layout", "'aligned' or 'align'", repr(layout))
    blocks: list[list[str]] = []  # the lines of each entry
    for lhs, value in entries:
        broken = break_sum(lhs, sympy.expand(value) if value.is_Add else value, max_line)
        if broken is None:
            broken = [f"{lhs} &= {sympy.latex(value)}"]
        blocks.append(broken)
    if used:
        blocks.append((r"&\text{where } " + definitions_latex(obj, used)).split(r",\quad "))
        blocks[-1] = [blocks[-1][0]] + [r"&\phantom{\text{where }} " + ln for ln in blocks[-1][1:]]
        blocks[-1] = [ln + "," for ln in blocks[-1][:-1]] + blocks[-1][-1:]
    if layout == "aligned":
        return "\\begin{aligned}\n" + " \\\\\n".join(ln for b in blocks for ln in b) + "\n\\end{aligned}"
    # align*: a page may break between two entries (\displaybreak[0] needs no \allowdisplaybreaks), never inside one
    body = " \\displaybreak[0]\\\\\n".join(" \\\\*\n".join(b) for b in blocks)
    return "\\begin{align*}\n" + body + "\n\\end{align*}"
