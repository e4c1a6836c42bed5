"""The predictor contract battery: :func:`check_predictor` runs every check of the contract on one predictor.

In the manner of scikit-learn's ``check_estimator``, one battery serves every registered predictor (the test
suite runs it over ``naspred.predictors.names()``) and any predictor a user writes::

    from naspred.testing import check_predictor

    check_predictor(MyPredictor())               # raises PredictorCheckError naming the failed check

The checks run on small real data: the embedded ``nb201-analog-cifar10`` benchmark (NAS-Bench-201 cells and
their CIFAR-10 accuracy, no download) for predictors that read only an encoding, and the packaged
``nb201-mnist1d`` benchmark (learning curves of 10 epochs and four precomputed zero-cost proxies, no
download) for predictors that read learning curves or proxies; ``benchmark=`` gives another one. Which
checks apply follows from what the predictor declares: its :class:`~naspred.predictors.Requirements`
(labelled architectures, learning curves at a fidelity, proxies), ``uncertainty``, and a ``random_state``
parameter. A predictor whose fidelity reaches the benchmark's full schedule is checked at half the schedule
(as the evaluation harness queries it), through its ``fidelity`` parameter; a ``final_epoch`` parameter left
``None`` is set to the benchmark's last epoch.

The checks (:data:`CHECKS`, in the order they run):

- ``params`` (run first, on no data): the constructor takes named parameters only and stores them unchanged;
  ``get_params`` / ``set_params`` / ``clone`` round-trip them; a clone holds no fitted state.
- ``not_fitted``: a predictor that trains on labelled architectures raises ``NotFittedError`` from
  ``predict`` and ``query`` before ``fit`` / ``initialize``; one that needs none predicts without ``fit``.
- ``nan_targets``: ``fit`` refuses a NaN or infinite target with a ``ValueError``.
- ``shapes``: ``fit`` returns the predictor and records ``space_``, ``higher_is_better_`` and ``n_train_``;
  ``predict`` gives one finite float per architecture, for a batch, for one architecture and for the
  architectures written as text, and equals the mean of ``predict_dist``.
- ``batch_invariance``: the prediction of an architecture does not depend on the batch it is in (alone, or
  the batch reversed).
- ``uncertainty``: ``predict_dist`` gives a standard deviation exactly when the predictor declares
  ``uncertainty``, finite and non-negative, with the same mean as ``predict``.
- ``random_state``: two fits with one ``random_state`` predict the same, and neither moves numpy's or
  torch's global random state (predictors with a ``random_state`` parameter).
- ``pickle``: a fitted predictor survives pickling and predicts the same afterwards; its clone is unfitted.
- ``oracle``: ``initialize`` on a :class:`~naspred.predictors.SimulatedOracle` whose test architectures are
  hidden trains exactly the architectures its init budget pays for (none when it needs no labelled ones);
  ``query`` trains the test architectures at most to the fidelity it declares, never to completion, and
  predicts each one (with a standard deviation exactly when it declares ``uncertainty``); a predictor that
  spends at query time refuses a zero query budget, one that does not queries under it.
"""

from __future__ import annotations

import inspect
import pickle
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from naspred.benchmarks.base import Benchmark, Curves
from naspred.errors import InvalidInputError
from naspred.oracles.budget import Budget
from naspred.oracles.simulated import SimulatedOracle
from naspred.predictors.base import Predictor
from naspred.predictors.info import ArchInfo
from naspred.predictors.prediction import Prediction
from naspred.predictors.requirements import Requirements, Supply
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

__all__ = ["CHECKS", "FAST_PARAMS", "CheckData", "PredictorCheckError", "check_data", "check_predictor"]

#: the benchmark of predictors that read only an encoding (embedded: no download)
ENCODING_BENCHMARK = "nb201-analog-cifar10"
#: the benchmark of predictors that read learning curves or proxies (packaged: no download)
CURVE_BENCHMARK = "nb201-mnist1d"
#: (training, test) architectures: the full battery and ``fast=True``
SIZES = {False: (40, 20), True: (12, 6)}


