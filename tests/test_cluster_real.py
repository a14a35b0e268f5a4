"""Sweeps and ``verify DIR`` on a cluster started the way users start one: ``dask scheduler`` and ``dask worker``
processes on 127.0.0.1 (free ports), launched here and stopped at the end even when a test fails. A worker killed
mid-sweep or mid-verify (SIGKILL of its whole process group: nanny, worker and task processes, as when a machine
is lost) loses nothing: the sweep completes with one record per task, ``verify`` gives the report of one process.

The kill is aimed, not timed: the test watches the scheduler until it gives the task to interrupt to a worker,
kills that worker at once (its pid is known beforehand), and then reads in the scheduler's log that the task was
given to a worker a second time.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from proofkit.cli import main
from proofkit.sweep import load_tasks, verify_path
from proofkit.sweep.execute import execute
from proofkit.sweep.store import FINAL, ResultStore, files_to_verify

distributed = pytest.importorskip("distributed")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DASK = shutil.which("dask", path=os.path.dirname(sys.executable)) or shutil.which("dask")
ENV = {**os.environ, "PYTHONPATH": ROOT + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH")
                                           else "")}
WAIT = 180.0  # seconds: generous, the machine may be loaded; every wait ends as soon as its condition holds

pytestmark = pytest.mark.skipif(DASK is None, reason="the `dask` command is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RealCluster:
    """``dask scheduler`` and ``dask worker`` subprocesses, each in its own process group."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.procs: list[subprocess.Popen[bytes]] = []
        self.workers = 0
        self.client = None
        self.address = ""
        try:
            for _ in range(3):  # a free port can be taken between the check and the scheduler's bind: retry
                port = free_port()
                # --idle-timeout: should this process die without cleaning up, the scheduler stops after 15 idle
                # minutes and the workers 60 s later (--death-timeout)
                scheduler = self._start("scheduler", ["--host", "127.0.0.1", "--port", str(port), "--no-dashboard",
                                                      "--idle-timeout", "900s"])
                if self._listening(port, scheduler):
                    self.address = f"tcp://127.0.0.1:{port}"
                    break
            else:
                raise RuntimeError(f"the dask scheduler did not start; see the logs in {self.folder}")
            self.client = distributed.Client(self.address, timeout="60s")
        except BaseException:
            self.close()
            raise

    def _start(self, what: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = open(os.path.join(self.folder, f"{what}-{len(self.procs)}.log"), "wb")
        proc = subprocess.Popen([DASK, what, *args], stdout=log, stderr=subprocess.STDOUT, env=ENV, cwd=self.folder,
                                start_new_session=True)
        log.close()
        self.procs.append(proc)
        return proc

    @staticmethod
    def _listening(port: int, proc: subprocess.Popen[bytes]) -> bool:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.1)
        return False

    def start_worker(self) -> None:
        """`dask worker ADDRESS` as a user types it (one thread, a nanny that restarts a crashed worker)."""
        self.workers += 1
        name = f"w{self.workers}"
        os.makedirs(os.path.join(self.folder, name), exist_ok=True)
        self._start("worker", [self.address, "--name", name, "--nthreads", "1", "--host", "127.0.0.1",
                               "--no-dashboard", "--death-timeout", "60s", "--local-directory",
                               os.path.join(self.folder, name)])

    def ensure_workers(self, n: int) -> None:
        for _ in range(n - len(self.client.nthreads())):
            self.start_worker()
        self.client.wait_for_workers(n, timeout=WAIT)

    def kill_worker_running(self, wanted: Callable[[str], bool], driver: subprocess.Popen[bytes]) -> tuple[int, str]:
        """As soon as the scheduler gives a task whose key is ``wanted`` to a worker, SIGKILL that worker's process
        group (its `dask worker` command, nanny, worker and task processes); the worker's pid and the key."""
        pids = self.client.run(os.getpid)  # known beforehand: the kill follows the sighting at once
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if driver.poll() is not None:
                raise AssertionError(f"the command ended (exit {driver.returncode}) before the task ran: "
                                     f"{driver.communicate()}")
            for worker, keys in self.client.processing().items():
                key = next((str(k) for k in keys if wanted(str(k))), None)
                if key is not None and worker in pids:
                    group = os.getpgid(pids[worker])
                    os.killpg(group, signal.SIGKILL)
                    for proc in self.procs:
                        if proc.pid == group:
                            proc.wait(timeout=WAIT)
                    return pids[worker], key
            time.sleep(0.01)
        raise AssertionError("the task never ran")

    def runs(self, key: str) -> int:
        """How many times the scheduler sent ``key`` to a worker (its transitions to ``processing``)."""
        def story(dask_scheduler, key: str) -> list[str]:
            return [str(t[2]) for t in dask_scheduler.story(key)]

        return self.client.run_on_scheduler(story, key=key).count("processing")

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        for proc in reversed(self.procs):  # workers first, then the scheduler
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, WAIT)):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    pass  # the group is gone
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        for proc in self.procs:  # the group may outlive its leader: make sure nothing is left
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    cluster = RealCluster(str(tmp_path_factory.mktemp("dask-cluster")))  # stops what it started if it fails
    try:
        cluster.ensure_workers(2)
        yield cluster
    finally:
        cluster.close()


