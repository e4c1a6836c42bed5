"""Oracles: recorded curves and costs, hidden ground truth, sampling, proxies, live training."""

from __future__ import annotations

import numpy as np
import pytest

from naspred.benchmarks.base import Benchmark
from naspred.errors import (
    BudgetExceeded,
    HiddenGroundTruthError,
    InvalidArchitectureError,
    InvalidInputError,
    TrainingError,
    UnknownNameError,
)
from naspred.predictors import Budget, LiveOracle, SimulatedOracle
from naspred.spaces import get as get_space

from conftest import TINY_EPOCHS as EPOCHS
from conftest import tiny_curve_benchmark



def isomorphic_pair():
    """Two different NB201 cells with the same canonical form."""
    space = get_space("nb201")
    first = {}
    for arch in space.enumerate():
        key = space.canonical(arch)
        if key in first and first[key] != arch:
            return first[key], arch
        first.setdefault(key, arch)
    raise AssertionError("NB201 has no two cells of one canonical form")


def tiny_benchmark(archs, *, epoch_seconds=None, flops=None, proxies=None, higher_is_better=True) -> Benchmark:
    """A hand-built benchmark: target ``val_accuracy`` = 50 + row, a made-up 5-epoch curve ending at it."""
    columns = {} if flops is None else {"flops": flops}
    for name, (values, seconds) in (proxies or {}).items():
        columns[f"proxy:{name}"] = values
        if seconds is not None:
            columns[f"proxy_seconds:{name}"] = seconds
    target = 50.0 + np.arange(len(archs), dtype=np.float64)
    return tiny_curve_benchmark(
        archs, target, higher_is_better=higher_is_better, epoch_seconds=epoch_seconds, columns=columns
    )


@pytest.fixture(scope="module")
def cells(distinct_cells):
    return distinct_cells(10)


# -- SimulatedOracle: training ---------------------------------------------------------------------
def test_training_to_completion_returns_the_target_and_charges_recorded_time(cells):
    seconds = np.linspace(1.0, 10.0, len(cells))
    oracle = SimulatedOracle(tiny_benchmark(cells, epoch_seconds=seconds))
    assert oracle.full_epochs == EPOCHS
    assert oracle.cost_model.startswith("recorded epoch_seconds")
    with oracle.metered(Budget(seconds=1000.0), "init") as meter:
        result = oracle.train(cells[3], EPOCHS)
    assert result.complete and result.final == 53.0
    assert result.seconds == pytest.approx(seconds[3] * EPOCHS)
    np.testing.assert_array_equal(result.curves["val_accuracy"].epochs, np.arange(1, EPOCHS + 1))
    np.testing.assert_allclose(result.curves["val_accuracy"].values, 53.0 * np.arange(1, EPOCHS + 1) / EPOCHS)
    assert meter.spent == {"seconds": pytest.approx(seconds[3] * EPOCHS), "archs": 1, "epochs": EPOCHS}
    assert oracle.meters[-1] is meter


def test_partial_training_returns_the_curve_so_far_and_no_target(cells):
    oracle = SimulatedOracle(tiny_benchmark(cells, epoch_seconds=np.full(len(cells), 3.0)))
    result = oracle.train(cells[0], 2)
    assert not result.complete and result.final is None
    np.testing.assert_array_equal(result.curves["val_accuracy"].epochs, [1, 2])
    np.testing.assert_allclose(result.curves["val_accuracy"].values, [10.0, 20.0])
    assert result.seconds == 6.0
    # outside a metered block the charge lands in the unmetered ledger
    assert oracle.meter.phase == "unmetered" and oracle.meter.spent["epochs"] == 2


@pytest.mark.parametrize("epochs", [0, EPOCHS + 1, 2.5, True])
def test_training_length_outside_the_schedule_is_refused(cells, epochs):
    oracle = SimulatedOracle(tiny_benchmark(cells))
    with pytest.raises(InvalidInputError, match=rf"epochs must be an integer in \[1, {EPOCHS}\]"):
        oracle.train(cells[0], epochs)


def test_architecture_of_another_space_or_not_in_the_benchmark_is_refused(cells):
    oracle = SimulatedOracle(tiny_benchmark(cells[:5]))
    with pytest.raises(InvalidArchitectureError, match="not in benchmark 'tiny'"):
        oracle.train(cells[7], 1)
    darts = get_space("darts").sample(np.random.default_rng(0))
    with pytest.raises(InvalidArchitectureError):
        oracle.train(darts, 1)


