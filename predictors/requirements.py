"""What a predictor needs before it can predict (OMNI's initialization and query phases).

White et al., "How Powerful are Performance Predictors in Neural Architecture Search?" (NeurIPS 2021)
split a predictor's cost into an initialization phase (train architectures to completion, fit a model)
and a query phase (per architecture: partially train it, compute a zero-cost proxy). A
:class:`Requirements` states which of these a predictor uses, so that a harness can supply them,
budget them, and skip the predictor where a benchmark cannot supply them.

A :class:`Supply` states the other side: what a benchmark (through its oracle) offers, its prediction
target and direction, the learning curves and proxies it records, whether its architectures can be
encoded. Parameters a predictor leaves to follow the benchmark (a learning-curve ``metric=None``, OMNI's
default feature groups) are resolved against it by ``Predictor.adapt``, which a harness calls when it plans
a sweep (so that a predictor that cannot run is skipped before any trial, with the reason), and which
``initialize`` and ``fit`` call with what the oracle or the ``ArchInfo`` offer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from naspred.errors import InvalidInputError


def _names(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    out = tuple(value)
    for name in out:
        if not isinstance(name, str) or not name:
            raise InvalidInputError(f"{what} must be non-empty strings, got {name!r}")
    if len(set(out)) != len(out):
        raise InvalidInputError(f"{what} must not repeat a name, got {list(out)}")
    return out


@dataclass(frozen=True)
class Requirements:
    """Declared needs of a predictor.

    - ``featurizers``: names of the featurizers (encodings) it reads.
    - ``fidelity``: epochs of partial training per queried architecture (learning-curve predictors), or
      ``None`` when it reads no learning curve.
    - ``curve_metrics``: the learning-curve metrics it reads at ``fidelity`` (empty: all that are recorded).
    - ``every_epoch``: whether it reads every epoch ``1..fidelity`` of them (sums over epochs), not only the
      epochs recorded up to the fidelity.
    - ``labelled``: whether initialization must train architectures to completion and fit on them.
    - ``init_training``: whether initialization trains something of its own (a weight-sharing supernet), so
      that it needs an init budget and a fit before predicting though no labelled architecture.
    - ``encoding``: whether it needs an encoding of the architecture (it cannot run on an opaque space).
    - ``unlabelled``: how many unlabelled architectures (drawn, never trained) it uses at fit, 0 for none.
    - ``proxies``: precomputed zero-cost proxies it reads.
    - ``min_labelled``: the fewest labelled architectures it can fit on.
    """

    featurizers: tuple[str, ...] = ()
    fidelity: int | None = None
    curve_metrics: tuple[str, ...] = ()
    every_epoch: bool = False
    labelled: bool = False
    init_training: bool = False
    encoding: bool = False
    unlabelled: int = 0
    proxies: tuple[str, ...] = ()
    min_labelled: int = 2

    def __post_init__(self) -> None:
        object.__setattr__(self, "featurizers", _names(self.featurizers, "featurizer names"))
        object.__setattr__(self, "curve_metrics", _names(self.curve_metrics, "curve metric names"))
        object.__setattr__(self, "proxies", _names(self.proxies, "proxy names"))
        if self.fidelity is not None and (isinstance(self.fidelity, bool) or int(self.fidelity) != self.fidelity
                                          or self.fidelity < 1):
            raise InvalidInputError(f"fidelity must be a positive number of epochs or None, got {self.fidelity!r}")
        if self.curve_metrics and self.fidelity is None:
            raise InvalidInputError(f"curve metrics {list(self.curve_metrics)} are read at a fidelity; set fidelity")
        if isinstance(self.unlabelled, bool) or int(self.unlabelled) != self.unlabelled or self.unlabelled < 0:
            raise InvalidInputError(f"unlabelled must be a count >= 0, got {self.unlabelled!r}")
        if isinstance(self.min_labelled, bool) or int(self.min_labelled) != self.min_labelled or self.min_labelled < 1:
            raise InvalidInputError(f"min_labelled must be a count >= 1, got {self.min_labelled!r}")

    @property
    def uses_curves(self) -> bool:
        """Whether queried architectures are partially trained."""
        return self.fidelity is not None

    @property
    def query_cost(self) -> bool:
        """Whether the query phase spends budget (partial training or proxy computation)."""
        return self.uses_curves or bool(self.proxies)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        out = asdict(self)
        for key in ("featurizers", "curve_metrics", "proxies"):
            out[key] = list(out[key])
        return out


@dataclass(frozen=True)
class Supply:
    """What a benchmark offers a predictor.

    - ``target``: the metric predicted (``"val_accuracy"``, ``"val_loss"``, ...), ``None`` where unknown.
    - ``higher_is_better``: the target's direction.
    - ``curves``: the learning-curve metrics recorded, ``None`` where not known before training (a live oracle).
    - ``proxies``: the precomputed zero-cost proxies served.
    - ``opaque``: whether architectures are identifiers only (no encoding applies).
    """

    target: str | None = None
    higher_is_better: bool = True
    curves: tuple[str, ...] | None = None
    proxies: tuple[str, ...] = ()
    opaque: bool = False

    def __post_init__(self) -> None:
        if self.target is not None and (not isinstance(self.target, str) or not self.target):
            raise InvalidInputError(f"target must be a metric name or None, got {self.target!r}")
        if self.curves is not None:
            object.__setattr__(self, "curves", _names(self.curves, "curve metric names"))
        object.__setattr__(self, "proxies", _names(self.proxies, "proxy names"))
        object.__setattr__(self, "higher_is_better", bool(self.higher_is_better))
        object.__setattr__(self, "opaque", bool(self.opaque))

    def records(self, metric: str) -> bool:
        """Whether curves of ``metric`` are recorded (assumed where the recorded curves are not known)."""
        return self.curves is None or metric in self.curves

    @classmethod
    def of_oracle(cls, oracle: Any) -> Supply:
        """What an :class:`~naspred.oracles.oracle.Oracle` serves."""
        return cls._of(oracle, oracle.recorded_curves, oracle.available_proxies, oracle.space)

    @classmethod
    def of_benchmark(cls, benchmark: Any) -> Supply:
        """What a :class:`~naspred.benchmarks.base.Benchmark` records (as its simulated oracle serves it)."""
        return cls._of(benchmark, tuple(benchmark.curves), benchmark.proxies, benchmark.space)

    @classmethod
    def of_info(cls, info: Any) -> Supply:
        """What an :class:`~naspred.predictors.info.ArchInfo` holds."""
        return cls._of(info, tuple(info.curves), tuple(info.proxies), info.space)

    @classmethod
    def _of(cls, source: Any, curves: tuple[str, ...] | None, proxies: Any, space: Any) -> Supply:
        """``source``'s target and direction, with what it records."""
        opaque = space is not None and space.name == OPAQUE
        return cls(target=source.target, higher_is_better=source.higher_is_better, curves=curves,
                   proxies=tuple(proxies), opaque=opaque)


#: name of the space whose architectures are identifiers only
OPAQUE = "opaque"
