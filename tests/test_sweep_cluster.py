"""Sweeps and ``verify DIR`` on real Dask clusters: a LocalCluster of worker processes, a killed worker, an interrupted
sweep, and a tampered folder verified on workers with the report of one process."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from proofkit.cli import main
from proofkit.sweep import load_tasks, sweep, verify_path
from proofkit.sweep.execute import execute
from proofkit.sweep.store import FINAL, ResultStore, files_to_verify
from proofkit.sweep.verify import WorkersDiffer, plan_batches, verify_on_dask

distributed = pytest.importorskip("distributed")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WELL = {"kind": "spurious_minimum", "inputs": {"loss": "(x**2 - 1)**2 + x/4", "point": ["0.97"],
                                               "better_point": ["-1.03"]}}


def search(starts: int, seed: int = 0) -> dict:
    return {"kind": "search_spurious_minima", "inputs": {
        "network": {"widths": [1, 1, 1], "activation": "tanh"}, "X": [["-4"], ["-2"], [0], [1], [2], ["7/2"], [4]],
        "Y": [[0], ["3/4"], ["-3/4"], ["1/4"], ["-3/2"], ["-3/4"], [-1]], "starts": starts, "seed": seed, "scale": 1}}


def small_tasks(n: int) -> list[dict]:
    return [{"kind": "nonsingular", "inputs": {"matrix": [[1, i], [i + 1, 3]]}, "id": f"m{i}", "group": "matrices"}
            for i in range(n)]


@pytest.fixture(scope="module")
def cluster():
    c = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                 silence_logs=logging.CRITICAL)
    client = distributed.Client(c)
    yield c, client
    client.close()
    c.close()


def _files(out) -> dict[str, tuple[int, int]]:
    d = os.path.join(out, "results")
    return {f: (os.stat(os.path.join(d, f)).st_ino, os.stat(os.path.join(d, f)).st_mtime_ns) for f in os.listdir(d)}


def _assert_complete(rep, out) -> None:
    names = sorted(os.listdir(os.path.join(out, "results")))
    assert names == sorted(f"{t.key}.json" for t in rep.tasks)  # exactly one record per task, no temporaries
    for t in rep.tasks:
        rec = rep.records[t.key]
        assert rec["outcome"] in FINAL and all(k["ok"] for k in rec["kernel"]), rec
    v = verify_path(out)
    assert v.ok, v.problems


def test_sweep_on_a_local_cluster_then_resume(cluster, tmp_path):
    c, _ = cluster
    f = tmp_path / "tasks.jsonl"
    lines = [json.dumps(t) for t in [WELL, *small_tasks(2), {"kind": "leibniz_witness", "inputs": {
        "X": [[0], [1], [3]], "widths": [1, 2, 1], "k": 1}}, {**search(3000), "timeout": 1, "id": "slow"}]]
    lines.insert(2, '{"kind": "positive_definite", "inputs": {"matrix": [[1, 2], [2]]}}')
    f.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    seen = []
    rep = sweep(str(f), scheduler=c.scheduler_address, out=out, on_result=lambda t, r: seen.append(t.line))
    assert [str(e)[-60:] for e in rep.malformed] and rep.malformed[0].line == 3
    assert dict(rep.outcomes) == {"certified": 4, "timeout": 1}
    slow = rep.record("slow")
    assert slow["outcome"] == "timeout" and slow["timeout"] == 1.0 and slow["certificate_count"] == 0
    assert sorted(seen) == [1, 2, 4, 5, 6]
    assert rep.record("m0")["outcome"] == "certified" and rep.record("m0")["kernel"][0]["ok"]
    full = ResultStore(out).read(rep.tasks[0].key)
    assert json.loads(full["certificates"][0])["verdict"] == "certified"
    assert os.path.exists(rep.written["verdicts"]) and "| matrices | 2 |" in open(rep.written["summary"]).read()
    assert verify_path(out).ok
    before = _files(out)
    again = sweep(str(f), scheduler=c.scheduler_address, out=out, plots=False)
    assert again.ran == [] and len(again.skipped) == 5 and _files(out) == before


def test_a_killed_worker_loses_nothing(cluster, tmp_path):
    c, client = cluster
    slow = {**search(300, seed=1), "id": "slow"}
    tasks = [slow, WELL, *small_tasks(4)]
    slow_key = "proofkit-sweep-" + load_tasks([slow]).tasks[0].key
    out = tmp_path / "out"
    result: dict = {}
    th = threading.Thread(target=lambda: result.update(rep=sweep(tasks, scheduler=c.scheduler_address, out=out,
                                                                 plots=False)))
    th.start()

    def executing(dask_worker):
        return [str(ts.key) for ts in dask_worker.state.executing]

    victim, deadline = None, time.time() + 60
    while victim is None and time.time() < deadline:
        victim = next((w for w, keys in client.run(executing).items() if slow_key in keys), None)
        time.sleep(0.05)
    assert victim is not None
    pid = client.run(os.getpid, workers=[victim])[victim]
    time.sleep(0.5)
    os.kill(pid, signal.SIGKILL)
    th.join(180)
    rep = result["rep"]
    _assert_complete(rep, out)
    assert rep.ok and rep.record("slow")["outcome"] == "certified"
    assert all(r["certificate_count"] == 1 and r["outcome"] == "certified" for r in rep.records.values())
    assert rep.record("slow")["worker_pid"] != pid  # it ran again on a live worker
    client.wait_for_workers(2, timeout=60)  # the nanny restarted the killed worker


def test_an_interrupted_sweep_resumes_without_rerunning(cluster, tmp_path):
    c, _ = cluster
    f = tmp_path / "tasks.jsonl"
    f.write_text("\n".join(json.dumps(search(80, seed=s)) for s in range(6)) + "\n")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": ROOT}
    proc = subprocess.Popen([sys.executable, "-m", "proofkit", "sweep", str(f), "--scheduler", c.scheduler_address,
                             "--out", str(out), "--no-plots"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        d = out / "results"
        if d.exists() and len([n for n in os.listdir(d) if n.endswith(".json")]) >= 2:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = {n: v for n, v in _files(out).items() if n.endswith(".json") and not n.startswith(".")}
    assert 2 <= len(before) < 6
    rep = sweep(str(f), scheduler=c.scheduler_address, out=out, plots=False)
    assert sorted(f"{k}.json" for k in rep.skipped) == sorted(before)
    assert len(rep.ran) == 6 - len(before)
    after = _files(out)
    assert all(after[n] == v for n, v in before.items())  # finished records were not rewritten
    _assert_complete(rep, out)


def test_default_local_process_cluster_from_the_command_line(tmp_path, capsys):
    f = tmp_path / "tasks.jsonl"
    f.write_text("\n".join(json.dumps(t) for t in [WELL, *small_tasks(1)]) + "\n{broken\n")
    out = tmp_path / "out"
    assert main(["sweep", str(f), "--workers", "1", "--out", str(out), "--json"]) == 1  # one malformed line
    res = json.loads(capsys.readouterr().out)
    assert res["outcomes"] == {"certified": 2} and res["ran"] == 2 and "line 3" in res["malformed"][0]
    assert main(["verify", str(out), "--json"]) == 0
    one = capsys.readouterr().out
    assert main(["verify", str(out), "--workers", "1", "--json"]) == 0  # a local cluster started for verify
    assert capsys.readouterr().out == one and json.loads(one)["accepted"] == 2


def _record(task: dict, task_id: str) -> dict:
    t = load_tasks([task]).tasks[0]
    return {**execute(task), "key": t.key, "task": {"kind": t.kind, "inputs": t.inputs}, "id": task_id,
            "group": t.group, "line": 1}


def tampered_folder(root) -> dict[str, str]:
    """A folder with a sweep's results and a report folder, tampered in every way verify reports; what each
    problem line must contain."""
    from proofkit import certify_nonsingular
    from proofkit.claims import Claim, ClaimGraph

    sweep_dir = root / "sweep"
    store = ResultStore(sweep_dir)
    recs = {f"m{i}": _record(t, f"m{i}") for i, t in enumerate(small_tasks(4))}
    recs["well"] = _record(WELL, "well")
    recs["pd"] = _record({"kind": "positive_definite", "inputs": {"matrix": [[2, 1], [1, 2]]}}, "pd")
    for rec in recs.values():
        store.write(rec)
    store.write({**recs["m1"], "certificates": recs["m0"]["certificates"]})  # another task's certificate
    store.write({**recs["m2"], "outcome": "refuted"})  # an outcome its certificate does not imply
    bad = recs["pd"]["certificates"][0].replace('"verdict":"certified"', '"verdict":"refuted"')
    assert bad != recs["pd"]["certificates"][0]
    store.write({**recs["pd"], "certificates": [bad]})  # a certificate the kernel refuses
    with open(store.path(recs["m3"]["key"])) as fh:
        moved = fh.read()
    (sweep_dir / "results" / ("0" * 64 + ".json")).write_text(moved)  # a record under another task's name
    rows = [{"key": r["key"], "outcome": r["outcome"], "id": r["id"]} for r in store.records()]
    rows.append({"key": "f" * 64, "outcome": "certified", "id": "gone"})  # a finished row without its record
    (sweep_dir / "summary.json").write_text(json.dumps({"rows": rows}))
    (sweep_dir / "broken.json").write_text("{broken")
    (sweep_dir / "notes.json").write_text('{"not": "a certificate"}')
    report = root / "report"
    (report / "certificates").mkdir(parents=True)
    graph, other = ClaimGraph(), ClaimGraph()
    for g in (graph, other):
        g.add_claim(Claim("M", kind="lemma", statement="the matrix is invertible"))
    graph.attach("M", certify_nonsingular([[1, 2], [3, 4]]))
    other.attach("M", certify_nonsingular([[1, 2], [3, 5]]))
    graph.save(report / "graph.json")  # sorts before sweep/: its check must not hide the records' index
    (report / "certificates" / "M-1.json").write_text(graph.certificates["M"][0].to_json())
    (report / "certificates" / "M-2.json").write_text(other.certificates["M"][0].to_json())
    return {"another task's certificate": f"{recs['m1']['key']}.json (task 'm1'): certificate 1: inputs.A_hash",
            "outcome": f"{recs['m2']['key']}.json (task 'm2'): the record says 'refuted'",
            "kernel": f"{recs['pd']['key']}.json (task 'pd'): certificate 1:",
            "file name": "0000000000000000000000000000000000000000000000000000000000000000.json (task 'm3'): the file "
                         "name and key do not match",
            "summary": "summary.json: task 'gone' is 'certified' but its record",
            "unreadable": "sweep/broken.json: unreadable",
            "report": "report/certificates/M-2.json: bound to 'M', but not among the certificates"}


def test_verify_on_dask_gives_the_report_of_one_process_on_a_tampered_folder(cluster, tmp_path, capsys):
    c, _ = cluster
    expected = tampered_folder(tmp_path)
    assert main(["verify", str(tmp_path), "--json"]) == 1
    one = capsys.readouterr().out
    assert main(["verify", str(tmp_path), "--json", "--scheduler", c.scheduler_address]) == 1
    assert capsys.readouterr().out == one  # the same counts, problems in the same order, notes, skipped files
    rep = json.loads(one)
    for what, line in expected.items():
        assert sum(line in p for p in rep["problems"]) == 1, (what, rep["problems"])
    assert len(rep["problems"]) == len(expected) and rep["skipped"] == ["sweep/notes.json"]
    assert rep["records"] == 7 and rep["graphs"] == 1
    assert main(["verify", str(tmp_path)]) == 1
    text = capsys.readouterr().out
    assert main(["verify", str(tmp_path), "--scheduler", c.scheduler_address]) == 1
    assert capsys.readouterr().out == text and text.count("REJECTED: ") == len(expected)
    # one record alone, and a genuine folder: the same again, exit 0
    alone = [f for f in files_to_verify(tmp_path / "sweep" / "results") if "0000000000" not in f][0]
    assert verify_on_dask(alone, scheduler=c.scheduler_address).to_dict() == verify_path(alone).to_dict()
    for name in ("broken.json", "summary.json"):
        os.unlink(tmp_path / "sweep" / name)
    for f in files_to_verify(tmp_path):
        if f.endswith("M-2.json") or verify_path(f).problems:
            os.unlink(f)
    assert main(["verify", str(tmp_path), "--json"]) == 0
    one = capsys.readouterr().out
    assert main(["verify", str(tmp_path), "--json", "--scheduler", c.scheduler_address]) == 0
    assert capsys.readouterr().out == one


def test_answers_from_other_proofkit_code_are_refused(cluster, tmp_path):
    import proofkit.sweep.verify as verify

    c, client = cluster
    ResultStore(tmp_path).write(_record(small_tasks(1)[0], "m0"))

    def patch(other: bool) -> None:
        verify.code_fingerprint = (lambda: "0" * 64) if other else verify.__dict__["_genuine_fingerprint"]

    client.run(lambda: verify.__dict__.setdefault("_genuine_fingerprint", verify.code_fingerprint))
    client.run(patch, True)
    try:
        with pytest.raises(WorkersDiffer, match="runs proofkit .* with other code than this process"):
            verify_on_dask(tmp_path, scheduler=client)
    finally:
        client.run(patch, False)
    assert verify_on_dask(tmp_path, scheduler=client).ok


def test_batches_hold_every_file_once_costliest_first_and_shrink():
    sizes = [5, 300, 40, 40, 1, 1, 1, 900_000, 60, 2]
    for threads in (1, 2, 7):
        batches = plan_batches(sizes, threads)
        assert sorted(i for b in batches for i in b) == list(range(len(sizes)))
        assert batches[0] == [7] and all(b == sorted(b) for b in batches)  # a costly file is a batch of its own
    equal = plan_batches([10_000] * 1000, 2)
    cost = [len(b) for b in equal]
    assert 8 <= len(equal) <= 40 and cost[0] > 3 * cost[-2] and cost == sorted(cost, reverse=True)[:-1] + cost[-1:]
    assert plan_batches([], 2) == [] and plan_batches([0, 0, 0], 2) in ([[0, 1, 2]], [[0], [1], [2]])


def test_verify_options_are_checked(tmp_path, capsys):
    ResultStore(tmp_path).write(_record(small_tasks(1)[0], "m0"))
    assert main(["verify", str(tmp_path), "--workers", "0"]) == 2
    assert "argument 'workers': expected a positive number" in capsys.readouterr().err
    assert main(["verify", str(tmp_path), "--scheduler", "not-an-address", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["kind"] == "SchedulerUnavailable"
