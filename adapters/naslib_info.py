"""NASLib's side information, read into naspred's :class:`~naspred.predictors.info.ArchInfo` pieces.

Side information travels as NASLib passes it: a list with one dict per architecture (an empty list is no
information). A dict holds ``"lc"``, the learning curve of the metric that ``get_data_reqs()["metric"]``
names, one value per epoch from epoch 1, or ``"<METRIC>_lc"`` with NASLib's ``Metric`` name
(``"VAL_ACCURACY_lc"``, ``"TRAIN_LOSS_lc"``) when a predictor reads several metrics (:func:`read_curves`).
Curves longer than the wrapped predictor's fidelity are cut to it. A zero-cost proxy the predictor reads is
taken from the dict under the proxy's name or under ``"zero_cost_scores"`` (NASLib's
``{"zero_cost_scores": {"zen": ...}}``), else from the ``zero_cost_scores`` given to
:meth:`~naspred.adapters.naslib.NASLibPredictor.set_pre_computations`, else from the benchmark (the
precomputed tables of NAS-Bench-Suite-Zero): :class:`ZeroCostScores`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from naspred.benchmarks.base import Benchmark, Curves
from naspred.errors import InvalidInputError
from naspred.oracles.simulated import SimulatedOracle
from naspred.predictors.requirements import Requirements

ZC_KEY = "zero_cost_scores"
ZC_ARGS = ("xtrain_zc_info", "xtest_zc_info", "unlabeled_zc_info")


def curve(value: Any, where: str, who: str) -> np.ndarray:
    """One learning curve as a finite 1-D array, or an error naming ``where``."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{who}: {where} must be a list of numbers, got {type(value).__name__}") from None
    if arr.ndim != 1 or not len(arr):
        raise InvalidInputError(
            f"{who}: {where} must be a non-empty list, one value per epoch from epoch 1; got shape {arr.shape}"
        )
    if not np.isfinite(arr).all():
        raise InvalidInputError(f"{who}: {where} holds non-finite values")
    return arr


def zc_rows(value: Any, who: str, what: str) -> list[Mapping[str, Any]]:
    """NASLib's ``{"zero_cost_scores": [{proxy: score}, ...]}`` as its list of dicts."""
    rows = value.get(ZC_KEY) if isinstance(value, Mapping) else None
    if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Sequence) or not all(
        isinstance(r, Mapping) for r in rows
    ):
        raise InvalidInputError(
            f"{who}: {what} must be NASLib's {{'{ZC_KEY}': [{{proxy: score}}, ...]}}, one dict per architecture; "
            f"got {type(value).__name__}"
        )
    return list(rows)