def _run(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "proofkit", *args], cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def _finish(proc: subprocess.Popen[bytes]) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out.decode(), err.decode()


def search(starts: int, seed: int) -> dict:
    return {"kind": "search_spurious_minima", "id": f"search-{seed}", "inputs": {
        "network": {"widths": [1, 1, 1], "activation": "tanh"}, "X": [["-4"], ["-2"], [0], [1], [2], ["7/2"], [4]],
        "Y": [[0], ["3/4"], ["-3/4"], ["1/4"], ["-3/2"], ["-3/4"], [-1]], "starts": starts, "seed": seed, "scale": 1}}


def matrices(n: int) -> list[dict]:
    return [{"kind": "nonsingular", "id": f"m{i}", "inputs": {"matrix": [[1, i], [i + 1, 3]]}} for i in range(n)]


def test_a_sweep_on_dask_scheduler_and_workers_loses_nothing_when_a_worker_is_killed(real, tmp_path):
    real.ensure_workers(2)
    slow = search(200, seed=1)
    tasks = [slow, *matrices(5), search(20, seed=2)]
    f = tmp_path / "tasks.jsonl"
    f.write_text("".join(json.dumps(t) + "\n" for t in tasks))
    slow_key = "proofkit-sweep-" + load_tasks([slow]).tasks[0].key
    out = tmp_path / "out"
    driver = _run(["sweep", str(f), "--scheduler", real.address, "--out", str(out), "--no-plots", "--json"])
    try:
        killed, _ = real.kill_worker_running(lambda key: key == slow_key, driver)
    finally:
        code, stdout, stderr = _finish(driver)
    assert code == 0, stderr
    assert json.loads(stdout)["outcomes"] == {"certified": len(tasks)}
    keys = [t.key for t in load_tasks(tasks).tasks]
    assert sorted(os.listdir(out / "results")) == sorted(f"{k}.json" for k in keys)  # each once, no temporaries
    store = ResultStore(out)
    assert all(store.read(k)["outcome"] in FINAL for k in keys)
    assert store.read(slow_key.removeprefix("proofkit-sweep-"))["worker_pid"] != killed  # it ran again elsewhere
    assert real.runs(slow_key) >= 2
    assert verify_path(out).ok
    assert main(["verify", str(out), "--scheduler", real.address]) == 0


def test_verify_on_dask_scheduler_and_workers_gives_the_same_report_when_a_worker_is_killed(real, tmp_path, capsys):
    real.ensure_workers(2)
    store = ResultStore(tmp_path)
    tasks = [{"kind": "positive_definite", "id": "heavy", "inputs": {"matrix": [
        [49 if i == j else f"1/{i + j + 3}" for j in range(48)] for i in range(48)]}}, *matrices(4)]
    recs = []
    for task in tasks:
        t = load_tasks([task]).tasks[0]
        recs.append({**execute(task), "key": t.key, "task": {"kind": t.kind, "inputs": t.inputs}, "id": t.id,
                     "group": t.group, "line": 1})
        store.write(recs[-1])
    store.write({**recs[1], "certificates": recs[2]["certificates"]})  # a tampered record: verify exits 1
    assert main(["verify", str(tmp_path), "--json"]) == 1
    one = capsys.readouterr().out
    heavy = f"-{files_to_verify(tmp_path).index(store.path(recs[0]['key']))}"  # its batch's key ends so
    driver = _run(["verify", str(tmp_path), "--scheduler", real.address, "--json"])
    try:
        _, key = real.kill_worker_running(lambda k: k.startswith("proofkit-verify-") and k.endswith(heavy), driver)
    finally:
        code, stdout, stderr = _finish(driver)
    assert code == 1, stderr
    assert stdout == one  # the same counts and problems, in the same order
    assert real.runs(key) >= 2  # the batch was interrupted and re-checked on the other worker
    assert len(json.loads(one)["problems"]) == 1
