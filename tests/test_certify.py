import json
import random

import flint
import numpy as np
import pytest
import sympy

from proofkit import (
    Certificate,
    Network,
    certify_critical_point,
    certify_full_rank,
    certify_indefinite,
    certify_nonsingular,
    certify_positive_definite,
    certify_rank_at_least,
    certify_rank_deficient,
    certify_strict_local_min,
    check_certificate,
    enclose_det,
    enclose_eigenvalues,
    exact_rank,
    matrix_at,
)
from proofkit.certify import matrix_record
from proofkit.certify.common import kernel_report
from proofkit.errors import CertificateRejected, InvalidInput, NonFiniteInput, NotSymmetric, ShapeMismatch
from proofkit.testing import run_soundness

RNG = np.random.default_rng(7)


def test_nonsingular_paths_and_kernel():
    A = RNG.standard_normal((60, 60))
    c = certify_nonsingular(A)
    assert c.verdict == "certified" and c.backend in ("exact", "float")
    assert certify_nonsingular(A, backend="float").method.startswith("Rump")
    assert certify_nonsingular(A, backend="arb").backend == "arb"
    for cert in (c, certify_nonsingular(A, backend="float"), certify_nonsingular(A, backend="arb")):
        assert check_certificate(cert.to_json()).ok
    big = np.eye(120) + RNG.standard_normal((120, 120)) / 20
    cb = certify_nonsingular(big)
    assert cb.inputs["A"] is None  # too large to store
    with pytest.raises(CertificateRejected, match="not stored"):
        check_certificate(cb)
    from proofkit.certify import matrix_record

    assert check_certificate(cb, matrix=matrix_record(big)).ok
    with pytest.raises(CertificateRejected, match="hash"):
        check_certificate(cb, matrix=matrix_record(big + np.eye(120)))


def test_singular_matrices_are_never_certified():
    S = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    assert certify_nonsingular(S).verdict == "refuted"
    assert certify_nonsingular(S, backend="float").verdict == "inconclusive"
    arb_only = certify_nonsingular(S, backend="arb", max_prec=256)
    assert arb_only.verdict == "refuted" and arb_only.backend == "exact"  # Arb cannot prove; exact rank decides
    assert arb_only.method.endswith("(tried: arb64, arb128, arb256, exact)")  # (provenance: not evidence)
    balls = [[flint.arb(v, 1e-30) for v in row] for row in S.tolist()]
    assert certify_nonsingular(balls).verdict == "inconclusive"  # an enclosure can only fail to prove


def test_rank_certificates():
    A = [[1, 2, 3], [2, 4, 6], [1, 0, 1]]
    assert certify_rank_at_least(A, 2).verdict == "certified"
    assert certify_rank_at_least(A, 3).verdict == "refuted"
    assert certify_full_rank(A).verdict == "refuted"
    assert certify_rank_deficient(A).verdict == "certified"
    assert exact_rank(A).evidence["rank"] == 2
    c = exact_rank(A)
    assert check_certificate(c).ok
    # rank deficiency of a non-exact matrix is never certified
    E = [[sympy.E, 2 * sympy.E], [1, 2]]
    assert certify_rank_deficient(E).verdict == "inconclusive"
    assert certify_rank_at_least(E, 1).verdict == "certified"


def test_enclose_det_sign():
    c = enclose_det([[sympy.E, 1], [1, sympy.pi]])
    assert c.verdict == "certified" and c.claim["sign"] == 1
    assert check_certificate(c).ok
    z = enclose_det([[1, 2], [2, 4]])
    assert z.claim["sign"] == 0 and kernel_report(z).measures["det"] == 0 and "det_exact" not in z.evidence


def test_definiteness_and_hilbert_trap():
    n = 14
    H = [[sympy.Rational(1, i + j + 1) for j in range(n)] for i in range(n)]
    Hf = np.array([[1.0 / (i + j + 1) for j in range(n)] for i in range(n)])
    assert certify_positive_definite(H).verdict == "certified"
    assert certify_positive_definite(Hf).verdict == "refuted"  # the float-rounded Hilbert matrix is not PD
    spd = RNG.standard_normal((50, 50))
    spd = spd @ spd.T + np.eye(50)
    c = certify_positive_definite(spd)
    assert c.verdict == "certified" and c.backend == "float"
    assert check_certificate(c).ok
    ind = certify_indefinite([[1, 0, 0], [0, -1, 0], [0, 0, 2]])
    assert ind.verdict == "certified" and check_certificate(ind).ok
    eig = enclose_eigenvalues([[2, 1, 0], [1, 2, 0], [0, 0, -1]])
    assert eig.claim["inertia"] == [1, 0, 2] and check_certificate(eig).ok


def test_symbolic_matrix_at_a_point():
    net = Network([1, 2, 1], activation="sigmoid")
    obj = net.loss([[1], [-1], [2]], [0, 1, 0])
    point = [sympy.Rational(k, 5) for k in range(1, len(obj.params) + 1)]
    M = matrix_at(obj.hessian(), point, prec=256)
    approx = np.array(obj.hessian().subs(dict(zip(obj.params, point))).evalf(30), dtype=float)
    w = np.linalg.eigvalsh(approx)
    c = enclose_eigenvalues(M)
    assert c.verdict == "certified"
    assert c.claim["inertia"][0] == int(np.sum(w < 0))


