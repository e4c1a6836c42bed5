"""How well predictions rank and fit the true targets, and how predictors compare across trials.

The metrics of White et al. (NeurIPS 2021, "How Powerful are Performance Predictors in Neural
Architecture Search?") and of NASLib's predictor evaluator: Kendall tau-b, Spearman and Pearson
correlations, MAE and RMSE, precision@k (the share of the true top k that the predictor also places in
its top k) and Kendall tau among the true top k. Across trials: percentile-bootstrap confidence
intervals of the mean, the average rank of predictors over benchmarks (as NAS-Bench-Suite, Mehta et
al., ICLR 2022, aggregates search spaces), and a paired Wilcoxon signed-rank test between predictors
with Holm's correction for the number of pairs.

Correlations are undefined when the predictions (or the targets) are all equal; they are then NaN,
and :func:`prediction_metrics` says so in its ``note``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import combinations
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from naspred.errors import InvalidInputError

#: whether a larger value of each metric is better (precision@k and top-k tau share their prefix)
HIGHER_IS_BETTER = MappingProxyType(
    {"kendall_tau": True, "spearman": True, "pearson": True, "mae": False, "rmse": False,
     "precision": True, "topk_tau": True}
)

#: the default k of precision@k and top-k tau (NASLib's precision_10 and precision_20)
DEFAULT_TOP_K: tuple[int, ...] = (10, 20)


def metric_names(top_k: Sequence[int] = DEFAULT_TOP_K) -> list[str]:
    """Column names of :func:`prediction_metrics` for ``top_k``, in order."""
    names = ["kendall_tau", "spearman", "pearson", "mae", "rmse"]
    names += [f"precision@{k}" for k in top_k]
    names += [f"topk_tau@{k}" for k in top_k]
    return names


def higher_is_better(metric: str) -> bool:
    """Whether a larger value of ``metric`` (a name of :func:`metric_names`) is better."""
    base = metric.split("@", 1)[0]
    try:
        return HIGHER_IS_BETTER[base]
    except KeyError:
        raise InvalidInputError(f"unknown metric {metric!r}; expected one of {sorted(HIGHER_IS_BETTER)} "
                                "(with @k for precision and topk_tau)") from None


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(y_pred, dtype=np.float64)
    if t.ndim != 1 or p.ndim != 1:
        raise InvalidInputError(f"targets and predictions must be 1-D, got shapes {t.shape} and {p.shape}")
    if len(t) != len(p):
        raise InvalidInputError(f"{len(t)} targets but {len(p)} predictions; expected one prediction per target")
    if len(t) < 2:
        raise InvalidInputError(f"metrics need at least 2 architectures, got {len(t)}")
    for what, arr in (("targets", t), ("predictions", p)):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise InvalidInputError(f"{what} must be finite; position {int(bad[0])} is {arr[bad[0]]}")
    return t, p


def _constant(a: np.ndarray) -> bool:
    return bool(np.all(a == a[0]))


def kendall_tau(y_true: Any, y_pred: Any) -> float:
    """Kendall's tau-b (ties in either ranking corrected for); NaN if either side is constant."""
    t, p = _pair(y_true, y_pred)
    if _constant(t) or _constant(p):
        return math.nan
    return float(stats.kendalltau(t, p, variant="b").statistic)


def spearman(y_true: Any, y_pred: Any) -> float:
    """Spearman's rank correlation; NaN if either side is constant."""
    t, p = _pair(y_true, y_pred)
    if _constant(t) or _constant(p):
        return math.nan
    return float(stats.spearmanr(t, p).statistic)


def pearson(y_true: Any, y_pred: Any) -> float:
    """Pearson's linear correlation; NaN if either side is constant."""
    t, p = _pair(y_true, y_pred)
    if _constant(t) or _constant(p):
        return math.nan
    return float(stats.pearsonr(t, p).statistic)


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error, on the target's scale."""
    t, p = _pair(y_true, y_pred)
    return float(np.mean(np.abs(p - t)))


def rmse(y_true: Any, y_pred: Any) -> float:
    """Root mean squared error, on the target's scale."""
    t, p = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((p - t) ** 2)))


def _check_k(k: int, n: int) -> int:
    if isinstance(k, bool) or int(k) != k or not 1 <= k <= n:
        raise InvalidInputError(f"k must be an integer in [1, {n}] (the number of architectures), got {k!r}")
    return int(k)


