"""Model-based predictors on NAS-Bench-201 CIFAR-10: Kendall tau and Spearman against training-set size.

For every registered model-based predictor, and for the plain baselines a user would write in twenty lines
(LightGBM and XGBoost on the 30-dim one-hot adjacency encoding: the registered ``plain_lightgbm`` and
``plain_xgboost`` without a proxy; a baseline whose plain model is not registered is left out with a warning),
each trial draws 200 test cells from all 15,625 cells of `nb201-cifar10`, then the training
cells from the cells whose canonical form no test cell shares, fits, and scores the predictions of the test
cells against their 200-epoch validation accuracy. Each predictor and train size is an
:class:`~naspred.evaluation.spec.ExperimentSpec` on the ``"sampled"`` split (trial ``t`` seeded by ``t``) run by
:func:`~naspred.evaluation.experiment.run_experiment` into its own results folder under ``--work``, so an
interrupted run resumes; the rows go to a CSV and are summarised in Markdown.

    NASPRED_DATA=../shared/data python perf/predictors.py --trials 20 --workers 2

writes perf/predictors.csv and perf/predictors.md. The CSV's ``source`` column says which run a row comes
from: ``engine`` (run_experiment) or ``loop`` (the script's own trial loop before it ran through the engine,
2026-11-28; those rows are kept, and the table shows them where a predictor has no ``engine`` rows).
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import platform
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
logger = logging.getLogger("perf.predictors")
BENCHMARK = "nb201-cifar10"
TRAIN_SIZES = (20, 100, 1000)
TEST_SIZE = 200
#: the default folder of the results folders (outside the repository)
WORK = Path.home() / ".cache" / "naspred" / "perf-predictors"
#: the plain baselines: label -> the registered plain model that runs them on the one-hot encoding alone
BASELINES = {"baseline_lightgbm": "plain_lightgbm", "baseline_xgboost": "plain_xgboost"}
#: the isomorph options (``augment="isomorphs"`` and ``predict_isomorphs=True``, perf/ranking.md) of a variant
ISOMORPHS = {"augment": "isomorphs", "predict_isomorphs": True}
#: variants of registered predictors, each its own row: label -> (registered predictor, parameters)
VARIANTS: dict[str, tuple[str, dict]] = {
    "nnformer_iso_avg": ("nnformer", ISOMORPHS),
    "gates_iso_avg": ("gates", ISOMORPHS),
    "omni_gates_iso_avg": ("omni_gates", {"graph_params": ISOMORPHS}),
    "omni_ensemble": ("omni", {"regressor": "ensemble"}),
    "nao_float32": ("nao", {"precision": "float32"}),
    "seminas_float32": ("seminas", {"precision": "float32"}),
    "omni_ensemble_stack": ("omni", {"regressor": "ensemble", "combine": "stack", "stack_folds": 2,
                                     "proxy": ["jacov", "synflow"]}),
}
FIELDS = ("predictor", "train_size", "trial", "kendall_tau", "spearman", "fit_seconds", "predict_seconds", "error",
          "source", "finished_at")
#: how the rows of each source were measured
SOURCES = {
    "loop": "the script's own trial loop before it ran through run_experiment, 2026-11-28 (x86_64, 2 cores, "
            "Python 3.11.7; resumed invocations, one group of predictors at a time, one or two worker processes; "
            "other jobs shared the machine, load average 2 to 8 on 2 cores, so seconds are inflated)",
    "engine": "run_experiment",
}


def predictor_spec(label: str):
    """The predictor of ``label``: a registered model-based predictor, a variant of one, or a baseline's plain
    model."""
    from naspred.evaluation.spec import PredictorSpec

    if label in BASELINES:
        return PredictorSpec(BASELINES[label], {"proxy": None}, label)
    if label in VARIANTS:
        return PredictorSpec(*VARIANTS[label], label)
    return PredictorSpec(label)


def experiment(label: str, train_size: int, trials: int):
    """The experiment of one predictor at one train size: seed 0, 200 test cells, the ``"sampled"`` split."""
    from naspred.evaluation.spec import ExperimentSpec

    return ExperimentSpec(BENCHMARK, (predictor_spec(label),), train_sizes=(train_size,), trials=trials,
                          test_size=TEST_SIZE, split="sampled")


def available(label: str) -> bool:
    """Whether the registry has the predictor of ``label`` (a baseline's plain model may not be registered)."""
    from naspred import predictors

    return predictor_spec(label).name in predictors.names()


def csv_row(row: dict) -> dict:
    """The CSV row of one trial row of the engine."""
    ok = row["status"] == "ok"
    return {
        "predictor": row["predictor"], "train_size": int(row["init_budget"]), "trial": int(row["trial"]),
        "kendall_tau": row["kendall_tau"], "spearman": row["spearman"],
        "fit_seconds": row["init_wall_s"] if ok else np.nan,
        "predict_seconds": row["query_wall_s"] * row["n_test"] if ok else np.nan,
        "error": "" if ok else str(row["error"])[:300], "source": "engine", "finished_at": row["finished_at"],
    }


def run(labels: list[str], sizes: list[int], trials: int, work: Path, workers: int,
        runner=None) -> tuple[list[dict], int]:
    """Run every predictor at every train size (each its own results folder under ``work``) with ``runner`` (a
    :class:`~naspred.evaluation.trial.TrialRunner`, one loading the benchmark unless given): the CSV rows and
    the number of trials run now (the others had a row in their folder)."""
    from naspred.evaluation.executors import ProcessExecutor, SerialExecutor, limit_threads
    from naspred.evaluation.experiment import run_experiment
    from naspred.evaluation.trial import TrialRunner

    limit_threads(1)  # one thread per trial, as each worker process has
    runner = runner if runner is not None else TrialRunner()
    rows, ran = [], 0
    for label in labels:
        for size in sizes:
            executor = ProcessExecutor(workers, threads=1) if workers > 1 else SerialExecutor()
            outcome = run_experiment(
                experiment(label, size, trials), work / f"{label}-{size}", executor, runner=runner,
                progress=lambda row, k, n: logger.info("%d/%d %s n=%s trial %s tau=%.3f %s", k, n, row["predictor"],
                                                       int(row["init_budget"]), row["trial"], row["kendall_tau"],
                                                       row["error"]))
            rows += [csv_row(r) for r in outcome.table.to_dict("records")]
            ran += outcome.ran
    return rows, ran


def merge(csv_path: Path, new: list[dict]) -> list[dict]:
    """The rows of ``csv_path`` (a CSV without ``source`` is the earlier loop's) less those of the same source,
    predictor, train size and trial as a row of ``new``, then ``new``; written back to ``csv_path``."""
    from naspred.evaluation.results import atomic_write

    def key(r: dict) -> tuple:
        return r["source"], r["predictor"], int(r["train_size"]), int(r["trial"])

    rows = []
    if csv_path.exists():
        with csv_path.open() as f:
            rows = [{**r, "source": r.get("source") or "loop", "finished_at": r.get("finished_at") or ""}
                    for r in csv.DictReader(f)]
    replaced = {key(r) for r in new}
    rows = [r for r in rows if key(r) not in replaced] + new

    def write(tmp: Path) -> None:
        with tmp.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=FIELDS)
            writer.writeheader()
            writer.writerows(rows)

    atomic_write(csv_path, write)
    return rows


