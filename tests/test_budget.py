"""Budgets and their meters: limits, refusals before spending, overruns after measuring, the ledger."""

from __future__ import annotations

import math

import pytest

from naspred.errors import BudgetExceeded, InvalidInputError
from naspred.oracles import budget as budget_module
from naspred.oracles.budget import Budget, BudgetMeter


class FakeClock:
    """A perf_counter that advances only when told to."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(budget_module.time, "perf_counter", fake)
    return fake


# -- Budget ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"seconds": -1.0}, "seconds must be finite and >= 0"),
        ({"seconds": math.nan}, "seconds must be finite"),
        ({"seconds": math.inf}, "seconds must be finite"),
        ({"archs": -3}, "archs must be finite and >= 0"),
        ({"archs": 2.5}, "archs must be a whole number"),
        ({"epochs": "ten"}, "epochs must be a number"),
        ({"archs": True}, "archs must be a number"),
    ],
)
def test_budget_refuses_bad_limits(kwargs, fragment):
    with pytest.raises(InvalidInputError, match=fragment):
        Budget(**kwargs)


def test_budget_zero_is_allowed_and_recognised():
    zero = Budget(seconds=0)
    assert zero.is_zero and not zero.allows_training and not zero.allows_full_training
    assert Budget(epochs=0).is_zero
    # no full training, but partial training of up to 20 epochs
    partial = Budget(archs=0, epochs=20)
    assert not partial.is_zero and partial.allows_training and not partial.allows_full_training
    assert not Budget().is_zero and Budget.unlimited().is_unlimited


def test_budget_whole_numbers_are_kept_as_int():
    b = Budget(seconds=10, archs=5.0, epochs=7)
    assert b.seconds == 10.0 and isinstance(b.seconds, float)
    assert b.archs == 5 and isinstance(b.archs, int)
    assert b.limits == {"seconds": 10.0, "archs": 5, "epochs": 7}


def test_per_arch_budget_scales_with_the_number_of_queried_archs():
    per = Budget(seconds=2.5, epochs=12, per_arch=True)
    total = per.total(4)
    assert total.seconds == 10.0 and total.epochs == 48 and total.archs is None and not total.per_arch
    assert Budget(seconds=3).total(4) == Budget(seconds=3)
    with pytest.raises(InvalidInputError, match="number of queried architectures"):
        per.total(None)
    with pytest.raises(InvalidInputError, match="number of queried architectures"):
        BudgetMeter(per, phase="query")


def test_budget_describe():
    assert Budget().describe() == "unlimited"
    assert Budget(seconds=3600, archs=50).describe() == "3600 s, 50 archs"
    assert Budget(epochs=12, per_arch=True).describe() == "12 epochs per architecture"


# -- BudgetMeter ----------------------------------------------------------------------------------
def test_charge_inside_the_budget_is_recorded():
    meter = BudgetMeter(Budget(seconds=100.0), phase="init")
    meter.charge("train", 60.0, archs=1, epochs=200, arch="a")
    meter.charge("proxy", 30.0)
    assert meter.spent == {"seconds": 90.0, "archs": 1, "epochs": 200}
    assert meter.remaining == {"seconds": 10.0}
    assert not meter.overrun and not meter.exhausted


def test_charge_that_would_cross_the_limit_is_refused_and_not_spent():
    meter = BudgetMeter(Budget(seconds=100.0), phase="init")
    meter.charge("train", 60.0, archs=1, epochs=200)
    with pytest.raises(BudgetExceeded, match=r"init budget \(100 s\) refuses train of b: it costs 50 seconds, 40 of 100") as info:
        meter.charge("train", 50.0, archs=1, epochs=200, arch="b")
    assert info.value.meter is meter
    assert meter.spent["seconds"] == 60.0 and len(meter.charges) == 1
    assert [c.arch for c in meter.refused] == ["b"]
    # what still fits is accepted
    meter.charge("train", 40.0)
    assert meter.remaining == {"seconds": 0.0} and meter.exhausted


def test_units_budget_counts_full_trainings_and_epochs():
    meter = BudgetMeter(Budget(archs=2), phase="init")
    meter.charge("train", 1.0, archs=1, epochs=200)
    meter.charge("train", 1.0, archs=0, epochs=12)  # partial training does not use an arch
    meter.charge("train", 1.0, archs=1, epochs=200)
    with pytest.raises(BudgetExceeded, match="archs"):
        meter.charge("train", 1.0, archs=1, epochs=200)
    epochs = BudgetMeter(Budget(epochs=30, per_arch=True), phase="query", n_archs=2)
    assert epochs.limit.epochs == 60
    epochs.charge("train", 5.0, epochs=30)
    epochs.charge("train", 5.0, epochs=30)
    with pytest.raises(BudgetExceeded, match="it costs 1 epochs, 0 of 60 left"):
        epochs.charge("train", 5.0, epochs=1)


def test_measured_time_past_the_limit_is_recorded_as_overrun(clock):
    meter = BudgetMeter(Budget(seconds=10.0), phase="init")
    meter.charge("train", 8.0, archs=1, epochs=1)
    with meter.timing("fit"):
        clock.now += 5.0
    assert meter.spent["seconds"] == pytest.approx(13.0)
    assert meter.overrun == {"seconds": pytest.approx(3.0)}
    summary = meter.summary()
    assert summary["simulated_seconds"] == 8.0
    assert summary["wall_seconds"] == pytest.approx(5.0)
    assert summary["seconds_by_kind"] == {"train": 8.0, "fit (wall)": pytest.approx(5.0)}
    assert summary["overrun"] == {"seconds": pytest.approx(3.0)}
    # nothing more may be charged once exhausted
    with pytest.raises(BudgetExceeded):
        meter.charge("proxy", 0.5)


def test_nested_timing_is_not_counted_twice(clock):
    meter = BudgetMeter(Budget(seconds=100.0), phase="query", n_archs=None)
    with meter.timing("predict"):
        clock.now += 1.0
        with meter.timing("featurize"):
            clock.now += 2.0
        clock.now += 0.5
    by_kind = meter.seconds_by_kind()
    assert by_kind == {"featurize (wall)": pytest.approx(2.0), "predict (wall)": pytest.approx(1.5)}
    assert meter.spent["seconds"] == pytest.approx(3.5)


def test_timing_records_even_when_the_block_raises(clock):
    meter = BudgetMeter(Budget(seconds=100.0))
    with pytest.raises(RuntimeError), meter.timing("fit"):
        clock.now += 4.0
        raise RuntimeError("boom")
    assert meter.spent["seconds"] == pytest.approx(4.0)


def test_wall_time_is_not_counted_when_the_budget_says_so(clock):
    meter = BudgetMeter(Budget(seconds=0.0, count_wall=False), phase="query")
    with meter.timing("predict"):
        clock.now += 2.0
    assert meter.spent["seconds"] == 0.0 and not meter.overrun
    assert meter.summary()["wall_seconds"] == pytest.approx(2.0)
    # measured training is a training cost and always counts
    with meter.timing("train", archs=0, epochs=1):
        clock.now += 1.0
    assert meter.overrun == {"seconds": pytest.approx(1.0)}


def test_units_budget_does_not_limit_wall_time(clock):
    meter = BudgetMeter(Budget(epochs=0, per_arch=True), phase="query", n_archs=3)
    with meter.timing("predict"):
        clock.now += 7.0
    assert not meter.overrun and meter.spent["epochs"] == 0


def test_require_open_refuses_to_start_once_spent():
    meter = BudgetMeter(Budget(seconds=5.0, archs=1))
    meter.require_open("training x", archs=1, epochs=10)  # room left: no error
    meter.record("train", 6.0, archs=1, epochs=10, arch="x")
    assert meter.overrun == {"seconds": 1.0}
    with pytest.raises(BudgetExceeded, match="refuses training y: its seconds are spent"):
        meter.require_open("training y", archs=0, epochs=1)
    assert len(meter.refused) == 1


def test_require_open_lets_partial_training_through_a_budget_of_no_full_training():
    meter = BudgetMeter(Budget(archs=0, epochs=20))
    meter.require_open("partial", archs=0, epochs=12)
    with pytest.raises(BudgetExceeded, match="it costs 1 archs, 0 of 0 left"):
        meter.require_open("full", archs=1, epochs=12)
    with pytest.raises(BudgetExceeded, match="it costs 21 epochs"):
        meter.require_open("long", archs=0, epochs=21)


@pytest.mark.parametrize(
    "kind, seconds, archs, fragment",
    [
        ("dance", 1.0, 0, "unknown simulated charge 'dance'"),
        ("fit", 1.0, 0, "unknown simulated charge 'fit'"),
        ("train", -1.0, 0, "finite seconds >= 0"),
        ("train", math.nan, 0, "finite seconds >= 0"),
        ("train", 1.0, -1, "archs as an integer >= 0"),
    ],
)
def test_malformed_charges_are_refused(kind, seconds, archs, fragment):
    meter = BudgetMeter(Budget(seconds=10.0))
    with pytest.raises(InvalidInputError, match=fragment):
        meter.charge(kind, seconds, archs=archs)


def test_meter_needs_a_budget():
    with pytest.raises(InvalidInputError, match="expected a Budget"):
        BudgetMeter(100.0)  # type: ignore[arg-type]