#: parameters that shorten the training of registered predictors, by name: the battery checks the contract, not
#: the ranking (``check_predictor(predictors.get(name, **FAST_PARAMS.get(name, {})), fast=True)``)
FAST_PARAMS: dict[str, dict[str, Any]] = {
    "mlp": {"num_layers": 2, "layer_width": 8, "epochs": 3},
    "bananas": {"n_members": 2, "num_layers": 2, "layer_width": 8, "epochs": 3},
    "gcn": {"hidden": 8, "linear_hidden": 8, "epochs": 3},
    "bonas": {"hidden": 8, "epochs": 10},
    "gates": {"op_dim": 4, "node_dim": 4, "hidden": 8, "width": 8, "num_layers": 2, "mlp_hidden": 8, "mlp_layers": 1,
              "epochs": 3},
    "nnformer": {"hidden": 8, "ffn_hidden": 8, "num_layers": 1, "epochs": 3},
    "ensemble": {"members": (("nnformer", {"hidden": 8, "ffn_hidden": 8, "num_layers": 1, "epochs": 3}),
                             ("gcn", {"hidden": 8, "linear_hidden": 8, "epochs": 3}))},
    "dngo": {"num_layers": 2, "layer_width": 8, "epochs": 3},
    "bohamiann": {"num_layers": 1, "layer_width": 8, "burn_in_steps": 20, "sample_steps": 20, "keep_every": 5},
    "nao": {"hidden": 8, "mlp_hidden": 4, "epochs": 2},
    "seminas": {"hidden": 8, "mlp_hidden": 4, "epochs": 2, "n_unlabelled": 10, "semi_epochs": 1},
    "arch2vec": {"hidden": 8, "latent_dim": 4, "epochs": 2, "n_unlabelled": 10, "regressor_width": 8,
                 "regressor_epochs": 3},
    "lgb": {"n_estimators": 20},
    "xgb": {"n_estimators": 20},
    "ngb": {"n_estimators": 20},
    "rf": {"n_estimators": 20},
    "gp": {"n_iter": 10},
    "var_sparse_gp": {"n_inducing": 8, "n_epochs": 10},
    "sparse_gp": {"n_iter": 10},
    "lce": {"burn_in": 20, "n_steps": 40, "families": ("pow3", "log_power")},
    "lcsvr": {"n_search": 2},
    "weight_sharing": {"epochs": 1},
    "lcnet": {"num_layers": 1, "layer_width": 8, "burn_in_steps": 20, "sample_steps": 20, "keep_every": 5},
    **{f"omni{variant}": {"n_estimators": 20, "n_unlabelled": 10}
       for variant in ("", "_no_encoding", "_no_curve", "_no_zero_cost", "_encoding_only", "_curve_only",
                       "_zero_cost_only")},
    "omni_seminas": {"n_estimators": 20, "n_unlabelled": 10, "seminas_epochs": 2},
}


class PredictorCheckError(AssertionError):
    """A predictor failed a check of the contract; ``check`` names it, ``predictor`` is the predictor's repr."""

    def __init__(self, check: str, predictor: str, message: str) -> None:
        super().__init__(f"{predictor} failed check {check!r}: {message}")
        self.check = check
        self.predictor = predictor


@dataclass(frozen=True)
class CheckData:
    """What the checks run on: a benchmark, training and (hidden) test architectures with their side
    information, and the parameters set on the predictor to fit that benchmark (``overrides``)."""

    benchmark: Benchmark
    requirements: Requirements
    train: list[Any]
    y: np.ndarray
    train_info: ArchInfo
    test: list[Any]
    test_info: ArchInfo
    overrides: dict[str, Any] = field(default_factory=dict)
    seed: int = 0

    def fresh(self, predictor: Any, **params: Any) -> Any:
        """An unfitted clone of ``predictor`` with :attr:`overrides` and ``params`` set."""
        return clone(predictor).set_params(**{**self.overrides, **params})

    def oracle(self) -> SimulatedOracle:
        """A simulated oracle of :attr:`benchmark` whose test architectures are hidden."""
        return SimulatedOracle(self.benchmark, hidden=self.test, seed=self.seed + 1)


# -- the data ------------------------------------------------------------------------------------------------------
def _load(benchmark: Benchmark | str | None, req: Requirements) -> Benchmark:
    if isinstance(benchmark, Benchmark):
        return benchmark
    from naspred.benchmarks import load

    if benchmark is None:
        benchmark = CURVE_BENCHMARK if req.uses_curves or req.proxies else ENCODING_BENCHMARK
    return load(benchmark)


