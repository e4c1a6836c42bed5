"""Hostile conditions for what naspred writes and checks early: impossible targets, NaN targets, a sweep with
nothing to run, a disk that fills up, a read-only --out, bad predictor parameters and absurd grids.

The file system faults are simulated (the tests run as root, which ignores permissions): the writer is
monkeypatched to raise the ``OSError`` the kernel or pyarrow raises.
"""

from __future__ import annotations

import errno
import pickle
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from naspred import cli
from naspred.benchmarks import naslib_pickles
from naspred.benchmarks.base import Benchmark
from naspred.benchmarks.curve_table import OpaqueSpace
from naspred.errors import DataFileError, InvalidInputError
from naspred.evaluation import results
from naspred.evaluation.experiment import run_experiment
from naspred.evaluation.plan import check_predictors
from naspred.evaluation.reports import write_report
from naspred.evaluation.spec import MAX_TRIALS, ExperimentSpec
from naspred.evaluation.trial import TrialRunner

ANALOG = "nb201-analog-cifar10"
SWEEP = ["evaluate", "--benchmark", ANALOG, "--predictors", "lin_reg", "--train-sizes", "20", "--trials", "3",
         "--test-size", "20", "--no-report"]


@pytest.fixture(scope="module")
def runner() -> TrialRunner:
    return TrialRunner()


def _table(target: str, values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"arch": [f"net-{i}" for i in range(len(values))], target: values})


# -- item 8: targets --------------------------------------------------------------------------------------
def test_impossible_targets_are_refused_per_metric() -> None:
    with pytest.raises(DataFileError, match=r"target 'val_accuracy' lie outside \[0, 100\] \(first: 140\.0 for "
                                            r"architecture 'net-1'\)"):
        Benchmark("b", OpaqueSpace(), "ds", _table("val_accuracy", [90.0, 140.0, 50.0]), "val_accuracy")
    with pytest.raises(DataFileError, match=r"2 value\(s\) of target 'test_accuracy' lie outside"):
        Benchmark("b", OpaqueSpace(), "ds", _table("test_accuracy", [-0.5, 0.9, np.inf]), "test_accuracy")
    with pytest.raises(DataFileError, match=r"target 'val_loss' lie outside \[0, inf\]"):
        Benchmark("b", OpaqueSpace(), "ds", _table("val_loss", [0.3, -1.0]), "val_loss", higher_is_better=False)
    # fractions, NaN (not recorded) and metrics of no known range pass
    Benchmark("b", OpaqueSpace(), "ds", _table("val_accuracy", [0.91, np.nan, 0.0]), "val_accuracy")
    Benchmark("b", OpaqueSpace(), "ds", _table("score", [-3.0, 1e9]), "score")


