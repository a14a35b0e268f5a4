"""Regression tests for forgeries and hostile inputs that the kernel or a certifier once accepted.

Each forged certificate is re-hashed, so that only the mathematics can make the kernel reject it
(``benchmarks/attack_kernel.py`` replays the whole collection).
"""

import copy
import json
import subprocess
import sys

import pytest
import sympy

import proofkit as pk
from proofkit import check_certificate
from proofkit.certificate import input_hash, matrix_hash
from proofkit.errors import CertificateRejected
from proofkit.symbolic.dag import to_dag

x, y = sympy.symbols("x y")


def rehashed(d):
    d["input_hash"] = input_hash({k: v for k, v in d["inputs"].items() if k != "A"})
    return json.dumps(d)


def _junk(dag, junk):
    """Add ``0 * junk`` to the output: the same function, but costly for an exact engine to expand."""
    k, o = len(dag["nodes"]), dag["outputs"][0]
    dag["nodes"] += junk(k)
    m = len(dag["nodes"]) - 1
    dag["nodes"] += [["const", "0"], ["mul", m, m + 1], ["add", o, m + 2]]
    dag["outputs"] = [m + 3]


def _check_in_child(text):
    """The kernel's answer in a separate process (an abort of GMP/FLINT must fail the test, not the run)."""
    code = ("import sys\nfrom proofkit import check_certificate\nfrom proofkit.errors import CertificateRejected\n"
            "try:\n    check_certificate(sys.stdin.read()); print('ACCEPTED')\n"
            "except CertificateRejected as e:\n    print('rejected', e)\n")
    res = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr[-300:]
    return res.stdout


POWER_TOWER = [("(3^4096)^4096)^4096", lambda k: [["const", "3"], ["pow", k, "4096"], ["pow", k + 1, "4096"],
                                                  ["pow", k + 2, "4096"]]),
               ("3^(2^40) by squaring", lambda k: [["const", "3"]] + [["mul", k + i, k + i] for i in range(40)]),
               ("3^(2^62)", lambda k: [["const", "3"], ["pow", k, str(2**62)]])]


@pytest.mark.parametrize("name,junk", POWER_TOWER, ids=[n for n, _ in POWER_TOWER])
def test_exact_engine_of_the_landscape_rules_is_bounded(name, junk):
    # used to abort the interpreter (GNU MP: cannot reallocate memory) or run out of memory
    d = json.loads(pk.certify_saddle(x**3 + y**2, [x, y], [0, 0]).to_json())
    assert d["verdict"] == "certified"
    _junk(d["inputs"]["loss"], junk)
    out = _check_in_child(rehashed(d))
    assert out.startswith("rejected") and ("too large" in out or "over budget" in out)


@pytest.mark.parametrize("name,junk", POWER_TOWER, ids=[n for n, _ in POWER_TOWER])
def test_identity_normaliser_is_bounded(name, junk):
    from proofkit.certify import certify_identity

    d = json.loads(certify_identity([(x + 1) ** 2], [x**2 + 2 * x + 1], [x]).to_json())
    _junk(d["inputs"]["lhs"], junk)
    _junk(d["inputs"]["rhs"], junk)
    out = _check_in_child(rehashed(d))
    assert out.startswith("rejected") and ("too large" in out or "over budget" in out)


def test_classification_point_must_lie_on_the_manifold():
    c = pk.classify_critical_point((x * y - 1) ** 2, [x, y], [1, 1], manifold={y: 1 / x})
    assert c.certified and check_certificate(c.to_json()).ok
    d = json.loads(c.to_json())
    d["inputs"]["point"] = ["1", "101/100"]  # in the box, but L = 1e-4 there and 0 on the manifold nearby
    with pytest.raises(CertificateRejected, match="manifold"):
        check_certificate(rehashed(d))


def test_nested_classification_certificate_is_checked_in_full():
    c = pk.classify_critical_point((x - 1) ** 2 + y**2, [x, y], [1, 0])
    d = json.loads(c.to_json())
    for field, value in (("reason", "proved by inspection"), ("binding", {"label": "x", "claim_hash": "0"})):
        e = copy.deepcopy(d)
        e["evidence"]["certificate"][field] = value
        with pytest.raises(CertificateRejected, match="nested"):
            check_certificate(rehashed(e))
    e = copy.deepcopy(d)
    e["evidence"]["certificate"]["evidence"]["extra"] = "1"
    with pytest.raises(CertificateRejected):
        check_certificate(rehashed(e))