def test_certificate_json_round_trip_and_determinism():
    c1 = certify_nonsingular([[2, 1], [1, 3]])
    c2 = certify_nonsingular([[2, 1], [1, 3]])
    assert c1.to_json() == c2.to_json()
    assert Certificate.from_json(c1.to_json()).to_json() == c1.to_json()
    assert "time_seconds" in c1.to_json(timing=True) and "time_seconds" not in c1.to_json()


def test_kernel_rejects_tampering():
    c = certify_nonsingular([[1, 2], [3, 4]])
    d = json.loads(c.to_json())
    d["inputs"]["A"]["entries"][1] = ["2", "4"]  # make it singular without updating the hash
    with pytest.raises(CertificateRejected, match="hash"):
        check_certificate(json.dumps(d))
    # a consistent but false certificate: singular matrix claimed non-singular, with recomputed hashes
    false = certify_nonsingular([[1, 2], [2, 4]])
    fd = json.loads(false.to_json())
    fd["verdict"] = "certified"
    with pytest.raises(CertificateRejected, match="rank"):
        check_certificate(json.dumps(fd))
    r = certify_rank_at_least([[1, 2, 3], [2, 4, 6], [1, 0, 1]], 2)
    rd = json.loads(r.to_json())
    rd["evidence"]["rows"] = [0, 1]  # a singular minor
    with pytest.raises(CertificateRejected):
        check_certificate(json.dumps(rd))
    with pytest.raises(CertificateRejected, match="malformed"):
        check_certificate("{not json")


def test_krawczyk_and_local_minimum():
    x, y = sympy.symbols("x y")
    f = (x**2 - 2) ** 2 + (y - 1) ** 2 + x * y / 10
    grad = [f.diff(x), f.diff(y)]
    import scipy.optimize as so

    sol = so.minimize(lambda v: float(f.subs({x: v[0], y: v[1]})), [1.4, 1.0], tol=1e-14).x
    # refine with Newton in mpmath
    import mpmath

    from proofkit.certify.critical import prepare_gradient  # noqa: F401  (public helper exists)

    mpmath.mp.dps = 40
    root = mpmath.findroot([sympy.lambdify((x, y), g, "mpmath") for g in grad], (sol[0], sol[1]))
    centre = [sympy.Rational(str(root[0])), sympy.Rational(str(root[1]))]
    c = certify_strict_local_min(grad, None, centre, sympy.Rational(1, 10**20), variables=[x, y], loss=f)
    assert c.verdict == "certified" and check_certificate(c.to_json()).ok
    # the saddle at the origin region is a critical point but never a minimum
    saddle = certify_strict_local_min([2 * x, -2 * y], None, [0, 0], 1e-3, variables=[x, y], loss=x**2 - y**2)
    assert saddle.verdict == "inconclusive"
    assert certify_critical_point([2 * x, -2 * y], None, [0, 0], 1e-3, variables=[x, y]).verdict == "certified"


def test_symmetry_is_explained_and_slice_works():
    a, b = sympy.symbols("a b")
    loss = (a * b - 2) ** 2  # rescaling symmetry a -> t a, b -> b / t: minima form a curve
    grad = [loss.diff(a), loss.diff(b)]
    c = certify_critical_point(grad, None, [1, 2], 1e-6, variables=[a, b])
    assert c.verdict == "inconclusive" and "symmetr" in c.reason
    s = certify_strict_local_min(grad, None, [2], 1e-6, variables=[a, b], fixed={a: 1}, loss=loss)
    assert s.verdict == "certified" and "slice" in s.reason


def test_nonanalytic_box_is_refused():
    x = sympy.Symbol("x")
    c = certify_critical_point([sympy.Abs(x) - sympy.Rational(1, 10**9)], None, [0], 1e-3, variables=[x])
    assert c.verdict == "inconclusive" and "not analytic" in c.reason