def model_based_names() -> list[str]:
    from naspred import predictors

    return [d["name"] for d in predictors.describe() if d["family"] == "model-based"]


def trial_test_rows(trial: int, benchmark, codes: np.ndarray) -> np.ndarray:
    """The test rows of trial ``trial``, drawn by the engine's split of this script's experiments."""
    spec = experiment(next(iter(BASELINES)), 1, trial + 1)
    split = spec.fixed_split()
    return split.draw(benchmark, codes, spec.test_size, split.seed(spec.seed, trial)).test


def noise_ceiling(trials: int) -> tuple[float, float, float]:
    """Kendall tau between the accuracy of each test cell and the mean accuracy of the other cells of its
    canonical class (test cells with such cells only), mean and std over trials, and the mean number of such
    test cells: how well a predictor that knew every architecture's expected accuracy could rank."""
    from naspred.evaluation.metrics import kendall_tau
    from naspred.evaluation.trial import TrialRunner

    bench, index = TrialRunner().benchmark(BENCHMARK)
    canon, y = index.codes, bench.y
    order = np.argsort(canon, kind="stable")
    keys, start, count = np.unique(canon[order], return_index=True, return_counts=True)
    class_sum = np.add.reduceat(y[order], start)
    taus, sizes = [], []
    for trial in range(trials):
        test = trial_test_rows(trial, bench, canon)
        k = np.searchsorted(keys, canon[test])
        others = count[k] - 1
        keep = others > 0
        mean_of_others = (class_sum[k] - y[test])[keep] / others[keep]
        taus.append(kendall_tau(y[test][keep], mean_of_others))
        sizes.append(int(keep.sum()))
    return float(np.mean(taus)), float(np.std(taus, ddof=1)), float(np.mean(sizes))


