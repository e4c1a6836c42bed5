"""The report of a sweep (``naspred report DIR``): its sections, its figures and the merging of several folders.

See :mod:`naspred.evaluation.reports` for the figures drawn and how a predictor that spends nothing on a budget
axis is repeated across that axis.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naspred.errors import InvalidInputError
from naspred.evaluation.metrics import (
    average_rank,
    higher_is_better,
    metric_names,
    pairwise_tests,
    summarise,
)
from naspred.evaluation.reports.format import (
    format_number,
    label_colours,
    markdown_table,
    new_figure,
    save_png,
)
from naspred.evaluation.reports.omni import plot_omni_ablation
from naspred.evaluation.results import (
    ResultStore,
    atomic_write,
    make_folder,
    read_table,
)
from naspred.evaluation.splits import DESCRIPTIONS, protocol

logger = logging.getLogger(__name__)

REPORT = "report.md"
CELL = ("benchmark", "init_unit", "init_budget", "query_unit", "query_budget")
KEY = ("benchmark", "predictor", "init_unit", "init_budget", "query_unit", "query_budget")


def budget_label(unit: str, value: float) -> str:
    """``"100 archs"``, ``"3600 s"``, ``"12 epochs"`` or ``"unlimited"``."""
    if unit == "unlimited":
        return "unlimited"
    return f"{value:g} s" if unit == "seconds" else f"{value:g} {unit}"


def broadcast(table: pd.DataFrame) -> pd.DataFrame:
    """Repeat the rows whose init or query budget is ``unlimited`` at every budget of that axis present
    in the table (per benchmark), so that every predictor has a value in every cell."""
    if table.empty:
        return table
    parts = []
    for _, group in table.groupby("benchmark", sort=False):
        inits = group.loc[group["init_unit"] != "unlimited", ["init_unit", "init_budget"]].drop_duplicates()
        queries = group.loc[group["query_unit"] != "unlimited", ["query_unit", "query_budget"]].drop_duplicates()
        out = group
        if len(inits):
            fixed = out[out["init_unit"] == "unlimited"].drop(columns=["init_unit", "init_budget"])
            out = pd.concat([out[out["init_unit"] != "unlimited"], fixed.merge(inits, how="cross")], ignore_index=True)
        if len(queries):
            fixed = out[out["query_unit"] == "unlimited"].drop(columns=["query_unit", "query_budget"])
            out = pd.concat([out[out["query_unit"] != "unlimited"], fixed.merge(queries, how="cross")],
                            ignore_index=True)
        parts.append(out)
    return pd.concat(parts, ignore_index=True)


def _ci(row: pd.Series, metric: str) -> str:
    low, high = row[f"{metric}_low"], row[f"{metric}_high"]
    text = format_number(row[metric])
    if not (math.isnan(low) or math.isnan(high)):
        text += f" [{format_number(low)}, {format_number(high)}]"
    return text


def _top_k(table: pd.DataFrame) -> list[int]:
    return sorted(int(c.split("@")[1]) for c in table.columns if c.startswith("precision@"))


# -- figures ------------------------------------------------------------------------------------------


def plot_tau_vs_init(summary: pd.DataFrame, path: Path, metric: str = "kendall_tau") -> Path | None:
    """Mean ``metric`` against the init budget per predictor, with confidence bands (one panel per unit)."""
    units = [u for u in ("archs", "seconds") if (summary["init_unit"] == u).any()]
    if not units:
        return None
    fig = new_figure(6.5 * len(units), 4.5)
    axes = np.atleast_1d(fig.subplots(1, len(units), squeeze=False)[0])
    colours = label_colours(summary["predictor"].unique())
    for ax, unit in zip(axes, units):
        part = summary[summary["init_unit"] == unit]
        fixed = summary[summary["init_unit"] == "unlimited"]
        xs = np.sort(part["init_budget"].unique())
        for label, rows in part.groupby("predictor"):
            best_q = rows.sort_values(["query_unit", "query_budget"]).groupby("init_budget").tail(1)
            best_q = best_q.sort_values("init_budget")
            ax.plot(best_q["init_budget"], best_q[metric], marker="o", ms=3, color=colours[label], label=label)
            ax.fill_between(best_q["init_budget"], best_q[f"{metric}_low"], best_q[f"{metric}_high"],
                            color=colours[label], alpha=0.2, linewidth=0)
        for label, rows in fixed.groupby("predictor"):
            row = rows.sort_values("query_budget").iloc[-1]
            ax.hlines(row[metric], xs.min(), xs.max(), colors=[colours[label]], linestyles="dashed",
                      label=f"{label} (no init training)")
            if not math.isnan(row[f"{metric}_low"]):
                ax.fill_between([xs.min(), xs.max()], row[f"{metric}_low"], row[f"{metric}_high"],
                                color=colours[label], alpha=0.1, linewidth=0)
        if len(xs) > 1 and xs.min() > 0:
            ax.set_xscale("log")
            ax.minorticks_off()
        ax.set_xticks(xs, [f"{x:g}" for x in xs], fontsize=7)
        ax.set_xlabel("train size (architectures trained)" if unit == "archs" else "init budget (s)")
        ax.set_ylabel(metric.replace("_", " "))
        ax.grid(alpha=0.3)
    axes[-1].legend(fontsize=7, loc="best")
    fig.suptitle(f"{metric.replace('_', ' ')} against init budget (mean, 95% bootstrap CI)")
    save_png(fig, path)
    return path


def plot_grid_best(summary: pd.DataFrame, path: Path, metric: str = "kendall_tau") -> tuple[Path | None, pd.DataFrame]:
    """The predictor with the best mean ``metric`` in each init × query cell (the paper's grid figure)."""
    cells = summary[(summary["init_unit"] != "unlimited")]
    if cells.empty:
        return None, pd.DataFrame()
    grouped = cells.groupby(list(CELL))[metric]
    idx = grouped.idxmax() if higher_is_better(metric) else grouped.idxmin()
    best = cells.loc[idx.dropna().astype(int)].reset_index(drop=True)
    if best.empty:
        return None, best
    best["init"] = [budget_label(u, v) for u, v in zip(best["init_unit"], best["init_budget"])]
    best["query"] = [budget_label(u, v) for u, v in zip(best["query_unit"], best["query_budget"])]
    inits = best.sort_values(["init_unit", "init_budget"])["init"].unique().tolist()
    queries = best.sort_values(["query_unit", "query_budget"])["query"].unique().tolist()
    labels = sorted(best["predictor"].unique())
    colours = label_colours(labels)
    fig = new_figure(max(5.0, 1.0 + 0.9 * len(inits)), max(2.5, 1.2 + 0.6 * len(queries)))
    ax = fig.subplots()
    for _, row in best.iterrows():
        x, y = inits.index(row["init"]), queries.index(row["query"])
        ax.add_patch(_rectangle(x, y, colours[row["predictor"]]))
        ax.text(x, y, f"{row['predictor']}\n{row[metric]:.2f}", ha="center", va="center", fontsize=6)
    ax.set_xlim(-0.5, len(inits) - 0.5)
    ax.set_ylim(-0.5, len(queries) - 0.5)
    ax.set_xticks(range(len(inits)), inits, rotation=45, ha="right", fontsize=7)
    ax.set_yticks(range(len(queries)), queries, fontsize=7)
    ax.set_xlabel("init budget")
    ax.set_ylabel("query budget")
    ax.set_title(f"best predictor by mean {metric.replace('_', ' ')}")
    save_png(fig, path)
    return path, best


def _rectangle(x: float, y: float, colour: Any) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x - 0.5, y - 0.5), 1.0, 1.0, facecolor=colour, alpha=0.55, edgecolor="white")