def test_piecewise_kink_is_not_a_descent_direction():
    # 0 is a strict local minimum of x^2 (x > 0), -x (x <= 0); the active piece -x has slope -1 there
    L = sympy.Piecewise((x**2, x > 0), (-x, True))
    try:
        c = pk.certify_not_local_min(L, [x], [0])
        assert not c.certified
    except CertificateRejected as exc:  # the certifier names the kink
        assert "piecewise" in str(exc)
    d = json.loads(pk.certify_not_local_min(-x, [x], [0]).to_json())
    assert d["verdict"] == "certified" and d["inputs"]["direction"] == ["1"]
    d["inputs"]["loss"] = to_dag(L, [x])
    with pytest.raises(CertificateRejected, match="piecewise"):
        check_certificate(rehashed(d))


def test_piecewise_strictly_inside_a_branch_still_differentiates():
    import flint

    from proofkit.kernel import decode_dag, enclose

    dag = decode_dag(to_dag(sympy.Piecewise((x**2, x > 0), (-x, True)), [x]))
    _, g, _ = enclose(dag, [flint.arb(-1, 0.5)], 1, 64)[0]
    assert g[0] == -1
    v, _, _ = enclose(dag, [flint.arb(0)], 0, 64)[0]  # values at the boundary are still fine
    assert v == 0


def test_curve_record_has_exactly_its_keys():
    d = json.loads(pk.certify_saddle(x**3 + y**2, [x, y], [0, 0]).to_json())
    d["inputs"]["negative"]["note"] = "unchecked text"
    with pytest.raises(CertificateRejected, match="expected the keys"):
        check_certificate(rehashed(d))


def test_infinite_timing_is_rejected():
    text = pk.certify_nonsingular([[1, 2], [3, 4]]).to_json()
    with pytest.raises(CertificateRejected, match="time_seconds"):
        check_certificate(text[:-1] + ',"time_seconds":1e999}')
    assert check_certificate(text[:-1] + ',"time_seconds":0.5}').ok


def test_check_identity_with_max_gives_a_verdict_not_a_traceback():
    # Max/Min are not rational functions: this used to end in a raw ValueError
    r = pk.check_identity(sympy.Max(x, 0) - sympy.Max(-x, 0), x)
    assert r.verdict in ("proved", "inconclusive")
    assert pk.check_identity(sympy.Max(x, 0), x).verdict == "refuted"


def test_slice_values_are_bound_to_the_stored_expression():
    f = x**2 - y**2 + 1 + x * y
    c = pk.certify_strict_local_min([f.diff(x), f.diff(y)], None, [0], 0.1, variables=[x, y], fixed={y: 0}, loss=f)
    assert c.certified and c.inputs["loss"]["inputs"] == ["x", "y"]
    assert check_certificate(c.to_json()).ok
    d = json.loads(c.to_json())
    assert d["inputs"]["centers"][1] == "0" and d["inputs"]["radii"][1] == "0"  # y: a coordinate held at 0
    d["inputs"]["centers"][1] = "5"  # on the slice y = 5 the minimum is at x = -5/2, outside the box
    with pytest.raises(CertificateRejected):
        check_certificate(rehashed(d))
    d["inputs"]["loss"] = to_dag([f.subs(y, 0)], [x])  # values substituted: the recorded value would be a label
    with pytest.raises(CertificateRejected, match="centres"):
        check_certificate(rehashed(d))
    g = pk.certify_critical_point([f.diff(x), f.diff(y)], None, [0], 0.1, variables=[x, y], fixed={y: 0})
    assert g.certified and g.inputs["gradient"]["inputs"] == ["x", "y"]
    d = json.loads(g.to_json())
    d["inputs"]["centers"][1] = "5"
    with pytest.raises(CertificateRejected):
        check_certificate(rehashed(d))


def test_spurious_slice_values_are_bound_to_the_stored_expression():
    f = (x**2 - 1) ** 2 + x / 4 + (y - x) ** 2 * 0 + y**2
    c = pk.certify_spurious_minimum(f, [x, y], [0.97, 0], fixed={y: 0}, better_point=[-1.03, 0])
    assert c.certified and c.inputs["loss"]["inputs"] == ["x", "y"]
    assert check_certificate(c.to_json()).ok
    d = json.loads(c.to_json())
    d["inputs"]["centers"][1] = "3"  # the slice y = 3: the better point is not on it any more
    with pytest.raises(CertificateRejected, match="slice"):
        check_certificate(rehashed(d))
    d["inputs"]["better"][1] = "3"  # and on it, the loss moves by 9 at both points: the gap still holds
    assert check_certificate(rehashed(d)).ok


