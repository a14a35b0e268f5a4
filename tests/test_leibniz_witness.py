"""Lemma 4.3's witness as a recipe: the ``leibniz_witness`` rule, its interval tails and the float64 ball test."""

import json
import random

import flint
import mpmath
import numpy as np
import pytest
import sympy

from proofkit.certificate import canonical_json
from proofkit.certify.leibniz import certify_leibniz_witness
from proofkit.errors import CertificateRejected, InvalidInput
from proofkit.kernel import check_certificate
from proofkit.kernel import leibniz as kl
from proofkit.kernel.dag import decode_dag
from proofkit.kernel.linalg import float_ball_nonsingular
from proofkit.symbolic.dag import to_dag
from proofkit.symbolic.leibniz import leibniz_construction
from proofkit.testing.mutants import rehash
from proofkit.testing.oracle import statement_holds

T = sympy.Symbol("t", real=True)
X6 = [[0, 0], [1, 0], [0, 1], [1, 1], [sympy.Rational(1, 2), 2], [3, -1]]


def _cert(X=X6, alpha=64, sigma="sigmoid", beta=0):
    con = leibniz_construction(X, [len(X[0]), len(X) - 1, 1], k=1, sigma=sigma, beta=beta)
    return certify_leibniz_witness(con, alpha)


def _d(cert):
    return json.loads(cert.to_json())


def _reclaim(d):
    """A forger who keeps the claim consistent with tampered inputs: claim and hashes."""
    inp = d["inputs"]
    d["claim"] = {"type": "leibniz_witness", "N": len(inp["X"]), "k": inp["k"], "kind": inp["kind"],
                  "alpha": inp["alpha"], "beta": inp["beta"]}
    rehash(d)
    return canonical_json(d)


def _rejected(text, match=None):
    with pytest.raises(CertificateRejected, match=match):
        check_certificate(text)


def test_valid_certificate_rechecks_from_the_recipe_alone():
    cert = _cert()
    assert cert.verdict == "certified" and "A" not in cert.inputs
    rep = check_certificate(cert.to_json())
    assert rep.ok and rep.claim_type == "leibniz_witness" and rep.measures["bound"] < 1 and rep.tier == "float64"
    assert statement_holds(_d(cert)) is True  # the independent oracle agrees (exact determinant)
    growth = _cert(X=[[0], [1], [3], [4]], alpha=8, sigma="softplus", beta=1)
    assert growth.verdict == "certified" and growth.claim["kind"] == "growth"
    assert check_certificate(growth.to_json()).ok


def test_the_network_path_agrees():
    con = leibniz_construction([[0], [1], [3], [7]], [1, 3, 1], k=1)
    assert con.witness(16).claim["type"] == "leibniz_witness"
    assert con.witness(16, through_network=True).verdict == "certified"  # the network's own layer evaluation


@pytest.mark.parametrize("field,value", [("N", 5), ("alpha", "65"), ("beta", "1"), ("kind", "growth"), ("k", 2)])
def test_claim_fields_must_be_the_ones_the_inputs_give(field, value):
    d = _d(_cert())
    d["claim"][field] = value
    rehash(d)
    _rejected(canonical_json(d), "claim")


def test_duplicate_projections_are_rejected():
    d = _d(_cert())
    d["inputs"]["X"][1] = list(d["inputs"]["X"][0])  # a sample repeated
    _rejected(_reclaim(d), "same projection")
    d = _d(_cert())
    d["inputs"]["X"][1] = ["0", "1"]  # (0, 1) and (1, 0) meet along a = (1, 1)
    d["inputs"]["X"][2] = ["1", "0"]
    d["inputs"]["direction"] = ["1", "1"]
    _rejected(_reclaim(d), "same projection")


def test_singular_sigma_or_tiny_alpha_is_rejected(monkeypatch):
    d = _d(_cert())
    d["inputs"]["sigma"] = to_dag([T**2], [T])  # not monotone: the columns lie in span{1, t, t^2}
    _rejected(_reclaim(d), "not below 1")
    d["inputs"]["sigma"] = to_dag([sympy.Rational(1, 2) + 0 * T], [T])  # a constant: rank 2
    _rejected(_reclaim(d))
    d = _d(_cert())
    d["inputs"]["alpha"] = "1/1000000000000"  # E close to [1, sigma(0) 1^T]: not provable in float64
    assert check_certificate(_reclaim(d)).tier == "arb"  # nonsingular all the same: Arb at 2048 bits proves it
    monkeypatch.setattr(kl, "MAX_ARB", 0)
    _rejected(_reclaim(d), "not below 1")
    for alpha in ("0", "-1"):
        d["inputs"]["alpha"] = alpha
        _rejected(_reclaim(d), "positive")
    d["inputs"]["alpha"] = "1/0"
    _rejected(_reclaim(d))