def scores(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    """An info dict's proxy scores: its own keys over those of its ``"zero_cost_scores"``."""
    nested = entry.get(ZC_KEY)
    return {**nested, **entry} if isinstance(nested, Mapping) else entry


def info_entries(info: Any, n: int, who: str, what: str) -> list[Mapping[str, Any]] | None:
    """NASLib's side information as one dict per architecture, or None where there is none."""
    if info is None:
        return None
    if isinstance(info, (Mapping, str, bytes)) or not isinstance(info, Sequence):
        raise InvalidInputError(
            f"{who}: {what} must be a list with one dict per architecture (NASLib's format), got {type(info).__name__}"
        )
    entries = list(info)
    if not entries:  # PredictorEvaluator's load_dataset fills info only for a learning-curve predictor
        return None
    if len(entries) != n:
        raise InvalidInputError(f"{who}: {what} has {len(entries)} entries for {n} architectures; expected one each")
    for pos, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise InvalidInputError(f"{who}: {what}[{pos}] must be a dict, got {type(entry).__name__}")
    return entries


def read_curves(
    entries: list[Mapping[str, Any]], req: Requirements, who: str, what: str, reader: str
) -> dict[str, Curves]:
    """The learning curves ``req`` reads, cut to its fidelity, from the ``"lc"`` / ``"<METRIC>_lc"`` of each dict."""
    fidelity = int(req.fidelity)
    metrics = req.curve_metrics or ("val_accuracy",)
    out = {}
    for metric in metrics:
        keys = [f"{metric.upper()}_lc"] + (["lc"] if len(metrics) == 1 else [])
        rows = []
        for pos, entry in enumerate(entries):
            key = next((k for k in keys if k in entry), None)
            if key is None:
                raise InvalidInputError(
                    f"{who}: {what}[{pos}] has no learning curve of {metric!r}; expected key "
                    f"{' or '.join(repr(k) for k in keys)}, got keys {sorted(map(str, entry))}"
                )
            row = curve(entry[key], f"{what}[{pos}][{key!r}]", who)
            if len(row) < fidelity:
                raise InvalidInputError(
                    f"{who}: {what}[{pos}][{key!r}] has {len(row)} epoch(s); {reader} "
                    f"reads the first {fidelity}"
                )
            rows.append(row[:fidelity])
        out[metric] = Curves(epochs=np.arange(1, fidelity + 1), values=np.vstack(rows))
    return out


class ZeroCostScores:
    """The zero-cost scores a wrapped predictor reads: those NASLib hands over and those looked up.

    ``given`` holds, per argument of ``set_pre_computations`` (``"xtrain_zc_info"``, ...), one dict of scores
    per architecture; ``cache`` every ``(architecture, proxy)`` value read from a benchmark.
    """

    def __init__(self) -> None:
        self.cache: dict[tuple[Any, str], float] = {}
        self.oracle: SimulatedOracle | None = None
        self.given: dict[str, list[Mapping[str, Any]]] = {}

    def clear(self) -> None:
        """Forget the scores looked up and handed over."""
        self.cache.clear()
        self.given.clear()

    def give(self, what: str, value: Any, who: str) -> None:
        """Keep NASLib's ``{"zero_cost_scores": [{proxy: score}, ...]}`` handed over as argument ``what``."""
        self.given[what] = zc_rows(value, who, what)

    def read(
        self,
        archs: list[Any],
        entries: list[Mapping[str, Any]] | None,
        names: Sequence[str],
        benchmark: Benchmark | None,
        who: str,
        stored: str,
        reader: str,
    ) -> dict[str, np.ndarray]:
        """Each proxy in ``names`` for ``archs``: from the info dicts, else from what :meth:`give` stored as
        ``stored``, else from ``benchmark`` (:meth:`lookup`)."""
        rows = [scores(e) for e in entries] if entries is not None else None
        given = self.given.get(stored)
        out = {}
        for name in names:
            source = next((r for r in (rows, given) if r is not None and len(r) == len(archs)
                           and all(name in e for e in r)), None)
            if source is not None:
                try:
                    out[name] = np.asarray([e[name] for e in source], dtype=np.float64)
                except (TypeError, ValueError):
                    raise InvalidInputError(f"{who}: proxy {name!r} in the info dicts must be numbers") from None
            else:
                out[name] = self.lookup(archs, (name,), benchmark, who, reader)[name]
        return out

    def lookup(
        self, archs: list[Any], names: Sequence[str], benchmark: Benchmark | None, who: str, reader: str
    ) -> dict[str, np.ndarray]:
        """Each proxy in ``names`` for ``archs`` from ``benchmark``'s precomputed tables, each value looked up once."""
        out = {}
        for name in names:
            missing = list(dict.fromkeys(a for a in archs if (a, name) not in self.cache))
            if missing:
                if benchmark is None:
                    raise InvalidInputError(
                        f"{who}: {reader} reads the zero-cost proxy {name!r}; give "
                        f"NASLibPredictor(benchmark=...) with a benchmark that ships it, or put {name!r} in each "
                        f"architecture's info dict (or its '{ZC_KEY}'), or pass set_pre_computations("
                        f"xtrain_zc_info={{'{ZC_KEY}': [...]}})"
                    )
                if self.oracle is None:
                    self.oracle = SimulatedOracle(benchmark)
                values = self.oracle.proxies(missing, [name])[name]
                for arch, value in zip(missing, values):
                    self.cache[(arch, name)] = float(value)
            out[name] = np.array([self.cache[(a, name)] for a in archs], dtype=np.float64)
        return out