def _definite_claim(kind, loss, C):
    """A genuine certificate of ``kind`` moved to the box 0 +- 1/100 of ``loss``, with the matrix C given."""
    f = (x - 1) ** 2 + 2 * y**2 + x * y
    p0 = [sympy.Rational(8, 7), sympy.Rational(-2, 7)]
    if kind == "strict_local_min":
        c = pk.certify_strict_local_min([f.diff(x), f.diff(y)], None, p0, 0.01, variables=[x, y], loss=f)
    elif kind == "spurious_local_min":
        c = pk.certify_spurious_minimum(f, [x, y], p0, global_value=-5)
    elif kind == "local_min":
        c = pk.certify_local_min(f, [x, y], p0)
    else:  # the nested certificate of a classification as a maximum
        c = pk.classify_critical_point(-(x**2) - y**2, [x, y], [0, 0])
    d = json.loads(c.to_json())
    if kind == "local_max":
        d = d["evidence"]["certificate"]
    assert d["verdict"] == "certified" and d["claim"]["type"] == kind.replace("strict_", "").replace("spurious_", "")
    d["inputs"].update(loss=to_dag([loss], [x, y]), centers=["0", "0"], radii=["1/100", "1/100"])
    d["evidence"]["C"] = C
    d["evidence"].pop("K", None)
    return rehashed(d)


HALF, SADDLE_C, MAX_C = [["1/2", "0"], ["0", "1/2"]], [["1/2", "0"], ["0", "-1/2"]], [["-1/2", "0"], ["0", "-1/2"]]


@pytest.mark.parametrize("kind", ["strict_local_min", "spurious_local_min", "local_min", "local_max"])
def test_definiteness_after_krawczyk_refuses_saddles_and_wrong_extrema(kind):
    # C is the exact inverse of the (constant) Hessian, so Krawczyk's test succeeds on these boxes and only
    # the definiteness test (one symmetric member, every member nonsingular) stands between them and acceptance
    wrong = [(x**2 - y**2, SADDLE_C), (x**2 + 3 * x * y + y**2, [["-2/5", "3/5"], ["3/5", "-2/5"]])]
    wrong += [(x**2 + y**2, HALF)] if kind == "local_max" else [(-(x**2) - y**2, MAX_C)]
    for loss, C in wrong:
        with pytest.raises(CertificateRejected, match="definite"):
            check_certificate(_definite_claim(kind, loss, C))
    if kind != "spurious_local_min":  # control: the true extremum in the same box is accepted
        loss, C = (-(x**2) - y**2, MAX_C) if kind == "local_max" else (x**2 + y**2, HALF)
        assert check_certificate(_definite_claim(kind, loss, C)).ok


# -- Soundness 3, finding 1: a product with a factor on a constant branch of max/min/piecewise --------------
from proofkit.testing.forgeries import FORGERIES  # noqa: E402
from proofkit.testing.oracle import dag_to_sympy  # noqa: E402


@pytest.mark.parametrize("name", list(FORGERIES))
def test_forgeries_built_on_misplaced_product_derivatives_are_rejected(name):
    # each one was accepted by check_certificate and by `proofkit verify` at commit 010da8f, whose evaluator
    # put the derivative blocks of max(1, x0) * x1 (x0 < 1 on the box) on x0 instead of x1
    build, claim_type = FORGERIES[name]
    text = build()
    d = json.loads(text)
    assert d["claim"]["type"] == claim_type and d["verdict"] == "certified"
    with pytest.raises(CertificateRejected):
        check_certificate(text)


