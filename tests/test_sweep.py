"""Sweeps without a cluster: exact decoding, task files, kinds, execution, task processes, records, verify."""

from __future__ import annotations

import json
import os
import threading
import time

import psutil
import pytest
import sympy

from proofkit.cli import main
from proofkit.errors import InvalidInput, NotExact, UnknownName
from proofkit.sweep import exact
from proofkit.sweep.execute import execute, execute_json
from proofkit.sweep.kinds import KINDS, TaskKind, TaskOutput, register_kind, run_kind, unregister_kind
from proofkit.sweep.runner import run_task
from proofkit.sweep.store import ResultStore, verify_path
from proofkit.sweep.summary import markdown_table, summarize, write_summary
from proofkit.sweep.tasks import MalformedTask, load_tasks, task_key

WELL = {"kind": "spurious_minimum", "inputs": {"loss": "(x**2 - 1)**2 + x/4", "point": ["0.97"],
                                               "better_point": ["-1.03"]}}
SLOW = {"kind": "search_spurious_minima", "inputs": {
    "network": {"widths": [1, 1, 1], "activation": "tanh"}, "X": [["-4"], ["-2"], [0], [1], [2], ["7/2"], [4]],
    "Y": [[0], ["3/4"], ["-3/4"], ["1/4"], ["-3/2"], ["-3/4"], [-1]], "starts": 3000, "scale": 1}}


# --- exact decoding -------------------------------------------------------------------------------------------------

def test_exact_numbers():
    assert exact.exact_number("-3/4", "x") == sympy.Rational(-3, 4)
    assert exact.exact_number("0.97", "x") == sympy.Rational(97, 100)
    assert exact.exact_number("1e-3", "x") == sympy.Rational(1, 1000)
    assert exact.exact_number("0x1.8p-1", "x") == sympy.Rational(3, 4)
    # float hex with more than 53 significant bits stays exact (float.fromhex would round it)
    long_hex = "0x1.00000000000000001p0"
    assert exact.exact_number(long_hex, "x") == 1 + sympy.Rational(1, 2**68)
    assert exact.exact_number(float.hex(0.1), "x") == sympy.Rational(*(0.1).as_integer_ratio())
    # a JSON number literal keeps its decimal text: 0.1 is 1/10, not the float64 nearest to it
    assert exact.exact_number(exact.loads("0.1"), "x") == sympy.Rational(1, 10)
    with pytest.raises(NotExact, match="'x'"):
        exact.exact_number(0.1, "x")
    for bad in (True, None, "1/0", "abc", [1], "0x.p1"):
        with pytest.raises(InvalidInput):
            exact.exact_number(bad, "x")


def test_expressions_are_exact_and_cannot_run_code():
    e = exact.expression("(x**2 - 1)**2 + 0.25*x + exp(-1.5*y)", "loss")
    assert e == (sympy.Symbol("x")**2 - 1)**2 + sympy.Symbol("x") / 4 + sympy.exp(-sympy.Rational(3, 2) * sympy.Symbol("y"))
    assert not e.atoms(sympy.Float)
    for bad in ("__import__('os').system('true')", "x.conjugate()", "lambda x: x", "x^2", "x[0]", "f(x)", "x + I",
                "0x10", "3j", "", "x +"):
        with pytest.raises(InvalidInput, match="'loss'"):
            exact.expression(bad, "loss")
    with pytest.raises(InvalidInput, match="unknown symbols"):
        exact.expression("x + z", "loss", ["x", "y"])


def test_points_and_matrices():
    assert exact.point({"b": 1, "a": "1/2"}, ["a", "b"], "point") == [sympy.Rational(1, 2), 1]
    with pytest.raises(InvalidInput, match="missing"):
        exact.point({"a": 1}, ["a", "b"], "point")
    with pytest.raises(InvalidInput, match="rows of equal length"):
        exact.exact_matrix([[1, 2], [3]], "matrix")
    m = exact.constant_matrix([[1, "exp(1)/3"]], "matrix")
    assert m[0][1] == sympy.E / 3
    with pytest.raises(InvalidInput, match="constant"):
        exact.constant_matrix([["x"]], "matrix")


# --- task files -----------------------------------------------------------------------------------------------------

