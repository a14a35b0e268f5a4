"""The Arb engine's enclosures against exact values and 100-digit references (hypothesis)."""

from fractions import Fraction

import flint
import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from proofkit.errors import CertificateRejected
from proofkit.kernel import check_certificate
from proofkit.kernel.dag import decode_dag
from proofkit.kernel.engine import NotAnalyticOnBox, Tape, dense_gradient, dense_hessian, evaluate
from proofkit.kernel.linalg import ball_matrix_pd, member_pd
from proofkit.kernel.linalg import krawczyk_image as krawczyk
from proofkit.numeric.float_engine import FloatTape
from proofkit.symbolic.dag import to_dag
from proofkit.testing.mutants import rehash

X, Y = sympy.symbols("x y")
VARS = [X, Y]

# -- random smooth expressions in x, y ------------------------------------------------------------------------
leaf = st.sampled_from([X, Y, sympy.Rational(1, 3), sympy.Rational(-5, 2), sympy.Integer(2), sympy.pi])


def _combine(children):
    unary = st.sampled_from([sympy.sin, sympy.cos, sympy.tanh, sympy.atan, sympy.exp, sympy.erf,
                             lambda e: sympy.sqrt(1 + e**2), lambda e: sympy.log(2 + sympy.sin(e)),
                             lambda e: sympy.acos(sympy.tanh(e) / 2), lambda e: e**3, lambda e: 1 / (1 + e**2)])
    return st.one_of(
        st.builds(lambda f, a: f(a), unary, children),
        st.builds(lambda a, b: a + b, children, children),
        st.builds(lambda a, b: a * b, children, children),
    )


expressions = st.recursive(leaf, _combine, max_leaves=8)
points = st.tuples(st.fractions(-2, 2, max_denominator=50), st.fractions(-2, 2, max_denominator=50))


def _ref(expr, x, y):
    with mpmath.workdps(100):
        return sympy.N(expr.subs({X: sympy.Rational(x.numerator, x.denominator),
                                  Y: sympy.Rational(y.numerator, y.denominator)}), 100)


def _in(ball, ref) -> bool:
    """The 100-digit reference lies in the ball (its own error, ~1e-95, is far below the ball's radius)."""
    from proofkit.kernel.engine import arb_precision

    with arb_precision(340):
        r = flint.arb(str(sympy.Float(ref, 100)))
    return bool(ball.overlaps(r))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, points)
def test_value_gradient_hessian_enclose_100_digit_references(expr, pt):
    expr = sympy.sympify(expr)
    x, y = pt
    exact_pt = [flint.fmpq(x.numerator, x.denominator), flint.fmpq(y.numerator, y.denominator)]
    tape = Tape(decode_dag(to_dag(expr, VARS)))
    try:
        (jet,) = evaluate(tape, [flint.arb(v) for v in exact_pt], order=2, prec=200)
    except NotAnalyticOnBox:
        return  # e.g. log of something not positive: refusing is always allowed
    refs = [_ref(expr, x, y)]
    grads = [expr.diff(v) for v in VARS]
    refs_g = [_ref(g, x, y) for g in grads]
    refs_h = [[_ref(g.diff(v), x, y) for v in VARS] for g in grads]
    if not all(r.is_finite for r in refs + refs_g + [h for row in refs_h for h in row]):
        return
    assert _in(jet.value, refs[0])
    g = dense_gradient(jet, 2)
    H = dense_hessian(jet, 2)
    for i in range(2):
        assert _in(g[i], refs_g[i])
        for j in range(2):
            assert _in(H[i, j], refs_h[i][j])
    # the box version encloses the point values at sampled points of the box
    box = [flint.arb(v).union(flint.arb(v + flint.fmpq(1, 1000))) for v in exact_pt]
    try:
        (bj,) = evaluate(tape, box, order=2, prec=80)
    except NotAnalyticOnBox:
        return
    assert bj.value.contains(jet.value) or bj.value.overlaps(jet.value)
    for i in range(2):
        assert dense_gradient(bj, 2)[i].overlaps(g[i])


