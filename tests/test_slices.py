"""Honest slices and lifts by verified symmetries (proofkit.certify.slices)."""

import json

import pytest
import sympy

from proofkit import certify_lifted_minimum, certify_spurious_minimum, certify_strict_local_min, check_certificate
from proofkit.errors import CertificateRejected, InvalidInput

x, y, t = sympy.symbols("x y t")
ROT = (t, [x * sympy.cos(t) - y * sympy.sin(t), x * sympy.sin(t) + y * sympy.cos(t)])


def test_slice_of_a_saddle_is_only_a_slice_statement():
    f = x**2 - y**2 + 1
    c = certify_strict_local_min([f.diff(x), f.diff(y)], None, [0], 0.1, variables=[x, y], fixed={y: 0}, loss=f)
    assert c.certified and c.claim["type"] == "local_min" and c.claim["slice"] is True and c.claim["fixed"] == ["y"]
    assert "no full-space claim" in c.reason
    assert check_certificate(c.to_json()).ok
    d = c.to_dict()
    d["claim"].update(slice=False, fixed=[])  # retyped as a full-space claim
    with pytest.raises(CertificateRejected, match="slice"):
        check_certificate(json.dumps(d))


def test_a_false_symmetry_does_not_lift_the_saddle():
    c = certify_lifted_minimum(x**2 - y**2 + 1, [x, y], [0, 0], [y], (t, {y: y + t}))
    assert c.verdict == "inconclusive" and "not a verified symmetry" in c.reason


def test_text_symmetry_is_an_unverified_note():
    f = (x**2 - 1) ** 2 + x / 4 + y**2
    c = certify_spurious_minimum(f, [x, y], [0.97, 0], better_point=[-1.03, 0], fixed={y: 0}, symmetry="trust me")
    assert c.claim["type"] == "local_min" and c.claim["slice"] is True and "no full-space claim" in c.reason
    assert "trust me" in c.method and "not verified" in c.method  # (a note, not an input the kernel checks)
    assert check_certificate(c.to_json()).ok


def test_rotation_symmetry_lifts_a_slice_minimum():
    L = (x**2 + y**2 - 1) ** 2 + 2
    c = certify_lifted_minimum(L, [x, y], [1, 0], [y], ROT, global_value=1)
    assert c.certified and c.claim["via"] == "symmetry" and c.claim["strict"] is False
    assert check_certificate(c.to_json()).ok


def test_spurious_minimum_with_a_verified_symmetry_delegates_to_the_lift():
    L = (x**2 + y**2 - 1) ** 2 + 2
    c = certify_spurious_minimum(L, [x, y], [1, 0], global_value=1, fixed={y: 0}, symmetry=ROT)
    assert c.certified and c.claim["type"] == "local_min" and c.claim["via"] == "symmetry"


def test_transversality_failure_is_never_certified():
    # x^2 + y^2 restricted to the slice x = 1 has a strict minimum at y = 0, and the rotation is a
    # verified symmetry, but its orbit at (1, 0) is tangent to the slice: (1, 0) is no local minimum
    c = certify_lifted_minimum(x**2 + y**2, [x, y], [1, 0], [x], ROT)
    assert c.verdict == "inconclusive" and "transvers" in c.reason


def test_kernel_rejects_a_forged_orbit():
    L = (x**2 + y**2 - 1) ** 2
    c = certify_lifted_minimum(L, [x, y], [1, 0], [y], ROT)
    from proofkit.certificate import input_hash
    from proofkit.symbolic.dag import to_dag

    d = c.to_dict()
    d["inputs"]["orbits"] = to_dag([-y, 2 * x], [x, y])
    d["input_hash"] = input_hash(d["inputs"])
    with pytest.raises(CertificateRejected, match="orbit"):
        check_certificate(json.dumps(d))


def test_named_errors():
    L = (x**2 + y**2 - 1) ** 2
    with pytest.raises(InvalidInput, match="fixed"):
        certify_lifted_minimum(L, [x, y], [1, 0], ["z"], ROT)
    with pytest.raises(InvalidInput, match="symmetry"):
        certify_lifted_minimum(L, [x, y], [1, 0], [y], [x, y])
    with pytest.raises(InvalidInput, match="symmetry"):
        certify_lifted_minimum(L, [x, y], [1, 0], [y], (t, [x]))
