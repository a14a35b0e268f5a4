"""The kernel's Taylor series in Arb (proofkit.kernel.taylor) and the degenerate saddles of non-rational losses
it decides: a fixed-seed sample of the differential fuzzer (``benchmarks/fuzz_taylor.py`` runs the long
campaign), mutants of the evaluator that the fuzzer must catch, and certificates the kernel must refuse."""

import json
import sys
import threading

import flint
import mpmath
import pytest
import sympy

from proofkit import certify_not_local_min, certify_saddle, check_certificate, classify_critical_point
from proofkit.certificate import input_hash
from proofkit.errors import CertificateRejected
from proofkit.kernel import taylor
from proofkit.kernel.dag import decode_dag
from proofkit.symbolic.dag import to_dag
from proofkit.testing.taylor_fuzz import run_taylor_fuzz

a, b, w, x, y, t = sympy.symbols("a b w x y t")
#: A depth-3 tanh network with one unit per layer on data with sum(x y) = 2: the origin is a critical point with
#: a zero Hessian, and along theta(t) = (t, t, t) the loss changes by -2 sum(x y) t^3 + O(t^4) = -4 t^3 + ...
DEEP = sum((yi - a * sympy.tanh(b * sympy.tanh(w * xi))) ** 2 for xi, yi in zip([1, 2, -1], [1, 1, 1]))


def test_fixed_seed_sample_of_the_differential_fuzzer_has_no_violation():
    rep = run_taylor_fuzz(1500, seed=20261208)
    assert not rep.violations, rep.violations[:2]
    assert rep.expanded > 900 and rep.refusals > 150 and rep.coefficients > 4000 and rep.exact_zeros > 1000


def test_the_fuzzer_catches_a_kink_decided_on_a_tie(monkeypatch):
    monkeypatch.setattr(taylor, "_compare", lambda op, u, v: op in ("le", "ge") if not (
        taylor._const(u) < taylor._const(v) or taylor._const(u) > taylor._const(v)) else
        (taylor._const(u) < taylor._const(v)) == (op in ("lt", "le")))
    rep = run_taylor_fuzz(1500, seed=20261208)
    assert any("expansion returned at a point: kink" in v["problem"] for v in rep.violations)


def test_the_fuzzer_catches_a_wrong_series_function(monkeypatch):
    real = taylor._unary
    monkeypatch.setattr(taylor, "_unary", lambda op, u: real("sinh" if op == "tanh" else op, u))
    rep = run_taylor_fuzz(1500, seed=20261208)
    assert any("misses" in v["problem"] for v in rep.violations)


def _coeffs(expr, params, curve, order=6, prec=128):
    return taylor.coefficients(decode_dag(to_dag([expr], params)), decode_dag(to_dag(curve, [t])), order, prec)


def test_coefficients_match_sympy_and_zeros_are_exact():
    cs = _coeffs(DEEP, [a, b, w], [t, t, t])
    series = sympy.series(DEEP.xreplace({a: t, b: t, w: t}), t, 0, 7).removeO()
    with flint.ctx.workprec(256):
        for k, c in enumerate(cs):
            truth = flint.arb(str(sympy.N(series.coeff(t, k), 70)), "1e-65")
            assert c.overlaps(truth) and c.rad() < 1e-30
    assert [c.is_exact() and c == 0 for c in cs[1:3]] == [True, True] and cs[3] < 0


def test_branches_are_taken_only_when_strict_and_unused_branches_may_be_undefined():
    L = sympy.Piecewise((sympy.log(x), x > 1), (x**2, True)) + sympy.Max(y, 1) + sympy.Abs(y - 1)
    cs = _coeffs(L, [x, y], [t / 3, t], 3)
    assert [str(c) for c in cs[:2]] == ["2.00000000000000", "-1.00000000000000"]
    with pytest.raises(taylor.NoSeries, match="abs at a kink"):
        _coeffs(sympy.Abs(x - y), [x, y], [t, t])
    with pytest.raises(taylor.NoSeries, match="max at a kink"):
        _coeffs(sympy.Max(x, y), [x, y], [t, 2 * t])
    with pytest.raises(taylor.NoSeries, match="log of"):
        _coeffs(sympy.log(x) + y, [x, y], [t, t])


