"""Reports and the evaluate/report commands: Markdown sections and PNG figures from a real sweep, the grid
broadcast of predictors that skip a budget axis, exit codes, and bad options refused before any work."""

from __future__ import annotations

import pandas as pd
import pytest

from naspred import cli
from naspred.evaluation.experiment import run_experiment
from naspred.evaluation.main_job import BENCHMARK, default_spec
from naspred.evaluation.reports import broadcast, pareto_front, write_report
from naspred.evaluation.spec import ExperimentSpec
from naspred.evaluation.trial import TrialRunner

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def sweep(tmp_path_factory, data_home):
    """A small init x query grid on nb201-cifar10: two model-based predictors and one learning-curve one."""
    out = tmp_path_factory.mktemp("sweep")
    spec = ExperimentSpec("nb201-cifar10", ["lin_reg", "bayes_lin_reg", "valacc", "sotle"], train_sizes=[10, 40],
                          fidelities=[5, 12], trials=3, test_size=30)
    outcome = run_experiment(spec, out, data_home=data_home, runner=TrialRunner(data_home))
    return outcome


def test_report_sections_and_figures(sweep):
    path = write_report(sweep.out)
    text = path.read_text()
    for heading in ("# naspred evaluation report", "## Skipped predictors", "## Results",
                    "## Best predictor per budget cell", "## Average rank across budget cells",
                    "## Pairwise significance"):
        assert heading in text
    # sotle sums a curve over every epoch; nb201-cifar10 records no training loss and validation accuracy at 12 and 200
    assert "| sotle at fidelity 12 | reads curves of 'val_accuracy' at every epoch up to epoch 12" in text
    # valacc at 5 epochs is skipped when the sweep is planned (the first recorded epoch is 12), with its reason
    assert "| valacc at fidelity 5 | reads curves of 'val_accuracy' at epoch 5" in text
    assert "## Failed trials" not in text
    for name in ("tau_vs_init.png", "grid_best.png", "tau_vs_wall.png"):
        assert (sweep.out / name).read_bytes()[:8] == PNG
        assert f"]({name})" in text
    assert not (sweep.out / "omni_ablation.png").exists()  # no OMNI predictor in this sweep


def test_grid_broadcasts_predictors_that_skip_an_axis(sweep):
    ok = sweep.table[sweep.table["status"] == "ok"]
    wide = broadcast(ok)
    # lin_reg spends nothing at query time: its rows repeat at the fidelity that ran (12; 5 failed for valacc)
    lin = wide[wide["predictor"] == "lin_reg"]
    assert set(zip(lin["init_budget"], lin["query_budget"])) == {(10.0, 12.0), (40.0, 12.0)}
    # valacc trains nothing at init: its rows repeat at both train sizes
    val = wide[wide["predictor"] == "valacc"]
    assert set(val["init_budget"]) == {10.0, 40.0} and len(val) == 2 * 3
    same = val.groupby("trial")["kendall_tau"].nunique()
    assert (same == 1).all()


def test_report_of_several_benchmarks_ranks_predictors_across_them(sweep, tmp_path, capsys):
    analog = run_experiment(ExperimentSpec(BENCHMARK, ["lin_reg", "bayes_lin_reg"], train_sizes=[10, 40], trials=3,
                                           test_size=30), tmp_path / "analog", runner=TrialRunner()).out
    with pytest.raises(Exception, match="needs an output folder"):
        write_report([sweep.out, analog])
    assert cli.main(["report", str(sweep.out), str(analog), "--out", str(tmp_path / "both")]) == 0
    text = (tmp_path / "both" / "report.md").read_text()
    assert "## Average rank across benchmarks" in text and "sotle at fidelity 12 (nb201-cifar10)" in text
    # by hand: rank the mean tau of each predictor within each benchmark, then average over benchmarks
    both = pd.concat([pd.read_parquet(sweep.out / "results.parquet"), pd.read_parquet(analog / "results.parquet")])
    means = both[both["status"] == "ok"].groupby(["benchmark", "predictor"])["kendall_tau"].mean()
    ranks = means.groupby(level="benchmark").rank(ascending=False).groupby(level="predictor").mean()
    section = text.split("## Average rank across benchmarks")[1].split("##")[0]
    for predictor, rank in ranks.items():
        assert f"| {predictor} | {rank:.2f} |" in section