def test_forged_statements_are_false():
    # the statements carried by the forgeries, judged with sympy on their own stored expressions
    from proofkit.testing import forgeries as fg

    X = sympy.symbols("x0:3", real=True)
    at0 = dict(zip(X, [0, 0, 0]))
    (L,) = dag_to_sympy(json.loads(fg.strict_min_with_nonzero_gradient())["inputs"]["loss"])
    assert [sympy.diff(L, v).subs(at0) for v in X] == [-1, 1, 0]  # (-1, 1, 0) + 2x: no zero in the box
    (L,) = dag_to_sympy(json.loads(fg.saddle_at_strict_min())["inputs"]["loss"])
    branch = L.subs(sympy.Max(1, X[0]), 1)  # x0 < 1 on the box
    assert sympy.expand(branch - (X[0]**2 + X[1]**2 + X[2]**2)) == 0  # a strict minimum, not a saddle
    G = dag_to_sympy(json.loads(fg.critical_point_without_zero())["inputs"]["gradient"])
    assert sympy.simplify(G[0].subs(sympy.Max(1, X[0]), 1)) == sympy.Rational(1, 1000)  # never zero
    (L,) = dag_to_sympy(json.loads(fg.not_local_min_at_global_min())["inputs"]["loss"])
    assert sympy.expand(L.subs(sympy.Max(1, X[0]), 1) - (X[0]**2 + X[1]**2 + X[2]**2)) == 0
    W, A, B = sympy.symbols("w a b", real=True)
    (L,) = dag_to_sympy(json.loads(fg.hard_tanh_network_at_noncritical_point())["inputs"]["loss"])
    sat = L.subs(sympy.Max(-1, sympy.Min(1, 2 * W)), 1)  # 2w in [1.8, 1.84] on the box: saturated
    at = {W: sympy.Rational(10, 11), A: 0, B: sympy.Rational(10, 11)}
    assert [sympy.diff(sat, v).subs(at) for v in (W, A, B)] == [sympy.Rational(2, 11), sympy.Rational(-2, 11), 0]


def test_proofkit_verify_rejects_the_forgeries(tmp_path):
    for k, (build, _) in enumerate(FORGERIES.values()):
        path = tmp_path / f"forged{k}.json"
        path.write_text(build())
        res = subprocess.run([sys.executable, "-m", "proofkit", "verify", str(path)], capture_output=True, text=True,
                             timeout=120)
        assert res.returncode == 1 and "REJECTED" in res.stdout, (k, res.stdout[-300:], res.stderr[-300:])


# -- manifold minima of piecewise losses: the branches are decided on the stored box by the kernel itself -----------
def _dead_relu_minimum(b2):
    """``certify_local_min`` of a two-unit ReLU network on four points, unit 2's bias ``b2`` (dead below -3)."""
    a1, w1, b1, a2, w2, b2_ = sympy.symbols("a1 w1 b1 a2 w2 b2")
    L = sum((a1 * sympy.Max(0, w1 * t + b1) + a2 * sympy.Max(0, w2 * t + b2_) - s) ** 2
            for t, s in zip([0, 1, 2, 3], [0, 1, 0, 1]))
    return pk.certify_local_min(L, [a1, w1, b1, a2, w2, b2_], [1, sympy.Rational(1, 5), sympy.Rational(1, 5),
                                sympy.Rational(1, 2), 1, b2], manifold={w1: 1 / (5 * a1), b1: 1 / (5 * a1)})


def _dead_relu_certificate():
    c = _dead_relu_minimum(-10)
    assert c.verdict == "certified" and check_certificate(c.to_json()).ok
    return json.loads(c.to_json())


@pytest.mark.parametrize("field,index,value,match", [
    # unit 2 moved onto its kink at x = 3 with a2 > 0 (the loss decreases when it wakes up): a false minimum
    ("centers", 5, "-3", "manifold identities"),
    # a box so wide that unit 2 wakes up inside it
    ("radii", 5, "8", "manifold identities|regions"),
    # unit 1's kink at x = 0 inside the box: the other branch is not a minimum
    ("radii", 2, "1/2", "manifold identities|phi"),
])
def test_false_relu_minimum_on_a_moved_box_is_rejected(field, index, value, match):
    d = _dead_relu_certificate()
    d["inputs"][field][index] = value
    with pytest.raises(CertificateRejected, match=match):
        check_certificate(rehashed(d))


def test_false_relu_minimum_refused_by_the_certifier_is_rejected_when_marked_certified():
    c = _dead_relu_minimum(-3)
    assert c.verdict == "inconclusive" and "region" in c.reason
    d = json.loads(c.to_json())
    d["verdict"], d["reason"] = "certified", None
    with pytest.raises(CertificateRejected, match="manifold identities"):
        check_certificate(rehashed(d))