def test_degenerate_saddle_of_a_deep_tanh_network_is_certified_and_rechecked():
    c = certify_saddle(DEEP, [a, b, w], [0, 0, 0])
    assert c.certified and c.claim == {"type": "saddle", "kind": "degenerate", "dimension": 3, "order": 3}
    assert c.inputs["negative"]["coefficient"] == "negative" and c.inputs["positive"] == "same"
    r = check_certificate(c.to_json())
    assert r.how == "arb curves" and r.tier == "arb"
    k = classify_critical_point(DEEP, [a, b, w], [0, 0, 0])
    assert k.certified and k.claim["kind"] == "saddle" and k.claim["reason_code"] == "degenerate"
    assert certify_not_local_min(DEEP, [a, b, w], [0, 0, 0]).certified


def test_transcendental_saddles_of_orders_3_and_4_and_a_minimum_that_is_not_one():
    c3 = certify_saddle(x**2 + sympy.sin(y) ** 3, [x, y], [0, 0])
    assert c3.certified and c3.claim["order"] == 3
    c4 = certify_saddle(x**2 - sympy.exp(y**4), [x, y], [0, 0])
    assert c4.certified and c4.claim["order"] == 4 and c4.inputs["positive"]["coefficient"] == "positive"
    assert not certify_saddle(x**2 + sympy.exp(y**4), [x, y], [0, 0]).certified  # a strict minimum


_EDITS = {
    "sign": lambda d: d["inputs"]["negative"].update(coefficient="positive"),
    "order": lambda d: d["inputs"]["negative"].update(order=2),
    "precision": lambda d: d.update(precision=None),
    "same curve, even order": lambda d: d["inputs"].update(positive="same"),
}


@pytest.mark.parametrize("edit", list(_EDITS), ids=list(_EDITS))
def test_the_kernel_refuses_edited_arb_curves(edit):
    c4 = certify_saddle(x**2 - sympy.exp(y**4), [x, y], [0, 0])
    d = json.loads(c4.to_json())
    _EDITS[edit](d)
    d["input_hash"] = input_hash(d["inputs"])
    with pytest.raises(CertificateRejected, match="certificate rejected"):
        check_certificate(json.dumps(d))


def test_the_kernel_refuses_a_minimum_claimed_a_saddle():
    c4 = certify_saddle(x**2 - sympy.exp(y**4), [x, y], [0, 0])
    # a minimum claimed a saddle: the same records on x^2 + exp(y^4), where the y^4 term is positive
    forged = json.loads(c4.to_json())
    forged["inputs"]["loss"] = to_dag([x**2 + sympy.exp(y**4)], [x, y])
    forged["input_hash"] = input_hash(forged["inputs"])
    with pytest.raises(CertificateRejected, match="leading term"):
        check_certificate(json.dumps(forged))


def test_a_lower_coefficient_that_is_not_an_exact_zero_is_undecided_never_guessed():
    # at y = 1/3 nothing is exact in binary: c_1 along the x-axis is [0 +/- eps], so "not a local minimum"
    # along that line is refused rather than read from the sign of c_2 (c_1 = 0 is not proved without the gradient)
    with pytest.raises(taylor.NoSeries, match="neither an exact zero nor of proven sign"):
        taylor.leading_term(decode_dag(to_dag([-sympy.cos(x - sympy.Rational(1, 3))], [x])),
                            decode_dag(to_dag([sympy.Rational(1, 3) + t], [t])), 6, 128)


def test_a_series_truncated_during_the_evaluation_is_refused_not_read_as_exact_zeros(monkeypatch):
    # flint.ctx.cap is process-wide: code elsewhere (another thread) lowering it while the loss is expanded truncates
    # the series; the coefficients it no longer holds are unknown, and must not come back as exact zeros
    real, cap = taylor._run, flint.ctx.cap

    def lowered_after_the_curve(dag, env, order, prec):
        out = real(dag, env, order, prec)
        flint.ctx.cap = 2
        return out

    monkeypatch.setattr(taylor, "_run", lowered_after_the_curve)
    with pytest.raises(taylor.NoSeries, match="truncated"):
        _coeffs(sympy.exp(x), [x], [t], 6)
    assert flint.ctx.cap == cap


