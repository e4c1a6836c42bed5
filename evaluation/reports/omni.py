"""The OMNI ablation's report (``naspred ablate omni``): its summary, paired tests, Markdown and plot.

The study of White et al. (NeurIPS 2021, "How Powerful are Performance Predictors in Neural Architecture
Search?"): OMNI and its ablations, each in the cells of train size x fidelity.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naspred.evaluation.reports.format import markdown_table, new_figure, save_png
from naspred.evaluation.results import atomic_write, make_folder
from naspred.evaluation.splits import pool_rows


def omni_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per label, train size and fidelity: trials, failures, mean and 95 % bootstrap CI of tau, means of the rest."""
    from naspred.evaluation.metrics import bootstrap_ci

    out = []
    for (label, size, fidelity), group in table.groupby(["label", "train_size", "fidelity"], sort=False):
        ok = group[group["status"] == "ok"]
        tau, low, high = bootstrap_ci(ok["kendall_tau"]) if len(ok) else (math.nan,) * 3
        out.append({
            "label": label, "group": group["group"].iloc[0], "train_size": int(size), "fidelity": int(fidelity),
            "trials": len(group), "failed": int((group["status"] != "ok").sum()),
            "undefined": int(ok["kendall_tau"].isna().sum()),
            "kendall_tau": tau, "kendall_tau_low": low, "kendall_tau_high": high,
            "spearman": ok["spearman"].mean(), "precision@10": ok["precision@10"].mean(),
            "fit_seconds": ok["fit_seconds"].mean(), "predict_seconds": ok["predict_seconds"].mean(),
            "error": next((e for e in group["error"] if e), ""),
        })
    return pd.DataFrame(out)