def _requirements(predictor: Any, bench: Benchmark) -> tuple[Requirements, dict[str, Any]]:
    """The predictor's requirements on ``bench`` and the parameters that make it fit there (its fidelity)."""
    probe = clone(predictor)
    if hasattr(probe, "adapt"):
        probe.adapt(Supply.of_benchmark(bench))
    req = probe.requirements
    full = max((c.length for c in bench.curves.values()), default=0) or 1
    overrides: dict[str, Any] = {}
    if req.uses_curves and req.fidelity >= full:
        if "fidelity" not in probe.get_params():
            raise InvalidInputError(
                f"{type(probe).__name__} reads curves at {req.fidelity} epochs, benchmark {bench.name!r} trains for "
                f"{full}; pass a benchmark with longer curves or a predictor with a shorter fidelity"
            )
        overrides["fidelity"] = max(1, full // 2)
        probe.set_params(**overrides)
        req = probe.requirements
    missing = [f"proxy {name!r}" for name in req.proxies if name not in bench.proxies]
    if req.uses_curves:
        missing += [f"learning curves of {m!r}" for m in req.curve_metrics if m not in bench.curves]
        missing += ["learning curves"] if not bench.curves else []
    if req.encoding and bench.space.name == "opaque":
        missing.append("an encoding of the architectures (its space is opaque)")
    if "final_epoch" in probe.get_params() and probe.get_params()["final_epoch"] is None:
        overrides["final_epoch"] = full  # the epoch a curve is extrapolated to: initialize reads it, fit cannot
    if missing:
        raise InvalidInputError(
            f"{type(probe).__name__} reads {', '.join(missing)}, which benchmark {bench.name!r} does not record; "
            f"pass benchmark= one that does (it records proxies {bench.proxies} and curves {sorted(bench.curves)})"
        )
    return req, overrides


def _eligible(bench: Benchmark, req: Requirements) -> np.ndarray:
    """Rows with a finite target, the proxies read and the curves read up to the fidelity."""
    ok = np.isfinite(bench.y)
    for name in req.proxies:
        ok &= np.isfinite(bench.table[f"proxy:{name}"].to_numpy(dtype=np.float64))
    if req.uses_curves:
        for metric in req.curve_metrics or tuple(bench.curves):
            c = bench.curves[metric]
            ok &= np.isfinite(c.values[:, c.epochs <= req.fidelity]).all(axis=1)
    return np.flatnonzero(ok)


def _pool(bench: Benchmark, rows: np.ndarray) -> Benchmark:
    """``bench`` cut to ``rows`` (a small pool keeps the oracles of the checks cheap to build)."""
    return replace(
        bench,
        table=bench.table.iloc[rows].reset_index(drop=True),
        curves={m: Curves(c.epochs, c.values[rows]) for m, c in bench.curves.items()},
        epoch_seconds=None if bench.epoch_seconds is None else np.asarray(bench.epoch_seconds)[rows],
        _archs=None,
        _index=None,
    )


def _info(oracle: SimulatedOracle, archs: list[Any], req: Requirements, epochs: int) -> ArchInfo:
    """Side information of ``archs`` as the oracle serves it (curves trained for ``epochs``, cut at the fidelity)."""
    context = {"space": oracle.space, "higher_is_better": oracle.higher_is_better, "target": oracle.target,
               "proxies": oracle.proxies(archs, req.proxies) if req.proxies else {}}
    if not req.uses_curves:
        return ArchInfo(**context)
    curves = [oracle.train(a, epochs).curves for a in archs]
    metrics = req.curve_metrics or tuple(sorted(curves[0]))
    return ArchInfo.from_results(curves, metrics, req.fidelity, **context)


def check_data(predictor: Any, benchmark: Benchmark | str | None = None, *, fast: bool = False,
               seed: int = 0) -> CheckData:
    """The data :func:`check_predictor` runs ``predictor``'s checks on (see the module docstring)."""
    bench = _load(benchmark, getattr(predictor, "requirements", Requirements()))
    req, overrides = _requirements(predictor, bench)
    n_train, n_test = SIZES[bool(fast)]
    n_train = max(n_train, req.min_labelled + 2)
    rng = np.random.default_rng(seed)
    eligible = _eligible(bench, req)
    size = min(len(eligible), 4 * (2 * n_train + n_test + req.unlabelled))
    bench = _pool(bench, np.sort(rng.choice(eligible, size, replace=False)))
    oracle = SimulatedOracle(bench, seed=seed)
    test = oracle.sample(n_test)
    train = oracle.sample(n_train)
    if len(test) < n_test or len(train) < n_train:
        raise InvalidInputError(
            f"benchmark {bench.name!r} has too few architectures with what {type(predictor).__name__} reads: "
            f"{len(eligible)} rows; expected {n_train + n_test} of distinct canonical forms at least"
        )
    y = np.array([oracle.train(a, oracle.full_epochs).final for a in train])
    train_info = _info(oracle, train, req, oracle.full_epochs)
    test_info = _info(oracle, test, req, req.fidelity or 1)
    return CheckData(bench, req, train, y, train_info, test, test_info, overrides, seed)


# -- the checks ----------------------------------------------------------------------------------------------------
def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b))
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # objects that compare elementwise
        return a is b


