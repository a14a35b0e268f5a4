"""Safran & Shamir's population loss: closed form, engine, search and certificates."""

import json

import flint
import numpy as np
import pytest

from proofkit.errors import CertificateRejected, InvalidInput
from proofkit.kernel import check_certificate
from proofkit.kernel.dag import decode_dag
from proofkit.kernel.engine import NotAnalyticOnBox, Tape, dense_gradient, evaluate
from proofkit.library.safran_shamir import (
    certify_minimum,
    certify_point,
    gradient_high,
    hessian,
    loss_and_grad,
    loss_dag,
    loss_sympy,
    related,
    search,
    teacher_point,
)
from proofkit.testing.mutants import rehash


def test_closed_form_matches_monte_carlo():
    rng = np.random.default_rng(0)
    k, n = 3, 4
    W = rng.normal(size=(n, k))
    x = rng.normal(size=(400_000, k))
    student = np.maximum(x @ W.T, 0).sum(axis=1)
    teacher = np.maximum(x, 0).sum(axis=1)
    mc = 0.5 * np.mean((student - teacher) ** 2)
    F, _ = loss_and_grad(W[None], k)
    assert abs(F[0] - mc) < 0.02 * (1 + mc)


def test_float_engine_and_arb_engine_agree():
    rng = np.random.default_rng(1)
    k, n = 4, 5
    W = rng.normal(size=(n, k))
    F, G = loss_and_grad(W[None], k)
    tape = Tape(decode_dag(loss_dag(k, n)))
    (jet,) = evaluate(tape, [flint.arb(v) for v in W.reshape(-1)], order=1, prec=128)
    assert jet.value.overlaps(flint.arb(F[0], 1e-13))
    g = [float(v.mid()) for v in dense_gradient(jet, n * k)]
    assert np.allclose(g, G[0].reshape(-1), atol=1e-12)
    expr, params = loss_sympy(2, 2)
    W2 = rng.normal(size=(2, 2))
    val = float(expr.subs(dict(zip(params, W2.reshape(-1).tolist()))).evalf(30))
    assert abs(val - loss_and_grad(W2[None], 2)[0][0]) < 1e-12


@pytest.mark.parametrize("k,n", [(3, 3), (3, 5)])
def test_teacher_has_loss_zero_by_continuity_and_is_a_kink(k, n):
    tape = Tape(decode_dag(loss_dag(k, n)))
    from proofkit.kernel.engine import arb_precision

    with arb_precision(256):
        pt = [flint.arb(v) for v in teacher_point(k, n)]  # dyadic: exact balls, acos(1) and sqrt(0) exactly
        (v,) = evaluate(tape, pt, order=0, value_only=True)
    assert v.value.contains(0) and v.value.rad() < 1e-60
    with pytest.raises(NotAnalyticOnBox):  # a ball reaching past acos's domain is refused, not clamped
        evaluate(tape, [p + flint.arb(0, 1e-30) for p in pt], order=0, value_only=True, prec=256)
    assert loss_and_grad(np.array(teacher_point(k, n), dtype=float).reshape(1, n, k), k)[0][0] < 1e-14
    with pytest.raises(NotAnalyticOnBox):
        evaluate(tape, pt, order=1, prec=128)


def test_related_only_under_declared_symmetries():
    rng = np.random.default_rng(2)
    A = rng.normal(size=(5, 4))
    assert related(A, A[[2, 0, 1, 4, 3]][:, [1, 3, 0, 2]])
    assert not related(A, A + 1e-3)
    assert not related(A, -A)


def test_spurious_minimum_6_6_is_found_certified_and_rechecked():
    cands = search(6, 6, starts=400, seed=7)
    assert cands, "the search found no spurious minimum"
    c = cands[0]
    assert 0.02 < c.loss < 0.03
    cert = certify_minimum(6, 6, c.W)
    assert cert.verdict == "certified" and cert.claim["type"] == "teacher_student"
    data = json.loads(cert.to_json())
    assert check_certificate(cert.to_json()).ok
    assert data["inputs"]["recipe"] == {"problem": "safran_shamir", "k": 6, "n": 6}  # the recipe, not the DAG
    assert len(cert.to_json()) < 5_000
    bad = dict(data, inputs=dict(data["inputs"], recipe={"problem": "safran_shamir", "k": 6, "n": 7}))
    rehash(bad)
    with pytest.raises(CertificateRejected):
        check_certificate(json.dumps(bad))
    # a point that is not critical is never certified as given: it is polished first
    again = certify_point(6, 6, c.W + 1e-4)
    assert again.certificate.verdict == "certified" and again.polished and not again.contains_point
    assert check_certificate(again.certificate.to_json()).ok
    assert 1e-5 < again.distance < 1e-3 and "within" in again.statement
    assert certify_point(6, 6, c.W + 1e-4, polish="never").certificate.verdict == "inconclusive"


def test_hessian_and_arb_gradient_match_the_engine():
    rng = np.random.default_rng(3)
    k, n = 3, 4
    W = rng.normal(size=(n, k))
    tape = Tape(decode_dag(loss_dag(k, n)))
    (jet,) = evaluate(tape, [flint.arb(v) for v in W.reshape(-1)], order=2, prec=128)
    from proofkit.kernel.engine import dense_hessian

    Hd = dense_hessian(jet, n * k)
    Ha = np.array([[float(Hd[i, j].mid()) for j in range(n * k)] for i in range(n * k)])
    assert np.abs(hessian(W) - Ha).max() < 1e-12
    g = np.array([float(v.mid()) for v in dense_gradient(jet, n * k)])
    assert np.abs(gradient_high(W).reshape(-1) - g).max() < 1e-15


def test_bad_input_is_named():
    with pytest.raises(InvalidInput, match="k, n"):
        loss_dag(0, 3)
    with pytest.raises(InvalidInput, match="W"):
        certify_minimum(3, 3, np.zeros((2, 3)))
    with pytest.raises(InvalidInput, match="n"):
        teacher_point(3, 2)


def test_claims_form_a_valid_graph_with_refuting_counterexamples():
    from proofkit.claims import ClaimGraph
    from proofkit.library.safran_shamir import claims

    cl = claims()
    g = ClaimGraph()
    g.add_claims(cl)
    g.validate()
    ces = [c for c in cl if c.kind == "counterexample"]
    assert len(ces) == 3 and all(c.checker is not None and c.refutes for c in ces)