def plot_tau_vs_wall(cells: pd.DataFrame, path: Path, metric: str = "kendall_tau") -> Path | None:
    """Mean ``metric`` against mean wall seconds per trial, every predictor and budget; the Pareto front."""
    points = cells.dropna(subset=[metric, "trial_wall_s"])
    if points.empty:
        return None
    colours = label_colours(points["predictor"].unique())
    fig = new_figure(7.0, 4.5)
    ax = fig.subplots()
    for label, rows in points.groupby("predictor"):
        ax.scatter(rows["trial_wall_s"], rows[metric], s=14, color=colours[label], label=label)
    front = pareto_front(points, "trial_wall_s", metric)
    ax.step(front["trial_wall_s"], front[metric], where="post", color="black", linewidth=1, label="Pareto front")
    ax.scatter(front["trial_wall_s"], front[metric], s=60, facecolors="none", edgecolors="black", linewidths=1)
    if (points["trial_wall_s"] > 0).all():
        ax.set_xscale("log")
    ax.set_xlabel("wall seconds per trial (init + query)")
    ax.set_ylabel(metric.replace("_", " "))
    ax.set_title(f"{metric.replace('_', ' ')} against wall time")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    save_png(fig, path)
    return path


def pareto_front(points: pd.DataFrame, cost: str, value: str) -> pd.DataFrame:
    """Rows not dominated by a cheaper-or-equal row with a higher ``value``, ordered by ``cost``."""
    ordered = points.sort_values([cost, value], ascending=[True, False])
    keep, best = [], -math.inf
    for i, v in zip(ordered.index, ordered[value]):
        if v > best:
            keep.append(i)
            best = v
    return ordered.loc[keep]


