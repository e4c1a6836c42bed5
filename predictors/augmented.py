"""Predictors that train on, and average over, the isomorphs of an architecture.

A search space knows when two architectures are the same network written differently
(:mod:`naspred.spaces.isomorphs`), so every labelled architecture's isomorphs are labelled too, at no training
cost: a predictor fitted with ``augment="isomorphs"`` trains on each architecture's isomorphs with its target
(at most ``max_isomorphs`` per architecture, itself included), and one with ``predict_isomorphs=True`` predicts
the mean over a queried architecture's isomorphs (the same ones for each of them, so isomorphs get one
prediction; with the standard deviation of that equal mixture where the model has one). Encodings such as the adjacency one-hot are not invariant to these rewritings, so the model sees
more of the space; a model that is invariant gains nothing but costs more.

Data augmentation by graph isomorphism is common in predictor-based NAS (for example Wen et al., "Neural
Predictor for Neural Architecture Search", ECCV 2020, which note the isomorphic NAS-Bench-101 cells; and
White et al., "How Powerful are Performance Predictors in Neural Architecture Search?", NeurIPS 2021, whose
encodings the augmentation targets). Both options are off by default: predictions are then those of the model
alone. Side information (learning curves, proxies) is repeated for every isomorph of an architecture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from naspred.errors import InvalidInputError
from naspred.oracles.budget import Budget
from naspred.oracles.oracle import Oracle
from naspred.params import Boolean, Int, Options, optional, param
from naspred.predictors.base import Predictor, _as_list, check_targets, infer_space
from naspred.predictors.info import ArchInfo
from naspred.predictors.prediction import Prediction
from naspred.spaces.isomorphs import Isomorphs, isomorphs_of

#: the ``augment`` options: None (no augmentation) or "isomorphs"
AUGMENTATIONS: tuple[str, ...] = ("isomorphs",)


def pooled(prediction: Prediction, index: np.ndarray, n: int) -> Prediction:
    """Mean per group of rows (``index[k]``: the group of row ``k``) and, where ``prediction`` has a standard
    deviation, that of the equal mixture of the group's predictive distributions."""
    counts = np.bincount(index, minlength=n).astype(np.float64)
    mean = np.bincount(index, weights=prediction.mean, minlength=n) / counts
    if prediction.std is None:
        return Prediction(mean)
    second = np.bincount(index, weights=prediction.std**2 + prediction.mean**2, minlength=n) / counts
    return Prediction(mean, np.sqrt(np.clip(second - mean**2, 0.0, None)))


class IsomorphAugmented(Predictor):
    """A :class:`~naspred.predictors.base.Predictor` that can train on the isomorphs of its training
    architectures and average its predictions over the isomorphs of the queried ones.

    The space must be one whose isomorphs are enumerated (:data:`naspred.spaces.isomorphs.SUPPORTED`) when
    either option is on; another is refused before any training. ``isomorphs_`` keeps the enumerator of the
    fitted space; ``n_train_`` counts the architectures given, not their isomorphs.

    Parameters
    ----------
    augment : {None, "isomorphs"}
        Train on every training architecture's isomorphs, each with the architecture's target.
    predict_isomorphs : bool
        Predict the mean over each queried architecture's isomorphs.
    max_isomorphs : int
        Isomorphs per architecture at the most, the architecture itself included (>= 1).
    """

    augment: str | None = param(None, optional(Options(AUGMENTATIONS)))
    predict_isomorphs: bool = param(False, Boolean())
    max_isomorphs: int = param(8, Int(1))

    def _isomorphs(self, space: Any) -> Isomorphs:
        """The enumerator of ``space`` (kept from the fit when it is of the same space)."""
        kept = getattr(self, "isomorphs_", None)
        if kept is None or kept.space is not space or kept.max_isomorphs != self.max_isomorphs:
            kept = isomorphs_of(space, self.max_isomorphs)
            self.isomorphs_ = kept
        return kept

    def _parsed(self, archs: Sequence[Any], info: ArchInfo | None, who: str, fitting: bool) -> tuple[list, ArchInfo]:
        """``archs`` read and validated in their space, and ``info`` with that space."""
        items = _as_list(archs, who)
        info = self._check_info(info, who)
        space = (info.space or infer_space(items, who)) if fitting else self._space_for(items, info, who)
        return self._validated(items, space, who), replace(info, space=space)

    def unsupported(self, space: Any) -> str | None:
        """Why the isomorph options cannot apply on ``space`` (a space without isomorphs), or None."""
        if self.augment is None and not self.predict_isomorphs:
            return None
        try:
            isomorphs_of(space, self.max_isomorphs)
        except InvalidInputError as err:
            return str(err)
        return None

    def initialize(self, oracle: Oracle, budget: Budget) -> None:
        """As :meth:`Predictor.initialize`; a space without isomorphs is refused before anything is trained."""
        if self.augment is not None or self.predict_isomorphs:
            self._isomorphs(oracle.space)
        super().initialize(oracle, budget)

    def fit(self, archs: Sequence[Any], y: Any, info: ArchInfo | None = None) -> IsomorphAugmented:
        """Fit as :meth:`Predictor.fit`; with ``augment="isomorphs"``, on every architecture's isomorphs."""
        if self.augment is None and not self.predict_isomorphs:
            self.__dict__.pop("isomorphs_", None)
            return super().fit(archs, y, info)
        who = f"{self._name}.fit"
        self.validate_params()
        items, info = self._parsed(archs, info, who, fitting=True)
        y = check_targets(y, len(items), who)
        isomorphs = self._isomorphs(info.space)
        if self.augment is None:
            return super().fit(items, y, info)
        expanded, index = isomorphs.expand(items)
        super().fit(expanded, y[index], info.subset(index))
        self.n_train_ = len(items)
        return self

    def predict_dist(self, archs: Sequence[Any], info: ArchInfo | None = None, with_std: bool = True) -> Prediction:
        """As :meth:`Predictor.predict_dist`; with ``predict_isomorphs``, pooled over each one's isomorphs."""
        if not self.predict_isomorphs:
            return super().predict_dist(archs, info, with_std)
        who = f"{self._name}.predict"
        self._check_fitted()
        items, info = self._parsed(archs, info, who, fitting=False)
        expanded, index = self._isomorphs(info.space).expand(items, shared=True)
        return pooled(super().predict_dist(expanded, info.subset(index), with_std), index, len(items))
