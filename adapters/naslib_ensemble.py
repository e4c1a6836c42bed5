"""A drop-in for NASLib's ``Ensemble`` (``naslib/predictors/ensemble.py``) over a naspred predictor.

NASLib's callers (automl/NASLib; the commits are named in ``tests/test_adapters_naslib_paths.py``):

* BANANAS and NPENAS (``naslib/optimizers/discrete/{bananas,npenas}/optimizer.py``) build
  ``Ensemble(num_ensemble=..., ss_type=search_space.get_type(), predictor_type=config.search.predictor_type,
  zc=config.search.zc_ensemble, zc_only=config.search.zc_only, config=config)``; hand it
  ``set_pre_computations(unlabeled=[graphs])`` when ``"semi"`` is in ``predictor_type``, and, with ``zc``,
  ``set_pre_computations(xtrain_zc_info={"zero_cost_scores": [{proxy: score}, ...]})`` (and
  ``unlabeled_zc_info=`` likewise); call ``fit(xtrain, ytrain)`` on graph objects and a list of accuracies;
  and score each candidate with ``acquisition_function(ensemble=..., ytrain=..., acq_fn_type=...)``
  (``bananas/acquisition_functions.py``), whose ITS, UCB, EI and exploit-only read ``np.mean`` and ``np.std``
  of ``ensemble.query([graph], info)``, ``info`` being None or ``[{"zero_cost_scores": {...}}]``.
* BasePredictor (``naslib/optimizers/discrete/bp/optimizer.py``) builds ``Ensemble(encoding_type=...,
  num_ensemble=..., predictor_type=..., ss_type=...)``, fits it on graphs and takes
  ``np.mean(np.squeeze(ensemble.query(xtest)), axis=0)``.
* ``ZCEnsembleEvaluator`` (``naslib/evaluators/zc_ensemble_evaluator.py``, built by
  ``naslib/runners/zc/bbo/xgb_runner.py`` as ``Ensemble(num_ensemble=1, ss_type=..., predictor_type='xgb',
  zc=config.zc_ensemble, zc_only=config.zc_only, config=config)``) hands it
  ``set_pre_computations(xtrain_zc_info=...)``, fits it on ``encode_spec`` adjacency one-hot vectors, takes
  ``np.mean(ensemble.query(x_test, test_info), axis=0)`` and reads ``ensemble.ensemble[0].model.get_fscore()``
  (and ``zc_to_features_map`` where the member has one).
* ``PredictorEvaluator`` drives an ``Ensemble(predictor_type="bananas", num_ensemble=3, hpo_wrapper=True)`` as
  any predictor and averages its rows.

:class:`NASLibEnsemble` takes NASLib's constructor arguments, with ``predictor_type`` naming a naspred
predictor (or ``predictor=`` a naspred predictor or name, which takes precedence), and gives the rows a real
spread:

* a predictor with a predictive distribution (``uncertainty``: BANANAS, random forest, GPs, NGBoost,
  BOHAMIANN, ...) is fitted once; its ``num_ensemble`` rows are evenly spaced quantiles of the predicted
  normal distribution, rescaled so that NASLib's ``np.mean`` and ``np.std`` over the rows return the
  predictive mean and standard deviation exactly (one row: the mean);
* a point predictor is fitted ``num_ensemble`` times: member ``k`` with ``random_state = seed + k`` where the
  predictor has one, and, for ``k >= 1`` with ``bootstrap=True``, on a bootstrap resample of the training
  set drawn from ``seed + k`` (XGBoost at NASLib's defaults samples no rows or columns, so seeds alone would
  give identical members). Member 0 always fits the whole training set, so ``num_ensemble=1`` is the plain
  predictor.

``zc`` and ``zc_only`` are kept for NASLib's callers; zero-cost scores reach the predictor as side
information (:meth:`NASLibPredictor.set_pre_computations`), read by those naspred predictors that read
proxies (``zero_cost``, ``jacov``, OMNI); an encoding-only predictor such as ``xgb`` does not append them to
its features.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from statistics import NormalDist
from typing import Any

import numpy as np
from naspred.adapters.naslib import NASLibPredictor
from naspred.benchmarks.base import Benchmark
from naspred.errors import InvalidInputError
from naspred.predictors.base import Predictor
from sklearn.base import clone


def spread_rows(mean: np.ndarray, std: np.ndarray, rows: int) -> np.ndarray:
    """``rows`` x n quantile samples of independent normals whose row mean and (population) std are exactly
    ``mean`` and ``std``."""
    if rows == 1:
        return np.asarray(mean, dtype=np.float64)[None, :]
    z = np.array([NormalDist().inv_cdf((k + 0.5) / rows) for k in range(rows)])
    z = (z - z.mean()) / z.std()
    return np.asarray(mean, dtype=np.float64)[None, :] + z[:, None] * np.asarray(std, dtype=np.float64)[None, :]


class NASLibEnsemble:
    """NASLib's ``Ensemble`` interface over ``num_ensemble`` members of one naspred predictor.

    Parameters
    ----------
    encoding_type, hpo_wrapper, config, zc, zc_only
        NASLib's arguments, kept as attributes; naspred predictors choose their own encoding and
        hyperparameters, so ``get_hpo_wrapper()`` is False.
    num_ensemble : int
        Rows of :meth:`query` (members of a point predictor, quantile samples of a distribution).
    predictor_type : str
        A registered naspred predictor (``"xgb"``, ``"bananas"``, ``"gp"``, ``"zero_cost"``, ...).
    ss_type : str, optional
        NASLib's search-space type; without it the space is read from the architectures.
    predictor : Predictor or str, optional
        The naspred predictor (instance or name); overrides ``predictor_type``.
    benchmark, higher_is_better, **params
        As for :class:`~naspred.adapters.naslib.NASLibPredictor` (``params`` build a predictor given by name).
    bootstrap : bool
        Fit members ``1..num_ensemble-1`` of a point predictor on bootstrap resamples.
    seed : int
        Seed of the members' ``random_state`` and of their resamples.
    """

    def __init__(
        self,
        encoding_type: Any = None,
        num_ensemble: int = 3,
        predictor_type: str | None = None,
        ss_type: str | None = None,
        hpo_wrapper: bool = False,
        config: Any = None,
        zc: Any = None,
        zc_only: Any = None,
        *,
        predictor: Predictor | str | None = None,
        benchmark: Benchmark | None = None,
        higher_is_better: bool = True,
        bootstrap: bool = True,
        seed: int = 0,
        **params: Any,
    ) -> None:
        choice = predictor if predictor is not None else predictor_type
        if choice is None:
            raise InvalidInputError(
                "NASLibEnsemble: name the naspred predictor, predictor_type='xgb' (NASLib's argument) or predictor=..."
            )
        if isinstance(num_ensemble, (bool, np.bool_)) or not isinstance(num_ensemble, (int, np.integer)) or num_ensemble < 1:
            raise InvalidInputError(f"NASLibEnsemble: num_ensemble must be an integer >= 1, got {num_ensemble!r}")
        if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
            raise InvalidInputError(f"NASLibEnsemble: seed must be an integer, got {seed!r}")
        self.template = NASLibPredictor(choice, ss_type, benchmark=benchmark, higher_is_better=higher_is_better, **params)
        self.num_ensemble = int(num_ensemble)
        self.predictor_type = choice if isinstance(choice, str) else type(choice).__name__
        self.encoding_type = encoding_type
        self.ss_type = ss_type
        self.hpo_wrapper = hpo_wrapper
        self.config = config
        self.zc = zc
        self.zc_only = zc_only
        self.bootstrap = bool(bootstrap)
        self.seed = int(seed)
        self.hyperparams: dict[str, Any] | None = None
        self.ensemble: list[NASLibPredictor] | None = None

    @classmethod
    def of(cls, predictor: Predictor | str, **params: Any) -> Callable[..., NASLibEnsemble]:
        """A stand-in for NASLib's ``Ensemble`` class that builds ensembles of ``predictor`` (with ``params``)
        whatever ``predictor_type`` NASLib passes: ``Ensemble = NASLibEnsemble.of("zero_cost", proxy="zen")``."""
        return functools.partial(cls, predictor=predictor, **params)

    def __repr__(self) -> str:
        return f"NASLibEnsemble({self.template.predictor!r}, num_ensemble={self.num_ensemble})"

    @property
    def samples_distribution(self) -> bool:
        """Whether the rows are samples of one predictive distribution (else one row per fitted member)."""
        return bool(self.template.predictor.uncertainty)

    # -- NASLib's Ensemble interface -----------------------------------------------------------------
    def get_ensemble(self) -> list[NASLibPredictor]:
        """New, unfitted members: one for a predictor with a distribution, else ``num_ensemble``."""
        base = self.template.predictor
        count = 1 if self.samples_distribution else self.num_ensemble
        start = base.get_params(deep=False).get("random_state")
        members = []
        for k in range(count):
            est = clone(base)
            if "random_state" in est.get_params(deep=False):
                est.set_params(random_state=(self.seed if start is None else int(start)) + k)
            member = NASLibPredictor(est, self.template.space, higher_is_better=self.template.higher_is_better)
            members.append(member)
        return members

    def fit(self, xtrain: Sequence[Any], ytrain: Any, train_info: Sequence[Mapping[str, Any]] | None = None) -> NASLibEnsemble:
        """Fit every member on NASLib's ``xtrain`` (graphs, encodings, hashes) and ``ytrain``."""
        archs, (y, info) = self.template.fit_inputs(xtrain, ytrain, train_info)
        self.ensemble = self.get_ensemble()
        for k, member in enumerate(self.ensemble):
            if k and self.bootstrap:
                idx = np.random.default_rng(self.seed + k).integers(0, len(archs), len(archs))
                member.predictor.fit([archs[i] for i in idx], y[idx], info.subset(idx))
            else:
                member.predictor.fit(archs, y, info)
        return self

    def query(self, xtest: Sequence[Any], info: Sequence[Mapping[str, Any]] | None = None) -> np.ndarray:
        """An array of ``num_ensemble`` rows, one prediction per architecture in each."""
        if self.ensemble is None:
            raise InvalidInputError("NASLibEnsemble.query: call fit(xtrain, ytrain) first")
        archs, arch_info = self.template.query_inputs(xtest, info, "NASLibEnsemble.query")
        if self.samples_distribution:
            dist = self.ensemble[0].predictor.predict_dist(archs, arch_info)
            std = dist.std if dist.std is not None else np.zeros(len(dist.mean))
            return spread_rows(dist.mean, std, self.num_ensemble)
        return np.vstack([m.predictor.predict(archs, arch_info) for m in self.ensemble])

    def set_pre_computations(self, *args: Any, **kwargs: Any) -> None:
        """Unlabelled architectures and zero-cost scores for the next fit, as
        :meth:`NASLibPredictor.set_pre_computations` takes them."""
        self.template.set_pre_computations(*args, **kwargs)

    def set_hyperparams(self, params: Mapping[str, Any] | None) -> None:
        """Set parameters of the predictor (every member of the next fit)."""
        self.template.set_hyperparams(params)
        self.hyperparams = None if params is None else dict(params)

    def get_hyperparams(self) -> dict[str, int | float]:
        """The predictor's numeric parameters."""
        return self.template.get_hyperparams()

    def reset_hyperparams(self) -> None:
        """Restore the parameters the predictor had when it was wrapped."""
        self.template.reset_hyperparams()
        self.hyperparams = None

    def get_hpo_wrapper(self) -> bool:
        """False: NASLib runs no hyperparameter search on naspred predictors."""
        return False

    # -- NASLib's Predictor interface (PredictorEvaluator drives an Ensemble as a predictor) ------------
    def set_ss_type(self, ss_type: str) -> None:
        """Set the search space from NASLib's ``ss_type``."""
        self.template.set_ss_type(ss_type)
        self.ss_type = ss_type

    def pre_process(self) -> None:
        """Forget proxies and unlabelled architectures of earlier calls."""
        self.template.pre_process()

    def get_data_reqs(self) -> dict[str, Any]:
        """NASLib's data requirements of the predictor."""
        return self.template.get_data_reqs()

    def pre_compute(self, xtrain: Sequence[Any], xtest: Sequence[Any], unlabeled: Sequence[Any] | None = None) -> None:
        """Convert the architectures once; keep ``unlabeled`` for a semi-supervised predictor."""
        self.template.pre_compute(xtrain, xtest, unlabeled)