# -- the report ---------------------------------------------------------------------------------------
def write_report(
    folders: str | Path | Sequence[str | Path], out: str | Path | None = None, metric: str = "kendall_tau"
) -> Path:
    """Write ``report.md`` and its PNG figures; return the report path.

    ``folders`` is one results folder (the report goes into it) or several, for instance one per
    benchmark, whose tables are reported together (with the average rank across benchmarks) into ``out``.
    """
    many = not isinstance(folders, (str, Path))
    roots = [Path(f).expanduser() for f in (folders if many else [folders])]
    if not roots:
        raise InvalidInputError("no results folder given")
    if out is None and len(roots) > 1:
        raise InvalidInputError("a report of several results folders needs an output folder (--out)")
    root = Path(out).expanduser() if out is not None else roots[0]
    make_folder(root)
    table, repeated = _merged_table(roots)
    run = ResultStore(roots[0]).run_info() if len(roots) == 1 else _combined_run(roots, repeated)
    if table.empty:
        raise InvalidInputError(f"{', '.join(map(str, roots))}: the results table is empty; nothing to report")
    top_k = _top_k(table)
    metrics = metric_names(top_k)
    if metric not in metrics:
        raise InvalidInputError(f"unknown metric {metric!r}; expected one of {metrics}")
    ok = table[table["status"] == "ok"].copy()
    ok["trial_wall_s"] = ok["init_wall_s"] + ok["query_wall_s"] * ok["n_test"]
    by = [*KEY, "predictor_name"]
    summary = summarise(ok, metrics, by) if not ok.empty else pd.DataFrame()
    extra = ok.groupby(list(KEY))[["train_size", "fidelity", "init_simulated_s", "init_wall_s", "query_simulated_s",
                                   "query_wall_s", "trial_wall_s"]].mean().reset_index() if not ok.empty else None
    if extra is not None:
        summary = summary.merge(extra, on=list(KEY), how="left")
    wide = broadcast(summary) if not summary.empty else summary

    figures: list[tuple[str, Path]] = []
    grid = pd.DataFrame()
    if not summary.empty:
        made = plot_tau_vs_init(summary, root / "tau_vs_init.png", metric)
        if made:
            figures.append((f"{metric.replace('_', ' ')} against init budget", made))
        made, grid = plot_grid_best(wide, root / "grid_best.png", metric)
        if made:
            figures.append(("Best predictor per init × query budget", made))
        made = plot_omni_ablation(_omni_of_sweep(summary, metric), root / "omni_ablation.png")
        if made:
            figures.append(("OMNI ablation", made))
        made = plot_tau_vs_wall(summary, root / "tau_vs_wall.png", metric)
        if made:
            figures.append((f"{metric.replace('_', ' ')} against wall time (Pareto view)", made))

    lines = _header(run, table)
    lines += _results_section(summary, metric, top_k)
    for title, path in figures:
        lines += [f"### {title}", "", f"![{title}]({path.name})", ""]
    if not grid.empty:
        lines += _grid_section(grid, metric)
    if not wide.empty:
        lines += _rank_section(ok, wide, metric)
        lines += _significance_section(ok, metric)
    lines += _failures_section(table)
    text = "\n".join(lines) + "\n"
    return atomic_write(root / REPORT, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _merged_table(roots: Sequence[Path]) -> tuple[pd.DataFrame, int]:
    """The rows of every folder, and how many were repeats of a trial already read from another folder.

    A trial's key covers its benchmark, predictor, budgets, trial seed and test size, so two rows with one key
    are the same trial run twice (folders of one benchmark run with the same seed): it is counted once, an ``ok``
    row before a failed one. Folders of one benchmark with different test sizes are refused: their metrics are
    not comparable within a budget cell.
    """
    table = pd.concat([read_table(r) for r in roots], ignore_index=True)
    for column, what in (("test_size", "test sizes"), ("protocol", "split protocols")):
        if len(roots) < 2 or column not in table:
            continue
        values = table.groupby("benchmark")[column].unique()
        mixed = {b: sorted(v.tolist()) for b, v in values.items() if len(v) > 1}
        if mixed:
            raise InvalidInputError(
                f"results folders of the same benchmark hold different {what} ({mixed}); their metrics are not "
                "comparable within a budget cell: report those folders separately"
            )
    order = table.assign(_failed=table["status"] != "ok").sort_values("_failed", kind="stable")
    merged = order.drop_duplicates("key", keep="first").sort_index().drop(columns=["_failed"])
    return merged.reset_index(drop=True), len(table) - len(merged)


def _combined_run(roots: Sequence[Path], repeated: int = 0) -> dict[str, Any]:
    """Skipped predictors, notes and planned trials of several results folders, named by benchmark (each
    note and skipped predictor once, where several folders hold one benchmark)."""
    out: dict[str, Any] = {"skipped": [], "notes": [], "trials_planned": -repeated}
    for root in roots:
        run = ResultStore(root).run_info()
        name = run.get("benchmark", {}).get("name", str(root))
        out["skipped"] += [{"predictor": f"{s['predictor']} ({name})", "reason": s["reason"]}
                           for s in run.get("skipped", [])]
        out["notes"] += [f"{name}: {n}" for n in run.get("notes", [])]
        out["trials_planned"] += int(run.get("trials_planned", 0))
    out["skipped"] = [dict(t) for t in dict.fromkeys(tuple(s.items()) for s in out["skipped"])]
    out["notes"] = list(dict.fromkeys(out["notes"]))
    if repeated:
        out["notes"].append(f"{repeated} trial(s) appear in more than one results folder (same benchmark, predictor, "
                            "budgets, trial seed and test size): each is counted once")
    return out


def _header(run: dict[str, Any], table: pd.DataFrame) -> list[str]:
    spec = run.get("spec", {})
    bench = run.get("benchmark", {})
    n_ok = int((table["status"] == "ok").sum())
    n_failed = int((table["status"] != "ok").sum())
    planned = run.get("trials_planned")
    lines = ["# naspred evaluation report", ""]
    if bench:
        direction = "higher is better" if bench.get("higher_is_better", True) else "lower is better"
        lines.append(f"- **Benchmark**: `{bench.get('name')}` (space `{bench.get('space')}`, dataset "
                     f"{bench.get('dataset')}, {bench.get('architectures')} architectures; target "
                     f"`{bench.get('target')}`, {direction})")
    else:
        lines.append(f"- **Benchmarks**: {', '.join(sorted(table['benchmark'].unique()))}")
    if spec:
        lines.append(f"- **Predictors**: {', '.join(p['label'] for p in spec.get('predictors', []))}")
        budgets = []
        for field, what in (("train_sizes", "train sizes (archs)"), ("init_seconds", "init budgets (s)"),
                            ("fidelities", "fidelities (epochs per queried arch)"),
                            ("query_seconds", "query budgets (s per queried arch)")):
            if spec.get(field):
                budgets.append(f"{what} {spec[field]}")
        lines.append(f"- **Budgets**: {'; '.join(budgets) or 'none (predictors that need no training)'}")
        lines.append(f"- **Trials**: {spec.get('trials')} per cell, test set of {spec.get('test_size')} "
                     f"architectures, seed {spec.get('seed')}")
        split = spec.get("split", "oracle")
        lines.append(f"- **Split**: `{split}`, protocol `{protocol(split)}`: {DESCRIPTIONS.get(split, '')}")
    else:
        lines.append(f"- **Protocol**: {_protocols(table)}")
    status = f"- **Trials finished**: {n_ok} ok, {n_failed} failed"
    if planned is not None:
        status += f", of {planned} planned"
    lines.append(status)
    for note in run.get("notes", []):
        lines.append(f"- **Note**: {note}")
    lines.append("")
    skipped = run.get("skipped", [])
    if skipped:
        lines += ["## Skipped predictors", "", markdown_table([(s["predictor"], s["reason"]) for s in skipped],
                                                              ("predictor", "why")), ""]
    return lines


def _protocols(table: pd.DataFrame) -> str:
    """The split protocol of the table's rows: one name, or one per benchmark where they differ."""
    per = table.groupby("benchmark")["protocol"].first()
    if per.nunique() > 1:
        return ", ".join(f"{b}: `{p}`" for b, p in per.items())
    name = per.iloc[0]
    return f"`{name}`: " + ("test architectures may be isomorphs of training ones" if name == "random" else
                            "no test architecture shares its canonical form with a training one")


def _results_section(summary: pd.DataFrame, metric: str, top_k: list[int]) -> list[str]:
    if summary.empty:
        return ["## Results", "", "No trial finished successfully.", ""]
    lines = ["## Results", "",
             f"Mean over trials with a 95% percentile-bootstrap interval for {metric.replace('_', ' ')}; "
             "simulated seconds are training time charged by the oracle, wall seconds are measured; query "
             "figures are per queried architecture.", ""]
    header = ["benchmark", "predictor", "init budget", "query budget", "trained", "n", metric, "spearman",
              "pearson", "mae", "rmse", *[f"precision@{k}" for k in top_k], *[f"topk_tau@{k}" for k in top_k],
              "init sim. s", "init wall s", "query wall s"]
    rows = []
    ordered = summary.sort_values(["benchmark", "predictor", "init_unit", "init_budget", "query_unit", "query_budget"])
    for _, r in ordered.iterrows():
        rows.append([r["benchmark"], r["predictor"], budget_label(r["init_unit"], r["init_budget"]),
                     budget_label(r["query_unit"], r["query_budget"]), format_number(r["train_size"], 0), int(r["n"]),
                     _ci(r, metric), *(format_number(r[m]) for m in ("spearman", "pearson", "mae", "rmse")),
                     *(format_number(r[f"precision@{k}"]) for k in top_k), *(format_number(r[f"topk_tau@{k}"]) for k in top_k),
                     format_number(r["init_simulated_s"], 0), format_number(r["init_wall_s"], 2), format_number(r["query_wall_s"], 4)])
    return lines + [markdown_table(rows, header), ""]


def _grid_section(grid: pd.DataFrame, metric: str) -> list[str]:
    rows = [(r["benchmark"], r["init"], r["query"], r["predictor"], _ci(r, metric))
            for _, r in grid.sort_values(["benchmark", "init_unit", "init_budget", "query_unit", "query_budget"]).iterrows()]
    return ["## Best predictor per budget cell", "", markdown_table(rows, ("benchmark", "init", "query", "best", metric)), ""]


def _rank_section(ok: pd.DataFrame, wide: pd.DataFrame, metric: str) -> list[str]:
    several = ok["benchmark"].nunique() > 1
    groups = ("benchmark",) if several else CELL
    cells = broadcast(ok)
    ranks = average_rank(cells, metric, group=groups)
    if ranks.empty:
        return []
    what = "benchmarks" if several else "budget cells"
    lines = [f"## Average rank across {what}", "",
             f"Each predictor's rank by mean {metric.replace('_', ' ')} in every {what[:-1]} (1 = best, ties "
             f"share the average rank), averaged over the {what} where it has a value, as NAS-Bench-Suite "
             "aggregates search spaces.", ""]
    rows = [(r["predictor"], f"{r['average_rank']:.2f}", int(r["groups"])) for _, r in ranks.iterrows()]
    return lines + [markdown_table(rows, ("predictor", "average rank", what)), ""]


def _significance_section(ok: pd.DataFrame, metric: str) -> list[str]:
    cells = broadcast(ok)
    real = cells[cells["init_unit"] != "unlimited"]
    if real.empty:
        real = cells
    top = real.sort_values(["init_unit", "init_budget", "query_unit", "query_budget"]).iloc[-1]
    cell = cells[(cells["benchmark"] == top["benchmark"]) & (cells["init_unit"] == top["init_unit"])
                 & (cells["init_budget"] == top["init_budget"]) & (cells["query_unit"] == top["query_unit"])
                 & (cells["query_budget"] == top["query_budget"])]
    if cell["predictor"].nunique() < 2:
        return []
    tests = pairwise_tests(cell, metric, pair_on=("trial",))
    if tests.empty:
        return []
    where = f"{top['benchmark']}, init {budget_label(top['init_unit'], top['init_budget'])}, query " \
            f"{budget_label(top['query_unit'], top['query_budget'])}"
    lines = ["## Pairwise significance", "",
             f"Wilcoxon signed-rank test on {metric.replace('_', ' ')}, trials paired by seed (same test set and "
             f"training draws), Holm-adjusted over {len(tests)} pairs; cell: {where}.", ""]
    rows = [(r["a"], r["b"], int(r["n"]), format_number(r["median_diff"]), format_number(r["p_value"]), format_number(r["p_holm"]),
             r["better"] if r["p_holm"] < 0.05 else "no significant difference")
            for _, r in tests.iterrows()]
    return lines + [markdown_table(rows, ("a", "b", "pairs", "median a − b", "p", "p (Holm)", "better at 5%")), ""]


def _failures_section(table: pd.DataFrame) -> list[str]:
    failed = table[table["status"] != "ok"]
    if failed.empty:
        return []
    counts = failed.assign(error=failed["error"].str.slice(0, 300)).groupby(["predictor", "error"]).size()
    rows = [(p, n, e) for (p, e), n in counts.items()]
    return ["## Failed trials", "", markdown_table(rows, ("predictor", "trials", "error")), ""]


def _omni_of_sweep(summary: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The OMNI variants (predictors named ``omni…``) of a sweep's summary, at init budgets in archs and
    fidelities in epochs (0: reads no curve), in the shape :func:`plot_omni_ablation` reads (``metric`` as tau)."""
    omni = summary[summary["predictor_name"].str.startswith("omni") & (summary["init_unit"] == "archs")
                   & summary["query_unit"].isin(["epochs", "unlimited"])]
    return pd.DataFrame({
        "label": omni["predictor"], "group": np.where(omni["predictor_name"] == "omni", "omni", "ablation"),
        "train_size": omni["init_budget"].astype(int), "fidelity": omni["query_budget"].astype(int),
        "trials": omni.get("trials", 0), "failed": 0, "kendall_tau": omni[metric],
        "kendall_tau_low": omni[f"{metric}_low"], "kendall_tau_high": omni[f"{metric}_high"],
    })
