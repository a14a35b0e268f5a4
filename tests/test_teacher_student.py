"""Safran & Shamir's loss through its structure: the evaluator against the generic engine and mpmath, the kernel
rule ``teacher_student`` attacked, the polisher, and the sweep kind ``safran_shamir_point``."""

import base64
import copy
import json
from fractions import Fraction
from pathlib import Path

import flint
import mpmath
import numpy as np
import pytest
from published_points import published as _published

from proofkit.certify.polish import polish_critical_point
from proofkit.certify.teacher_student import certify_teacher_student_point
from proofkit.errors import CertificateRejected, InvalidInput
from proofkit.kernel import check_certificate
from proofkit.kernel import teacher_student as ts
from proofkit.kernel.dag import decode_dag
from proofkit.kernel.engine import Tape, dense_gradient, dense_hessian, evaluate
from proofkit.library.safran_shamir import hessian, loss_and_grad, loss_dag, search
from proofkit.testing.mutants import rehash


def _inside(arb_value, mid, rad):
    return arb_value.overlaps(flint.arb(float(mid), float(rad)))


def _engine(k, n, x, order, prec=256):
    tape = Tape(decode_dag(loss_dag(k, n)))
    with flint.ctx.workprec(prec):
        (jet,) = evaluate(tape, x, order=order, prec=prec)
    return jet


def _point(k, n, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, k)) / np.sqrt(k) + np.eye(n, k) * 0.5


@pytest.mark.parametrize("k,n", [(2, 2), (3, 4), (4, 4), (5, 6), (6, 6)])
def test_structured_enclosures_agree_with_the_generic_engine_on_points_and_boxes(k, n):
    W = _point(k, n, 10 * k + n)
    r = 1e-6
    e = ts.enclose(W, r)
    P = n * k
    jet = _engine(k, n, [flint.arb(v) for v in W.reshape(-1)], 2)
    assert _inside(jet.value, *e.value)
    g = dense_gradient(jet, P)
    assert all(_inside(g[i], e.grad[0].reshape(-1)[i], e.grad[1].reshape(-1)[i]) for i in range(P))
    assert e.grad[1].max() < 1e-12
    # the exact Hessian and gradient at points of the box lie in the box enclosures
    rng = np.random.default_rng(k)
    Hm, Hr = e.hess_box
    for corner in (rng.uniform(-r, r, W.shape), np.full(W.shape, r), np.full(W.shape, -r)):
        x = W + corner
        jx = _engine(k, n, [flint.arb(v) for v in x.reshape(-1)], 2, prec=128)
        H = dense_hessian(jx, P)
        gx = dense_gradient(jx, P)
        assert all(_inside(H[i, j], Hm[i, j], Hr[i, j]) for i in range(P) for j in range(P))
        assert all(_inside(gx[i], e.grad_box[0].reshape(-1)[i], e.grad_box[1].reshape(-1)[i]) for i in range(P))
    # and the engine's own enclosure over the whole box overlaps ours entrywise
    box = [flint.arb(v, r) for v in W.reshape(-1)]
    jb = _engine(k, n, box, 2, prec=128)
    Hb = dense_hessian(jb, P)
    assert all(_inside(Hb[i, j], Hm[i, j], Hr[i, j]) for i in range(P) for j in range(P))
    assert np.abs(hessian(W) - Hm).max() <= Hr.max() + 1e-12


def _F_mpmath(W, k):
    mpmath.mp.dps = 40
    n = W.shape[0]
    U = [list(map(mpmath.mpf, row)) for row in W.tolist()] + [[mpmath.mpf(int(i == j)) for j in range(k)]
                                                              for i in range(k)]

    def g(u, v):
        a, b = mpmath.sqrt(mpmath.fsum(x * x for x in u)), mpmath.sqrt(mpmath.fsum(x * x for x in v))
        c = mpmath.fsum(x * y for x, y in zip(u, v))
        t = max(min(c / (a * b), 1), -1)
        th = mpmath.acos(t)
        return (a * b * mpmath.sin(th) + (mpmath.pi - th) * c) / (2 * mpmath.pi)

    return (mpmath.fsum(g(U[i], U[m]) for i in range(n) for m in range(n)) / 2
            - mpmath.fsum(g(U[i], U[n + j]) for i in range(n) for j in range(k))
            + mpmath.fsum(g(U[n + j], U[n + m]) for j in range(k) for m in range(k)) / 2)