#: why a predictor takes more than twice the wall time of the LightGBM baseline (fit + predict, same split)
SLOW_BECAUSE = {
    "rf": "100 fully grown trees (NASLib's default) against LightGBM's histogram trees; below about 0.1 s for "
          "the baseline at 20 and 100 cells the ratio measures fixed costs",
    "xgb": "NASLib's XGBoost settings (500 rounds of depth-6 trees); at 20 cells the ratio measures fixed costs",
    "ngb": "natural-gradient boosting of a Normal distribution: 505 rounds (NASLib's default), each fitting a "
           "tree to the gradient of both parameters and a line search",
    "gp": "exact Gaussian process: the kernel hyperparameters are fitted by gradient steps on the marginal "
          "likelihood, each an O(n^3) solve",
    "var_sparse_gp": "variational sparse GP: stochastic optimisation of the inducing points and the kernel",
    "mlp": "a neural network trained by gradient descent (epochs of minibatches)",
    "bananas": "an ensemble of neural networks, each trained by gradient descent",
    "gcn": "a graph convolutional network trained by gradient descent on the cell graphs",
    "bonas": "a graph convolutional network trained by gradient descent, then a Bayesian linear head",
    "dngo": "a neural network trained by gradient descent, then Bayesian linear regression on its last layer",
    "bohamiann": "a Bayesian neural network sampled by stochastic-gradient Hamiltonian Monte Carlo: a fixed "
                 "4,000 steps (2,000 burn-in, 2,000 sampling) of minibatches of 20, whatever the training set size",
    "nao": "an LSTM encoder-predictor-decoder trained by gradient descent (its LSTMs in bfloat16 on a CPU that "
           "computes in it, precision='auto')",
    "nao_float32": "an LSTM encoder-predictor-decoder trained by gradient descent, every pass in float32",
    "seminas": "an LSTM encoder-predictor-decoder trained twice (before and after pseudo-labelling "
               "unlabelled architectures); three LSTM passes of 35 tokens per step, about 2 GFLOP forward and "
               "backward for a batch of 100, so 1100 steps at 1000 cells are compute-bound on one core (the "
               "LSTMs run in bfloat16 on a CPU that computes in it, precision='auto')",
    "seminas_float32": "as seminas, every pass in float32 (precision='float32')",
    "gates": "a gated graph network trained by gradient descent with a pairwise ranking loss (200 epochs)",
    "nnformer": "a transformer over the operations of the cell graph trained by gradient descent (at most 1000 steps)",
    "ensemble": "two graph networks (NN-Former and GATES) trained one after the other, each on the isomorphs of its "
                "cells, and each predicting the mean over a cell's isomorphs",
    "omni_gates": "GATES trained by gradient descent on the residual of OMNI's linear start",
    "omni": "NGBoost on the encoding, the curve feature and the proxy (OMNI's default regressor)",
    "omni_ensemble": "OMNI with the ensemble (NN-Former and GATES on isomorphs) fitted on the residual of its "
                     "linear start (regressor='ensemble')",
    "omni_ensemble_stack": "OMNI with the ensemble (NN-Former and GATES on isomorphs) fitted three times: on each "
                           "half of the training cells for the out-of-fold predictions that weigh it against the "
                           "curve and two proxies, then on every cell (combine='stack', stack_folds=2, "
                           "proxy=['jacov', 'synflow'])",
    "sparse_gp": "a sparse Gaussian process whose inducing points and kernel are fitted by 200 Adam steps",
    "gp_wl": "a Gaussian process on the Weisfeiler-Lehman graph kernel, its hyperparameters fitted on the "
             "marginal likelihood",
    "arch2vec": "a variational graph autoencoder pre-trained on unlabelled architectures, then a regressor on "
                "its embedding",
}
#: marks the rows of the table that come from the earlier loop
EARLIER = " †"
#: why run_experiment and the earlier loop differ in some trials of a predictor and train size
DIFFERENCES = {
    ("lin_reg", 20): "the script's own loop, run again on 2026-12-02 at the commit before it ran through "
                     "run_experiment, gives run_experiment's values in these trials, so the difference predates the "
                     "engine (least squares on 20 cells and 30 one-hot columns is underdetermined)",
    ("nao", 1000): "run_experiment's rows were measured again on 2026-12-03 with precision='auto' (bfloat16 on this "
                   "CPU); the earlier loop trained in float32, as the nao_float32 rows do",
    ("seminas", 1000): "run_experiment's rows were measured again on 2026-12-03 with precision='auto' (bfloat16 on "
                       "this CPU); the earlier loop trained in float32, as the seminas_float32 rows do",
}


