"""Lemma 4.3 of Nguyen & Hein (2017) in full: the Leibniz determinant construction.

Given distinct samples and an architecture with a layer ``k`` of width
``n_k >= N - 1``, construct parameters of layers ``1..k`` (depending on a scale
``alpha``) with ``rank([F_k, 1_N]) = N``:

1. layers ``1..k-1``: every unit computes ``sigma(a^T z)`` with a separating
   direction ``a`` (``a^T(x_i - x_j) != 0``, checked exactly), so the rows of
   ``F_{k-1}`` stay distinct and their order along ``e_1`` is the order of ``a^T x_i``
   (sigma is strictly increasing);
2. layer ``k``: ``w_j = -alpha a``, ``v_j = alpha <a, z_(j)> + beta`` so that
   ``A(alpha)_{ij} = sigma(alpha (z_j - z_i)^T a + beta)``;
3. bounded sigma: ``E(alpha) = [1_N, A(alpha)]`` tends to a matrix with determinant
   ``(mu - sigma(beta))^{N-1}``; type (2b): ``E(alpha) = [A(alpha), 1_N]`` has
   ``det E(alpha) -> sigma(beta)^{N-1}`` by the Leibniz formula.

:meth:`LeibnizConstruction.alpha0` turns the limit argument into an explicit
``alpha_0`` with a proof that ``det E(alpha) != 0`` for *every* ``alpha >= alpha_0``;
:meth:`LeibnizConstruction.witness` certifies ``rank([F_k, 1_N]) = N`` at a given
alpha with a certificate the kernel re-checks from the recipe alone.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import flint
import numpy as np
import sympy

from proofkit.convert import exact_constant, exact_expr, exact_scalar
from proofkit.errors import AssumptionViolated, InvalidInput
from proofkit.numeric.contexts import ArbContext, arb_precision
from proofkit.numeric.program import compile_program
from proofkit.results import ResultDisplay
from proofkit.symbolic.activations import Activation, activation
from proofkit.symbolic.data import as_exact_matrix, require_distinct_rows
from proofkit.symbolic.network import Network

__all__ = ["LeibnizConstruction", "leibniz_construction", "separating_direction", "leibniz_expansion",
           "limit_inverse_frobenius", "ALPHA"]

ALPHA = sympy.Symbol("alpha", positive=True)
_DISTINCT = "Nguyen & Hein 2017, Assumption 3.2(1): no identical training samples"


def separating_direction(X: list[list[sympy.Rational]]) -> list[sympy.Integer]:
    """An integer vector a with ``a^T x_i`` pairwise distinct (checked exactly).

    The bad set is a finite union of hyperplanes, so small integer vectors
    ``(1, s, s^2, ...)`` succeed for some ``s``.

    Examples
    --------
    >>> separating_direction([[0, 0], [1, 0], [0, 1]])
    [1, 2]
    """
    d = len(X[0])
    for s in itertools.count(2):
        a = [sympy.Integer(s) ** i if i else sympy.Integer(1) for i in range(d)]
        vals = [sum(ai * xi for ai, xi in zip(a, x)) for x in X]
        if len(set(vals)) == len(vals):
            return a
        if s > 10**6:  # pragma: no cover - impossible for distinct rows
            raise RuntimeError("no separating direction found")


def leibniz_expansion(E: sympy.Matrix) -> tuple[sympy.Expr, list[tuple[tuple[int, ...], int, sympy.Expr]]]:
    """``det E = sum_pi sign(pi) prod_j E[pi(j), j]`` term by term (for N <= 7).

    Returns the sum and the list ``(pi, sign, product)``, the identity first.
    """
    n = E.rows
    if n > 7:
        raise InvalidInput("E", "at most 7 rows for the symbolic Leibniz expansion", f"{n} rows")
    terms = []
    for perm in itertools.permutations(range(n)):
        sign = sympy.combinatorics.Permutation(list(perm)).signature()
        prod = sympy.Mul(*[E[perm[j], j] for j in range(n)])
        terms.append((perm, sign, prod))
    terms.sort(key=lambda t: t[0] != tuple(range(n)))
    return sympy.Add(*[s * p for _, s, p in terms]), terms


@dataclass(repr=False)  # a summarised repr and Jupyter display: ResultDisplay
class LeibnizConstruction(ResultDisplay):
    """The construction of Lemma 4.3 for one data set, architecture and layer k."""

    network: Network
    X: list[list[sympy.Rational]]
    k: int
    sigma: Activation
    kind: str  # "bounded" or "growth"
    beta: sympy.Rational
    direction: list[sympy.Integer]
    order: list[int]  # samples sorted by <a, z_i>
    t: list[sympy.Expr]  # <a, z_(i)> in sorted order (exact expressions)
    notes: list[str] = field(default_factory=list)

    @property
    def N(self) -> int:
        return len(self.X)

    @cached_property
    def A(self) -> sympy.Matrix:
        """``A(alpha)_{ij} = sigma(alpha (t_j - t_i) + beta)``, N x (N-1), as exact expressions."""
        t, b, act = self.t, self.beta, self.sigma
        return sympy.Matrix(self.N, self.N - 1, lambda i, j: act(ALPHA * (t[j] - t[i]) + b))

    @cached_property
    def E(self) -> sympy.Matrix:
        """``[1_N, A(alpha)]`` (bounded sigma) or ``[A(alpha), 1_N]`` (type 2b)."""
        ones = sympy.ones(self.N, 1)
        return ones.row_join(self.A) if self.kind == "bounded" else self.A.row_join(ones)

    @cached_property
    def limit(self) -> sympy.Matrix:
        """The entrywise limit of E(alpha) as alpha -> oo (bounded case); for type 2b the entries
        below the diagonal tend to 0 and those above it grow, so only the Leibniz argument applies."""
        N, (mu, gamma), sb = self.N, self.sigma.limits, self.sigma(self.beta)
        lim = sympy.Matrix(N, N - 1, lambda i, j: gamma if j > i else (sb if j == i else mu))
        ones = sympy.ones(N, 1)
        if self.kind == "bounded":
            return ones.row_join(lim)
        return sympy.Matrix(N, N, lambda i, j: 1 if j == N - 1 else (sb if i == j else (0 if i > j else sympy.oo)))

    @cached_property
    def limit_det(self) -> sympy.Expr:
        """``(mu - sigma(beta))^{N-1}`` (bounded) or ``sigma(beta)^{N-1}`` (type 2b)."""
        mu, _ = self.sigma.limits
        sb = self.sigma(self.beta)
        return sympy.simplify((mu - sb) ** (self.N - 1) if self.kind == "bounded" else sb ** (self.N - 1))

    def _t_balls(self, prec: int) -> list[flint.arb]:
        return compile_program(self.t, []).run(ArbContext(prec), [])

    def E_fast(self, alpha: Any, prec: int = 128) -> list[list[flint.arb]]:
        """Arb enclosure of E(alpha) computed entry by entry (no symbolic matrix; any N)."""
        prog = compile_program([self.sigma.expr], [sympy.Symbol("t", real=True)])
        ctx = ArbContext(prec)
        with arb_precision(prec):
            ts = self._t_balls(prec)
            a = flint.arb(exact_scalar(alpha, "alpha"))
            b = flint.arb(flint.fmpq(int(self.beta.p), int(self.beta.q)))
            rows = []
            for i in range(self.N):
                row = [prog.run(ctx, [a * (ts[j] - ts[i]) + b])[0] for j in range(self.N - 1)]
                rows.append([flint.arb(1)] + row if self.kind == "bounded" else row + [flint.arb(1)])
        return rows

    def leibniz(self) -> tuple[sympy.Expr, list[tuple[tuple[int, ...], int, sympy.Expr]]]:
        """The Leibniz expansion of det E(alpha) (N <= 7); the identity term is first."""
        return leibniz_expansion(self.E)

    def row_difference_limit(self) -> sympy.Matrix:
        """The limit matrix after subtracting row i-1 from row i (i >= 2): upper triangular (bounded case)."""
        L = self.limit.copy()
        for i in range(self.N - 1, 0, -1):
            L[i, :] = L[i, :] - L[i - 1, :]
        return L

    def parameters(self, alpha: Any) -> dict[sympy.Symbol, sympy.Expr]:
        """Values of the parameters of layers 1..k (layers above k are not used) at scale ``alpha``."""
        net, k, N = self.network, self.k, self.N
        vals: dict[sympy.Symbol, sympy.Expr] = {}
        for layer in range(1, k):
            W, a = net.weights[layer], (self.direction if layer == 1 else [1] + [0] * (net.widths[layer - 1] - 1))
            for i in range(W.rows):
                for j in range(W.cols):
                    vals[W[i, j]] = sympy.Integer(a[i])
            if net.bias:
                for b in net.biases[layer]:
                    vals[b] = sympy.Integer(0)
        a = self.direction if k == 1 else [1] + [0] * (net.widths[k - 1] - 1)
        W = net.weights[k]
        alpha = exact_expr(alpha, "alpha", strict=False)
        for j in range(W.cols):
            src = min(j, N - 2)  # units beyond N-1 copy unit N-1's... any copy keeps rank([F_k, 1]) >= N
            for i in range(W.rows):
                vals[W[i, j]] = -alpha * a[i]
            vals[net.biases[k][j]] = alpha * self.t[src] + self.beta
        return vals

    def E_at(self, alpha: Any, prec: int = 128) -> list[list[flint.arb]]:
        """Arb enclosure of E(alpha)."""
        value = exact_scalar(alpha, "alpha")
        flat = compile_program(list(self.E), [ALPHA]).run(ArbContext(prec), [value])
        c = self.E.cols
        return [flat[i * c:(i + 1) * c] for i in range(self.E.rows)]

    def alpha0(self, prec: int = 128) -> dict[str, Any]:
        """An explicit alpha_0 with a proof that det E(alpha) != 0 for every alpha >= alpha_0.

        Bounded sigma: every entry of ``E(alpha) - L`` (L the limit matrix) is at
        most ``eps(alpha) = max(gamma - sigma(alpha D + beta), sigma(beta - alpha D) - mu)``
        in absolute value, with ``D = min |delta_ij|``, and ``eps`` decreases in alpha;
        ``det E(alpha) != 0`` whenever ``||E(alpha) - L||_2 <= sqrt(N (N-1)) eps(alpha) <
        s_min(L)``. ``s_min(L) >= 1/||L^{-1}||_F`` with ``||L^{-1}||_F`` enclosed in O(N) ball operations
        (:func:`proofkit.symbolic.leibniz.limit_inverse_frobenius`: no N x N inverse).

        Type (2b): ``|det E(alpha) - sigma(beta)^{N-1}| <= (N! - 1) rho1 e^{rho2 beta}
        e^{-rho2 alpha D} M(alpha)^{N-2}`` with ``M(alpha) = max(|sigma(beta)|, rho3 (alpha Dmax
        + |beta|) + rho4, rho1 e^{rho2 |beta|})``; the bound decreases for
        ``alpha >= (N-2)/(rho2 D)`` and is below ``|sigma(beta)|^{N-1}`` at alpha_0.

        Returns a dict with ``alpha0`` (exact rational), ``proved`` (bool) and the
        enclosures used, as strings.
        """
        with arb_precision(prec):
            if self.kind == "bounded":
                return self._alpha0_bounded(prec)
            return self._alpha0_growth(prec)

    def _delta_bounds(self, prec: int) -> tuple[flint.arb, flint.arb]:
        ts = compile_program(self.t, []).run(ArbContext(prec), [])
        gaps = [ts[i + 1] - ts[i] for i in range(len(ts) - 1)]
        if not all(g > 0 for g in gaps):
            raise AssumptionViolated("X", "samples separated along the chosen direction",
                                     "the projections could not be certified distinct")
        dmin = gaps[0]
        for g in gaps[1:]:
            dmin = dmin.min(g)
        return dmin.lower(), (ts[-1] - ts[0]).upper()

    def _sigma(self, x: flint.arb, prec: int) -> flint.arb:
        (v,) = compile_program([self.sigma.expr], [sympy.Symbol("t", real=True)]).run(ArbContext(prec), [x])
        return v

    def _alpha0_bounded(self, prec: int) -> dict[str, Any]:
        N = self.N
        mu, gamma = (flint.arb(flint.fmpq(int(v.p), int(v.q))) if v.is_Rational else
                     compile_program([v], []).run(ArbContext(prec), [])[0] for v in self.sigma.limits)
        dmin, _ = self._delta_bounds(prec)
        (sb,) = compile_program([self.sigma(self.beta)], []).run(ArbContext(prec), [])
        frob = limit_inverse_frobenius(mu, gamma, sb, N, prec)
        if frob is None:
            return {"alpha0": None, "proved": False, "argument": "mu - sigma(beta) is not certified nonzero: the "
                    "limit matrix is not proved invertible"}
        smin = (1 / frob).lower()
        factor = flint.arb(N * (N - 1)).sqrt()
        target = smin / factor
        beta = flint.arb(flint.fmpq(int(self.beta.p), int(self.beta.q)))

        def eps(a: flint.arb) -> flint.arb:
            return (gamma - self._sigma(a * dmin + beta, prec)).max(self._sigma(beta - a * dmin, prec) - mu)

        return _first_alpha(eps, target, flint.fmpq(1), "perturbation of the limit matrix",
                            {"s_min_lower": smin, "D": dmin})

    def _alpha0_growth(self, prec: int) -> dict[str, Any]:
        N = self.N
        rho = self.sigma.growth.data
        r1, r2, r3, r4 = (compile_program([sympy.sympify(v)], []).run(ArbContext(prec), [])[0] for v in rho)
        dmin, dmax = self._delta_bounds(prec)
        beta = flint.arb(flint.fmpq(int(self.beta.p), int(self.beta.q)))
        sb = self._sigma(beta, prec)
        if not (sb > 0 or sb < 0):
            raise AssumptionViolated("beta", "sigma(beta) != 0 (Lemma 4.3, type 2b)", f"beta = {self.beta}")
        target = abs(sb) ** (N - 1)
        count = flint.arb(math.factorial(N) - 1)
        start = flint.arb(N - 2) / (r2 * dmin)
        alpha = flint.fmpq(1)
        while not flint.arb(alpha) > start:  # the bound decreases in alpha from `start` on
            alpha *= 2

        def bound(a: flint.arb) -> flint.arb:
            M = abs(sb).max(r3 * (a * dmax + abs(beta)) + r4).max(r1 * (r2 * abs(beta)).exp())
            return count * r1 * (r2 * beta).exp() * (-(r2 * a * dmin)).exp() * M ** max(N - 2, 0)

        return _first_alpha(bound, target, alpha, "Leibniz bound on the non-identity terms",
                            {"monotone_from": start, "D": dmin})

    def witness(self, alpha: Any, prec: int = 128, *, through_network: bool = False) -> Any:
        """Certify ``rank([F_k, 1_N]) = N`` at the constructed parameters.

        By default this is :func:`~proofkit.certify.leibniz.certify_leibniz_witness`: a
        ``leibniz_witness`` certificate that stores the recipe (sigma, X, a, alpha, beta, k) and that
        the kernel re-checks by rebuilding ``E(alpha)``, for any N up to 4000. With
        ``through_network=True`` the matrix is instead obtained by evaluating the network's layers
        1..k at :meth:`parameters` (a ``rank_at_least`` certificate that holds the matrix only while it
        has at most 10,000 entries): an independent check that the recipe is the network.
        """
        from proofkit.certify import certify_full_rank

        if not through_network:
            from proofkit.certify.leibniz import certify_leibniz_witness

            return certify_leibniz_witness(self, alpha)
        vals = self.parameters(alpha)
        _, F = self.network.forward(self.X)
        symbols = list(vals)
        import symengine as se

        se_syms = [se.Symbol(s.name) for s in symbols]
        rows = F[self.k]
        flat = compile_program([e for row in rows for e in row], se_syms).run(
            ArbContext(prec), [_ball(vals[s], prec) for s in symbols])
        n = self.network.widths[self.k]
        mat = [flat[i * n:(i + 1) * n] + [flint.arb(1)] for i in range(self.N)]
        return certify_full_rank(mat, max_prec=max(prec, 256))


def _first_alpha(decreasing: Any, target: flint.arb, alpha: flint.fmpq, argument: str,
                 extra: dict[str, flint.arb], doublings: int = 400) -> dict[str, Any]:
    """The first ``alpha = start * 2^j`` at which the (decreasing) certified bound is below ``target``."""
    for _ in range(doublings):
        value = decreasing(flint.arb(alpha))
        if value < target:
            return {"alpha0": alpha, "proved": True, "bound": value.str(10, radius=True),
                    "threshold": target.str(10, radius=True), "argument": argument,
                    **{k: v.str(10, radius=True) for k, v in extra.items()}}
        alpha *= 2
    return {"alpha0": None, "proved": False, "argument": f"no alpha below 2^{doublings} times the start found"}


def limit_inverse_frobenius(mu: flint.arb, gamma: flint.arb, s: flint.arb, N: int, prec: int = 128) -> flint.arb | None:
    """An enclosure of ``||L^-1||_F`` for Lemma 4.3's limit matrix, in O(N) ball operations (no N x N inverse).

    ``L = [1_N, M]`` with ``M_ij = gamma`` above the diagonal (j > i), ``s = sigma(beta)`` on it and ``mu`` below
    (i < N, j < N - 1). Column by column: subtracting row i - 1 from row i (i >= 1) turns ``L x = y`` into
    ``U x = D y`` with U upper triangular (row 0 of L; then ``a = mu - s`` on the diagonal and ``b = s - gamma``
    right of it), ``det L = a^(N-1)``. Back substitution with ``rho = -b/a`` gives the columns of ``L^-1``:
    column 0 is ``(1 + s/a, -1/a, 0, ...)``; column k (``1 <= k <= N - 2``) has ``x_i = rho^(k-i) (1 - rho)/a``
    (``1 <= i <= k``), ``x_(k+1) = -1/a`` and ``x_0 = rho^(k-1) (gamma - s (1 - rho))/a``; the last column has
    ``x_i = rho^(N-1-i)/a`` (i >= 1) and ``x_0 = -(s rho^(N-2) + gamma (1 + rho + ... + rho^(N-3)))/a``. The
    squared norms are sums of geometric terms, accumulated in Arb. Returns None if ``a`` is not certified nonzero
    (then L may be singular).

    Guarantee
    ---------
    The ball contains ``||L^-1||_F`` for every ``mu``, ``gamma``, ``s`` in the given balls (ball arithmetic on
    an exact formula; differential-tested against exact rational inverses and against the kernel's row-wise
    formula).

    Examples
    --------
    >>> import flint
    >>> F = limit_inverse_frobenius(flint.arb(0), flint.arb(1), flint.arb(0.5), 3)  # (sigmoid, beta = 0, N = 3)
    >>> (F * F).contains(33)  # the exact ||L^-1||_F^2
    True
    """
    if N < 2:
        raise InvalidInput("N", "at least 2 samples", N)
    with arb_precision(prec):
        a = mu - s
        if not (a > 0 or a < 0):
            return None
        rho = (gamma - s) / a
        c = gamma - s * (1 - rho)
        x0, inv2, slope = 1 + s / a, 1 / (a * a), (1 - rho) / a  # (x * x: Arb's power of a ball around 0 is NaN)
        total = x0 * x0 + inv2  # column 0
        geo, power = flint.arb(0), flint.arb(1)  # S(k) = sum_(m < k) rho^(2m) and rho^(2(k-1))
        for _ in range(1, N - 1):
            geo += power
            total += slope * slope * geo + (1 + power * c * c) * inv2
            power *= rho * rho
        last, q, partial = flint.arb(0), flint.arb(1), flint.arb(0)  # the last column: q = rho^(N-1-i)
        for _ in range(N - 2):
            last += q * q
            partial += q  # 1 + rho + ... + rho^(N-3)
            q *= rho
        last += q * q  # q = rho^(N-2): the entry x_1
        x0 = -(s * q + gamma * partial) / a
        total += last * inv2 + x0 * x0
        return total.sqrt() if total.is_finite() and total > 0 else None


def _ball(value: sympy.Expr, prec: int) -> flint.arb:
    (v,) = compile_program([value], []).run(ArbContext(prec), [])
    return v


def leibniz_construction(X: Any, widths: list[int], k: int, sigma: Any = "sigmoid", beta: Any = 0,
                         ) -> LeibnizConstruction:
    """Set up Lemma 4.3's construction for data X, widths ``[d, n_1, ..., m]`` and layer k.

    Raises
    ------
    AssumptionViolated
        Duplicate samples (Assumption 3.2(1)), ``n_k < N - 1``, or an activation
        that is not analytic, strictly increasing and bounded or of type (2b).

    Examples
    --------
    >>> c = leibniz_construction([[0], [1], [3]], [1, 2, 1], k=1)
    >>> c.limit_det
    1/4
    """
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__") or len(list(widths)) < 3 or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1 for n in widths):
        raise InvalidInput("widths", "a list [d, n_1, ..., m] of at least three positive integers", repr(widths))
    widths = [int(n) for n in widths]
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise InvalidInput("k", "an integer layer index", repr(k))
    k = int(k)
    rows = as_exact_matrix(X, "X", columns=widths[0])
    require_distinct_rows(rows, "X", _DISTINCT)
    N = len(rows)
    if not 1 <= k < len(widths) - 1:
        raise InvalidInput("k", f"a hidden layer index in 1..{len(widths) - 2}", repr(k))
    if widths[k] < N - 1:
        raise AssumptionViolated("widths", f"n_k >= N - 1 = {N - 1} (Lemma 4.3)", f"n_{k} = {widths[k]}")
    act = activation(sigma)
    act.require("analytic", "Assumption 3.2(2)")
    act.require("strictly_increasing", "Assumption 3.2(2)")
    if act.bounded.value is True:
        kind = "bounded"
    elif act.growth.value is True:
        kind = "growth"
    else:
        raise AssumptionViolated("sigma", "a bounded activation or one of type (2b) (Assumption 3.2(2))",
                                 f"{act.name}: {act.bounded.reason}; {act.growth.reason}")
    net = Network(widths, activation=act, output_activation="identity", bias=True)
    a = separating_direction(rows)
    proj = [sum(ai * xi for ai, xi in zip(a, x)) for x in rows]
    order = sorted(range(N), key=lambda i: proj[i])
    t = [proj[i] for i in order]
    for _ in range(1, k):  # each layer below k maps <a, z> to sigma(<a, z>) in every unit; order is kept
        t = [act(v) for v in t]
    beta = exact_constant(beta, "beta")
    samples_sorted = [rows[i] for i in order]
    return LeibnizConstruction(net, samples_sorted, k, act, kind, beta, a, order, t)
