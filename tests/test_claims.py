import json
import os
import shutil

import pytest

from proofkit import certify_nonsingular, certify_rank_deficient
from proofkit.claims import Claim, ClaimGraph
from proofkit.claims.expect import Expected, matrix_inputs
from proofkit.errors import (
    AssumptionViolated,
    CircularDependency,
    CorruptGraph,
    DanglingReference,
    DuplicateClaim,
    UnknownClaim,
)
from proofkit.printing.claims_latex import compile_pdf, graph_document
from proofkit.printing.graphviz import to_dot, to_svg
from proofkit.printing.summary import markdown_summary

CALLS = {"n": 0}


def counting_checker():
    CALLS["n"] += 1
    return certify_nonsingular([[1, 2], [3, 4]])


def small_graph() -> ClaimGraph:
    g = ClaimGraph()
    g.add_claim(Claim("D", kind="definition", statement="regular: $\\det A \\ne 0$", established="cited"))
    g.add_claim(Claim("L", kind="lemma", statement="$A$ is regular", uses=["D"], established="proof",
                      source="Paper, Lemma 1"))
    g.add_claim(Claim("I", kind="instance", statement="$A_0$ is regular", instance_of="L", checker=counting_checker))
    g.add_claim(Claim("T", kind="theorem", statement="main result", uses=["L"], proof_uses=["I"],
                      established="proof"))
    g.add_claim(Claim("C", kind="corollary", statement="consequence", uses=["T"], established="proof"))
    g.add_claim(Claim("Q", kind="conjecture", statement="open", uses=["C"]))
    return g


def test_status_derivation_and_refutation_propagates():
    g = small_graph()
    assert g.status("D") == "fully established"
    assert g.status("I") == "stale"  # its checker has not run: its certificates are missing
    assert g.status("T") == "stated"  # its proof uses an unchecked instance
    assert g.status("Q") == "stated"
    g.check()
    assert g.status("I") == "instance certified"
    assert g.status("T") == "fully established"
    assert g.status("Q") == "ready" and g.frontier() == ["Q"]
    # a certified counterexample to L refutes it; everything above L is flagged
    g.add_claim(Claim("X", kind="counterexample", statement="a singular $A$", refutes=["L"],
                      checker=lambda: certify_rank_deficient([[1, 2], [2, 4]])))
    g.check()
    assert g.status("X") == "instance certified"
    assert g.status("L") == "refuted"
    assert g.flagged("C") == ["L"]
    assert g.breaks_if_refuted("L") == ["I", "T", "C", "Q"]
    assert g.status("T") == "stated"


def test_failed_and_hypotheses_not_met():
    g = ClaimGraph()

    def bad():
        raise RuntimeError("boom")

    def unmet():
        raise AssumptionViolated("widths", "n_k >= N - 1 (Theorem 3.8)", "n_1 = 2 < N - 1 = 4")

    g.add_claim(Claim("B", kind="instance", statement="x", checker=bad))
    g.add_claim(Claim("U", kind="instance", statement="y", checker=unmet))
    rep = g.check()
    assert g.status("B") == "failed" and "boom" in rep.failed["B"]
    assert g.status("U") == "hypotheses not met" and "n_k >= N - 1" in g.unmet["U"]


def test_cycles_duplicates_dangling_unknown():
    g = ClaimGraph()
    with pytest.raises(CircularDependency, match="A uses B uses C uses A|C uses A uses B uses C|B uses C uses A uses B"):
        g.add_claims([Claim("A", statement="a", uses=["B"]), Claim("B", statement="b", uses=["C"]),
                      Claim("C", statement="c", uses=["A"])])
    assert len(g) == 0  # nothing of a wrong batch is added
    # claims that refer to each other are added together, in any order (dependencies first inside)
    g.add_claims([Claim("A", statement="a", uses=["B"]), Claim("B", statement="b")])
    assert g.order() == ["B", "A"]
    with pytest.raises(DuplicateClaim, match="'A'"):
        g.add_claim(Claim("A", statement="again"))
    with pytest.raises(UnknownClaim, match="'Z'"):
        g.status("Z")


