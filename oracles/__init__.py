"""How a predictor obtains training results: oracles, the budgets they charge, and the ledger of each phase.

An :class:`Oracle` is the only way a predictor obtains training results: :class:`SimulatedOracle` replays
a benchmark's records and charges their recorded training time; :class:`LiveOracle` calls the user's
training function and charges its measured wall time. A :class:`Budget` limits what one phase may spend
and a :class:`BudgetMeter` keeps that phase's ledger of :class:`Charge` entries.

This layer sits between the featurizers and the predictors: it imports spaces and benchmarks, never a
predictor. ``naspred.predictors`` re-exports these names for the predictor contract.
"""

from naspred.oracles.budget import Budget, BudgetMeter, Charge
from naspred.oracles.live import LiveOracle, TrainingFailure
from naspred.oracles.oracle import LearningCurve, Oracle, TrainingResult
from naspred.oracles.simulated import SimulatedOracle

__all__ = ["Budget", "BudgetMeter", "Charge", "LearningCurve", "LiveOracle", "Oracle", "SimulatedOracle",
           "TrainingFailure", "TrainingResult"]
