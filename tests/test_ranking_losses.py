"""Ranking losses (pairwise hinge, ListMLE) against their definitions written out pair by pair and position by
position, and the least-squares line that maps scores onto the target. The neural predictors trained with them
are tested in tests/test_predictors_torch.py."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from naspred.predictors.ranking_losses import (
    HINGE_MARGIN,
    batch_loss,
    linear_calibration,
    listmle,
    pairwise_hinge,
)


def hinge_by_pairs(s: np.ndarray, y: np.ndarray, margin: float, w: np.ndarray | None = None) -> float:
    w = np.ones_like(s) if w is None else w
    terms = [(w[i] * w[j], max(0.0, margin - (s[i] - s[j]))) for i, j in itertools.permutations(range(len(s)), 2)
             if y[i] > y[j]]
    total = sum(weight for weight, _ in terms)
    return sum(weight * t for weight, t in terms) / total if total else 0.0


def plackett_luce_nll(s: np.ndarray, y: np.ndarray) -> float:
    order = sorted(range(len(s)), key=lambda i: -y[i])
    return sum(np.log(np.exp(s[order[k:]]).sum()) - s[order[k]] for k in range(len(s))) / len(s)


@pytest.fixture
def lists():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(3, 9))
    targets = rng.normal(size=(3, 9))
    targets[0, :3] = targets[0, 3]  # ties: left out of the pairs
    return scores, targets


def test_pairwise_hinge_is_the_mean_margin_violation_over_ordered_pairs(lists):
    scores, targets = lists
    got = pairwise_hinge(torch.as_tensor(scores), torch.as_tensor(targets)).numpy()
    want = [hinge_by_pairs(s, y, HINGE_MARGIN) for s, y in zip(scores, targets, strict=True)]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # a wider margin, and a list whose targets are all equal (no pair: no loss)
    assert float(pairwise_hinge(torch.tensor([0.3, 0.1]), torch.tensor([1.0, 0.0]), margin=1.0)) == pytest.approx(0.8)
    assert float(pairwise_hinge(torch.tensor([0.3, 0.1]), torch.tensor([2.0, 2.0]))) == 0.0


def test_listmle_is_the_plackett_luce_nll_of_the_true_order(lists):
    scores, targets = lists
    targets = targets.copy()
    targets[0, :4] += np.arange(4) * 1e-3  # no ties: the order is unique
    got = listmle(torch.as_tensor(scores), torch.as_tensor(targets)).numpy()
    want = [plackett_luce_nll(s, y) for s, y in zip(scores, targets, strict=True)]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # scores in the targets' order are more likely than the reverse order; a shift of every score changes nothing
    y = torch.arange(6, dtype=torch.float64)
    assert float(listmle(y, y)) < float(listmle(-y, y))
    assert float(listmle(y + 5.0, y)) == pytest.approx(float(listmle(y, y)))


def test_weights_count_an_architecture_as_if_it_were_repeated():
    s = np.array([0.2, -0.4, 0.9, 0.1])
    y = np.array([1.0, 3.0, 2.0, 0.0])
    w = np.array([2.0, 1.0, 3.0, 1.0])
    repeated = np.repeat(np.arange(4), w.astype(int))
    got = float(pairwise_hinge(torch.as_tensor(s), torch.as_tensor(y), weights=torch.as_tensor(w)))
    assert got == pytest.approx(hinge_by_pairs(s[repeated], y[repeated], HINGE_MARGIN))
    assert got == pytest.approx(hinge_by_pairs(s, y, HINGE_MARGIN, w))
    # unit weights are no weights; the weighted squared error is the weighted mean
    ones = torch.ones(4, dtype=torch.float64)
    st, yt = torch.as_tensor(s), torch.as_tensor(y)
    assert float(listmle(st, yt, weights=ones)) == pytest.approx(float(listmle(st, yt)))
    assert float(batch_loss("mse", st, yt, torch.as_tensor(w))) == pytest.approx(float(np.average((s - y) ** 2, weights=w)))


def test_ranking_losses_have_gradients_that_order_the_scores():
    y = torch.tensor([3.0, 1.0, 2.0, 0.0])
    for name in ("pairwise_hinge", "listmle"):
        s = torch.zeros(4, requires_grad=True)
        optimizer = torch.optim.SGD([s], lr=0.5)
        for _ in range(200):
            optimizer.zero_grad()
            batch_loss(name, s, y).backward()
            optimizer.step()
        assert torch.argsort(s.detach(), descending=True).tolist() == [0, 2, 1, 3], name


def test_linear_calibration_is_the_least_squares_line_per_row():
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(2, 30))
    z = 3.0 * scores[0] + 0.5 + rng.normal(scale=0.1, size=30)
    intercept, slope = linear_calibration(scores, z)
    for row in range(2):
        want_slope, want_intercept = np.polyfit(scores[row], z, 1)
        assert slope[row] == pytest.approx(want_slope) and intercept[row] == pytest.approx(want_intercept)
    intercept, slope = linear_calibration(np.full(5, 2.0), np.arange(5.0))
    assert float(slope) == 0.0 and float(intercept) == 2.0
