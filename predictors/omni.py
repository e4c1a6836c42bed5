"""OMNI: one model on an architecture encoding, a learning-curve feature and a zero-cost proxy.

White et al., "How Powerful are Performance Predictors in Neural Architecture Search?" (NeurIPS 2021),
Section 6: NGBoost (Duan et al., ICML 2020) predicts the final validation accuracy from the concatenation of
the architecture encoding, SoTL-E of the partial learning curve at the query fidelity (Ru et al., NeurIPS
2021) and the Jacobian covariance (Mellor et al., "Neural Architecture Search without Training", ICML 2021).

Here the scalar features (the learning-curve features and the proxy) and the target are normalised by
transforms fitted on the training architectures only (:class:`ScalarNormaliser`), so that a prediction never
depends on which other architectures are queried with it. The default normal-quantile transform keeps failure
sentinels (a jacov of -1e8) from dominating a feature, and lets the squared error weigh the crowded top of
the accuracy range as much as its sparse bottom. With ``linear_start`` (the default) the boosting starts from a
least-squares fit of the normalised target on the normalised scalar features instead of from a constant:
NGBoost then fits what that line leaves unexplained, and with few training architectures, where trees can
hardly split, the prediction falls back on the line rather than on a constant.
``linear_start=False, normalisation="standard", target="standard", min_samples_leaf=None`` is NGBoost as
NASLib runs OMNI (without its random hyperparameter search); ``perf/omni_ablation_nb201.md`` measures both.

On any benchmark, by default (``features=None``, ``curve="auto"``), OMNI reads what the benchmark records
(resolved by ``adapt``, see :class:`~naspred.predictors.requirements.Supply`): the curve feature is SoTL-E
where training losses are recorded, else the target's own curve at the fidelity (the validation accuracy on
NAS-Bench-201, the validation loss on a loss target); the encoding is left out on an opaque space
(architectures that are identifiers only), the proxy where the benchmark records none, the curve where it
records no learning curve. Named feature groups and curve features are read as named.

Ablations (parameters ``features`` and ``without``; registered names fix ``without``): no encoding, no
learning curve, no zero-cost proxy, each feature group alone. The SemiNAS variant (``regressor="seminas"``)
replaces NGBoost by :class:`~naspred.predictors.seminas.SemiNAS` (Luo et al., NeurIPS 2020), which reads
the architecture only and pseudo-labels unlabelled architectures; the learning-curve and proxy features
enter through the linear start, and SemiNAS fits its residual (unlabelled architectures need no curve or
proxy for that). The GATES variant (``regressor="gates"``) fits
:class:`~naspred.predictors.gates.GATES` (Ning et al., ECCV 2020) to that residual the same way: the curve and
proxy through the linear start, the architecture graph through GATES, trained with its pairwise ranking loss;
``regressor="nnformer"`` does the same with :class:`~naspred.predictors.nnformer.NNFormer` (Xu et al., CVPR 2025),
``regressor="ensemble"`` with the average of several (:class:`~naspred.predictors.ensemble.ModelAverage`).
``graph_params`` sets the graph regressor's own parameters (for instance ``{"augment": "isomorphs",
"predict_isomorphs": True}``: train on the isomorphs of each cell and predict the mean over a cell's
isomorphs). ``combine="stack"`` fits the graph regressor to the target itself instead of the residual, and
weighs its prediction against the scalar features by least squares on out-of-fold predictions (stacked
generalisation, Wolpert, Neural Networks 1992): ``stack_folds`` extra fits on part of the training
architectures each, so that a graph model strong enough to make the learning curve redundant (many training
architectures) is not held to the line the curve fixes alone. The XGBoost variant (``regressor="xgb"``, NASLib's ``omni_xgb``) fits
:class:`~naspred.predictors.boosting.XGBoost`'s model with NASLib's settings (500 rounds of depth-6 trees at
learning rate 0.3) on the same features in place of NGBoost, and has no standard deviation.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from naspred.errors import InvalidInputError, UnknownNameError
from naspred.featurizers import get as get_featurizer
from naspred.featurizers.curves import LearningCurveFeatures
from naspred.params import AnyOf, Boolean, Instance, Int, Options, optional, param
from naspred.predictors.boosting import XGBoost
from naspred.predictors.info import ArchInfo
from naspred.predictors.learning_curve import resolve_metric
from naspred.predictors.ngboost import NGBoost
from naspred.predictors.requirements import Requirements, Supply
from scipy.special import ndtri

logger = logging.getLogger(__name__)

#: the feature groups OMNI concatenates
FEATURE_GROUPS: tuple[str, ...] = ("encoding", "curve", "proxy")

#: learning-curve features: name -> (curve metric, feature of :class:`LearningCurveFeatures`)
CURVE_FEATURES: dict[str, tuple[str, str]] = {
    "sotle": ("train_loss", "sotle"),
    "sotl": ("train_loss", "sotl"),
    "sotl_ema": ("train_loss", "sotl_ema"),
    "train_loss": ("train_loss", "last"),
    "train_accuracy": ("train_accuracy", "last"),
    "val_accuracy": ("val_accuracy", "last"),
    "val_loss": ("val_loss", "last"),
}

#: the curve feature that follows the benchmark (SoTL-E, else the target's own curve)
AUTO_CURVE = "auto"

REGRESSORS: tuple[str, ...] = ("ngboost", "seminas", "xgb", "gates", "nnformer", "ensemble")
#: the regressors that read the architecture graph only and fit the residual of the linear start: name -> class
GRAPH_REGRESSORS: dict[str, str] = {
    "seminas": "naspred.predictors.seminas:SemiNAS",
    "gates": "naspred.predictors.gates:GATES",
    "nnformer": "naspred.predictors.nnformer:NNFormer",
    "ensemble": "naspred.predictors.ensemble:ModelAverage",
}
NORMALISATIONS: tuple[str, ...] = ("quantile", "standard")
#: how a graph regressor's prediction joins the linear start
COMBINATIONS: tuple[str, ...] = ("residual", "stack")


@dataclass(frozen=True)
class ScalarNormaliser:
    """Per-column normalisation of scalar values, fitted on training rows only, with its inverse.

    ``"quantile"``: a value maps to the standard-normal quantile of its mid-rank among the training values,
    interpolated linearly between them; beyond the extreme training values it continues with slope
    ``1 / scale`` at the extreme, flattening logarithmically (``level ± log1p(distance / scale)``; ``scale``:
    the training interquartile range over 1.349, the standard deviation of a normal variable with that
    range), so that no two values tie and the failure sentinels some proxy tables hold (a jacov of -1e8, or
    a fallback mean pulled far off by them) weigh on little but their own rank, inside the training range
    and beyond it. :meth:`inverse` (used on predicted targets) continues linearly beyond the extreme levels
    with slope ``scale``, so that a prediction past the training targets is not amplified; it inverts
    :meth:`transform` within the training range. ``"standard"``: ``(x - mean) / std`` of the
    training values, as NASLib's OMNI normalises. A constant column has scale 1.
    """

    kind: str
    knots: tuple[np.ndarray, ...]
    levels: tuple[np.ndarray, ...]
    scales: tuple[float, ...]

    @classmethod
    def fit(cls, x: np.ndarray, kind: str) -> ScalarNormaliser:
        """The normaliser of the finite ``(n, k)`` training values ``x``."""
        knots, levels, scales = [], [], []
        for column in np.asarray(x, dtype=np.float64).T:
            if kind == "standard":
                std = float(column.std())
                knots.append(np.array([float(column.mean())]))
                levels.append(np.zeros(1))
                scales.append(std if std > 0 else 1.0)
                continue
            ordered = np.sort(column)
            values = np.unique(column)
            first = np.searchsorted(ordered, values, side="left")
            count = np.searchsorted(ordered, values, side="right") - first
            knots.append(values)
            levels.append(ndtri((first + (count - 1) / 2.0 + 0.5) / len(column)))
            q1, q3 = np.percentile(column, [25, 75])
            spread = (q3 - q1) / 1.349 if q3 > q1 else float(column.std())
            scales.append(spread if spread > 0 else 1.0)
        return cls(kind=kind, knots=tuple(knots), levels=tuple(levels), scales=tuple(scales))

    def _map(self, x: np.ndarray, xs: np.ndarray, ys: np.ndarray, scale: float, forward: bool) -> np.ndarray:
        """``x`` mapped through the knots ``xs -> ys``; beyond them as the class docstring says (``scale`` is
        that of the raw values; ``forward`` False maps normalised values back)."""
        out = np.interp(x, xs, ys)
        low, high = x < xs[0], x > xs[-1]
        if not forward:
            tail = lambda d: d * scale  # noqa: E731
        elif self.kind == "standard":
            tail = lambda d: d / scale  # noqa: E731
        else:
            tail = lambda d: np.log1p(d / scale)  # noqa: E731
        out[low] = ys[0] - tail(xs[0] - x[low])
        out[high] = ys[-1] + tail(x[high] - xs[-1])
        return out

    def transform(self, x: np.ndarray) -> np.ndarray:
        """The normalised ``(n, k)`` values."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != len(self.knots):
            raise InvalidInputError(
                f"expected {len(self.knots)} column(s) of values as seen at fit, got shape {x.shape}"
            )
        out = np.empty_like(x)
        for j, (knots, levels, scale) in enumerate(zip(self.knots, self.levels, self.scales)):
            out[:, j] = self._map(x[:, j], knots, levels, scale, forward=True)
        return out

    def inverse(self, z: np.ndarray) -> np.ndarray:
        """Values whose normalised form is ``z`` (``(n, k)``)."""
        z = np.asarray(z, dtype=np.float64)
        if z.ndim != 2 or z.shape[1] != len(self.knots):
            raise InvalidInputError(
                f"expected {len(self.knots)} column(s) of values as seen at fit, got shape {z.shape}"
            )
        out = np.empty_like(z)
        for j, (knots, levels, scale) in enumerate(zip(self.knots, self.levels, self.scales)):
            out[:, j] = self._map(z[:, j], levels, knots, scale, forward=False)
        return out