def test_float_engine_matches_arb_engine():
    expr = sympy.sin(X * Y) + sympy.exp(X) * Y**2 + sympy.sqrt(1 + X**2)
    tape = Tape(decode_dag(to_dag(expr, VARS)))
    ft = FloatTape(tape)
    pts = np.array([[0.3, -1.2], [1.5, 0.25]])
    F, G = ft.value_and_grad(pts)
    for p, f, gr in zip(pts, F, G):
        (jet,) = evaluate(tape, [flint.arb(v) for v in p], order=2, prec=64)
        assert abs(float(jet.value.mid()) - f) < 1e-13
        assert np.allclose([float(v.mid()) for v in dense_gradient(jet, 2)], gr, atol=1e-13)
        Hf = ft.hessian(p)
        Ha = np.array([[float(dense_hessian(jet, 2)[i, j].mid()) for j in range(2)] for i in range(2)])
        assert np.allclose(Hf, Ha, atol=1e-12)
        assert np.allclose(ft.hvp(p, [1.0, 2.0]), Ha @ [1.0, 2.0], atol=1e-12)
        fs, gs = ft.scalar_value_and_grad()(p)
        assert abs(fs - f) < 1e-13 and np.allclose(gs, gr, atol=1e-13)


def test_compiled_scalar_gradient_follows_branches():
    expr = sympy.Max(X, Y) ** 2 + sympy.Piecewise((X * Y, X < 1), (sympy.exp(X), True)) + sympy.Abs(Y)
    ft = FloatTape(Tape(decode_dag(to_dag(expr, VARS))))
    f = ft.scalar_value_and_grad()
    for p, grad in (([0.5, -2.0], [1.0 - 2.0, 0.5 - 1.0]), ([2.0, 3.0], [np.exp(2.0), 6.0 + 1.0])):
        v, g = f(np.array(p))
        assert np.allclose(g, grad, atol=1e-12)
        assert np.allclose(ft.value_and_grad(np.array([p]))[1][0], grad, atol=1e-12)
    v, g = FloatTape(Tape(decode_dag(to_dag(sympy.log(X) + Y, VARS)))).scalar_value_and_grad()(np.array([-1.0, 0]))
    assert np.isnan(v) and np.all(np.isnan(g))


# -- non-smooth nodes: branch resolution near kinks ------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.fractions(-1, 1, max_denominator=10**6), st.integers(4, 40))
@example(Fraction(1, 7) + Fraction(1, 2**26) + Fraction(1, 10**6), 26)
@example(Fraction(1, 7), 26)
def test_max_is_resolved_or_refused_near_its_kink(c, k):
    expr = sympy.Max(X, sympy.Rational(1, 7)) ** 2 + sympy.Abs(Y - 1)
    tape = Tape(decode_dag(to_dag(expr, VARS)))
    r = flint.fmpq(1, 2**k)
    cx = flint.fmpq(c.numerator, c.denominator)
    with flint.ctx.workprec(300):  # (at 53 bits the ends of [cx - r, cx + r] round outwards, past 1/7 at times)
        box = [flint.arb(cx - r).union(flint.arb(cx + r)), flint.arb(0)]
    straddles = cx - r <= flint.fmpq(1, 7) <= cx + r
    if straddles:
        with pytest.raises(NotAnalyticOnBox, match="max"):
            evaluate(tape, box, order=2, prec=128)
        (v,) = evaluate(tape, box, order=0, value_only=True, prec=128)  # continuity: a value enclosure exists
        with flint.ctx.workprec(300):  # the exact value 50/49 (a 53-bit ball of it is wider than the enclosure)
            truth = flint.arb(flint.fmpq(50, 49))
        assert v.value.contains(truth) or not cx - r <= flint.fmpq(1, 7)
        return
    (jet,) = evaluate(tape, box, order=2, prec=128)
    g = dense_gradient(jet, 2)
    branch_x = cx if cx > flint.fmpq(1, 7) else None
    if branch_x is not None:
        assert g[0].contains(flint.arb(2 * cx))
        assert dense_hessian(jet, 2)[0, 0].contains(2)
    else:
        assert g[0].is_zero()
    assert g[1].contains(-1)  # |y - 1| at y = 0 has slope -1