@pytest.mark.parametrize("k,n", [(2, 3), (4, 5), (6, 6)])
def test_value_against_mpmath_from_the_definition(k, n):
    W = _point(k, n, k + n)
    exact = _F_mpmath(W, k)
    m, r = ts.enclose(W, 0.0, order=1).value
    assert abs(exact - mpmath.mpf(float(m))) <= mpmath.mpf(float(r))
    m2, r2 = ts.value_ball(W)
    assert abs(exact - mpmath.mpf(m2)) <= mpmath.mpf(r2)


@pytest.mark.parametrize("k,n", [(3, 3), (3, 5), (6, 7)])
def test_the_teacher_point_has_value_zero_and_is_not_analytic(k, n):
    T = ts.teacher_point(k, n)
    m, r = ts.value_ball(T)
    assert abs(m) <= r < 1e-6
    with pytest.raises(ts.NotAnalytic):
        ts.enclose(T, 0.0, order=1)
    with pytest.raises(ts.NotAnalytic):
        ts.enclose(T + 0.01, 0.1)  # a box reaching a parallel pair


def test_nearly_parallel_units_are_enclosed_soundly_or_refused():
    """Two students 1e-7 apart in angle and a student 1e-7 from a teacher direction: 1/D is huge, the Hessian
    varies fast; the enclosures must still hold the engine's values at the box corners, or refuse."""
    k, n = 3, 3
    W = np.array([[1.0, 0.2, 0.1], [1.0, 0.2 + 1e-7, 0.1], [1e-7, 0.3, 1.0]])
    for r in (1e-12, 1e-9):
        try:
            e = ts.enclose(W, r)
        except ts.NotAnalytic:
            continue
        for sign in (-1.0, 1.0):
            x = W + sign * r
            jx = _engine(k, n, [flint.arb(v) for v in x.reshape(-1)], 2, prec=256)
            H = dense_hessian(jx, 9)
            assert all(_inside(H[i, j], e.hess_box[0][i, j], e.hess_box[1][i, j]) for i in range(9) for j in range(9))
    with pytest.raises(ts.NotAnalytic):
        ts.enclose(W, 1e-6)  # the box reaches the parallel pair


def test_a_unit_nearly_parallel_to_a_teacher_direction_is_enclosed_tightly_and_soundly():
    """D of a teacher pair is sum_(t != j) w_t^2 under the root, not a^2 b^2 - c^2: no cancellation when a unit is
    nearly parallel to e_j (as in the large minima, whose units lie within 1e-3 of their teacher direction). Before,
    the Hessian's radius was 9e10 r here, and Krawczyk failed at (50, 50) for boxes the structure allows."""
    k = n = 4
    W = np.array([[1.0, 2e-4, -1e-4, 1e-4], [0.1, 0.9, -0.2, 0.05], [0.05, 0.1, 1.1, -0.1], [0.2, -0.1, 0.1, 0.95]])
    r = 1e-9
    e = ts.enclose(W, r)
    assert e.hess_box[1].max() < 1e8 * r
    rng = np.random.default_rng(4)
    P = n * k
    for corner in (np.full(W.shape, r), -np.full(W.shape, r), rng.choice([-r, r], W.shape), rng.uniform(-r, r, W.shape)):
        jx = _engine(k, n, [flint.arb(v) for v in (W + corner).reshape(-1)], 2, prec=256)
        H, g = dense_hessian(jx, P), dense_gradient(jx, P)
        assert all(_inside(H[i, j], e.hess_box[0][i, j], e.hess_box[1][i, j]) for i in range(P) for j in range(P))
        assert all(_inside(g[i], e.grad_box[0].reshape(-1)[i], e.grad_box[1].reshape(-1)[i]) for i in range(P))
    jc = _engine(k, n, [flint.arb(v) for v in W.reshape(-1)], 1, prec=256)
    assert _inside(jc.value, *e.value)
    assert all(_inside(v, e.grad[0].reshape(-1)[i], e.grad[1].reshape(-1)[i]) for i, v in enumerate(dense_gradient(jc, P)))
    m, rad = ts.value_ball(W)
    assert _inside(jc.value, m, rad)


def test_zero_units_and_scaled_points_are_refused_or_enclosed_soundly():
    W = _point(3, 3, 1)
    Z = W.copy()
    Z[1] = 0.0
    with pytest.raises(ts.NotAnalytic):
        ts.enclose(Z, 0.0, order=1)
    with pytest.raises(ts.NotAnalytic):
        ts.enclose(W, 10.0)  # the box contains a zero unit
    for s in (2.0**-500, 2.0**300):
        try:
            e = ts.enclose(W * s, 0.0, order=1)
        except ts.NotAnalytic:
            continue
        jet = _engine(3, 3, [flint.arb(v) for v in (W * s).reshape(-1)], 1, prec=2048)
        assert _inside(jet.value, *e.value)
    with pytest.raises(ValueError):
        ts.enclose(np.full((2, 2), np.nan), 0.0)
    with pytest.raises(ValueError):
        ts.enclose(W, -1.0)


