"""Classification of critical points (proofkit.certify.classify)."""

import json

import pytest
import sympy

from proofkit import check_certificate, classify_critical_point
from proofkit.errors import CertificateRejected, InvalidInput

x, y, t = sympy.symbols("x y t")


@pytest.mark.parametrize("loss, point, kind, sub", [
    (x**2 + x * y + y**2, [0, 0], "strict local minimum", "local_min"),
    (-(x**2) - y**2 + x**3, [0, 0], "strict local maximum", "local_max"),
    (x**2 - y**2, [0, 0], "saddle", "saddle"),
    (x**3 + y**2, [0, 0], "saddle", "saddle"),
])
def test_each_kind(loss, point, kind, sub):
    c = classify_critical_point(loss, [x, y], point)
    assert c.certified and c.claim["kind"] == kind
    assert c.evidence["certificate"]["claim"]["type"] == sub
    assert check_certificate(c.to_json()).ok


def test_non_strict_minimum_with_a_manifold():
    c = classify_critical_point((x * y - 1) ** 2, [x, y], [1, 1], manifold={y: 1 / x})
    assert c.certified and c.claim["kind"] == "non-strict local minimum"


def test_reasons_are_precise():
    rot = (t, [x * sympy.cos(t) - y * sympy.sin(t), x * sympy.sin(t) + y * sympy.cos(t)])
    c = classify_critical_point((x**2 + y**2 - 1) ** 2, [x, y], [1, 0], symmetry=rot)
    assert c.verdict == "inconclusive" and c.claim["reason_code"] == "symmetry"
    c = classify_critical_point((x**2 + y**2 - 1) ** 2, [x, y], [1, 0], symmetry=(t, [x + t, y]))
    assert c.claim["reason_code"] == "unverified symmetry"
    c = classify_critical_point(x**2 * (y - 1) ** 0 + 0 * y, [x, y], [0, 0])
    assert c.claim["reason_code"] == "non-isolated critical set"
    c = classify_critical_point((x * y - 1) ** 2, [x, y], [1, 1], residuals=1)
    assert c.claim["reason_code"] == "over-parameterisation"
    c = classify_critical_point(x**4 + y**4, [x, y], [0, 0])
    assert c.claim["reason_code"] == "degenerate" and c.claim["kind"] is None


def test_kernel_rejects_a_classification_with_the_wrong_kind():
    c = classify_critical_point(x**2 - y**2, [x, y], [0, 0])
    d = c.to_dict()
    d["claim"]["kind"] = "strict local minimum"
    with pytest.raises(CertificateRejected):
        check_certificate(json.dumps(d))


def test_kernel_rejects_a_nested_certificate_about_another_point():
    c = classify_critical_point(x**2 + y**2, [x, y], [0, 0])
    from proofkit.certificate import input_hash

    d = c.to_dict()
    d["inputs"]["point"] = ["1", "0"]
    d["input_hash"] = input_hash(d["inputs"])
    with pytest.raises(CertificateRejected, match="point"):
        check_certificate(json.dumps(d))


def test_named_errors():
    with pytest.raises(InvalidInput, match="residuals"):
        classify_critical_point(x**2, [x], [0], residuals=0)
    with pytest.raises(InvalidInput, match="symmetry"):
        classify_critical_point(x**4 + y**4, [x, y], [0, 0], symmetry=(x, [x, y]))


def test_a_degenerate_maximum_is_at_least_not_a_minimum():
    c = classify_critical_point(-(x**4) - y**4, [x, y], [0, 0])
    assert c.certified and c.claim["kind"] == "not a local minimum"
    assert c.claim["reason_code"] == "curve"
    assert check_certificate(c.to_json()).ok


def test_point_off_a_transcendental_manifold_says_why_it_is_not_classified():
    # the nested manifold certificate holds, but the float point is not exactly (u, phi(u)): the kernel refuses to
    # read it as a classification of that point, and the reason says so (not the nested certificate's statement)
    sig = lambda u: 1 / (1 + sympy.exp(-u))  # noqa: E731
    L = (y * sig(x) - sig(1)) ** 2 + sig(2)
    c = classify_critical_point(L, [x, y], [0, float(2 * sig(1))], manifold={y: sig(1) / sig(x)})
    assert c.verdict == "inconclusive"
    assert "does not classify this point" in c.reason and "on the nested certificate's manifold" in c.reason
    assert check_certificate(c.to_json()).ok