def test_piecewise_heaviside_sign_branches():
    expr = sympy.Piecewise((X**2, X < 0), (sympy.sin(X), True)) + sympy.Heaviside(Y) + sympy.sign(Y)
    tape = Tape(decode_dag(to_dag(expr, VARS)))
    (jet,) = evaluate(tape, [flint.arb(-1, 0.1), flint.arb(2, 0.1)], order=2, prec=64)
    assert dense_gradient(jet, 2)[0].contains(-2) and dense_gradient(jet, 2)[1].is_zero()
    with pytest.raises(NotAnalyticOnBox, match="piecewise"):
        evaluate(tape, [flint.arb(0, 0.1), flint.arb(2)], order=1, prec=64)
    with pytest.raises(NotAnalyticOnBox, match="heaviside|sign"):
        evaluate(tape, [flint.arb(1), flint.arb(0, 0.1)], order=1, prec=64)
    (v,) = evaluate(tape, [flint.arb(1), flint.arb(0)], order=0, value_only=True, prec=64)
    assert v.value.overlaps(flint.arb(1).sin() + flint.fmpq(1, 2))


def test_value_only_enclosures_at_domain_boundaries():
    expr = sympy.acos(X * Y) + sympy.sqrt(X - Y)
    tape = Tape(decode_dag(to_dag(expr, VARS)))
    (v,) = evaluate(tape, [flint.arb(1), flint.arb(1)], order=0, value_only=True, prec=64)
    assert v.value.contains(0)  # acos(1) + sqrt(0)
    # derivatives are refused on the boundary (exact balls) and value-only evaluation works inside
    with pytest.raises(NotAnalyticOnBox, match="acos|power"):
        evaluate(tape, [flint.arb(1), flint.arb(1)], order=1, prec=64)
    (v,) = evaluate(tape, [flint.arb(1), flint.arb(1 - 2.0**-20, 2.0**-22)], order=0, value_only=True, prec=64)
    assert v.value.contains(sympy.N(sympy.acos(1 - sympy.Rational(1, 2**20)) + sympy.sqrt(sympy.Rational(1, 2**20))))
    # a ball reaching outside the domain is refused, never clamped (the argument could be outside it)
    with pytest.raises(NotAnalyticOnBox, match="acos|power"):
        evaluate(tape, [flint.arb(1, 1e-9), flint.arb(1, 1e-9)], order=0, value_only=True, prec=64)
    with pytest.raises(NotAnalyticOnBox):
        evaluate(tape, [flint.arb(3), flint.arb(3)], order=0, value_only=True, prec=64)  # acos(9): no value


def test_integer_powers_of_balls_around_zero_are_finite():
    tape = Tape(decode_dag(to_dag(X**2 + X**3 * Y, VARS)))
    (jet,) = evaluate(tape, [flint.arb(0, 1e-5), flint.arb(1)], order=2, prec=64)
    assert jet.value.contains(0) and jet.value.rad() < 1e-9
    with pytest.raises(NotAnalyticOnBox):
        evaluate(Tape(decode_dag(to_dag(1 / X, VARS))), [flint.arb(0, 1e-5), flint.arb(1)], order=0, prec=64)


# -- interval linear algebra and the spurious-minimum check ----------------------------------------------------
def test_interval_pd_is_sound_on_random_matrices():
    rng = np.random.default_rng(5)
    for n in (3, 12, 30):
        for _ in range(4):
            A = rng.standard_normal((n, n))
            S = A @ A.T + 0.05 * np.eye(n)
            shift = np.linalg.eigvalsh(S).min()
            for delta in (-2 * shift, 0.5 * shift):  # indefinite or PD
                M = S - (shift + delta) * np.eye(n) if delta < 0 else S
                B = flint.arb_mat([[flint.arb(v, 1e-12) for v in row] for row in M.tolist()])
                truth = np.linalg.eigvalsh(M).min() > 1e-9
                assert ball_matrix_pd(B, 128) <= truth  # never True on an indefinite matrix
                if np.linalg.eigvalsh(M).min() > 1e-3:
                    assert ball_matrix_pd(B, 128)