def frame(rows: list[dict]):
    """The rows as a table with numeric columns and ``seconds`` (fit + predict)."""
    import pandas as pd

    df = pd.DataFrame(rows)
    for c in ("kendall_tau", "spearman", "fit_seconds", "predict_seconds", "finished_at"):
        df[c] = pd.to_numeric(df[c], errors="coerce")
    df["train_size"] = df["train_size"].astype(int)
    df["trial"] = df["trial"].astype(int)
    df["error"] = df["error"].fillna("")
    df["seconds"] = df["fit_seconds"] + df["predict_seconds"]
    return df


def shown(df):
    """The rows the table shows: a predictor's ``engine`` rows at a train size where it has any, else its
    ``loop`` rows."""
    engine = set(zip(df.predictor[df.source == "engine"], df.train_size[df.source == "engine"]))
    superseded = [(p, n) in engine and s == "loop" for p, n, s in zip(df.predictor, df.train_size, df.source)]
    return df[~np.array(superseded, dtype=bool)]


def header_lines(df, command: str, measured: str) -> list[str]:
    """Title, how each source was measured, the command and how to read the table."""
    done = df.finished_at[df.source == "engine"].dropna()
    lines = ["# Model-based predictors on `nb201-cifar10`", ""]
    if len(done):
        dates = sorted({time.strftime("%Y-%m-%d", time.localtime(t)) for t in done})
        names = ", ".join(f"`{p}`" for p in dict.fromkeys(df.predictor[df.source == "engine"]))
        span = " to ".join(dict.fromkeys([dates[0], dates[-1]]))
        lines += [f"Rows of {names}: {SOURCES['engine']}, finished {span}; machine: {measured}.", ""]
    if (df.source == "loop").any():
        lines += [f"Rows marked{EARLIER}: from the earlier run, {SOURCES['loop']}.", ""]
    engine = list(dict.fromkeys(df.predictor[df.source == "engine"]))
    if engine:  # the rows come from several invocations: one command that gives every engine row
        command = f"{command} --predictors {','.join(engine)}"
    return lines + [
        "Command for the rows measured through run_experiment (from the repository root; without "
        "`--predictors` it runs the baselines and every model-based predictor; `--work` only moves the results "
        "folders):",
        "",
        "```",
        command,
        "```",
        "",
        f"Each cell: mean ± std over trials (n = trials with a defined tau) of Kendall tau / Spearman between "
        f"predicted and 200-epoch validation accuracy on {TEST_SIZE} test cells drawn from all 15,625; training "
        "cells share no canonical form with a test cell. Seconds: mean fit and predict time of one trial (one "
        "thread). `×base`: fit + predict seconds over those of `baseline_lightgbm` on the same trials of the same "
        "run. A trial whose predictions are all equal has no tau (counted under `const`). Rows marked ‡: a "
        "hybrid predictor that also reads each cell's learning curve at its fidelity (12 epochs) and a zero-cost "
        "proxy, shown for reference and left out of the best model-based predictor below.",
        *variant_lines(df),
        "",
        "| predictor | train | n | const | Kendall tau | Spearman | fit s | predict s | ×base |",
        "|---|---:|---:|---:|---|---|---:|---:|---:|",
    ]


def variant_lines(df) -> list[str]:
    """What each variant row in ``df`` sets on its registered predictor."""
    shown = [label for label in VARIANTS if label in set(df.predictor)]
    if not shown:
        return []
    parts = [f"`{label}`: `{VARIANTS[label][0]}` with "
             + ", ".join(f"{k}={v!r}" for k, v in VARIANTS[label][1].items()) for label in shown]
    return ["", "Variants of registered predictors (their own rows): " + "; ".join(parts) + "."]