def curve_feature(name: str, who: str = "OMNI") -> tuple[str, str]:
    """The (curve metric, feature of :class:`LearningCurveFeatures`) of curve feature ``name``: an entry of
    :data:`CURVE_FEATURES`, or any learning-curve metric read at the fidelity (``"last"``)."""
    if name in CURVE_FEATURES:
        return CURVE_FEATURES[name]
    if not isinstance(name, str) or not name.endswith(("_loss", "_accuracy")):
        raise UnknownNameError(
            f"{who}: unknown learning-curve feature {name!r}; expected one of {sorted(CURVE_FEATURES)} or a "
            "learning-curve metric (a name ending in '_loss' or '_accuracy')"
        )
    return name, "last"


def _group_names(value: str | Sequence[str], name: str, who: str, *, empty: bool) -> tuple[str, ...]:
    """``value`` (one feature group or several) as distinct groups in the order of :data:`FEATURE_GROUPS`."""
    groups = (value,) if isinstance(value, str) else tuple(value)
    unknown = [g for g in groups if g not in FEATURE_GROUPS]
    problem = (
        f"unknown feature group {unknown[0]!r}" if unknown
        else f"{name} is empty" if not groups and not empty
        else f"{name} lists a group twice: {list(groups)}" if len(set(groups)) != len(groups)
        else None
    )
    if problem is not None:
        raise InvalidInputError(f"{who}: {problem}; expected some of {list(FEATURE_GROUPS)}")
    return tuple(g for g in FEATURE_GROUPS if g in groups)


