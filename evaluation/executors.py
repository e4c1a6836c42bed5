"""Where trials run: in this process, in local worker processes, or on a Ray cluster.

Trials are independent, so an executor only maps :class:`~naspred.evaluation.trial.TrialTask` to result
rows, yielding each row as soon as its trial finishes (in any order). Each worker (a process or a Ray
actor) receives a copy of the sweep's :class:`~naspred.evaluation.trial.TrialRunner` with the benchmark
already loaded and indexed, so workers neither read benchmark files nor need them on their machine. A
worker that dies mid-trial (killed, out of memory) yields a failed row for that trial and is replaced.

- ``serial``: one trial after another in this process.
- ``process``: ``workers`` local processes (spawned, each limited to ``threads`` BLAS/OpenMP/torch threads).
- ``ray``: ``workers`` Ray actors (Moritz et al., "Ray: A Distributed Framework for Emerging AI
  Applications", OSDI 2018). ``address=None`` starts a local Ray instance for the sweep and stops it
  afterwards; ``address="auto"`` (or ``"ray://host:10001"``, ``"host:6379"``) joins a running cluster,
  where every node needs naspred installed.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any

from naspred.errors import InvalidInputError
from naspred.evaluation.trial import TrialRunner, TrialTask, empty_row

logger = logging.getLogger(__name__)

EXECUTORS = ("serial", "process", "ray")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def limit_threads(threads: int | None) -> None:
    """Limit the numerical libraries of this process to ``threads`` threads.

    BLAS and OpenMP libraries already loaded are limited through ``threadpoolctl``; the environment
    variables cover those loaded later (PyTorch reads ``OMP_NUM_THREADS`` on import), and a PyTorch
    already imported is limited directly.
    """
    if threads is None:
        return
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)


def _died(task: TrialTask, why: str) -> dict[str, Any]:
    row = empty_row(task)
    row["error"] = f"WorkerDied: {why}"
    row["finished_at"] = time.time()
    return row


class Executor(ABC):
    """Maps trials to result rows."""

    name: str = ""
    workers: int = 1

    @abstractmethod
    def run(self, tasks: Sequence[TrialTask], runner: TrialRunner) -> Iterator[dict[str, Any]]:
        """Yield the row of every task as it finishes; workers get a copy of ``runner``."""


class SerialExecutor(Executor):
    """Runs the trials one after another in this process."""

    name = "serial"

    def run(self, tasks: Sequence[TrialTask], runner: TrialRunner) -> Iterator[dict[str, Any]]:
        for task in tasks:
            yield runner.run(task)


def _process_worker(inbox: Any, outbox: Any, runner: TrialRunner, threads: int | None, parent: int) -> None:
    """The loop of one worker process: run the tasks sent to ``inbox`` until ``None`` or the parent is gone."""
    limit_threads(threads)
    pid = os.getpid()
    while True:
        try:
            item = inbox.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:  # the sweep was killed: do not linger as an orphan
                return
            continue
        if item is None:
            return
        index, task = item
        outbox.put((pid, index, runner.run(task)))


class ProcessExecutor(Executor):
    """Runs trials in ``workers`` spawned local processes, ``threads`` numerical threads each.

    ``threads`` defaults to the CPU count divided by ``workers`` (at least 1), so that the workers do not
    oversubscribe the cores. Each worker is sent its next trial when it returns the previous one. When a
    worker dies, its trial is sent to a fresh worker; a trial whose worker dies twice is recorded as failed.
    """

    name = "process"

    def __init__(self, workers: int = 2, threads: int | None = None, poll_seconds: float = 0.5) -> None:
        if isinstance(workers, bool) or int(workers) != workers or workers < 1:
            raise InvalidInputError(f"workers must be a positive integer, got {workers!r}")
        self.workers = int(workers)
        self.threads = threads if threads is not None else max(1, (os.cpu_count() or 1) // self.workers)
        self.poll_seconds = poll_seconds

    def run(self, tasks: Sequence[TrialTask], runner: TrialRunner) -> Iterator[dict[str, Any]]:
        tasks = list(tasks)
        if not tasks:
            return
        ctx = mp.get_context("spawn")
        outbox = ctx.Queue()
        pending = list(range(len(tasks)))[::-1]  # popped from the end: task order kept
        workers: dict[int, tuple[Any, Any]] = {}  # pid -> (process, its inbox)
        assigned: dict[int, int] = {}  # pid -> index of the task sent to it
        deaths: dict[int, int] = {}  # task index -> workers that died holding it

        def assign(pid: int) -> None:
            if pending:
                index = pending.pop()
                workers[pid][1].put((index, tasks[index]))
                assigned[pid] = index

        def start() -> None:
            inbox = ctx.Queue()
            proc = ctx.Process(target=_process_worker, args=(inbox, outbox, runner, self.threads, os.getpid()),
                               daemon=True)
            proc.start()
            workers[proc.pid] = (proc, inbox)
            assign(proc.pid)

        def received(message: tuple[int, int, dict[str, Any]]) -> dict[str, Any]:
            pid, _, row = message
            assigned.pop(pid, None)
            if pid in workers and workers[pid][0].is_alive():
                assign(pid)
            return row

        for _ in range(min(self.workers, len(tasks))):
            start()
        try:
            while assigned or pending:
                try:
                    yield received(outbox.get(timeout=self.poll_seconds))
                except queue.Empty:
                    pass
                for pid, (proc, _) in list(workers.items()):
                    if proc.is_alive():
                        continue
                    while True:  # what the worker sent before it died
                        try:
                            yield received(outbox.get_nowait())
                        except queue.Empty:
                            break
                    del workers[pid]
                    index = assigned.pop(pid, None)
                    if index is not None:
                        deaths[index] = deaths.get(index, 0) + 1
                        if deaths[index] >= 2:
                            yield _died(tasks[index], f"worker processes died twice running this trial (last: "
                                                      f"{pid}, exit code {proc.exitcode})")
                        else:
                            logger.warning("worker %d died (exit code %s); its trial runs again", pid, proc.exitcode)
                            pending.append(index)
                    if pending and len(workers) < self.workers:
                        start()
        finally:
            for _, inbox in workers.values():
                inbox.put(None)
            deadline = time.monotonic() + 5.0
            for proc, _ in workers.values():
                proc.join(timeout=max(0.0, deadline - time.monotonic()))
                if proc.is_alive():
                    proc.terminate()
                    proc.join()


class RayExecutor(Executor):
    """Runs trials on ``workers`` Ray actors (one CPU each) of a local or a running cluster.

    ``address=None`` starts a local Ray instance with ``workers`` CPUs and stops it after the sweep;
    any other address is passed to ``ray.init`` (``"auto"`` joins the cluster of this node), and the sweep
    disconnects from that cluster at the end, leaving it running. Without
    ``workers`` on a cluster, one actor per CPU of the cluster is started.
    """

    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None, threads: int = 1) -> None:
        if workers is not None and (isinstance(workers, bool) or int(workers) != workers or workers < 1):
            raise InvalidInputError(f"workers must be a positive integer, got {workers!r}")
        self.address = address
        self.workers = workers or 0
        self.threads = threads

    def _ray(self) -> Any:
        try:
            import ray
        except ImportError:
            raise InvalidInputError("the ray executor needs Ray: `pip install naspred[ray]`") from None
        return ray

    def run(self, tasks: Sequence[TrialTask], runner: TrialRunner) -> Iterator[dict[str, Any]]:
        tasks = list(tasks)
        if not tasks:
            return
        ray = self._ray()
        started_here = False
        if not ray.is_initialized():
            if self.address is None:
                ray.init(num_cpus=self.workers or (os.cpu_count() or 1), include_dashboard=False,
                         log_to_driver=False, configure_logging=False)
                started_here = True
            else:  # join a running cluster; shutdown afterwards only disconnects from it
                ray.init(address=self.address, log_to_driver=False, configure_logging=False)
                started_here = True
        try:
            yield from self._run(ray, tasks, ray.put(runner))
        finally:
            if started_here:
                ray.shutdown()

    def _run(self, ray: Any, tasks: list[TrialTask], runner: Any) -> Iterator[dict[str, Any]]:
        n = self.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        n = min(n, len(tasks))
        actor_class = ray.remote(num_cpus=1)(RayTrialWorker)
        actors = [actor_class.remote(runner, self.threads) for _ in range(n)]
        pending = list(enumerate(tasks))[::-1]  # popped from the end: task order kept
        in_flight: dict[Any, tuple[Any, int]] = {}

        def submit(actor: Any) -> None:
            index, task = pending.pop()
            in_flight[actor.run.remote(task)] = (actor, index)

        for actor in actors:
            if pending:
                submit(actor)
        while in_flight:
            ready, _ = ray.wait(list(in_flight), num_returns=1)
            ref = ready[0]
            actor, index = in_flight.pop(ref)
            try:
                row = ray.get(ref)
            except ray.exceptions.RayActorError as err:
                row = _died(tasks[index], f"Ray actor died: {err}")
                actor = actor_class.remote(runner, self.threads)
            except ray.exceptions.RayTaskError as err:
                row = _died(tasks[index], f"Ray task failed: {err}")
            yield row
            if pending:
                submit(actor)


class RayTrialWorker:
    """The Ray actor of :class:`RayExecutor`: runs trials with its copy of the sweep's :class:`TrialRunner`."""

    def __init__(self, runner: TrialRunner, threads: int | None) -> None:
        limit_threads(threads)
        self.runner = runner

    def run(self, task: TrialTask) -> dict[str, Any]:
        return self.runner.run(task)


def make_executor(kind: str = "serial", workers: int | None = None, address: str | None = None) -> Executor:
    """The executor named ``kind`` (``serial``, ``process`` or ``ray``)."""
    if kind == "serial":
        if address is not None:
            raise InvalidInputError("--address applies to the ray executor; add --executor ray")
        return SerialExecutor()
    if kind == "process":
        if address is not None:
            raise InvalidInputError("--address applies to the ray executor; add --executor ray")
        return ProcessExecutor(workers=workers or max(1, os.cpu_count() or 1))
    if kind == "ray":
        return RayExecutor(address=address, workers=workers)
    raise InvalidInputError(f"unknown executor {kind!r}; expected one of {list(EXECUTORS)}")
