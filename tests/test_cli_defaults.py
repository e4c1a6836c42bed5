"""What a newcomer meets first: `naspred --version`, help texts, options that refine the default comparison, one
note per line in `benchmark info`, and `report` over several folders of one benchmark."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from naspred import __version__, cli
from naspred.evaluation import main_job
from naspred.evaluation.reports import write_report

SMALL = ["--train-sizes", "10", "--test-size", "20", "--trials", "1"]


def _spec(out) -> dict:
    return json.loads((out / "run.json").read_text())["spec"]


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"naspred {__version__}"


def test_help_texts_state_the_defaults_without_markup(capsys):
    parser = cli.build_parser()
    texts = [parser.format_help()]
    sub = next(a for a in parser._actions if a.dest == "command")
    texts += [p.format_help() for p in sub.choices.values()]
    assert not [t for t in texts if "``" in t]
    evaluate = " ".join(sub.choices["evaluate"].format_help().split())
    assert main_job.BENCHMARK in evaluate
    assert f"trials per budget cell (default {main_job.TRIALS};" in evaluate


def test_options_refine_the_default_comparison(tmp_path, capsys):
    out = tmp_path / "refined"
    assert cli.main(["evaluate", *SMALL, "--out", str(out), "--no-report"]) == 0
    spec = _spec(out)
    assert spec["benchmark"] == main_job.BENCHMARK and spec["trials"] == 1 and spec["train_sizes"] == [10]
    # --train-sizes replaces the default init budgets in seconds; the query budgets in seconds stay
    assert spec["init_seconds"] == [] and spec["query_seconds"] == list(main_job.QUERY_SECONDS)
    # one predictor of each family and OMNI, all of which run on the default benchmark
    assert [p["label"] for p in spec["predictors"]] == list(main_job.PREDICTORS)
    assert json.loads((out / "run.json").read_text())["skipped"] == []
    rows = pd.read_parquet(out / "results.parquet")
    assert (rows["status"] == "ok").all() and set(rows["predictor"]) == set(main_job.PREDICTORS)
    assert "refined by --train-sizes, --trials, --test-size" in capsys.readouterr().out


def test_benchmark_alone_keeps_the_default_predictors_that_run_on_it(tmp_path, data_home, capsys):
    out = tmp_path / "nb201"
    args = ["evaluate", "--benchmark", "nb201-cifar10", "--test-size", "20", "--trials", "1", "--fidelities", "12",
            "--out", str(out), "--no-report", "--data-home", str(data_home)]
    assert cli.main(args) == 0
    spec = _spec(out)
    # budgets in seconds are the default benchmark's scale: another benchmark gets the default train sizes
    assert spec["train_sizes"] == list(main_job.TRAIN_SIZES) and spec["init_seconds"] == []
    # the weight-sharing supernet trains the default benchmark's network and data: it stays there; sotle reads
    # training losses, which nb201-cifar10 does not record
    labels = [p["label"] for p in spec["predictors"]]
    assert labels == [p for p in main_job.PREDICTORS if p not in (*main_job.DEFAULT_BENCHMARK_ONLY, "sotle")]


def test_benchmark_info_prints_one_note_per_line(capsys):
    assert cli.main(["benchmark", "info", "nb201-analog-cifar10"]) == 0
    lines = capsys.readouterr().out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("notes"))
    assert cli.main(["benchmark", "info", "nb201-analog-cifar10", "--json"]) == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert [line[24:] for line in lines[first : first + len(notes)]] == notes


def test_report_merges_folders_of_one_benchmark(tmp_path, capsys):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    base = ["evaluate", "--predictors", "lin_reg", "--train-sizes", "10", "--test-size", "20", "--no-report", "-q"]
    assert cli.main([*base, "--trials", "2", "--out", str(a)]) == 0
    assert cli.main([*base, "--trials", "1", "--out", str(b)]) == 0  # its one trial is trial 0 of a
    assert cli.main([*base, "--trials", "1", "--seed", "7", "--out", str(c)]) == 0  # another split
    assert cli.main(["report", str(a), str(b), str(c), "--out", str(tmp_path / "all")]) == 0
    text = (tmp_path / "all" / "report.md").read_text()
    assert "- **Trials finished**: 3 ok, 0 failed, of 3 planned" in text
    assert "1 trial(s) appear in more than one results folder" in text
    notes = [line for line in text.splitlines() if line.startswith("- **Note**")]
    assert len(notes) == len(set(notes))
    assert cli.main([*base, "--trials", "1", "--test-size", "30", "--out", str(tmp_path / "d")]) == 0
    with pytest.raises(Exception, match="different test sizes"):
        write_report([a, tmp_path / "d"], tmp_path / "mixed")
    rows = pd.read_parquet(a / "results.parquet")
    assert len(rows) == 2


def test_live_training_logs_each_run_and_epoch(tmp_path, caplog):
    pytest.importorskip("mnist1d")
    from naspred.live.generate import generate
    from naspred.live.trainer import MNIST1DTrainer
    from naspred.spaces.nasbench201 import NB201Space

    space = NB201Space()
    cell = "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|skip_connect~1|nor_conv_3x3~2|"
    trainer = MNIST1DTrainer(channels=2, epochs=2, batch_size=50, n_train=100, n_val=50)
    with caplog.at_level(logging.DEBUG, logger="naspred.live"):
        generate(space, [(space.parse(cell), 0)], lambda seed: trainer, epochs=2, results_path=tmp_path / "runs.jsonl")
    text = caplog.text
    assert f"run 1 of 1: training {cell} seed 0 for 2 epochs" in text
    assert "epoch 2/2: train loss" in text and f"trained {cell} for 2 epoch(s)" in text


def test_quiet_is_accepted_before_or_after_the_subcommand(capsys):
    assert cli.build_parser().parse_args(["-q", "data", "list"]).quiet is True
    assert cli.build_parser().parse_args(["data", "list", "-q"]).quiet is True
    assert cli.build_parser().parse_args(["data", "list"]).quiet is False


def test_version_matches_the_package_metadata():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    assert re.search(r'^version = "([^"]+)"', (root / "pyproject.toml").read_text(), re.M).group(1) == __version__
    assert "Apache License\n                           Version 2.0" in (root / "LICENSE").read_text()


def test_a_mistyped_option_is_refused_with_the_closest_one(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["evaluate", "--trails", "3"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --trails 3 (--trails: did you mean --trials?)" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["data", "list", "--verbos"])
    assert "--verbos: did you mean --verbose?" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["evaluate", "stray"])
    err = capsys.readouterr().err
    assert "unrecognized arguments: stray" in err and "did you mean" not in err