def test_pd_after_krawczyk_checks_one_symmetric_member_and_refuses_bad_boxes():
    rng = np.random.default_rng(8)
    for n in (2, 9, 40):
        A = rng.standard_normal((n, n))
        S = A @ A.T + 0.1 * np.eye(n)
        for M, pd in ((S, True), (S - (np.linalg.eigvalsh(S).min() + 0.05) * np.eye(n), False)):
            B = flint.arb_mat([[flint.arb(v, 1e-9) for v in row] for row in M.tolist()])
            assert member_pd(B, 128) is pd
    # entries B[i, j] and B[j, i] with no common point contain no symmetric member: refused
    B = flint.arb_mat([[flint.arb(2), flint.arb(0, 1e-3)], [flint.arb(1, 1e-3), flint.arb(2)]])
    assert not member_pd(B, 64)
    assert not member_pd(flint.arb_mat(0, 0), 64)
    assert not member_pd(flint.arb_mat([[flint.arb(1), flint.arb("nan")], [flint.arb(0), flint.arb(1)]]), 64)


def test_krawczyk_success_lets_a_wide_interval_hessian_be_proved_definite_where_elimination_fails():
    # a 60 x 60 box of Hessians far too wide for ball elimination, all members nonsingular by Krawczyk
    rng = np.random.default_rng(2)
    n = 60
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    H = Q @ np.diag(np.linspace(1e-3, 1, n)) @ Q.T
    J = flint.arb_mat([[flint.arb(v, 2e-7) for v in row] for row in H.tolist()])
    assert not ball_matrix_pd(J, 128)
    C = [[flint.fmpq(*float(v).as_integer_ratio()) for v in row] for row in np.linalg.inv(H).tolist()]
    zero = [flint.arb(0)] * n
    inside, _ = krawczyk(zero, J, C, [flint.fmpq(0)] * n, [flint.fmpq(1, 10**6)] * n, 128)
    assert inside and member_pd(J, 128)


def test_krawczyk_success_means_no_singular_member_and_box_pd_verdicts_hold_on_sampled_members():
    # Rump: K(X) inside int(X) makes every member of J nonsingular. On a connected box, a sign change of
    # det between two members would exhibit a singular member; a positive verdict of nonsingular_box_pd
    # must hold for every symmetric member (corners and random points are sampled, exactly dyadic).
    rng = np.random.default_rng(5)
    seen = {"inside": 0, "pd": 0, "refused": 0}
    for _ in range(400):
        n = int(rng.integers(1, 5))
        A = rng.standard_normal((n, n))
        w, V = np.linalg.eigh((A + A.T) / 2)
        S = V @ np.diag(w * rng.choice([1, -1, 0.01], n)) @ V.T
        R = np.abs(rng.standard_normal((n, n))) * 10 ** rng.uniform(-4, 0)
        mid, rad = np.round(S * 2**20) / 2**20, np.round((R + R.T) / 2 * 2**20) / 2**20
        J = flint.arb_mat([[flint.arb(mid[i, j], rad[i, j]) for j in range(n)] for i in range(n)])
        if abs(np.linalg.det(mid)) < 1e-9:
            continue
        C = [[flint.fmpq(*float(v).as_integer_ratio()) for v in row] for row in np.linalg.inv(mid).tolist()]
        cs = [flint.fmpq(*float(v).as_integer_ratio()) for v in rng.standard_normal(n)]
        gy = [flint.arb(float(v)) for v in rng.standard_normal(n) * 10 ** rng.uniform(-6, 0)]
        inside, _ = krawczyk(gy, J, C, cs, [flint.fmpq(1, int(rng.choice([1, 10, 1000])))] * n, 64)
        if not inside:
            continue
        seen["inside"] += 1
        pd = member_pd(J, 64)
        seen["pd" if pd else "refused"] += 1
        signs = set()
        for _ in range(100):
            U = rng.choice([-1.0, 1.0], (n, n)) if rng.random() < 0.5 else rng.uniform(-1, 1, (n, n))
            signs.add(np.sign(np.linalg.det(mid + rad * U)))
            Us = np.triu(U) + np.triu(U, 1).T
            if pd:
                assert np.linalg.eigvalsh(mid + rad * Us).min() > 0
        assert len(signs) == 1 and 0 not in signs
    assert seen["inside"] > 100 and seen["pd"] > 30 and seen["refused"] > 30  # not vacuous