def test_curve_argument_decides_a_saddle_that_no_line_shows():
    # Peano's surface: a minimum along every line through 0, a decrease along y = 3 x^2 / 2
    L = (y - x**2) * (y - 2 * x**2)
    c = classify_critical_point(L, [x, y], [0, 0])
    assert c.verdict == "inconclusive" and "give curve=[" in c.reason
    c = classify_critical_point(L, [x, y], [0, 0], curve=[t, 3 * t**2 / 2])
    assert c.certified and c.claim["kind"] == "saddle" and check_certificate(c.to_json()).ok
    with pytest.raises(InvalidInput, match="curve"):
        classify_critical_point(L, [x, y], [0, 0], curve=[sympy.sin(t), t])


def test_degenerate_point_of_a_loss_with_abs_away_from_its_kink():
    # sympy's Hessian of |z - 3| at z = 0 is Derivative(sign(-3), 0): once a raw ValueError
    z = sympy.Symbol("z")
    c = classify_critical_point((x**3 + y**2 + z**2) * sympy.Abs(z - 3), [x, y, z], [0, 0, 0])
    # |z - 3| keeps one branch near the point: along the x-axis the loss changes by 3 t^3, a decrease for t < 0
    # (the Taylor series in Arb); "saddle" would also need the gradient proved zero by the exact engine, which does
    # not differentiate through abs: the weaker, true classification
    assert c.certified and c.claim["kind"] == "not a local minimum"
    assert c.evidence["certificate"]["inputs"]["negative"]["order"] == 3
    assert check_certificate(c.to_json()).ok
    # a loss with a kink at the point stays inconclusive, with the node named
    k = classify_critical_point((x**3 + y**2) * sympy.Abs(z), [x, y, z], [0, 0, 0])
    assert k.verdict == "inconclusive" and check_certificate(k.to_json()).ok


def test_classification_names_a_singular_hessian_with_a_negative_eigenvalue_a_strict_saddle():
    z = sympy.Symbol("z")
    c = classify_critical_point(x**2 - y**2 + z**4, [x, y, z], [0, 0, 0])
    assert c.certified and c.claim["kind"] == "saddle" and c.claim["reason_code"] == "strict"
    c = classify_critical_point(x**3 + y**2, [x, y], [0, 0])
    assert c.certified and c.claim["reason_code"] == "degenerate"


def test_classification_refines_the_point_and_takes_a_stored_graph():
    from proofkit.symbolic.dag import to_dag

    L = (x**2 - 1) ** 2 + (y - 2) ** 2 + x * y / 10
    assert classify_critical_point(L, [x, y], [1, 2]).verdict == "inconclusive"
    c = classify_critical_point(to_dag([L], [x, y]), None, [1.0, 2.0], refine=True)
    assert c.certified and c.claim["kind"] == "strict local minimum" and c.inputs["point"] != ["1", "2"]
    assert check_certificate(c.to_json()).ok


def test_classification_of_a_dead_relu_unit_is_clear_without_a_manifold_and_certified_with_one():
    a1, w1, b1, a2, w2, b2 = sympy.symbols("a1 w1 b1 a2 w2 b2")
    L = sum((a1 * sympy.Max(0, w1 * s + b1) + a2 * sympy.Max(0, w2 * s + b2) - v) ** 2
            for s, v in zip([0, 1, 2, 3], [0, 1, 0, 1]))
    params, R = [a1, w1, b1, a2, w2, b2], sympy.Rational
    c = classify_critical_point(L, params, [1, R(1, 5), R(1, 5), R(1, 2), 1, -10])
    assert c.verdict == "inconclusive" and c.claim["reason_code"] == "non-isolated critical set"
    c = classify_critical_point(L, params, [1, R(1, 5), R(1, 5), R(1, 2), 1, -3])  # on the dead unit's kink
    assert c.verdict == "inconclusive" and "not analytic" in c.reason and "max(0, add(b2, mul(3, w2)))" in c.reason
    c = classify_critical_point(L, params, [1, R(1, 5), R(1, 5), R(1, 2), 1, -10],
                                manifold={w1: 1 / (5 * a1), b1: 1 / (5 * a1)})
    assert c.certified and c.claim["kind"] == "non-strict local minimum"