def test_malformed_lines_are_named_and_the_rest_is_kept(tmp_path):
    f = tmp_path / "t.jsonl"
    f.write_text("\n".join([
        "# a comment",
        json.dumps(WELL),
        "{not json",
        json.dumps({"kind": "nonsingulr", "inputs": {"matrix": [[1]]}}),
        json.dumps({"kind": "nonsingular", "inputs": {"matrix": [[1, 2], [3]]}}),
        json.dumps({"kind": "spurious_minimum", "inputs": {"loss": "x^2", "point": [0], "better_point": [1]}}),
        json.dumps({"kind": "nonsingular"}),
        json.dumps({"kind": "nonsingular", "inputs": {"matrix": [[1]]}, "timeout": -1}),
        "",
        json.dumps({**WELL, "id": "again"}),
        json.dumps({"kind": "nonsingular", "inputs": {"matrix": [[1, 2], [3, 4]]}, "id": "m", "group": "g"}),
    ]))
    tl = load_tasks(f)
    assert [t.line for t in tl.tasks] == [2, 11]
    assert tl.duplicates == {10: 2}
    lines = {e.line: str(e) for e in tl.malformed}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8]
    assert all(isinstance(e, MalformedTask) for e in tl.malformed)
    assert "t.jsonl line 3" in lines[3] and "JSON" in lines[3]
    assert "'kind'" in lines[4] and "nonsingulr" in lines[4]
    assert "'inputs.matrix'" in lines[5]
    assert "'inputs.loss'" in lines[6] and "**" in lines[6]
    assert "missing" in lines[7]
    assert "'timeout'" in lines[8]
    assert tl.tasks[1].id == "m" and tl.tasks[1].group == "g" and tl.tasks[0].group == "spurious_minimum"
    with pytest.raises(InvalidInput, match="'tasks'"):
        load_tasks(tmp_path / "missing.jsonl")


def test_keys_are_content_addresses():
    k = task_key("nonsingular", {"matrix": [[1, "1/2"]]})
    assert k == task_key("nonsingular", {"matrix": [[1, "1/2"]]})
    assert k != task_key("nonsingular", {"matrix": [[1, "1/3"]]})
    assert k != task_key("nonsingular", {"matrix": [[1, "1/2"]]}, version="0.0.0-other")
    a = load_tasks(['{"kind": "nonsingular", "inputs": {"matrix": [[1, 0.5]]}}']).tasks[0]
    b = load_tasks(['{"kind": "nonsingular", "inputs": {"matrix": [[1, "0.5"]]}}']).tasks[0]
    assert a.key == b.key  # the literal 0.5 and the string "0.5" denote the same exact number
    # tasks given in Python with a float are refused (the float's exact value would be ambiguous in JSON)
    tl = load_tasks([{"kind": "nonsingular", "inputs": {"matrix": [[1, 0.5]]}}])
    assert not tl.tasks and "inputs.matrix[0][1]" in str(tl.malformed[0])


# --- kinds ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("task, outcome", [
    (WELL, "certified"),
    ({"kind": "critical_point", "inputs": {"loss": "(x**2 - 2)**2 + (y - 1)**2", "variables": ["x", "y"],
                                           "point": ["0x1.6a09e667f3bcdp+0", 1], "radius": "1e-6"}}, "certified"),
    ({"kind": "strict_local_min", "inputs": {"gradient": ["4*x*(x**2 - 2)", "2*(y - 1)"], "variables": ["x", "y"],
                                             "point": [0, 1], "radius": "1e-6"}}, "inconclusive"),
    ({"kind": "strict_local_min", "inputs": {"loss": "(x**2 - 2)**2 + (y - 1)**2", "variables": ["x", "y"],
                                             "point": ["0x1.6a09e667f3bcdp+0", 1], "radius": "1e-6"}}, "certified"),
    ({"kind": "strict_local_min", "inputs": {"loss": "(x**2 - 2)**2 + (y - 1)**2", "variables": ["x", "y"],
                                             "point": [0, 1], "radius": "1e-6"}}, "inconclusive"),
    ({"kind": "nonsingular", "inputs": {"matrix": [[1, 2], [2, 4]]}}, "refuted"),
    ({"kind": "rank_at_least", "inputs": {"matrix": [[1, 2, 3], [2, 4, "exp(1)"]], "r": 2}}, "certified"),
    ({"kind": "positive_definite", "inputs": {"matrix": [[2, -1], [-1, 2]]}}, "certified"),
    ({"kind": "leibniz_witness", "inputs": {"X": [[0], [1], [3]], "widths": [1, 2, 1], "k": 1}}, "certified"),
    ({"kind": "local_min", "inputs": {"loss": "(x*y - 1)**2", "point": [1, 1], "manifold": {"y": "1/x"}}},
     "certified"),
    ({"kind": "local_min", "inputs": {"loss": "x**2 - x**3", "point": [0], "better_point": [2]}}, "certified"),
    ({"kind": "saddle", "inputs": {"loss": "x**2 - y**2", "point": [0, 0], "radius": "1/10"}}, "certified"),
    ({"kind": "saddle", "inputs": {"loss": "x**3 + y**2", "point": [0, 0], "curve": ["t", "0"]}}, "certified"),
    ({"kind": "saddle", "inputs": {"loss": "x**2 + y**2", "point": [0, 0]}}, "inconclusive"),
])
def test_builtin_kinds_execute_and_the_kernel_accepts(task, outcome):
    rec = execute(task)
    assert rec["outcome"] == outcome, rec["message"]
    assert rec["certificates"] and all(k["ok"] for k in rec["kernel"])
    assert json.loads(rec["certificates"][0])["verdict"] == outcome


