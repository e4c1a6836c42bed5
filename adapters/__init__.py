"""Adapters that let code written for other NAS libraries use naspred predictors.

- :mod:`~naspred.adapters.naslib`: :class:`NASLibPredictor`, NASLib's predictor interface
  (``get_data_reqs``, ``pre_compute``, ``fit``, ``query``) over any naspred predictor.
"""

from naspred.adapters.naslib import SS_TYPES, NASLibPredictor

__all__ = ["SS_TYPES", "NASLibPredictor"]
