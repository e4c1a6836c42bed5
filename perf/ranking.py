"""Ranking losses and isomorph augmentation on NAS-Bench-201 CIFAR-10: Kendall tau against the default settings.

Each variant is a registered predictor with constructor parameters (``loss``, ``augment``, ``predict_isomorphs``),
run as perf/predictors.py runs the defaults: an :class:`~naspred.evaluation.spec.ExperimentSpec` on
``nb201-cifar10`` with the ``"sampled"`` split (seed 0, trial ``t`` seeded from it; 200 test cells drawn from all
15,625, training cells from those sharing no canonical form with a test cell), one results folder per variant and
train size under ``--work`` (re-running resumes). Trials of the same number share their test and training cells
across variants, so each variant is compared with its predictor's default trial by trial (paired differences).

    NASPRED_DATA=../shared/data OMP_NUM_THREADS=1 python perf/ranking.py --variants mlp,mlp_listmle \\
        --train-sizes 20,100 --trials 20 --work /tmp/ranking/work

appends the rows to ``--csv`` (default perf/ranking.csv); ``--report`` writes perf/ranking.md from the CSV.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import platform
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
logger = logging.getLogger("perf.ranking")
BENCHMARK = "nb201-cifar10"
TEST_SIZE = 200
ISO = {"augment": "isomorphs"}
BOTH = {"augment": "isomorphs", "predict_isomorphs": True}
#: variant label -> (registered predictor, parameters); a label without ``_`` is the predictor's default
VARIANTS: dict[str, tuple[str, dict]] = {
    "mlp": ("mlp", {}), "mlp_mse": ("mlp", {"loss": "mse"}), "mlp_hinge": ("mlp", {"loss": "pairwise_hinge"}),
    "mlp_listmle": ("mlp", {"loss": "listmle"}),
    "gcn": ("gcn", {}), "gcn_hinge": ("gcn", {"loss": "pairwise_hinge"}), "gcn_listmle": ("gcn", {"loss": "listmle"}),
    "nao": ("nao", {}), "nao_hinge": ("nao", {"loss": "pairwise_hinge"}), "nao_listmle": ("nao", {"loss": "listmle"}),
    **{f"{name}_iso": (name, ISO) for name in ("mlp", "gcn", "lgb", "rf")},
    **{f"{name}_avg": (name, {"predict_isomorphs": True}) for name in ("mlp", "gcn", "lgb", "rf")},
    **{f"{name}_iso_avg": (name, BOTH) for name in ("mlp", "gcn", "lgb", "rf")},
    "lgb": ("lgb", {}), "rf": ("rf", {}),
    "mlp_listmle_iso_avg": ("mlp", {"loss": "listmle", **BOTH}),
    "gcn_hinge_iso_avg": ("gcn", {"loss": "pairwise_hinge", **BOTH}),
}
#: the variants of each table
LOSS_TABLE = ["mlp", "mlp_mse", "mlp_hinge", "mlp_listmle", "gcn", "gcn_hinge", "gcn_listmle", "nao", "nao_hinge",
              "nao_listmle"]
AUGMENT_TABLE = [f"{name}{suffix}" for name in ("mlp", "gcn", "lgb", "rf") for suffix in ("", "_iso", "_avg", "_iso_avg")]
COMBINED = ["mlp_listmle_iso_avg", "gcn_hinge_iso_avg"]
AUGMENT_TABLE += COMBINED
FIELDS = ("variant", "predictor", "params", "train_size", "trial", "kendall_tau", "spearman", "fit_seconds",
          "predict_seconds", "error", "finished_at")


def spec(label: str, train_size: int, trials: int):
    """The experiment of one variant at one train size (perf/predictors.py's, with the variant's parameters)."""
    from naspred.evaluation.spec import ExperimentSpec, PredictorSpec

    name, params = VARIANTS[label]
    return ExperimentSpec(BENCHMARK, (PredictorSpec(name, params, label),), train_sizes=(train_size,), trials=trials,
                          test_size=TEST_SIZE, split="sampled")


def run(labels: list[str], sizes: list[int], trials: int, work: Path) -> list[dict]:
    """Run every variant at every train size in this process, one thread; the CSV rows."""
    from naspred.evaluation.executors import SerialExecutor, limit_threads
    from naspred.evaluation.experiment import run_experiment
    from naspred.evaluation.trial import TrialRunner

    limit_threads(1)
    runner = TrialRunner()
    rows = []
    for label in labels:
        name, params = VARIANTS[label]
        for size in sizes:
            outcome = run_experiment(
                spec(label, size, trials), work / f"{label}-{size}", SerialExecutor(), runner=runner,
                progress=lambda row, k, n: logger.info("%d/%d %s n=%s trial %s tau=%.3f %s", k, n, row["predictor"],
                                                       int(row["init_budget"]), row["trial"], row["kendall_tau"],
                                                       row["error"]))
            for r in outcome.table.to_dict("records"):
                ok = r["status"] == "ok"
                rows.append({
                    "variant": label, "predictor": name, "params": repr(params), "train_size": int(r["init_budget"]),
                    "trial": int(r["trial"]), "kendall_tau": r["kendall_tau"], "spearman": r["spearman"],
                    "fit_seconds": r["init_wall_s"] if ok else np.nan,
                    "predict_seconds": r["query_wall_s"] * r["n_test"] if ok else np.nan,
                    "error": "" if ok else str(r["error"])[:300], "finished_at": r["finished_at"]})
    return rows


def merge(path: Path, new: list[dict]) -> None:
    """``path``'s rows less those of the same variant, train size and trial as a row of ``new``, then ``new``."""
    rows = list(csv.DictReader(path.open())) if path.exists() else []
    replaced = {(r["variant"], int(r["train_size"]), int(r["trial"])) for r in new}
    rows = [r for r in rows if (r["variant"], int(r["train_size"]), int(r["trial"])) not in replaced] + new
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)


