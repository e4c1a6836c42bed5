"""Losses that train a network to order architectures rather than to regress their accuracy.

A performance predictor in NAS is read mostly through the order it gives (which architecture to train next,
which to keep), and the order is what ranking losses fit:

* **pairwise hinge** (Ning et al., "A Generic Graph-based Neural Architecture Encoding Scheme for
  Predictor-based NAS", ECCV 2020, GATES; one of the eight losses compared by Ji et al., "Loss Functions for
  Predictor-based Neural Architecture Search", ICCV 2025): over the pairs ``(i, j)`` of a batch with
  ``y_i > y_j``, the mean of ``max(0, m - (s_i - s_j))``; the margin ``m`` is 0.1, as in GATES's code
  (``aw_nas``). Pairs of equal targets are left out.
* **ListMLE** (Xia et al., "Listwise Approach to Learning to Rank: Theory and Algorithm", ICML 2008): the
  negative log-likelihood of the true order of the batch under the Plackett-Luce model of the scores,
  ``sum_k [log sum_{l >= k} exp(s_pi(l)) - s_pi(k)]`` with ``pi`` the order of decreasing target, divided by
  the batch size. Ties are taken in a fixed order.

Every loss maps scores and targets of shape ``(..., B)`` (a batch of ``B`` architectures, possibly for
several ensemble members at once) to one value per list, shape ``(...)``; ``weights`` (``(..., B)``) make an
architecture count as if it were repeated: a pair weighs ``w_i w_j``, a ListMLE term ``w_k`` with the
remaining architectures' mass weighted too. Both ranking losses are invariant to adding a constant to the
scores, so a network trained with them outputs **scores**, not accuracies: only their order is fitted.
:func:`linear_calibration` gives the least-squares line of the training targets on the training scores, by
which the predictors map scores onto the target (as GATES does); the line keeps the order, so rank metrics
(Kendall tau, Spearman) judge the network, while MAE and RMSE judge the line.
"""

from __future__ import annotations

import numpy as np
import torch

#: the regression losses every neural predictor offers (its default among them)
REGRESSION_LOSSES: tuple[str, ...] = ("mse",)
#: the ranking losses (outputs become scores)
RANKING_LOSSES: tuple[str, ...] = ("pairwise_hinge", "listmle")
#: the ``loss`` options of the neural predictors
LOSSES: tuple[str, ...] = REGRESSION_LOSSES + RANKING_LOSSES
#: margin of the pairwise hinge loss, on the scale of standardised targets (GATES, ``aw_nas``: 0.1)
HINGE_MARGIN = 0.1


def is_ranking(loss: str) -> bool:
    """Whether ``loss`` fits the order of the targets only (its network outputs scores)."""
    return loss in RANKING_LOSSES


def pairwise_hinge(
    scores: torch.Tensor, targets: torch.Tensor, margin: float = HINGE_MARGIN, weights: torch.Tensor | None = None
) -> torch.Tensor:
    """Mean of ``max(0, margin - (s_i - s_j))`` over the pairs with ``y_i > y_j`` of each list (0 for a list
    whose targets are all equal)."""
    gap = scores.unsqueeze(-1) - scores.unsqueeze(-2)
    ordered = (targets.unsqueeze(-1) > targets.unsqueeze(-2)).to(scores.dtype)
    if weights is not None:
        ordered = ordered * (weights.unsqueeze(-1) * weights.unsqueeze(-2))
    count = ordered.sum(dim=(-2, -1))
    total = (ordered * torch.relu(margin - gap)).sum(dim=(-2, -1))
    return total / torch.where(count > 0, count, torch.ones_like(count))


def listmle(scores: torch.Tensor, targets: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
    """The Plackett-Luce negative log-likelihood of the order of decreasing target, per architecture."""
    order = torch.argsort(targets, dim=-1, descending=True, stable=True)
    ranked = scores.gather(-1, order)
    if weights is None:
        remaining = torch.logcumsumexp(ranked.flip(-1), dim=-1).flip(-1)
        return (remaining - ranked).mean(dim=-1)
    w = weights.expand_as(scores).gather(-1, order)
    remaining = torch.logcumsumexp((ranked + w.log()).flip(-1), dim=-1).flip(-1)
    return (w * (remaining - ranked)).sum(dim=-1) / w.sum(dim=-1)


def batch_loss(
    loss: str, predictions: torch.Tensor, targets: torch.Tensor, weights: torch.Tensor | None = None
) -> torch.Tensor:
    """The loss ``loss`` of each list: ``"mse"``, ``"mae"`` (means over the list, weighted by ``weights`` where
    given), or a ranking loss."""
    if loss in ("mse", "mae"):
        error = (predictions - targets).pow(2) if loss == "mse" else (predictions - targets).abs()
        if weights is None:
            return error.mean(dim=-1)
        return (weights * error).sum(dim=-1) / weights.sum(dim=-1)
    if loss == "pairwise_hinge":
        return pairwise_hinge(predictions, targets, weights=weights)
    if loss == "listmle":
        return listmle(predictions, targets, weights=weights)
    raise ValueError(f"unknown loss {loss!r}; expected one of {['mae', *LOSSES]}")


def linear_calibration(scores: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Intercept and slope of the least-squares line of ``targets`` (n,) on ``scores`` (..., n), per row.

    A row of equal scores gets slope 0 and the mean target as intercept.
    """
    s = np.asarray(scores, dtype=np.float64)
    z = np.asarray(targets, dtype=np.float64)
    centred = s - s.mean(axis=-1, keepdims=True)
    spread = (centred**2).mean(axis=-1)
    covariance = (centred * (z - z.mean())).mean(axis=-1)
    slope = np.divide(covariance, spread, out=np.zeros_like(spread), where=spread > 0)
    return z.mean() - slope * s.mean(axis=-1), slope