def test_landscape_kinds_name_bad_fields():
    rec = execute({"kind": "local_min", "inputs": {"loss": "x**2", "point": [0], "manifold": {"z": "1"}}})
    assert rec["outcome"] == "error" and "manifold" in rec["message"]
    rec = execute({"kind": "saddle", "inputs": {"loss": "x**2 - y", "point": [0, 0], "curve": ["t"]}})
    assert rec["outcome"] == "error" and "curve" in rec["message"]


def test_certifier_errors_are_recorded_by_name():
    rec = execute({"kind": "leibniz_witness", "inputs": {"X": [[0], [0], [3]], "widths": [1, 2, 1], "k": 1}})
    assert rec["outcome"] == "error" and rec["message"].startswith("DuplicateSamples") and not rec["certificates"]
    rec = json.loads(execute_json('{"kind": "nonsingular", "inputs": {"matrix": "x"}}'))
    assert rec["outcome"] == "error" and "'matrix'" in rec["message"]


def test_registry_adds_a_kind_and_the_kernel_catches_a_lying_adapter():
    from proofkit.certify import certify_nonsingular
    from proofkit.certify.matrices import as_cert_matrix

    def lie(args):
        cert = certify_nonsingular(args["A"])
        cert.verdict = "certified"  # a wrong adapter: claims a singular matrix is invertible
        return TaskOutput([cert])

    def bind(args, cert):  # the link between a certificate and the task: the hash of the task's matrix
        return None if cert["inputs"].get("A_hash") == as_cert_matrix(args["A"]).hash else "another matrix"

    decode = lambda inp: {"A": exact.exact_matrix(inp["matrix"], "matrix")}  # noqa: E731
    register_kind(TaskKind("lying_nonsingular", decode, lie, required=("matrix",), claim_types=("nonsingular",),
                           bind=bind))
    register_kind(TaskKind("unbound_nonsingular", decode, lambda a: TaskOutput([certify_nonsingular(a["A"])]),
                           required=("matrix",), claim_types=("nonsingular",)))
    try:
        with pytest.raises(InvalidInput, match="registered"):
            register_kind(KINDS["lying_nonsingular"])
        assert run_kind("lying_nonsingular", {"matrix": [[1, 2], [2, 4]]}).outcome == "certified"
        rec = execute({"kind": "lying_nonsingular", "inputs": {"matrix": [[1, 2], [2, 4]]}})
        assert rec["outcome"] == "rejected" and not rec["kernel"][0]["ok"]
        ok = execute({"kind": "lying_nonsingular", "inputs": {"matrix": [[1, 2], [3, 4]]}})
        assert ok["outcome"] == "certified"
        # a kind that declares no link between its certificates and its task cannot be verified: never a verdict
        rec = execute({"kind": "unbound_nonsingular", "inputs": {"matrix": [[1, 2], [3, 4]]}})
        assert rec["outcome"] == "rejected" and "declares no derivation" in rec["message"]
    finally:
        unregister_kind("lying_nonsingular")
        unregister_kind("unbound_nonsingular")
    with pytest.raises(UnknownName):
        run_kind("lying_nonsingular", {"matrix": [[1]]})