def _fitted_state(predictor: Any) -> list[str]:
    return sorted(k for k in vars(predictor) if k.endswith("_") and not k.startswith("_"))


def check_params(predictor: Any, data: CheckData | None = None) -> None:
    """Constructor parameters stored unchanged; get_params / set_params / clone round-trip them (needs no data)."""
    signature = inspect.signature(type(predictor).__init__)
    declared = [n for n, p in signature.parameters.items() if n != "self"]
    varargs = [n for n, p in signature.parameters.items() if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    assert not varargs, f"the constructor takes *args / **kwargs ({varargs}); expected named parameters only"
    params = predictor.get_params(deep=False)
    assert sorted(params) == sorted(declared), f"get_params() has {sorted(params)}, the constructor {sorted(declared)}"
    rebuilt = type(predictor)(**params)
    altered = [name for name, value in params.items() if getattr(rebuilt, name, None) is not value]
    assert not altered, f"the constructor does not store parameters {altered} unchanged"
    copy = clone(predictor)
    changed = [k for k, v in copy.get_params(deep=False).items() if not _same(v, params[k])]
    assert not changed, f"clone() changed parameters {changed}"
    assert not _fitted_state(copy), f"an unfitted clone holds fitted state {_fitted_state(copy)}"
    assert copy.set_params(**params) is copy, "set_params() does not return the predictor"


def check_not_fitted(predictor: Any, data: CheckData) -> None:
    """Unfitted: NotFittedError where initialization trains something (labelled architectures, a supernet),
    else predictions without fit."""
    model = data.fresh(predictor)
    if not (data.requirements.labelled or data.requirements.init_training):
        out = model.predict(data.test, data.test_info)
        assert np.shape(out) == (len(data.test),), f"predict without fit gave shape {np.shape(out)}"
        return
    for call, run in (("predict", lambda: model.predict(data.test, data.test_info)),
                      ("query", lambda: model.query(data.test, data.oracle(), Budget(per_arch=True)))):
        try:
            run()
        except NotFittedError:
            continue
        raise AssertionError(f"{call} before fit / initialize raised no NotFittedError")


def check_nan_targets(predictor: Any, data: CheckData) -> None:
    """fit refuses a NaN or infinite target with a ValueError."""
    for bad in (np.nan, np.inf):
        y = data.y.copy()
        y[1] = bad
        try:
            data.fresh(predictor).fit(data.train, y, data.train_info)
        except ValueError:
            continue
        raise AssertionError(f"fit accepted a target of {bad}; expected a ValueError")


def _predicted(out: Any, n: int, what: str) -> np.ndarray:
    assert isinstance(out, np.ndarray), f"{what} returned {type(out).__name__}, expected a numpy array"
    assert out.shape == (n,), f"{what} returned shape {out.shape} for {n} architectures"
    assert np.issubdtype(out.dtype, np.floating), f"{what} returned dtype {out.dtype}, expected floats"
    assert np.isfinite(out).all(), f"{what} returned non-finite values"
    return out


def check_shapes(predictor: Any, data: CheckData) -> None:
    """fit returns self with its fitted state; predict: one finite float per architecture, however given."""
    model = data.fresh(predictor)
    assert model.fit(data.train, data.y, data.train_info) is model, "fit does not return the predictor"
    assert model.n_train_ == len(data.train), f"n_train_ is {model.n_train_}, fitted on {len(data.train)}"
    assert model.space_.name == data.benchmark.space.name, f"space_ is {model.space_.name!r}"
    assert model.higher_is_better_ == data.benchmark.higher_is_better, "higher_is_better_ is not the target's"
    pred = _predicted(model.predict(data.test, data.test_info), len(data.test), "predict")
    _predicted(model.predict(data.test[:1], data.test_info.subset([0])), 1, "predict of one architecture")
    text = [data.benchmark.space.format(a) for a in data.test]
    np.testing.assert_allclose(model.predict(text, data.test_info), pred, rtol=1e-6, atol=1e-9,
                               err_msg="architectures given as text")
    dist = model.predict_dist(data.test, data.test_info, with_std=False)
    assert isinstance(dist, Prediction), f"predict_dist returned {type(dist).__name__}, expected a Prediction"
    np.testing.assert_allclose(dist.mean, pred, rtol=1e-6, atol=1e-9, err_msg="predict_dist mean against predict")


def check_batch_invariance(predictor: Any, data: CheckData) -> None:
    """The prediction of an architecture does not depend on the batch: alone, or in reversed order."""
    model = data.fresh(predictor).fit(data.train, data.y, data.train_info)
    pred = model.predict(data.test, data.test_info)
    one = model.predict(data.test[:1], data.test_info.subset([0]))
    np.testing.assert_allclose(one, pred[:1], rtol=1e-6, atol=1e-9, err_msg="the first architecture alone")
    order = np.arange(len(data.test))[::-1]
    reversed_ = model.predict([data.test[i] for i in order], data.test_info.subset(order))
    np.testing.assert_allclose(reversed_, pred[order], rtol=1e-6, atol=1e-9, err_msg="the batch in reversed order")


def check_uncertainty(predictor: Any, data: CheckData) -> None:
    """A standard deviation exactly when ``uncertainty`` is declared, with the mean of predict."""
    model = data.fresh(predictor).fit(data.train, data.y, data.train_info)
    dist = model.predict_dist(data.test, data.test_info)
    assert isinstance(dist, Prediction), f"predict_dist returned {type(dist).__name__}, expected a Prediction"
    declared = bool(model.uncertainty)
    assert dist.has_std == declared, (
        f"uncertainty = {declared} but predict_dist gave {'a' if dist.has_std else 'no'} standard deviation"
    )
    if declared:
        assert len(dist.std) == len(data.test) and (dist.std >= 0).all(), "std is not one value >= 0 per architecture"
    np.testing.assert_allclose(dist.mean, model.predict(data.test, data.test_info), rtol=1e-5, atol=1e-8,
                               err_msg="predict_dist mean against predict")
    assert not model.predict_dist(data.test, data.test_info, with_std=False).has_std, "with_std=False gave a std"


def _global_states() -> list[Any]:
    _, keys, position, has_gauss, gauss = np.random.get_state()  # the position moves at every draw, the keys rarely
    states: list[Any] = [np.array([*keys, position, has_gauss, gauss], dtype=np.float64)]
    if "torch" in sys.modules:
        states.append(sys.modules["torch"].get_rng_state())
    return states


def check_random_state(predictor: Any, data: CheckData) -> None:
    """One random_state, one prediction; the global random states are left alone."""
    seed = predictor.get_params()["random_state"]
    seed = data.seed if seed is None else seed
    before = _global_states()
    runs = [data.fresh(predictor, random_state=seed).fit(data.train, data.y, data.train_info)
            .predict(data.test, data.test_info) for _ in range(2)]
    after = _global_states()
    moved = [name for name, a, b in zip(("numpy", "torch"), before, after) if not np.array_equal(a, b)]
    assert not moved, f"fit and predict with random_state={seed} moved the global random state of {moved}"
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-9, atol=1e-12,
                               err_msg=f"two fits with random_state={seed} predict differently")