class OMNI(NGBoost):
    """OMNI (White et al., NeurIPS 2021): NGBoost on [encoding, learning-curve feature, zero-cost proxy].

    Registered as ``omni`` and, with ``without`` or ``regressor`` fixed, as its ablations (``omni_no_encoding``,
    ``omni_curve_only``, ``omni_seminas``, ...: :mod:`naspred.predictors.registry`).

    Parameters
    ----------
    features : sequence of str or None
        The feature groups read, among ``("encoding", "curve", "proxy")``; None: every group not in
        ``without``, less those the benchmark cannot supply (see the module docstring).
    without : sequence of str
        The feature groups an ablation leaves out when ``features`` is None.
    curve : str or sequence of str
        The learning-curve feature(s) read at ``fidelity`` epochs, names of :data:`CURVE_FEATURES`
        (``"sotle"``: the training loss summed over the last ``sotle_window`` epochs; ``"val_accuracy"``: the
        validation accuracy at the fidelity) or of any learning-curve metric (its value at the fidelity);
        ``"auto"``: ``"sotle"`` where the benchmark records training losses, else the target's own curve.
    fidelity : int
        Epochs of partial training the curve features read.
    proxy : str or sequence of str
        The precomputed zero-cost proxy read through the oracle (``Requirements.proxies``), or several, one
        feature each (the proxy group is left out where the benchmark lacks one of them).
    encoding : str or sequence of str
        The featurizer(s) that encode each architecture, side by side.
    sotle_window : int
        Epochs SoTL-E sums.
    normalisation : {"quantile", "standard"}
        Of the scalar features, fitted on the training architectures (:class:`ScalarNormaliser`).
    target : {"quantile", "standard"}
        The same for the target, which the model fits normalised; predictions are mapped back (the standard
        deviation as half the width of the mapped mean plus or minus one predicted standard deviation).
    linear_start : bool
        Boost from a least-squares line on the scalar features (see the module docstring).
    regressor : {"ngboost", "seminas", "xgb", "gates", "nnformer", "ensemble"}
        The model fitted after the linear start (``"xgb"``: XGBoost with NASLib's ``omni_xgb`` settings, seeded
        by ``random_state``; NGBoost's own parameters below do not apply to it, nor a standard deviation;
        ``"seminas"``, ``"gates"``, ``"nnformer"`` and ``"ensemble"``: a graph predictor on the architecture alone
        (``"ensemble"``: the average of NN-Former and GATES on isomorphs unless ``graph_params`` says), fitted to
        the residual of the linear start, the curve and proxy entering through the linear start).
    graph_params : dict or None
        Parameters of the graph regressor (those of ``GRAPH_REGRESSORS``) over its defaults and
        over ``n_unlabelled`` and ``seminas_epochs``; ``random_state`` is this predictor's unless given.
    combine : {"residual", "stack"}
        With a graph regressor: ``"residual"`` fits it to what the linear start leaves unexplained and adds its
        prediction; ``"stack"`` fits it to the target and weighs its out-of-fold predictions against the scalar
        features by least squares (see the module docstring).
    stack_folds : int
        The folds of ``combine="stack"`` (at most half the training architectures: each fold holds two or more);
        each costs one more fit of the graph regressor, on the other folds.
    n_unlabelled, seminas_epochs : int
        Unlabelled architectures and training epochs (before and again after pseudo-labelling) of SemiNAS.
    min_samples_leaf : int, "auto" or None
        Of NGBoost's trees (splits need twice as many); ``"auto"``: ``n // 10`` clipped to 2..5 for ``n``
        training architectures (leaf sizes 2 and 5 rank alike at 20 architectures, 5 ranks as well or better at
        100: ``perf/defaults.md``, question "omni"); None: NASLib's rule ``min(max(n // 2, 1), 15)``.
    n_estimators, learning_rate, minibatch_frac, max_depth, max_features, random_state
        NGBoost's own, as in :class:`~naspred.predictors.ngboost.NGBoost`; the defaults here (250 rounds at
        learning rate 0.1 on 80 % minibatches, the ``"auto"`` leaf size) rank about as well as NASLib's 505
        rounds at 0.081 on 50 % minibatches, in about 60 % of the time (``perf/defaults.md``).
    """

    family = "hybrid"

    features: Sequence[str] | None = param(None, optional(Instance(str, tuple, list, what="feature group names")))
    without: Sequence[str] = param((), Instance(tuple, list, what="a sequence of feature groups"))
    curve: str | Sequence[str] = param(AUTO_CURVE, Instance(str, tuple, list, what="learning-curve feature names"))
    fidelity: int = param(12, Int(1))
    proxy: str | Sequence[str] = param("jacov", Instance(str, tuple, list, what="a proxy name or several"))
    encoding: str | Sequence[str] = param("adjacency_one_hot", Instance(str, tuple, list, what="featurizer names"))
    sotle_window: int = param(1, Int(1))
    normalisation: str = param("quantile", Options(NORMALISATIONS))
    target: str = param("quantile", Options(NORMALISATIONS))
    linear_start: bool = param(True, Boolean())
    regressor: str = param("ngboost", Options(REGRESSORS))
    graph_params: dict[str, Any] | None = param(None, optional(Instance(dict, what="a dict of parameter values")))
    combine: str = param("residual", Options(COMBINATIONS))
    stack_folds: int = param(2, Int(2))
    n_unlabelled: int = param(200, Int(0))
    seminas_epochs: int = param(50, Int(1))
    min_samples_leaf: int | str | None = param("auto", AnyOf(Int(1), Options(("auto",)), None))
    n_estimators: int = param(250)
    learning_rate: float = param(0.1)
    minibatch_frac: float = param(0.8)

    @property
    def uncertainty(self) -> bool:  # type: ignore[override]
        """Whether ``predict_dist`` gives a standard deviation: with NGBoost and SemiNAS, not with XGBoost, GATES
        or NN-Former."""
        return self.regressor in ("ngboost", "seminas")

    # -- parameters ------------------------------------------------------------------------------------
    def validate_params(self) -> None:
        """The declared constraints, then the feature groups, the proxy name and the SemiNAS variant's needs."""
        super().validate_params()
        who = self._name
        without = _group_names(self.without, "without", who, empty=True)
        if self.features is not None and without:
            raise InvalidInputError(f"{who}: give features or without, not both (features={self.features!r})")
        if len(without) == len(FEATURE_GROUPS):
            raise InvalidInputError(f"{who}: without leaves no feature group; expected fewer than all three")
        groups = self.feature_groups()
        self._proxies()
        if self.regressor in GRAPH_REGRESSORS:
            if "encoding" not in groups:
                raise InvalidInputError(
                    f"{who}: the {self.regressor!r} regressor reads the architecture; keep 'encoding' in features"
                )
            if not self.linear_start and len(groups) > 1:
                raise InvalidInputError(
                    f"{who}: with regressor={self.regressor!r} the curve and proxy features enter through the linear "
                    "start; set linear_start=True or features=('encoding',)"
                )
            self._graph_model()  # reports graph_params it does not know
        elif self.combine != "residual":
            raise InvalidInputError(
                f"{who}: combine={self.combine!r} joins a graph regressor to the linear start, but "
                f"regressor={self.regressor!r}; expected one of {list(GRAPH_REGRESSORS)} or combine='residual'"
            )
        elif self.graph_params:
            raise InvalidInputError(
                f"{who}: graph_params={self.graph_params!r} sets the parameters of a graph regressor, but "
                f"regressor={self.regressor!r}; expected one of {list(GRAPH_REGRESSORS)} or no graph_params"
            )

    def feature_groups(self) -> tuple[str, ...]:
        """The feature groups this predictor reads, in the order of :data:`FEATURE_GROUPS`."""
        if self.features is None:
            return self._default_groups()
        return _group_names(self.features, "features", self._name, empty=False)

    def _default_groups(self) -> tuple[str, ...]:
        """The groups not in ``without``, less those the benchmark adapted to cannot supply (none if all)."""
        candidates = tuple(g for g in FEATURE_GROUPS if g not in self.without)
        supply: Supply | None = getattr(self, "supply_", None)
        if supply is None:
            return candidates
        kept = tuple(
            g for g in candidates
            if not (g == "encoding" and supply.opaque and self.regressor not in GRAPH_REGRESSORS)
            and not (g == "proxy" and not set(self._proxies()) <= set(supply.proxies))
            and not (g == "curve" and self.curve == AUTO_CURVE and self._auto_metric(supply) is None)
        )
        return kept or candidates  # nothing it can read: the plan says why it is skipped

    @staticmethod
    def _auto_metric(supply: Supply) -> str | None:
        """The metric the ``"auto"`` curve reads on ``supply`` (None where no curve is recorded)."""
        if supply.records("train_loss"):
            return "train_loss"
        return resolve_metric(None, supply)

    def _curves(self) -> tuple[str, ...]:
        names = (self.curve,) if isinstance(self.curve, str) else tuple(self.curve)
        if names == (AUTO_CURVE,):
            supply = getattr(self, "supply_", None)
            metric = "train_loss" if supply is None else self._auto_metric(supply)
            names = ("sotle",) if metric in (None, "train_loss") else (metric,)
        if not names:
            raise InvalidInputError(f"{self._name}: curve is empty; expected some of {sorted(CURVE_FEATURES)}")
        for name in names:
            curve_feature(name, self._name)
        if len(set(names)) != len(names):
            raise InvalidInputError(f"{self._name}: curve lists a feature twice: {list(names)}")
        return names

    def _proxies(self) -> tuple[str, ...]:
        names = (self.proxy,) if isinstance(self.proxy, str) else tuple(self.proxy)
        if not names or not all(isinstance(n, str) and n for n in names):
            raise InvalidInputError(f"{self._name}: proxy must be a proxy name or several, got {self.proxy!r}")
        if len(set(names)) != len(names):
            raise InvalidInputError(f"{self._name}: proxy lists a proxy twice: {list(names)}")
        return names

    def _encodings(self) -> tuple[str, ...]:
        names = (self.encoding,) if isinstance(self.encoding, str) else tuple(self.encoding)
        if not names or not all(isinstance(n, str) and n for n in names):
            raise InvalidInputError(
                f"{self._name}: encoding must be a featurizer name or several, got {self.encoding!r}"
            )
        return names

    def _encode(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        """The encodings of ``archs``, side by side."""
        blocks = [get_featurizer(name, space=info.space).transform(archs) for name in self._encodings()]
        return np.hstack([np.asarray(b, dtype=np.float64) for b in blocks])

    @property
    def requirements(self) -> Requirements:
        groups = self.feature_groups()
        curve = "curve" in groups
        metrics = tuple(dict.fromkeys(curve_feature(c, self._name)[0] for c in self._curves())) if curve else ()
        every_epoch = curve and any(curve_feature(c, self._name)[1] != "last" for c in self._curves())
        graph = self.regressor in GRAPH_REGRESSORS
        featurizers = self._graph_featurizers() if graph else (self._encodings() if "encoding" in groups else ())
        return Requirements(
            featurizers=featurizers,
            fidelity=self.fidelity if curve else None,
            curve_metrics=metrics,
            every_epoch=every_epoch,
            labelled=True,
            encoding=graph or "encoding" in groups,
            unlabelled=self._unlabelled_count(),
            proxies=self._proxies() if "proxy" in groups else (),
            min_labelled=2,
        )

    def unsupported(self, space: Any) -> str | None:
        """The graph regressor's reason not to run on ``space`` (None for the others)."""
        if self.regressor not in GRAPH_REGRESSORS:
            return None
        return self._graph_model().unsupported(space)

    def _graph_featurizers(self) -> tuple[str, ...]:
        """The featurizers the graph regressor reads (``("gcn",)`` while its parameters are malformed: fit says
        what is wrong)."""
        try:
            return self._graph_model().requirements.featurizers
        except InvalidInputError:
            return ("gcn",)

    def _unlabelled_count(self) -> int:
        """Unlabelled architectures SemiNAS asks for (none for the other regressors)."""
        if self.regressor != "seminas":
            return 0
        return (self.graph_params or {}).get("n_unlabelled", self.n_unlabelled)

    # -- features --------------------------------------------------------------------------------------
    def _scalars(self, n: int, info: ArchInfo, groups: tuple[str, ...]) -> tuple[np.ndarray, list[str]]:
        """Raw scalar features ``(n, k)`` and their names: the curve features, then the proxy."""
        columns, names = [], []
        if "curve" in groups:
            for name in self._curves():
                metric, feature = curve_feature(name, self._name)
                curves = info.curves.get(metric)
                if curves is None:
                    raise InvalidInputError(
                        f"{self._name}: curve feature {name!r} reads curves of {metric!r}; "
                        f"info has {sorted(info.curves)}"
                    )
                values = LearningCurveFeatures(features=(feature,), e=self.sotle_window).fit_transform(curves.values)
                columns.append(values[:, 0])
                names.append(f"{name}@{self.fidelity}")
        if "proxy" in groups:
            for proxy in self._proxies():
                columns.append(np.asarray(info.proxies[proxy], dtype=np.float64))
                names.append(proxy)
        x = np.column_stack(columns) if columns else np.zeros((n, 0))
        bad = np.argwhere(~np.isfinite(x))
        if bad.size:
            row, col = bad[0]
            raise InvalidInputError(
                f"{self._name}: feature {names[col]!r} of the architecture at position {row} is {x[row, col]}; "
                "expected finite values"
            )
        return x, names

    def _design(self, archs: list[Any], info: ArchInfo, scalars: np.ndarray) -> np.ndarray:
        """The matrix NGBoost reads: the encoding (if used) and the normalised scalar features."""
        blocks = []
        if "encoding" in self.groups_:
            blocks.append(self._encode(archs, info))
        if scalars.shape[1]:
            blocks.append(self.normaliser_.transform(scalars))
        return np.hstack(blocks)

    def _start(self, z: np.ndarray) -> np.ndarray:
        """The linear start (in normalised target units) of normalised scalar features ``z``."""
        return self.start_coef_[0] + z @ self.start_coef_[1:]

    # -- fit and predict -------------------------------------------------------------------------------
    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        self.groups_ = self.feature_groups()
        self.regressor_ = regressor = self.regressor
        scalars, self.feature_names_ = self._scalars(len(archs), info, self.groups_)
        self.normaliser_ = ScalarNormaliser.fit(scalars, self.normalisation)
        self.target_ = ScalarNormaliser.fit(y[:, None], self.target)
        target = self.target_.transform(y[:, None])[:, 0]
        z = self.normaliser_.transform(scalars)
        if regressor in GRAPH_REGRESSORS and self.combine == "stack":
            self._fit_stack(archs, target, z, info)  # sets start_coef_ and graph_weight_ itself
            return
        coef = np.zeros(1 + z.shape[1])
        if self.linear_start and z.shape[1]:
            coef = np.linalg.lstsq(np.column_stack([np.ones(len(z)), z]), target, rcond=None)[0]
        self.start_coef_ = coef
        self.graph_weight_ = 1.0
        logger.debug("%s: linear start %s on %s", self._name, np.round(coef, 4).tolist(), self.feature_names_)
        residual = target - self._start(z)
        if regressor in GRAPH_REGRESSORS:
            self.model_ = self._fit_graph(archs, residual, info)
            return
        if regressor == "xgb":
            self.model_ = XGBoost(random_state=self.random_state)._make_model().fit(
                self._design(archs, info, scalars), residual)
            return
        model = self._make_model()
        n = len(archs)
        if self.min_samples_leaf is None:  # NASLib's rule, as NGBoost sets it
            model.Base.set_params(min_samples_leaf=min(max(n // 2, 1), 15), min_samples_split=min(max(n // 2, 2), 20))
        else:
            leaf = min(max(n // 10, 2), 5) if self.min_samples_leaf == "auto" else self.min_samples_leaf
            model.Base.set_params(min_samples_leaf=leaf, min_samples_split=2 * leaf)
        self.model_ = model.fit(self._design(archs, info, scalars), residual)

    def _graph_model(self, seed_offset: int = 0) -> Any:
        """The graph regressor, unfitted: its class with ``graph_params`` over this predictor's settings (its seed
        ``random_state + seed_offset``)."""
        module, name = GRAPH_REGRESSORS[self.regressor].split(":")
        cls = getattr(importlib.import_module(module), name)
        seed = None if self.random_state is None else self.random_state + seed_offset
        params: dict[str, Any] = {"random_state": seed}
        if self.regressor == "seminas":
            epochs = self.seminas_epochs
            params.update(n_unlabelled=self.n_unlabelled, epochs=epochs, semi_epochs=epochs)
        params.update(self.graph_params or {})
        unknown = sorted(set(params) - set(cls.parameters()))
        if unknown:
            raise InvalidInputError(
                f"{self._name}: graph_params names {unknown}, not parameters of {name}; expected some of "
                f"{sorted(cls.parameters())}"
            )
        return cls(**params)

    def _fit_graph(self, archs: list[Any], residual: np.ndarray, info: ArchInfo, seed_offset: int = 0) -> Any:
        """The graph regressor fitted to ``residual`` (what it is to predict), from the architecture alone."""
        plain = ArchInfo(space=info.space, higher_is_better=True, unlabelled=info.unlabelled)
        return self._graph_model(seed_offset).fit(archs, residual, plain)

    def _fit_stack(self, archs: list[Any], target: np.ndarray, z: np.ndarray, info: ArchInfo) -> None:
        """``combine="stack"``: out-of-fold graph predictions of the normalised target, least squares of the target
        on them and the scalar features (the weights of the prediction), then the graph regressor on every
        training architecture."""
        n = len(archs)
        folds = min(self.stack_folds, n // 2)
        if folds < 2:
            raise InvalidInputError(
                f"{self._name}: combine='stack' holds out folds of two or more training architectures; got {n}, "
                "expected at least 4"
            )
        held_out = np.array_split(np.random.default_rng(self.random_state).permutation(n), folds)
        oof = np.empty(n)
        for k, held in enumerate(held_out):
            keep = np.setdiff1d(np.arange(n), held)
            model = self._fit_graph([archs[i] for i in keep], target[keep], info, seed_offset=k + 1)
            oof[held] = model.predict([archs[i] for i in held], ArchInfo(space=info.space))
        design = np.column_stack([np.ones(n), z, oof])
        coef = np.linalg.lstsq(design, target, rcond=None)[0]
        self.start_coef_, self.graph_weight_ = coef[:-1], float(coef[-1])
        logger.debug("%s: stacked weights %s on %s and the graph prediction", self._name,
                     np.round(coef, 4).tolist(), self.feature_names_)
        self.model_ = self._fit_graph(archs, target, info)

    def _predict_dist(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray]:
        scalars, _ = self._scalars(len(archs), info, self.groups_)
        start = self._start(self.normaliser_.transform(scalars))
        if self.regressor_ in GRAPH_REGRESSORS:
            out = self.model_.predict_dist(archs, ArchInfo(space=info.space), with_std=True)
            weight = self.graph_weight_
            loc = weight * out.mean
            scale = abs(weight) * (out.std if out.std is not None else np.zeros(len(archs)))
        elif self.regressor_ == "xgb":  # no distribution: the mean only (uncertainty is False)
            loc, scale = self.model_.predict(self._design(archs, info, scalars)), np.zeros(len(archs))
        else:
            params = self.model_.pred_dist(self._design(archs, info, scalars)).params
            loc, scale = params["loc"], params["scale"]
        mean = start + loc
        back = self.target_.inverse(np.concatenate([mean, mean - scale, mean + scale])[:, None])[:, 0]
        n = len(mean)
        return back[:n], (back[2 * n :] - back[n : 2 * n]) / 2.0

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return self._predict_dist(archs, info)[0]