def test_bad_input_is_named():
    with pytest.raises(ShapeMismatch, match="square"):
        certify_nonsingular([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(NonFiniteInput, match="finite"):
        certify_nonsingular(np.array([[1.0, np.nan], [0.0, 1.0]]))
    with pytest.raises(NonFiniteInput):
        certify_positive_definite([[1, float("inf")], [0, 1]])
    with pytest.raises(NotSymmetric, match="not symmetrised"):
        certify_positive_definite([[1, 2], [0, 1]])
    with pytest.raises(InvalidInput, match="'r'"):
        certify_rank_at_least([[1, 0], [0, 1]], 3)
    x = sympy.Symbol("x")
    with pytest.raises(InvalidInput, match="radius"):
        certify_critical_point([x], None, [0], 0, variables=[x])
    with pytest.raises(InvalidInput, match="x0"):
        certify_critical_point([x], None, [0, 1], 1e-3, variables=[x])


def test_soundness_suite_has_no_false_certificates():
    report = run_soundness(1500, seed=11)
    assert report.cases >= 1500
    assert report.false_certificates == []
    assert report.kernel_rejections == []
    assert report.conclusive_rate > 0.7


def test_float_modular_image_is_the_row_scaled_integer_matrix():
    from fractions import Fraction

    from proofkit.certify.linear import float_rows_mod_p

    A = RNG.standard_normal((7, 7))
    A[2, 3] = 0.0
    A[1] *= 2.0**-300
    A[4, :] = 0.0
    p = 2147483647
    image = float_rows_mod_p(A, p)
    for i, row in enumerate(A.tolist()):
        nonzero = [v for v in row if v != 0]
        emin = min((int(np.frexp(v)[1]) - 53 for v in nonzero), default=0)
        for j, v in enumerate(row):
            exact = Fraction(v) * Fraction(2) ** (-emin)
            assert exact.denominator == 1 and exact.numerator % p == image[i][j]


def test_float_path_proves_singular_looking_but_regular_matrix_only_when_true():
    # nearly singular but exactly regular: [[1, 1], [1, 1 + 2^-52]]
    A = np.array([[1.0, 1.0], [1.0, 1.0 + 2.0**-52]])
    c = certify_nonsingular(A)
    assert c.verdict == "certified" and check_certificate(c).ok
    B = np.array([[1.0, 1.0], [1.0, 1.0]])
    assert certify_nonsingular(B).verdict == "refuted"


def test_a_non_gradient_field_is_never_a_minimum():
    x, y = sympy.symbols("x y")
    # Jacobian [[2, 1], [-1, 2]] is not symmetric: no function has this gradient
    c = certify_strict_local_min([2 * x + y, -x + 2 * y], None, [0, 0], 1e-3, variables=[x, y])
    assert c.verdict == "inconclusive" and "loss=" in c.reason  # minima are certified from the function only


# -- issue 9: exact inputs end to end ------------------------------------------------------------------------------
_P, _Q, _R, _S = 2**27 + 1, 2**27 + 3, 2**27 + 5, 2**27 + 7
_SINGULAR_BIG = [[_P * _Q, _P * _S], [_R * _Q, _R * _S]]  # exactly singular; entries > 2^53 and odd


@pytest.mark.parametrize("dtype", [np.int64, np.uint64, object])
def test_big_integer_arrays_are_not_rounded_through_float64(dtype):
    S = np.array(_SINGULAR_BIG, dtype=dtype)
    assert certify_nonsingular(S).verdict == "refuted"  # rounded to float64 it would be non-singular
    assert certify_rank_deficient(S).verdict == "certified"
    assert exact_rank(S).evidence["rank"] == 1
    assert kernel_report(enclose_det(S)).measures["det"] == 0
    N = np.array([[2**53 + 1, 2**53], [2**53, 2**53 - 1]], dtype=dtype)  # det = -1; rounded it is singular
    assert certify_nonsingular(N).verdict == "certified"
    det = enclose_det(N)  # the float guess of the sign is wrong or undecided here: the exact sign, kernel-checked
    assert det.claim["sign"] == -1 and kernel_report(det).measures["det"] == -1


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32])
def test_small_integer_dtypes(dtype):
    assert certify_nonsingular(np.array([[2, 1], [1, 1]], dtype=dtype)).verdict == "certified"
    assert certify_nonsingular(np.array([[2, 2], [1, 1]], dtype=dtype)).verdict == "refuted"


def test_longdouble_and_complex_matrices_are_rejected_by_name():
    with pytest.raises(InvalidInput, match="argument 'A'.*longdouble"):
        certify_nonsingular(np.eye(2, dtype=np.longdouble))
    with pytest.raises(InvalidInput, match="argument 'A'.*complex"):
        certify_positive_definite(np.eye(2, dtype=complex))
    with pytest.raises(InvalidInput, match="argument 'A'"):
        certify_nonsingular(np.array([["a", 1], [0, 1]], dtype=object))


def test_indefinite_matrix_near_1e308_is_never_certified_pd():
    bad = [[1.5e308, 1.7e308], [1.7e308, 1.5e308]]  # eigenvalues 3.2e308 and -0.2e308
    with np.errstate(all="ignore"):
        for A in (bad, np.array(bad), [[flint.arb(v) for v in row] for row in bad]):
            assert certify_positive_definite(A).verdict != "certified"
        big = np.eye(100) * 1.5e308
        big[0, 1] = big[1, 0] = 1.7e308
        assert certify_positive_definite(big).verdict != "certified"
        assert certify_indefinite(np.array(bad)).verdict == "certified"


def test_float_cholesky_rejects_non_finite_quantities():
    from proofkit.numeric.floatverify import verify_nonsingular_float, verify_positive_definite_float

    with np.errstate(all="ignore"):
        assert not verify_positive_definite_float(np.array([[1e308, 0.0], [0.0, 1e308]]) * 1.7).proved
        assert not verify_positive_definite_float(np.eye(2), extra_radius=float("inf")).proved
        assert not verify_positive_definite_float(np.array([[np.nan, 0], [0, 1.0]])).proved
        assert not verify_nonsingular_float(np.array([[np.inf, 0], [0, 1.0]])).proved
        assert verify_positive_definite_float(np.eye(3)).proved


