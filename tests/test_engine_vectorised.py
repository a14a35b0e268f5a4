"""The evaluators vectorised over samples: network losses (NetworkLoss), one-variable jets, FloatTape.hessian.

Every Arb result is checked to *enclose* an independent reference (100-digit mpmath on sympy's own
derivatives, or the kernel's engine on the loss's expression graph); float64 results are checked to be close.
"""

from __future__ import annotations

import random

import flint
import mpmath
import numpy as np
import pytest
import sympy

from proofkit import matrix_at
from proofkit.certificate import library_versions
from proofkit.errors import InvalidInput
from proofkit.kernel.dag import decode_dag
from proofkit.kernel.engine import NotAnalyticOnBox, Tape, dense_gradient, dense_hessian, evaluate
from proofkit.numeric import ArbContext, FloatContext
from proofkit.numeric.arrays import ArbArrays, FloatArrays
from proofkit.numeric.contexts import NotAnalyticHere
from proofkit.numeric.float_engine import FloatTape
from proofkit.numeric.jets import ScalarFunction
from proofkit.symbolic import Network
from proofkit.symbolic.activations import Activation, T
from proofkit.symbolic.dag import to_dag
from proofkit.symbolic.losses import A, Loss

PREC = 200


def _objective(widths, act, out_act, bias, loss, N, seed=0, labels=False):
    rng = random.Random(seed)
    net = Network(widths, activation=act, output_activation=out_act, bias=bias)
    X = [[sympy.Rational(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(widths[0])] for _ in range(N)]
    if labels:
        Y = [[rng.choice([-1, 1]) for _ in range(widths[-1])] for _ in range(N)]
    else:
        Y = [[sympy.Rational(rng.randint(-5, 5), 3) for _ in range(widths[-1])] for _ in range(N)]
    return net.loss(X, Y, loss)


def _point(P, seed=1, scale=20):
    rng = random.Random(seed)
    return [flint.fmpq(rng.randint(-scale, scale), rng.randint(1, 9)) for _ in range(P)]


def _kernel_jet(obj, point, order=2):
    tape = Tape(decode_dag(to_dag(obj.expr_symengine, obj.params)))
    (jet,) = evaluate(tape, point, order=order, prec=PREC)
    return tape, jet


ATAN = Activation("atan", sympy.atan(T))
SOFTSIGN_LOSS = Loss("log_cosh", "residual", sympy.log(sympy.cosh(A)))
EXP_MARGIN = Loss("exp_margin", "margin", sympy.exp(-A))

CASES = [
    ([2, 3, 1], "sigmoid", None, True, "squared", False),
    ([2, 3, 2], "tanh", "sigmoid", True, "cauchy", False),
    ([3, 2, 3, 2], "softplus", None, False, "squared", False),
    ([2, 3, 2, 3], "tanh", None, True, "cross_entropy", False),
    ([2, 2, 3, 2, 1], "sigmoid", "tanh", True, "pseudo_huber", False),
    ([2, 3, 2], ATAN, None, True, SOFTSIGN_LOSS, False),
    ([2, 3, 1], "tanh", None, True, EXP_MARGIN, True),
    ([2, 2, 2], "sigmoid", None, True, "squared_hinge_pair", False),
    ([1, 4, 1], "sigmoid", "sigmoid", False, "blake_zisserman", False),
]


@pytest.mark.parametrize("widths, act, out_act, bias, loss, labels", CASES)
def test_network_loss_encloses_the_kernel_engine_on_random_networks(widths, act, out_act, bias, loss, labels):
    obj = _objective(widths, act, out_act, bias, loss, N=5, labels=labels)
    P = len(obj.params)
    point = _point(P, scale=6)
    _, jet = _kernel_jet(obj, point)
    Hk, gk = dense_hessian(jet, P), dense_gradient(jet, P)
    value, grad, H = obj._evaluator.arb(point, PREC)
    assert value.overlaps(jet.value)
    assert all(a.overlaps(b) for a, b in zip(grad, gk))
    assert all(H[i, j].overlaps(Hk[i, j]) for i in range(P) for j in range(P))
    assert max(float(H[i, j].rad()) for i in range(P) for j in range(P)) < 1e-45
    Hl = obj.hessian().evaluate(point, ArbContext(PREC))  # the public path
    assert all(Hl[i][j].overlaps(Hk[i, j]) for i in range(P) for j in range(P))
    Hf = np.array(obj.hessian().evaluate(point, FloatContext()))
    ref = np.array([[float(Hk[i, j].mid()) for j in range(P)] for i in range(P)])
    assert np.allclose(Hf, ref, rtol=1e-9, atol=1e-9 * (1 + np.abs(ref).max()))
    gf = np.array(obj.gradient().evaluate(point, FloatContext()))[:, 0]
    assert np.allclose(gf, [float(g.mid()) for g in gk], rtol=1e-9, atol=1e-9)


def test_network_hessian_encloses_100_digit_mpmath_references_of_sympys_derivatives():
    obj = _objective([2, 2, 1], "tanh", None, True, "squared", N=3)
    P = len(obj.params)
    point = _point(P, seed=3, scale=4)
    exact = [sympy.Rational(int(q.p), int(q.q)) for q in point]
    ref_H = sympy.hessian(obj.expr, obj.params)  # sympy's own differentiation
    f = sympy.lambdify(obj.params, ref_H, modules="mpmath")
    with mpmath.workdps(100):
        R = f(*[mpmath.mpf(int(q.p)) / int(q.q) for q in exact])
        H = obj.hessian().evaluate_matrix(point, ArbContext(PREC))
        for i in range(P):
            for j in range(P):
                ball = H[i, j]
                lo = mpmath.mpf(ball.lower().str(60, radius=False)) - mpmath.mpf(10) ** -55
                hi = mpmath.mpf(ball.upper().str(60, radius=False)) + mpmath.mpf(10) ** -55
                assert lo <= R[i, j] <= hi, (i, j)
                assert float(ball.rad()) < 1e-50


def test_boxes_enclose_the_hessian_at_points_inside_them():
    obj = _objective([2, 3, 1], "sigmoid", None, True, "squared", N=4)
    P = len(obj.params)
    centre = _point(P, seed=5, scale=5)
    box = [flint.arb(c, flint.arb(2) ** -10) for c in centre]
    H = obj.hessian().evaluate_matrix(box, ArbContext(128))
    rng = random.Random(7)
    for _ in range(3):
        inside = [c + flint.fmpq(rng.randint(-1000, 1000), 1000 * 2**10) for c in centre]
        _, jet = _kernel_jet(obj, inside)
        Hk = dense_hessian(jet, P)
        assert all(H[i, j].contains(Hk[i, j].mid()) for i in range(P) for j in range(P))


def test_relu_away_from_kinks_and_refused_on_a_kink():
    obj = _objective([2, 3, 1], "relu", None, True, "squared", N=4)
    P = len(obj.params)
    point = _point(P, seed=2, scale=6)
    _, jet = _kernel_jet(obj, point)
    value, grad, H = obj._evaluator.arb(point, PREC)  # relu has no Hessian API (not C^1): the evaluator itself
    assert value.overlaps(jet.value)
    assert all(H[i, j].overlaps(dense_hessian(jet, P)[i, j]) for i in range(P) for j in range(P))
    # a box on which the first unit's pre-activation changes sign: W_1[:, 0] = 0, b_1[0] in [-1, 1]
    box = [flint.arb(v) for v in point]
    box[P - 4 - 3] = flint.arb(0, 1)  # b^{(1)}_1: the unit's bias spans [-1, 1]
    box[0] = flint.arb(0)
    box[3] = flint.arb(0)
    with pytest.raises(NotAnalyticHere, match="max"):
        obj._evaluator.arb(box, PREC)
    with pytest.raises(NotAnalyticOnBox):
        _kernel_jet(obj, box)


def test_domain_errors_are_named_not_wrong():
    bad = Loss("log_loss", "residual", sympy.log(A + 1))
    obj = _objective([1, 1, 1], "tanh", None, True, bad, N=2)
    point = [0, 0, 0, -5]  # residual -5 - y: log of a negative number
    with pytest.raises(NotAnalyticHere, match="log"):
        obj.hessian().evaluate(point, ArbContext(64))
    with pytest.raises(InvalidInput, match="point"):
        matrix_at(obj.hessian(), point)


def test_block_hessians_and_gradients_select_from_the_full_one():
    obj = _objective([2, 3, 2], "tanh", None, True, "squared", N=4)
    point = _point(len(obj.params), seed=9, scale=5)
    full = obj.hessian().evaluate_matrix(point, ArbContext(128))
    block = obj.block_hessian(layers=[2])
    idx = obj.select(layers=[2])
    B = block.evaluate(point, ArbContext(128))
    assert all(B[a][b].overlaps(full[idx[a], idx[b]]) for a in range(len(idx)) for b in range(len(idx)))
    Bf = block.evaluate_matrix(point, FloatContext())
    assert Bf.shape == (len(idx), len(idx))
    g = obj.gradient().evaluate_matrix(point, ArbContext(128))
    assert (g.nrows(), g.ncols()) == (len(obj.params), 1)


@pytest.mark.parametrize("expr, form", [(1 / (1 + sympy.exp(-T)), "sigmoid"), (sympy.tanh(T), "tanh"),
                                        (sympy.log(1 + sympy.exp(T)), "softplus"), (T**2, "square")])
def test_closed_forms_agree_with_the_graph_interpreter(expr, form):
    dag = to_dag(expr, [T])
    xs = [flint.fmpq(-7, 2), flint.fmpq(1, 3), flint.fmpq(0), flint.fmpq(9, 4)]
    with ArbArrays(128) as B:
        x = B.asarray(xs)
        closed = ScalarFunction(dag, form).jet(x, B)
        graph = ScalarFunction(dag).jet(x, B)
    for a, b in zip(closed, graph):
        assert all(u.overlaps(v) for u, v in zip(a, b))
    xf = np.array([float(q.p) / float(q.q) for q in xs])
    for a, b in zip(ScalarFunction(dag, form).jet(xf, FloatArrays()), ScalarFunction(dag).jet(xf, FloatArrays())):
        assert np.allclose(a, b, rtol=1e-13, atol=1e-15)


def test_jets_refuse_undecided_branches_in_arb_and_take_the_branch_in_float64():
    t = sympy.Symbol("t")
    f = ScalarFunction(to_dag(sympy.Piecewise((t**2, t < 1), (2 * t - 1, True)), [t]))
    with ArbArrays(64) as B:
        with pytest.raises(NotAnalyticHere, match="undecided"):
            f.jet(np.array([flint.arb(1, 0.5)], dtype=object), B)
        v, d1, d2 = f.jet(B.asarray([flint.fmpq(1, 2), flint.fmpq(3)]), B)
    assert [float(a.mid()) for a in d2] == [2.0, 0.0]
    assert f.jet(np.array([0.5, 3.0]), FloatArrays())[1].tolist() == [1.0, 2.0]


def _random_expression(rng, xs, depth):
    if depth == 0:
        return rng.choice(xs + [sympy.Rational(rng.randint(-5, 5), rng.randint(1, 3))])
    op = rng.choice(["add", "mul", "mul", "exp", "tanh", "pow", "max", "atan", "abs", "sin", "cube", "log", "min"])
    a = _random_expression(rng, xs, depth - 1)
    if op == "add":
        return a + _random_expression(rng, xs, depth - 1)
    if op == "mul":
        return a * _random_expression(rng, xs, depth - 1)
    if op == "exp":
        return sympy.exp(a / 4)
    if op == "tanh":
        return sympy.tanh(a)
    if op == "pow":
        return a**2
    if op == "atan":
        return sympy.atan(a)
    if op == "abs":
        return sympy.Abs(a)
    if op == "sin":
        return sympy.sin(a)
    if op == "cube":
        return a**3 / 8
    if op == "log":
        return sympy.log(1 + a**2)
    if op == "min":
        return sympy.Min(a, _random_expression(rng, xs, depth - 1))
    return sympy.Max(a, _random_expression(rng, xs, depth - 1))


def test_float_tape_hessian_matches_the_kernel_on_random_graphs():
    xs = list(sympy.symbols("x0:5", real=True))
    rng = random.Random(11)
    checked = 0
    for _ in range(60):
        expr = sum(_random_expression(rng, xs, 3) for _ in range(3))
        if not expr.free_symbols:
            continue
        tape = Tape(decode_dag(to_dag(expr, xs)))
        point = [flint.fmpq(rng.randint(-9, 9), rng.randint(1, 4)) for _ in xs]
        try:
            (jet,) = evaluate(tape, point, order=2, prec=128)
        except NotAnalyticOnBox:  # a tie of max on the point: the float branch is arbitrary there
            continue
        Hk = dense_hessian(jet, len(xs))
        ref = np.array([[float(Hk[i, j].mid()) for j in range(len(xs))] for i in range(len(xs))])
        Hf = FloatTape(tape).hessian(np.array([float(q.p) / float(q.q) for q in point]))
        assert np.allclose(Hf, ref, rtol=1e-9, atol=1e-9 * (1 + np.abs(ref).max())), expr
        checked += 1
    assert checked > 30


def test_float_tape_hessian_of_a_product_with_a_constant_branch():
    x, y = sympy.symbols("x y")
    expr = sympy.Max(3, x - 10) * (x * y + y**3)  # the max takes its constant branch at the point
    tape = Tape(decode_dag(to_dag(expr, [x, y])))
    H = FloatTape(tape).hessian(np.array([1.5, -2.0]))
    assert np.allclose(H, 3 * np.array([[0.0, 1.0], [1.0, 6 * -2.0]]))


def test_library_versions_are_read_once_per_process(monkeypatch):
    from importlib import metadata

    library_versions()
    calls = []
    monkeypatch.setattr(metadata, "version", lambda name: calls.append(name) or "0")
    first = library_versions()
    first["numpy"] = "tampered"
    assert library_versions()["numpy"] != "tampered"  # every certificate gets its own dict
    assert calls == []


def test_random_architectures_agree_with_the_kernel_engine():
    rng = random.Random(2024)
    acts = ["sigmoid", "tanh", "softplus", ATAN, "identity"]
    losses = ["squared", "cauchy", "pseudo_huber", SOFTSIGN_LOSS]
    for _ in range(6):
        depth = rng.randint(1, 3)
        widths = [rng.randint(1, 3) for _ in range(depth + 1)]
        obj = _objective(widths, rng.choice(acts), rng.choice([None, "tanh"]), rng.random() < 0.7,
                         rng.choice(losses), N=rng.randint(1, 4), seed=rng.randint(0, 99))
        P = len(obj.params)
        point = _point(P, seed=rng.randint(0, 99), scale=5)
        _, jet = _kernel_jet(obj, point)
        Hk = dense_hessian(jet, P)
        H = obj.hessian().evaluate_matrix(point, ArbContext(PREC))
        assert all(H[i, j].overlaps(Hk[i, j]) for i in range(P) for j in range(P)), obj
        Hf = obj.hessian().evaluate_matrix(point, FloatContext())
        ref = np.array([[float(Hk[i, j].mid()) for j in range(P)] for i in range(P)])
        assert np.allclose(Hf, ref, rtol=1e-9, atol=1e-9 * (1 + np.abs(ref).max())), obj