def test_budget_refuses_training_before_it_happens(cells):
    oracle = SimulatedOracle(tiny_benchmark(cells, epoch_seconds=np.full(len(cells), 10.0)))
    with oracle.metered(Budget(seconds=120.0), "init") as meter:
        oracle.train(cells[0], EPOCHS)  # 50 s
        oracle.train(cells[1], EPOCHS)  # 100 s
        with pytest.raises(BudgetExceeded, match="refuses train of"):
            oracle.train(cells[2], EPOCHS)
        oracle.train(cells[2], 2)  # 20 s still fits
    assert meter.spent["seconds"] == 120.0 and len(meter.refused) == 1
    # cells[2] was refused in full, so only its partial training made it seen; cells 3.. remain
    assert oracle.remaining() == len(cells) - 3


# -- hidden architectures ------------------------------------------------------------------------
def test_hidden_architecture_never_reveals_its_final_result(cells):
    oracle = SimulatedOracle(tiny_benchmark(cells), hidden=cells[:3])
    with pytest.raises(HiddenGroundTruthError, match=f"at most {EPOCHS - 1} epochs"):
        oracle.train(cells[1], EPOCHS)
    # query-time training of a hidden architecture: the curve up to the fidelity, never the last epoch
    result = oracle.train(cells[1], EPOCHS - 1)
    assert result.final is None and result.curves["val_accuracy"].epochs.max() == EPOCHS - 1
    assert oracle.is_hidden(cells[0]) and not oracle.is_hidden(cells[5])
    assert oracle.meter.refused == []  # refused before any charge


def test_an_isomorphic_copy_of_a_hidden_architecture_is_hidden_too(distinct_cells):
    a, b = isomorphic_pair()
    others = [c for c in distinct_cells(4, seed=1) if get_space("nb201").canonical(c) != get_space("nb201").canonical(a)]
    oracle = SimulatedOracle(tiny_benchmark([a, b, *others]), hidden=[a])
    with pytest.raises(HiddenGroundTruthError):
        oracle.train(b, EPOCHS)
    drawn = oracle.sample(len(others))
    assert sorted(map(str, drawn)) == sorted(map(str, others))


def test_hidden_architectures_may_be_given_as_text(cells):
    space = get_space("nb201")
    oracle = SimulatedOracle(tiny_benchmark(cells), hidden=[space.format(cells[2])])
    assert oracle.is_hidden(cells[2])


# -- sampling ----------------------------------------------------------------------------------------
def test_sample_draws_unseen_non_hidden_archs_until_none_remain(cells):
    space = get_space("nb201")
    oracle = SimulatedOracle(tiny_benchmark(cells), hidden=cells[:2], seed=3)
    assert oracle.remaining() == 8
    first = oracle.sample(3)
    second = oracle.sample(5)
    drawn = first + second
    keys = {space.canonical(a) for a in drawn}
    assert len(keys) == 8
    assert not keys & {space.canonical(a) for a in cells[:2]}
    assert oracle.remaining() == 0
    with pytest.raises(InvalidInputError, match="asked for 1 architectures but only 0"):
        oracle.sample(1)


def test_sample_is_reproducible_from_the_seed_and_unlabelled_draws_do_not_use_up_the_pool(cells):
    one = SimulatedOracle(tiny_benchmark(cells), seed=7)
    two = SimulatedOracle(tiny_benchmark(cells), seed=7)
    assert one.sample(4) == two.sample(4)
    before = one.remaining()
    unlabelled = one.sample(3, mark_seen=False)
    assert len(unlabelled) == 3 and one.remaining() == before
    with pytest.raises(InvalidInputError, match="integer >= 0"):
        one.sample(-1)


def test_trained_architectures_are_not_drawn_again(cells):
    oracle = SimulatedOracle(tiny_benchmark(cells), seed=0)
    oracle.train(cells[4], 1)
    drawn = oracle.sample(len(cells) - 1)
    assert cells[4] not in drawn


def test_rows_without_a_target_are_never_drawn(cells):
    bench = tiny_benchmark(cells)
    bench.table.loc[2, "val_accuracy"] = np.nan
    oracle = SimulatedOracle(bench, seed=0)
    assert oracle.remaining() == len(cells) - 1
    assert cells[2] not in oracle.sample(len(cells) - 1)


# -- cost models ---------------------------------------------------------------------------------------
def test_cost_proportional_to_flops_where_no_time_is_recorded(cells):
    flops = np.linspace(10.0, 100.0, len(cells))
    flops[4] = np.nan  # no flops, and no other cell of its canonical form: overall mean
    oracle = SimulatedOracle(tiny_benchmark(cells, flops=flops), seconds_per_epoch=2.0)
    assert "flops" in oracle.cost_model and "2 s per epoch" in oracle.cost_model
    mean = np.nanmean(flops)
    assert oracle.epoch_seconds(cells[0]) == pytest.approx(2.0 * flops[0] / mean)
    assert oracle.epoch_seconds(cells[9]) == pytest.approx(2.0 * flops[9] / mean)
    assert oracle.epoch_seconds(cells[4]) == pytest.approx(2.0)
    assert oracle.train(cells[9], 3).seconds == pytest.approx(3 * 2.0 * flops[9] / mean)