def test_reports_say_the_protocol_and_refuse_to_merge_two(sweep, data_home, tmp_path):
    assert "- **Split**: `oracle`, protocol `canonical`: each predictor draws" in write_report(sweep.out).read_text()
    spec = ExperimentSpec("nb201-cifar10", ["lin_reg"], train_sizes=[10, 40], trials=2, test_size=30, split="random")
    random = run_experiment(spec, tmp_path / "random", data_home=data_home, runner=TrialRunner(data_home))
    assert set(random.table["protocol"]) == {"random"}
    assert "protocol `random`: test rows drawn at random from all rows" in write_report(random.out).read_text()
    with pytest.raises(Exception, match=r"different split protocols \({'nb201-cifar10': \['canonical', 'random'\]}\)"):
        write_report([sweep.out, random.out], tmp_path / "both")


def test_pareto_front():
    points = pd.DataFrame({"cost": [1.0, 2.0, 3.0, 4.0], "tau": [0.5, 0.4, 0.7, 0.6]})
    assert pareto_front(points, "cost", "tau")["cost"].tolist() == [1.0, 3.0]


def test_evaluate_exits_nonzero_when_a_trial_failed_and_report_command(sweep, data_home, capsys, tmp_path):
    out = tmp_path / "cli"
    # an init budget of 1 microsecond pays for no trained architecture: xgb cannot fit, and the trial fails
    rc = cli.main(["evaluate", "--benchmark", "nb201-cifar10", "--predictors", "xgb", "--init-seconds", "1e-6",
                   "--trials", "1", "--test-size", "20", "--out", str(out), "--data-home", str(data_home)])
    captured = capsys.readouterr()
    assert rc == 1
    assert "failed: xgb trial 0" in captured.err + captured.out
    assert "1 failed" in captured.out and f"report: {out.resolve() / 'report.md'}" in captured.out
    assert cli.main(["report", str(sweep.out)]) == 0
    assert str(sweep.out / "report.md") in capsys.readouterr().out


@pytest.mark.parametrize(
    "options, fragment",
    [
        (["--predictors", "no_such_predictor", "--train-sizes", "10"], "unknown predictor 'no_such_predictor'"),
        (["--predictors", "rf", "--init-seconds", "-5"], "init budgets in seconds must be finite and >= 0"),
        (["--predictors", "rf", "--train-sizes", "20000"], "larger than the space allows"),
        (["--benchmark", "no-such-benchmark", "--predictors", "rf", "--train-sizes", "10"], "unknown benchmark"),
        (["--predictors", "rf", "--train-sizes", "ten"], "expected a list of numbers"),
        (["--predictors", "rf", "--train-sizes", "10", "--executor", "serial", "--address", "auto"],
         "--address applies to the ray executor"),
    ],
)
def test_bad_options_fail_before_any_work(options, fragment, capsys, tmp_path):
    out = tmp_path / "never"
    args = ["evaluate", *([] if "--benchmark" in options else ["--benchmark", BENCHMARK]), *options, "--out", str(out)]
    assert cli.main(args) == 2
    assert fragment in capsys.readouterr().err
    assert not (out / "trials").exists()


def test_default_comparison_spec():
    spec = default_spec()
    assert spec.benchmark == "nb201-mnist1d" and spec.test_size == 200
    assert len(spec.predictors) >= 2 and spec.train_sizes == () and spec.init_seconds == (60.0, 300.0, 1200.0)
    assert spec.query_seconds == (0.5, 2.0, 5.0)
    # a budget given on one axis replaces that axis's default budgets and keeps the other axis's
    refined = default_spec({"train_sizes": [20]})
    assert refined.train_sizes == (20,) and refined.init_seconds == () and refined.query_seconds == spec.query_seconds
    # another benchmark: train sizes instead of seconds, and no predictor whose supernet is the default benchmark's
    other = default_spec({"benchmark": "nb201-analog-cifar10"})
    assert other.train_sizes == (20, 100, 400) and other.init_seconds == () and other.query_seconds == ()
    assert "weight_sharing" not in [p.label for p in other.predictors]
