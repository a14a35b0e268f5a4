"""Tampered sweep folders: every record's outcome is re-derived from its task line and the kernel's verdicts.

Each attack edits a genuine results folder the way a hostile (or careless) user could: certificates of
another task put in a record, an outcome changed with its certificates deleted, a record of a kind that
this proofkit does not know. ``proofkit verify DIR`` must report every one of them with exit status 1.
"""

from __future__ import annotations

import json

import pytest

from proofkit.cli import main
from proofkit.sweep.binding import derive_record
from proofkit.sweep.execute import execute
from proofkit.sweep.store import ResultStore, verify_path
from proofkit.sweep.summary import summarize, write_summary
from proofkit.sweep.tasks import load_tasks

R2 = "0x1.6a09e667f3bcdp+0"  # sqrt(2) rounded to float64, as float hex
TASKS = {
    "well": {"kind": "spurious_minimum", "inputs": {"loss": "(x**2 - 1)**2 + x/4", "point": ["0.97"],
                                                    "better_point": ["-1.03"]}},
    "well_mirror": {"kind": "spurious_minimum", "inputs": {"loss": "(x**2 - 1)**2 - x/4", "point": ["-0.97"],
                                                           "better_point": ["1.03"]}},
    "well_far": {"kind": "spurious_minimum", "inputs": {"loss": "(x**2 - 1)**2 + x/4", "point": ["0.97"],
                                                        "better_point": ["-1.03"], "refine": False,
                                                        "radius": "1/20"}},
    "crit_a": {"kind": "critical_point", "inputs": {"loss": "(x**2 - 2)**2 + (y - 1)**2", "variables": ["x", "y"],
                                                    "point": [R2, 1], "radius": "1e-6"}},
    "crit_b": {"kind": "critical_point", "inputs": {"loss": "(x**2 - 2)**2 + (y + 1)**2", "variables": ["x", "y"],
                                                    "point": [R2, -1], "radius": "1e-6"}},
    "min_a": {"kind": "strict_local_min", "inputs": {"loss": "(x**2 - 2)**2 + (y - 1)**2", "variables": ["x", "y"],
                                                     "point": [R2, 1], "radius": "1e-6"}},
    "min_b": {"kind": "strict_local_min", "inputs": {"loss": "(x**2 - 2)**2 + 2*(y + 1)**2", "variables": ["x", "y"],
                                                     "point": [R2, -1], "radius": "1e-6"}},
    "min_slice": {"kind": "strict_local_min", "inputs": {"loss": "(x**2 - 2)**2 + (y - 1)**2",
                                                         "variables": ["x", "y"], "point": [R2], "radius": "1e-6",
                                                         "fixed": {"y": 1}}},
    "singular": {"kind": "nonsingular", "inputs": {"matrix": [[1, 2], [2, 4]]}},
    "rank1": {"kind": "rank_at_least", "inputs": {"matrix": [[1, 2], [2, 4]], "r": 1}},
    "rank2": {"kind": "rank_at_least", "inputs": {"matrix": [[1, 2], [2, 4]], "r": 2}},
    "leibniz3": {"kind": "leibniz_witness", "inputs": {"X": [[0], [1], [3]], "widths": [1, 2, 1], "k": 1}},
    "leibniz4": {"kind": "leibniz_witness", "inputs": {"X": [[0], [1], [3], [4]], "widths": [1, 3, 1], "k": 1}},
    "manifold": {"kind": "local_min", "inputs": {"loss": "(x*y - 1)**2", "point": [1, 1], "manifold": {"y": "1/x"}}},
    "manifold2": {"kind": "local_min", "inputs": {"loss": "(x*y - 2)**2", "point": [1, 2], "manifold": {"y": "2/x"}}},
    "saddle_a": {"kind": "saddle", "inputs": {"loss": "x**2 - y**2", "point": [0, 0], "radius": "1/10"}},
    "saddle_b": {"kind": "saddle", "inputs": {"loss": "x**2 - y**2", "point": [1, 1], "radius": "1/10"}},
    "saddle_c": {"kind": "saddle", "inputs": {"loss": "x**2 - 3*y**2", "point": [0, 0], "radius": "1/10"}},
    "search": {"kind": "search_spurious_minima", "inputs": {
        "network": {"widths": [1, 1, 1], "activation": "tanh"}, "X": [["-4"], ["-2"], [0], [1], [2], ["7/2"], [4]],
        "Y": [[0], ["3/4"], ["-3/4"], ["1/4"], ["-3/2"], ["-3/4"], [-1]], "starts": 40, "scale": 1}},
}


@pytest.fixture(scope="module")
def records():
    out = {}
    for name, task in TASKS.items():
        t = load_tasks([task]).tasks[0]
        out[name] = {**execute(task), "key": t.key, "task": {"kind": t.kind, "inputs": t.inputs}, "id": name,
                     "group": t.group, "line": 1}
    return out


def _folder(tmp_path, records, names):
    store = ResultStore(tmp_path)
    for n in names:
        store.write(records[n])
    return store


def _problems(tmp_path):
    rep = verify_path(tmp_path)
    assert not rep.ok
    return " | ".join(rep.problems)