def test_expansions_in_concurrent_threads_neither_truncate_each_other_nor_leave_the_cap_changed():
    L, line = decode_dag(to_dag([sympy.tanh(sympy.exp(x) + sympy.sin(x))], [x])), decode_dag(to_dag([t], [t]))
    ref, cap, wrong = taylor.coefficients(L, line, 24, 64), flint.ctx.cap, []

    def expand(order, times):
        for _ in range(times):
            cs = taylor.coefficients(L, line, order, 64)
            wrong.extend(k for k, c in enumerate(cs) if not c.overlaps(ref[k]))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=expand, args=(24, 150)), threading.Thread(target=expand, args=(1, 1500))]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        sys.setswitchinterval(interval)
    assert not wrong and flint.ctx.cap == cap


def test_huge_exponents_are_refused_with_short_messages():
    big = "1" + "0" * 19999
    loss = {"format": "proofkit.dag/1", "inputs": ["x"], "nodes": [["var", 0], ["const", "2"], ["add", 0, 1],
                                                                    ["pow", 2, big]], "outputs": [3]}
    line = decode_dag({"format": "proofkit.dag/1", "inputs": ["t"], "nodes": [["var", 0]], "outputs": [0]})
    with pytest.raises(taylor.NoSeries, match="neither an exact zero") as info:
        taylor.leading_term(decode_dag(loss), line, 2, 1 << 16)
    assert len(str(info.value)) < 300  # (the ball's exponent alone has 20000 digits)
    # the exact engine (the gradient of a saddle) names the exponent by its size instead of failing to print it
    c4 = json.loads(certify_saddle(x**2 - sympy.exp(y**4), [x, y], [0, 0]).to_json())
    c4["inputs"].update(loss=loss, point=["0"], positive="same",
                        negative={"coefficient": "negative", "order": 1, "curve": line_json(1)})
    c4["claim"].update(dimension=1, order=1)
    c4["input_hash"] = input_hash(c4["inputs"])
    with pytest.raises(CertificateRejected, match="exponent of 66436 bits too large"):
        check_certificate(json.dumps(c4))


def line_json(n):
    return {"format": "proofkit.dag/1", "inputs": ["t"], "nodes": [["var", 0]], "outputs": [0] * n}


def test_function_nodes_are_charged_their_cost_at_high_precision():
    # erf at 65536 bits takes about 25 ms (order 1); the old per-node charge was 8 ms: 3x under the budget
    from proofkit.kernel.cost import Budget, arb_function, spent
    nodes = [["var", 0]] + [["erf", k] for k in range(20)]
    L = decode_dag({"format": "proofkit.dag/1", "inputs": ["x"], "nodes": nodes, "outputs": [20]})
    with Budget(1e6):
        taylor.coefficients(L, decode_dag(line_json(1)), 1, 1 << 16)
        assert spent() >= 20 * 2 * arb_function(1 << 16)


def test_the_fuzzer_takes_an_exact_zero_against_oracle_noise_only_when_the_noise_collapses():
    from proofkit.testing.taylor_fuzz import _misses
    noise, zero = mpmath.mpf("-4.6e-25"), flint.arb(0)  # tan(cosh(30) asin(2t)) is odd: c_2 = 0; mpmath.taylor: -4.6e-25
    assert _misses(zero, noise, lambda: mpmath.mpf("-4.3e-65")) is None
    assert "an exact zero" in _misses(zero, noise, lambda: mpmath.mpf("-4.6e-25"))
    rep = run_taylor_fuzz(300, seed=5, order=5, prec=128, curved=0.6)
    assert not rep.violations and rep.expanded > 150


def test_a_product_of_many_arguments_is_charged_per_argument():
    # one mul node with 20000 arguments at 65536 bits and order 64 ran 460 s under a 62 s budget (60 KB certificate)
    from proofkit.kernel.cost import Budget
    nodes = [["var", 0], ["sin", 0], ["const", "1/3"], ["add", 1, 2], ["mul"] + [3] * 200]
    L = decode_dag({"format": "proofkit.dag/1", "inputs": ["x"], "nodes": nodes, "outputs": [4]})
    with Budget(100), pytest.raises(CertificateRejected, match="over budget"):
        taylor.coefficients(L, decode_dag(line_json(1)), 64, 1 << 16)
