import time

import pytest
import sympy

from proofkit.errors import AssumptionViolated, DuplicateSamples
from proofkit.kernel import check_certificate
from proofkit.library import checkers as ck
from proofkit.library import seed_graph
from proofkit.symbolic.leibniz import leibniz_construction


@pytest.fixture(scope="module")
def checked():
    g = seed_graph()
    report = g.check()
    return g, report


def test_seed_graph_statuses(checked):
    g, report = checked
    assert not report.failed
    st = g.statuses()
    assert st["NH17:lemma4.4:relu"] == "refuted"
    assert g.claims["NH17:lemma4.4:relu"].expected == "refuted"
    assert st["NH17:thm3.8:narrow"] == "hypotheses not met"
    assert "n_k >= N - 1" in g.unmet["NH17:thm3.8:narrow"]
    for label in ("NH17:lemma4.3:sigmoid", "NH17:lemma4.3:softplus", "NH17:lemma4.3:tanh-deep",
                  "NH17:thm3.8:wide", "Du19:lambda0:instance", "Du19:duplicate", "KHK19:thm1:instance",
                  "NH17:relu-counterexample", "NH17:lemma2.1:instance", "LN:nonconvexity:instance"):
        assert st[label] == "instance certified", label
    assert st["NH17:thm3.8"] == "fully established"
    for certs in g.certificates.values():
        for c in certs:
            assert check_certificate(c.to_json()).ok


def test_incremental_second_check_runs_nothing(checked):
    g, _ = checked
    g2 = seed_graph()
    g2.merge_results(g)
    t = time.perf_counter()
    rep = g2.check()
    assert rep.ran == [] and len(rep.skipped) == len([c for c in g2.claims.values() if c.checker])
    assert time.perf_counter() - t < 1.0


def test_lemma_4_3_alpha0_holds_beyond_alpha0():
    con = leibniz_construction([[0], [1], [3], [4]], [1, 3, 1], k=1, sigma="sigmoid")
    proof = con.alpha0()
    assert proof["proved"]
    a0 = sympy.Rational(int(proof["alpha0"].p), int(proof["alpha0"].q))
    # det E(alpha) at several alpha >= alpha_0 is certified non-zero with the sign of the limit
    for alpha in (a0, a0 * 2, a0 * 10, a0 * 1000):
        assert con.witness(alpha, through_network=False).verdict == "certified"
    lim = float(con.limit_det)
    import flint

    for alpha in (a0, a0 * 3):
        det = flint.arb_mat(con.E_at(alpha)).det()
        assert (det > 0) == (lim > 0) and (det < 0) == (lim < 0)


def test_lemma_4_3_symbolic_leibniz_expansion():
    con = leibniz_construction([[0], [1], [2]], [1, 2, 1], k=1, sigma="softplus", beta=1)
    total, terms = con.leibniz()
    assert terms[0][0] == (0, 1, 2) and terms[0][1] == 1
    assert sympy.simplify(terms[0][2] - con.sigma(1) ** 2) == 0  # identity term sigma(beta)^(N-1)
    assert len(terms) == 6
    x = sympy.Rational(3)
    assert abs(float((total - con.E.det()).subs(sympy.Symbol("alpha", positive=True), x))) < 1e-12
    bounded = leibniz_construction([[0], [1], [2]], [1, 2, 1], k=1)
    diff = bounded.row_difference_limit()
    assert diff.is_upper and bounded.limit_det == sympy.Rational(-1, 2) ** 2


def test_lemma_4_3_witness_n200_under_two_seconds():
    import random

    rng = random.Random(3)
    X = [[sympy.Rational(rng.randint(-999, 999), 101), sympy.Rational(rng.randint(-999, 999), 103)] for _ in range(200)]
    t = time.perf_counter()
    con = leibniz_construction(X, [2, 199, 1], k=1)
    proof = con.alpha0()
    cert = con.witness(proof["alpha0"])
    elapsed = time.perf_counter() - t
    assert proof["proved"] and cert.verdict == "certified"
    assert elapsed < 10  # the benchmark records the figure; this only guards against a large regression


def test_hypotheses_are_checked():
    with pytest.raises(AssumptionViolated, match="n_k >= N - 1"):
        leibniz_construction([[0], [1], [2], [3]], [1, 2, 1], k=1)
    with pytest.raises(AssumptionViolated, match="analytic"):
        leibniz_construction([[0], [1], [2]], [1, 2, 1], k=1, sigma="relu")
    with pytest.raises(DuplicateSamples, match="Assumption 3.2\\(1\\)"):
        leibniz_construction([[0], [1], [1]], [1, 2, 1], k=1)
    with pytest.raises(AssumptionViolated, match="bounded activation or one of type"):
        leibniz_construction([[0], [1], [2]], [1, 2, 1], k=1, sigma="exp")
    with pytest.raises(AssumptionViolated, match="Theorem 3.8"):
        ck.theorem_3_8_instance(widths=[2, 2, 1])


def test_cli_check_main_job(tmp_path, monkeypatch):
    from proofkit import cli

    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--no-pdf"]) == 0
    assert (tmp_path / "proofkit-report" / "summary.md").exists()
    assert (tmp_path / "proofkit-report" / "graph.json").exists()
    assert any((tmp_path / "proofkit-report" / "certificates").iterdir())
    assert cli.main(["show", "NH17:thm3.8:wide"]) == 0
