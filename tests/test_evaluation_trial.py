"""Trials on real NAS-Bench-201 data: `naspred evaluate` against a direct call of the predictor on the same
split and a hand-computed Kendall tau, held-out sets disjoint by canonical form, the shared canonical
index, failures recorded, and predictors skipped where a benchmark cannot serve them."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from naspred import cli
from naspred.benchmarks import load
from naspred.errors import InvalidInputError
from naspred.evaluation.experiment import run_experiment
from naspred.evaluation.plan import make_plan
from naspred.evaluation.spec import ExperimentSpec, InitBudget, PredictorSpec, QueryBudget
from naspred.evaluation.splits import CanonicalIndex, draw_split, pool_rows, trial_seed
from naspred.evaluation.trial import IndexedOracle, TrialRunner, TrialTask
from naspred.predictors import ArchInfo, SimulatedOracle
from naspred.predictors.linear import LinearRegression

ANALOG = "nb201-analog-cifar10"


@pytest.fixture(scope="module")
def runner() -> TrialRunner:
    return TrialRunner()


def hand_tau_b(x, y) -> float:
    c = d = tx = ty = 0
    for i, j in combinations(range(len(x)), 2):
        sx, sy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
        tx += sx == 0
        ty += sy == 0
        c += sx * sy > 0
        d += sx * sy < 0
    n0 = len(x) * (len(x) - 1) / 2
    return (c - d) / math.sqrt((n0 - tx) * (n0 - ty))


def test_evaluate_command_matches_a_direct_call_and_hand_computed_tau(tmp_path, runner, capsys):
    out = tmp_path / "run"
    rc = cli.main(["evaluate", "--benchmark", ANALOG, "--predictors", "lin_reg", "--train-sizes", "20",
                   "--trials", "2", "--test-size", "20", "--seed", "7", "--out", str(out), "--no-report"])
    assert rc == 0, capsys.readouterr().err
    table = pd.read_parquet(out / "results.parquet")
    assert len(table) == 2 and (table["status"] == "ok").all()
    bench, index = runner.benchmark(ANALOG)
    for _, row in table.iterrows():
        seed = trial_seed(7, int(row["trial"]))
        assert row["seed"] == seed
        split = draw_split(index.codes, pool_rows(bench), 20, seed=seed)
        test_archs = split.archs(bench)
        # the predictor called directly: the plain oracle hides the test set, 20 draws, fit, predict
        oracle = SimulatedOracle(bench, hidden=test_archs, seed=split.oracle_seed)
        train = [oracle.sample(1)[0] for _ in range(20)]
        y_train = bench.y[bench.index_of(train)]
        pred = LinearRegression().fit(train, y_train, ArchInfo(space=bench.space)).predict(
            test_archs, ArchInfo(space=bench.space))
        y_test = bench.y[split.rows]
        assert row["kendall_tau"] == pytest.approx(hand_tau_b(y_test, pred), abs=1e-12)
        assert row["mae"] == pytest.approx(np.mean(np.abs(pred - y_test)), abs=1e-12)
        assert row["train_size"] == 20 and row["n_test"] == 20
        # no recorded training time, no FLOPs: 1 simulated second per epoch, 1 epoch per architecture
        assert row["init_simulated_s"] == pytest.approx(20.0)


def test_indexed_oracle_draws_like_the_plain_oracle(runner):
    bench, index = runner.benchmark(ANALOG)
    split = draw_split(index.codes, pool_rows(bench), 50, seed=trial_seed(0, 3))
    hidden = split.archs(bench)
    plain = SimulatedOracle(bench, hidden=hidden, seed=11)
    fast = IndexedOracle(bench, index, hidden, seed=11)
    assert fast.remaining() == plain.remaining()
    for _ in range(30):
        assert fast.sample(1) == plain.sample(1)
        assert fast.remaining() == plain.remaining()
    arch = fast.sample(1, mark_seen=False)[0]
    assert arch == plain.sample(1, mark_seen=False)[0] and fast.remaining() == plain.remaining()
    fast.train(arch, fast.full_epochs)
    plain.train(arch, plain.full_epochs)
    assert fast.remaining() == plain.remaining()


def test_test_set_is_disjoint_by_canonical_form_from_training(runner):
    bench, index = runner.benchmark(ANALOG)
    seed = trial_seed(0, 1)
    split = draw_split(index.codes, pool_rows(bench), 200, seed=seed)
    codes = index.codes[split.rows]
    assert len(set(codes.tolist())) == 200 and np.isfinite(bench.y[split.rows]).all()
    again = draw_split(index.codes, pool_rows(bench), 200, seed=seed)
    assert np.array_equal(again.rows, split.rows) and again.oracle_seed == split.oracle_seed
    other = draw_split(index.codes, pool_rows(bench), 200, seed=trial_seed(0, 2))
    assert not np.array_equal(other.rows, split.rows)
    oracle = IndexedOracle(bench, index, split.archs(bench), seed=split.oracle_seed)
    trained = oracle.sample(oracle.remaining())  # every architecture the predictor could ever see
    trained_codes = set(index.codes[bench.index_of(trained)].tolist())
    assert trained_codes.isdisjoint(codes.tolist())
    assert len(trained_codes) + 200 == index.classes_with_target(bench.y)


def test_failures_are_recorded_and_the_sweep_goes_on(tmp_path, data_home, runner):
    # nb201-cifar10 records validation accuracy at epochs 12 and 200: a fidelity of 5 has nothing to read, which
    # the plan says before any trial runs; an accuracy in percent read on a [0, 1] scale fails in the trials
    lce = PredictorSpec("lce", {"upper": 1.0, "n_steps": 0}, label="lce-fraction")
    spec = ExperimentSpec("nb201-cifar10", ["valacc", "lin_reg", lce], train_sizes=[10], fidelities=[5, 12],
                          trials=2, test_size=20)
    outcome = run_experiment(spec, tmp_path / "r", data_home=data_home, runner=TrialRunner(data_home))
    skipped = {s.predictor: s.reason for s in outcome.plan.skipped}
    assert set(skipped) == {"valacc at fidelity 5", "lce-fraction at fidelity 5"}
    assert "reads curves of 'val_accuracy' at epoch 5; benchmark 'nb201-cifar10' records them at epochs [12, 200]" in (
        skipped["valacc at fidelity 5"]
    )
    table = outcome.table
    assert len(table) == 2 * 3
    failed = table[table["status"] == "failed"]
    assert set(failed["predictor"]) == {"lce-fraction"} and (failed["query_budget"] == 12).all()
    assert failed["error"].str.contains(r"outside \[0, upper=1\]").all()
    assert failed["kendall_tau"].isna().all()
    good = table[table["status"] == "ok"]
    assert len(good) == 4 and good["kendall_tau"].notna().all()
    assert (good.loc[good["predictor"] == "valacc", "fidelity"] == 12).all()
    # partial training to epoch 12 is charged per queried architecture
    assert (good.loc[good["predictor"] == "valacc", "query_simulated_s"] > 0).all()
    assert len(outcome.failed) == 2


def test_plan_skips_what_a_benchmark_cannot_serve_and_collapses_unused_axes(runner):
    bench, index = runner.benchmark(ANALOG)
    spec = ExperimentSpec(ANALOG, ["lin_reg", "valacc"], train_sizes=[10, 20], trials=3, test_size=20)
    plan = make_plan(spec, bench, index)
    assert [s.predictor for s in plan.skipped] == ["valacc"]
    assert "records none" in plan.skipped[0].reason
    assert len(plan.tasks) == 3 * 2 and len({t.key for t in plan.tasks}) == 6
    assert {t.query for t in plan.tasks} == {QueryBudget("unlimited")}


def test_a_query_budget_in_seconds_buys_the_epochs_it_pays_for(runner):
    bench, index = runner.benchmark("nb201-mnist1d")
    oracle = IndexedOracle(bench, index, (), seed=0)
    epoch = float(np.mean([oracle.epoch_seconds(a) for a in bench.archs]))
    full = int(bench.curves["val_accuracy"].epochs[-1])
    budgets = [epoch / 2, 3.5 * epoch, 100 * epoch]
    spec = ExperimentSpec("nb201-mnist1d", ["valacc", "jacov"], query_seconds=budgets, trials=2, test_size=20)
    plan = make_plan(spec, bench, index)
    # half an epoch buys nothing: skipped with the reason; 3.5 epochs buy 3; the full schedule is never bought
    assert [s.predictor for s in plan.skipped] == [f"valacc at {budgets[0]:g} s per architecture"]
    assert "buys no epoch of partial training" in plan.skipped[0].reason
    valacc = sorted({(t.query.value, t.fidelity) for t in plan.tasks if t.predictor.name == "valacc"})
    assert valacc == [(budgets[1], 3), (budgets[2], full - 1)]
    # a proxy reads no curve: it keeps every budget in seconds and no fidelity
    assert {t.fidelity for t in plan.tasks if t.predictor.name == "jacov"} == {None}
    # each trial buys on its own test architectures: what it spends stays within the budget
    rows = [runner.run(t) for t in plan.tasks if t.predictor.name == "valacc"]
    assert all(r["status"] == "ok" and 0 < r["query_simulated_s"] <= r["query_budget"] for r in rows)
    assert {r["fidelity"] for r in rows if r["query_budget"] == budgets[2]} == {full - 1}
    assert {r["fidelity"] for r in rows if r["query_budget"] == budgets[1]} <= {2, 3, 4}


def test_opaque_space_skips_predictors_that_need_an_encoding(tmp_path, data_home):
    spike = load("spikenas-cifar10", data_home=data_home)
    rows = np.flatnonzero(np.isfinite(spike.curves["val_accuracy"].values[:, :20]).all(axis=1))[:300]
    curves = spike.curves["val_accuracy"].values[rows, :20]
    frame = pd.DataFrame({
        "arch": np.repeat([f"net-{i}" for i in range(len(rows))], 20),
        "epoch": np.tile(np.arange(1, 21), len(rows)),
        "val_accuracy": curves.ravel(),
    })
    path = tmp_path / "curves.csv"
    frame.to_csv(path, index=False)
    bench = load(str(path))
    assert bench.space.name == "opaque"
    spec = ExperimentSpec(str(path), ["lin_reg", "valacc"], train_sizes=[10], fidelities=[5], trials=2, test_size=50)
    run = TrialRunner()
    run.add(str(path), bench)
    outcome = run_experiment(spec, tmp_path / "r", runner=run)
    assert [(s.predictor, "opaque" in s.reason) for s in outcome.plan.skipped] == [("lin_reg", True)]
    assert len(outcome.table) == 2 and (outcome.table["status"] == "ok").all()
    # valacc at fidelity 5 against the epoch-20 target, by hand for trial 0
    row = outcome.table.iloc[0]
    split = draw_split(CanonicalIndex.of(bench).codes, pool_rows(bench), 50, seed=int(row["seed"]))
    at5 = bench.curves["val_accuracy"].values[split.rows, 4]
    assert row["kendall_tau"] == pytest.approx(hand_tau_b(bench.y[split.rows], at5), abs=1e-12)


def test_bad_spec_values_fail_before_any_trial(tmp_path, runner):
    bench, index = runner.benchmark(ANALOG)
    available = index.classes_with_target(bench.y)
    with pytest.raises(InvalidInputError, match="larger than the space allows"):
        make_plan(ExperimentSpec(ANALOG, ["rf"], train_sizes=[available - 199]), bench, index)
    with pytest.raises(InvalidInputError, match="trains architectures during initialization"):
        make_plan(ExperimentSpec(ANALOG, ["rf"], fidelities=[3]), bench, index)
    too_big = ExperimentSpec(ANALOG, ["rf"], train_sizes=[10], test_size=available)
    with pytest.raises(InvalidInputError, match="leaves nothing to train on"):
        make_plan(too_big, bench, index)


def test_trial_seed_feeds_predictors_random_state(runner):
    task = TrialTask(ANALOG, PredictorSpec("rf", {"n_estimators": 10}), InitBudget("archs", 15),
                     QueryBudget("unlimited"), 0, 0, 20)
    first, second = runner.run(task), runner.run(task)
    assert first["status"] == "ok" and first["kendall_tau"] == second["kendall_tau"]
    other = TrialTask(ANALOG, PredictorSpec("rf", {"n_estimators": 10, "random_state": 1}), InitBudget("archs", 15),
                      QueryBudget("unlimited"), 0, 0, 20)
    assert other.key != task.key and other.seed == task.seed