def test_constant_cost_without_time_or_flops(cells):
    oracle = SimulatedOracle(tiny_benchmark(cells), seconds_per_epoch=4.0)
    assert "constant 4 s per epoch" in oracle.cost_model
    assert oracle.train(cells[0], 2).seconds == 8.0
    with pytest.raises(InvalidInputError, match="seconds_per_epoch"):
        SimulatedOracle(tiny_benchmark(cells), seconds_per_epoch=0.0)


def test_missing_recorded_training_time_is_an_error(cells):
    seconds = np.ones(len(cells))
    seconds[1] = np.nan
    with pytest.raises(Exception, match="epoch_seconds is missing or negative for 1 architectures"):
        SimulatedOracle(tiny_benchmark(cells, epoch_seconds=seconds))


# -- proxies ---------------------------------------------------------------------------------------------
def test_proxies_are_read_and_their_recorded_time_charged(cells):
    values = np.arange(len(cells), dtype=float) * 1.5
    seconds = np.full(len(cells), 0.25)
    oracle = SimulatedOracle(tiny_benchmark(cells, proxies={"jacov": (values, seconds), "params": (values * 2, None)}))
    assert set(oracle.available_proxies) == {"jacov", "params"}
    with oracle.metered(Budget(seconds=10.0), "query") as meter:
        got = oracle.proxies([cells[3], cells[1]], ["jacov", "params"])
    np.testing.assert_allclose(got["jacov"], [4.5, 1.5])
    np.testing.assert_allclose(got["params"], [9.0, 3.0])
    assert meter.seconds_by_kind() == {"proxy": 0.5}  # params records no time: free
    with pytest.raises(UnknownNameError, match="no proxy \\['synflow'\\]"):
        oracle.proxies([cells[0]], ["synflow"])


def test_proxy_missing_for_a_cell_is_read_from_an_isomorphic_one_or_refused(distinct_cells):
    a, b = isomorphic_pair()
    space = get_space("nb201")
    others = [c for c in distinct_cells(3, seed=2) if space.canonical(c) != space.canonical(a)]
    archs = [a, b, *others]
    values = np.array([7.0, np.nan] + [1.0] * (len(others) - 1) + [np.nan])
    oracle = SimulatedOracle(tiny_benchmark(archs, proxies={"jacov": (values, None)}))
    assert oracle.proxies([b], ["jacov"])["jacov"][0] == 7.0
    assert oracle.proxy_fallbacks == 1
    with pytest.raises(InvalidInputError, match="records no proxy 'jacov'"):
        oracle.proxies([archs[-1]], ["jacov"])
    strict = SimulatedOracle(tiny_benchmark(archs, proxies={"jacov": (values, None)}), proxy_fallback=False)
    with pytest.raises(InvalidInputError, match="records no proxy 'jacov'"):
        strict.proxies([b], ["jacov"])


def test_proxies_of_hidden_architectures_are_available(cells):
    values = np.arange(len(cells), dtype=float)
    oracle = SimulatedOracle(tiny_benchmark(cells, proxies={"zen": (values, None)}), hidden=cells[:2])
    assert oracle.proxies(cells[:2], ["zen"])["zen"].tolist() == [0.0, 1.0]


# -- LiveOracle ------------------------------------------------------------------------------------------
def curve_fn(arch, epochs):
    """A training function returning a deterministic curve (accuracy rising to 60 + number of convolutions)."""
    space = get_space("nb201")
    convs = space.format(arch).count("conv")
    final = 60.0 + convs
    return {"val_accuracy": [final * e / 10 for e in range(1, epochs + 1)], "train_loss": [1.0 / e for e in range(1, epochs + 1)]}


def test_live_oracle_trains_with_the_users_function_and_charges_wall_time(cells):
    oracle = LiveOracle(get_space("nb201"), curve_fn, full_epochs=10, seed=0)
    with oracle.metered(Budget(seconds=60.0), "init") as meter:
        result = oracle.train(cells[0], 10)
    convs = get_space("nb201").format(cells[0]).count("conv")
    assert result.complete and result.final == 60.0 + convs
    assert len(result.curves["train_loss"]) == 10
    assert meter.spent["archs"] == 1 and meter.spent["epochs"] == 10
    assert meter.charges[0].measured and meter.charges[0].kind == "train"
    assert result.seconds == meter.charges[0].seconds >= 0
    assert "measured wall time" in oracle.cost_model


