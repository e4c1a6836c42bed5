"""A Markdown summary and PNG plots of a results folder (``naspred report DIR``).

Figures, after White et al. (NeurIPS 2021, "How Powerful are Performance Predictors in Neural
Architecture Search?"): Kendall tau against the initialization budget per predictor with bootstrap
confidence bands; the best predictor in each cell of the init × query budget grid; the OMNI ablation
bars; Kendall tau against wall time (the Pareto view). Plots use matplotlib's object API with the Agg
canvas, so no display and no global pyplot state are involved.

A predictor that spends nothing on a budget axis (``unlimited``: it trains nothing during
initialization, or its query cost is fixed by its own parameters) gets the same result in every cell
of that axis; the grid, the ranks and the plots repeat its row across the budgets of the other
predictors.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naspred.errors import InvalidInputError
from naspred.evaluation.metrics import average_rank, higher_is_better, metric_names, pairwise_tests, summarise
from naspred.evaluation.results import ResultStore, atomic_write, make_folder, read_table
from naspred.evaluation.splits import pool_rows

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


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, (float, np.floating)):
        if value != 0 and (abs(value) >= 1e4 or abs(value) < 1e-3):
            return f"{value:.2e}"
        return f"{value:.{digits}f}"
    return str(value)


def _ci(row: pd.Series, metric: str) -> str:
    low, high = row[f"{metric}_low"], row[f"{metric}_high"]
    text = _fmt(row[metric])
    if not (math.isnan(low) or math.isnan(high)):
        text += f" [{_fmt(low)}, {_fmt(high)}]"
    return text


def markdown_table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(x).replace("|", "\\|") for x in row) + " |")
    return "\n".join(lines)


def _top_k(table: pd.DataFrame) -> list[int]:
    return sorted(int(c.split("@")[1]) for c in table.columns if c.startswith("precision@"))


# -- figures ------------------------------------------------------------------------------------------
def _figure(width: float = 7.0, height: float = 4.5) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def save_png(fig: Any, path: str | Path, dpi: int = 120) -> Path:
    """Save a figure as PNG to a temporary file renamed onto ``path`` (never a truncated PNG)."""
    return atomic_write(Path(path), lambda tmp: fig.savefig(tmp, dpi=dpi, format="png"))


def _colours(labels: Sequence[str]) -> dict[str, Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab20" if len(labels) > 10 else "tab10"]
    return {label: cmap(i % cmap.N) for i, label in enumerate(sorted(labels))}


def plot_tau_vs_init(summary: pd.DataFrame, path: Path, metric: str = "kendall_tau") -> Path | None:
    """Mean ``metric`` against the init budget per predictor, with confidence bands (one panel per unit)."""
    units = [u for u in ("archs", "seconds") if (summary["init_unit"] == u).any()]
    if not units:
        return None
    fig = _figure(6.5 * len(units), 4.5)
    axes = np.atleast_1d(fig.subplots(1, len(units), squeeze=False)[0])
    colours = _colours(summary["predictor"].unique())
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
    colours = _colours(labels)
    fig = _figure(max(5.0, 1.0 + 0.9 * len(inits)), max(2.5, 1.2 + 0.6 * len(queries)))
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
    colours = _colours(points["predictor"].unique())
    fig = _figure(7.0, 4.5)
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
    if len(roots) > 1 and "test_size" in table:
        sizes = table.groupby("benchmark")["test_size"].unique()
        mixed = {b: sorted(int(x) for x in v) for b, v in sizes.items() if len(v) > 1}
        if mixed:
            raise InvalidInputError(
                f"results folders of the same benchmark hold different test sizes ({mixed}); metrics of "
                "different test sizes are not comparable: report those folders separately"
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
                     f"architectures distinct by canonical form, seed {spec.get('seed')}")
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
                     budget_label(r["query_unit"], r["query_budget"]), _fmt(r["train_size"], 0), int(r["n"]),
                     _ci(r, metric), *(_fmt(r[m]) for m in ("spearman", "pearson", "mae", "rmse")),
                     *(_fmt(r[f"precision@{k}"]) for k in top_k), *(_fmt(r[f"topk_tau@{k}"]) for k in top_k),
                     _fmt(r["init_simulated_s"], 0), _fmt(r["init_wall_s"], 2), _fmt(r["query_wall_s"], 4)])
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
    rows = [(r["a"], r["b"], int(r["n"]), _fmt(r["median_diff"]), _fmt(r["p_value"]), _fmt(r["p_holm"]),
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


# -- the OMNI ablation (naspred ablate omni): its summary, paired tests, Markdown and plot -------------
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
    fig = _figure(3.2 * len(columns) + 2.5, 0.32 * len(labels) + 2.0)
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