@pytest.mark.parametrize("field", ["uses", "proof_uses", "refutes", "generalizes", "instance_of"])
def test_a_dangling_reference_is_rejected_when_added(field):
    g = ClaimGraph()
    g.add_claim(Claim("A", statement="a", established="cited"))
    value = "Typo" if field == "instance_of" else ["A", "Typo"]
    with pytest.raises(DanglingReference, match=f"'Typo' \\(in {field} of 'B'\\)"):
        g.add_claim(Claim("B", statement="b", **{field: value}))
    assert "B" not in g and "Typo" not in g.graph
    g.validate()


def test_json_round_trip_is_byte_identical_and_tampering_is_rejected(tmp_path):
    g = small_graph()
    g.check()
    path = tmp_path / "g.json"
    g.save(path)
    text = path.read_text()
    g2 = ClaimGraph.load(path)
    assert g2.to_json() == text
    assert g2.statuses() == g.statuses()
    data = json.loads(text)
    data["certificates"]["I"][0]["inputs"]["A"]["entries"][0] = ["2", "4"]
    path.write_text(json.dumps(data))
    g3 = ClaimGraph.load(path)  # a bad certificate never stops the load: its claim fails, with the reason
    assert g3.status("I") == "failed" and "hash" in g3.failures["I"]
    assert g3.status("T") == "stated"
    path.write_text("{ broken")
    with pytest.raises(CorruptGraph, match="invalid JSON"):
        ClaimGraph.load(path)
    path.write_text(json.dumps({"schema": "other/9"}))
    with pytest.raises(CorruptGraph, match="schema"):
        ClaimGraph.load(path)


