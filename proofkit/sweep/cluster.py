"""Dask clusters for sweeps and ``proofkit verify DIR``: a local one started and stopped by proofkit, or a running
one by address (:func:`connect`).

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

__all__ = ["LocalProcessCluster", "ClusterStartFailed", "SchedulerUnavailable", "connect", "total_threads"]


class ClusterStartFailed(ProofkitError, RuntimeError):
    """The local scheduler or workers did not start; the message points to their log (kept after the failure)."""


class SchedulerUnavailable(ProofkitError, ConnectionError):
    """The Dask scheduler given by address cannot be reached (or has too few workers)."""


class LocalProcessCluster:
    """A scheduler and ``n_workers`` single-threaded worker processes on this machine.

    The scheduler and each worker (a ``dask_worker`` command: a nanny and its worker process) run each in
    a Unix session of its own, as if started from separate terminals: on Linux with automatic process groups
    (``/proc/sys/kernel/sched_autogroup_enabled``), CPU time is shared between Unix sessions, so N workers in
    one Unix session would share one Unix session's share of a busy machine; in their own they get N. (A
    terminal's Ctrl-C reaches only the caller, which stops the cluster.)

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
        common: dict[str, Any] = {"stdout": self._log, "stderr": subprocess.STDOUT, "env": env, "cwd": self._tmp,
                                  "start_new_session": True}
        self.procs: list[subprocess.Popen[bytes]] = []
        self.client: Any = None
        try:
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_scheduler", "--scheduler-file", self.scheduler_file,
                 "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--idle-timeout", "600"], **common))
            # the workers start at the same time and wait for the scheduler file; one command (nanny and worker) per
            # worker, each in a Unix session of its own (see the class's description)
            for i in range(n_workers):
                self.procs.append(subprocess.Popen(
                    [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file", self.scheduler_file,
                     "--nthreads", str(threads_per_worker), "--name", f"local-{i}", "--no-dashboard",
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
            self.close(keep_log=True)
            raise

    @property
    def address(self) -> str:
        return self.client.scheduler.address

    def close(self, grace: float = 0.0, keep_log: bool = False) -> None:
        """Stop the workers and the scheduler: SIGKILL of their whole process trees (after SIGTERM and ``grace`` s).

        The cluster holds nothing that needs a clean shutdown (records are written by the sweep's driver, checks
        are returned to ``verify``), so by default nothing waits for the processes to stop by themselves.
        ``keep_log``: keep the log file (a failed start names it), also when it is in the temporary folder.
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
        if grace > 0:
            for p in self.procs:
                if p.poll() is None:
                    p.terminate()
            deadline = time.monotonic() + grace
            for p in self.procs:
                try:
                    p.wait(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    pass
        for proc in [*self.procs, *tree]:
            try:
                proc.kill()
            except (psutil.Error, ProcessLookupError):
                pass
        for p in self.procs:  # reap the commands; their children, killed too, are reaped by the system
            p.wait()
        self.procs = []
        self._log.close()
        if keep_log and os.path.dirname(os.path.abspath(self.log_path)) == os.path.abspath(self._tmp):
            fd, kept = tempfile.mkstemp(prefix="proofkit-dask-", suffix=".log")
            os.close(fd)
            shutil.move(self.log_path, kept)
            self.log_path = kept
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> LocalProcessCluster:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def connect(scheduler: Any = None, workers: int | None = None, default_workers: int = 1,
            log: str | None = None) -> tuple[Any, LocalProcessCluster | None]:
    """A Dask client, and the cluster proofkit started for it (None when attached to a running one).

    Parameters
    ----------
    scheduler : str or distributed.Client, optional
        A running scheduler's address (``tcp://host:8786``) or a client of one (used as it is, never
        closed here). Default: start a :class:`LocalProcessCluster` of ``workers`` processes.
    workers : int, optional
        Local worker processes (default ``default_workers``); with ``scheduler``, wait (up to 120 s) until
        the cluster has at least this many workers.
    log : path, optional
        The local cluster's log file.

    The caller closes what it gets: ``cluster.close()`` for a started cluster, else ``client.close()``
    unless ``scheduler`` was a client.

    Raises
    ------
    InvalidInput
        ``workers`` is not a positive integer, ``scheduler`` not an address or a client.
    SchedulerUnavailable
        The address cannot be reached, or the cluster has fewer than ``workers`` workers after 120 s.
    ClusterStartFailed
        The local cluster did not start.

    Examples
    --------
    >>> client, cluster = connect(workers=1)                       # doctest: +SKIP
    >>> client.submit(sum, [1, 2]).result(); cluster.close()       # doctest: +SKIP
    3
    """
    from proofkit.errors import InvalidInput

    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise InvalidInput("workers", "a positive number of worker processes", repr(workers))
    if scheduler is not None and not isinstance(scheduler, str) and not hasattr(scheduler, "submit"):
        raise InvalidInput("scheduler", "a scheduler address such as 'tcp://host:8786' or a distributed.Client",
                           type(scheduler).__name__)
    if scheduler is not None and not isinstance(scheduler, str):
        return scheduler, None
    if scheduler is not None:
        from distributed import Client

        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise SchedulerUnavailable(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
        if workers:
            try:
                client.wait_for_workers(workers, timeout=120)
            except (TimeoutError, OSError):
                client.close()
                raise SchedulerUnavailable(f"the scheduler at {scheduler!r} has fewer than {workers} workers") from None
        return client, None
    cluster = LocalProcessCluster(workers or max(1, default_workers), threads_per_worker=1, log=log)
    return cluster.client, cluster


def total_threads(client: Any) -> int:
    """The number of worker threads the client's cluster has now (at least 1)."""
    try:
        threads = client.nthreads()
    except Exception:  # a scheduler that does not answer: the caller's futures will say why
        return 1
    return max(1, sum(int(n) for n in threads.values()))
