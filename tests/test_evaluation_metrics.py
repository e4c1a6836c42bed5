"""Metrics against hand computations: tau-b by pair counting, Spearman by the rank formula, precision@k and
top-k tau on small worked examples, bootstrap intervals, average ranks, the paired test and Holm's step-down."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from naspred.errors import InvalidInputError
from naspred.evaluation import metrics as m


def tau_b_by_pairs(x, y) -> float:
    """Kendall's tau-b from its definition: (C - D) / sqrt((n0 - n1)(n0 - n2))."""
    concordant = discordant = ties_x = ties_y = 0
    for i, j in combinations(range(len(x)), 2):
        dx, dy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
        if dx == 0:
            ties_x += 1
        if dy == 0:
            ties_y += 1
        if dx * dy > 0:
            concordant += 1
        elif dx * dy < 0:
            discordant += 1
    n0 = len(x) * (len(x) - 1) // 2
    return (concordant - discordant) / math.sqrt((n0 - ties_x) * (n0 - ties_y))


def test_kendall_tau_b_matches_pair_counting_with_ties():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 6, size=40).astype(float)  # many ties on both sides
    y = x + rng.integers(-2, 3, size=40)
    assert m.kendall_tau(x, y) == pytest.approx(tau_b_by_pairs(x, y), abs=1e-12)


def test_worked_tau_example():
    # pairs of (1,2,3,4) vs (1,3,2,4): 5 concordant, 1 discordant -> (5 - 1) / 6
    assert m.kendall_tau([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(4 / 6)


def test_spearman_matches_rank_formula_without_ties():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=25), rng.normal(size=25)
    d = np.argsort(np.argsort(x)) - np.argsort(np.argsort(y))
    n = len(x)
    assert m.spearman(x, y) == pytest.approx(1 - 6 * np.sum(d**2) / (n * (n**2 - 1)), abs=1e-12)


def test_pearson_mae_rmse():
    t, p = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 2.0, 5.0, 3.0])
    assert m.mae(t, p) == pytest.approx((1 + 0 + 2 + 1) / 4)
    assert m.rmse(t, p) == pytest.approx(math.sqrt((1 + 0 + 4 + 1) / 4))
    tc, pc = t - t.mean(), p - p.mean()
    assert m.pearson(t, p) == pytest.approx(tc @ pc / math.sqrt((tc @ tc) * (pc @ pc)))


def test_precision_at_k_and_top_k_tau_worked_example():
    true = np.array([10.0, 9.0, 8.0, 7.0, 6.0, 5.0])
    pred = np.array([1.0, 6.0, 5.0, 4.0, 3.0, 2.0])  # the true best is predicted worst
    # true top 3 = {0, 1, 2}; predicted top 3 = {1, 2, 3}: 2 shared
    assert m.precision_at_k(true, pred, 3) == pytest.approx(2 / 3)
    # among the true top 3 (10, 9, 8) the predictions are (1, 6, 5): pairs (0,1) D, (0,2) D, (1,2) C -> -1/3
    assert m.top_k_tau(true, pred, 3) == pytest.approx(-1 / 3)
    # lower is better (a loss): the top 3 are the smallest values
    assert m.precision_at_k(-true, -pred, 3, higher_is_better=False) == pytest.approx(2 / 3)


def test_constant_predictions_give_nan_correlations_with_a_note():
    out, note = m.prediction_metrics([1.0, 2.0, 3.0], [5.0, 5.0, 5.0], top_k=(2,))
    assert math.isnan(out["kendall_tau"]) and math.isnan(out["spearman"]) and math.isnan(out["pearson"])
    assert out["mae"] == pytest.approx(3.0)
    assert "all equal" in note
    out, note = m.prediction_metrics([1.0, 2.0, 3.0], [1.0, 3.0, 2.0], top_k=(2,))
    assert note == "" and set(out) == set(m.metric_names((2,)))


