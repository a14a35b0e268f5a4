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


# -- piecewise losses: the kinks decided on the box, the identities of the branches taken ---------------------------
a1, w1, b1, a2, w2, b2 = sympy.symbols("a1 w1 b1 a2 w2 b2")
RELU_PARAMS = [a1, w1, b1, a2, w2, b2]
#: The first unit's weights on the manifold: the least-squares line 0.2 x + 0.2 through the data, for any scale a1.
RELU_LINE = {w1: 1 / (5 * a1), b1: 1 / (5 * a1)}


def relu_loss(X, Y):
    """Squared loss of x -> a1 relu(w1 x + b1) + a2 relu(w2 x + b2) on the data (X, Y)."""
    return sum((a1 * sympy.Max(0, w1 * t + b1) + a2 * sympy.Max(0, w2 * t + b2) - s) ** 2 for t, s in zip(X, Y))


def test_dead_relu_unit_minimum_is_certified_in_full_space():
    # unit 2 is dead on the data (x - 10 < 0): its three weights are free; unit 1 fits the least-squares line
    L = relu_loss([0, 1, 2, 3], [0, 1, 0, 1])
    c = certify_local_min(L, RELU_PARAMS, [1, R(1, 5), R(1, 5), R(1, 2), 1, -10], manifold=RELU_LINE)
    assert c.verdict == "certified" and c.claim["value"] == "4/5" and c.claim["strict"] is False
    assert c.claim["tangent"] == ["a1", "a2", "w2", "b2"]
    assert check_certificate(c.to_json()).ok


def test_minimum_on_a_kink_face_is_certified_when_every_branch_is_a_minimum():
    # the data point x = -1 lies on unit 1's kink with zero residual: both branches have the same line of minima
    L = relu_loss([-1, 0, 1, 2, 3], [0, 0, 1, 0, 1])
    c = certify_local_min(L, RELU_PARAMS, [1, R(1, 5), R(1, 5), R(1, 2), 1, -10], manifold=RELU_LINE)
    assert c.verdict == "certified" and c.claim["value"] == "4/5"
    assert check_certificate(c.to_json()).ok
    c = certify_local_min(sympy.Max(0, y) ** 2 + y**2 * (1 + x**2), [x, y], [1, 0], manifold={y: 0})
    assert c.verdict == "certified" and c.claim["value"] == "0"


@pytest.mark.parametrize("point,region", [
    # unit 2 wakes up on x = 3 with a2 > 0: the loss decreases there (not a minimum)
    ([1, R(1, 5), R(1, 5), R(1, 2), 1, -3], "max(0, add(b2, mul(3, w2))) = add(b2, mul(3, w2))"),
    # unit 2 is alive on x = 3 and on the kink at x = 2: not a minimum
    ([1, R(1, 5), R(1, 5), R(1, 2), 1, -2], "max(0, add(b2, mul(2, w2)))"),
])
def test_a_box_across_a_kink_is_refused_naming_the_region(point, region):
    c = certify_local_min(relu_loss([0, 1, 2, 3], [0, 1, 0, 1]), RELU_PARAMS, point, manifold=RELU_LINE)
    assert c.verdict == "inconclusive" and region in c.reason and "not proved >= L0" in c.reason


def test_a_wrong_line_of_a_relu_network_is_not_certified():
    L = relu_loss([0, 1, 2, 3], [0, 1, 0, 1])
    c = certify_local_min(L, RELU_PARAMS, [1, R(1, 4), R(1, 5), R(1, 2), 1, -10],
                          manifold={w1: 1 / (4 * a1), b1: 1 / (5 * a1)})
    assert c.verdict == "inconclusive" and "every kink decided" in c.reason and "undecided" in c.reason


def test_plateau_of_a_sigmoid_network_with_logarithm_weights_is_certified_in_full_space():
    # a1 sigmoid(log 2 x) fits the data exactly; with a2 = 0 the second unit's weights (w2, b2) are free
    sig = lambda t: 1 / (1 + sympy.exp(-t))  # noqa: E731
    X, Y = [0, 1, 2, 3], [R(3, 4), 1, R(6, 5), R(4, 3)]
    L = sum((a1 * sig(w1 * t + b1) + a2 * sig(w2 * t + b2) - s) ** 2 for t, s in zip(X, Y))
    log2 = float(sympy.log(2))
    c = certify_local_min(L, RELU_PARAMS, [R(3, 2), log2, 0, 0, 1, -1],
                          manifold={a1: R(3, 2), w1: sympy.log(2), b1: 0, a2: 0})
    assert c.verdict == "certified" and c.claim["value"] == "0" and c.claim["tangent"] == ["w2", "b2"]
    c = certify_local_min(L, RELU_PARAMS, [R(3, 2), log2 + 1e-3, 0, 0, 1, -1],
                          manifold={a1: R(3, 2), w1: sympy.log(2) + R(1, 1000), b1: 0, a2: 0})
    assert c.verdict == "inconclusive" and "refuted" in c.reason
