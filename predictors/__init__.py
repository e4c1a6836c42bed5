"""The predictor contract and every predictor, one module per family.

``get(name, **params)`` builds a registered predictor; ``names()`` lists them and ``describe()`` says
what each needs. The contract: :class:`Predictor`, :class:`Requirements`, :class:`Prediction`,
:class:`ArchInfo`; budgets: :class:`Budget`, :class:`BudgetMeter`; oracles: :class:`Oracle`,
:class:`SimulatedOracle`, :class:`LiveOracle`.
"""

from naspred.predictors.base import Predictor
from naspred.predictors.budget import Budget, BudgetMeter, Charge
from naspred.predictors.info import ArchInfo
from naspred.predictors.live_oracle import LiveOracle, TrainingFailure
from naspred.predictors.oracle import LearningCurve, Oracle, TrainingResult
from naspred.predictors.prediction import Prediction
from naspred.predictors.registry import describe, get, names, predictor_class
from naspred.predictors.requirements import Requirements
from naspred.predictors.simulated_oracle import SimulatedOracle

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
]