def test_spurious_certificate_is_rechecked_by_the_kernel_and_tampering_is_rejected():
    import json

    from proofkit.certify.spurious import certify_spurious_minimum, newton_refine

    f = (X**2 - 1) ** 2 + X / 4 + (Y - X) ** 2
    tape = Tape(decode_dag(to_dag(f, VARS)))
    centre = newton_refine(tape, [flint.fmpq(9686, 10000), flint.fmpq(9686, 10000)])
    (g,) = evaluate(tape, [flint.arb(c) for c in centre], order=1, prec=128)
    assert all(abs(x) < 1e-12 for x in dense_gradient(g, 2))
    c = certify_spurious_minimum(f, VARS, [0.9686, 0.9686], better_point=[-1.03, -1.03])
    assert c.verdict == "certified" and check_certificate(c.to_json()).ok
    d = json.loads(c.to_json())
    for inputs in (dict(d["inputs"], better=d["inputs"]["centers"]),  # not better than itself
                   dict(d["inputs"], centers=[str(flint.fmpq(1, 2))] * 2)):  # no critical point there
        bad = dict(d, inputs=inputs)
        rehash(bad)  # a consistent hash cannot save a false statement
        with pytest.raises(CertificateRejected):
            check_certificate(json.dumps(bad))


def test_nonsmooth_losses_certify_far_from_kinks_and_better_points_may_be_kinks():
    from proofkit.certify.spurious import certify_spurious_minimum

    # a tilted double well written with Max and Abs: smooth near x = 0.97, a kink at the better point's y
    f = sympy.Max(X**2 - 1, 1 - X**2) ** 2 + X / 4 + (Y - X) ** 2
    g = (X**2 - 1) ** 2 + X / 4 + (Y - X) ** 2 + sympy.Abs(X + Y + sympy.Rational(206, 100)) / 100
    c = certify_spurious_minimum(f, VARS, [0.97, 0.97], better_point=[-1.03, -1.03])
    assert c.verdict == "certified"
    c = certify_spurious_minimum(g, VARS, [0.97, 0.97], better_point=[-1.03, -1.03])  # better point: on the kink
    assert c.verdict == "certified"
    kinked = certify_spurious_minimum(sympy.Abs(X - 1) + Y**2, VARS, [1, 0], global_value=-1)
    assert kinked.verdict == "inconclusive" and "not analytic" in kinked.reason and "abs" in kinked.reason


def test_critical_point_certificates_recheck_from_their_dag():
    import json

    from proofkit.certify import certify_critical_point, certify_strict_local_min

    f = (X**2 - 2) ** 2 + (Y - 1) ** 2
    c = certify_strict_local_min([f.diff(X), f.diff(Y)], None, [1.4142135623730951, 1], 1e-6, variables=VARS,
                                 loss=f)
    assert c.verdict == "certified" and check_certificate(c.to_json()).ok
    saddle = certify_critical_point([2 * X, -2 * Y], None, [0, 0], 1e-3, variables=VARS)
    assert saddle.verdict == "certified" and check_certificate(saddle.to_json()).ok
    d = json.loads(saddle.to_json())
    moved = dict(d, inputs=dict(d["inputs"], centers=["1/100", "0"], radii=["1/1000", "1/1000"]))  # zero outside
    rehash(moved)
    with pytest.raises(CertificateRejected):
        check_certificate(json.dumps(moved))


