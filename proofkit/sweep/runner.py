"""Worker side: run a task in a separate process with a hard time limit.

A certifier stuck in C code (Arb, FLINT) cannot be interrupted by a thread, so
every task runs in a *task process* (``python -m proofkit.sweep.child``) that the
worker kills when the time limit passes. Task processes are kept and reused
(one per worker thread), so the import of proofkit is paid once per process, not
once per task. The worker and its task process exchange only JSON lines.

:func:`run_task` is the function a sweep submits to Dask: JSON text in, JSON text out.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import threading
import time
from typing import Any

__all__ = ["run_task", "TaskProcess", "shutdown_task_processes", "STARTUP_SECONDS", "TASKS_PER_PROCESS"]

#: How long a task process may take to import proofkit before it counts as crashed.
STARTUP_SECONDS = 300.0
#: A task process is replaced after this many tasks (bounds memory held by caches).
TASKS_PER_PROCESS = 200

_LOCK = threading.Lock()
_IDLE: list[TaskProcess] = []


class TaskProcess:
    """One task process and its line protocol."""

    def __init__(self) -> None:
        import proofkit

        root = os.path.dirname(os.path.dirname(os.path.abspath(proofkit.__file__)))
        env = dict(os.environ)
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(var, "1")  # one task per core: a multi-threaded BLAS per task oversubscribes the cores
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.proc = subprocess.Popen([sys.executable, "-m", "proofkit.sweep.child", str(os.getpid())],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True)
        self._buf = b""
        self.tasks = 0
        try:
            line = self._readline(time.monotonic() + STARTUP_SECONDS)
        except TimeoutError:
            line = None
        if line is None or not json.loads(line).get("ready"):
            self.kill()
            raise RuntimeError(f"the task process did not start (exit status {self.proc.poll()})")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _readline(self, deadline: float | None) -> bytes | None:
        """One line of output; None at end of file (the process died); TimeoutError after ``deadline``."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return None
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line

    def run(self, payload: str, timeout: float | None) -> bytes | None:
        """Send one task and wait for its record (None if the process died; TimeoutError on time-out)."""
        assert self.proc.stdin is not None
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            self.proc.stdin.write(payload.encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return None
        self.tasks += 1
        return self._readline(deadline)

    def kill(self) -> None:
        """Kill the process (SIGKILL) and reap it."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass


def _acquire() -> TaskProcess:
    with _LOCK:
        while _IDLE:
            p = _IDLE.pop()
            if p.proc.poll() is None:
                return p
            p.kill()
    return TaskProcess()


def _release(p: TaskProcess) -> None:
    if p.tasks >= TASKS_PER_PROCESS or p.proc.poll() is not None:
        p.kill()
        return
    with _LOCK:
        _IDLE.append(p)


def shutdown_task_processes() -> None:
    """Kill the idle task processes of this process."""
    with _LOCK:
        procs = list(_IDLE)
        _IDLE.clear()
    for p in procs:
        p.kill()


atexit.register(shutdown_task_processes)


def _where() -> dict[str, Any]:
    out: dict[str, Any] = {"worker_pid": os.getpid()}
    try:
        from distributed import get_worker

        out["worker"] = get_worker().address
    except (ImportError, ValueError):
        pass
    return out


def run_task(payload: str, timeout: float | None = None) -> str:
    """Run one task (canonical JSON) in a task process; the result record as JSON text.

    Outcomes added here: ``timeout`` (no result within ``timeout`` seconds: the task process was
    killed) and ``crashed`` (the task process died or could not start).

    Examples
    --------
    >>> rec = json.loads(run_task('{"inputs":{"matrix":[[2]]},"kind":"positive_definite"}', 120))
    >>> rec["outcome"], rec["kernel"][0]["ok"]
    ('certified', True)
    """
    t0 = time.perf_counter()
    base = {"certificates": [], "kernel": [], "values": {}, "note": "", **_where()}
    try:
        proc = _acquire()
    except (RuntimeError, OSError) as exc:
        return json.dumps({**base, "outcome": "crashed", "message": str(exc), "wall_seconds": time.perf_counter() - t0})
    t1 = time.perf_counter()
    try:
        line = proc.run(payload, timeout)
    except TimeoutError:
        proc.kill()
        return json.dumps({**base, "outcome": "timeout", "timeout": timeout, "task_pid": proc.pid,
                           "message": f"no result within {timeout:g} s: the task process was killed",
                           "wall_seconds": time.perf_counter() - t0})
    if line is None:
        proc.kill()
        return json.dumps({**base, "outcome": "crashed", "task_pid": proc.pid,
                           "message": f"the task process died (exit status {proc.proc.returncode})",
                           "wall_seconds": time.perf_counter() - t0})
    _release(proc)
    record = json.loads(line)
    record.update(_where())
    record["task_pid"] = proc.pid
    record["timeout"] = timeout
    record["wall_seconds"] = time.perf_counter() - t1
    return json.dumps(record)
