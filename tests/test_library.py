import json
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


def _move_with_binding(data: dict, source: str, target: str) -> None:
    """A genuine certificate of ``source`` put in ``target`` with its binding recomputed for ``target``."""
    from proofkit.claims import Claim

    claim = next(Claim.from_dict(d) for d in data["claims"] if d["label"] == target)
    moved = json.loads(json.dumps(data["certificates"][source]))
    for cert in moved:
        cert["binding"] = {"label": target, "claim_hash": claim.digest()}
    data["certificates"][target] = moved


@pytest.fixture(scope="module")
def code():
    """The seed library built from code once: its declarations are evaluated once for all the attacks."""
    return seed_graph()


@pytest.fixture(scope="module")
def saved(checked, tmp_path_factory):
    g, _ = checked
    path = tmp_path_factory.mktemp("seed") / "graph.json"
    g.save(path)
    return path.read_text()


def test_every_seed_checker_declares_its_certificates(checked):
    from proofkit.claims.runner import expectation_problems

    g, _ = checked
    with_checker = [lab for lab, c in g.claims.items() if c.checker is not None]
    assert with_checker and all(g.claims[lab].expects is not None for lab in with_checker)
    assert all(expectation_problems(g, lab) == [] for lab in with_checker)


@pytest.mark.parametrize("attack, target, status, why", [
    ("move", "NH17:lemma4.3:sigmoid", "failed", "is not the one its checker defines"),
    ("move_other_type", "Du19:lambda0:instance", "failed", "where its checker produces 'positive_definite'"),
    ("move_into_unmet", "NH17:thm3.8:narrow", "failed", "hypotheses are not met"),
    ("forge_unmet", "NH17:thm3.8:wide", "failed", "hypotheses of its checker's definition hold"),
    ("delete", "NH17:relu-counterexample", "stale", "missing"),
    ("into_cited", "NH17:thm3.8", "failed", "more than its checker produces"),
    ("edit", "Du19:lambda0:instance", "failed", "differ from the claim of this label in the code"),
])
def test_tampered_seed_graphs_are_reported(saved, code, attack, target, status, why):
    from proofkit.claims import ClaimGraph
    from proofkit.claims.verify import graph_problems, load_with_library, verify_graph_text

    data = json.loads(saved)
    if attack == "move":
        _move_with_binding(data, "NH17:lemma4.3:tanh-deep", target)
    elif attack == "move_other_type":
        _move_with_binding(data, "LN:nonconvexity:instance", target)
    elif attack == "move_into_unmet":
        _move_with_binding(data, "NH17:thm3.8:wide", target)
        del data["unmet"][target]
    elif attack == "forge_unmet":
        del data["certificates"][target]
        data["unmet"][target] = "argument 'widths': expected a wide layer, got a narrow one"
    elif attack == "into_cited":  # a cited theorem made "machine-checked" by an instance's certificates
        _move_with_binding(data, "NH17:thm3.8:wide", target)
    elif attack == "edit":  # the claim edited (so that it is no longer the library's), then a certificate moved in
        next(d for d in data["claims"] if d["label"] == target)["statement"] += " "
        _move_with_binding(data, "NH17:lemma4.3:tanh-deep", target)
    else:
        del data["certificates"][target]
    text = json.dumps(data)
    plain = ClaimGraph.from_json(text)  # the file alone: bindings recomputed, so it cannot tell
    assert plain.status(target) in ("instance certified", "hypotheses not met", "stale")
    graph, adopted = load_with_library(text, code)
    assert (target in adopted) == (attack != "edit")
    assert graph.status(target) == status
    problems = dict((lab, w) for lab, _, w in graph_problems(graph))
    assert why in problems[target]
    if attack == "delete":  # the refuted conjecture is no longer refuted: its expectation fails too
        assert "expected 'refuted'" in problems["NH17:lemma4.4:relu"]
    assert any(line.startswith(f"{target} is {status}") for line in verify_graph_text(text, code).problems)


def test_merged_results_of_a_claim_without_checker_are_discarded(saved):
    from proofkit.claims import ClaimGraph

    data = json.loads(saved)
    _move_with_binding(data, "NH17:thm3.8:wide", "NH17:thm3.8")
    g = seed_graph()
    g.merge_results(ClaimGraph.from_json(json.dumps(data)))
    assert "NH17:thm3.8" in g.discarded and "NH17:thm3.8" not in g.certificates
    assert "NH17:thm3.8:wide" in g.certificates and not g.discarded.keys() - {"NH17:thm3.8"}


def test_cli_check_main_job(tmp_path, monkeypatch, capsys):
    from proofkit import cli

    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--no-pdf"]) == 0
    out = capsys.readouterr().out
    # notes are printed in full, never cut mid-word
    assert "(Theorem 3.8), got widths [2, 2, 1]: n_1 = 2" in " ".join(out.split())
    report = tmp_path / "proofkit-report"
    assert (report / "summary.md").exists()
    assert (report / "graph.json").exists()
    assert any((report / "certificates").iterdir())
    assert cli.main(["show", "NH17:thm3.8:wide"]) == 0
    assert cli.main(["verify", str(report)]) == 0
    # a genuine certificate moved to another claim of the report, its binding recomputed
    data = json.loads((report / "graph.json").read_text())
    _move_with_binding(data, "NH17:lemma4.3:tanh-deep", "NH17:lemma4.3:sigmoid")
    (report / "graph.json").write_text(json.dumps(data))
    capsys.readouterr()
    assert cli.main(["verify", str(report)]) == 1
    assert "graph.json: NH17:lemma4.3:sigmoid is failed" in capsys.readouterr().out
    assert cli.main(["check", str(report / "graph.json")]) == 1
    assert "problem: NH17:lemma4.3:sigmoid is failed" in capsys.readouterr().err
    # rebuilding the library from code: the forged result is discarded, its checker runs again
    assert cli.main(["check", "--no-pdf"]) == 0
    captured = capsys.readouterr()
    assert "NH17:lemma4.3:sigmoid" in captured.err and "runs again" in captured.err
    assert "checkers run: 1," in captured.out
    assert cli.main(["verify", str(report)]) == 0
    # the report's certificate files are copies: one replaced by another claim's (binding recomputed) is reported
    certs = report / "certificates"
    donor = json.loads((certs / "NH17_lemma4.3_tanh-deep-1.json").read_text())
    donor["binding"] = json.loads((certs / "NH17_lemma4.3_sigmoid-1.json").read_text())["binding"]
    (certs / "NH17_lemma4.3_sigmoid-1.json").write_text(json.dumps(donor))
    capsys.readouterr()
    assert cli.main(["verify", str(report)]) == 1
    assert "NH17_lemma4.3_sigmoid-1.json: bound to 'NH17:lemma4.3:sigmoid', but not among" in capsys.readouterr().out
