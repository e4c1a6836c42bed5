"""Predictors that fit a scikit-learn regressor on an architecture encoding (NASLib's model-based family).

White et al. (NeurIPS 2021) evaluate model-based predictors on NASLib's encodings, by default the
adjacency one-hot encoding; the encoding is named by a registered featurizer
(:func:`naspred.featurizers.get`). Every one can train on the isomorphs of its training architectures and
average over those of a queried one (:class:`~naspred.predictors.augmented.IsomorphAugmented`; off by default).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

import numpy as np
from naspred.featurizers import get as get_featurizer
from naspred.params import Instance, param
from naspred.predictors.augmented import IsomorphAugmented
from naspred.predictors.info import ArchInfo
from naspred.predictors.requirements import Requirements

#: an ``encoding``: the name of a registered featurizer
ENCODING = Instance(str, what="a featurizer name")


class EncodingRegressor(IsomorphAugmented):
    """Fits the regressor of :meth:`_make_model` on ``featurizers.get(self.encoding, space=...)`` of the archs.

    Parameters
    ----------
    encoding : str
        The featurizer that encodes each architecture (NASLib's adjacency one-hot by default).
    augment, predict_isomorphs, max_isomorphs
        Training on, and averaging over, isomorphs (:class:`~naspred.predictors.augmented.IsomorphAugmented`).
    """

    encoding: str = param("adjacency_one_hot", ENCODING)

    @property
    def requirements(self) -> Requirements:
        return Requirements(featurizers=(self.encoding,), labelled=True, encoding=True)

    @abstractmethod
    def _make_model(self) -> Any:
        """A new, unfitted scikit-learn regressor."""

    def _encode(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return np.asarray(get_featurizer(self.encoding, space=info.space).transform(archs), dtype=np.float64)

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        self.model_ = self._make_model().fit(self._encode(archs, info), y)

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return np.asarray(self.model_.predict(self._encode(archs, info)), dtype=np.float64)
