"""A generic learning-curve table of real replicate runs: nb201-mnist1d's packaged runs (110 of its 400 cells
trained with two seeds), cut to their first 10 epochs and written in the documented layout, with a ``seed``
column and no ``val_accuracy`` column, so that the target is the epoch-10 ``val_loss`` (minimised)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from naspred import benchmarks, cli

PACKAGED = Path(benchmarks.__file__).parent / "data" / "nb201_mnist1d.csv.gz"
LEARNING_CURVE = ("valacc", "valloss", "early_stopping", "sotl", "sotle", "sotlema", "lce", "lcsvr")


pytestmark = pytest.mark.usefixtures("private_cache")


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    frame = pd.read_csv(PACKAGED)
    frame = frame[frame["epoch"] <= 10]  # a 10-epoch schedule, shorter than some predictors' default fidelity
    path = tmp_path / "mnist1d_runs.csv"
    frame[["arch", "seed", "epoch", "train_loss", "val_loss", "seconds"]].rename(
        columns={"seconds": "epoch_time"}).to_csv(path, index=False)
    return path


def test_replicates_average_into_one_row_per_architecture(runs: Path) -> None:
    frame = pd.read_csv(runs)
    bench = benchmarks.load(runs)
    assert bench.target == "val_loss" and not bench.higher_is_better and bench.space.name == "nb201"
    assert len(bench) == frame["arch"].nunique()
    last = frame[frame["epoch"] == frame["epoch"].max()].groupby("arch")["val_loss"].mean()
    assert dict(zip(bench.table["arch"], bench.y)) == pytest.approx(last.to_dict(), rel=1e-12)


def test_every_learning_curve_predictor_and_omni_run_with_no_option(runs: Path, tmp_path: Path, capsys) -> None:
    """The schedule is 10 epochs: defaults of 10 (12 for OMNI) epochs are fitted to half of it when planned."""
    out = tmp_path / "out"
    rc = cli.main(["evaluate", "--benchmark", str(runs), "--predictors", ",".join([*LEARNING_CURVE, "omni"]),
                   "--train-sizes", "20", "--trials", "1", "--test-size", "50", "--out", str(out), "--no-report"])
    printed = capsys.readouterr().out
    assert rc == 0, printed
    assert "skipped" not in printed and "queried at 5 epochs, half of it" in printed
    table = pd.read_parquet(out / "results.parquet")
    assert sorted(table["predictor"]) == sorted([*LEARNING_CURVE, "omni"])
    assert (table["status"] == "ok").all() and (table["fidelity"] == 5).all()
    assert (table["kendall_tau"] > 0).all(), table[["predictor", "kendall_tau"]].to_string()


def test_a_given_fidelity_past_the_schedule_fails_when_planned(runs: Path) -> None:
    from naspred.errors import InvalidInputError
    from naspred.evaluation.plan import make_plan
    from naspred.evaluation.spec import ExperimentSpec

    spec = ExperimentSpec(str(runs), [{"name": "valacc", "params": {"fidelity": 10}}], trials=1, test_size=50)
    with pytest.raises(InvalidInputError, match=r"'valacc\(fidelity=10\)' reads curves at 10 epochs, the benchmark's "
                                                r"schedule is 10 epochs"):
        make_plan(spec, benchmarks.load(runs))
