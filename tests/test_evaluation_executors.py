"""Executors: a 2-worker sweep on a local Ray instance, and on a running cluster joined by address, gives the
same table as the serial run; option errors.

A killed worker process: its trial runs again on a fresh worker. (The process executor also runs end to
end, with the whole sweep killed mid-way, in test_evaluation_results.py.)
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pandas as pd
import pytest

from naspred.errors import InvalidInputError
from naspred.evaluation.executors import ProcessExecutor, RayExecutor, SerialExecutor, make_executor
from naspred.evaluation.experiment import run_experiment
from naspred.evaluation.plan import make_plan
from naspred.evaluation.spec import ExperimentSpec
from naspred.evaluation.trial import RUN_COLUMNS, TrialRunner

SPEC = ExperimentSpec(
    "nb201-analog-cifar10",
    ["lin_reg", {"name": "rf", "params": {"n_estimators": 10}}],
    train_sizes=[10, 25],
    trials=2,
    test_size=20,
    seed=5,
)


def test_ray_sweep_with_two_workers_matches_the_serial_run(tmp_path):
    import ray  # in the test extras

    serial = run_experiment(SPEC, tmp_path / "serial", runner=TrialRunner()).table
    # no address: the executor starts a local Ray instance (2 CPUs, no dashboard) and stops it afterwards
    outcome = run_experiment(SPEC, tmp_path / "ray", RayExecutor(workers=2))
    assert not ray.is_initialized()
    table = outcome.table
    assert len(table) == 8 and (table["status"] == "ok").all()
    assert table["worker"].nunique() == 2  # both actors ran trials
    pd.testing.assert_frame_equal(table.drop(columns=list(RUN_COLUMNS)), serial.drop(columns=list(RUN_COLUMNS)))


def test_ray_sweep_joins_a_running_cluster_by_address(tmp_path):
    """`--address` joins a cluster started with `ray start --head`, as on a multi-node cluster (README)."""
    import shutil
    import socket
    import subprocess

    import ray

    ray_cli = shutil.which("ray")
    assert ray_cli, "the ray command comes with the test extras"
    with socket.socket() as probe:  # a free port for the head node
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    start = [ray_cli, "start", "--head", f"--port={port}", "--num-cpus=2", "--include-dashboard=false"]
    subprocess.run(start, check=True, capture_output=True, env=env, timeout=120)
    try:
        serial = run_experiment(SPEC, tmp_path / "serial", runner=TrialRunner()).table
        outcome = run_experiment(SPEC, tmp_path / "cluster", RayExecutor(workers=2, address="auto"))
        assert not ray.is_initialized()  # disconnected; the cluster itself keeps running until stopped
        table = outcome.table
        assert len(table) == 8 and (table["status"] == "ok").all()
        pd.testing.assert_frame_equal(table.drop(columns=list(RUN_COLUMNS)), serial.drop(columns=list(RUN_COLUMNS)))
    finally:
        subprocess.run([ray_cli, "stop", "--force"], capture_output=True, env=env, timeout=120)


def test_process_executor_reruns_the_trial_of_a_killed_worker(tmp_path):
    runner = TrialRunner()
    bench, index = runner.benchmark("nb201-analog-cifar10")
    plan = make_plan(SPEC.with_overrides(trials=6), bench, index)
    rows, killed = [], None
    for row in ProcessExecutor(workers=2, poll_seconds=0.1).run(plan.tasks, runner):
        rows.append(row)
        if killed is None:  # kill the other worker, which is running a trial now
            first = int(row["worker"].split(":")[1])
            others = [p for p in _children(os.getpid()) if p != first and _is_worker(p)]
            killed = others[0]
            os.kill(killed, signal.SIGKILL)
    table = pd.DataFrame(rows)
    assert sorted(table["key"]) == sorted(t.key for t in plan.tasks)  # every trial exactly once
    assert (table["status"] == "ok").all()
    assert f":{killed}" not in " ".join(table["worker"])  # its trial ran again on a fresh worker
    serial = pd.DataFrame([runner.run(t) for t in plan.tasks])
    pd.testing.assert_frame_equal(table.set_index("key").sort_index().drop(columns=list(RUN_COLUMNS)),
                                  serial.set_index("key").sort_index().drop(columns=list(RUN_COLUMNS)))


def _children(pid: int) -> list[int]:
    return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _is_worker(pid: int) -> bool:
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    return b"multiprocessing" in cmdline and b"resource_tracker" not in cmdline


def test_make_executor():
    assert isinstance(make_executor("serial"), SerialExecutor)
    proc = make_executor("process", workers=2)
    assert isinstance(proc, ProcessExecutor) and proc.workers == 2 and proc.threads >= 1
    ray = make_executor("ray", workers=3, address="auto")
    assert isinstance(ray, RayExecutor) and ray.address == "auto" and ray.workers == 3
    with pytest.raises(InvalidInputError, match="unknown executor"):
        make_executor("dask")
    with pytest.raises(InvalidInputError, match="--address applies to the ray executor"):
        make_executor("process", address="auto")
    with pytest.raises(InvalidInputError, match="workers must be a positive integer"):
        ProcessExecutor(workers=0)