def _best_first(values: np.ndarray, higher: bool) -> np.ndarray:
    """Indices from best to worst; ties keep their original order (a stable sort)."""
    return np.argsort(-values if higher else values, kind="stable")


def precision_at_k(y_true: Any, y_pred: Any, k: int, higher_is_better: bool = True) -> float:
    """Share of the true top ``k`` architectures that are also among the predicted top ``k``."""
    t, p = _pair(y_true, y_pred)
    k = _check_k(k, len(t))
    true_top = set(_best_first(t, higher_is_better)[:k].tolist())
    pred_top = set(_best_first(p, higher_is_better)[:k].tolist())
    return len(true_top & pred_top) / k


def top_k_tau(y_true: Any, y_pred: Any, k: int, higher_is_better: bool = True) -> float:
    """Kendall tau-b between targets and predictions of the true top ``k`` architectures only."""
    t, p = _pair(y_true, y_pred)
    k = _check_k(k, len(t))
    if k < 2:
        raise InvalidInputError(f"top-k tau needs k >= 2, got {k}")
    top = _best_first(t, higher_is_better)[:k]
    return kendall_tau(t[top], p[top])


def prediction_metrics(
    y_true: Any, y_pred: Any, higher_is_better: bool = True, top_k: Sequence[int] = DEFAULT_TOP_K
) -> tuple[dict[str, float], str]:
    """Every metric of :func:`metric_names` and a note (empty unless a correlation is undefined)."""
    t, p = _pair(y_true, y_pred)
    out = {
        "kendall_tau": kendall_tau(t, p),
        "spearman": spearman(t, p),
        "pearson": pearson(t, p),
        "mae": mae(t, p),
        "rmse": rmse(t, p),
    }
    for k in top_k:
        out[f"precision@{k}"] = precision_at_k(t, p, k, higher_is_better)
    for k in top_k:
        out[f"topk_tau@{k}"] = top_k_tau(t, p, k, higher_is_better)
    notes = []
    if _constant(p):
        notes.append("predictions are all equal: correlations are undefined (NaN)")
    elif _constant(t):
        notes.append("targets are all equal: correlations are undefined (NaN)")
    undefined_topk = [k for k in top_k if math.isnan(out[f"topk_tau@{k}"])]
    if undefined_topk and not notes:
        notes.append(f"predictions or targets of the true top {undefined_topk} are all equal: top-k tau is NaN")
    return out, "; ".join(notes)


# -- across trials ------------------------------------------------------------------------------
def bootstrap_ci(
    values: Iterable[float], level: float = 0.95, n_boot: int = 2000, seed: int = 0
) -> tuple[float, float, float]:
    """Mean of ``values`` and its percentile-bootstrap confidence interval (Efron & Tibshirani, 1993).

    NaN values (a correlation undefined in some trial) are left out. With fewer than two values the
    interval is undefined and returned as NaN; with none, the mean is NaN too.
    """
    if not 0 < level < 1:
        raise InvalidInputError(f"confidence level must be in (0, 1), got {level!r}")
    if isinstance(n_boot, bool) or int(n_boot) != n_boot or n_boot < 1:
        raise InvalidInputError(f"n_boot must be a positive integer, got {n_boot!r}")
    arr = np.asarray(list(values), dtype=np.float64)
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(arr.mean())
    if arr.size < 2:
        return mean, math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = arr[rng.integers(0, arr.size, size=(int(n_boot), arr.size))].mean(axis=1)
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return mean, float(low), float(high)