# --- task processes -------------------------------------------------------------------------------------------------

def test_task_process_timeout_kills_it():
    t0 = time.perf_counter()
    rec = json.loads(run_task(json.dumps(SLOW), 1.0))
    assert rec["outcome"] == "timeout" and rec["timeout"] == 1.0
    assert time.perf_counter() - t0 < 30
    assert not psutil.pid_exists(rec["task_pid"]) or psutil.Process(rec["task_pid"]).status() == psutil.STATUS_ZOMBIE
    again = json.loads(run_task(json.dumps(WELL), 120))  # a fresh task process takes over
    assert again["outcome"] == "certified" and again["task_pid"] != rec["task_pid"]


def test_task_process_crash_is_an_outcome():
    result: dict = {}
    t = threading.Thread(target=lambda: result.update(json.loads(run_task(json.dumps(SLOW), None))))
    t.start()
    me = psutil.Process()
    deadline = time.time() + 60
    while time.time() < deadline:
        kids = [p for p in me.children() if "proofkit.sweep.child" in " ".join(p.cmdline())]
        busy = [p for p in kids if p.cpu_percent(interval=0.2) > 10]
        if busy:
            busy[0].kill()
            break
    t.join(60)
    assert result["outcome"] == "crashed" and "died" in result["message"]


# --- records, verify, summary -----------------------------------------------------------------------------------------

def _record(task: dict, line: int = 1) -> dict:
    t = load_tasks([task]).tasks[0]
    return {**execute(task), "key": t.key, "task": {"kind": t.kind, "inputs": t.inputs}, "id": t.id,
            "group": t.group, "line": line}


def test_store_is_atomic_and_resume_rules(tmp_path):
    store = ResultStore(tmp_path)
    rec = _record(WELL)
    store.write(rec)
    assert store.finished(rec["key"], None)["outcome"] == "certified"
    assert not [f for f in os.listdir(store.dir) if f.endswith(".tmp")]
    timed = {**rec, "key": "a" * 64, "outcome": "timeout", "timeout": 5.0}
    store.write(timed)
    assert store.finished(timed["key"], 5.0) and store.finished(timed["key"], 2.0)
    assert store.finished(timed["key"], 10.0) is None and store.finished(timed["key"], None) is None
    with open(store.path("b" * 64), "w") as fh:
        fh.write('{"schema": "proofkit.sweep-result/1", "key": "b')  # a torn write from some other tool
    assert store.finished("b" * 64, None) is None
    with open(os.path.join(store.dir, ".x.1.tmp"), "w") as fh:
        fh.write("partial")
    assert store.remove_stale_temporaries() == 1


