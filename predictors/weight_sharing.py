"""Weight-sharing predictors: one supernet, trained once, scores every architecture with its shared weights.

White et al., "How Powerful are Performance Predictors in Neural Architecture Search?" (NeurIPS 2021) count
weight sharing among the four predictor families (NASLib's ``OneShotPredictor``): a one-shot model holding
every architecture of the space is trained once, at initialization, and each queried architecture is then
scored by one evaluation with the shared weights, its validation accuracy (or loss) being the prediction.
Training samples one path per step uniformly, as random search with weight sharing does (Li & Talwalkar,
"Random Search and Reproducibility for Neural Architecture Search", UAI 2019) and Single Path One-Shot
(Guo et al., ECCV 2020).

The supernet of a space is the user's to give, as a :class:`SupernetTrainer`: an object with the name of the
search space it serves (``space``) and ``train(epochs, seed)``, which trains the supernet on its data and
returns a :class:`OneShotModel`, whose ``evaluate(arch)`` gives ``{"val_accuracy": ..., "val_loss": ...}``
of one architecture with the shared weights. The predictor decides the schedule length and the seed and
charges the cost; the trainer owns the network, the data and the optimiser. naspred's trainer for
NAS-Bench-201 cells on MNIST-1D (generated locally, no download) is
:class:`naspred.live.supernet.MNIST1DSupernetTrainer`; give it as an object or by name,
``supernet="naspred.live.supernet:MNIST1DSupernetTrainer"`` (any ``"module:attr"`` naming a trainer, or a
class or function that returns one when called without arguments, works, in spec files too).

Cost. ``initialize`` trains the supernet once, as one training run charged to the init budget like a live
oracle's: its measured wall time as a ``"train"`` charge of ``epochs`` epochs and no architecture trained to
completion, refused before it starts when the budget cannot pay (no seconds left, fewer epochs than the
schedule); an overrun of the seconds shows in the ledger. ``query`` evaluates each queried architecture once
(measured wall time, charged as ``"predict"``). ``fit`` trains the supernet without a budget (the
architectures and targets it is given are not used: weight sharing needs no labelled architecture).

Sign convention: the prediction is the score where it runs in the target's direction (an accuracy for an
accuracy) and its negation otherwise, so that a better predicted architecture ranks as the target ranks. The
values are scores, not on the target's scale: compare them by rank (Kendall tau, Spearman).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
from naspred.errors import InvalidArchitectureError, InvalidInputError
from naspred.oracles.budget import Budget
from naspred.oracles.oracle import Oracle
from naspred.params import SEED, Constraint, Int, Options, param
from naspred.predictors.base import Predictor
from naspred.predictors.info import ArchInfo
from naspred.predictors.neural import draw_seed
from naspred.predictors.requirements import Requirements
from naspred.registry import Entry
from naspred.spaces.base import SearchSpace
from sklearn.exceptions import NotFittedError

logger = logging.getLogger(__name__)

#: the scores a one-shot model gives, and whether a higher value is better
SCORES: dict[str, bool] = {"val_accuracy": True, "val_loss": False}


class OneShotModel(Protocol):
    """A trained supernet: ``evaluate(arch)`` scores one architecture with the shared weights."""

    def evaluate(self, arch: Any) -> Mapping[str, float]:
        """``{"val_accuracy": ..., "val_loss": ...}`` of ``arch`` (at least the score a predictor reads)."""


class SupernetTrainer(Protocol):
    """Trains the supernet of the search space named ``space``; ``train`` is deterministic for its seed."""

    space: str

    def train(self, epochs: int, seed: int) -> OneShotModel:
        """Train the supernet for ``epochs`` epochs, one path per step, and return it."""


def is_supernet_trainer(value: Any) -> bool:
    """Whether ``value`` offers what :class:`SupernetTrainer` states: ``train`` and a space name (a class of
    trainers is a factory, not a trainer)."""
    return (not isinstance(value, type) and callable(getattr(value, "train", None))
            and isinstance(getattr(value, "space", None), str))


class SupernetLike(Constraint):
    """A :class:`SupernetTrainer`, or ``"module:attr"`` naming one (or naming a factory of one)."""

    def accepts(self, value: Any) -> bool:
        if isinstance(value, str):
            return value.count(":") == 1 and all(value.split(":"))
        return is_supernet_trainer(value)

    def __str__(self) -> str:
        return ("a supernet trainer (an object with train(epochs, seed) and a space name) or 'module:attr' "
                "naming one, such as 'naspred.live.supernet:MNIST1DSupernetTrainer'")


def resolve_supernet(value: Any, who: str) -> SupernetTrainer:
    """The trainer ``value`` is or names: a ``"module:attr"`` is imported, and called without arguments when
    it names a factory (a class or function) rather than a trainer."""
    found = value
    if isinstance(value, str):
        try:
            found = Entry("supernet", value).load()
        except (ImportError, AttributeError) as err:
            raise InvalidInputError(f"{who}: supernet {value!r} cannot be imported ({err}); expected "
                                    "'module:attr' naming a supernet trainer or a factory of one") from None
        if not is_supernet_trainer(found) and callable(found):
            found = found()
    if not is_supernet_trainer(found):
        raise InvalidInputError(f"{who}: supernet {value!r} gave {type(found).__name__}, which is not a supernet "
                                "trainer; expected an object with train(epochs, seed) and a space name")
    return found


class WeightSharing(Predictor):
    """A one-shot supernet trained once at initialization; each architecture's score with the shared
    weights is its prediction (White et al., NeurIPS 2021; NASLib's ``OneShotPredictor``).

    Example, NAS-Bench-201 cells on MNIST-1D (``pip install naspred[live]``)::

        from naspred.live.supernet import MNIST1DSupernetTrainer
        from naspred.benchmarks.nb201_mnist1d import protocol

        model = WeightSharing(supernet=MNIST1DSupernetTrainer.like(protocol()), random_state=0)
        model.initialize(oracle, Budget(seconds=600))      # trains the supernet, charged to the init budget
        pred = model.query(test, oracle, Budget(seconds=1, per_arch=True))   # one evaluation each

    Your own space: give ``supernet`` an object with ``space`` (the search space's name) and
    ``train(epochs, seed)`` returning a model with ``evaluate(arch) -> {"val_accuracy", "val_loss"}``
    (:class:`SupernetTrainer`, :class:`OneShotModel`).

    Parameters
    ----------
    supernet : SupernetTrainer or str
        The supernet trainer, or ``"module:attr"`` naming it or a factory of it (called without arguments).
    epochs : int
        Epochs of supernet training (the schedule length), at least 1. On the first version of ``nb201-mnist1d``
        Kendall tau rose with it (accuracy / loss, statistics re-estimated): 0.07 / 0.09 after 20 epochs, 0.15 /
        0.22 after 200, 0.25 / 0.26 after 500 (``perf/weight_sharing.md``); ``perf/nb201_mnist1d.md`` measures
        the default on the current one.
    score : {"val_accuracy", "val_loss"}
        The score of an architecture with the shared weights that is its prediction (the loss ranked as well as
        or better than the accuracy from 20 epochs on, in ``perf/weight_sharing.md``).
    random_state : int or None
        Seed of the supernet's weights, batch order and sampled paths; None draws a fresh one at each fit.
    """

    family = "weight-sharing"

    supernet: Any = param(constraint=SupernetLike())
    epochs: int = param(200, Int(1))
    score: str = param("val_loss", Options(tuple(SCORES)))
    random_state: int | None = param(None, SEED)

    @property
    def requirements(self) -> Requirements:
        """No labelled architecture (the supernet is trained instead), an architecture the supernet can run."""
        return Requirements(encoding=True, init_training=True)

    def initialize(self, oracle: Oracle, budget: Budget) -> None:
        """Train the supernet, as one training run of ``epochs`` epochs charged to the init budget."""
        self.validate_params()
        with oracle.metered(budget, "init") as meter:
            super().initialize(oracle, budget)  # records the space and the target's direction; trains nothing
            if not meter.limit.allows_training:
                raise InvalidInputError(
                    f"init budget ({meter.limit.describe()}) allows no training; {self._name} trains its supernet "
                    f"for {self.epochs} epochs at initialization: give it an init budget above zero"
                )
            meter.require_open("training the supernet", epochs=self.epochs)
            with meter.timing("train", arch="supernet", epochs=self.epochs):
                self.supernet_ = self._train_supernet(oracle.space)

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        self.supernet_ = self._train_supernet(info.space)

    def _train_supernet(self, space: SearchSpace) -> OneShotModel:
        trainer = resolve_supernet(self.supernet, self._name)
        if trainer.space != space.name:
            raise InvalidArchitectureError(
                f"{self._name}: the supernet trainer serves space {trainer.space!r}, the architectures are of "
                f"space {space.name!r}; give a supernet trainer of {space.name!r}"
            )
        seed = draw_seed(self.random_state)
        logger.info("%s: training the %s supernet for %d epochs (seed %d)", self._name, space.name, self.epochs, seed)
        return trainer.train(self.epochs, seed)

    def _check_fitted(self) -> None:
        if not hasattr(self, "supernet_"):
            raise NotFittedError(
                f"{self._name} has no trained supernet yet: call initialize(oracle, budget) or fit(archs, y) "
                "before predict or query"
            )

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        values = np.empty(len(archs), dtype=np.float64)
        for i, arch in enumerate(archs):
            scores = self.supernet_.evaluate(arch)
            if self.score not in scores or not np.isfinite(scores[self.score]):
                raise InvalidInputError(
                    f"{self._name}: the one-shot model scored {info.space.format(arch)} as {dict(scores)}; "
                    f"expected a finite {self.score!r}"
                )
            values[i] = scores[self.score]
        return values if SCORES[self.score] == info.higher_is_better else -values