# -- the rule -------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def minimum_cert():
    W = search(6, 6, starts=400, seed=7)[0].W
    res = certify_teacher_student_point(6, 6, W)
    assert res.certificate.verdict == "certified" and res.kind == "spurious local minimum" and res.contains_point
    return json.loads(res.certificate.to_json()), W


@pytest.fixture(scope="module")
def saddle_cert():
    task, W = _published("ss-15-16-f6")
    res = certify_teacher_student_point(15, 16, W)
    assert res.certificate.verdict == "certified" and res.kind == "strict saddle" and res.contains_point
    return json.loads(res.certificate.to_json()), W


def _mutant(data, **changes):
    bad = copy.deepcopy(data)
    for path, value in changes.items():
        where = bad
        *head, last = path.split("__")
        for key in head:
            where = where[key]
        if value is KeyError:
            del where[last]
        else:
            where[last] = value
    rehash(bad)
    return json.dumps(bad)


def _record(arr):
    return {"kind": "float64", "shape": list(arr.shape), "entries": base64.b64encode(np.asarray(arr, "<f8").tobytes())
            .decode()}


def test_genuine_certificates_recheck_and_are_small(minimum_cert, saddle_cert):
    for data, _ in (minimum_cert, saddle_cert):
        rep = check_certificate(json.dumps(data))
        assert rep.ok and rep.tier == "float64" and rep.margin.startswith("contraction=")
        assert rep.rule == ("krawczyk+definite" if data["inputs"]["kind"] == "spurious local minimum" else
                            "krawczyk+curvature")
        assert len(json.dumps(data)) < 12_000


def test_forged_minimum_certificates_are_rejected(minimum_cert):
    data, W = minimum_cert
    moved = W + 1e-3
    forgeries = {
        "centre moved": dict(inputs__centre=_record(moved)),
        "radius not a float64": dict(inputs__radius="1/3"),
        "radius zero": dict(inputs__radius="0"),
        "radius negative": dict(inputs__radius="-1/1024"),
        "radius huge": dict(inputs__radius="1"),
        "radius overflowing": dict(inputs__radius=str(2**1100)),
        "another recipe": dict(inputs__recipe={"problem": "safran_shamir", "k": 6, "n": 7}),
        "kind swapped": dict(inputs__kind="strict saddle", claim__kind="strict saddle"),
        "claim says another size": dict(claim__n=7),
        "NaN in the centre": dict(inputs__centre=_record(np.where(np.eye(6, 6, dtype=bool), np.nan, W))),
        "inf in the centre": dict(inputs__centre=_record(np.where(np.eye(6, 6, dtype=bool), np.inf, W))),
        "centre of the wrong shape": dict(inputs__centre=_record(W[:5])),
        "centre not base64": dict(inputs__centre={"kind": "float64", "shape": [6, 6], "entries": "@@@@"}),
        "centre extra key": dict(inputs__centre={**_record(W), "extra": 1}),
        "teacher point as centre": dict(inputs__centre=_record(ts.teacher_point(6, 6))),
        "precision": dict(precision=128),
        "saddle directions on a minimum": dict(inputs__negative=_record(np.ones(36)), inputs__positive=_record(np.ones(36))),
        "unknown problem": dict(inputs__recipe={"problem": "other", "k": 6, "n": 6}),
        "recipe too large": dict(inputs__recipe={"problem": "safran_shamir", "k": 61, "n": 61}, claim__k=61,
                                 claim__n=61, claim__dimension=3721),
        "n < k": dict(inputs__recipe={"problem": "safran_shamir", "k": 6, "n": 5}, claim__n=5, claim__dimension=30,
                      inputs__centre=_record(W[:5])),
    }
    for name, change in forgeries.items():
        with pytest.raises(CertificateRejected):
            check_certificate(_mutant(data, **change))
            pytest.fail(name)


