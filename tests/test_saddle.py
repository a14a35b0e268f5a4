"""Strict and degenerate saddles, and "not a local minimum" (proofkit.certify.saddle)."""

import pytest
import sympy

from proofkit import certify_not_local_min, certify_saddle, check_certificate
from proofkit.errors import InvalidInput

x, y, z, t = sympy.symbols("x y z t")
R = sympy.Rational


def test_strict_saddle_with_automatic_directions():
    c = certify_saddle(x**2 - 3 * y**2 + x * y**2, [x, y], [0, 0])
    assert c.certified and c.claim["kind"] == "strict"
    assert check_certificate(c.to_json()).ok


def test_strict_saddle_of_a_non_polynomial_loss_at_an_inexact_point():
    L = sympy.cos(x) * sympy.cosh(y) + x / 10  # critical point near x = 0.1001674..., y = 0
    c = certify_saddle(L, [x, y], [0.10016742116155979, 0])
    assert c.certified and c.claim["kind"] == "strict"


def test_polynomial_saddle_of_order_3():
    c = certify_saddle(x**3 + y**2, [x, y], [0, 0])
    assert c.certified and c.claim == {"type": "saddle", "kind": "degenerate", "dimension": 2, "order": 3}
    assert "degenerate saddle" in c.reason and c.to_dict()["reason"] is None  # (a sentence printing makes)
    assert c.inputs["negative"]["coefficient"] == "-1" and c.inputs["positive"] == "same"
    check_certificate(c.to_json())


def test_polynomial_saddle_of_order_4():
    c = certify_saddle(x**4 - y**4 + x**2 * y**2, [x, y], [0, 0])
    assert c.certified and c.claim["order"] == 4
    assert c.inputs["negative"]["coefficient"] == "-1" and c.inputs["positive"]["coefficient"] == "1"


def test_monkey_saddle_along_a_users_curve():
    c = certify_saddle(x**3 - 3 * x * y**2, [x, y], [0, 0], curve=[t, t**2])
    assert c.certified and c.claim["order"] == 3


def test_a_maximum_is_not_a_saddle():
    c = certify_saddle(-x**2 - y**4, [x, y], [0, 0])
    assert c.verdict == "inconclusive" and "maximum" in c.reason


def test_a_minimum_of_order_4_is_never_a_saddle():
    c = certify_saddle(x**4 + y**4, [x, y], [0, 0])
    assert c.verdict == "inconclusive"


def test_curve_with_exactly_zero_leading_coefficient_is_never_certified():
    # along (t, t) the cubic terms cancel exactly: x^3 - y^3 = 0, and the quartic term is positive
    L = x**3 - y**3 + (x**2 + y**2) ** 2
    c = certify_not_local_min(L, [x, y], [0, 0], direction=[1, 1])
    assert c.verdict == "inconclusive"
    assert certify_not_local_min(L, [x, y], [0, 0], direction=[1, 0]).certified


def test_direction_with_curvature_crossing_zero_inside_the_box_is_never_certified():
    # d = (1, 0): d^T H d = 2 - 12 x^2 changes sign at |x| = 0.408..., inside a box of radius 1/2
    L = x**2 - x**4 - y**2
    c = certify_saddle(L, [x, y], [0, 0], radius=R(1, 2))
    assert c.verdict == "inconclusive"
    assert certify_saddle(L, [x, y], [0, 0], radius=R(1, 4)).certified


def test_not_local_min_first_order_on_a_box_with_fixed_coordinates():
    c = certify_not_local_min(x**2 + y + z, [x, y, z], [0, 0, 0], radius=[R(1, 10), 0, R(1, 10)],
                              direction=[0, -1, 0])
    assert c.certified and c.claim["how"] == "first order"
    check_certificate(c.to_json())


def test_not_local_min_at_a_degenerate_origin():
    c = certify_not_local_min((1 - x * y * z) ** 2, [x, y, z], [0, 0, 0])
    assert c.certified and c.inputs["negative"]["order"] == 3


