"""Non-strict minima on manifolds and strict minima from the loss (proofkit.certify.local_min)."""

import json

import pytest
import sympy

from proofkit import certify_local_min, certify_spurious_minimum, check_certificate
from proofkit.errors import CertificateRejected, InvalidInput

x, y, z = sympy.symbols("x y z")
R = sympy.Rational


def test_curve_of_minima_with_known_value():
    # (xy - 1)^2 + 3 has the hyperbola xy = 1 as a curve of minima with value exactly 3
    c = certify_local_min((x * y - 1) ** 2 + 3, [x, y], [2, R(1, 2)], manifold={y: 1 / x})
    assert c.verdict == "certified"
    assert c.claim["strict"] is False and c.claim["value"] == "3" and c.claim["via"] == "manifold"
    assert check_certificate(c.to_json()).ok


def test_manifold_of_dimension_two_in_three_parameters():
    L = (x + y + z - 1) ** 2 + 5
    c = certify_local_min(L, [x, y, z], [R(1, 3)] * 3, manifold={z: 1 - x - y})
    assert c.certified and c.claim["value"] == "5"


def test_strict_minimum_from_the_loss():
    c = certify_local_min((x - 1) ** 2 + (y + 2) ** 2 + x**4, [x, y], [0.5897545123014677, -2])
    assert c.certified and c.claim["strict"] is True
    check_certificate(c.to_json())


def test_singular_hessian_without_manifold_is_inconclusive():
    c = certify_local_min((x * y - 1) ** 2, [x, y], [1, 1])
    assert c.verdict == "inconclusive" and "manifold" in c.reason


def test_manifold_off_by_1e_12_is_never_certified():
    c = certify_local_min((x * y - 1) ** 2, [x, y], [1, 1], manifold={y: 1 / x + R(1, 10**12)})
    assert c.verdict == "inconclusive" and "refuted" in c.reason


def test_kernel_rejects_a_manifold_off_by_1e_12():
    c = certify_local_min((x * y - 1) ** 2, [x, y], [1, 1], manifold={y: 1 / x})
    from proofkit.certificate import input_hash
    from proofkit.symbolic.dag import to_dag

    d = c.to_dict()
    d["inputs"]["manifold"] = to_dag([1 / x + R(1, 10**12)], [x])
    d["input_hash"] = input_hash(d["inputs"])
    with pytest.raises(CertificateRejected, match="undecided"):  # the exact engine says so, not "false"
        check_certificate(json.dumps(d))


def test_spurious_minimum_on_a_manifold():
    L = (x * y - 1) ** 2 * ((x * y - 3) ** 2 + 1)  # value 0 on xy = 1, and a higher valley near xy = 3
    c = certify_spurious_minimum((x * y - 1) ** 2 + 1, [x, y], [1, 1], global_value=0, manifold={y: 1 / x})
    assert c.certified and c.claim["type"] == "local_min" and c.claim["compare"] == "stated global value"
    c = certify_local_min(L, [x, y], [1, 1], manifold={y: 1 / x}, better_point=[0, 0])
    assert c.verdict == "inconclusive"  # the value 0 is the global one: nothing is better


def test_named_errors():
    with pytest.raises(InvalidInput, match="manifold"):
        certify_local_min((x * y - 1) ** 2, [x, y], [1, 1], manifold={z: 1 / x})
    with pytest.raises(InvalidInput, match="manifold"):
        certify_local_min((x * y - 1) ** 2, [x, y], [1, 1], manifold={y: 1 / z})
    with pytest.raises(InvalidInput, match="point"):
        certify_local_min((x * y - 1) ** 2, [x, y], [1, 2], manifold={y: 1 / x})
    with pytest.raises(InvalidInput, match="point"):
        certify_local_min((x * y - 1) ** 2, [x, y], [1], manifold={y: 1 / x})
    with pytest.raises(InvalidInput, match="radius"):
        certify_local_min((x - 1) ** 2, [x], [1], radius=-1)
    with pytest.raises(InvalidInput, match="loss"):
        certify_local_min("x**2", [x], [1])
    with pytest.raises(InvalidInput, match="params"):
        certify_local_min(x**2 + y**2, [x], [1])
    with pytest.raises(InvalidInput, match="point"):
        certify_local_min(x**2, [x], [float("nan")])


def test_transcendental_manifold_value_is_checked_as_constancy():
    # constant on xy = 1 with the transcendental value e; exp(x) enters the kernel as an atom
    L = (x * y - 1) ** 2 * sympy.exp(x) + sympy.E
    c = certify_local_min(L, [x, y], [1, 1], manifold={y: 1 / x})
    assert c.certified and c.claim["value"] is None and c.evidence == {}
    rep = check_certificate(c.to_json())  # the kernel encloses L0 = L(u0, phi(u0)) itself: e
    assert rep.ok and "slice" not in rep.measures and rep.tier == "arb"


def _sigmoid(u):
    return 1 / (1 + sympy.exp(-u))


def test_sigmoid_manifold_with_transcendental_value_round_trips_through_json():
    # x -> y sigma(x) on one sample (x = 1) with target sigma(1), plus sigma(2): minima on y = sigma(1) / sigma(x)
    # with the transcendental value sigma(2); the certificate once stored "inputs.A: null" and the kernel rejected it
    L = (y * _sigmoid(x) - _sigmoid(1)) ** 2 + _sigmoid(2)
    point = [0, float(2 * _sigmoid(1))]
    c = certify_local_min(L, [x, y], point, manifold={y: _sigmoid(1) / _sigmoid(x)})
    assert c.certified and c.claim["value"] is None and "A" not in c.inputs
    assert check_certificate(c.to_json()).ok
    s = certify_spurious_minimum(L, [x, y], point, global_value=0, manifold={y: _sigmoid(1) / _sigmoid(x)})
    assert s.certified and check_certificate(s.to_json()).ok
