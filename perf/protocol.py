"""How much the published split protocol inflates Kendall tau on NAS-Bench-201 CIFAR-10 at 1 % training cells.

naspred's splits keep canonical forms apart: no training cell is isomorphic to a test cell ("canonical"; here the
``"sampled"`` split). NASLib and the published encoders (NAR-Former V2, FlowerFormer, NN-Former) draw training and
test cells at random from all cells, isomorphs of training cells among the test cells (``"random"``). For each
predictor and trial both protocols test the same cells (the ``"random"`` split draws the test rows of
``"sampled"`` for one seed) with the same predictor seed; only the training cells differ. Each protocol is one
:class:`~naspred.evaluation.spec.ExperimentSpec` run by :func:`~naspred.evaluation.experiment.run_experiment` into
``--work/<protocol>`` (re-running resumes), and the summary goes to perf/protocol.md::

    NASPRED_DATA=../shared/data python perf/protocol.py --trials 20
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
from predictors import VARIANTS, predictor_spec  # perf/predictors.py, beside this script

HERE = Path(__file__).resolve().parent
logger = logging.getLogger("perf.protocol")
BENCHMARK = "nb201-cifar10"
TRAIN_SIZE = 156  # 1 % of the 15,625 cells
TEST_SIZE = 3000
PREDICTORS = ("svr", "lgb", "mlp", "bananas", "gcn")
#: protocol -> the split that runs it
SPLITS = {"canonical": "sampled", "random": "random"}
#: Kendall tau on NAS-Bench-201 CIFAR-10 with 1 % (156) training cells, the rest as test set: published figures
PUBLISHED = (
    ("NN-Former", 0.804, "Xu et al., \"NN-Former: Rethinking Graph Structure in Neural Architecture "
                         "Representation\", CVPR 2025"),
    ("FlowerFormer", 0.773, "Hwang et al., \"FlowerFormer: Empowering Neural Architecture Encoding using a "
                            "Flow-aware Graph Transformer\", CVPR 2024"),
    ("NAR-Former V2", 0.752, "Yi et al., \"NAR-Former V2: Rethinking Transformer for Universal Neural Network "
                             "Representation Learning\", NeurIPS 2023"),
)
WORK = Path.home() / ".cache" / "naspred" / "perf-protocol"


def experiment(protocol: str, predictors: list[str], trials: int):
    """The experiment of one protocol: every predictor (a registered name or a label of perf/predictors.py's
    ``VARIANTS``) at 156 training cells, 3,000 test cells, seed 0."""
    from naspred.evaluation.spec import ExperimentSpec

    return ExperimentSpec(BENCHMARK, tuple(map(predictor_spec, predictors)), train_sizes=(TRAIN_SIZE,), trials=trials,
                          test_size=TEST_SIZE, split=SPLITS[protocol])


def run(predictors: list[str], trials: int, work: Path, runner, workers: int = 1) -> tuple[pd.DataFrame, int]:
    """The result rows of both protocols (a ``protocol`` column each) and the trials run now, by ``runner`` (a
    :class:`~naspred.evaluation.trial.TrialRunner`) in ``workers`` processes of one thread (1: this process)."""
    from naspred.evaluation.executors import ProcessExecutor, SerialExecutor, limit_threads
    from naspred.evaluation.experiment import run_experiment

    limit_threads(1)
    tables, ran = [], 0
    for protocol in SPLITS:
        executor = ProcessExecutor(workers, threads=1) if workers > 1 else SerialExecutor()
        outcome = run_experiment(
            experiment(protocol, predictors, trials), work / protocol, executor, runner=runner,
            progress=lambda row, k, n: logger.info("%d/%d %s %s trial %s tau=%.3f %s", k, n, row["protocol"],
                                                   row["predictor"], row["trial"], row["kendall_tau"], row["error"]))
        tables.append(outcome.table)
        ran += outcome.ran
    return pd.concat(tables, ignore_index=True), ran


def split_facts(trials: int, runner) -> dict[str, dict[str, float]]:
    """Per protocol, means over the trials: ``shared``, the share of test cells whose canonical form a training
    cell has; ``class_size``, the size of a training cell's canonical class (cells of the space in it)."""
    bench, index = runner.benchmark(BENCHMARK)
    sizes = np.bincount(index.codes)
    out = {}
    for protocol in SPLITS:
        split = experiment(protocol, ["svr"], trials).fixed_split()
        shared, class_size = [], []
        for trial in range(trials):
            drawn = split.draw(bench, index.codes, TEST_SIZE, split.seed(0, trial))
            train = index.codes[drawn.train[TRAIN_SIZE]]
            shared.append(np.isin(index.codes[drawn.test], train).mean())
            class_size.append(sizes[train].mean())
        out[protocol] = {"shared": float(np.mean(shared)), "class_size": float(np.mean(class_size))}
    return out


def table_lines(table: pd.DataFrame) -> tuple[list[str], pd.Series]:
    """The Markdown table: Kendall tau per protocol and the paired difference; the mean tau under "random"."""
    ok = table[table["status"] == "ok"]
    wide = ok.pivot_table(index=["predictor", "trial"], columns="protocol", values="kendall_tau").dropna()
    lines = ["| predictor | trials | tau, canonical | tau, random | random − canonical | s.e. | min / max difference |",
             "|---|---:|---|---|---|---:|---|"]
    for name, sub in wide.groupby(level="predictor", sort=False):
        diff = sub["random"] - sub["canonical"]
        se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else np.nan
        lines.append(f"| {name} | {len(sub)} | {_mean_std(sub['canonical'])} | {_mean_std(sub['random'])} | "
                     f"{_mean_std(diff, signed=True)} | {se:.3f} | {diff.min():+.3f} / {diff.max():+.3f} |")
    return lines, wide.groupby(level="predictor").mean()