def test_named_errors():
    with pytest.raises(InvalidInput, match="curve"):
        certify_saddle(x**3 + y**2, [x, y], [0, 0], curve=[t + 1, t])
    with pytest.raises(InvalidInput, match="direction"):
        certify_saddle(x**3 + y**2, [x, y], [0, 0], direction=[0, 0])
    with pytest.raises(InvalidInput, match="direction"):
        certify_saddle(x**3 + y**2, [x, y], [0, 0], direction=[1, 0, 0])
    with pytest.raises(InvalidInput, match="point"):
        certify_saddle(x**3 + y**2, [x, y], [0, "a"])


def test_not_local_min_at_a_maximum_of_a_transcendental_loss():
    c = certify_not_local_min(-sympy.cosh(x) * sympy.exp(y**2), [x, y], [0, 0])
    assert c.certified and c.claim["how"] == "box"
    check_certificate(c.to_json())


def test_not_local_min_by_the_taylor_remainder():
    # exact zero slope along (1, 0) at 0, curvature 2 - 6 cosh(y) x^0 ... < 0 near the point
    c = certify_not_local_min(sympy.exp(x**2) - 3 * x**2 * sympy.cosh(y), [x, y], [0, 0], direction=[1, 0])
    assert c.certified and c.claim["how"] == "second order"
    check_certificate(c.to_json())


def test_curvature_vanishing_at_the_point_is_never_certified_by_the_remainder():
    c = certify_not_local_min(sympy.cos(x) * y**2 - x**4, [x, y], [0, 0], direction=[1, 0])
    # the second-order remainder refuses (the curvature along x vanishes at the point); the decrease is of order 4,
    # which the Taylor series in Arb along the x-axis proves (exact zeros below t^4, -1 at t^4)
    assert c.claim["how"] == "curve" and c.certified
    assert c.inputs["negative"]["order"] == 4 and c.inputs["negative"]["coefficient"] == "negative"
    assert check_certificate(c.to_json()).ok


# -- naming, refine, graphs and exact or float points ------------------------------------------------------------------
def test_a_negative_eigenvalue_with_a_singular_hessian_is_a_strict_saddle():
    from proofkit.printing.statements import statement_for

    # the eigenvector of the negative eigenvalue is irrational; the search tries a rational approximation of it first
    L = (x + 2 * y) ** 2 - 3 * (x - y * R(1, 3)) ** 2 + z**4
    c = certify_saddle(L, [x, y, z], [0, 0, 0])
    assert c.certified and c.claim["kind"] == "degenerate" and c.claim["order"] == 2
    assert "strict saddle" in statement_for(c.claim) and "degenerate" not in statement_for(c.claim)
    c = certify_saddle(x**3 + y**2 + z**2, [x, y, z], [0, 0, 0])
    assert c.claim["order"] == 3 and "degenerate saddle" in statement_for(c.claim)


def test_saddle_refine_moves_an_approximate_point_to_the_critical_point():
    L = (x**2 - 1) ** 2 - (y - 2) ** 2 + x * y / 10
    assert certify_saddle(L, [x, y], [1, 2]).verdict == "inconclusive"  # 1e-1 off: no box isolates it
    c = certify_saddle(L, [x, y], [1, 2], refine=True)
    assert c.certified and c.claim["kind"] == "strict" and c.inputs["centers"] != ["1", "2"]
    with pytest.raises(InvalidInput, match="refine"):
        certify_saddle(L, [x, y], [1, 2], refine="yes")


def test_saddle_of_a_stored_graph_loss_with_float_or_exact_points():
    from proofkit.symbolic.dag import to_dag

    L = (x**2 - 1) ** 2 - (y - 2) ** 2 + x * y / 10
    c = certify_saddle(to_dag([L], [x, y]), None, [0.97, 2.02], refine=True)
    assert c.certified and c.inputs["loss"] == to_dag([L], [x, y])
    c = certify_saddle(to_dag([x**3 + y**2], [x, y]), ["x", "y"], [R(0), 0])  # a degenerate saddle, exact point
    assert c.certified and c.claim["order"] == 3
    with pytest.raises(InvalidInput, match="params"):
        certify_saddle(to_dag([L], [x, y]), ["y", "x"], [1, 2])
    with pytest.raises(InvalidInput, match="loss"):
        certify_saddle({"format": "proofkit.dag/1", "inputs": ["x"], "nodes": [["var", 0]], "outputs": [3]}, None, [0])