def test_relu_minimum_across_a_kink_needs_its_stated_value():
    # both branches are minima here, but with the value dropped the kernel would compare constants it never proved equal
    c = pk.certify_local_min(sympy.Max(0, y) ** 2 + y**2 * (1 + x**2), [x, y], [1, 0], manifold={y: 0})
    assert c.certified
    d = json.loads(c.to_json())
    d["inputs"]["value"] = d["claim"]["value"] = None
    with pytest.raises(CertificateRejected, match="stated value"):
        check_certificate(rehashed(d))


def test_relu_minimum_with_the_dead_unit_swapped_for_a_live_one_is_rejected():
    d = _dead_relu_certificate()
    loss = d["inputs"]["loss"]  # the dead unit's relu(b2) (data point x = 0) becomes |b2|: alive on the whole box
    b2 = loss["nodes"].index(["var", loss["inputs"].index("b2")])
    zero = loss["nodes"].index(["const", "0"])
    loss["nodes"][loss["nodes"].index(["max", zero, b2])] = ["abs", b2]
    assert any(n[0] == "abs" for n in loss["nodes"])
    with pytest.raises(CertificateRejected, match="manifold identities"):
        check_certificate(rehashed(d))


@pytest.mark.parametrize("a2", [sympy.Rational(1, 2), sympy.Rational(-1, 2)])
def test_relu_minimum_forged_from_a_smooth_surrogate_is_rejected(a2):
    """The attacker's way: certify the surrogate in which the sleeping unit is written as 0 (a true manifold of
    minima), then store the ReLU loss, whose unit sits on its kink at x = 3 inside the box, and rehash. With
    a2 = 1/2 the loss decreases when the unit wakes up (a false minimum); with a2 = -1/2 it is a minimum, but
    only one-sided, which the rule does not prove: either way the kernel must not accept the swapped loss."""
    from proofkit.testing.mutants import rehash

    a1, w1, b1, w2, b2, a = sympy.symbols("a1 w1 b1 w2 b2 a2")
    params = [a1, w1, b1, a, w2, b2]
    X, Y = [0, 1, 2, 3], [0, 1, 0, 1]
    unit2 = [sympy.Max(0, w2 * t + b2) for t in X]
    relu = sum((a1 * sympy.Max(0, w1 * t + b1) + a * u - s) ** 2 for t, s, u in zip(X, Y, unit2))
    surrogate = sum((a1 * sympy.Max(0, w1 * t + b1) - s) ** 2 for t, s in zip(X, Y))  # (a2, w2, b2: unused inputs)
    point = [1, sympy.Rational(1, 5), sympy.Rational(1, 5), a2, 1, -3]
    c = pk.certify_local_min(surrogate, params, point, manifold={w1: 1 / (5 * a1), b1: 1 / (5 * a1)})
    assert c.verdict == "certified"
    d = json.loads(c.to_json())
    d["inputs"]["loss"] = to_dag([relu], params)
    rehash(d)
    with pytest.raises(CertificateRejected, match="manifold identities"):
        check_certificate(json.dumps(d))

# -- found by adversarial review of kernel 3 ------------------------------------------------------------------------
def _hand_cert(claim, inputs, evidence=None, precision=256):
    """A current-schema certificate written by hand (as a forger writes it), with its input hash."""
    d = {"schema": "proofkit.certificate/3", "claim": claim, "verdict": "certified", "method": "hand", "backend": "arb",
         "precision": precision, "input_hash": "0" * 64, "inputs": inputs, "evidence": evidence or {}, "reason": None,
         "versions": {}, "binding": None}
    return rehashed(d)


def _identity_cert(lhs_nodes, rhs_nodes, names, assumptions=None):
    def dag(nodes):
        return {"format": "proofkit.dag/1", "inputs": names, "nodes": nodes, "outputs": [len(nodes) - 1]}

    inputs = {"variables": names, "lhs": dag(lhs_nodes), "rhs": dag(rhs_nodes)}
    if assumptions is not None:
        inputs["assumptions"] = assumptions
    return _hand_cert({"type": "identity", "entries": 1}, inputs)


