"""Fully connected networks of any depth as exact expressions.

Notation of Nguyen & Hein (2017), Section 2: data ``X`` (N x d, one sample
per row), ``F_0 = X``, ``G_k = F_{k-1} W_k + 1_N b_k^T``, ``F_k = sigma_k(G_k)``,
``W_k`` of shape ``n_{k-1} x n_k``. The output layer's activation may be
sigma (as in Nguyen & Hein) or the identity (as in Yu & Chen).
Expressions are built in symengine and handed out as sympy objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import flint
import numpy as np
import symengine as se
import sympy

from proofkit.errors import InvalidInput, ShapeMismatch, UnknownParameter
from proofkit.numeric.jets import ScalarFunction
from proofkit.numeric.network_loss import NetworkLoss
from proofkit.symbolic.activations import Activation, T, activation
from proofkit.symbolic.dag import to_dag
from proofkit.symbolic.data import as_exact_matrix, exact_number, require_distinct_rows
from proofkit.symbolic.lazy import LazyMatrix
from proofkit.symbolic.losses import A, Loss
from proofkit.symbolic.losses import loss as resolve_loss

__all__ = ["Network", "Objective"]

_ASSUMPTION_DISTINCT = "Nguyen & Hein 2017, Assumption 3.2(1): no identical training samples"


def _index_name(*idx: int, wide: bool) -> str:
    return ",".join(map(str, idx)) if wide else "".join(map(str, idx))


def _se_row(row: Sequence[Any]) -> list[Any]:
    return [se.sympify(v) for v in row]


class Network:
    """A fully connected feed-forward network with symbolic parameters.

    Parameters
    ----------
    widths : sequence of int
        ``[n_0 = d, n_1, ..., n_L = m]``; at least an input and an output width.
    activation : name, Activation, sympy expression, or a sequence of these
        The activation of the hidden layers 1..L-1 (one for all, or one per layer).
    output_activation : name, Activation or None
        The activation of layer L; ``"identity"``/``None`` for a linear output
        (Yu & Chen 1995), the hidden activation for Nguyen & Hein (2017).
    bias : bool
        Whether the layers have biases ``b_k``.

    Examples
    --------
    >>> net = Network([2, 3, 1], activation="sigmoid")
    >>> len(net.params)
    13
    >>> net.weights[1][0, 1]
    W^{(1)}_{12}
    """

    def __init__(self, widths: Sequence[int], activation: Any = "sigmoid",
                 output_activation: Any = "identity", bias: bool = True) -> None:
        if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__"):
            raise InvalidInput("widths", "a list [d, n_1, ..., m] of at least two positive integers", repr(widths))
        widths = [int(n) if isinstance(n, np.integer) else n for n in widths]
        if len(widths) < 2 or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1
                                      for n in widths):
            raise InvalidInput("widths", "a list [d, n_1, ..., m] of at least two positive integers",
                               repr(widths))
        self.widths = widths
        self.depth = len(widths) - 1
        if isinstance(activation, (list, tuple)):
            hidden = list(activation)
        else:
            hidden = [_resolve(activation)] * (self.depth - 1)  # resolved once, also when unused
        if len(hidden) != self.depth - 1:
            raise ShapeMismatch("activation", f"{self.depth - 1} activations (one per hidden layer)",
                                f"{len(hidden)}")
        self.activations: list[Activation] = [_resolve(a) for a in hidden] + [_resolve(output_activation)]
        self.bias = bool(bias)
        wide = max(widths) > 9
        self.weights: dict[int, sympy.Matrix] = {}
        self.biases: dict[int, sympy.Matrix] = {}
        for k in range(1, self.depth + 1):
            self.weights[k] = sympy.Matrix(widths[k - 1], widths[k], lambda i, j, k=k: sympy.Symbol(
                f"W^{{({k})}}_{{{_index_name(i + 1, j + 1, wide=wide)}}}"))
            if self.bias:
                self.biases[k] = sympy.Matrix(widths[k], 1, lambda i, _j, k=k: sympy.Symbol(
                    f"b^{{({k})}}_{{{i + 1}}}"))

    def __repr__(self) -> str:
        acts = ", ".join(a.name for a in self.activations)
        return f"Network({self.widths}, activations=[{acts}], bias={self.bias})"

    def _repr_latex_(self) -> str:
        from proofkit.printing.latex import repr_latex

        return repr_latex(self)

    def layer_params(self, k: int) -> list[sympy.Symbol]:
        """The parameters of layer ``k`` (W_k row-major, then b_k)."""
        if not 1 <= k <= self.depth:
            raise InvalidInput("k", f"a layer index in 1..{self.depth}", repr(k))
        out = list(self.weights[k])
        if self.bias:
            out += list(self.biases[k])
        return out

    @cached_property
    def params(self) -> list[sympy.Symbol]:
        """All parameters, layer by layer."""
        return [p for k in range(1, self.depth + 1) for p in self.layer_params(k)]

    def forward(self, X: Any) -> tuple[dict[int, list[list[Any]]], dict[int, list[list[Any]]]]:
        """``(G, F)``: symengine rows of G_k (k = 1..L) and F_k (k = 0..L) for the data X."""
        rows = as_exact_matrix(X, "X", columns=self.widths[0])
        F: dict[int, list[list[Any]]] = {0: [_se_row(r) for r in rows]}
        G: dict[int, list[list[Any]]] = {}
        for k in range(1, self.depth + 1):
            W = [[se.Symbol(s.name) for s in self.weights[k].row(i)] for i in range(self.weights[k].rows)]
            b = [se.Symbol(s.name) for s in self.biases[k]] if self.bias else None
            act = self.activations[k - 1]
            Gk = []
            for frow in F[k - 1]:
                Gk.append([se.Add(*[frow[a] * W[a][j] for a in range(len(frow))], *([b[j]] if b else []))
                           for j in range(self.widths[k])])
            G[k] = Gk
            F[k] = [[act.symengine(g) for g in row] for row in Gk]
        return G, F

    def outputs(self, X: Any) -> sympy.Matrix:
        """The network outputs F_L on X as a sympy Matrix (N x m)."""
        _, F = self.forward(X)
        return sympy.Matrix([[sympy.sympify(e._sympy_()) for e in row] for row in F[self.depth]])

    def loss(self, X: Any, Y: Any, loss: Any = "squared", *, require_distinct: bool = False) -> Objective:
        """The training objective ``Phi = sum_i loss(f(x_i), y_i)``.

        Parameters
        ----------
        X : array-like, N x d
            Inputs, one sample per row (exact numbers, or floats taken exactly).
        Y : array-like, N x m (or length N when m = 1)
            Targets.
        loss : name or Loss
            ``"squared"``, ``"cross_entropy"``, ... (see :mod:`proofkit.symbolic.losses`).
        require_distinct : bool
            Raise :class:`~proofkit.errors.DuplicateSamples` if two samples coincide
            (Assumption 3.2(1)).
        """
        return Objective(self, X, Y, resolve_loss(loss), require_distinct=require_distinct)


def _resolve(spec: Any) -> Activation:
    return activation("identity" if spec is None else spec)


class Objective:
    """A network's training loss on fixed data, with exact derivatives.

    Built by :meth:`Network.loss`. All matrices are :class:`LazyMatrix`
    objects: built by symengine, converted to sympy on access.

    Examples
    --------
    >>> net = Network([1, 1, 1], activation="identity", bias=False)
    >>> obj = net.loss([[1]], [[2]])
    >>> obj.expr
    (W^{(1)}_{11}*W^{(2)}_{11} - 2)**2
    >>> obj.hessian().subs({p: 0 for p in obj.params})
    Matrix([
    [ 0, -4],
    [-4,  0]])
    """

    def __init__(self, network: Network, X: Any, Y: Any, loss: Loss, *, require_distinct: bool = False) -> None:
        self.network = network
        self.loss_function = loss
        self.X = as_exact_matrix(X, "X", columns=network.widths[0])
        self.Y = as_exact_matrix(Y, "Y", columns=network.widths[-1])
        if len(self.X) != len(self.Y):
            raise ShapeMismatch("Y", f"{len(self.X)} rows (one per sample of X)", f"{len(self.Y)} rows")
        if require_distinct:
            require_distinct_rows(self.X, "X", _ASSUMPTION_DISTINCT)
        self.N = len(self.X)
        self.params: list[sympy.Symbol] = list(network.params)
        self._se_params = [se.Symbol(p.name) for p in self.params]
        self._G, self._F = network.forward(self.X)
        L = network.depth
        terms = []
        for q, y in zip(self._F[L], self.Y):
            terms += loss.sample_terms(q, y)
        self._se_expr = se.Add(*terms)

    def __repr__(self) -> str:
        return f"Objective({self.network!r}, N={self.N}, loss={self.loss_function.name})"

    def _repr_latex_(self) -> str:
        """The loss as a formula: the sum over the samples, the loss function, the network, the sizes."""
        from proofkit.printing.display import objective_latex

        return objective_latex(self)

    # -- the expression -------------------------------------------------------------
    @cached_property
    def expr(self) -> sympy.Expr:
        """Phi as a sympy expression."""
        return sympy.sympify(self._se_expr._sympy_())

    @property
    def expr_symengine(self) -> Any:
        return self._se_expr

    # -- parameter handling ------------------------------------------------------------
    def select(self, params: Sequence[Any] | None = None, layers: Sequence[int] | None = None) -> list[int]:
        """Indices into :attr:`params` of a parameter subset (by symbols/names or by layers)."""
        if params is not None and layers is not None:
            raise InvalidInput("params", "either params or layers, not both", "both")
        if layers is not None:
            chosen = []
            for k in layers:
                if not isinstance(k, int) or not 1 <= k <= self.network.depth:
                    raise UnknownParameter("layers", f"layer indices in 1..{self.network.depth}", repr(k))
                chosen += self.network.layer_params(k)
            params = chosen
        if params is None:
            return list(range(len(self.params)))
        by_name = {p.name: i for i, p in enumerate(self.params)}
        out = []
        for p in params:
            name = p.name if isinstance(p, sympy.Symbol) else str(p)
            if name not in by_name:
                raise UnknownParameter("params", "parameters of this objective", f"unknown parameter {name!r}")
            out.append(by_name[name])
        if len(set(out)) != len(out):
            raise InvalidInput("params", "each parameter at most once", "a repeated parameter")
        return out

    def point(self, values: Any) -> list[Any]:
        """Parameter values in the order of :attr:`params` from a sequence or a dict.

        Raises
        ------
        InvalidInput
            Wrong number of coordinates, missing or unknown names, NaN/inf.
        """
        if isinstance(values, Mapping):
            by_name = {(k.name if isinstance(k, sympy.Symbol) else str(k)): v for k, v in values.items()}
            unknown = set(by_name) - {p.name for p in self.params}
            if unknown:
                raise UnknownParameter("point", "values for the parameters of this objective",
                                       f"unknown names {sorted(unknown)}")
            missing = [p.name for p in self.params if p.name not in by_name]
            if missing:
                raise InvalidInput("point", f"a value for each of the {len(self.params)} parameters",
                                   f"no value for {missing[:5]}{'...' if len(missing) > 5 else ''}")
            seq = [by_name[p.name] for p in self.params]
        else:
            if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
                raise InvalidInput("point", f"{len(self.params)} coordinates (a sequence or a dict)",
                                   type(values).__name__)
            seq = list(values.reshape(-1)) if isinstance(values, np.ndarray) else list(values)
            if len(seq) != len(self.params):
                raise InvalidInput("point", f"{len(self.params)} coordinates (one per parameter)",
                                   f"{len(seq)} coordinates")
        out = []
        for i, v in enumerate(seq):
            if isinstance(v, flint.arb):
                if not v.is_finite():
                    raise InvalidInput("point", "finite values", f"{v} at position {i}")
                out.append(v)
            else:
                out.append(exact_number(v, f"point[{i}]"))
        return out

    # -- derivatives --------------------------------------------------------------
    def _require_differentiable(self) -> None:
        for k, act in enumerate(self.network.activations, start=1):
            if act.differentiable.value is not True:
                act.require("differentiable", f"derivatives of Phi need sigma in C^1 (Lemma 2.1); layer {k}")

    @cached_property
    def _gradient_rows(self) -> list[Any]:
        self._require_differentiable()
        return [self._se_expr.diff(p) for p in self._se_params]

    def gradient(self) -> LazyMatrix:
        """The gradient of Phi (a column): symbolic entries built when first asked for; numbers in Arb and
        float64 (:meth:`LazyMatrix.evaluate`, :func:`~proofkit.matrix_at`) by the differentiation engine."""
        self._require_differentiable()
        m = LazyMatrix.derivatives(self._se_expr, self.params, "gradient", list(range(len(self.params))),
                                   lambda: [[g] for g in self._gradient_rows], evaluator=self._evaluator)
        m.origin = (self, "gradient", list(range(len(self.params))))  # for latex(..., notation="network")
        return m

    def hessian(self, params: Sequence[Any] | None = None) -> LazyMatrix:
        """The Hessian of Phi, or its block on ``params`` (Definition 3.6).

        The symbolic entries are built only when something needs them (an entry, ``subs``, LaTeX, an exact
        evaluation); numbers in Arb and float64 come from the network's own evaluator
        (:class:`~proofkit.numeric.network_loss.NetworkLoss`: layer by layer, vectorised over the samples,
        the Gauss-Newton term and the second-order terms as matrix products), so evaluating a large Hessian
        never compiles its symbolic entries. :meth:`LazyMatrix.evaluate_matrix` returns it as one matrix.
        """
        idx = self.select(params)
        self._require_differentiable()

        def build() -> list[list[Any]]:
            grads = self._gradient_rows
            n = len(idx)
            rows: list[list[Any]] = [[None] * n for _ in range(n)]
            for a in range(n):
                ga = grads[idx[a]]
                for b in range(a, n):
                    rows[a][b] = rows[b][a] = ga.diff(self._se_params[idx[b]])
            return rows

        m = LazyMatrix.derivatives(self._se_expr, self.params, "hessian", idx, build, evaluator=self._evaluator)
        m.origin = (self, "hessian", idx)  # for latex(..., notation="network")
        return m

    def block_hessian(self, layers: Sequence[int] | None = None,
                      params: Sequence[Any] | None = None) -> LazyMatrix:
        """The block Hessian ``nabla^2_S Phi`` (Nguyen & Hein 2017, Definition 3.6).

        Parameters
        ----------
        layers : sequence of int, optional
            Take S = all parameters of these layers.
        params : sequence of symbols or names, optional
            Take S = these parameters.
        """
        idx = self.select(params=params, layers=layers)
        return self.hessian([self.params[i] for i in idx])

    def jacobian(self) -> LazyMatrix:
        """The Jacobian of the outputs f_X (N*m entries, row-major by sample) w.r.t. all parameters.

        Its columns span the gradient basis of Kawaguchi, Huang & Kaelbling (2019).
        """
        self._require_differentiable()
        outs = [e for row in self._F[self.network.depth] for e in row]
        return LazyMatrix([[o.diff(p) for p in self._se_params] for o in outs], self.params)

    @cached_property
    def _evaluator(self) -> NetworkLoss:
        """Phi's value, gradient and Hessian from the network's structure (float64 and Arb)."""
        net, lf = self.network, self.loss_function
        acts = [None if a.is_identity else _scalar_function(a.expr, T, _ACTIVATION_FORMS) for a in net.activations]
        return NetworkLoss(net.widths, acts, net.bias, [[_fmpq(v) for v in r] for r in self.X],
                           [[_fmpq(v) for v in r] for r in self.Y], lf.kind,
                           None if lf.l is None else _scalar_function(lf.l, A, _LOSS_FORMS),
                           None if lf.l2 is None else _scalar_function(lf.l2, A, _LOSS_FORMS))

    # -- Lemma 2.1: layer matrices and backpropagation -----------------------------------
    def _check_layer(self, k: int, lo: int) -> None:
        if not isinstance(k, int) or not lo <= k <= self.network.depth:
            raise InvalidInput("k", f"a layer index in {lo}..{self.network.depth}", repr(k))

    def F(self, k: int) -> sympy.Matrix:
        """F_k = sigma(G_k) (F_0 = X) as a sympy Matrix (N x n_k)."""
        self._check_layer(k, 0)
        return _to_sympy(self._F[k])

    def G(self, k: int) -> sympy.Matrix:
        """G_k = F_{k-1} W_k + 1_N b_k^T as a sympy Matrix (N x n_k)."""
        self._check_layer(k, 1)
        return _to_sympy(self._G[k])

    @cached_property
    def _deltas(self) -> dict[int, list[list[Any]]]:
        self._require_differentiable()
        net = self.network
        L = net.depth
        qs = [se.Symbol(f"_q{j}") for j in range(net.widths[-1])]
        deltas: dict[int, list[list[Any]]] = {}
        dL = []
        for i, y in enumerate(self.Y):
            terms = se.Add(*self.loss_function.sample_terms(qs, y))
            sub = {q: f for q, f in zip(qs, self._F[L][i])}
            dL.append([terms.diff(q).subs(sub) * _dsigma(net.activations[L - 1], self._G[L][i][j])
                       for j, q in enumerate(qs)])
        deltas[L] = dL
        for k in range(L - 1, 0, -1):
            W = [[se.Symbol(s.name) for s in net.weights[k + 1].row(i)] for i in range(net.widths[k])]
            act = net.activations[k - 1]
            deltas[k] = [[se.Add(*[deltas[k + 1][i][c] * W[j][c] for c in range(net.widths[k + 1])])
                          * _dsigma(act, self._G[k][i][j]) for j in range(net.widths[k])]
                         for i in range(self.N)]
        return deltas

    def Delta(self, k: int) -> sympy.Matrix:
        """Delta_k = dPhi/dG_k by the recursion of Lemma 2.1 (N x n_k)."""
        self._check_layer(k, 1)
        return _to_sympy(self._deltas[k])

    def backprop_gradient(self) -> LazyMatrix:
        """The gradient by Lemma 2.1: grad_{W_k} = F_{k-1}^T Delta_k, grad_{b_k} = Delta_k^T 1_N."""
        net = self.network
        out: list[Any] = []
        for k in range(1, net.depth + 1):
            D, Fp = self._deltas[k], self._F[k - 1]
            for a in range(net.widths[k - 1]):
                for j in range(net.widths[k]):
                    out.append(se.Add(*[Fp[i][a] * D[i][j] for i in range(self.N)]))
            if net.bias:
                out += [se.Add(*[D[i][j] for i in range(self.N)]) for j in range(net.widths[k])]
        return LazyMatrix([[g] for g in out], self.params)

    # -- evaluation -----------------------------------------------------------------
    def value(self, point: Any, digits: int | None = None) -> sympy.Expr:
        """Phi at ``point``: exact when ``digits`` is None, else a Float with that many digits.

        Examples
        --------
        >>> net = Network([1, 1], activation="identity", output_activation="sigmoid", bias=False)
        >>> obj = net.loss([[0]], [[1]])
        >>> obj.value([5])
        1/4
        """
        vals = self.point(point)
        if any(hasattr(v, "mid") for v in vals):
            raise InvalidInput("point", "exact numbers (evaluate enclosures with LazyMatrix.evaluate or "
                               "compile_program)", "an arb ball")
        if digits is not None and (not isinstance(digits, int) or isinstance(digits, bool) or digits < 1):
            raise InvalidInput("digits", "a positive number of digits or None", repr(digits))
        exact = self._se_expr.subs({s: se.sympify(v) for s, v in zip(self._se_params, vals)})
        result = sympy.sympify(exact._sympy_())
        return result if digits is None else result.evalf(digits)

    def subs_point(self, point: Any) -> dict[sympy.Symbol, Any]:
        """A ``{symbol: value}`` mapping for ``.subs`` from a point."""
        return dict(zip(self.params, self.point(point)))


#: Expressions whose derivatives have a cheaper closed form (used only when the expression is exactly this one).
_ACTIVATION_FORMS = ((1 / (1 + sympy.exp(-T)), "sigmoid"), (sympy.tanh(T), "tanh"),
                     (sympy.log(1 + sympy.exp(T)), "softplus"))
_LOSS_FORMS = ((A**2, "square"),)


def _scalar_function(expr: sympy.Expr, var: sympy.Symbol, forms: tuple) -> ScalarFunction:
    closed = next((name for e, name in forms if expr == e), None)
    return ScalarFunction(to_dag(expr, [var]), closed)


def _fmpq(v: Any) -> flint.fmpq:
    r = sympy.Rational(v)
    return flint.fmpq(int(r.p), int(r.q))


def _dsigma(act: Activation, g: Any) -> Any:
    if act.is_identity:
        return se.Integer(1)
    d = act._se_expr.diff(act._se_t)
    return d.subs({act._se_t: g})


def _to_sympy(rows: list[list[Any]]) -> sympy.Matrix:
    return sympy.Matrix([[sympy.sympify(e._sympy_()) for e in row] for row in rows])