def check_pickle(predictor: Any, data: CheckData) -> None:
    """A fitted predictor survives pickling; its clone holds no fitted state."""
    model = data.fresh(predictor).fit(data.train, data.y, data.train_info)
    pred = model.predict(data.test, data.test_info)
    assert not _fitted_state(clone(model)), f"a clone of a fitted predictor holds {_fitted_state(clone(model))}"
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(restored.predict(data.test, data.test_info), pred, rtol=1e-9, atol=1e-12,
                               err_msg="predictions after pickling")


def check_oracle(predictor: Any, data: CheckData) -> None:
    """initialize and query through an oracle that hides the test architectures, within their budgets."""
    req = data.requirements
    n_train, n_test = len(data.train), len(data.test)
    oracle = data.oracle()
    model = data.fresh(predictor)
    if req.labelled:
        budget = Budget(archs=n_train)
    else:  # nothing to train, or its own training (a supernet) with no architecture trained to completion
        budget = Budget(seconds=3600, archs=0) if req.init_training else Budget(seconds=0)
    model.initialize(oracle, budget)
    spent = oracle.meters[-1].spent
    expected = n_train if req.labelled else 0
    assert spent["archs"] == expected and model.n_train_ == expected, (
        f"initialize trained {spent['archs']} architectures and fitted on {model.n_train_}; its budget paid for "
        f"{expected}"
    )
    if req.query_cost:
        try:
            model.query(data.test, oracle, Budget(seconds=0, per_arch=True))
        except InvalidInputError:
            pass
        else:
            raise AssertionError("query spends at query time yet accepted a zero query budget")
        budget = Budget(epochs=req.fidelity, per_arch=True) if req.uses_curves else Budget(per_arch=True)
    else:
        budget = Budget(epochs=0, per_arch=True)
    out = model.query(data.test, oracle, budget)
    spent = oracle.meters[-1].spent
    assert oracle.meters[-1].phase == "query", "query did not charge a query meter"
    assert isinstance(out, Prediction) and len(out) == n_test, f"query gave {out!r} for {n_test} architectures"
    assert out.has_std == bool(model.uncertainty), "query gave a standard deviation other than the declared one"
    assert spent["archs"] == 0, f"query trained {spent['archs']} test architectures to completion"
    assert spent["epochs"] <= (req.fidelity or 0) * n_test, (
        f"query trained {spent['epochs']} epochs; the declared fidelity allows {(req.fidelity or 0) * n_test}"
    )


