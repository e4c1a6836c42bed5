"""The predictor contract and every predictor, one module per family.

``get(name, **params)`` builds a registered predictor; ``names()`` lists them, ``describe()`` says what
each needs and ``register(name, cls, ...)`` adds one (:mod:`naspred.predictors.registry`). The contract:
:class:`Predictor`, :class:`Requirements`, :class:`Prediction`, :class:`ArchInfo`. Budgets (:class:`Budget`,
:class:`BudgetMeter`) and oracles (:class:`Oracle`, :class:`SimulatedOracle`, :class:`LiveOracle`) live in
:mod:`naspred.oracles`, the layer below, and are re-exported here because the contract's ``initialize`` and
``query`` take them.
"""

from naspred.oracles.budget import Budget, BudgetMeter, Charge
from naspred.oracles.live import LiveOracle, TrainingFailure
from naspred.oracles.oracle import LearningCurve, Oracle, TrainingResult
from naspred.oracles.simulated import SimulatedOracle
from naspred.predictors.base import Predictor
from naspred.predictors.info import ArchInfo
from naspred.predictors.prediction import Prediction
from naspred.predictors.registry import describe, get, names, predictor_class, register
from naspred.predictors.requirements import Requirements

__all__ = [
    "ArchInfo",
    "Budget",
    "BudgetMeter",
    "Charge",
    "LearningCurve",
    "LiveOracle",
    "Oracle",
    "Prediction",
    "Predictor",
    "Requirements",
    "SimulatedOracle",
    "TrainingFailure",
    "TrainingResult",
    "describe",
    "get",
    "names",
    "predictor_class",
    "register",
]