def paired(diff: np.ndarray) -> str:
    """Mean paired difference with its 95 % t interval."""
    from scipy.stats import t as student

    n = len(diff)
    if n < 2:
        return f"{diff.mean():+.3f} (n = {n})"
    half = student.ppf(0.975, n - 1) * diff.std(ddof=1) / np.sqrt(n)
    return f"{diff.mean():+.3f} [{diff.mean() - half:+.3f}, {diff.mean() + half:+.3f}]"


def table(df, labels: list[str], sizes: list[int]) -> list[str]:
    """One row per variant and train size: tau mean ± std, the paired difference to the predictor's default,
    Spearman, seconds."""
    lines = ["| variant | parameters | train | n | Kendall tau | Δ tau vs default [95 % CI] | Spearman | fit s |",
             "|---|---|---:|---:|---|---|---|---:|"]
    for size in sizes:
        for label in labels:
            rows = df[(df.variant == label) & (df.train_size == size)].set_index("trial")
            if rows.empty:
                continue
            base = df[(df.variant == VARIANTS[label][0]) & (df.train_size == size)].set_index("trial")
            common = rows.index.intersection(base.index)
            delta = "–" if label == VARIANTS[label][0] else paired(
                (rows.kendall_tau[common] - base.kendall_tau[common]).to_numpy())
            params = ", ".join(f"{k}={v!r}" for k, v in VARIANTS[label][1].items()) or "default"
            lines.append(
                f"| {label} | {params} | {size} | {len(rows)} | {rows.kendall_tau.mean():.3f} ± "
                f"{rows.kendall_tau.std(ddof=1):.3f} | {delta} | {rows.spearman.mean():.3f} ± "
                f"{rows.spearman.std(ddof=1):.3f} | {rows.fit_seconds.mean():.2f} |")
    return lines


def on_top(df, sizes: list[int]) -> list[str]:
    """Paired differences of the ranking-loss variants with augmentation against the same predictor's default loss
    with augmentation (``<name>_iso_avg``)."""
    lines = ["| variant | against | train | n | Δ tau [95 % CI] |", "|---|---|---:|---:|---|"]
    for size in sizes:
        for label in COMBINED:
            against = f"{VARIANTS[label][0]}_iso_avg"
            a = df[(df.variant == label) & (df.train_size == size)].set_index("trial").kendall_tau
            b = df[(df.variant == against) & (df.train_size == size)].set_index("trial").kendall_tau
            common = a.index.intersection(b.index)
            if len(common):
                lines.append(f"| {label} | {against} | {size} | {len(common)} | "
                             f"{paired((a[common] - b[common]).to_numpy())} |")
    return lines


def best(df, labels: list[str], sizes: list[int]) -> list[str]:
    """The variant of highest mean tau per train size among ``labels`` (on the trials all of them ran)."""
    out = []
    for size in sizes:
        at = df[(df.train_size == size) & df.variant.isin(labels)]
        if at.empty:
            continue
        means = at.groupby("variant").kendall_tau.agg(["mean", "count"]).sort_values("mean", ascending=False)
        top = ", ".join(f"{v} {m:.3f} (n = {int(c)})" for v, (m, c) in list(means.iterrows())[:3])
        out.append(f"- {size} training cells: {top}")
    return out


def report(csv_path: Path, md: Path, intro: str) -> None:
    """perf/ranking.md: the loss table, the augmentation table, the best variants per size."""
    import pandas as pd

    df = pd.read_csv(csv_path)
    df = df[df.error.isna() | (df.error == "")]
    sizes = sorted(set(df.train_size))
    lines = [intro, "", "## Loss", "", *table(df, LOSS_TABLE, sizes), "", "## Isomorph augmentation", "",
             *table(df, AUGMENT_TABLE, sizes), "", "## A ranking loss on top of isomorph augmentation", "",
             *on_top(df, sizes), "", "## Highest mean tau per train size", "",
             *best(df, list(VARIANTS), sizes)]
    md.write_text("\n".join(lines) + "\n", encoding="utf-8")


def machine(ran: int, load: str) -> str:
    after = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, one process of one "
            f"thread, {ran} trial rows; load average (1/5/15 min) {load} before, {after} after")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", default="", help=f"comma-separated labels of {list(VARIANTS)}")
    parser.add_argument("--train-sizes", default="20,100")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--work", type=Path, default=Path("/tmp/ranking/work"))
    parser.add_argument("--csv", type=Path, default=HERE / "ranking.csv")
    parser.add_argument("--report", type=Path, default=None, help="write this Markdown report from --csv")
    parser.add_argument("--intro", type=Path, default=None, help="a Markdown file put at the top of the report")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    labels = [v for v in args.variants.split(",") if v]
    if labels:
        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
        rows = run(labels, [int(s) for s in args.train_sizes.split(",")], args.trials, args.work)
        merge(args.csv, rows)
        logger.info("measured on %s", machine(len(rows), load))
    if args.report is not None:
        report(args.csv, args.report, args.intro.read_text(encoding="utf-8").rstrip() if args.intro else "")


if __name__ == "__main__":
    main()