def _mean_std(values: pd.Series, signed: bool = False) -> str:
    mean = f"{values.mean():+.3f}" if signed else f"{values.mean():.3f}"
    return f"{mean} ± {values.std(ddof=1):.3f}" if len(values) > 1 else mean


def published_gap(tau: float, published: tuple[str, float, str]) -> str:
    """How far ``tau`` is above or below a published figure, in words."""
    name, figure, _ = published
    side = "above" if tau > figure else "below"
    return f"{abs(tau - figure):.3f} {side} ({name}, {figure:.3f})"


def summarise(table: pd.DataFrame, facts: dict[str, dict[str, float]], command: str, measured: str) -> str:
    """The Markdown of perf/protocol.md."""
    lines, means = table_lines(table)
    failed = table[table["status"] != "ok"]
    diff = (means["random"] - means["canonical"]).sort_values()
    ranked = means["random"].sort_values(ascending=False)
    best = ", ".join(f"`{name}` {tau:.3f}" for name, tau in ranked.head(3).items())
    lowest = min(PUBLISHED, key=lambda p: p[1])
    highest = max(PUBLISHED, key=lambda p: p[1])
    reading = (f"Mean differences run from {diff.iloc[0]:+.3f} (`{diff.index[0]}`) to {diff.iloc[-1]:+.3f} "
               f"(`{diff.index[-1]}`). The best predictor here under `random`, `{ranked.index[0]}` at "
               f"{ranked.iloc[0]:.3f}, is {published_gap(ranked.iloc[0], lowest)} the lowest published figure and "
               f"{published_gap(ranked.iloc[0], highest)} the highest.")
    published = [f"- {name}: {tau:.3f} ({paper})" for name, tau, paper in PUBLISHED]
    return "\n".join([
        f"# The split protocol on `{BENCHMARK}` at {TRAIN_SIZE} training cells", "",
        f"Measured {measured}.", "",
        "Command (from the repository root):", "", "```", command, "```", "",
        f"Each trial draws {TEST_SIZE:,} test cells at random from all 15,625 cells of `{BENCHMARK}` (200-epoch "
        f"validation accuracy), then {TRAIN_SIZE} training cells (1 %): under `canonical` (`naspred evaluate --split "
        "sampled`) from the cells whose canonical form no test cell has, under `random` (`--split random`, NASLib's "
        "and the published encoders' protocol) from all the other cells. Both protocols test the same cells with "
        "the same predictor seed in a trial (trial t seeded t); only the training cells differ. Test cells whose "
        f"canonical form a training cell has: {facts['canonical']['shared']:.1%} under `canonical`, "
        f"{facts['random']['shared']:.1%} under `random` (mean over the trials).", "",
        "The protocols also train on different cells. A test set of 3,000 random cells almost always holds a cell "
        "of each large canonical class (cells whose disconnected or `none` edges make many op lists one network), "
        "so `canonical` draws its training cells from the small classes: the mean size of a training cell's class "
        f"is {facts['canonical']['class_size']:.1f} cells under `canonical`, {facts['random']['class_size']:.1f} "
        "under `random`, whose training cells come from the large classes as often as the space holds them.", "",
        "Each cell: mean ± std over trials of Kendall tau between predicted and true accuracy of the test cells; "
        "the difference is paired by trial.", "",
        *lines, "", reading, "",
        *([f"Failed trials: {len(failed)} ({', '.join(sorted(set(failed['predictor'])))})", ""] if len(failed) else []),
        f"## At {TRAIN_SIZE} training cells under `random`, beside published figures", "",
        f"Best measured here under `random`: {best}.", "",
        "Published figures (Kendall tau on NAS-Bench-201 CIFAR-10, 1 % of the cells for training, the other cells "
        "as test set; the papers' own runs, not re-measured here):", "",
        *published, "",
        f"The papers test on every remaining cell, here on {TEST_SIZE:,} of them; their training cells are their "
        "own random draw, so the comparison is of protocols, not of identical splits.", "",
    ])


def machine(ran: int, load: str, work: Path) -> str:
    """Date, machine, commit and load of the last invocation that ran trials (kept in ``work/measured.txt``)."""
    kept = work / "measured.txt"
    if not ran and kept.exists():
        return kept.read_text(encoding="utf-8").strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True,
                            check=False).stdout.strip()
    after = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    text = (f"{time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, one process of one thread, at commit {commit or '?'}; {ran} trials run "
            f"by the invocation, load average (1/5/15 min) {load} before, {after} after")
    kept.write_text(text + "\n", encoding="utf-8")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--predictors", default=",".join(PREDICTORS),
                        help=f"comma-separated registered names or variants of perf/predictors.py ({', '.join(VARIANTS)})")
    parser.add_argument("--work", type=Path, default=WORK, help="results folders, one per protocol (re-running resumes)")
    parser.add_argument("--out", type=Path, default=HERE / "protocol.md")
    parser.add_argument("--workers", type=int, default=1, help="worker processes of one thread each")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    from naspred.evaluation.trial import TrialRunner

    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    runner = TrialRunner()
    table, ran = run([p for p in args.predictors.split(",") if p], args.trials, args.work, runner, args.workers)
    command = f"NASPRED_DATA=../shared/data python perf/protocol.py --trials {args.trials}"
    if args.predictors != ",".join(PREDICTORS):
        command += f" --predictors {args.predictors}"
    if args.workers > 1:
        command += f" --workers {args.workers}"
    text = summarise(table, split_facts(args.trials, runner), command, machine(ran, load, args.work))
    args.out.write_text(text, encoding="utf-8")
    logger.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
