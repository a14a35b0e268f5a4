"""Instance checkers of the seed library: concrete, seeded, reproducible certificates.

Each function returns certificates (re-checked by the kernel when attached to
the claim graph) or raises :class:`~proofkit.errors.AssumptionViolated` when
the instance does not meet the hypotheses of the claim it instantiates.
"""

from __future__ import annotations

from typing import Any

import sympy

from proofkit.certificate import Certificate
from proofkit.certify import (
    certify_full_rank,
    certify_identity,
    certify_indefinite,
    certify_nonsingular,
    certify_positive_definite,
    certify_rank_deficient,
    certify_relu_linear_region,
    certify_strict_local_min,
    enclose_eigenvalues,
    matrix_at,
)
from proofkit.errors import AssumptionViolated
from proofkit.symbolic import Network
from proofkit.symbolic.leibniz import leibniz_construction

__all__ = [
    "lemma_2_1_instance",
    "definition_3_7_example",
    "nonconvexity_instance",
    "lemma_4_3_instance",
    "relu_counterexample",
    "theorem_3_8_instance",
    "du_gram_instance",
    "du_duplicate_instance",
    "kawaguchi_theorem_1_instance",
    "DEFAULT_X",
    "DEFAULT_Y",
]

#: The default exact data set (N = 5 distinct samples in R^2) and targets.
DEFAULT_X = [[0, 0], [1, 0], [0, 1], [1, 1], [sympy.Rational(1, 2), 2]]
DEFAULT_Y = [[0], [1], [1], [0], [sympy.Rational(1, 2)]]


def lemma_2_1_instance() -> list[Certificate]:
    """Lemma 2.1 on two networks: backpropagation gradient == direct differentiation (by expansion)."""
    out = []
    for widths, act, out_act in (([2, 3, 2], "sigmoid", "sigmoid"), ([1, 2, 2, 1], "tanh", "identity")):
        net = Network(widths, activation=act, output_activation=out_act)
        X = [[sympy.Rational(i + j, 3) for j in range(widths[0])] for i in range(3)]
        Y = [[sympy.Rational((i * 7 + j) % 5, 4) for j in range(widths[-1])] for i in range(3)]
        obj = net.loss(X, Y)
        out.append(certify_identity(obj.backprop_gradient(), obj.gradient(), obj.params))
    return out


def definition_3_7_example() -> list[Certificate]:
    """The 4x4 examples after Definition 3.7: H(x) singular but non-degenerate on {x1, x2}; H(y) the reverse."""
    Hx = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    Hy = [[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]]
    return [certify_rank_deficient(Hx), certify_nonsingular([[1, 0], [0, 1]]), certify_nonsingular(Hy),
            certify_rank_deficient([[0, 0], [0, 0]])]


def nonconvexity_instance() -> list[Certificate]:
    """The lecture notes' example: Hessians of w2*w1*x (x = 1) and w2*sigma(w1 x) are certified indefinite."""
    w1, w2, x = sympy.symbols("w_1 w_2 x")
    lin = sympy.hessian(w2 * w1 * x, (w1, w2)).subs(x, 1)
    sig = sympy.hessian(w2 / (1 + sympy.exp(-w1 * x)), (w1, w2))
    at = matrix_at(sig, {w1: sympy.Rational(1, 2), w2: 1, x: 1}, prec=128)
    return [certify_indefinite(lin), certify_indefinite(at)]


def lemma_4_3_instance(X: Any, widths: list[int], k: int, sigma: str, beta: Any = 0) -> list[Certificate]:
    """Lemma 4.3's construction: the explicit alpha_0 and a certified witness ``rank[F_k, 1_N] = N`` at it.

    For a bounded sigma, "det E(alpha) != 0 for every alpha >= alpha_0" is a kernel-checked certificate
    (:func:`~proofkit.certify.leibniz.certify_leibniz_alpha0`); for type (2b) only the witness at alpha_0 is.
    """
    con = leibniz_construction(X, widths, k, sigma, beta)
    proof = con.alpha0()
    if not proof["proved"]:
        raise RuntimeError(f"no alpha_0 found: {proof['argument']}")
    if con.kind == "bounded":
        from proofkit.certify.leibniz import certify_leibniz_alpha0

        return [certify_leibniz_alpha0(con, proof["alpha0"]), con.witness(proof["alpha0"])]
    return [con.witness(proof["alpha0"])]


def relu_counterexample() -> list[Certificate]:
    """ReLU: rank([F_1, 1_N]) < N on an open box of first-layer parameters (n_1 = N - 1 = 2)."""
    X = [[1], [2], [3]]
    half = sympy.Rational(1, 2)
    return [certify_relu_linear_region(X, [1, 1, 1, 1], [half] * 4, 2)]


