"""Predictors adapt to the benchmark they are given: its target metric and direction, what it records.

A generic learning-curve table with replicate runs (a ``seed`` column) and a ``val_loss`` target runs every
learning-curve predictor and OMNI with no option; on NAS-Bench-201 (validation accuracy recorded at epochs 12
and 200 only, no training loss) OMNI reads the validation accuracy at 12 epochs, and what cannot run is
skipped when the sweep is planned, with the reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from naspred import predictors
from naspred.benchmarks import curve_table
from naspred.evaluation.plan import make_plan
from naspred.evaluation.spec import ExperimentSpec
from naspred.evaluation.trial import TrialRunner

LEARNING_CURVE = ("valacc", "valloss", "early_stopping", "sotl", "sotle", "sotlema", "lce", "lcsvr")


def loss_table(n_archs: int = 60, epochs: int = 15) -> pd.DataFrame:
    """Replicate runs (2 or 3 seeds) of opaque architectures: decaying losses towards a per-arch floor."""
    rng = np.random.default_rng(0)
    frames = []
    for a in range(n_archs):
        floor, rate = rng.uniform(0.5, 2.0), rng.uniform(0.1, 0.4)
        for seed in range(2 + a % 2):
            e = np.arange(1, epochs + 1)
            noise = rng.normal(0.0, 0.03, epochs)
            frames.append(pd.DataFrame({
                "arch": f"run-{a}", "seed": seed, "epoch": e,
                "train_loss": 0.8 * floor + 2.2 * np.exp(-rate * e) + noise / 2,
                "val_loss": floor + 2.0 * np.exp(-rate * e) + noise, "epoch_time": 5.0 + a % 3,
            }))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def loss_bench():
    return curve_table.from_frame(loss_table(), name="loss-table")


def test_every_learning_curve_predictor_and_omni_run_on_a_loss_target(loss_bench):
    assert loss_bench.target == "val_loss" and not loss_bench.higher_is_better
    spec = ExperimentSpec("loss-table", [*LEARNING_CURVE, "omni"], train_sizes=[20], trials=1, test_size=20)
    runner = TrialRunner()
    runner.add("loss-table", loss_bench)
    bench, index = runner.benchmark("loss-table")
    plan = make_plan(spec, bench, index)
    assert plan.skipped == ()
    notes = "\n".join(plan.notes)
    for name in ("valacc", "valloss", "early_stopping", "lce", "lcsvr"):
        assert f"{name} reads curves of ['val_loss'] at the fidelity" in notes
    assert "omni reads curves of ['train_loss'] at the fidelity" in notes  # SoTL-E; no encoding on an opaque space
    rows = pd.DataFrame([runner.run(task) for task in plan.tasks])
    assert (rows["status"] == "ok").all(), rows.loc[rows["status"] != "ok", ["predictor", "error"]].to_string()
    tau = rows.set_index("predictor")["kendall_tau"]
    assert (tau > 0.3).all(), tau.to_dict()  # oriented like the target: a lower loss ranks better


def test_a_named_metric_is_read_as_named(loss_bench):
    spec = ExperimentSpec("loss-table", [{"name": "valacc", "params": {"metric": "val_accuracy"}}],
                          trials=1, test_size=20)
    plan = make_plan(spec, loss_bench)
    assert [s.predictor for s in plan.skipped] == ["valacc(metric=val_accuracy)"]
    assert "reads learning curves of ['val_accuracy']" in plan.skipped[0].reason


def test_omni_on_nb201_reads_what_is_recorded(data_home):
    runner = TrialRunner(data_home)
    bench, index = runner.benchmark("nb201-cifar10")
    spec = ExperimentSpec("nb201-cifar10", ["omni", "sotle", "valacc"], train_sizes=[20], trials=1, test_size=50)
    plan = make_plan(spec, bench, index)
    notes = "\n".join(plan.notes)
    assert ("omni reads an encoding (adjacency_one_hot), curves of ['val_accuracy'] at the fidelity, "
            "proxies ['jacov']") in notes
    reasons = {s.predictor: s.reason for s in plan.skipped}
    # the validation accuracy is recorded at epochs 12 and 200 only: nothing to read at the default 10 epochs
    assert "reads curves of 'val_accuracy' at epoch 10; benchmark 'nb201-cifar10' records them at epochs [12, 200]" in (
        reasons["valacc"]
    )
    # SoTL-E falls back on the target's curve, and sums every epoch up to the fidelity: not recorded
    assert "reads curves of 'val_accuracy' at every epoch up to epoch 10" in reasons["sotle"]
    at_12 = make_plan(ExperimentSpec("nb201-cifar10", ["valacc", "sotle"], fidelities=[12], trials=1), bench, index)
    assert [s.predictor for s in at_12.skipped] == ["sotle at fidelity 12"] and len(at_12.tasks) == 1
    row = runner.run(next(t for t in plan.tasks if t.predictor.name == "omni"))
    assert row["status"] == "ok" and row["kendall_tau"] > 0.3, row["error"]


def test_adapting_is_resolution_not_state_that_clone_keeps(loss_bench):
    from sklearn.base import clone

    from naspred.predictors.requirements import Supply

    model = predictors.get("lce").adapt(Supply.of_benchmark(loss_bench))
    assert model.requirements.curve_metrics == ("val_loss",)
    assert clone(model).requirements.curve_metrics == ()
