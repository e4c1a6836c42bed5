"""perf/predictors.py runs through the one engine and keeps the splits, seeds and Kendall tau of its table."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from naspred.evaluation.splits import CanonicalIndex, draw_split

PERF = Path(__file__).resolve().parents[1] / "perf"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("perf_predictors", PERF / "predictors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def nb201(data_home):
    from naspred.benchmarks import load

    bench = load("nb201-cifar10", data_home=data_home)
    return bench, CanonicalIndex.of(bench)


def committed_tau(source: str, predictor: str, size: int) -> dict[int, float]:
    """Kendall tau per trial of ``predictor`` at ``size`` in perf/predictors.csv."""
    with (PERF / "predictors.csv").open() as f:
        return {int(r["trial"]): float(r["kendall_tau"]) for r in csv.DictReader(f)
                if (r.get("source") or "loop") == source and r["predictor"] == predictor
                and int(r["train_size"]) == size}


def test_the_scripts_trials_are_seeded_by_their_number_and_draw_its_old_split(script, nb201):
    from naspred.evaluation.plan import make_plan

    bench, index = nb201
    for size in (20, 1000):
        plan = make_plan(script.experiment("lin_reg", size, 3), bench, index)
        for task in plan.tasks:
            assert task.seed == task.trial
            got = task.split.draw(bench, index.codes, task.test_size, task.seed)
            old = draw_split(index.codes, np.arange(len(bench)), 200, [size], task.trial, strategy="sampled")
            assert np.array_equal(got.test, old.test) and np.array_equal(got.train[size], old.train[size])
            assert np.array_equal(script.trial_test_rows(task.trial, bench, index.codes), old.test)


def test_run_experiment_gives_the_committed_tau_of_the_earlier_loop(script, nb201, tmp_path):
    from naspred.evaluation.trial import TrialRunner

    runner = TrialRunner()
    runner.add(script.BENCHMARK, *nb201)
    rows, ran = script.run(["lin_reg", "baseline_lightgbm"], [20], 2, tmp_path / "work", 1, runner)
    assert ran == 4 and all(r["source"] == "engine" and r["error"] == "" for r in rows)
    for name in ("lin_reg", "baseline_lightgbm"):
        old = committed_tau("loop", name, 20)
        new = {r["trial"]: r["kendall_tau"] for r in rows if r["predictor"] == name}
        assert new == pytest.approx({t: old[t] for t in new}, abs=1e-9), name
    again, ran = script.run(["lin_reg"], [20], 2, tmp_path / "work", 1, runner)
    assert ran == 0 and len(again) == 2  # resumed from the results folders


def test_merge_replaces_rows_of_the_same_source_and_keeps_the_earlier_loops(script, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("predictor,train_size,trial,kendall_tau,spearman,fit_seconds,predict_seconds,error\n"
                    "svr,20,0,0.5,0.6,0.1,0.01,\n")
    new = {"predictor": "svr", "train_size": 20, "trial": 0, "kendall_tau": 0.5, "spearman": 0.6, "fit_seconds": 0.2,
           "predict_seconds": 0.02, "error": "", "source": "engine", "finished_at": 1.0}
    assert [r["source"] for r in script.merge(path, [new])] == ["loop", "engine"]
    rows = script.merge(path, [{**new, "kendall_tau": 0.4}])
    assert [(r["source"], float(r["kendall_tau"])) for r in rows] == [("loop", 0.5), ("engine", 0.4)]