Check = Callable[[Any, CheckData], None]
#: every check by name, in the order they run, with whether it applies to a predictor
CHECKS: dict[str, tuple[Check, Callable[[Any], bool]]] = {
    "params": (check_params, lambda p: True),
    "not_fitted": (check_not_fitted, lambda p: True),
    "nan_targets": (check_nan_targets, lambda p: True),
    "shapes": (check_shapes, lambda p: True),
    "batch_invariance": (check_batch_invariance, lambda p: True),
    "uncertainty": (check_uncertainty, lambda p: True),
    "random_state": (check_random_state, lambda p: "random_state" in p.get_params()),
    "pickle": (check_pickle, lambda p: True),
    "oracle": (check_oracle, lambda p: True),
}


def check_predictor(
    predictor: Any,
    *,
    benchmark: Benchmark | str | None = None,
    fast: bool = False,
    seed: int = 0,
    checks: Sequence[str] | None = None,
) -> list[str]:
    """Run the contract battery on ``predictor``; return the names of the checks that ran.

    - ``predictor``: an unfitted :class:`~naspred.predictors.Predictor` (it is cloned, never changed).
    - ``benchmark``: a :class:`~naspred.benchmarks.base.Benchmark` or a registered name; by default
      ``nb201-analog-cifar10``, or ``nb201-mnist1d`` for a predictor that reads curves or proxies.
    - ``fast``: train on 12 architectures and test on 6 instead of 40 and 20 (pass small training
      parameters too, such as few epochs, to keep a neural predictor quick).
    - ``seed``: draws the architectures, and is the ``random_state`` of predictors that leave it ``None``.
    - ``checks``: the names of :data:`CHECKS` to run (default: all that apply).

    Raises :class:`PredictorCheckError` (an ``AssertionError``) naming the first failed check and the predictor;
    :class:`~naspred.errors.InvalidInputError` when the benchmark lacks what the predictor reads.
    """
    if not isinstance(predictor, Predictor):
        raise InvalidInputError(
            f"check_predictor checks a naspred Predictor (subclass naspred.predictors.Predictor), got "
            f"{type(predictor).__name__}"
        )
    unknown = sorted(set(checks or ()) - set(CHECKS))
    if unknown:
        raise InvalidInputError(f"unknown checks {unknown}; expected names among {list(CHECKS)}")
    wanted = [name for name in CHECKS if checks is None or name in checks]
    ran = []
    data = None
    for name in wanted:
        check, applies = CHECKS[name]
        try:
            if name != "params":  # the parameters are checked first, without data
                data = data or check_data(predictor, benchmark, fast=fast, seed=seed)
            if not applies(predictor):
                continue
            check(predictor, data)
        except InvalidInputError as err:
            if data is None and name != "params":  # the benchmark does not serve what the predictor reads
                raise
            raise _failed(name, predictor, err) from err
        except Exception as err:  # an error raised by the predictor is a failed check too
            raise _failed(name, predictor, err) from err
        ran.append(name)
    return ran


def _failed(check: str, predictor: Any, err: Exception) -> PredictorCheckError:
    message = str(err).strip() if isinstance(err, AssertionError) else f"{type(err).__name__}: {err}"
    return PredictorCheckError(check, repr(predictor), message)
