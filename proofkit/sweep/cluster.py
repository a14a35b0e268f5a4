"""A local Dask cluster of worker processes, started and stopped by proofkit.

The scheduler and the workers run as ``python -m distributed.cli.dask_scheduler`` and
``python -m distributed.cli.dask_worker`` subprocesses (workers under nannies, which restart
a killed worker). Unlike ``LocalCluster(processes=True)``, this never re-imports the
caller's main module in the workers, so a sweep can be started from a script without a
``__main__`` guard, from standard input or from a notebook. The workers import the same
proofkit as the caller (its folder is put first on their ``PYTHONPATH``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

from proofkit.errors import ProofkitError

__all__ = ["LocalProcessCluster", "ClusterStartFailed"]


class ClusterStartFailed(ProofkitError, RuntimeError):
    """The local scheduler or workers did not start; the message points to their log."""


class LocalProcessCluster:
    """A scheduler and ``n_workers`` single-threaded worker processes on this machine.

    Parameters
    ----------
    n_workers : int
    threads_per_worker : int
    log : path, optional
        File receiving the scheduler's and workers' output (default: a temporary file).
    start_seconds : float
        How long to wait for the scheduler and every worker.

    Use as a context manager, or call :meth:`close`.

    Examples
    --------
    >>> with LocalProcessCluster(1) as cluster:              # doctest: +SKIP
    ...     print(cluster.client.submit(sum, [1, 2]).result())
    3
    """

    def __init__(self, n_workers: int, threads_per_worker: int = 1, log: str | None = None,
                 start_seconds: float = 180.0) -> None:
        import proofkit

        self.n_workers = n_workers
        self._tmp = tempfile.mkdtemp(prefix="proofkit-dask-")
        self.scheduler_file = os.path.join(self._tmp, "scheduler.json")
        self.log_path = log or os.path.join(self._tmp, "cluster.log")
        self._log = open(self.log_path, "ab")
        root = os.path.dirname(os.path.dirname(os.path.abspath(proofkit.__file__)))
        env = dict(os.environ)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        common: dict[str, Any] = {"stdout": self._log, "stderr": subprocess.STDOUT, "env": env, "cwd": self._tmp}
        self.procs: list[subprocess.Popen[bytes]] = []
        self.client: Any = None
        try:
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_scheduler", "--scheduler-file", self.scheduler_file,
                 "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--idle-timeout", "600"], **common))
            # the workers start at the same time and wait for the scheduler file
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file", self.scheduler_file,
                 "--nworkers", str(n_workers), "--nthreads", str(threads_per_worker), "--no-dashboard",
                 "--death-timeout", "60", "--memory-limit", "0", "--local-directory", self._tmp], **common))
            deadline = time.monotonic() + start_seconds
            while not os.path.exists(self.scheduler_file):
                if self.procs[0].poll() is not None or time.monotonic() > deadline:
                    raise ClusterStartFailed(f"the local Dask scheduler did not start (log: {self.log_path})")
                time.sleep(0.05)
            from distributed import Client

            self.client = Client(scheduler_file=self.scheduler_file, timeout="60s")
            try:
                self.client.wait_for_workers(n_workers, timeout=max(1.0, deadline - time.monotonic()))
            except (TimeoutError, OSError):
                raise ClusterStartFailed(f"{n_workers} local Dask workers did not start (log: {self.log_path})"
                                         ) from None
        except BaseException:
            self.close()
            raise

    @property
    def address(self) -> str:
        return self.client.scheduler.address

    def close(self, grace: float = 1.0) -> None:
        """Stop the workers and the scheduler: SIGTERM, then SIGKILL of the whole process tree after ``grace`` s.

        The cluster holds nothing that needs a clean shutdown (records are written by the sweep's driver).
        """
        import psutil

        if self.client is not None:
            try:
                self.client.close(timeout=5)
            except Exception:  # closing a client to a dying scheduler may raise anything
                pass
            self.client = None
        tree: list[Any] = []
        for p in self.procs:
            try:
                tree += psutil.Process(p.pid).children(recursive=True)
            except psutil.Error:
                pass
            if p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + grace
        for p in self.procs:
            try:
                p.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for child in tree:
            try:
                child.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(tree, timeout=5)
        self.procs = []
        self._log.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> LocalProcessCluster:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
