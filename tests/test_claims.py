import json
import os
import shutil
import subprocess
import sys

import pytest

from proofkit import certify_nonsingular, certify_rank_deficient
from proofkit.claims import Claim, ClaimGraph
from proofkit.errors import (
    AssumptionViolated,
    CertificateRejected,
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
    assert g.status("I") == "stated"  # not yet checked
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
    g.add_claim(Claim("A", statement="a", uses=["B"]))
    g.add_claim(Claim("B", statement="b", uses=["C"]))
    with pytest.raises(CircularDependency, match="A uses B uses C uses A|C uses A uses B uses C|B uses C uses A uses B"):
        g.add_claim(Claim("C", statement="c", uses=["A"]))
    assert "C" not in g
    with pytest.raises(DuplicateClaim, match="'A'"):
        g.add_claim(Claim("A", statement="again"))
    with pytest.raises(DanglingReference, match="'C'"):
        g.validate()
    with pytest.raises(UnknownClaim, match="'Z'"):
        g.status("Z")


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
    with pytest.raises(CertificateRejected, match="'I'"):
        ClaimGraph.load(path)
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
    return subprocess.run([sys.executable, "-m", "proofkit.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


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