def test_tampering_that_keeps_a_true_statement_is_re_proved():
    # the claim is about the recorded recipe: another valid recipe is re-proved, not trusted
    d = _d(_cert())
    d["inputs"]["X"][5] = ["7", "-3"]
    d["inputs"]["kind"] = "growth"
    d["inputs"]["beta"] = "1/3"
    assert check_certificate(_reclaim(d)).ok
    assert statement_holds(json.loads(_reclaim(d))) is True


def test_huge_alpha_never_gives_a_false_verdict():
    for alpha in (10**30, 10**400):
        d = _d(_cert())
        d["inputs"]["alpha"] = str(alpha)
        try:
            check_certificate(_reclaim(d))
        except CertificateRejected:
            continue
        assert statement_holds(json.loads(_reclaim(d))) is not False


def test_near_singular_recipes_are_inconclusive_not_certified(monkeypatch):
    monkeypatch.setattr(kl, "MAX_ARB", 0)  # the float64 test alone
    X = [[i] for i in range(20)]
    cert = _cert(X=X, alpha=sympy.Rational(1, 10**6))
    assert cert.verdict == "inconclusive" and "not below 1" in cert.reason
    assert check_certificate(cert.to_json()).verdict == "inconclusive"


def test_badly_scaled_type_2b_falls_back_to_arb():
    rng = random.Random(3)
    X = [[sympy.Rational(rng.randint(-999, 999), 101)] for _ in range(40)]
    cert = _cert(X=X, alpha=2**16, sigma="softplus", beta=1)  # entries up to about 10^6: float64 cannot
    assert cert.verdict == "certified"
    assert check_certificate(cert.to_json()).rule == "arb"


def test_pointwise_cost_limit(monkeypatch):
    monkeypatch.setattr(kl, "MAX_POINTWISE", 10)
    cert = _cert(X=[[i] for i in range(12)], alpha=1)
    assert cert.verdict == "inconclusive" and "one by one" in cert.reason


def _padded_sigmoid(junk: int) -> dict:
    """sigmoid + 0 * (sin(t) + t + ... + t): the same function, with ``junk`` more nodes and no tail enclosure."""
    nodes = [["var", 0], ["const", "-1"], ["mul", 0, 1], ["exp", 2], ["const", "1"], ["add", 3, 4], ["pow", 5, "-1"],
             ["sin", 0]]
    nodes += [["add", 7 + i, 0] for i in range(junk)]
    m = len(nodes) - 1
    nodes += [["const", "0"], ["mul", m, m + 1], ["add", 6, m + 2]]
    return {"format": "proofkit.dag/1", "inputs": ["t"], "nodes": nodes, "outputs": [len(nodes) - 1]}


def test_evaluation_budget_bounds_a_large_sigma():
    # 500 samples, no tail enclosure (sin), 249,500 entries one by one, a sigma of 1,011 nodes: about ten
    # minutes of evaluation before the budget; now rejected before any entry is evaluated
    d = _d(_cert())
    d["inputs"].update(sigma=_padded_sigmoid(1000), X=[[str(i * i)] for i in range(500)], direction=["1"],
                       alpha="1/1000")
    _rejected(_reclaim(d), "over budget")
    d = _d(_cert())
    d["inputs"].update(sigma=_padded_sigmoid(400_000))  # the 22 interval evaluations of the tails alone
    _rejected(_reclaim(d), "over budget")
    d = _d(_cert())
    d["inputs"].update(sigma=_padded_sigmoid(40_000), k=20)  # the layer inputs sigma^19(<a, x_i>)
    _rejected(_reclaim(d), "over budget")
    d = _d(_cert())  # 20,000-digit alpha near 1/10 at 249,500 entries: exact arithmetic for about a minute
    a = flint.fmpq(10**19998 + 7, 10**19999 + 3)
    d["inputs"].update(sigma=_padded_sigmoid(2), X=[[str(i * i)] for i in range(500)], direction=["1"],
                       alpha=f"{a.p}/{a.q}")
    _rejected(_reclaim(d), "over budget")
    d = _d(_cert())
    d["inputs"]["sigma"] = _padded_sigmoid(20)  # small: the same sigmoid, still proved
    assert check_certificate(_reclaim(d)).ok