def test_gradient_float_literal_keeps_its_exact_value():
    x = sympy.Symbol("x")
    g = [x - 1.0000000000000002]  # the zero is 1 + 2^-52, outside [1 - 1e-17, 1 + 1e-17]
    c = certify_critical_point(g, None, [1], 1e-17, variables=[x])
    assert c.verdict != "certified"
    consts = [n[1] for n in c.inputs["gradient"]["nodes"] if n[0] == "const"]
    assert consts == ["-4503599627370497/4503599627370496"]
    assert certify_critical_point(g, None, [1.0000000000000002], 1e-17, variables=[x]).verdict == "certified"


def test_huge_centre_and_singular_hessian_are_inconclusive_not_errors():
    x = sympy.Symbol("x")
    from fractions import Fraction

    assert certify_critical_point([x**3], None, [0], 0.5, variables=[x]).verdict == "inconclusive"
    c = certify_critical_point([x - Fraction(10**400, 3)], None, [Fraction(10**400, 3)], 1, variables=[x])
    assert c.verdict in ("certified", "inconclusive")


def test_soundness_input_classes_have_no_false_certificates():
    from proofkit.testing.soundness import CASE_FAMILIES, run_soundness

    new = ["big integers in every dtype", "float literals in identities", "float literals in gradients",
           "NaN-producing (entries near 1e308)", "assumption-carrying symbols"]
    assert all(f in CASE_FAMILIES for f in new)
    report = run_soundness(1100, seed=5)  # cycles through all families
    assert all(report.by_family[f][0] > 20 for f in new)
    assert report.false_certificates == [] and report.kernel_rejections == []


def test_soundness_oracle_uses_no_proofkit_code():
    import inspect

    from proofkit.testing import soundness

    for f in (soundness._exact_rank, soundness._exact_det, soundness._exact_pd, soundness._indefinite,
              soundness._fractions):
        code = [line for line in inspect.getsource(f).splitlines() if not line.strip().startswith(('"', "#"))]
        assert not any(word in line for line in code for word in ("proofkit", "flint", "kernel", "certify"))


def test_soundness_suite_finds_integers_rounded_through_float64(monkeypatch):
    """The big-integer family catches the old bug: integer arrays converted with astype(float64)."""
    import proofkit.certify.matrices as matrices
    from proofkit.testing.soundness import CASE_FAMILIES, Case

    real = matrices.matrix_input

    def rounding(A, argument="A"):
        if isinstance(A, np.ndarray) and A.dtype.kind in "iu":
            A = A.astype(np.float64)
        return real(A, argument)

    monkeypatch.setattr(matrices, "matrix_input", rounding)
    import random

    rng = random.Random(0)
    false = 0
    for _ in range(60):
        for case in CASE_FAMILIES["big integers in every dtype"](rng):
            assert isinstance(case, Case)
            res = case.run()
            if res.verdict != "inconclusive" and (res.verdict == "certified") != case.truth:
                false += 1
    assert false > 0


def test_matrix_at_outside_the_domain_is_a_named_error():
    x = sympy.Symbol("x")
    with pytest.raises(InvalidInput, match="argument 'point'.*pole"):
        matrix_at(sympy.Matrix([[1 / x]]), {x: 0})
    with pytest.raises(InvalidInput, match="argument 'point'"):
        matrix_at(sympy.Matrix([[sympy.log(x)]]), {x: -1})
    M = matrix_at(sympy.Matrix([[0.5 * x]]), {x: 0.1})  # floats exact on both sides
    assert M.arb(128)[0, 0].contains(flint.arb(flint.fmpq(3602879701896397, 2 * 36028797018963968)))


# -- every public certifier returns only certificates whose own JSON the kernel accepts ---------------------------
# Each public function of proofkit.certify that returns a Certificate (or a SearchReport of them) is listed here with
# a true, a false and a hostile input; the coverage test fails when a new one is not listed (or not decorated).

def _public_certifiers() -> dict[str, object]:
    import importlib
    import inspect
    import pkgutil

    import proofkit
    import proofkit.certify as package

    plumbing = {"common", "landscape_common", "matrices"}  # builders of certificates, not certifiers
    found: dict[str, object] = {}
    modules = [proofkit, package] + [importlib.import_module(f"proofkit.certify.{m.name}")
                                     for m in pkgutil.iter_modules(package.__path__) if m.name not in plumbing]
    for mod in modules:
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if not inspect.isfunction(obj):
                continue
            returns = str(inspect.signature(obj).return_annotation)
            if returns in ("Certificate", "SearchReport") or name.startswith(("certify_", "classify_", "enclose_")):
                found[name] = obj
    return found


def _sigmoid(t):
    return 1 / (1 + sympy.exp(-t))


