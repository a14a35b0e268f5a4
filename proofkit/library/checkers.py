"""Instance checkers of the seed library: concrete, seeded, reproducible certificates, each with its declaration.

Each checker returns certificates (re-checked by the kernel when attached to
the claim graph) or raises :class:`~proofkit.errors.AssumptionViolated` when
the instance does not meet the hypotheses of the claim it instantiates. Next to
each checker ``foo`` is its declaration ``foo_expected``: the certificates it
produces (claim types and the inputs its definition fixes, see
:mod:`proofkit.claims.expect`), computed from the same data without certifying
anything; it raises :class:`~proofkit.errors.AssumptionViolated` exactly when
the checker does. Both use the same data functions (``_lemma_2_1_objectives``,
``_nonconvexity_matrices``, ...), so they cannot describe different instances.
"""

from __future__ import annotations

from typing import Any

import sympy

from proofkit.certificate import Certificate, fmpq_to_str
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
from proofkit.claims.expect import Expected, dag_inputs, identity_inputs, leibniz_inputs, matrix_inputs
from proofkit.errors import AssumptionViolated
from proofkit.symbolic import Network
from proofkit.symbolic.leibniz import leibniz_construction

__all__ = [
    "lemma_2_1_instance",
    "lemma_2_1_expected",
    "definition_3_7_expected",
    "nonconvexity_expected",
    "lemma_4_3_expected",
    "relu_counterexample_expected",
    "theorem_3_8_expected",
    "du_gram_expected",
    "du_duplicate_expected",
    "kawaguchi_theorem_1_expected",
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


def _lemma_2_1_objectives() -> list[Any]:
    out = []
    for widths, act, out_act in (([2, 3, 2], "sigmoid", "sigmoid"), ([1, 2, 2, 1], "tanh", "identity")):
        net = Network(widths, activation=act, output_activation=out_act)
        X = [[sympy.Rational(i + j, 3) for j in range(widths[0])] for i in range(3)]
        Y = [[sympy.Rational((i * 7 + j) % 5, 4) for j in range(widths[-1])] for i in range(3)]
        out.append(net.loss(X, Y))
    return out


def lemma_2_1_instance() -> list[Certificate]:
    """Lemma 2.1 on two networks: backpropagation gradient == direct differentiation (by expansion)."""
    return [certify_identity(obj.backprop_gradient(), obj.gradient(), obj.params) for obj in _lemma_2_1_objectives()]


def lemma_2_1_expected() -> list[Expected]:
    """The declaration of :func:`lemma_2_1_instance`: the two identities, both sides as DAGs."""
    return [Expected("identity", identity_inputs(obj.backprop_gradient(), obj.gradient(), obj.params),
                     what=f"backpropagation = gradient, network {i}")
            for i, obj in enumerate(_lemma_2_1_objectives(), 1)]


_HX = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
_HY = [[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]]
#: The matrices of the examples after Definition 3.7, with what is certified about each.
_DEF_3_7 = (("rank_deficient", _HX, "H(x) is singular"), ("nonsingular", [[1, 0], [0, 1]], "H(x) on {x1, x2}"),
            ("nonsingular", _HY, "H(y) is non-singular"), ("rank_deficient", [[0, 0], [0, 0]], "H(y) on {y3, y4}"))


def definition_3_7_example() -> list[Certificate]:
    """The 4x4 examples after Definition 3.7: H(x) singular but non-degenerate on {x1, x2}; H(y) the reverse."""
    certify = {"rank_deficient": certify_rank_deficient, "nonsingular": certify_nonsingular}
    return [certify[t](M) for t, M, _ in _DEF_3_7]


def definition_3_7_expected() -> list[Expected]:
    """The declaration of :func:`definition_3_7_example`: the four matrices' hashes."""
    return [Expected(t, matrix_inputs(M), what=what) for t, M, what in _DEF_3_7]


def _nonconvexity_matrices() -> tuple[Any, Any]:
    w1, w2, x = sympy.symbols("w_1 w_2 x")
    lin = sympy.hessian(w2 * w1 * x, (w1, w2)).subs(x, 1)
    sig = sympy.hessian(w2 / (1 + sympy.exp(-w1 * x)), (w1, w2))
    return lin, matrix_at(sig, {w1: sympy.Rational(1, 2), w2: 1, x: 1}, prec=128)


def nonconvexity_instance() -> list[Certificate]:
    """The lecture notes' example: Hessians of w2*w1*x (x = 1) and w2*sigma(w1 x) are certified indefinite."""
    return [certify_indefinite(M) for M in _nonconvexity_matrices()]


def nonconvexity_expected() -> list[Expected]:
    """The declaration of :func:`nonconvexity_instance`: the two Hessians' hashes (the second an Arb enclosure)."""
    lin, at = _nonconvexity_matrices()
    return [Expected("indefinite", matrix_inputs(lin), what="Hessian of w2 w1 x"),
            Expected("indefinite", matrix_inputs(at), what="Hessian of w2 sigma(w1 x) at (1/2, 1)")]


def lemma_4_3_instance(X: Any, widths: list[int], k: int, sigma: str, beta: Any = 0) -> list[Certificate]:
    """Lemma 4.3's construction: the explicit alpha_0 and a certified witness ``rank[F_k, 1_N] = N`` at it.

    For a bounded sigma, "det E(alpha) != 0 for every alpha >= alpha_0" is a kernel-checked certificate
    (:func:`~proofkit.certify.leibniz.certify_leibniz_alpha0`); for type (2b) only the witness at alpha_0 is.
    """
    con, alpha0 = _lemma_4_3(X, widths, k, sigma, beta)
    if con.kind == "bounded":
        from proofkit.certify.leibniz import certify_leibniz_alpha0

        return [certify_leibniz_alpha0(con, alpha0), con.witness(alpha0)]
    return [con.witness(alpha0)]


def _lemma_4_3(X: Any, widths: list[int], k: int, sigma: str, beta: Any = 0) -> tuple[Any, Any]:
    """The construction and its alpha_0 (a cheap search; the certificates re-prove what matters)."""
    con = _construction(X, widths, k, sigma, beta)
    proof = con.alpha0()
    if not proof["proved"]:
        raise RuntimeError(f"no alpha_0 found: {proof['argument']}")
    return con, proof["alpha0"]


#: Lemma 4.3's constructions already built in this process (checkers and declarations share them).
_CONSTRUCTIONS: dict[str, Any] = {}


def _construction(X: Any, widths: list[int], k: int, sigma: str, beta: Any = 0) -> Any:
    key = repr((X, widths, k, sigma, beta))
    if key not in _CONSTRUCTIONS:
        _CONSTRUCTIONS[key] = leibniz_construction(X, widths, k, sigma, beta)
    return _CONSTRUCTIONS[key]


def lemma_4_3_expected(X: Any, widths: list[int], k: int, sigma: str, beta: Any = 0) -> list[Expected]:
    """The declaration of :func:`lemma_4_3_instance`: alpha_0 (bounded sigma) and the witness at alpha_0, with the
    construction's recipe; raises :class:`~proofkit.errors.AssumptionViolated` as the construction does."""
    con, alpha0 = _lemma_4_3(X, widths, k, sigma, beta)
    a0, witness = leibniz_inputs(con, alpha0)
    out = [Expected("leibniz_alpha0", a0, what="alpha_0")] if con.kind == "bounded" else []
    return [*out, Expected("leibniz_witness", witness, what="rank [F_k, 1_N] = N at alpha_0")]


#: ReLU data, first-layer box (centres, radii) and width of :func:`relu_counterexample`.
_RELU = ([[1], [2], [3]], [1, 1, 1, 1], [sympy.Rational(1, 2)] * 4, 2)


def relu_counterexample() -> list[Certificate]:
    """ReLU: rank([F_1, 1_N]) < N on an open box of first-layer parameters (n_1 = N - 1 = 2)."""
    return [certify_relu_linear_region(*_RELU)]


def relu_counterexample_expected() -> list[Expected]:
    """The declaration of :func:`relu_counterexample`: the data, width and first-layer box."""
    X, centers, radii, width = _RELU
    q = [[fmpq_to_str(int(v)) for v in x] for x in X]
    return [Expected("relu_linear_region", {"X": q, "width": width, "centers": [str(c) for c in centers],
                                            "radii": [str(r) for r in radii]}, what="rank deficiency on the box")]


#: Interpolating points already computed in this process (the checkers and their declarations share them).
_INTERPOLATING: dict[str, Any] = {}


def _interpolating_point(X: list[list[Any]], Y: list[list[Any]], sigma: str
                         ) -> tuple[Any, dict[Any, Any], dict[Any, Any]]:
    """:func:`_compute_interpolating_point`, once per process for the same data."""
    key = repr((X, Y, sigma))
    if key not in _INTERPOLATING:
        _INTERPOLATING[key] = _compute_interpolating_point(X, Y, sigma)
    return _INTERPOLATING[key]


def _compute_interpolating_point(X: list[list[Any]], Y: list[list[Any]], sigma: str
                                 ) -> tuple[Any, dict[Any, Any], dict[Any, Any]]:
    """A wide network whose layer 1 comes from Lemma 4.3 and whose layer 2 interpolates the data.

    Returns the objective, the exact layer-1 values and rational layer-2 values accurate to
    about 50 digits (the slice problem is a linear system, solved with mpmath at 60 digits).
    """
    import mpmath

    N = len(X)
    widths = [len(X[0]), N - 1, 1]
    con = _construction(X, widths, 1, sigma)
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
    X, Y, widths = _theorem_3_8_data(X, Y, widths)
    obj, first, upper_values = _interpolating_point(X, Y, sigma)
    upper = obj.network.layer_params(2)
    rank_cert = lemma_4_3_instance(X, widths, 1, sigma)[-1]
    grad = obj.gradient()
    centre = [upper_values[p] for p in upper]
    crit = certify_strict_local_min(grad, None, centre, _THEOREM_3_8_RADIUS, variables=obj.params,
                                    fixed=first, loss=obj.expr)
    return [rank_cert, crit]


_THEOREM_3_8_RADIUS = sympy.Rational(1, 10**30)


def _theorem_3_8_data(X: Any, Y: Any, widths: list[int] | None) -> tuple[Any, Any, list[int]]:
    X = X if X is not None else DEFAULT_X[:4]
    Y = Y if Y is not None else DEFAULT_Y[:4]
    N = len(X)
    widths = widths or [len(X[0]), N - 1, 1]
    if widths[1] < N - 1:
        raise AssumptionViolated("widths", f"a layer with n_k >= N - 1 = {N - 1} (Theorem 3.8)",
                                 f"widths {widths}: n_1 = {widths[1]}")
    return X, Y, widths


def theorem_3_8_expected(X: Any = None, Y: Any = None, widths: list[int] | None = None,
                         sigma: str = "sigmoid") -> list[Expected]:
    """The declaration of :func:`theorem_3_8_instance`: the rank witness, and a strict minimum on the layer-2 slice
    of this loss in the box of radius 1e-30 around the interpolating point (narrow widths raise as the checker does)."""
    X, Y, widths = _theorem_3_8_data(X, Y, widths)
    obj, first, upper_values = _interpolating_point(X, Y, sigma)
    upper = obj.network.layer_params(2)
    fixed = sorted(first, key=lambda s: s.name)
    free = [p for p in obj.params if p not in first]
    box = {"centers": [fmpq_to_str(_q(upper_values[p])) for p in upper] + [fmpq_to_str(_q(first[p])) for p in fixed],
           "radii": [fmpq_to_str(_q(_THEOREM_3_8_RADIUS))] * len(free) + ["0"] * len(fixed),
           "loss": dag_inputs([obj.expr], free + fixed), "compare": "none"}
    return [lemma_4_3_expected(X, widths, 1, sigma)[-1],
            Expected("local_min", box, what="the interpolating point on the layer-2 slice")]


def _q(v: Any) -> Any:
    from proofkit.numeric.contexts import to_fmpq

    return to_fmpq(v)


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


def _du_gram() -> sympy.Matrix:
    return _gram_h_infinity(_unit_vectors([0, 60, 90, 150, 210]))


def _du_duplicate() -> sympy.Matrix:
    return _gram_h_infinity(_unit_vectors([0, 60, 120, 120]))


def du_gram_instance() -> list[Certificate]:
    """lambda_0 = lambda_min(H^inf) > 0 for unit vectors at 0, 60, 90, 150 and 210 degrees (exact rationals)."""
    H = _du_gram()
    return [certify_positive_definite(H), enclose_eigenvalues(H)]


def du_gram_expected() -> list[Expected]:
    """The declaration of :func:`du_gram_instance`: positive definiteness and eigenvalues of this H^inf."""
    inputs = matrix_inputs(_du_gram())
    return [Expected("positive_definite", inputs, what="H^inf is positive definite"),
            Expected("eigenvalues", inputs, what="the eigenvalues of H^inf")]


def du_duplicate_instance() -> list[Certificate]:
    """A duplicated sample makes H^inf singular: lambda_0 = 0, certified by exact rank.

    The angles 0, 60, 120, 120 degrees make every inner product rational (1, 1/2, -1/2), and
    then every entry of H^inf is rational, so the rank is computed exactly.
    """
    return [certify_rank_deficient(_du_duplicate())]


def du_duplicate_expected() -> list[Expected]:
    """The declaration of :func:`du_duplicate_instance`: the rank deficiency of this H^inf."""
    return [Expected("rank_deficient", matrix_inputs(_du_duplicate()), what="H^inf is singular")]


def _kawaguchi_jacobian() -> Any:
    obj, first, upper = _interpolating_point(DEFAULT_X[:4], DEFAULT_Y[:4], "sigmoid")
    point = {**first, **upper}
    return matrix_at(obj.jacobian(), [point[p] for p in obj.params], prec=256)


def kawaguchi_theorem_1_instance() -> list[Certificate]:
    """At the interpolating critical point of :func:`theorem_3_8_instance`, the Jacobian of the outputs has
    certified rank N = M d_y: the gradient basis spans the output space, so inf_alpha L_theta(alpha) = 0 = L(theta)."""
    return [certify_full_rank(_kawaguchi_jacobian())]


def kawaguchi_theorem_1_expected() -> list[Expected]:
    """The declaration of :func:`kawaguchi_theorem_1_instance`: full rank of this Jacobian enclosure."""
    J = _kawaguchi_jacobian()
    return [Expected("rank_at_least", matrix_inputs(J, r=min(J.shape)), what="the Jacobian has full rank")]