@pytest.mark.parametrize("expr", [
    sympy.Max(1, X) * Y,                   # max on its constant branch times a variable
    Y * sympy.Max(1, X),                   # the same, factors swapped
    sympy.exp(sympy.Max(1, X)) * Y**2,     # a node built on a constant branch
    sympy.Min(-1, X) * sympy.sin(Y) + X**2,
    sympy.Piecewise((3, X < 1), (X, True)) * Y * X,
])
def test_products_with_a_factor_on_a_constant_branch_put_derivatives_on_the_right_variables(expr):
    # regression: a factor with no gradient but a non-empty support (a max/min/piecewise node on a
    # constant branch) left the other factor's derivative blocks unlifted, so they landed on the
    # wrong variables (Soundness 3, finding 1)
    tape = Tape(decode_dag(to_dag([expr], VARS)))
    x0, y0 = sympy.Rational(1, 5), sympy.Rational(3, 2)
    box = [flint.arb(flint.fmpq(1, 5), flint.arb("1e-3")), flint.arb(flint.fmpq(3, 2), flint.arb("1e-3"))]
    (jet,) = evaluate(tape, box, order=2, prec=128)
    g, h = dense_gradient(jet, 2), dense_hessian(jet, 2)
    at = {X: x0, Y: y0}

    def truth(e):  # sympy's derivative of the branch the box selects, at the centre, to 50 digits
        with flint.ctx.workprec(200):
            return flint.arb(str(sympy.N(e.subs(at), 60)))

    for i, v in enumerate(VARS):
        assert g[i].contains(truth(sympy.diff(expr, v))), (v, g[i])
        for j, w in enumerate(VARS):
            assert h[i, j].contains(truth(sympy.diff(expr, v, w))), (v, w, h[i, j])


# -- the float twin (proofkit.numeric.float_engine): unselected branches and locally constant products ----------
def _float_tape(nodes, inputs=("x0", "x1")):
    from proofkit.numeric.float_engine import FloatTape

    return FloatTape(Tape(decode_dag({"format": "proofkit.dag/1", "inputs": list(inputs), "nodes": nodes,
                                      "outputs": [len(nodes) - 1]})))


# piecewise((atan((x0 - 5/3)^(3/2)), x0 > 2), (x1, True)): at x0 = 0 the first branch is not real, and not selected
_UNSELECTED_NAN = [["var", 0], ["const", "-5/3"], ["add", 0, 1], ["pow", 2, "3/2"], ["atan", 3], ["const", "2"],
                   ["gt", 0, 5], ["var", 1], ["true"], ["piecewise", 4, 6, 7, 8]]


def test_float_gradients_ignore_an_unselected_branch_outside_its_domain():
    import numpy as np

    ft = _float_tape(_UNSELECTED_NAN)
    F, G = ft.value_and_grad(np.array([[0.0, 3.0]]))
    assert F[0] == 3.0 and G[0].tolist() == [0.0, 1.0]
    v, g = ft.scalar_value_and_grad()([0.0, 3.0])
    assert isinstance(v, float) and v == 3.0 and np.asarray(g).tolist() == [0.0, 1.0]


def test_float_hessian_of_a_product_of_locally_constant_factors():
    import numpy as np

    # sign(x0) * min(x1 + 1/2, -3/2) + x0^2 x1: the product has neither factor's gradient
    nodes = [["var", 0], ["sign", 0], ["var", 1], ["const", "1/2"], ["add", 2, 3], ["const", "-3/2"], ["min", 4, 5],
             ["mul", 1, 6], ["pow", 0, "2"], ["mul", 8, 2], ["add", 7, 9]]
    H = _float_tape(nodes).hessian(np.array([0.5, 1.0]))
    assert np.allclose(H, [[2.0, 1.0], [1.0, 0.0]])


def test_float_hessian_outside_the_domain_of_a_fractional_power_is_nan():
    import numpy as np

    # (x0 - 2)^(3/2) at x0 = 0: not real; the Hessian is nan there, not the real part of a complex number
    H = _float_tape([["var", 0], ["const", "-2"], ["add", 0, 1], ["pow", 2, "3/2"]], inputs=("x0",)).hessian(np.array([0.0]))
    assert np.isrealobj(H) and np.isnan(H).all()