def test_atomic_save_survives_interrupted_write(tmp_path, monkeypatch):
    g = small_graph()
    path = tmp_path / "g.json"
    g.save(path)
    before = path.read_text()
    g.add_claim(Claim("N", statement="new"))

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt("killed during save")

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        g.save(path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["g.json"]  # no temporary file left behind


def test_incremental_check_reruns_exactly_the_changed():
    CALLS["n"] = 0
    g = small_graph()
    first = g.check()
    assert first.ran == ["I"] and CALLS["n"] == 1
    second = g.check()
    assert second.ran == [] and second.skipped == ["I"] and CALLS["n"] == 1
    # change a dependency's statement: the instance depends on L, so it re-runs
    g2 = ClaimGraph()
    for label in g.order():
        c = g.claims[label]
        if label == "L":
            c = Claim("L", kind="lemma", statement="changed", uses=["D"], established="proof")
        g2.add_claim(c)
    g2.merge_results(g)
    third = g2.check()
    assert third.ran == ["I"] and CALLS["n"] == 2


def test_outputs_latex_compiles_and_svg_by_graphviz(tmp_path):
    g = small_graph()
    g.check()
    dot = to_dot(g)
    assert "digraph" in dot and "cluster_legend" in dot and "shape=box" in dot
    md = markdown_summary(g)
    assert "| proved in the source |" in md and "| machine-checked |" in md
    if shutil.which("dot") is None and not os.environ.get("CI"):
        pytest.skip("Graphviz is not installed on this machine")
    svg = to_svg(g)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    if shutil.which("pdflatex") is None and not os.environ.get("CI"):
        pytest.skip("pdflatex is not installed on this machine")
    pdf = compile_pdf(graph_document(g), str(tmp_path))
    with open(pdf, "rb") as fh:
        assert fh.read(5) == b"%PDF-"


def _run_cli(*args, cwd):
    """Run ``proofkit`` in this process (a subprocess could import another installed copy of proofkit)."""
    import contextlib
    import io
    import types

    from proofkit.cli import main

    out, err, here = io.StringIO(), io.StringIO(), os.getcwd()
    try:
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(here)
    return types.SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def test_cli_exit_codes_on_saved_graphs(tmp_path):
    g = small_graph()
    g.check()
    g.save(tmp_path / "ok.json")
    r = _run_cli("check", "ok.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "instance certified" in r.stdout
    r = _run_cli("check", "ok.json", "--json", cwd=tmp_path)
    assert json.loads(r.stdout)["statuses"]["I"] == "instance certified"
    # a graph with an unexpected refutation exits 1
    g.add_claim(Claim("X", kind="counterexample", statement="c", refutes=["L"],
                      checker=lambda: certify_rank_deficient([[1, 2], [2, 4]])))
    g.check()
    g.save(tmp_path / "refuted.json")
    assert _run_cli("check", "refuted.json", cwd=tmp_path).returncode == 1
    # usage and input errors exit 2 with one line and no traceback
    (tmp_path / "bad.json").write_text("{")
    r = _run_cli("check", "bad.json", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.count("\n") == 1
    r = _run_cli("show", "NOPE", "ok.json", cwd=tmp_path)
    assert r.returncode == 2 and "NOPE" in r.stderr
    cert_path = tmp_path / "c.json"
    cert_path.write_text(certify_nonsingular([[1, 2], [3, 4]]).to_json())
    assert _run_cli("verify", str(cert_path), cwd=tmp_path).returncode == 0
    d = json.loads(cert_path.read_text())
    d["claim"]["n"] = 3
    cert_path.write_text(json.dumps(d))
    assert _run_cli("verify", str(cert_path), cwd=tmp_path).returncode == 1
    assert _run_cli("verify", "missing.json", cwd=tmp_path).returncode == 2
    assert _run_cli("frobnicate", cwd=tmp_path).returncode == 2


def _graph_with_instances():
    g = ClaimGraph()
    g.add_claim(Claim("L", kind="lemma", statement="regular matrices", established="cited"))
    g.add_claim(Claim("I", kind="instance", statement="$A_0$ is regular", instance_of="L",
                      checker=lambda: certify_nonsingular([[1, 2], [3, 4]])))
    g.add_claim(Claim("J", kind="instance", statement="$A_1$ is regular", instance_of="L",
                      checker=lambda: certify_nonsingular([[1, 2], [2, 4]])))

    def unmet():
        raise AssumptionViolated("A", "a regular matrix", "a singular one")

    g.add_claim(Claim("H", kind="instance", statement="hypotheses not met here", instance_of="L", checker=unmet))
    g.check()
    return g


def test_certificates_are_bound_to_their_claims(tmp_path):
    g = _graph_with_instances()
    assert g.status("I") == "instance certified" and g.status("J") == "refuted" and g.status("H") == "hypotheses not met"
    cert = g.certificates["I"][0]
    assert cert.binding == {"label": "I", "claim_hash": g.claim("I").digest()}
    # attaching a certificate bound to I to another claim fails that claim
    assert not g.attach("J", cert)
    assert g.status("J") == "failed" and "bound to the claim 'I'" in g.failures["J"]
    # the same move inside graph.json: the moved certificate makes its new claim failed, never certified
    g = _graph_with_instances()
    path = tmp_path / "g.json"
    g.save(path)
    data = json.loads(path.read_text())
    data["certificates"]["H"] = data["certificates"]["I"]
    data["certificates"]["J"] = data["certificates"]["I"]
    data["unmet"] = {}
    path.write_text(json.dumps(data))
    g2 = ClaimGraph.load(path)
    assert g2.status("H") == "failed" and g2.status("J") == "failed" and g2.status("I") == "instance certified"
    # re-binding by hand to the other label is caught by the claim hash when the statement differs
    data["certificates"]["J"][0]["binding"]["label"] = "J"
    path.write_text(json.dumps(data))
    assert ClaimGraph.load(path).status("J") == "failed"


def test_statuses_are_derived_never_loaded(tmp_path):
    g = _graph_with_instances()
    path = tmp_path / "g.json"
    g.save(path)
    data = json.loads(path.read_text())
    assert "statuses" not in data
    data["keys"]["J"] = "0" * 64
    data["failures"] = {}
    del data["certificates"]["J"]  # removing a refuting certificate: J's results are missing, never "stated"
    path.write_text(json.dumps(data))
    g2 = ClaimGraph.load(path)
    assert g2.status("J") == "stale"
    # garbage in place of a certificate: the claim fails with the kernel's reason; the load goes on
    data["certificates"]["I"] = [{"schema": "proofkit.certificate/2", "claim": []}, 7]
    path.write_text(json.dumps(data))
    g3 = ClaimGraph.load(path)
    assert g3.status("I") == "failed" and "rejected" in g3.failures["I"]
    r = _run_cli("check", str(path), cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr and "I" in r.stderr


def test_statuses_are_derived_once_per_change(monkeypatch):
    g = small_graph()
    g.check()
    calls = {"n": 0}
    derive = type(g)._derive

    def counting(self):
        calls["n"] += 1
        return derive(self)

    monkeypatch.setattr(type(g), "_derive", counting)
    g.changed()
    for label in g.claims:
        g.status(label)
    g.statuses(), g.coverage(), g.frontier()
    assert calls["n"] == 1
    g.add_claim(Claim("Z", statement="new"))
    assert g.status("Z") == "ready" and calls["n"] == 2


# --- tamper-evident graphs: a claim's certificates are the ones its checker declares -------------------------------

A0, A1 = [[1, 2], [3, 4]], [[2, 1], [1, 1]]


def _nonsingular_expected(A):
    return [Expected("nonsingular", matrix_inputs(A), what="the matrix is invertible")]


def _declared_graph() -> ClaimGraph:
    from functools import partial

    g = ClaimGraph()
    g.add_claim(Claim("L", kind="lemma", statement="regular matrices", established="cited"))
    for label, A in (("I", A0), ("K", A1)):
        g.add_claim(Claim(label, kind="instance", statement=f"$A_{label}$ is regular", instance_of="L",
                          checker=partial(certify_nonsingular, A), expects=partial(_nonsingular_expected, A)))
    return g


def _move_with_binding(data: dict, source: str, target: str) -> None:
    """The attack: a genuine certificate of ``source`` put in ``target``, its binding recomputed for ``target``."""
    claim = next(Claim.from_dict(d) for d in data["claims"] if d["label"] == target)
    moved = json.loads(json.dumps(data["certificates"][source]))
    for cert in moved:
        cert["binding"] = {"label": target, "claim_hash": claim.digest()}
    data["certificates"][target] = moved


def test_a_moved_certificate_with_recomputed_binding_is_reported(tmp_path):
    g = _declared_graph()
    g.check()
    assert g.statuses()["I"] == g.statuses()["K"] == "instance certified"
    path = tmp_path / "g.json"
    g.save(path)
    data = json.loads(path.read_text())
    _move_with_binding(data, "K", "I")
    path.write_text(json.dumps(data))
    # with the code that defines the claims (its checkers' declarations): I is failed, with the reason
    loaded = ClaimGraph.load(path)
    assert loaded.adopt_code(_declared_graph()) == ["I", "K"]
    assert loaded.status("I") == "failed" and "inputs.A_hash is not the one its checker defines" in loaded.failures["I"]
    assert loaded.status("K") == "instance certified"
    # merged into a rebuilt graph: the forged result is discarded and I's checker runs again
    g2 = _declared_graph()
    g2.merge_results(ClaimGraph.load(path))
    assert "I" in g2.discarded and "I" not in g2.certificates
    rep = g2.check()
    assert rep.ran == ["I"] and g2.status("I") == "instance certified"
    assert g2.certificates["I"][0].inputs["A_hash"] == matrix_inputs(A0)["A_hash"]


def test_a_checker_that_drifts_from_its_declaration_fails():
    g = ClaimGraph()
    g.add_claim(Claim("I", kind="instance", statement="x", checker=lambda: certify_nonsingular(A1),
                      expects=lambda: _nonsingular_expected(A0)))
    g.add_claim(Claim("J", kind="instance", statement="y", checker=lambda: [certify_nonsingular(A0)] * 2,
                      expects=lambda: _nonsingular_expected(A0)))

    def unmet():
        raise AssumptionViolated("A", "a regular matrix", "a singular one")

    g.add_claim(Claim("U", kind="instance", statement="z", checker=unmet, expects=lambda: _nonsingular_expected(A0)))
    rep = g.check()
    assert g.status("I") == "failed" and "not the one its checker defines" in rep.failed["I"]
    assert g.status("J") == "failed" and "more than its checker produces" in rep.failed["J"]
    assert g.status("U") == "failed" and "hypotheses of its checker's definition hold" in rep.failed["U"]


def test_a_forged_hypotheses_not_met_is_reported(tmp_path):
    g = _declared_graph()
    g.check()
    path = tmp_path / "g.json"
    g.save(path)
    data = json.loads(path.read_text())
    del data["certificates"]["I"]
    data["unmet"]["I"] = "argument 'A': expected a regular matrix, got a singular one"
    path.write_text(json.dumps(data))
    loaded = ClaimGraph.load(path)
    assert loaded.status("I") == "hypotheses not met"  # the file alone cannot tell
    loaded.adopt_code(_declared_graph())
    assert loaded.status("I") == "failed"


def _refutation_graph(cex_checker) -> ClaimGraph:
    g = ClaimGraph()
    g.add_claim(Claim("Q", kind="conjecture", statement="every matrix here is invertible", expected="refuted"))
    g.add_claim(Claim("X", kind="counterexample", statement="$[[1, 2], [2, 4]]$ is singular", refutes=["Q"],
                      checker=cex_checker))
    return g


def test_a_counterexample_refutes_its_target_with_either_conclusive_verdict(tmp_path):
    from proofkit.claims.verify import graph_problems

    # the counterexample's checker proves "not invertible" as a refuted nonsingular certificate
    g = _refutation_graph(lambda: certify_nonsingular([[1, 2], [2, 4]]))
    g.check()
    assert g.certificates["X"][0].verdict == "refuted"
    assert g.status("X") == "instance certified" and g.status("Q") == "refuted" and g.refuted_by("Q") == ["X"]
    assert graph_problems(g) == []
    g.save(tmp_path / "ok.json")
    assert _run_cli("check", "ok.json", cwd=tmp_path).returncode == 0
    # an inconclusive counterexample refutes nothing: the expected refutation fails, and check says so
    import sympy

    from proofkit.certify import certify_critical_point

    x = sympy.Symbol("x")
    g = _refutation_graph(lambda: certify_critical_point([x**2 + 1], None, [0], sympy.Rational(1, 10), variables=[x]))
    g.check()
    assert g.certificates["X"][0].verdict == "inconclusive"
    assert g.status("X") == "inconclusive" and g.status("Q") == "ready"
    g.save(tmp_path / "no.json")
    r = _run_cli("check", "no.json", cwd=tmp_path)
    assert r.returncode == 1 and "problem: Q is" in r.stderr and "expected 'refuted'" in r.stderr


def test_deleting_a_counterexamples_certificates_is_reported(tmp_path):
    g = _refutation_graph(lambda: certify_rank_deficient([[1, 2], [2, 4]]))
    g.check()
    assert g.status("Q") == "refuted"
    path = tmp_path / "g.json"
    g.save(path)
    data = json.loads(path.read_text())
    del data["certificates"]["X"]
    path.write_text(json.dumps(data))
    loaded = ClaimGraph.load(path)
    assert loaded.status("X") == "stale" and loaded.status("Q") == "ready"
    r = _run_cli("check", "g.json", cwd=tmp_path)
    assert r.returncode == 1
    assert "problem: X is stale" in r.stderr and "problem: Q is ready: expected 'refuted'" in r.stderr
    assert "X is 'stale'" in r.stderr


def test_graph_json_is_written_with_the_umask(tmp_path):
    g = small_graph()
    old = os.umask(0o022)
    try:
        g.save(tmp_path / "a.json")
        os.umask(0o077)
        g.save(tmp_path / "b.json")
    finally:
        os.umask(old)
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "b.json").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json"]


def test_own_results_are_not_citations_and_the_title_is_the_graphs(tmp_path):
    c = Claim("L", kind="lemma", statement="new", source="this paper, Lemma 2; Doe 2020, Theorem 1",
              established="proof")
    assert c.own and c.cited_works() == [("Doe 2020", "Theorem 1")]
    assert Claim("M", source="This work").cited_works() == [] and not Claim("N", source="Doe 2020").own
    g = ClaimGraph(title="Regular matrices")
    g.add_claim(Claim("D", kind="definition", statement="d", established="cited", source="Doe 2020, Definition 1"))
    g.save(tmp_path / "g.json")
    assert ClaimGraph.load(tmp_path / "g.json").title == "Regular matrices"
    assert ClaimGraph.load(tmp_path / "g.json").to_json() == g.to_json()