def test_genuine_records_verify(records, tmp_path):
    assert {n: r["outcome"] for n, r in records.items()} == {
        "well": "certified", "well_mirror": "certified", "well_far": "certified", "crit_a": "certified",
        "crit_b": "certified", "min_a": "certified", "min_b": "certified", "min_slice": "certified", "singular": "refuted",
        "rank1": "certified", "rank2": "refuted", "leibniz3": "certified", "leibniz4": "certified",
        "manifold": "certified", "manifold2": "certified", "saddle_a": "certified", "saddle_b": "inconclusive",
        "saddle_c": "certified", "search": "certified"}
    _folder(tmp_path, records, records)
    rep = verify_path(tmp_path)
    assert rep.ok, rep.problems
    assert main(["verify", str(tmp_path)]) == 0


# (record, the record whose certificates replace its own): genuine certificates, accepted by the kernel,
# about another task's inputs
SWAPS = [("crit_a", "crit_b"), ("min_a", "min_b"), ("min_slice", "min_b"), ("well", "well_mirror"), ("rank2", "rank1"),
         ("leibniz4", "leibniz3"), ("manifold", "manifold2"), ("saddle_b", "saddle_a"), ("saddle_a", "saddle_c"),
         ("search", "well_mirror"), ("well_far", "well")]


@pytest.mark.parametrize("victim, donor", SWAPS)
def test_certificates_of_another_task_are_reported(records, tmp_path, victim, donor, capsys):
    store = _folder(tmp_path, records, [victim])
    forged = {**records[victim], "certificates": records[donor]["certificates"], "kernel": records[donor]["kernel"],
              "outcome": records[donor]["outcome"]}
    store.write(forged)
    assert "not this task's" in _problems(tmp_path) or "where this task produces" in _problems(tmp_path)
    assert main(["verify", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{records[victim]['key']}.json" in out


@pytest.mark.parametrize("name, outcome", [("singular", "inconclusive"), ("singular", "certified"),
                                           ("min_a", "refuted"), ("min_a", "inconclusive"),
                                           ("leibniz3", "inconclusive"), ("manifold", "refuted"),
                                           ("rank2", "certified")])
def test_outcome_changed_and_certificates_deleted_is_reported(records, tmp_path, name, outcome):
    store = _folder(tmp_path, records, [name])
    store.write({**records[name], "outcome": outcome, "certificates": [], "kernel": []})
    assert "certificate" in _problems(tmp_path)
    assert main(["verify", str(tmp_path)]) == 1


@pytest.mark.parametrize("name, outcome", [("singular", "certified"), ("well", "refuted"), ("leibniz3", "refuted"),
                                           ("saddle_b", "certified"), ("search", "inconclusive")])
def test_outcome_changed_alone_is_reported(records, tmp_path, name, outcome):
    store = _folder(tmp_path, records, [name])
    store.write({**records[name], "outcome": outcome})
    assert "imply" in _problems(tmp_path)


def test_a_partial_set_of_certificates_is_reported(records, tmp_path):
    store = _folder(tmp_path, records, ["leibniz3"])
    rec = records["leibniz3"]
    store.write({**rec, "certificates": rec["certificates"][1:], "kernel": rec["kernel"][1:]})  # alpha_0 deleted
    assert "certificate" in _problems(tmp_path)


def test_a_kind_this_proofkit_does_not_know_is_reported(records, tmp_path):
    from proofkit.sweep.tasks import task_key

    rec = dict(records["singular"])
    rec["task"] = {"kind": "my_plugin_nonsingular", "inputs": rec["task"]["inputs"]}
    rec["key"] = task_key(rec["task"]["kind"], rec["task"]["inputs"], rec["proofkit"])
    rec["outcome"] = "certified"
    rec["certificates"] = records["rank1"]["certificates"]
    ResultStore(tmp_path).write(rec)
    assert "unknown kind" in _problems(tmp_path)


def test_a_non_verdict_record_with_certificates_is_reported(records, tmp_path):
    store = _folder(tmp_path, records, ["singular"])
    store.write({**records["singular"], "outcome": "timeout"})
    assert "timeout" in _problems(tmp_path)


def test_summary_and_records_must_agree(records, tmp_path):
    names = ["singular", "rank1"]
    store = _folder(tmp_path, records, names)
    tl = load_tasks([TASKS[n] for n in names])
    write_summary(summarize(tl.tasks, {records[n]["key"]: records[n] for n in names}), str(tmp_path), plots=False)
    assert verify_path(tmp_path).ok
    import os

    os.unlink(store.path(records["rank1"]["key"]))  # a finished record deleted: the summary still lists it
    assert "summary.json" in _problems(tmp_path)
    store.write(records["rank1"])
    summary = json.loads((tmp_path / "summary.json").read_text())
    summary["rows"][0]["outcome"] = "certified"  # the summary edited to say the singular matrix is invertible
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    assert "summary.json" in _problems(tmp_path)


def test_derivation_is_the_workers_outcome(records):
    """The worker records exactly the outcome that ``verify`` re-derives (one function at both ends)."""
    for name, rec in records.items():
        d = derive_record(rec["task"], rec["certificates"])
        assert not d.problems and d.outcome == rec["outcome"], (name, d)


def test_a_box_farther_than_near_is_not_a_minimum_near_the_point():
    task = {"kind": "spurious_minimum", "inputs": {"loss": "(x**2 - 1)**2 + x/4", "point": ["0.9"],
                                                   "better_point": ["-1.03"], "near": "1/100"}}
    rec = execute(task)
    assert rec["outcome"] == "inconclusive" and "near" in rec["note"]
    ok = execute({**task, "inputs": {**task["inputs"], "near": "1/10"}})
    assert ok["outcome"] == "certified"