@pytest.mark.parametrize(
    "y_true, y_pred, fragment",
    [
        ([1, 2, 3], [1, 2], "3 targets but 2 predictions"),
        ([1, 2, np.nan], [1, 2, 3], "targets must be finite"),
        ([1, 2, 3], [1, np.inf, 3], "predictions must be finite"),
        ([1], [1], "at least 2"),
    ],
)
def test_bad_metric_input_is_refused(y_true, y_pred, fragment):
    with pytest.raises(InvalidInputError, match=fragment):
        m.prediction_metrics(y_true, y_pred)


def test_k_out_of_range_is_refused():
    with pytest.raises(InvalidInputError, match=r"k must be an integer in \[1, 3\]"):
        m.precision_at_k([1, 2, 3], [1, 2, 3], 4)
    with pytest.raises(InvalidInputError, match="unknown metric"):
        m.higher_is_better("accuracy")


def test_bootstrap_ci_is_seeded_and_brackets_the_mean():
    values = np.random.default_rng(1).normal(0.6, 0.05, size=30)
    mean, low, high = m.bootstrap_ci(values, seed=4)
    assert mean == pytest.approx(values.mean())
    assert low < mean < high
    assert (low, high) == m.bootstrap_ci(values, seed=4)[1:]
    # about mean +- 1.96 standard errors for a sample this size
    se = values.std(ddof=1) / math.sqrt(len(values))
    assert high - low == pytest.approx(2 * 1.96 * se, rel=0.25)
    one = m.bootstrap_ci([0.5])
    assert one[0] == 0.5 and math.isnan(one[1]) and math.isnan(one[2])
    assert m.bootstrap_ci([0.2, np.nan, 0.4])[0] == pytest.approx(0.3)


def test_average_rank_over_benchmarks():
    table = pd.DataFrame({
        "benchmark": ["A"] * 3 + ["B"] * 3,
        "predictor": ["p", "q", "r"] * 2,
        "kendall_tau": [0.9, 0.5, 0.5, 0.1, 0.8, 0.3],
        "status": "ok",
    })
    ranks = m.average_rank(table, "kendall_tau").set_index("predictor")["average_rank"]
    # A: p 1, q and r tie at 2.5; B: q 1, r 2, p 3
    assert ranks.to_dict() == {"p": 2.0, "q": 1.75, "r": 2.25}
    maes = table.rename(columns={"kendall_tau": "mae"})
    # lower is better: A: q and r tie at 1.5, p 3; B: p 1, r 2, q 3
    ranks = m.average_rank(maes, "mae").set_index("predictor")["average_rank"]
    assert ranks.to_dict() == {"p": 2.0, "q": 2.25, "r": 1.75}


def test_wilcoxon_and_holm():
    # 5 positive differences: the exact two-sided p-value is 2 / 2**5
    median, p = m.wilcoxon_paired([0.5, 0.6, 0.7, 0.8, 0.9], [0.4, 0.45, 0.5, 0.55, 0.6])
    assert p == pytest.approx(2 / 32) and median == pytest.approx(0.2)
    assert m.wilcoxon_paired([0.1, 0.2], [0.1, 0.2]) == (0.0, 1.0)
    assert m.holm([0.01, 0.04, 0.03]).tolist() == pytest.approx([0.03, 0.06, 0.06])


def test_pairwise_tests_pair_trials():
    rows = []
    for trial in range(6):
        rows += [{"predictor": "good", "trial": trial, "kendall_tau": 0.7 + 0.01 * trial, "status": "ok"},
                 {"predictor": "bad", "trial": trial, "kendall_tau": 0.3 + 0.02 * trial, "status": "ok"}]
    out = m.pairwise_tests(pd.DataFrame(rows), "kendall_tau")
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["a"], row["b"], row["n"], row["better"]) == ("bad", "good", 6, "good")
    assert row["p_value"] == pytest.approx(2 / 2**6)
