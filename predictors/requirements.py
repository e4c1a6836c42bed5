"""What a predictor needs before it can predict (OMNI's initialization and query phases).

White et al., "How Powerful are Performance Predictors in Neural Architecture Search?" (NeurIPS 2021)
split a predictor's cost into an initialization phase (train architectures to completion, fit a model)
and a query phase (per architecture: partially train it, compute a zero-cost proxy). A
:class:`Requirements` states which of these a predictor uses, so that a harness can supply them,
budget them, and skip the predictor where a benchmark cannot supply them.
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
    - ``labelled``: whether initialization must train architectures to completion and fit on them.
    - ``encoding``: whether it needs an encoding of the architecture (it cannot run on an opaque space).
    - ``unlabelled``: how many unlabelled architectures (drawn, never trained) it uses at fit, 0 for none.
    - ``proxies``: precomputed zero-cost proxies it reads.
    - ``min_labelled``: the fewest labelled architectures it can fit on.
    """

    featurizers: tuple[str, ...] = ()
    fidelity: int | None = None
    curve_metrics: tuple[str, ...] = ()
    labelled: bool = False
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