def test_opaque_reciprocal_of_the_zero_function_is_a_division_by_zero():
    # sign(x / y^2) = sign(x) wherever defined: on the hyperplane y = 0 the opaque reciprocal of y^2 (the zero function
    # there) used to raise IndexError inside the exact engine ("malformed certificate")
    lhs = [["var", 0], ["var", 1], ["pow", 1, "2"], ["pow", 2, "-1"], ["mul", 0, 3], ["sign", 4]]
    rhs = [["var", 0], ["sign", 0]]
    assert check_certificate(_identity_cert(lhs, rhs, ["x", "y"])).rule == "exact"
    false_rhs = [["var", 0], ["var", 1], ["sign", 0], ["sign", 1], ["mul", 2, 3]]  # sign(x) sign(y): false for y < 0
    with pytest.raises(CertificateRejected, match="sign region"):
        check_certificate(_identity_cert(lhs, false_rhs, ["x", "y"]))


def test_contradictory_assumptions_certify_no_identity():
    # |x| + 1 = 0 "for every positive and negative x" (no such x): the sign regions were all empty, so it was certified
    lhs = [["var", 0], ["abs", 0], ["const", "1"], ["add", 1, 2]]
    with pytest.raises(CertificateRejected, match="allow no value"):
        check_certificate(_identity_cert(lhs, [["const", "0"]], ["x"], [["positive", "negative"]]))
    with pytest.raises(CertificateRejected, match="allow no value"):
        check_certificate(_identity_cert(lhs, [["const", "0"]], ["x"], [["nonnegative", "negative"]]))
    # consistent assumptions still prove what they allow: |x| = x for x >= 0, x != 0
    ok = _identity_cert([["var", 0], ["abs", 0]], [["var", 0]], ["x"], [["nonnegative", "nonzero"]])
    assert check_certificate(ok).rule == "exact"


def test_relu_region_bounds_are_charged_to_the_budget():
    # N w (d + 1) exact terms were computed uncharged: 2000 samples and 2000 units took 13 s of a certificate of 62 KB,
    # 20,000 of each about 20 minutes for 620 KB (the budget: 1 s per KB)
    N = w = 1000
    inputs = {"X": [["1"]] * N, "width": w, "centers": ["1"] * (2 * w), "radii": ["1/2"] * (2 * w)}
    text = _hand_cert({"type": "relu_linear_region", "N": N, "rank_bound": 1}, inputs, {"min_preactivation": "1"})
    with pytest.raises(CertificateRejected, match="over budget: the pre-activation bounds"):
        check_certificate(text, budget=1.0)
    small = _hand_cert({"type": "relu_linear_region", "N": 3, "rank_bound": 2},
                       {"X": [["1"], ["2"], ["3"]], "width": 1, "centers": ["1", "1"], "radii": ["1/2", "1/2"]},
                       {"min_preactivation": "1"})
    assert check_certificate(small).rule == "exact"


def test_huge_integer_powers_are_charged_by_their_bits():
    # x^(10^4000) was charged as one operation; at 65,536 bits its three square-and-multiply chains (value and
    # derivatives) took about 20 s for a certificate of 4 KB (x^(10^19999): 100 s for 20 KB)
    loss = {"format": "proofkit.dag/1", "inputs": ["x"], "nodes": [["var", 0], ["pow", 0, "1" + "0" * 4000]],
            "outputs": [1]}
    text = _hand_cert({"type": "not_local_min", "how": "first order", "dimension": 1},
                      {"loss": loss, "centers": ["3/2"], "radii": ["0"], "direction": ["-1"]}, precision=65536)
    with pytest.raises(CertificateRejected, match="over budget: an evaluation"):
        check_certificate(text)



