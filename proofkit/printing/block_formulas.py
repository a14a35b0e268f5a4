"""Generic gradient and Hessian-block formulas of an :class:`~proofkit.symbolic.Objective`, with symbolic indices.

For a layer pair ``a <= b`` the entry ``∂²Φ/∂W^{(a)}_{pq} ∂W^{(b)}_{p'q'}`` is written the way papers
write it: sums over the samples ``i`` (and over hidden units where the depth asks for them), the
activations ``σ, σ', σ''`` and the loss derivatives ``l', l''`` as functions, the entries ``x_{ip}``,
``g^{(k)}_{ij}``, ``f^{(k)}_{ij}`` of ``X``, ``G_k``, ``F_k``, the residuals ``r_{ik} = (F_L - Y)_{ik}``
and Kronecker deltas. The formula is derived mechanically from the network's structure by the
recursion of Nguyen & Hein (2017), Lemma 2.1, and its second-order analogue: with
``Δ^{(k)}_{iq} = ∂Φ/∂g^{(k)}_{iq}`` (``Δ^{(L)}_{iq} = l'(r_{iq}) σ_L'(g^{(L)}_{iq})``,
``Δ^{(k)}_{iq} = σ_k'(g^{(k)}_{iq}) Σ_c W^{(k+1)}_{qc} Δ^{(k+1)}_{ic}``), the per-sample Hessian
``H^{(k)}`` of Φ in ``g^{(k)}`` and the Jacobians ``J^{(b,a)} = ∂g^{(b)}/∂g^{(a)}``,

``∂²Φ/∂W^{(a)}_{pq}∂W^{(b)}_{p'q'} = Σ_i f^{(a-1)}_{ip} [σ'(g^{(b-1)}_{ip'}) J^{(b-1,a)}_{p'q} Δ^{(b)}_{iq'}
+ f^{(b-1)}_{ip'} Σ_c H^{(b)}_{q'c} J^{(b,a)}_{cq}]``,

each of ``Δ``, ``H``, ``J`` expanded into explicit sums. A polynomial loss (the squared loss) has its
``l'``, ``l''`` written out. :meth:`BlockFormula.instantiate` substitutes index values, expands the
sums and the definitions, and gives an exact expression to compare with the Objective's own entry
(``tests/test_block_formulas.py`` proves them equal with :func:`~proofkit.check_identity`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import sympy
from sympy.core.function import Function

from proofkit.errors import InvalidInput
from proofkit.printing.certificates import MAX_LINE, visual_width
from proofkit.printing.latex import ProofkitLatexPrinter
from proofkit.printing.network_notation import _act, _names
from proofkit.symbolic.activations import T
from proofkit.symbolic.losses import A

__all__ = ["BlockFormula", "block_formula", "gradient_formula", "generic_latex"]

_LETTERS = ["p", "j", "k", "s", "t", "u", "v", "w"]


@cache
def _entry(name: str) -> type:
    """A sympy function class printing as ``name_{ab}`` (an entry of a matrix, indices as arguments)."""

    def _latex(self: Any, printer: Any, exp: Any = None) -> str:
        body = name + "_{" + "".join(printer._print(a) for a in self.args) + "}"
        return body if exp is None else rf"\left({body}\right)^{{{exp}}}"

    return type(f"entry_{re.sub(r'[^A-Za-z0-9]', '_', name)}", (Function,),
                {"nargs": 2, "_latex": _latex, "_proofkit_latex": _latex})


class _IndexPrinter(ProofkitLatexPrinter):
    """Sums as ``\\sum_{i}`` (ranges are in the legend), brackets around sums of terms."""

    def _print_Sum(self, expr: sympy.Sum) -> str:
        body = expr.function
        idx = [self._print(lim[0]) for lim in expr.limits]
        while isinstance(body, sympy.Sum):
            idx += [self._print(lim[0]) for lim in body.limits]
            body = body.function
        tex = self._print(body)
        if isinstance(body, sympy.Add):
            tex = rf"\left[{tex}\right]"
        return rf"\sum_{{{','.join(idx)}}} {tex}"


def _tex(expr: Any) -> str:
    return _IndexPrinter({"mul_symbol": None, "fold_short_frac": False}).doprint(expr)


class _Builder:
    """Builds the expanded formulas of one Objective (names, fresh summation indices, the recursions)."""

    def __init__(self, obj: Any, expand_loss: bool | None = None) -> None:
        net = getattr(obj, "network", None)
        loss = getattr(obj, "loss_function", None)
        if net is None or loss is None:
            raise InvalidInput("objective", "an Objective (Network.loss(...))", type(obj).__name__)
        if loss.kind != "residual":
            raise InvalidInput("objective", "an Objective with a residual loss sum_ij l((F_L)_ij - Y_ij)",
                               f"loss {loss.name!r} of kind {loss.kind!r}")
        self.obj, self.net, self.loss, self.L = obj, net, loss, net.depth
        self.act_names = _names(net)
        self.short = self.L == 2 and net.activations[-1].is_identity
        if expand_loss not in (None, True, False):
            raise InvalidInput("expand_loss", "None, True or False", repr(expand_loss))
        self.poly_loss = loss.l.is_polynomial(A) if expand_loss is None else expand_loss
        self.taken: set[str] = {"i"}
        self.meaning: dict[type, tuple[str, int, int]] = {}
        self.sizes: dict[sympy.Symbol, int] = {sympy.Symbol("N"): obj.N}
        self.i = sympy.Symbol("i", integer=True)

    # -- names -------------------------------------------------------------------------
    def _fn(self, name: str, kind: str, k: int) -> type:
        cls = _entry(name)
        self.meaning[cls] = (kind, k, 0)
        return cls

    def x(self, k: int, i: Any, j: Any) -> Any:
        if k == 0:
            return self._fn("x", "x", 0)(i, j)
        return self._fn("f" if self.short else f"f^{{({k})}}", "f", k)(i, j)

    def g(self, k: int, i: Any, j: Any) -> Any:
        return self._fn("g" if self.short else f"g^{{({k})}}", "g", k)(i, j)

    def W(self, k: int, a: Any, b: Any) -> Any:
        return self._fn(f"W^{{({k})}}", "W", k)(a, b)

    def r(self, i: Any, c: Any) -> Any:
        return self._fn("r", "r", self.L)(i, c)

    def dsig(self, k: int, i: Any, j: Any, order: int) -> Any:
        name = self.act_names[k]
        if name is None:
            return sympy.Integer(1 if order == 1 else 0)
        cls = _act(name, order)
        self.meaning[cls] = ("sigma", k, order)
        return cls(self.g(k, i, j))

    def dl(self, i: Any, c: Any, order: int) -> Any:
        if self.poly_loss:
            return self.loss.l.diff(A, order).xreplace({A: self.r(i, c)})
        cls = _act("l", order)
        self.meaning[cls] = ("loss", 0, order)
        return cls(self.r(i, c))

    def letter(self, k: int) -> str:
        return _LETTERS[k] if k < len(_LETTERS) else f"a_{{{k}}}"

    def index(self, k: int) -> sympy.Symbol:
        """A fresh index over the units of layer k (the layer's letter, primed as often as needed)."""
        name = self.letter(k)
        while name in self.taken:
            name += "'"
        self.taken.add(name)
        self.sizes[sympy.Symbol(f"n_{{{k}}}")] = self.net.widths[k]
        return sympy.Symbol(name, integer=True)

    def release(self, s: sympy.Symbol) -> None:
        self.taken.discard(s.name)

    def sum(self, k: int | None, build: Any) -> Any:
        """``Σ_c build(c)`` over the units of layer k (samples when k is None), constants pulled out."""
        c = self.i if k is None else self.index(k)
        body = sympy.factor_terms(build(c))
        if k is not None:
            self.release(c)
        if body == 0:
            return sympy.Integer(0)
        indep, dep = body.as_independent(c, as_Add=False) if isinstance(body, sympy.Mul) else (1, body)
        bound = sympy.Symbol("N") if k is None else sympy.Symbol(f"n_{{{k}}}")
        return indep * sympy.Sum(dep, (c, 1, bound))

    # -- the recursions ------------------------------------------------------------------
    def delta(self, k: int, i: Any, q: Any) -> Any:
        """Δ^{(k)}_{iq} = ∂Φ/∂g^{(k)}_{iq} (Lemma 2.1)."""
        if k == self.L:
            return self.dl(i, q, 1) * self.dsig(k, i, q, 1)
        return self.dsig(k, i, q, 1) * self.sum(k + 1, lambda c: self.W(k + 1, q, c) * self.delta(k + 1, i, c))

    def jac(self, b: int, a: int, i: Any, c: Any, q: Any) -> Any:
        """∂g^{(b)}_{ic}/∂g^{(a)}_{iq} for b > a."""
        if b == a + 1:
            return self.W(b, q, c) * self.dsig(a, i, q, 1)
        return self.sum(b - 1, lambda e: self.W(b, e, c) * self.dsig(b - 1, i, e, 1) * self.jac(b - 1, a, i, e, q))

    def h_diag(self, k: int, i: Any, q: Any) -> Any:
        """The coefficient of δ_{qq'} in ∂²Φ/∂g^{(k)}_{iq}∂g^{(k)}_{iq'}."""
        if k == self.L:
            return self.dl(i, q, 2) * self.dsig(k, i, q, 1) ** 2 + self.dl(i, q, 1) * self.dsig(k, i, q, 2)
        return self.dsig(k, i, q, 2) * self.sum(k + 1, lambda c: self.W(k + 1, q, c) * self.delta(k + 1, i, c))

    def h_full(self, k: int, i: Any, q: Any, q2: Any) -> Any:
        """The rest of ∂²Φ/∂g^{(k)}_{iq}∂g^{(k)}_{iq'} (through the layers above k)."""
        if k == self.L:
            return sympy.Integer(0)
        inner = (self.sum(k + 1, lambda c: self.W(k + 1, q, c) * self.W(k + 1, q2, c) * self.h_diag(k + 1, i, c))
                 + self.sum(k + 1, lambda c: self.sum(k + 1, lambda c2: self.W(k + 1, q, c) * self.W(k + 1, q2, c2)
                                                       * self.h_full(k + 1, i, c, c2))))
        return self.dsig(k, i, q, 1) * self.dsig(k, i, q2, 1) * inner

    def block(self, a: int, b: int, p: Any, q: Any, p2: Any, q2: Any) -> Any:
        """∂²Φ/∂W^{(a)}_{pq}∂W^{(b)}_{p'q'} for a <= b."""
        def summand(i: Any) -> Any:
            if a == b:
                second = sympy.KroneckerDelta(q, q2) * self.h_diag(a, i, q) + self.h_full(a, i, q, q2)
                return self.x(a - 1, i, p) * self.x(a - 1, i, p2) * second
            if b == a + 1:
                first = sympy.KroneckerDelta(q, p2) * self.dsig(a, i, q, 1) * self.delta(b, i, q2)
            else:
                first = self.dsig(b - 1, i, p2, 1) * self.jac(b - 1, a, i, p2, q) * self.delta(b, i, q2)
            through = (self.h_diag(b, i, q2) * self.jac(b, a, i, q2, q)
                       + self.sum(b, lambda c: self.h_full(b, i, q2, c) * self.jac(b, a, i, c, q)))
            return self.x(a - 1, i, p) * (first + self.x(b - 1, i, p2) * through)
        return self.sum(None, summand)

    # -- instantiation ---------------------------------------------------------------------
    def expand_sums(self, e: Any) -> Any:
        if isinstance(e, sympy.Sum):
            (var, lo, hi), = e.limits
            n = self.sizes[hi] if hi in self.sizes else int(hi)
            return sympy.Add(*[self.expand_sums(e.function.xreplace({var: v})) for v in range(int(lo), n + 1)])
        if not e.args:
            return e
        return e.func(*[self.expand_sums(a) for a in e.args])

    def concrete(self, e: Any) -> Any:
        """Replace the names (x, f, g, r, W, σ, l) at integer indices by the Objective's exact expressions."""
        if not e.args:
            return e
        args = [self.concrete(a) for a in e.args]
        kind = self.meaning.get(type(e))
        if kind is None:
            return e.func(*args)
        what, k, order = kind
        if what in ("x", "f", "g", "r", "W"):
            ii, jj = (int(v) - 1 for v in args)
            if what == "x":
                return sympy.sympify(self.obj.X[ii][jj])
            if what == "W":
                return self.net.weights[k][ii, jj]
            if what == "r":
                return self.obj.F(self.L)[ii, jj] - sympy.sympify(self.obj.Y[ii][jj])
            return (self.obj.F(k) if what == "f" else self.obj.G(k))[ii, jj]
        if what == "sigma":
            return self.net.activations[k - 1].derivative(order).xreplace({T: args[0]})
        return self.loss.l.diff(A, order).xreplace({A: args[0]})


@dataclass
class BlockFormula:
    """One generic entry formula: ``lhs = rhs`` with symbolic indices.

    Attributes
    ----------
    layers : tuple of int
        ``(k,)`` for the gradient in ``W_k``, ``(a, b)`` for the Hessian block.
    indices : tuple of sympy.Symbol
        The free indices ``(p, q)`` or ``(p, q, p', q')``: ``W^{(a)}_{pq}`` (and ``W^{(b)}_{p'q'}``).
    rhs : sympy.Expr
        The formula (sums as ``sympy.Sum``, names as sympy functions of their indices).
    """

    objective: Any
    layers: tuple[int, ...]
    indices: tuple[sympy.Symbol, ...]
    rhs: Any
    builder: Any = field(repr=False)

    @property
    def lhs_latex(self) -> str:
        w = [rf"W^{{({k})}}_{{{self.indices[2 * n].name}{self.indices[2 * n + 1].name}}}"
             for n, k in enumerate(self.layers)]
        if len(self.layers) == 1:
            return rf"\frac{{\partial\Phi}}{{\partial {w[0]}}}"
        return rf"\frac{{\partial^2\Phi}}{{\partial {w[0]}\,\partial {w[1]}}}"

    def lines(self, max_line: float = MAX_LINE) -> list[str]:
        """``lhs &= rhs`` as lines of an ``aligned`` environment, broken between terms to fit ``max_line``."""
        tokens = _tokens(self.rhs, 0)
        lines, current = [], self.lhs_latex + " &="
        width = visual_width(self.lhs_latex) + 2
        count = 0  # tokens on the current line
        for tok in tokens:
            w = visual_width(tok)
            breakable = tok[:1] in "+-" or tok.startswith(r"\sum")
            if width + w > max_line and breakable and count >= (2 if not lines else 1):
                lines.append(current)
                current, width, count = r"&\qquad{}", 6, 0
            current += " " + tok
            width += w + 1
            count += 1
        lines.append(current)
        return lines

    def latex(self, max_line: float = MAX_LINE) -> str:
        """The formula as an ``aligned`` environment (for display math)."""
        return "\\begin{aligned}\n" + " \\\\\n".join(self.lines(max_line)) + "\n\\end{aligned}"

    def instantiate(self, values: Any) -> sympy.Expr:
        """The formula at integer index values (1-based, in the order of :attr:`indices`): sums expanded,
        names replaced by the Objective's exact expressions; comparable with :meth:`exact_entry`."""
        vals = _index_values(self, values)
        e = self.rhs.xreplace(dict(zip(self.indices, vals)))
        return self.builder.concrete(self.builder.expand_sums(e))

    def exact_entry(self, values: Any) -> sympy.Expr:
        """The Objective's own gradient or Hessian entry at these index values (symbolic differentiation)."""
        vals = _index_values(self, values)
        net = self.objective.network
        ws = [net.weights[k][vals[2 * n] - 1, vals[2 * n + 1] - 1] for n, k in enumerate(self.layers)]
        if len(ws) == 1:
            return self.objective.expr.diff(ws[0])
        H = self.objective.hessian(list(dict.fromkeys(ws))).to_sympy()
        return H[0, 0] if ws[0] == ws[1] else H[0, 1]


def _index_values(f: BlockFormula, values: Any) -> list[int]:
    vals = list(values)
    if len(vals) != len(f.indices):
        raise InvalidInput("values", f"{len(f.indices)} index values {tuple(s.name for s in f.indices)}", repr(values))
    widths = f.objective.network.widths
    out = []
    for n, v in enumerate(vals):
        k = f.layers[n // 2] - 1 + n % 2
        if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= widths[k]:
            raise InvalidInput("values", f"index {f.indices[n].name} in 1..{widths[k]}", repr(v))
        out.append(v)
    return out


def _tokens(expr: Any, depth: int) -> list[str]:
    """LaTeX pieces of ``expr`` between which a line may break (before a ``+``/``-`` of a bracketed sum)."""
    if isinstance(expr, sympy.Add):
        out: list[str] = []
        for n, term in enumerate(expr.as_ordered_terms()):
            coeff, _ = term.as_coeff_Mul()
            neg = coeff.is_number and coeff < 0
            sub = _tokens(-term if neg else term, depth)
            sign = "-" if neg else ("+" if n else "")
            out += [f"{sign} {sub[0]}".strip()] + sub[1:]
        return out
    if isinstance(expr, (sympy.Mul, sympy.Sum)):
        factors = list(expr.args) if isinstance(expr, sympy.Mul) else [expr]
        big = [f for f in factors if isinstance(f, (sympy.Sum, sympy.Add))]
        if not big:
            return [_tex(expr)]
        last = big[-1]
        rest = sympy.Mul(*[f for f in factors if f is not last])
        head = [] if rest == 1 else ["-" if rest == -1 else _tex(rest)]
        prefix = ""
        if isinstance(last, sympy.Sum):
            body, idx = last.function, [lim[0].name for lim in last.limits]
            while isinstance(body, sympy.Sum):
                idx += [lim[0].name for lim in body.limits]
                body = body.function
            if head == ["-"]:
                head, prefix = [], "- "
            prefix += rf"\sum_{{{','.join(idx)}}} "
            last = body
        elif head:
            prefix, head = head[0] + " ", []
        if isinstance(last, sympy.Add):
            open_, close = (r"\Bigl[", r"\Bigr]") if depth == 0 else (r"\bigl(", r"\bigr)")
            inner = _tokens(last, depth + 1)
            inner[-1] += " " + close
            return head + [prefix + open_ + " " + inner[0]] + inner[1:]
        sub = _tokens(last, depth)
        return head + [prefix + sub[0]] + sub[1:]
    return [_tex(expr)]


def block_formula(objective: Any, layer_a: int, layer_b: int, *, expand_loss: bool | None = None) -> BlockFormula:
    """The generic formula of the Hessian block ``∂²Φ/∂W_a ∂W_b`` of ``objective`` (weights only).

    Parameters
    ----------
    objective : Objective
        A network's loss with a residual loss ``Σ l((F_L)_{ij} - Y_{ij})``.
    layer_a, layer_b : int
        Layers in ``1..L``; the formula is for ``a = min``, ``b = max``.
    expand_loss : bool or None
        Write ``l'``, ``l''`` out (True) or as functions (False); None: out for a polynomial loss.

    Examples
    --------
    >>> from proofkit.symbolic import Network
    >>> obj = Network([2, 3, 1], activation="sigmoid").loss([[0, 1], [1, 0], [1, 1]], [0, 1, 1])
    >>> print(block_formula(obj, 2, 2).latex())
    \\begin{aligned}
    \\frac{\\partial^2\\Phi}{\\partial W^{(2)}_{jk}\\,\\partial W^{(2)}_{j'k'}} &= 2 \\delta_{k k'} \\sum_{i} f_{ij} f_{ij'}
    \\end{aligned}
    """
    b = _Builder(objective, expand_loss)
    for name, k in (("layer_a", layer_a), ("layer_b", layer_b)):
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= b.L:
            raise InvalidInput(name, f"a layer index in 1..{b.L}", repr(k))
    a, c = sorted((layer_a, layer_b))
    p, q = b.index(a - 1), b.index(a)
    p2, q2 = b.index(c - 1), b.index(c)
    return BlockFormula(objective, (a, c), (p, q, p2, q2), b.block(a, c, p, q, p2, q2), b)


def gradient_formula(objective: Any, layer: int, *, expand_loss: bool | None = None) -> BlockFormula:
    """The generic formula of ``∂Φ/∂W^{(k)}_{pq} = Σ_i f^{(k-1)}_{ip} Δ^{(k)}_{iq}`` (Lemma 2.1), expanded.

    Examples
    --------
    >>> from proofkit.symbolic import Network
    >>> obj = Network([2, 3, 1], activation="sigmoid").loss([[0, 1], [1, 0], [1, 1]], [0, 1, 1])
    >>> gradient_formula(obj, 2).latex().splitlines()[1]
    '\\\\frac{\\\\partial\\\\Phi}{\\\\partial W^{(2)}_{jk}} &= 2 \\\\sum_{i} f_{ij} r_{ik}'
    """
    b = _Builder(objective, expand_loss)
    if not isinstance(layer, int) or isinstance(layer, bool) or not 1 <= layer <= b.L:
        raise InvalidInput("layer", f"a layer index in 1..{b.L}", repr(layer))
    p, q = b.index(layer - 1), b.index(layer)
    rhs = b.sum(None, lambda i: b.x(layer - 1, i, p) * b.delta(layer, i, q))
    return BlockFormula(objective, (layer,), (p, q), rhs, b)


def _legend(objective: Any) -> str:
    net = objective.network
    L = net.depth
    short = L == 2 and net.activations[-1].is_identity
    g, f = ("g_{ij}", "f_{ij}") if short else ("g^{(k)}_{ij}", "f^{(k)}_{ij}")
    gk, fk = ("G_1", "F_1") if short else ("G_k", "F_k")
    return (rf"x_{{ip}} = X_{{ip}},\ {g} = ({gk})_{{ij}},\ {f} = ({fk})_{{ij}}, \\ &\phantom{{\text{{where }}}} "
            rf"r_{{ik}} = (F_{{{L}}})_{{ik}} - Y_{{ik}}")


def generic_latex(matrix: Any, *, max_line: float = MAX_LINE) -> str:
    """``latex(m, notation="network", form="generic")``: the generic formulas behind a gradient or Hessian.

    For ``obj.gradient()`` the gradient in each layer's weights; for ``obj.hessian(...)`` or
    ``obj.block_hessian(layers=...)`` the block of each pair of the layers its parameters belong to;
    in an ``aligned`` environment with a legend of the names.
    """
    origin = getattr(matrix, "origin", None)
    if origin is None:
        raise InvalidInput("matrix", "a gradient or Hessian of an Objective (obj.gradient(), obj.hessian(), "
                                     "obj.block_hessian())", type(matrix).__name__)
    obj, kind, idx = origin
    layer_of = {}
    for k in range(1, obj.network.depth + 1):
        for s in obj.network.layer_params(k):
            layer_of[s] = k
    layers = sorted({layer_of[obj.params[n]] for n in idx})
    if kind == "gradient":
        formulas = [gradient_formula(obj, k) for k in layers]
    else:
        formulas = [block_formula(obj, a, b) for n, a in enumerate(layers) for b in layers[n:]]
    lines = [ln for f in formulas for ln in f.lines(max_line)]
    lines.append(r"&\text{where } " + _legend(obj))
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"