def test_the_primitives_decide_the_recipe_in_the_float64_tier(minimum_cert, saddle_cert):
    from fractions import Fraction

    from proofkit.kernel import Recipe, Refused, definite, enclose, krawczyk, lower_bound, read_floats

    data, _ = minimum_cert
    F, centre, r = Recipe(6, 6), read_floats(data["inputs"]["centre"], "centre"), float(Fraction(data["inputs"]["radius"]))
    cs, rs = centre.ravel().tolist(), [r] * 36
    k = krawczyk(F, cs, rs, None, 53)
    assert k.tier == "float64" and max(k.image) < r and definite(1, given=k).tier == "float64"
    low = lower_bound(F, cs, rs, 64, given=k)
    (teacher,), (here,) = enclose(F, ts.teacher_point(6, 6).ravel().tolist(), 0, 53), enclose(F, cs, 0, 53)
    assert low.value - teacher.value > 0.02
    assert not low.value - here.value > 0  # not above a point of the same value
    with pytest.raises(Refused, match="krawczyk"):  # a box too large for the operator
        krawczyk(F, cs, [1e-3] * 36, None, 53)
    with pytest.raises(Refused, match="krawczyk"):  # a box too small to hold the critical point
        krawczyk(F, (centre + 1e-7).ravel().tolist(), [1e-12] * 36, None, 53)
    with pytest.raises(Refused, match="enclose"):  # a recipe is enclosed at points, value only
        enclose(F, cs, 1, 53)
    with pytest.raises(ValueError):
        Recipe(61, 61)
    sdata, _ = saddle_cert
    sc, sr = read_floats(sdata["inputs"]["centre"], "centre"), float(Fraction(sdata["inputs"]["radius"]))
    ks = krawczyk(Recipe(15, 16), sc.ravel().tolist(), [sr] * 240, None, 53)
    with pytest.raises(Refused, match="definite"):
        definite(1, given=ks)


def test_forged_saddle_certificates_are_rejected(saddle_cert):
    data, W = saddle_cert
    neg, pos = data["inputs"]["negative"], data["inputs"]["positive"]
    forgeries = {
        "directions swapped": dict(inputs__negative=pos, inputs__positive=neg),
        "zero direction": dict(inputs__negative=_record(np.zeros(240))),
        "NaN direction": dict(inputs__negative=_record(np.full(240, np.nan))),
        "short direction": dict(inputs__negative=_record(np.ones(239))),
        "one direction only": dict(inputs__positive=KeyError),
        "a saddle called a minimum": dict(inputs__kind="spurious local minimum", claim__kind="spurious local minimum",
                                          inputs__negative=KeyError, inputs__positive=KeyError),
        "huge direction (overflow)": dict(inputs__negative=_record(np.full(240, 1e300))),
    }
    for name, change in forgeries.items():
        with pytest.raises(CertificateRejected):
            check_certificate(_mutant(data, **change))
            pytest.fail(name)


DATA = Path(__file__).resolve().parent / "data"


def _stored(name, k, pattern):
    """A certificate written by the sweep of examples/safran_shamir_symmetric.jsonl, re-checked from its JSON alone;
    its box is centred in the fixed space of Delta(S_p x S_(k-p)) where the symmetric search found it."""
    from proofkit.kernel import read_floats
    from proofkit.library.safran_shamir_symmetry import isotropy_pattern

    text = (DATA / name).read_text()
    data = json.loads(text)
    assert len(text) <= 100_000 and (data["claim"]["k"], data["claim"]["n"], data["claim"]["dimension"]) == (k, k, k * k)
    rep = check_certificate(text)
    assert rep.ok and rep.tier == "float64" and rep.verdict == "certified"
    centre = read_floats(data["inputs"]["centre"], "centre")
    assert isotropy_pattern(centre, tol=0)[0].blocks == pattern
    stale = copy.deepcopy(data)
    stale["inputs"]["centre"] = _record(centre + 1e-3)  # hashes left as they were
    with pytest.raises(CertificateRejected):
        check_certificate(json.dumps(stale))
    return data, centre


def test_a_stored_certificate_at_50_50_rechecks_and_its_tampered_copies_are_rejected():
    """A spurious minimum at (50, 50) (P = 2,500): one full kernel re-check, the test's time."""
    data, _ = _stored("teacher_student--minimum-50-50.json", 50, (1, 49))
    with pytest.raises(CertificateRejected, match="n x k centre"):  # (the kernel's door compares the claim only
        check_certificate(_mutant(data, inputs__recipe={"problem": "safran_shamir", "k": 50, "n": 49}))  # after a proof)