def summarise(
    table: pd.DataFrame, metrics: Sequence[str], by: Sequence[str], level: float = 0.95, seed: int = 0
) -> pd.DataFrame:
    """One row per group of ``by``: trial count and, per metric, mean and bootstrap CI bounds.

    Columns ``<metric>``, ``<metric>_low``, ``<metric>_high`` and ``n`` (trials with a value of the first
    metric). Only rows whose ``status`` is ``"ok"`` count, when the table has a status column.
    """
    missing = [c for c in (*by, *metrics) if c not in table.columns]
    if missing:
        raise InvalidInputError(f"table has no column(s) {missing}; it has {list(table.columns)}")
    ok = table[table["status"] == "ok"] if "status" in table.columns else table
    rows = []
    for key, group in ok.groupby(list(by), sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        row: dict[str, Any] = dict(zip(by, key))
        for metric in metrics:
            mean, low, high = bootstrap_ci(group[metric], level=level, seed=seed)
            row[metric], row[f"{metric}_low"], row[f"{metric}_high"] = mean, low, high
        row["n"] = int(np.isfinite(group[metrics[0]].to_numpy(dtype=np.float64)).sum()) if metrics else len(group)
        rows.append(row)
    columns = [*by, "n"] + [f"{m}{s}" for m in metrics for s in ("", "_low", "_high")]
    return pd.DataFrame(rows, columns=columns)


def average_rank(
    table: pd.DataFrame, metric: str, *, predictor: str = "predictor", group: Sequence[str] = ("benchmark",)
) -> pd.DataFrame:
    """Average rank of each predictor over the groups (benchmarks), rank 1 the best mean ``metric``.

    Within each group the predictors are ranked by their mean ``metric`` over trials (ties share the
    average rank); the ranks are then averaged over the groups in which the predictor has a value.
    Returns columns ``predictor``, ``average_rank``, ``groups`` sorted best first.
    """
    for column in (predictor, metric, *group):
        if column not in table.columns:
            raise InvalidInputError(f"table has no column {column!r}; it has {list(table.columns)}")
    ok = table[table["status"] == "ok"] if "status" in table.columns else table
    means = ok.groupby([*group, predictor], dropna=False)[metric].mean().dropna().reset_index()
    if means.empty:
        return pd.DataFrame(columns=[predictor, "average_rank", "groups"])
    ascending = not higher_is_better(metric)
    means["rank"] = means.groupby(list(group), dropna=False)[metric].rank(ascending=ascending, method="average")
    out = means.groupby(predictor)["rank"].agg(["mean", "count"]).reset_index()
    out.columns = [predictor, "average_rank", "groups"]
    return out.sort_values(["average_rank", predictor]).reset_index(drop=True)


def wilcoxon_paired(a: Any, b: Any) -> tuple[float, float]:
    """Median difference ``a - b`` and the two-sided p-value of Wilcoxon's signed-rank test on the pairs.

    Pairs with a NaN on either side are dropped. When every difference is zero the p-value is 1.
    """
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise InvalidInputError(f"paired values need equal 1-D shapes, got {x.shape} and {y.shape}")
    keep = np.isfinite(x) & np.isfinite(y)
    d = x[keep] - y[keep]
    if d.size == 0:
        raise InvalidInputError("no pair has a value on both sides; expected at least one paired trial")
    median = float(np.median(d))
    if np.all(d == 0):
        return median, 1.0
    return median, float(stats.wilcoxon(d, zero_method="wilcox", alternative="two-sided").pvalue)


def holm(pvalues: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjustment of p-values for multiple comparisons (Holm, 1979)."""
    p = np.asarray(pvalues, dtype=np.float64)
    m = p.size
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(m)
    running = 0.0
    for rank, idx in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[idx]))
        adjusted[idx] = running
    return adjusted


def pairwise_tests(
    table: pd.DataFrame, metric: str, *, predictor: str = "predictor", pair_on: Sequence[str] = ("trial",)
) -> pd.DataFrame:
    """Wilcoxon signed-rank test between every two predictors, trials paired on ``pair_on``.

    Trials that share ``pair_on`` (the trial seed: same test set, same training draws) form the pairs.
    Returns one row per pair: ``a``, ``b``, ``n`` pairs, ``median_diff`` (a - b), ``p_value`` and
    ``p_holm`` (Holm-adjusted over all pairs), and ``better`` (the predictor with the better median, or
    ``""`` when they tie).
    """
    for column in (predictor, metric, *pair_on):
        if column not in table.columns:
            raise InvalidInputError(f"table has no column {column!r}; it has {list(table.columns)}")
    ok = table[table["status"] == "ok"] if "status" in table.columns else table
    wide = ok.pivot_table(index=list(pair_on), columns=predictor, values=metric, aggfunc="mean")
    rows = []
    for a, b in combinations(sorted(wide.columns), 2):
        both = wide[[a, b]].dropna()
        if both.empty:
            continue
        median, p = wilcoxon_paired(both[a], both[b])
        sign = median if higher_is_better(metric) else -median
        rows.append({"a": a, "b": b, "n": len(both), "median_diff": median, "p_value": p,
                     "better": a if sign > 0 else b if sign < 0 else ""})
    out = pd.DataFrame(rows, columns=["a", "b", "n", "median_diff", "p_value", "better"])
    out["p_holm"] = holm(out["p_value"].to_numpy()) if len(out) else []
    return out