#: the mark of a row whose predictor reads more than the encoding (a learning curve, a proxy)
HYBRID = " ‡"


def hybrid(label: str) -> bool:
    """Whether the registered predictor of ``label`` is not model-based (it reads a learning curve or a proxy)."""
    from naspred import predictors

    name = VARIANTS.get(label, (label,))[0]
    return name in predictors.names() and predictors.get(name).family != "model-based"


def table_lines(df, everything, sizes) -> tuple[list[str], dict[int, tuple[float, str]], dict[str, float]]:
    """The rows of the table (``df``: the rows shown, of ``everything``), the best predictor per train size and
    the predictors over twice the baseline."""
    ok_base = everything[(everything.predictor == "baseline_lightgbm") & (everything.error == "")]
    base = ok_base.groupby(["source", "train_size"])["seconds"].mean()
    lines, best, slow = [], {}, {}
    for name in dict.fromkeys(everything.predictor):
        for size in sizes:
            sub = df[(df.predictor == name) & (df.train_size == size)]
            if sub.empty:
                continue
            source = sub.source.iloc[0]
            label = name + (EARLIER if source == "loop" else "") + (HYBRID if hybrid(name) else "")
            ok = sub[sub.error == ""]
            if ok.empty:
                lines.append(f"| {label} | {size} | 0 | | failed: {sub.error.iloc[0]} | | | | |")
                continue
            defined = ok[ok.kendall_tau.notna()]
            ratio = ok.seconds.mean() / base.get((source, size), float("nan"))
            if not name.startswith("baseline") and ratio > 2:
                slow[name] = max(slow.get(name, 0.0), ratio)
            tau = spear = "–"
            if not defined.empty:
                tau = f"{defined.kendall_tau.mean():.3f} ± {defined.kendall_tau.std():.3f}"
                spear = f"{defined.spearman.mean():.3f} ± {defined.spearman.std():.3f}"
                if (not name.startswith("baseline") and not hybrid(name)
                        and defined.kendall_tau.mean() > best.get(size, (-1.0, ""))[0]):
                    best[size] = (defined.kendall_tau.mean(), name)
            lines.append(
                f"| {label} | {size} | {len(defined)} | {len(ok) - len(defined)} | {tau} | {spear} | "
                f"{ok.fit_seconds.mean():.2f} | {ok.predict_seconds.mean():.3f} | {ratio:.1f} |"
            )
    return lines, best, slow


def best_lines(df, best: dict[int, tuple[float, str]], sizes) -> list[str]:
    lines = ["", "## Best predictor and the baselines", ""]
    for size in sizes:
        if size in best:
            tau, name = best[size]
            b = df[(df.predictor.str.startswith("baseline")) & (df.train_size == size)].groupby("predictor")[
                "kendall_tau"].mean()
            lines.append(f"- {size} training cells: best `{name}` at Kendall tau {tau:.3f}; baselines "
                         + ", ".join(f"`{k}` {v:.3f}" for k, v in b.items()) + ".")
    return lines


def noise_lines(df) -> list[str]:
    ceiling, ceiling_std, shared = noise_ceiling(int(df.trial.max()) + 1)
    return ["", "## How far from the noise", "",
            f"A test cell whose canonical form other cells of the space share (on average {shared:.0f} of the "
            f"{TEST_SIZE} test cells) has its own accuracy, from its own training run. Ranking those test cells by "
            f"the mean accuracy of the other cells of their canonical class gives Kendall tau {ceiling:.3f} ± "
            f"{ceiling_std:.3f} on the same trials' test sets, far above every predictor in the table: noise in the "
            "ground truth is not what limits them."]


def missing_lines(df, sizes) -> list[str]:
    trials = int(df.groupby(["predictor", "train_size"]).size().max())
    missing = []
    for name in [*BASELINES, *model_based_names()]:
        have = [int(((df.predictor == name) & (df.train_size == size)).sum()) for size in sizes]
        if min(have) < trials:
            missing.append(f"`{name}` ({' / '.join(map(str, have))})")
    if not missing:
        return []
    return ["", "## Not complete", "",
            f"Trials recorded at {' / '.join(map(str, sizes))} training cells, fewer than {trials}: "
            + ", ".join(missing) + ". Re-running the command resumes from the recorded rows."]