def test_nan_last_epoch_target_in_an_nb201_pickle_is_noted(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NASPRED_CACHE", str(tmp_path / "cache"))
    cells = ("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
             "|avg_pool_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|avg_pool_3x3~1|nor_conv_1x1~2|")
    e = np.arange(1, 11, dtype=np.float64)
    data = {}
    for i, cell in enumerate(cells):
        acc = list(95 - 90 / e - i)
        if i == 1:
            acc[-1] = float("nan")
        data[cell] = {"cifar10-valid": {"train_losses": list(2.3 / e), "eval_losses": list(2.4 / e),
                                        "train_acc1es": list(100 - 90 / e), "eval_acc1es": acc,
                                        "cost_info": {"train_time": 100.0}}}
    path = tmp_path / "nb201_cifar10_full_training.pickle"
    path.write_bytes(pickle.dumps(data, protocol=4))
    bench = naslib_pickles.load_path(path)
    assert np.isnan(bench.y[1]) and not np.isnan(bench.y[0])
    assert any("1 architecture(s) have NaN eval_acc1es at their last epoch" in n and cells[1] in n for n in bench.notes)


def test_a_sweep_in_which_every_predictor_is_skipped_exits_non_zero(tmp_path: Path, capsys) -> None:
    rc = cli.main(["evaluate", "--benchmark", ANALOG, "--predictors", "valacc,sotle", "--fidelities", "5",
                   "--trials", "2", "--test-size", "20", "--out", str(tmp_path / "r"), "--no-report"])
    err = capsys.readouterr().err
    assert rc != 0
    assert "nothing can run on nb201-analog-cifar10: every predictor was skipped" in err
    assert "valacc: reads learning curves" in err and "sotle: reads learning curves" in err
    assert len(err.strip().splitlines()) == 1


# -- item 9: outputs are renamed into place ---------------------------------------------------------------
def _full_disk_savefig(self, fname, *args, **kwargs):
    Path(fname).write_bytes(b"\x89PNG\r\n")  # what a full disk leaves: the start of the file
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_while_writing_the_report_leaves_the_old_files_whole(tmp_path: Path, capsys, monkeypatch) -> None:
    out = tmp_path / "r"
    assert cli.main([*SWEEP, "--out", str(out)]) == 0, capsys.readouterr().err
    write_report(out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert {"report.md", "tau_vs_init.png", "tau_vs_wall.png"} <= set(before)
    monkeypatch.setattr(Figure, "savefig", _full_disk_savefig)
    with pytest.raises(results.OutputError, match=r"cannot write .*tau_vs_init\.png: the disk is full"):
        write_report(out)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before  # no empty or truncated PNG, no temporary file left beside them


# -- item 10: one line, and a clean stop that keeps every finished trial ------------------------------------
def test_a_read_only_out_folder_is_one_line(tmp_path: Path, capsys, monkeypatch) -> None:
    out = tmp_path / "ro"
    real_mkdir = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if self == out or out in self.parents:
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    rc = cli.main([*SWEEP, "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert f"cannot write {out}" in err and "read-only" in err


def test_a_full_disk_mid_sweep_stops_cleanly_and_resumes(tmp_path: Path, runner, monkeypatch) -> None:
    out = tmp_path / "r"
    spec = ExperimentSpec(ANALOG, ["lin_reg"], train_sizes=[20], trials=4, test_size=20)
    real = pd.DataFrame.to_parquet
    written = []

    def to_parquet(self, path, *args, **kwargs):  # pyarrow's full disk: an OSError with no errno
        written.append(path)
        if len(written) >= 2:
            raise OSError("Error writing bytes to file. Detail: [errno 28] No space left on device")
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", to_parquet)
    with pytest.raises(results.OutputError) as err:
        run_experiment(spec, out, runner=runner, compact_seconds=0.0)
    text = str(err.value)
    assert "results.parquet: the disk is full" in text and "run the same command again to resume" in text
    kept = len(list((out / "trials").glob("*.json")))
    assert 1 <= kept < 4 and f"{kept} finished trial(s) are kept" in text
    assert not list(out.glob(".*.tmp")) and not list((out / "trials").glob(".*.tmp"))
    monkeypatch.setattr(pd.DataFrame, "to_parquet", real)
    outcome = run_experiment(spec, out, runner=runner)
    assert (outcome.resumed, outcome.ran, len(outcome.table)) == (kept, 4 - kept, 4)


# -- item 11: parameters and grids are checked when the sweep is planned -----------------------------------
@pytest.mark.parametrize("value", ["x", -3])
def test_bad_predictor_parameters_fail_before_any_trial(tmp_path: Path, value, capsys) -> None:
    spec = ExperimentSpec(ANALOG, [{"name": "rf", "params": {"n_estimators": value}}], train_sizes=[20], trials=2)
    with pytest.raises(InvalidInputError, match=rf"^RandomForest: n_estimators must be an integer >= 1, got {value!r}$"):
        check_predictors(spec)
    rc = cli.main(["evaluate", "--spec", str(_spec_file(tmp_path, value)), "--out", str(tmp_path / "r"), "--no-report"])
    err = capsys.readouterr().err
    assert rc == 2 and "n_estimators" in err and not (tmp_path / "r" / "trials").exists()


def _spec_file(tmp_path: Path, value: object) -> Path:
    path = tmp_path / "spec.toml"
    shown = f'"{value}"' if isinstance(value, str) else str(value)
    path.write_text(f'benchmark = "{ANALOG}"\ntrain_sizes = [20]\ntrials = 2\ntest_size = 20\n'
                    f'[[predictors]]\nname = "rf"\nparams = {{ n_estimators = {shown} }}\n')
    return path


def test_an_absurd_grid_is_refused_at_once_with_an_estimate() -> None:
    start = time.perf_counter()
    with pytest.raises(InvalidInputError, match=r"at least 1,000,000 trials .* more than the 200,000 .* 11\.6 days"):
        ExperimentSpec(ANALOG, ["lin_reg"], train_sizes=[20], trials=1_000_000)
    assert time.perf_counter() - start < 1.0 and MAX_TRIALS == 200_000
    ExperimentSpec(ANALOG, ["lin_reg"], train_sizes=[20], trials=MAX_TRIALS)  # the limit itself is planned
