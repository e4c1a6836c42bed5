"""Predictors by name: ``naspred.predictors.get("rf", n_estimators=200)``."""

from __future__ import annotations

import inspect
import re
from importlib import import_module
from typing import Any

from naspred.errors import InvalidInputError, UnknownNameError

# name -> (module, class); imported on first use so that importing naspred stays cheap
_PREDICTORS: dict[str, tuple[str, str]] = {
    "lin_reg": ("naspred.predictors.linear", "LinearRegression"),
    "rf": ("naspred.predictors.random_forest", "RandomForest"),
    "mlp": ("naspred.predictors.mlp", "MLP"),
    "bananas": ("naspred.predictors.mlp", "BANANAS"),
    "gcn": ("naspred.predictors.gcn", "GCN"),
    "bonas": ("naspred.predictors.gcn", "BONAS"),
    "dngo": ("naspred.predictors.bayesian_nn", "DNGO"),
    "bohamiann": ("naspred.predictors.bayesian_nn", "BOHAMIANN"),
    "nao": ("naspred.predictors.seminas", "NAO"),
    "seminas": ("naspred.predictors.seminas", "SemiNAS"),
    "early_stopping": ("naspred.predictors.learning_curve", "EarlyStopping"),
    "valacc": ("naspred.predictors.learning_curve", "ValAccuracy"),
    "valloss": ("naspred.predictors.learning_curve", "ValLoss"),
    "sotl": ("naspred.predictors.learning_curve", "SoTL"),
    "sotle": ("naspred.predictors.learning_curve", "SoTLE"),
    "sotlema": ("naspred.predictors.learning_curve", "SoTLEMA"),
    "lce": ("naspred.predictors.lc_extrapolation", "LcExtrapolation"),
    "lcsvr": ("naspred.predictors.lcsvr", "LcSVR"),
    "bayes_lin_reg": ("naspred.predictors.bayesian_linear", "BayesianLinearRegression"),
    "lgb": ("naspred.predictors.boosting", "LightGBM"),
    "xgb": ("naspred.predictors.boosting", "XGBoost"),
    "ngb": ("naspred.predictors.ngboost", "NGBoost"),
    "svr": ("naspred.predictors.svr", "SVR"),
    "gp": ("naspred.predictors.gaussian_process", "GaussianProcess"),
    "var_sparse_gp": ("naspred.predictors.gaussian_process", "SparseGaussianProcess"),
    "zero_cost": ("naspred.predictors.zerocost", "ZeroCost"),
    "synflow": ("naspred.predictors.zerocost", "Synflow"),
    "jacov": ("naspred.predictors.zerocost", "Jacov"),
    "nwot": ("naspred.predictors.zerocost", "NWOT"),
    "snip": ("naspred.predictors.zerocost", "Snip"),
    "grasp": ("naspred.predictors.zerocost", "Grasp"),
    "fisher": ("naspred.predictors.zerocost", "Fisher"),
    "grad_norm": ("naspred.predictors.zerocost", "GradNorm"),
    "params": ("naspred.predictors.zerocost", "Params"),
    "flops": ("naspred.predictors.zerocost", "Flops"),
    "omni": ("naspred.predictors.omni", "OMNI"),
    "omni_no_encoding": ("naspred.predictors.omni", "OMNINoEncoding"),
    "omni_no_curve": ("naspred.predictors.omni", "OMNINoCurve"),
    "omni_no_zero_cost": ("naspred.predictors.omni", "OMNINoZeroCost"),
    "omni_encoding_only": ("naspred.predictors.omni", "OMNIEncodingOnly"),
    "omni_curve_only": ("naspred.predictors.omni", "OMNICurveOnly"),
    "omni_zero_cost_only": ("naspred.predictors.omni", "OMNIZeroCostOnly"),
    "omni_seminas": ("naspred.predictors.omni", "OMNISemiNAS"),
    "plain_ngboost": ("naspred.predictors.plain", "PlainNGBoost"),
    "plain_lightgbm": ("naspred.predictors.plain", "PlainLightGBM"),
}


def names() -> list[str]:
    """Registered predictor names."""
    return sorted(_PREDICTORS)


def predictor_class(name: str) -> type:
    """The class registered as ``name``."""
    try:
        module, cls = _PREDICTORS[name]
    except (KeyError, TypeError):
        raise UnknownNameError(f"unknown predictor {name!r}; expected one of {names()}") from None
    return getattr(import_module(module), cls)


def get(name: str, **params: Any) -> Any:
    """A new predictor registered as ``name``, built with ``params``."""
    cls = predictor_class(name)
    accepted = [p for p in inspect.signature(cls).parameters if p != "self"]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise InvalidInputError(f"predictor {name!r} has no parameter {unknown}; its parameters are {accepted}")
    return cls(**params)


def checked(name: str, **params: Any) -> Any:
    """``get(name, **params)`` with every parameter checked now (:func:`naspred.predictors.params.check_params`),
    not when the predictor first fits: what a sweep calls when it is planned."""
    from naspred.predictors.params import check_params

    predictor = get(name, **params)
    check_params(predictor)
    return predictor


def resolve(predictor: Any, who: str, **params: Any) -> Any:
    """``predictor`` itself (a naspred Predictor), or the registered predictor of that name built with
    ``params``; ``who`` names the caller in errors."""
    from naspred.predictors.base import Predictor

    if isinstance(predictor, str):
        return get(predictor, **params)
    if params:
        raise InvalidInputError(
            f"parameters {sorted(params)} apply to a predictor given by name; set them on the "
            f"{type(predictor).__name__} instance instead"
        )
    if not isinstance(predictor, Predictor):
        raise InvalidInputError(
            f"{who} wraps a naspred Predictor or a registered predictor name, got {type(predictor).__name__}"
        )
    return predictor


def _first_sentence(doc: str) -> str:
    """The first sentence of a docstring's first paragraph, on one line."""
    paragraph = " ".join(doc.split("\n\n")[0].split())
    end = re.search(r"(?<!\bal)(?<!\be\.g)(?<!\bi\.e)\.\s", paragraph)  # not at "et al." or "e.g."
    return paragraph if end is None else paragraph[: end.start() + 1]


def describe() -> list[dict[str, Any]]:
    """Name, family, requirements and uncertainty of every registered predictor (default parameters)."""
    out = []
    for name in names():
        predictor = get(name)
        out.append(
            {
                "name": name,
                "class": type(predictor).__name__,
                "family": predictor.family,
                "requirements": predictor.requirements.as_dict(),
                "uncertainty": bool(predictor.uncertainty),
                "summary": _first_sentence(inspect.getdoc(type(predictor)) or ""),
            }
        )
    return out