def slow_lines(slow: dict[str, float]) -> list[str]:
    if not slow:
        return []
    lines = ["", "## Predictors over twice the baseline's wall time", ""]
    for name, ratio in slow.items():
        base, params = VARIANTS.get(name, (name, {}))
        why = SLOW_BECAUSE.get(name) or SLOW_BECAUSE.get(base, "see its class docstring")
        if params and name not in SLOW_BECAUSE:
            why += " (" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")"
        lines.append(f"- `{name}` (up to {ratio:.1f}× at one of the sizes): {why}.")
    return lines


def comparison_lines(df) -> list[str]:
    """Kendall tau of the predictors measured by both runs, on the same trials: the earlier loop and the engine."""
    wide = df.pivot_table(index=["predictor", "train_size", "trial"], columns="source", values="kendall_tau",
                          aggfunc="first", dropna=False)
    if not {"loop", "engine"} <= set(wide.columns):
        return []
    both = wide.dropna(subset=["loop", "engine"], how="any")
    if both.empty:
        return []
    lines = ["", "## The earlier loop against run_experiment", "",
             "Predictors measured by both, on the trials both ran (same splits, same seeds): mean Kendall tau of "
             "each and the largest difference in one trial.", "",
             "| predictor | train | trials | tau, earlier loop | tau, run_experiment | largest difference |",
             "|---|---:|---:|---:|---:|---:|"]
    notes = []
    for (name, size), sub in both.groupby(level=["predictor", "train_size"], sort=False):
        diff = (sub["engine"] - sub["loop"]).abs()
        lines.append(f"| {name} | {size} | {len(sub)} | {sub['loop'].mean():.3f} | {sub['engine'].mean():.3f} | "
                     f"{diff.max():.1e} |")
        trials = [int(t) for t in diff[diff > 1e-9].index.get_level_values("trial")]
        if trials:
            why = DIFFERENCES.get((name, size), "not explained")
            notes.append(f"- `{name}` at {size} cells differs by more than 1e-9 in trials {trials}: {why}.")
    return lines + ([""] + notes if notes else [])


def summarise(rows: list[dict], out: Path, command: str, measured: str) -> None:
    """Write the Markdown summary of ``rows`` to ``out``."""
    from naspred.evaluation.results import atomic_write

    everything = frame(rows)
    df = shown(everything)
    sizes = sorted(set(df.train_size))
    table, best, slow = table_lines(df, everything, sizes)
    lines = [*header_lines(everything, command, measured), *table, *best_lines(df, best, sizes), *noise_lines(df),
             *missing_lines(df, sizes), *slow_lines(slow), *comparison_lines(everything)]
    text = "\n".join(lines) + "\n"
    atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def machine(workers: int, ran: int, load: str, md: Path) -> str:
    """The machine and load of an invocation that ran ``ran`` trials; one that ran none keeps what ``md`` says of
    the invocation that measured the rows."""
    if not ran and md.exists():
        for line in md.read_text(encoding="utf-8").splitlines():
            if line.startswith("Rows of ") and "; machine: " in line:
                return line.split("; machine: ", 1)[1].rstrip(".")
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {workers} worker "
            f"process{'es' if workers > 1 else ''} of one thread; the last invocation that ran trials ran {ran}, "
            f"load average (1/5/15 min) {load} before, {_load()} after")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--predictors", default="", help="comma-separated names (default: every model-based one)")
    parser.add_argument("--train-sizes", default=",".join(map(str, TRAIN_SIZES)))
    parser.add_argument("--out", type=Path, default=HERE / "predictors")
    parser.add_argument("--work", type=Path, default=WORK,
                        help="results folders, one per predictor and train size (re-running resumes)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    names = [n for n in args.predictors.split(",") if n] or [*BASELINES, *model_based_names()]
    missing = [n for n in names if n in BASELINES and not available(n)]
    for name in missing:
        logger.warning("%s is left out: its plain model %s is not a registered predictor", name, BASELINES[name])
    sizes = [int(s) for s in args.train_sizes.split(",")]
    load = _load()
    new, ran = run([n for n in names if n not in missing], sizes, args.trials, args.work, args.workers)
    measured = machine(args.workers, ran, load, args.out.with_suffix(".md"))
    rows = merge(args.out.with_suffix(".csv"), new)
    command = f"NASPRED_DATA=../shared/data python perf/predictors.py --trials {args.trials} --workers {args.workers}"
    summarise(rows, args.out.with_suffix(".md"), command, measured)


if __name__ == "__main__":
    main()