def test_deeper_layers_are_rebuilt_from_the_recipe():
    con = leibniz_construction([[0], [1], [3], [7]], [1, 3, 3, 3, 1], k=3, sigma="tanh", beta=sympy.Rational(1, 2))
    cert = con.witness(64)
    assert cert.verdict == "certified" and cert.claim["k"] == 3 and "F_3" in cert.reason
    assert check_certificate(cert.to_json()).ok and statement_holds(_d(cert)) is True
    assert con.witness(64, through_network=True).verdict == "certified"  # the network's own layers agree
    d = _d(cert)
    d["inputs"]["sigma"] = to_dag([sympy.Rational(1, 3) + 0 * T], [T])  # constant: the layer-3 inputs coincide
    _rejected(_reclaim(d), "not certified strictly increasing")
    d = _d(cert)
    d["inputs"]["k"] = 21
    _rejected(_reclaim(d), "k <= 20")
    with pytest.raises(InvalidInput, match="alpha"):
        certify_leibniz_witness(leibniz_construction([[0], [1]], [1, 1, 1], k=1), -1)


@pytest.mark.parametrize("expr", [1 / (1 + sympy.exp(-T)), sympy.tanh(T), sympy.log(1 + sympy.exp(T)),
                                  sympy.atan(T) * T - T**3, (T**2 + 1) ** sympy.Rational(-1, 2), sympy.erf(T) / 3])
def test_interval_range_encloses_sampled_values(expr):
    dag = decode_dag(to_dag([expr], [T]))
    f = sympy.lambdify(T, expr, "mpmath")
    rng = random.Random(5)
    mpmath.mp.prec = 200
    for _ in range(40):
        a, b = sorted(flint.fmpq(rng.randint(-400, 400), rng.randint(1, 9)) for _ in range(2))
        ball = kl.interval_range(dag, a, b)
        assert ball is not None
        for k in range(6):
            x = mpmath.mpf(int(a.p)) / int(a.q) + (mpmath.mpf(int(b.p)) / int(b.q) - mpmath.mpf(int(a.p)) / int(a.q)) * k / 5
            v = f(x)
            lo, hi = ball.lower(), ball.upper()
            assert mpmath.mpf(lo.mid().str(40, radius=False)) - mpmath.mpf(10) ** -35 <= v
            assert v <= mpmath.mpf(hi.mid().str(40, radius=False)) + mpmath.mpf(10) ** -35


def test_interval_range_refuses_what_it_cannot_bound():
    assert kl.interval_range(decode_dag(to_dag([1 / T], [T])), flint.fmpq(-1), flint.fmpq(1)) is None
    assert kl.interval_range(decode_dag(to_dag([sympy.cos(T)], [T])), flint.fmpq(0), flint.fmpq(1)) is None
    assert kl.interval_range(decode_dag(to_dag([sympy.log(T)], [T])), flint.fmpq(-1), flint.fmpq(1)) is None


def test_float_ball_nonsingular():
    M = np.array([[2.0, 1.0], [1.0, 3.0]])
    ok, bound = float_ball_nonsingular(M, np.zeros((2, 2)))
    assert ok and bound < 1e-14
    assert not float_ball_nonsingular(np.array([[1.0, 2.0], [2.0, 4.0]]), np.zeros((2, 2)))[0]
    # the ball [1, 0; 0, 1e-3 +/- 1e-3] contains a singular matrix: never proved
    assert not float_ball_nonsingular(np.diag([1.0, 1e-3]), np.diag([0.0, 1e-3]))[0]
    assert float_ball_nonsingular(np.diag([1.0, 1e-3]), np.diag([0.0, 1e-4]))[0]
    assert not float_ball_nonsingular(np.diag([1.0, np.inf]), np.zeros((2, 2)))[0]
    assert not float_ball_nonsingular(np.eye(2), -np.ones((2, 2)))[0]


