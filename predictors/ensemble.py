"""The average of several model-based predictors fitted on the same architectures.

Predictors that read the architecture graph in different ways (GATES's operation-gated message passing,
NN-Former's attention over predecessors, successors and siblings) err on different cells, so their average
ranks better than either alone, most at small training sets (``perf/predictors.md``, ``ensemble``). This is the
model averaging of deep ensembles (Lakshminarayanan et al., "Simple and Scalable Predictive Uncertainty
Estimation using Deep Ensembles", NeurIPS 2017) with members that differ in architecture, not only in seed.

Each member is fitted on the same architectures and targets. Its predictions are standardised by the mean and
standard deviation of its predictions on the training architectures, so that a member whose outputs are
shrunk toward the mean (the calibrated scores of a ranking loss) weighs as much as one fitted to the target;
the standardised predictions are averaged and mapped onto the target by the least-squares line of the training
targets on the averaged training scores. With two or more members the standard deviation of a prediction is
the spread of the members' mapped predictions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from naspred.errors import InvalidInputError
from naspred.params import SEED, Instance, optional, param
from naspred.predictors.base import Predictor
from naspred.predictors.info import ArchInfo
from naspred.predictors.ranking_losses import linear_calibration
from naspred.predictors.requirements import Requirements

#: the isomorph options of the default members (:mod:`naspred.predictors.augmented`)
ISOMORPHS: Mapping[str, Any] = {"augment": "isomorphs", "predict_isomorphs": True}
#: the default members: NN-Former and GATES, each on the isomorphs of its training cells
DEFAULT_MEMBERS: tuple[tuple[str, Mapping[str, Any]], ...] = (("nnformer", ISOMORPHS), ("gates", ISOMORPHS))


def member_specs(members: Any, who: str) -> list[tuple[str, dict[str, Any]]]:
    """``members`` as (registered name, parameters) pairs; a bare name has no parameters."""
    if isinstance(members, str | Mapping) or not isinstance(members, Sequence) or not members:
        raise InvalidInputError(
            f"{who}: members must be a non-empty sequence of predictor names or (name, parameters) pairs, "
            f"got {members!r}"
        )
    specs = []
    for member in members:
        if isinstance(member, str):
            specs.append((member, {}))
        elif (isinstance(member, Sequence) and len(member) == 2 and isinstance(member[0], str)
              and isinstance(member[1], Mapping)):
            specs.append((member[0], dict(member[1])))
        else:
            raise InvalidInputError(
                f"{who}: member {member!r} is not a predictor name or a (name, parameters) pair such as "
                "('gates', {'epochs': 100})"
            )
    return specs


class ModelAverage(Predictor):
    """The average of model-based predictors fitted on the same architectures (see the module docstring).

    Registered as ``ensemble`` with NN-Former and GATES, each with ``augment="isomorphs"`` and
    ``predict_isomorphs=True``. ``members_`` keeps the fitted members, ``scales_`` the mean and standard
    deviation of each member's training predictions and ``calibration_`` the line onto the target.

    Parameters
    ----------
    members : sequence
        Registered model-based predictors, each a name or a ``(name, parameters)`` pair.
    random_state : int or None
        Seeds member ``k`` with ``random_state + k`` where it has a ``random_state`` and its parameters do not
        set one.
    """

    members: Sequence[Any] = param(DEFAULT_MEMBERS, Instance(tuple, list, what="a list or tuple of predictor names or (name, parameters) pairs"))
    random_state: int | None = param(0, optional(SEED))

    @property
    def uncertainty(self) -> bool:  # type: ignore[override]
        """Whether ``predict_dist`` gives a standard deviation: with two or more members."""
        return len(self.members) > 1

    def _build(self) -> list[Predictor]:
        """A new predictor per member."""
        from naspred import predictors

        built = []
        for k, (name, params) in enumerate(member_specs(self.members, self._name)):
            model = predictors.get(name, **params)
            if model.family != "model-based":
                raise InvalidInputError(
                    f"{self._name}: member {name!r} is a {model.family} predictor; expected model-based ones, "
                    "which read the architecture only"
                )
            if "random_state" in model.parameters() and "random_state" not in params and self.random_state is not None:
                model.set_params(random_state=self.random_state + k)
            built.append(model)
        return built

    def validate_params(self) -> None:
        """The declared constraints, then each member's name, family and parameters."""
        super().validate_params()
        for model in self._build():
            model.validate_params()

    @property
    def requirements(self) -> Requirements:
        needs = [m.requirements for m in self._build()]
        return Requirements(
            featurizers=tuple(dict.fromkeys(f for r in needs for f in r.featurizers)),
            labelled=True,
            encoding=any(r.encoding for r in needs),
            unlabelled=max(r.unlabelled for r in needs),
            min_labelled=max(r.min_labelled for r in needs),
        )

    def unsupported(self, space: Any) -> str | None:
        """The first member's reason not to run on ``space``, or None where every member can."""
        for model in self._build():
            reason = model.unsupported(space)
            if reason is not None:
                return f"member {model._name}: {reason}"
        return None

    def _members_predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        """Each member's standardised predictions, ``(members, n)``."""
        raw = np.stack([m.predict(archs, info) for m in self.members_])
        mean, std = self.scales_
        return (raw - mean[:, None]) / std[:, None]

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        self.members_ = [m.fit(archs, y, info) for m in self._build()]
        raw = np.stack([m.predict(archs, info) for m in self.members_])
        std = raw.std(axis=1)
        self.scales_ = (raw.mean(axis=1), np.where(std > 0, std, 1.0))
        scores = self._members_predict(archs, info).mean(axis=0)
        self.calibration_ = tuple(float(v) for v in linear_calibration(scores, y))

    def _predict_dist(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray]:
        intercept, slope = self.calibration_
        each = intercept + slope * self._members_predict(archs, info)
        return each.mean(axis=0), each.std(axis=0)

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        intercept, slope = self.calibration_
        return intercept + slope * self._members_predict(archs, info).mean(axis=0)