def omni_paired_tests(table: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Wilcoxon signed-rank test of ``reference`` against every other label, trials paired, Holm-adjusted."""
    from naspred.evaluation.metrics import holm, wilcoxon_paired

    ok = table[table["status"] == "ok"]
    out = []
    for (size, fidelity), group in ok.groupby(["train_size", "fidelity"]):
        ref = ok[(ok["label"] == reference) & (ok["train_size"] == size)
                 & ((ok["fidelity"] == fidelity) | (ok["fidelity"] == 0))].set_index("trial")["kendall_tau"]
        if ref.empty or fidelity == 0:
            continue
        for label, rows in group.groupby("label"):
            if label == reference:
                continue
            other = rows.set_index("trial")["kendall_tau"]
            both = pd.concat([ref, other], axis=1, join="inner").dropna()
            if len(both) < 2:
                continue
            median, p = wilcoxon_paired(both.iloc[:, 0], both.iloc[:, 1])
            wins = int((both.iloc[:, 0] > both.iloc[:, 1]).sum())
            out.append({"train_size": int(size), "fidelity": int(fidelity), "label": label, "pairs": len(both),
                        "median_diff": median, "wins": wins, "p_value": p})
    tests = pd.DataFrame(out, columns=["train_size", "fidelity", "label", "pairs", "median_diff", "wins", "p_value"])
    if len(tests):
        tests["p_holm"] = holm(tests["p_value"].to_numpy())
    return tests


def _omni_columns(summary: pd.DataFrame) -> list[tuple[int, int]]:
    keys = summary[summary["fidelity"] > 0][["train_size", "fidelity"]].drop_duplicates()
    if keys.empty:
        keys = summary[["train_size", "fidelity"]].drop_duplicates()
    return sorted((int(a), int(b)) for a, b in keys.itertuples(index=False))


def _omni_cell(summary: pd.DataFrame, label: str, size: int, fidelity: int) -> pd.Series | None:
    rows = summary[(summary["label"] == label) & (summary["train_size"] == size)
                   & ((summary["fidelity"] == fidelity) | (summary["fidelity"] == 0))]
    return rows.iloc[0] if len(rows) else None


def _omni_tau(row: pd.Series | None) -> str:
    if row is None:
        return ""
    if row["trials"] == row["failed"]:
        return "failed"
    text = "–" if math.isnan(row["kendall_tau"]) else f"{row['kendall_tau']:.3f}"
    if not math.isnan(row["kendall_tau_low"]):
        text += f" [{row['kendall_tau_low']:.3f}, {row['kendall_tau_high']:.3f}]"
    if row["fidelity"] == 0:
        text += " *"
    return text


def omni_markdown(table: pd.DataFrame, run: Any, *, title: str, command: str, reference: str | None = None,
             wall_seconds: float | None = None, notes: Sequence[str] = ()) -> str:
    """The ablation report: setup, Kendall tau per label and split, ``notes``, paired tests, details, skipped."""
    import os
    import platform

    summary = omni_summary(table)
    labels = [e.label for e in run.entries if e.label in set(summary["label"])]
    columns = _omni_columns(summary)
    bench = run.benchmark
    reference = reference or (labels[0] if labels else "")
    pool = ("rows with a recorded target" if run.pool == "all"
            else f"rows where proxy {run.proxy!r} is recorded")
    n_pool = len(pool_rows(bench, run.pool, run.proxy))
    lines = [
        f"# {title}", "",
        (f"Benchmark `{bench.name}`: target `{bench.target}` "
         f"({'maximised' if bench.higher_is_better else 'minimised'}) "
         f"at epoch {max((c.length for c in bench.curves.values()), default=0)}. Pool: {n_pool} {pool}. Each trial draws {run.test_size} test architectures "
         "of distinct canonical forms, then nested training sets (one architecture per canonical form, none sharing a "
         "test architecture's form); every predictor of a trial sees the same architectures, with learning curves "
         f"cut at the fidelity. {run.trials} trials, seed {run.seed}."), "",
        (f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; date "
         f"{time.strftime('%Y-%m-%d')}; {_omni_timing(table, wall_seconds)}."), "",
        "Command (from the repository root):", "", "```", command, "```", "",
        "## Kendall tau", "",
        ("Mean Kendall tau between predicted and true target of the test architectures, over trials, with its 95 % "
         "percentile-bootstrap interval. `*`: the predictor reads no learning curve (the same value at every "
         "fidelity). `–`: undefined (constant predictions in every trial)."), "",
    ]
    header = ["predictor", *[f"{s} archs, {f} ep" for s, f in columns]]
    body = [[label, *[_omni_tau(_omni_cell(summary, label, s, f)) for s, f in columns]] for label in labels]
    lines += [markdown_table(body, header), "", *notes]
    lines += ["## Predictors", "",
              ("OMNI and its ablations run the defaults of `naspred.predictors.omni.OMNI` unless said otherwise: "
               "normal-quantile normalisation of the scalar features and of the target fitted on the training "
               "architectures, boosting from a least-squares line on the scalar features, 250 rounds at learning "
               "rate 0.1 on 80 % minibatches, trees of depth 6 with leaves of at least n // 10 clipped to 2..5 for n "
               "training architectures."), "",
              *[f"- `{e.label}`: {e.describe()}" for e in run.entries if e.label in labels], ""]
    tests = omni_paired_tests(table, reference)
    if len(tests):
        lines += [
            f"## `{reference}` against each other predictor", "",
            ("Paired by trial (same test and training architectures): median of the difference in Kendall tau "
             f"(`{reference}` minus the other), trials where `{reference}` is higher, Wilcoxon signed-rank p-value "
             "(two-sided) and its Holm adjustment over every comparison of this table."), "",
        ]
        body = [[r.label, f"{r.train_size}", f"{r.fidelity}", f"{r.median_diff:+.3f}", f"{r.wins}/{r.pairs}",
                 f"{r.p_value:.2g}", f"{r.p_holm:.2g}"] for r in tests.itertuples()]
        header = ["predictor", "train", "fidelity", "median Δ tau", "wins", "p", "p (Holm)"]
        lines += [markdown_table(body, header), ""]
    lines += ["## Details", "",
              ("Trials that ran, failed, or had constant predictions (tau undefined); mean Spearman, precision@10, "
               "and seconds to fit and to predict the test set (one thread)."), ""]
    body = []
    for label in labels:
        for _, r in summary[summary["label"] == label].sort_values(["train_size", "fidelity"]).iterrows():
            body.append([label, r["train_size"], r["fidelity"] or "–", r["trials"], r["failed"], r["undefined"],
                         _num(r["spearman"]), _num(r["precision@10"]), _num(r["fit_seconds"], 2),
                         _num(r["predict_seconds"], 3), r["error"][:120]])
    lines += [markdown_table(body, ["predictor", "train", "fidelity", "trials", "failed", "undefined", "Spearman",
                                    "precision@10", "fit s", "predict s", "first error or note"]), ""]
    if run.skipped:
        lines += ["## Not run", "", *[f"- `{label}`: {reason}" for label, reason in run.skipped], ""]
    return "\n".join(lines)


def _omni_timing(table: pd.DataFrame, wall_seconds: float | None) -> str:
    parts = []
    if wall_seconds:
        parts.append(f"wall time of this invocation {wall_seconds / 60:.1f} min")
    if "finished_at" in table.columns and table["finished_at"].notna().sum() > 1:
        span = table["finished_at"].max() - table["finished_at"].min()
        parts.append(f"rows finished over {span / 60:.1f} min (first to last row, across resumed invocations)")
    busy = table[["fit_seconds", "predict_seconds"]].sum().sum()
    parts.append(f"fitting and predicting took {busy / 60:.1f} min summed over rows (one thread each)")
    return "; ".join(parts)


def _num(value: float, digits: int = 3) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def write_omni_report(table: pd.DataFrame, run: Any, stem: str | Path, *, title: str, command: str,
                 reference: str | None = None, wall_seconds: float | None = None,
                 notes: Sequence[str] = ()) -> tuple[Path, Path]:
    """Write ``<stem>.md`` and ``<stem>.png``."""
    stem = Path(stem)
    make_folder(stem.parent)
    text = omni_markdown(table, run, title=title, command=command, reference=reference, wall_seconds=wall_seconds,
                    notes=notes)
    md = atomic_write(stem.with_suffix(".md"), lambda tmp: tmp.write_text(text))
    summary = omni_summary(table)
    labels = [e.label for e in run.entries if e.label in set(summary["label"])]
    png = plot_omni_ablation(summary, stem.with_suffix(".png"), title, labels)
    return md, png


def plot_omni_ablation(summary: pd.DataFrame, path: str | Path, title: str = "OMNI and its ablations",
                       labels: Sequence[str] | None = None) -> Path | None:
    """Horizontal bars of mean Kendall tau (95 % CI) per predictor, one panel per train size and fidelity.

    ``summary`` has the rows of :func:`omni_summary` (label, group, train_size, fidelity, trials, failed,
    kendall_tau and its interval); ``labels`` orders the bars (default: as they come). The one plot of the
    study, for ``naspred ablate omni`` and for a sweep's OMNI variants (:func:`_omni_of_sweep`).
    """
    from matplotlib.patches import Patch

    if summary.empty:
        return None
    labels = list(labels) if labels is not None else list(dict.fromkeys(summary["label"]))
    columns = _omni_columns(summary)
    colours = {"omni": "tab:red", "ablation": "tab:orange", "plain": "tab:gray", "learning-curve": "tab:blue"}
    fig = new_figure(3.2 * len(columns) + 2.5, 0.32 * len(labels) + 2.0)
    axes = fig.subplots(1, len(columns), sharex=True, sharey=True, squeeze=False)[0]
    ys = np.arange(len(labels))[::-1]
    for ax, (size, fidelity) in zip(axes, columns):
        for y, label in zip(ys, labels):
            row = _omni_cell(summary, label, size, fidelity)
            if row is None:
                continue
            if math.isnan(row["kendall_tau"]):
                ax.text(0.01, y, "failed" if row["trials"] == row["failed"] else "undefined", va="center",
                        fontsize=7, color="0.4", transform=ax.get_yaxis_transform())
                continue
            err = None
            if not math.isnan(row["kendall_tau_low"]):
                err = [[row["kendall_tau"] - row["kendall_tau_low"]], [row["kendall_tau_high"] - row["kendall_tau"]]]
            ax.barh(y, row["kendall_tau"], xerr=err, color=colours.get(row["group"], "tab:green"),
                    hatch="//" if row["fidelity"] == 0 else None, capsize=2)
        ax.set_title(f"{size} archs, {fidelity} epoch{'s' if fidelity != 1 else ''}", fontsize=9)
        ax.set_xlabel("Kendall tau")
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(ys, labels, fontsize=8)
    present = [g for g in colours if g in set(summary["group"])]
    handles = [Patch(color=colours[g], label=g) for g in present]
    if (summary["fidelity"] == 0).any():
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="//", label="reads no curve"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8)
    fig.suptitle(title, fontsize=10)
    return save_png(fig, path, dpi=110)