def _interpolating_point(X: list[list[Any]], Y: list[list[Any]], sigma: str
                         ) -> tuple[Any, dict[Any, Any], dict[Any, Any]]:
    """A wide network whose layer 1 comes from Lemma 4.3 and whose layer 2 interpolates the data.

    Returns the objective, the exact layer-1 values and rational layer-2 values accurate to
    about 50 digits (the slice problem is a linear system, solved with mpmath at 60 digits).
    """
    import mpmath

    N = len(X)
    widths = [len(X[0]), N - 1, 1]
    con = leibniz_construction(X, widths, 1, sigma)
    alpha = con.alpha0()["alpha0"]
    obj = Network(widths, activation=sigma).loss(con.X, [Y[i] for i in con.order])
    first = con.parameters(sympy.Rational(int(alpha.p), int(alpha.q)))
    with mpmath.workdps(60):
        Fm = mpmath.matrix([[mpmath.mpf(str(sympy.N(v, 60))) for v in row] + [1]
                            for row in obj.F(1).subs(first).tolist()])
        ym = mpmath.matrix([mpmath.mpf(str(y[0])) for y in obj.Y])
        sol = mpmath.lu_solve(Fm, ym)
    upper = {p: sympy.Rational(mpmath.nstr(v, 50)) for p, v in zip(obj.network.layer_params(2), sol)}
    return obj, first, upper


def theorem_3_8_instance(X: Any = None, Y: Any = None, widths: list[int] | None = None,
                         sigma: str = "sigmoid") -> list[Certificate]:
    """Theorem 3.8 / Corollary 3.9 on a wide network (n_1 >= N - 1), squared loss, linear output.

    Layer 1 is set by Lemma 4.3 (so ``rank([F_1, 1]) = N`` is certified); layer 2 is
    the unique interpolating solution. Certified: the rank, and that on the slice
    of layer-2 parameters the point is the unique critical point in a box with a
    positive definite block Hessian (non-degenerate on I = {2}); there Phi = 0,
    the global minimum of the squared loss.
    """
    X = X if X is not None else DEFAULT_X[:4]
    Y = Y if Y is not None else DEFAULT_Y[:4]
    N = len(X)
    widths = widths or [len(X[0]), N - 1, 1]
    if widths[1] < N - 1:
        raise AssumptionViolated("widths", f"a layer with n_k >= N - 1 = {N - 1} (Theorem 3.8)",
                                 f"widths {widths}: n_1 = {widths[1]}")
    obj, first, upper_values = _interpolating_point(X, Y, sigma)
    upper = obj.network.layer_params(2)
    rank_cert = lemma_4_3_instance(X, widths, 1, sigma)[-1]
    grad = obj.gradient()
    centre = [upper_values[p] for p in upper]
    crit = certify_strict_local_min(grad, None, centre, sympy.Rational(1, 10**30), variables=obj.params,
                                    fixed=first, loss=obj.expr)
    return [rank_cert, crit]


def _unit_vectors(angles_deg: list[int]) -> list[list[sympy.Expr]]:
    return [[sympy.cos(sympy.pi * a / 180), sympy.sin(sympy.pi * a / 180)] for a in angles_deg]


def _gram_h_infinity(X: list[list[sympy.Expr]]) -> sympy.Matrix:
    """``H^inf_ij = x_i^T x_j (pi - arccos(x_i^T x_j)) / (2 pi)`` (Du et al. 2019), simplified exactly."""
    N = len(X)

    def entry(i: int, j: int) -> sympy.Expr:
        ip = sympy.nsimplify(sympy.simplify(sum(a * b for a, b in zip(X[i], X[j]))))
        ip = sympy.Max(-1, sympy.Min(1, ip)) if not ip.is_Rational else ip
        return sympy.simplify(ip * (sympy.pi - sympy.acos(ip)) / (2 * sympy.pi))

    return sympy.Matrix(N, N, entry)


def du_gram_instance() -> list[Certificate]:
    """lambda_0 = lambda_min(H^inf) > 0 for unit vectors at 0, 60, 90, 150 and 210 degrees (exact rationals)."""
    H = _gram_h_infinity(_unit_vectors([0, 60, 90, 150, 210]))
    return [certify_positive_definite(H), enclose_eigenvalues(H)]


def du_duplicate_instance() -> list[Certificate]:
    """A duplicated sample makes H^inf singular: lambda_0 = 0, certified by exact rank.

    The angles 0, 60, 120, 120 degrees make every inner product rational (1, 1/2, -1/2), and
    then every entry of H^inf is rational, so the rank is computed exactly.
    """
    H = _gram_h_infinity(_unit_vectors([0, 60, 120, 120]))
    return [certify_rank_deficient(H)]


def kawaguchi_theorem_1_instance() -> list[Certificate]:
    """At the interpolating critical point of :func:`theorem_3_8_instance`, the Jacobian of the outputs has
    certified rank N = M d_y: the gradient basis spans the output space, so inf_alpha L_theta(alpha) = 0 = L(theta)."""
    obj, first, upper = _interpolating_point(DEFAULT_X[:4], DEFAULT_Y[:4], "sigmoid")
    point = {**first, **upper}
    J = matrix_at(obj.jacobian(), [point[p] for p in obj.params], prec=256)
    return [certify_full_rank(J)]