def test_verify_folder_and_tampering(tmp_path, capsys):
    store = ResultStore(tmp_path)
    recs = [_record(WELL, 1), _record({"kind": "nonsingular", "inputs": {"matrix": [[1, 2], [2, 4]]}}, 2)]
    for r in recs:
        store.write(r)
    summary = summarize(load_tasks([WELL, {"kind": "nonsingular", "inputs": {"matrix": [[1, 2], [2, 4]]}}]).tasks,
                        {r["key"]: r for r in recs})
    write_summary(summary, str(tmp_path), plots=False)
    assert verify_path(tmp_path).ok
    assert main(["verify", str(tmp_path)]) == 0
    assert "OK: 2/2 certificates accepted" in capsys.readouterr().out
    assert main(["verify", store.path(recs[0]["key"])]) == 0
    assert "OK: 1/1" in capsys.readouterr().out
    # a certificate whose verdict was flipped in the file
    bad = dict(recs[1])
    bad["certificates"] = [recs[1]["certificates"][0].replace('"verdict":"refuted"', '"verdict":"certified"')]
    bad["outcome"] = "certified"
    store.write(bad)
    rep = verify_path(tmp_path)
    assert not rep.ok and any("certificate 1" in p for p in rep.problems)
    assert main(["verify", str(tmp_path), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["ok"] is False
    store.write(recs[1])
    # a valid certificate of another task of the same kind, put in this task's record
    other = _record({"kind": "nonsingular", "inputs": {"matrix": [[2, 4], [1, 2]]}})
    store.write({**recs[1], "certificates": other["certificates"]})
    assert any("inputs.A_hash is not this task's" in p for p in verify_path(tmp_path).problems)
    store.write(recs[1])
    assert verify_path(tmp_path).ok
    # a record copied under another task's name
    os.replace(store.path(recs[1]["key"]), store.path("c" * 64))
    assert any("do not match" in p for p in verify_path(tmp_path).problems)
    assert not verify_path(tmp_path / "results" / "nothing-here").ok


def test_summary_table_and_plots(tmp_path):
    tl = load_tasks([WELL, {"kind": "nonsingular", "inputs": {"matrix": [[1, 2], [2, 4]]}, "group": "m"}, "{bad"])
    recs = {t.key: _record(t_dict) for t, t_dict in zip(tl.tasks, [WELL, {"kind": "nonsingular",
                                                                          "inputs": {"matrix": [[1, 2], [2, 4]]}}])}
    s = summarize(tl.tasks, recs, tl.malformed, tl.duplicates, ran=list(recs))
    assert s["outcomes"] == {"certified": 1, "refuted": 1} and s["groups"]["m"]["outcomes"] == {"refuted": 1}
    md = markdown_table(s)
    assert "| m | 1 |" in md and "tasks line 3" in md and "gap=" in md
    written = write_summary(s, str(tmp_path))
    for key in ("verdicts", "times", "values"):
        with open(written[key], "rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    assert json.load(open(written["summary_json"]))["tasks"] == 2


def test_cli_sweep_bad_arguments(tmp_path, capsys):
    f = tmp_path / "t.jsonl"
    f.write_text(json.dumps(WELL) + "\n")
    assert main(["sweep", str(f), "--timeout", "-1", "--out", str(tmp_path / "o")]) == 2
    assert "'timeout'" in capsys.readouterr().err
    assert main(["sweep", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "o")]) == 2
    assert main(["sweep", str(f), "--workers", "0", "--out", str(tmp_path / "o")]) == 2


_RELU = " + ".join(f"(a1*Max(0, w1*{t} + b1) + a2*Max(0, w2*{t} + b2) - {s})**2" for t, s in zip([0, 1, 2, 3], [0, 1, 0, 1]))
_SIGMOID = " + ".join(f"(a1/(1 + exp(-(w1*{t} + b1))) + a2/(1 + exp(-(w2*{t} + b2))) - {s})**2"
                      for t, s in zip([0, 1, 2, 3], ["3/4", "1", "6/5", "4/3"]))
_PARAMS = ["a1", "w1", "b1", "a2", "w2", "b2"]


@pytest.mark.parametrize("task, outcome", [
    # a dead ReLU unit: a non-strict minimum in full space (the kinks decided on the box)
    ({"kind": "local_min", "inputs": {"loss": _RELU, "params": _PARAMS, "point": [1, "1/5", "1/5", "1/2", 1, -10],
                                      "manifold": {"w1": "1/(5*a1)", "b1": "1/(5*a1)"}}}, "certified"),
    # the dead unit on its kink with a2 > 0: not a minimum, refused
    ({"kind": "local_min", "inputs": {"loss": _RELU, "params": _PARAMS, "point": [1, "1/5", "1/5", "1/2", 1, -3],
                                      "manifold": {"w1": "1/(5*a1)", "b1": "1/(5*a1)"}}}, "inconclusive"),
    # a plateau of a sigmoid network with weight log 2 (the point's w1 is the float nearest log 2)
    ({"kind": "local_min", "inputs": {"loss": _SIGMOID, "params": _PARAMS,
                                      "point": ["3/2", "0x1.62e42fefa39efp-1", 0, 0, 1, -1],
                                      "manifold": {"a1": "3/2", "w1": "log(2)", "b1": "0", "a2": "0"}}}, "certified"),
    ({"kind": "saddle", "inputs": {"loss": "(x**2 - 1)**2 - (y - 2)**2 + x*y/10", "point": ["39/40", "41/20"],
                                   "refine": True}}, "certified"),
    ({"kind": "saddle", "inputs": {"loss": "x**2 - y**2 + z**4", "point": [0, 0, 0]}}, "certified"),
])
def test_landscape_kinds_certify_relu_minima_plateaus_and_refined_saddles(task, outcome):
    rec = execute(task)
    assert rec["outcome"] == outcome, rec["message"]
    assert rec["certificates"] and all(k["ok"] for k in rec["kernel"])