@pytest.mark.parametrize("seed", range(3))
def test_float_ball_around_a_singular_matrix_is_never_proved(seed):
    # S = B C of rank n - 1 (small integers, exact in float64), rows and columns scaled by powers of two up to
    # 2^+-530 (products of R and M underflow), one entry moved by an exact dyadic delta and Rad = |delta|: the
    # ball contains S, so ||I - R S|| >= 1 and no bound may fall below 1 (observed minimum about 1 + 5e-15)
    rng = np.random.default_rng(seed)
    tried, smallest = 0, np.inf
    for _ in range(400):
        n = int(rng.integers(2, 12))
        S = rng.integers(-5, 6, size=(n, n - 1)).astype(float) @ rng.integers(-5, 6, size=(n - 1, n)).astype(float)
        d1, d2 = 2.0 ** rng.integers(-530, 530, size=n), 2.0 ** rng.integers(-530, 530, size=n)
        S = d1[:, None] * S * d2[None, :]
        delta = np.zeros((n, n))
        i, j = rng.integers(0, n, size=2)
        delta[i, j] = d1[i] * d2[j] * 2.0 ** -int(rng.integers(1, 50))
        with np.errstate(all="ignore"):
            M = S + delta
            if not (np.isfinite(M).all() and np.array_equal(M - S, delta) and np.array_equal(M - delta, S)):
                continue
        ok, bound = float_ball_nonsingular(M, np.abs(delta))
        tried, smallest = tried + 1, min(smallest, bound)
        assert not ok and bound >= 1, (M, delta)
    assert tried > 300 and smallest < 1.01  # the cases come near the threshold


# -- alpha_0: ||L^-1||_F of the limit matrix in O(N) (kernel: by rows; certifier: by columns) ------------------------
def _limit(mu, gamma, s, N):
    return flint.fmpq_mat([[1] + [gamma if j > i else (s if j == i else mu) for j in range(N - 1)] for i in range(N)])


def test_limit_inverse_frobenius_is_the_exact_one_in_kernel_and_certifier():
    from proofkit.symbolic.leibniz import limit_inverse_frobenius

    rng = random.Random(5)
    for _ in range(120):  # |rho| = |gamma - s| / |mu - s| below, at and above 1; s outside (mu, gamma) too
        N = rng.randint(2, 11)
        mu = flint.fmpq(rng.randint(-5, 5), rng.randint(1, 5))
        gamma = mu + flint.fmpq(rng.randint(1, 9), rng.randint(1, 5))
        s = flint.fmpq(rng.randint(-20, 20), rng.randint(1, 7))
        if s == mu:
            continue
        exact = sum((x * x for x in _limit(mu, gamma, s, N).inv().entries()), flint.fmpq(0))
        for f in (kl.limit_inverse_frobenius, limit_inverse_frobenius):
            F = f(flint.arb(mu), flint.arb(gamma), flint.arb(s), N, 128)
            with flint.ctx.workprec(1000):
                assert F is not None and (F * F).contains(exact), (f.__module__, N, mu, gamma, s)


def test_limit_inverse_frobenius_refuses_a_singular_limit():
    from proofkit.symbolic.leibniz import limit_inverse_frobenius

    half = flint.arb(flint.fmpq(1, 2))
    assert kl.limit_inverse_frobenius(half, flint.arb(1), half, 5, 64) is None  # mu = sigma(beta): det L = 0
    assert limit_inverse_frobenius(half, flint.arb(1), half, 5) is None
    near = flint.arb(flint.fmpq(1, 2), flint.fmpq(1, 10**30))  # a ball around mu: not certified nonzero
    assert kl.limit_inverse_frobenius(half, flint.arb(1), near, 5, 64) is None


def test_alpha0_beyond_200_samples_is_certified_and_a_smaller_alpha0_is_refused():
    from proofkit.certify.leibniz import certify_leibniz_alpha0

    rng = random.Random(7)
    X = [[sympy.Rational(rng.randint(-9999, 9999), 101), sympy.Rational(rng.randint(-9999, 9999), 103)]
         for _ in range(400)]
    con = leibniz_construction(X, [2, 399, 1], k=1)
    found = con.alpha0()
    assert found["proved"]
    a0 = found["alpha0"]
    cert = certify_leibniz_alpha0(con, a0)
    assert cert.verdict == "certified" and check_certificate(cert.to_json()).ok  # (the kernel took N <= 200 only)
    assert certify_leibniz_alpha0(con, a0 / 2).verdict == "inconclusive"  # the first power of 2 that proves it
    d = _d(cert)
    d["inputs"]["alpha0"] = d["claim"]["alpha0"] = str(a0 / 2) if (a0 / 2).q == 1 else f"{(a0 / 2).p}/{(a0 / 2).q}"
    rehash(d)
    _rejected(canonical_json(d), "perturbation bound")


def test_witness_size_limit_is_4000():
    assert kl.MAX_N == 4000
    con = leibniz_construction([[i] for i in range(4001)], [1, 4000, 1], k=1)
    cert = certify_leibniz_witness(con, 2**30)
    assert cert.verdict == "inconclusive" and "N <= 4000" in cert.reason