def _ss_point(task_id):
    """A point published with Safran & Shamir's code (examples/safran_shamir_points.jsonl), as n x k floats."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "examples" / "safran_shamir_points.jsonl"
    for line in path.read_text().splitlines():
        if line.startswith("{") and json.loads(line)["id"] == task_id:
            return np.array([[float.fromhex(x) for x in row] for row in json.loads(line)["inputs"]["W"]]).T
    raise KeyError(task_id)


_x, _y, _t = sympy.symbols("x y t")
_R = sympy.Rational
_DOUBLE_WELL = (_x**2 - 1) ** 2 + _x / 4
_SIG_MANIFOLD = (_y * _sigmoid(_x) - _sigmoid(1)) ** 2 + _sigmoid(2)  # minima y = sigma(1)/sigma(x), L0 = sigma(2)
_BIG = np.eye(101) + np.triu(np.full((101, 101), 2.0**-7), 1)  # 10201 entries: stored by hash only
_BIG_SYM = _BIG + _BIG.T
_ROT = (_t, [_x * sympy.cos(_t) - _y * sympy.sin(_t), _x * sympy.sin(_t) + _y * sympy.cos(_t)])


def _leibniz(k=1):
    from proofkit.symbolic.leibniz import leibniz_construction

    return leibniz_construction([[0], [1], [3]], [1, 2, 1], k=k)


def _alpha0(alpha0):
    from proofkit.certify.leibniz import certify_leibniz_alpha0

    return certify_leibniz_alpha0(_leibniz(), alpha0)


def _witness(alpha):
    from proofkit.certify.leibniz import certify_leibniz_witness

    return certify_leibniz_witness(_leibniz(), alpha)


def _relu(centers, radii):
    from proofkit.certify import certify_relu_linear_region

    return certify_relu_linear_region([[1], [2], [3]], centers, radii, 2)


def _identity(lhs, rhs, variables):
    from proofkit.certify import certify_identity

    return certify_identity(lhs, rhs, variables)


def _m(name):
    return _public_certifiers()[name]


# name -> (true input, false input, hostile input), each a thunk; "certified" is expected on the true input
ROUND_TRIP_CASES = {
    "certify_nonsingular": (lambda: _m("certify_nonsingular")([[1, 2], [3, 4]]),
                            lambda: _m("certify_nonsingular")([[1, 2], [2, 4]]),
                            lambda: _m("certify_nonsingular")(_BIG)),
    "certify_rank_at_least": (lambda: _m("certify_rank_at_least")([[1, 2, 3], [2, 4, 6], [1, 0, 1]], 2),
                              lambda: _m("certify_rank_at_least")([[1, 2, 3], [2, 4, 6], [1, 0, 1]], 3),
                              lambda: _m("certify_rank_at_least")(sympy.Matrix([[sympy.E, sympy.pi],
                                                                                [2 * sympy.E, 2 * sympy.pi]]), 2)),
    "certify_full_rank": (lambda: _m("certify_full_rank")(np.eye(3)),
                          lambda: _m("certify_full_rank")([[1, 2], [2, 4]]),
                          lambda: _m("certify_full_rank")(_BIG)),
    "exact_rank": (lambda: _m("exact_rank")([[1, 2], [2, 4]]),
                   lambda: _m("exact_rank")([[flint.arb(1, 0.5), 0], [0, 1]]),
                   lambda: _m("exact_rank")(np.array([[2**64 - 1, 2**63], [2**63, 2**62]], dtype=np.uint64))),
    "certify_rank_deficient": (lambda: _m("certify_rank_deficient")([[1, 2], [2, 4]]),
                               lambda: _m("certify_rank_deficient")(np.eye(2)),
                               lambda: _m("certify_rank_deficient")([[1e308, 1e308], [1e308, 1e308]])),
    "enclose_det": (lambda: _m("enclose_det")([[2, 1], [1, 3]]),
                    lambda: _m("enclose_det")([[1, 2], [2, 4]]),
                    lambda: _m("enclose_det")(sympy.Matrix([[sympy.E, 1], [1, sympy.exp(-1)]]))),
    "certify_positive_definite": (lambda: _m("certify_positive_definite")([[2, 1], [1, 2]]),
                                  lambda: _m("certify_positive_definite")([[1, 2], [2, 1]]),
                                  lambda: _m("certify_positive_definite")(_BIG_SYM)),
    "certify_indefinite": (lambda: _m("certify_indefinite")([[0, 1], [1, 0]]),
                           lambda: _m("certify_indefinite")(np.eye(2)),
                           lambda: _m("certify_indefinite")([[2.0**-1070, 0], [0, -(2.0**-1070)]])),
    "enclose_eigenvalues": (lambda: _m("enclose_eigenvalues")([[2, 1], [1, 2]]),
                            lambda: _m("enclose_eigenvalues")([[1, 1], [1, 1]]),
                            lambda: _m("enclose_eigenvalues")(sympy.Matrix([[sympy.pi, sympy.E], [sympy.E, 0]]))),
    "certify_identity": (lambda: _identity([(_x + 1) ** 2], [_x**2 + 2 * _x + 1], [_x]),
                         lambda: _identity([_x**2], [_x], [_x]),
                         lambda: _identity([sympy.sin(_x) ** 2 + sympy.cos(_x) ** 2], [1], [_x])),
    "certify_relu_linear_region": (lambda: _relu([1, 1, 1, 1], [_R(1, 2)] * 4),
                                   lambda: _relu([1, -1, 1, 1], [_R(1, 2)] * 4),
                                   lambda: _relu([1, 1, -2, -2], [2.0**-60] * 4)),
    "certify_leibniz_alpha0": (lambda: _alpha0(_leibniz().alpha0()["alpha0"]), lambda: _alpha0(1),
                               lambda: _alpha0(_R(1, 10**30))),
    # E(alpha) is nonsingular for every alpha > 0 here: the "false" input is one the float64 proof cannot decide
    "certify_leibniz_witness": (lambda: _witness(40), lambda: _witness(2.0**-1074), lambda: _witness(10**400)),
    "certify_critical_point": (
        lambda: _m("certify_critical_point")([_DOUBLE_WELL.diff(_x)], None, [0.96714893788303], 1e-6, variables=[_x]),
        lambda: _m("certify_critical_point")([_DOUBLE_WELL.diff(_x)], None, [3], 1e-3, variables=[_x]),
        lambda: _m("certify_critical_point")([sympy.Max(_x, 1 - _x) * (_x - _R(1, 2))], None, [_R(1, 2)], 1e-3,
                                             variables=[_x])),
    "certify_strict_local_min": (
        lambda: _m("certify_strict_local_min")([_DOUBLE_WELL.diff(_x)], None, [0.96714893788303], 1e-6, variables=[_x],
                                               loss=_DOUBLE_WELL),
        lambda: _m("certify_strict_local_min")([_DOUBLE_WELL.diff(_x)], None, [0.0627470471676303], 1e-6, variables=[_x],
                                               loss=_DOUBLE_WELL),
        lambda: _m("certify_strict_local_min")([sympy.sign(_x)], None, [0], 1e-3, variables=[_x], loss=sympy.Abs(_x))),
    "certify_local_min": (
        lambda: _m("certify_local_min")(_SIG_MANIFOLD, [_x, _y], [0, float(2 * _sigmoid(1))], manifold={_y: _sigmoid(1)
                                                                                               / _sigmoid(_x)}),
        lambda: _m("certify_local_min")(_x**2 - _y**2, [_x, _y], [0, 0]),
        lambda: _m("certify_local_min")((_x * _y - 1) ** 2 * sympy.exp(_x) + sympy.E, [_x, _y], [1, 1],
                                        manifold={_y: 1 / _x}, global_value=0)),
    "certify_saddle": (lambda: _m("certify_saddle")(_x**2 - _y**2, [_x, _y], [0, 0]),
                       lambda: _m("certify_saddle")(_x**2 + _y**2, [_x, _y], [0, 0]),
                       lambda: _m("certify_saddle")(_x**3 + _y**2, [_x, _y], [0, 0])),
    "certify_not_local_min": (lambda: _m("certify_not_local_min")(_x**2 * _y - _y**4, [_x, _y], [0, 0]),
                              lambda: _m("certify_not_local_min")(_x**2 + _y**2, [_x, _y], [0, 0]),
                              lambda: _m("certify_not_local_min")(_x**2 + _y, [_x, _y], [0, 0], radius=[0, 1e-3],
                                                                  direction=[0, -1])),
    "classify_critical_point": (lambda: _m("classify_critical_point")(_x**2 - _y**2, [_x, _y], [0, 0]),
                                lambda: _m("classify_critical_point")((_x * _y) ** 2, [_x, _y], [0, 0]),
                                lambda: _m("classify_critical_point")(_SIG_MANIFOLD, [_x, _y], [0, float(2 * _sigmoid(1))],
                                                                      manifold={_y: _sigmoid(1) / _sigmoid(_x)})),
    "certify_lifted_minimum": (
        lambda: _m("certify_lifted_minimum")((_x**2 + _y**2 - 1) ** 2, [_x, _y], [1, 0], [_y], _ROT),
        lambda: _m("certify_lifted_minimum")((_x**2 + _y**2 - 1) ** 2, [_x, _y], [0, 0], [_y], _ROT),
        lambda: _m("certify_lifted_minimum")((_x**2 + _y**2 - 1) ** 2 + sympy.E, [_x, _y], [1, 0], [_y], _ROT,
                                             global_value=0)),
    "certify_spurious_minimum": (
        lambda: _m("certify_spurious_minimum")(_DOUBLE_WELL, [_x], [0.97], better_point=[-1.03]),
        lambda: _m("certify_spurious_minimum")(_DOUBLE_WELL, [_x], [-1.03], better_point=[0.97]),
        lambda: _m("certify_spurious_minimum")(_SIG_MANIFOLD, [_x, _y], [0, float(2 * _sigmoid(1))], global_value=0,
                                               manifold={_y: _sigmoid(1) / _sigmoid(_x)})),
    "certify_teacher_student_point": (lambda: _m("certify_teacher_student_point")(8, 8, _ss_point("ss-8-8-f0")),
                                      lambda: _m("certify_teacher_student_point")(8, 8, _ss_point("ss-8-8-f0") + 1e-3,
                                                                                  polish="never"),
                                      lambda: _m("certify_teacher_student_point")(8, 8, np.eye(8)[:7])),
    "find_spurious_minima": (lambda: _m("find_spurious_minima")(_DOUBLE_WELL, starts=6, scale=1.5),
                             lambda: _m("find_spurious_minima")(_x**2, starts=3),
                             lambda: _m("find_spurious_minima")(_DOUBLE_WELL + sympy.Max(0, _x - 5) * sympy.E,
                                                                starts=6, scale=1.5)),
}

def _certificates(result):
    if isinstance(result, Certificate):
        return [result]
    if hasattr(result, "certificate"):  # a certificate about a given point, with how its box relates to it
        return [result.certificate]
    return [m.certificate for m in (*result.certified, *result.uncertified)]


def test_every_public_certifier_is_listed_and_returns_through_the_kernel():
    found = _public_certifiers()
    assert len(found) >= 22
    missing = sorted(set(found) - set(ROUND_TRIP_CASES))
    assert not missing, f"public certifiers without round-trip cases: {missing}"
    assert not sorted(set(ROUND_TRIP_CASES) - set(found))
    unchecked = [n for n, f in found.items() if n != "find_spurious_minima" and not getattr(f, "kernel_checked", False)]
    assert not unchecked, f"certifiers not decorated with returns_kernel_checked: {unchecked}"


@pytest.mark.parametrize("name", sorted(ROUND_TRIP_CASES))
def test_certifier_results_pass_the_kernel_from_their_own_json(name, monkeypatch):
    from proofkit.certify.common import STRICT_ENV
    from proofkit.errors import ProofkitError

    monkeypatch.setenv(STRICT_ENV, "1")  # a kernel rejection raises KernelDisagreement instead of "inconclusive"
    for case, thunk in zip(("true", "false", "hostile"), ROUND_TRIP_CASES[name]):
        try:
            result = thunk()
        except ProofkitError as exc:
            from proofkit.errors import KernelDisagreement

            assert case == "hostile" and not isinstance(exc, KernelDisagreement), f"{name} ({case}): {exc}"
            continue
        certs = _certificates(result)
        if case == "true":
            assert certs and certs[0].verdict == "certified", f"{name} on a true input: {certs[0].reason[:200]}"
        if case == "false":
            # (exact_rank and enclose_det certify what they find: the rank, the sign 0)
            assert all(c.verdict != "certified" or c.claim.get("type") in ("exact_rank", "det_sign")
                       for c in certs), f"{name} certified a false input"
        for c in certs:
            big = _BIG_SYM if name == "certify_positive_definite" else _BIG
            rec = matrix_record(big) if "A" in c.inputs and c.inputs["A"] is None else None  # stored by hash only
            report = check_certificate(c.to_json(), matrix=rec)
            assert report.ok and report.verdict == c.verdict, f"{name} ({case})"


def _forged_nonsingular():
    from proofkit.certify.common import make_certificate
    from proofkit.certify.matrices import as_cert_matrix

    # a singular matrix claimed invertible: the kernel's modular determinant refuses it
    return make_certificate({"type": "nonsingular", "n": 2}, "certified", "forged", "exact", None,
                            as_cert_matrix([[1, 2], [2, 4]]), {"prime": "2147483647", "det_mod_p": "1"}, "")


def test_kernel_checked_turns_a_rejected_certificate_inconclusive(monkeypatch):
    from proofkit.certify.common import STRICT_ENV, kernel_checked, returns_kernel_checked
    from proofkit.errors import KernelDisagreement

    monkeypatch.delenv(STRICT_ENV, raising=False)
    c = kernel_checked(_forged_nonsingular(), "forger")
    assert c.verdict == "inconclusive" and "the kernel did not accept the certified certificate" in c.reason
    assert check_certificate(c.to_json()).ok
    forger = returns_kernel_checked(_forged_nonsingular)
    assert forger().verdict == "inconclusive" and forger.__wrapped__().verdict == "certified"
    monkeypatch.setenv(STRICT_ENV, "1")
    with pytest.raises(KernelDisagreement, match="_forged_nonsingular: the kernel rejected its certified"):
        forger()


def test_kernel_checked_checks_once_and_again_after_a_change(monkeypatch):
    from proofkit.certify import common

    monkeypatch.delenv(common.STRICT_ENV, raising=False)
    calls = []
    real = common.check_certificate

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(common, "check_certificate", counting)
    c = certify_nonsingular([[1, 2], [3, 4]])  # its one round trip
    assert len(calls) == 1
    common.kernel_checked(c)
    assert len(calls) == 1  # unchanged: not re-checked
    c.evidence["det_mod_p"] = "5"  # (a change to the JSON: the kernel sees another determinant mod p)
    assert common.kernel_checked(c).verdict == "inconclusive" and len(calls) == 3  # rejected, then the honest form


def test_large_matrix_certificate_is_round_tripped_with_its_record():
    c = certify_positive_definite(_BIG_SYM)
    assert c.certified and c.inputs["A"] is None
    with pytest.raises(CertificateRejected, match="not stored"):
        check_certificate(c.to_json())
    assert check_certificate(c.to_json(), matrix=matrix_record(_BIG_SYM)).ok


def test_non_symmetric_exact_constants_are_never_certified_positive_definite():
    eps = sympy.Rational(1, 2**300)
    # exp(2^-300) - (1 + 2^-300) is about 2^-601: Arb at 128 bits cannot tell them apart, higher precision does
    A = sympy.Matrix([[2, sympy.exp(eps)], [1 + eps, 2]])
    for certifier in (certify_positive_definite, certify_indefinite, enclose_eigenvalues):
        with pytest.raises(NotSymmetric, match=r"entries \(0, 1\) and \(1, 0\) differ"):
            certifier(A)
    with pytest.raises(NotSymmetric, match="differ"):  # beyond the default ladder's 1024 bits
        certify_positive_definite(sympy.Matrix([[2, sympy.exp(sympy.Rational(1, 2**5000))], [1, 2]]))
    # equal, but only by a proof: sin(1)^2 + cos(1)^2 = 1
    c = certify_positive_definite(sympy.Matrix([[2, sympy.sin(1) ** 2 + sympy.cos(1) ** 2], [1, 2]]))
    assert c.certified and check_certificate(c.to_json()).ok
    # the same expression twice is symmetric at once
    assert certify_positive_definite(sympy.Matrix([[3, sympy.E], [sympy.E, 3]])).certified


def test_undecidable_symmetry_is_refused(monkeypatch):
    from proofkit.certify import matrices

    monkeypatch.setattr(matrices, "SYMMETRY_PREC", 128)  # 2^-300 apart: not separated at 128 bits
    eps = sympy.Rational(1, 2**300)
    with pytest.raises(NotSymmetric, match="not provably equal"):
        certify_positive_definite(sympy.Matrix([[2, sympy.exp(eps)], [1 + eps, 2]]))


# -- exact linear algebra through FLINT's integer routines ----------------------------------------------------------
def _big(rng):
    return flint.fmpq(rng.choice((-1, 1)) * rng.randint(10**99, 10**100), rng.randint(1, 9))


def test_exact_rank_of_100_digit_rationals_and_one_tiny_perturbation():
    from proofkit.certify import certify_nonsingular, exact_rank

    rng = random.Random(4)
    n = 12
    rows = [[_big(rng) for _ in range(n)] for _ in range(n - 2)]
    rows += [[a + b for a, b in zip(rows[0], rows[1])], [a - 3 * b for a, b in zip(rows[2], rows[3])]]
    Q = flint.fmpq_mat(rows)
    cert = exact_rank(Q)
    assert cert.evidence["rank"] == Q.rank() == n - 2 and check_certificate(cert.to_json()).ok
    assert certify_nonsingular(Q, backend="exact").verdict == "refuted"  # singular: never proved nonsingular
    rows[-1][-1] += flint.fmpq(1, 10**100)  # one entry moved by 10^-100: rank n - 1
    P = flint.fmpq_mat(rows)
    assert exact_rank(P).evidence["rank"] == n - 1
    assert certify_nonsingular(P, backend="exact").verdict == "refuted"
    rows[-2][0] += flint.fmpq(1, 10**100)
    assert certify_nonsingular(flint.fmpq_mat(rows), backend="exact").verdict == "certified"


def test_exact_positive_definiteness_by_fraction_free_lu_finds_the_first_bad_minor():
    from proofkit.certify import certify_positive_definite

    rng = random.Random(6)
    for trial in range(12):
        n = rng.randint(2, 9)
        B = [[flint.fmpq(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(n)] for _ in range(n)]
        S = flint.fmpq_mat(B).transpose() * flint.fmpq_mat(B)  # positive semidefinite; singular for some B
        for i in range(n):
            S[i, i] += flint.fmpq(rng.choice((-20, 0, 1, 1)), 7)  # a shift that sometimes breaks definiteness
        minors = [flint.fmpq_mat([[S[i, j] for j in range(k)] for i in range(k)]).det() for k in range(1, n + 1)]
        first = next((k + 1 for k, m in enumerate(minors) if not m > 0), None)
        cert = certify_positive_definite(S, exact_limit=n)
        assert cert.verdict == ("certified" if first is None else "refuted"), (trial, minors)
        if first is not None and "minor" in cert.evidence:
            assert cert.evidence["minor"] == first
        assert check_certificate(cert.to_json()).ok
    for S, first in (([[0, 1], [1, 2]], 1), ([[1, 2, 0], [2, 1, 0], [0, 0, 1]], 2), ([[1, 1, 0], [1, 1, 0], [0, 0, 1]], 2)):
        cert = certify_positive_definite(flint.fmpq_mat(S))  # a zero leading minor makes FLINT exchange rows
        assert cert.verdict == "refuted" and cert.evidence.get("minor") == first


def test_integer_entries_longer_than_pythons_printing_limit():
    # the integer record was written through str(int), which refuses more than 4300 digits: a raw ValueError
    big = 10**5000
    c = exact_rank([[big, 1], [2, 3]])
    assert c.verdict == "certified" and c.claim["rank"] == 2
    assert json.loads(c.to_json())["inputs"]["A"]["entries"][0] == [str(flint.fmpz(big)), "1"]
    d = enclose_det([[-big, 1], [2, 3]])
    assert d.claim["sign"] == -1 and kernel_report(d).measures["det"] == -3 * big - 2