def test_a_stored_saddle_at_30_30_rechecks_and_its_tampered_copies_are_rejected():
    """A strict saddle at (30, 30): one number changed (hashes recomputed) and the kernel's proof fails."""
    data, centre = _stored("teacher_student--saddle-30-30.json", 30, (3, 27))
    moved = centre.copy()
    moved[29, 29] += 4 * float(Fraction(data["inputs"]["radius"]))  # the box no longer holds the critical point
    forgeries = {"centre moved by 4 radii": (dict(inputs__centre=_record(moved)), "krawczyk"),
                 "directions swapped": (dict(inputs__negative=data["inputs"]["positive"],
                                             inputs__positive=data["inputs"]["negative"]), "form_sign")}
    for why, (change, step) in forgeries.items():
        with pytest.raises(CertificateRejected, match=step):
            check_certificate(_mutant(data, **change))
            pytest.fail(why)


def test_inconclusive_results_claim_nothing():
    res = certify_teacher_student_point(3, 3, np.eye(3))  # the teacher: not analytic
    assert res.certificate.verdict == "inconclusive" and res.kind == "" and check_certificate(res.certificate.to_json()).ok
    W = _point(4, 4, 3)  # not a critical point at all
    res = certify_teacher_student_point(4, 4, W, polish="never")
    assert res.certificate.verdict == "inconclusive"
    with pytest.raises(InvalidInput, match="W"):
        certify_teacher_student_point(4, 4, np.zeros((3, 4)))
    with pytest.raises(InvalidInput, match="kind"):
        certify_teacher_student_point(4, 4, W, kind="maximum")
    with pytest.raises(InvalidInput, match="radius"):
        certify_teacher_student_point(4, 4, W, radius=-1)


def test_polisher_reaches_the_float_floor_and_uses_the_high_precision_gradient():
    grad = lambda x: np.array([4 * x[0] ** 3 - 4 * x[0] + 0.25])  # noqa: E731
    hess = lambda x: np.array([[12 * x[0] ** 2 - 4]])  # noqa: E731
    p = polish_critical_point(grad, hess, [0.97])
    assert abs(grad(p.x)[0]) < 1e-14 and p.float_steps >= 3 and p.precision == "float64"
    # a noisy float gradient stalls above tol; the precise one moves the point to the true root
    noisy = lambda x: grad(x) + 1e-9 * np.sin(1e12 * x)  # noqa: E731
    q = polish_critical_point(noisy, hess, [0.97], tol=1e-15, high_gradient=grad)
    assert q.precision == "high" and abs(q.x[0] - p.x[0]) < 1e-15
    with pytest.raises(InvalidInput):
        polish_critical_point(grad, hess, [np.nan])


def test_saddle_points_of_the_published_data_are_saddles_not_failures():
    task, W = _published("ss-17-18-f11")
    res = certify_teacher_student_point(17, 18, W)
    assert res.certificate.verdict == "certified" and res.kind == "strict saddle"
    assert res.contains_point and "strict saddle" in res.statement


# -- the sweep kind ---------------------------------------------------------------------------------------------------

def test_sweep_kind_certifies_a_published_point_and_binds_it():
    from proofkit.sweep.binding import derive_record
    from proofkit.sweep.execute import execute

    task, W = _published("ss-6-6-f0")
    rec = execute(task)
    assert rec["outcome"] == "certified" and rec["values"]["saddle"] == 0
    assert derive_record(task, rec["certificates"]).outcome == "certified"
    far = copy.deepcopy(task)
    far["inputs"]["W"][0][0] = (W[0, 0] + 1e-3).hex()  # another point: the certified box is not near it
    d = derive_record(far, rec["certificates"])
    assert d.outcome == "inconclusive" and "near" in d.notes[0]
    other = copy.deepcopy(task)
    other["inputs"]["kind"] = "strict saddle"
    assert derive_record(other, rec["certificates"]).outcome == "rejected"


def test_sweep_kind_names_bad_inputs():
    from proofkit.sweep.kinds import decode_inputs

    task, W = _published("ss-6-6-f0")
    good = task["inputs"]
    for change, field in (({"W": good["W"][:5]}, "W"), ({"W": [["0.1"] * 6] * 6}, "W[0][0]"),
                          ({"k": 0}, "k"), ({"radius": "1/3"}, "radius"), ({"kind": "maximum"}, "kind")):
        with pytest.raises(InvalidInput, match=field.replace("[", r"\[").replace("]", r"\]")):
            decode_inputs("safran_shamir_point", {**good, **change})
    _, args = decode_inputs("safran_shamir_point", good)
    assert np.array_equal(args["W"], W) and loss_and_grad(W[None], 6)[0][0] > 0.02
