"""Adapters that let code written for other NAS libraries use naspred predictors.

- :mod:`~naspred.adapters.naslib`: :class:`NASLibPredictor`, NASLib's predictor interface
  (``set_ss_type``, ``get_data_reqs``, ``pre_compute``, ``set_pre_computations``, ``fit``, ``query``) over any
  naspred predictor; :mod:`~naspred.adapters.naslib_ensemble`: :class:`NASLibEnsemble`, a drop-in for
  NASLib's ``Ensemble`` whose rows have a real spread; :mod:`~naspred.adapters.naslib_inputs`: NASLib's
  graph objects, encodings and hashes as naspred architectures; :mod:`~naspred.adapters.naslib_info`:
  NASLib's side information (learning curves, zero-cost scores) as naspred's.
"""

from naspred.adapters.naslib import SS_TYPES, NASLibPredictor
from naspred.adapters.naslib_ensemble import NASLibEnsemble

__all__ = ["SS_TYPES", "NASLibEnsemble", "NASLibPredictor"]