@pytest.mark.parametrize(
    "returned, fragment",
    [
        ({"val_accuracy": [1.0, float("nan"), 3.0]}, "not finite at epoch 2"),
        ({"val_accuracy": [1.0, 2.0]}, "expected 3 values, one per epoch"),
        ([1.0, 2.0, 3.0], "must return a non-empty dict"),
        ({"val_accuracy": ["a", "b", "c"]}, "not a list of numbers"),
        ({"train_loss": [1.0, 2.0, 3.0]}, "returned no 'val_accuracy' curve"),
    ],
)
def test_live_oracle_turns_malformed_results_into_a_per_arch_error(cells, returned, fragment):
    oracle = LiveOracle(get_space("nb201"), lambda arch, epochs: returned, full_epochs=3)
    with pytest.raises(TrainingError, match=fragment):
        oracle.train(cells[0], 3)
    assert len(oracle.failures) == 1 and fragment in oracle.failures[0].message


def test_live_oracle_reports_exceptions_of_the_training_function(cells):
    def broken(arch, epochs):
        raise MemoryError("out of GPU memory")

    oracle = LiveOracle(get_space("nb201"), broken, full_epochs=3)
    with (
        oracle.metered(Budget(seconds=100.0), "init") as meter,
        pytest.raises(TrainingError, match="raised MemoryError: out of GPU memory") as info,
    ):
        oracle.train(cells[0], 3)
    assert isinstance(info.value.__cause__, MemoryError)
    assert meter.charges[0].kind == "train"  # the time spent failing is charged
    # the oracle is still usable
    oracle.train_fn = curve_fn
    assert oracle.train(cells[1], 2).curves["val_accuracy"].values.shape == (2,)


def test_live_oracle_hides_held_out_results_and_refuses_once_spent(cells):
    oracle = LiveOracle(get_space("nb201"), curve_fn, full_epochs=10, hidden=cells[:1])
    with pytest.raises(HiddenGroundTruthError):
        oracle.train(cells[0], 10)
    assert oracle.train(cells[0], 9).final is None
    drawn = oracle.sample(20)
    space = get_space("nb201")
    assert space.canonical(cells[0]) not in {space.canonical(a) for a in drawn}
    assert len({space.canonical(a) for a in drawn}) == 20
    with oracle.metered(Budget(archs=1), "init"):
        oracle.train(drawn[0], 10)
        with pytest.raises(BudgetExceeded, match="refuses training"):
            oracle.train(drawn[1], 10)


def test_live_oracle_needs_a_callable():
    with pytest.raises(InvalidInputError, match="train_fn must be callable"):
        LiveOracle(get_space("nb201"), "train.py", full_epochs=3)


def test_oracle_serves_no_proxies_it_does_not_have(cells):
    oracle = LiveOracle(get_space("nb201"), curve_fn, full_epochs=3)
    with pytest.raises(UnknownNameError, match="serves no precomputed proxies"):
        oracle.proxies(cells[:1], ["jacov"])


# -- real data ----------------------------------------------------------------------------------------------
def test_simulated_oracle_on_nasbench201(nb201_bench):
    space = nb201_bench.space
    rng = np.random.default_rng(0)
    rows = rng.choice(len(nb201_bench), size=20, replace=False)
    hidden = [nb201_bench.archs[i] for i in rows[:10]]
    oracle = SimulatedOracle(nb201_bench, hidden=hidden, seed=0)
    assert oracle.full_epochs == 200
    assert "proxy:flops" in oracle.cost_model  # NAS-Bench-201 files record no training time
    # partial training of a hidden cell yields its recorded 12-epoch accuracy and nothing later
    r = oracle.train(hidden[0], 150)
    np.testing.assert_array_equal(r.curves["val_accuracy"].epochs, [12])
    assert r.curves["val_accuracy"].values[0] == nb201_bench.table["val_accuracy_12"].iloc[rows[0]]
    with pytest.raises(HiddenGroundTruthError):
        oracle.train(hidden[0], 200)
    # a visible cell trained to completion yields the 200-epoch validation accuracy of the table
    visible = nb201_bench.archs[rows[15]]
    full = oracle.train(visible, 200)
    assert full.final == nb201_bench.table["val_accuracy"].iloc[rows[15]]
    hidden_keys = {space.canonical(a) for a in hidden}
    drawn = oracle.sample(200)
    assert not hidden_keys & {space.canonical(a) for a in drawn}
    assert len({space.canonical(a) for a in drawn}) == 200
    zen = oracle.proxies([visible], ["zen"])["zen"][0]
    assert zen == nb201_bench.table["proxy:zen"].iloc[rows[15]]
