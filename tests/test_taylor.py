"""The kernel's Taylor series in Arb (proofkit.kernel.taylor) and the degenerate saddles of non-rational losses
it decides: a fixed-seed sample of the differential fuzzer (``benchmarks/fuzz_taylor.py`` runs the long
campaign), mutants of the evaluator that the fuzzer must catch, and certificates the kernel must refuse."""

import json

import flint
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