# -- branches: the smooth expressions a piecewise expression is on a box ---------------------------------------
def _piecewise_combine(children):
    return st.one_of(
        st.builds(lambda a, b: sympy.Max(a, b), children, children),
        st.builds(lambda a, b: sympy.Min(a, b), children, children),
        st.builds(lambda a: sympy.Abs(a), children),
        st.builds(lambda a: sympy.sign(a), children),
        st.builds(lambda a: sympy.Heaviside(a, sympy.Rational(1, 2)), children),
        st.builds(lambda a, b: sympy.Piecewise((a, b > 0), (b, True)), children, children),
        st.builds(lambda a, b: a + b, children, children),
        st.builds(lambda a, b: a * b, children, children),
    )


pl_leaf = st.sampled_from([X, Y, X - Y, X + Y - 1, sympy.Rational(1, 3), sympy.Integer(-1), sympy.Integer(0)])
piecewise_expressions = st.recursive(pl_leaf, _piecewise_combine, max_leaves=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(piecewise_expressions, points, st.sampled_from([sympy.Rational(0), sympy.Rational(1, 8), sympy.Rational(1)]))
def test_a_piecewise_expression_equals_one_of_its_branches_at_every_point_of_the_box(e, c, r):
    from hypothesis import assume

    from proofkit.errors import InvalidInput
    from proofkit.kernel.engine import branches

    c = [sympy.Rational(v.numerator, v.denominator) for v in c]
    try:
        dag = decode_dag(to_dag([e], VARS))
    except InvalidInput:  # (sympy folded nested conditions into a node the format lacks, e.g. ITE)
        assume(False)
    box = [flint.arb(flint.fmpq(int(v.p), int(v.q))).union(flint.arb(flint.fmpq(int((v + r).p), int((v + r).q))))
           .union(flint.arb(flint.fmpq(int((v - r).p), int((v - r).q)))) for v in c]
    try:
        out = branches(dag, box, 128)
    except NotAnalyticOnBox:
        return  # (more than 16 regions, or a piecewise node without a branch known to apply)
    smooth = {"var", "const", "pi", "E", "add", "mul", "pow"}
    for _, b in out:
        assert all(nd[0] in smooth for nd in b.nodes), b.nodes
    assert (len(out) == 1) == (out[0][0] == "")
    grid = [c[0] + r * k / 4 for k in range(-4, 5)]
    for px in grid:
        for py in [c[1] + r * k / 4 for k in range(-4, 5)]:
            want = e.subs({X: px, Y: py})
            if not want.is_finite:
                continue
            with flint.ctx.workprec(128):
                at = [flint.arb(flint.fmpq(int(px.p), int(px.q))), flint.arb(flint.fmpq(int(py.p), int(py.q)))]
                w = flint.arb(flint.fmpq(int(sympy.Rational(want).p), int(sympy.Rational(want).q)))
                got = [evaluate(Tape(b), at, order=0, prec=128)[0].value for _, b in out]
                assert any(abs(g - w) < flint.arb(flint.fmpq(1, 10**30)) for g in got), (e, px, py, got)


def test_branches_decide_a_dead_relu_and_split_a_kink_into_named_regions():
    from proofkit.kernel.engine import branches

    dag = decode_dag(to_dag([sympy.Max(0, X - 10) + sympy.Abs(Y)], VARS))
    ((name, b),) = branches(dag, [flint.arb(0, 1), flint.arb(2, 1)], 128)
    assert name == "" and {nd[0] for nd in b.nodes} <= {"var", "const", "add", "mul", "pow"}
    assert evaluate(Tape(b), [flint.arb(0), flint.arb(2)], order=0)[0].value == 2
    out = branches(dag, [flint.arb(10, 1), flint.arb(0, 1)], 128)
    names = [sorted(part.split(" = ")[0] for part in n.split("; ")) for n, _ in out]
    assert len(out) == 4 and all(n == ["abs(y)", "max(0, add(-10, x))"] for n in names)
    with pytest.raises(NotAnalyticOnBox, match="regions"):
        e = sum(sympy.Abs(X - k) for k in range(5))  # 5 kinks in the box: 32 regions
        branches(decode_dag(to_dag([e], VARS)), [flint.arb(2, 3), flint.arb(0)], 128)