def _in_small_child(code, text=""):
    """The output of ``code`` run in a child process limited to 3 GB of address space (a GMP/FLINT allocation
    failure aborts it, which fails the test)."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    res = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, timeout=120,
                         preexec_fn=limit)
    assert res.returncode == 0, res.stderr[-300:]
    return res.stdout


def _many_denominators(n):
    """An n x n matrix of distinct denominators above 2^29 (their lcm has millions of bits)."""
    return [[f"1/{2**29 + i * n + j}" for j in range(n)] for i in range(n)]


def test_rational_matrix_of_many_denominators_is_charged_not_cleared_at_once():
    # FLINT's numer_denom (one common denominator of about a million bits for 200 x 200, times each of the 40,000
    # entries) ran before any charge: GNU MP aborted the interpreter for want of memory (400 x 400: ~100 GB)
    d = json.loads(pk.enclose_det([[2, 1], [1, 3]]).to_json())
    d["claim"]["n"] = 200
    d["inputs"]["A"] = {"kind": "rational", "shape": [200, 200], "entries": _many_denominators(200)}
    d["inputs"]["A_hash"] = matrix_hash(d["inputs"]["A"])
    code = ("import sys\nfrom proofkit import check_certificate\nfrom proofkit.errors import CertificateRejected\n"
            "try:\n    check_certificate(sys.stdin.read(), budget=20.0); print('ACCEPTED')\n"
            "except CertificateRejected as e:\n    print('rejected', e)\n")
    assert "rejected certificate rejected: over budget: an exact determinant" in _in_small_child(code, rehashed(d))


def test_record_of_a_matrix_of_many_denominators_is_written_entry_by_entry():
    # the certifiers' record of such a matrix cleared the common denominator first (the same abort)
    code = ("import json, sys\nfrom fractions import Fraction\nfrom proofkit.certify import matrix_record\n"
            "rows = json.loads(sys.stdin.read())\n"
            "print(matrix_record([[Fraction(v) for v in r] for r in rows])['entries'] == rows)\n")
    assert _in_small_child(code, json.dumps(_many_denominators(200))).strip() == "True"


def test_exact_determinant_stated_next_to_a_ball_is_checked_exactly():
    # with a det ball stated the kernel took an Arb enclosure, and compared the stated det_exact with it (ball
    # overlap): a wrong exact determinant within 1e-17 of the true one was accepted and printed as the determinant
    import flint

    from proofkit.certificate import arb_to_data

    A = [[flint.fmpq(1, 3), flint.fmpq(1, 7)], [flint.fmpq(1, 5), flint.fmpq(2, 11)]]
    true = flint.fmpq_mat(A).det()
    d = json.loads(pk.enclose_det(A).to_json())
    d["evidence"] = {"det": arb_to_data(flint.arb(true, 1e-10)), "det_exact": str(true + flint.fmpq(1, 10**30))}
    with pytest.raises(CertificateRejected, match="recorded exact determinant is not the determinant"):
        check_certificate(rehashed(d))
    d["evidence"]["det_exact"] = str(true)
    assert check_certificate(rehashed(d)).measures["det"] == true


def test_exact_determinant_of_a_matrix_of_constants_is_refused():
    # det [[e, 1], [1, pi]] = e pi - 1 is not rational: a rational det_exact inside its Arb ball was accepted
    d = json.loads(pk.enclose_det([[sympy.E, 1], [1, sympy.pi]]).to_json())
    d["evidence"] = {"det_exact": "7539734222673567/1000000000000000"}
    with pytest.raises(CertificateRejected, match="recorded exact determinant is not the determinant"):
        check_certificate(rehashed(d))


def test_modular_determinant_of_a_matrix_of_balls_is_refused_by_name():
    # used to be rejected as "malformed certificate (AttributeError: 'NoneType' object has no attribute 'nrows')"
    import flint

    from proofkit.certificate import arb_to_data

    d = json.loads(pk.certify_nonsingular([[2, 1], [1, 3]]).to_json())
    d["inputs"]["A"] = {"kind": "balls", "shape": [2, 2],
                        "entries": [[arb_to_data(flint.arb(v)) for v in row] for row in ([2, 1], [1, 3])]}
    d["inputs"]["A_hash"] = matrix_hash(d["inputs"]["A"])
    d["evidence"] = {"prime": "7", "det_mod_p": "5"}
    with pytest.raises(CertificateRejected, match="a modular determinant needs an exact matrix"):
        check_certificate(rehashed(d))


def test_exact_determinant_of_long_entries_is_charged_for_their_length():
    # 30 x 30 with 20,000-bit entries: charged 1 s, computed in 10-15 s (12 times the budget=1 it was allowed)
    import random

    import flint

    rng = random.Random(5)
    d = json.loads(pk.enclose_det([[2, 1], [1, 3]]).to_json())
    d["claim"]["n"] = 30
    d["inputs"]["A"] = {"kind": "rational", "shape": [30, 30],
                        "entries": [[str(flint.fmpz(rng.getrandbits(20000))) for _ in range(30)] for _ in range(30)]}
    d["inputs"]["A_hash"] = matrix_hash(d["inputs"]["A"])
    with pytest.raises(CertificateRejected, match="over budget: an exact determinant would cost about 1[0-9]"):
        check_certificate(rehashed(d), budget=2.0)
