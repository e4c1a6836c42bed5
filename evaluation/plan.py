"""From a spec and its benchmark to the list of trials: every check that can fail is made here, first.

Unknown predictors or parameters, a train size larger than what the benchmark can supply beside the
test set, a fidelity past the training schedule: each raises before any trial runs. Every predictor is
first adapted to what the benchmark supplies (``Predictor.adapt``: its target metric and direction, the
curves and proxies it records, an opaque space), so that parameters left to follow the benchmark (a
learning-curve ``metric=None``, OMNI's default features) are resolved here, and the plan's notes say what
each predictor reads. Predictors that cannot run on the benchmark (an encoding on an opaque space,
learning curves or proxies it does not record, curves not recorded at the fidelity) are skipped with the
reason, before any trial runs; a fidelity at which the curves are not recorded is left out the same way. A predictor that trains nothing during initialization runs once per
query budget (its init budget is ``unlimited``); one whose query cost does not depend on the query
budget runs once per init budget.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from naspred.benchmarks.base import Benchmark
from naspred.errors import InvalidArchitectureError, InvalidInputError
from naspred.evaluation.spec import ExperimentSpec, InitBudget, PredictorSpec, QueryBudget, check_trial_count
from naspred.evaluation.splits import CanonicalIndex
from naspred.evaluation.trial import IndexedOracle, TrialTask, bought_fidelity, schedule_length
from naspred.predictors.registry import checked as get_predictor
from naspred.predictors.requirements import Requirements, Supply

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Skipped:
    """A predictor left out of the sweep, and why."""

    predictor: str
    reason: str


@dataclass(frozen=True)
class Plan:
    """The trials of an experiment on one benchmark, and the predictors skipped."""

    spec: ExperimentSpec
    tasks: tuple[TrialTask, ...]
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = field(default=())


def _skip_reason(predictor: object, benchmark: Benchmark) -> str | None:
    req = predictor.requirements  # type: ignore[attr-defined]
    if req.encoding and benchmark.space.name == "opaque":
        return (f"needs an encoding of the architecture, and benchmark {benchmark.name!r} has an opaque space "
                "(architectures are identifiers only)")
    if req.uses_curves:
        if not benchmark.curves:
            return f"reads learning curves, and benchmark {benchmark.name!r} records none"
        missing = [m for m in req.curve_metrics if m not in benchmark.curves]
        if missing:
            return f"reads learning curves of {missing}; benchmark {benchmark.name!r} records {sorted(benchmark.curves)}"
    missing = [p for p in req.proxies if p not in benchmark.proxies]
    if missing:
        return f"reads proxies {missing}; benchmark {benchmark.name!r} has {benchmark.proxies or 'none'}"
    return _unencodable(req, benchmark) or predictor.unsupported(benchmark.space)  # type: ignore[attr-defined]


def _unencodable(req: Requirements, benchmark: Benchmark) -> str | None:
    """Why an architecture encoding ``req`` reads is not defined on the benchmark's space (tried on one of its
    architectures), or None where every one is."""
    from naspred.featurizers.encoder import ArchitectureEncoder
    from naspred.featurizers.registry import FEATURIZERS

    for name in req.featurizers:
        entry = FEATURIZERS.entry(name)
        if not issubclass(entry.load(), ArchitectureEncoder) or not len(benchmark.archs):
            continue  # learning-curve features read curves, checked above
        try:
            entry.build("featurizer", {"space": benchmark.space}).fit_transform(list(benchmark.archs[:1]))
        except (InvalidInputError, InvalidArchitectureError) as err:
            return f"reads the {name!r} encoding, which is not defined on space {benchmark.space.name!r}: {err}"
    return None


def _unrecorded(req: Requirements, benchmark: Benchmark, fidelity: int) -> str | None:
    """Why the curves ``req`` reads are not recorded at ``fidelity`` epochs, or None where they are."""
    for metric in req.curve_metrics or tuple(benchmark.curves):
        epochs = [int(e) for e in benchmark.curves[metric].epochs]
        recorded = set(epochs)
        needed = range(1, fidelity + 1) if req.every_epoch else (fidelity,)
        missing = [e for e in needed if e not in recorded]
        if missing:
            shown = epochs if len(epochs) <= 6 else [*epochs[:3], "...", *epochs[-2:]]
            return (f"reads curves of {metric!r} at {'every epoch up to ' if req.every_epoch else ''}epoch {fidelity}; "
                    f"benchmark {benchmark.name!r} records them at epochs {shown}")
    return None


def _axes(
    spec: ExperimentSpec, pspec: PredictorSpec, predictor: object, full_epochs: int
) -> tuple[list[InitBudget], list[QueryBudget]]:
    req = predictor.requirements  # type: ignore[attr-defined]
    if req.labelled or spec.split != "oracle":  # on a fixed split every predictor fits on the training rows
        inits = spec.init_budgets()
        if not inits:
            raise InvalidInputError(
                f"predictor {pspec.label!r} trains architectures during initialization; give train sizes "
                "(--train-sizes) or init budgets in seconds (--init-seconds)"
            )
    else:
        inits = [InitBudget("unlimited")]
    has_fidelity = "fidelity" in predictor.get_params() and req.uses_curves  # type: ignore[attr-defined]
    queries: list[QueryBudget] = []
    if has_fidelity:
        # budgets in seconds alone: each buys its own fidelity (_bought_fidelities), the default one is not added
        default = () if spec.query_seconds and req.query_cost else _fitted_fidelity(pspec, req, full_epochs)
        queries += [QueryBudget("epochs", f) for f in spec.fidelities or default]
        too_long = [f for f in spec.fidelities if f >= full_epochs]
        if too_long:
            raise InvalidInputError(
                f"fidelities {too_long} reach the full schedule of {full_epochs} epochs of the benchmark; "
                f"predictor {pspec.label!r} can only train queried architectures partially (fidelity < {full_epochs})"
            )
    elif req.uses_curves and req.fidelity >= full_epochs:
        raise InvalidInputError(
            f"predictor {pspec.label!r} reads curves at {req.fidelity} epochs, the benchmark's schedule is "
            f"{full_epochs} epochs; expected a fidelity below it"
        )
    if req.query_cost:
        queries += [QueryBudget("seconds", s) for s in spec.query_seconds]
    if not queries:
        queries = [QueryBudget("unlimited")]
    return inits, queries


def _fitted_fidelity(pspec: PredictorSpec, req: Requirements, full_epochs: int) -> tuple[int, ...]:
    """The fidelity of a predictor whose default reaches a short schedule: half the schedule (``()`` where its
    own fidelity fits, or was given: a given fidelity past the schedule is an error)."""
    if req.fidelity < full_epochs:
        return ()
    if "fidelity" in pspec.params:
        raise InvalidInputError(
            f"predictor {pspec.label!r} reads curves at {req.fidelity} epochs, the benchmark's schedule is "
            f"{full_epochs} epochs; expected a fidelity below it"
        )
    return (max(1, full_epochs // 2),)


def _bought_fidelities(
    pspec: PredictorSpec, predictor: object, benchmark: Benchmark, oracle: IndexedOracle, queries: list[QueryBudget],
    full_epochs: int, skipped: list[Skipped],
) -> tuple[list[QueryBudget], dict[QueryBudget, int]]:
    """The fidelity each query budget in seconds buys a predictor with a ``fidelity`` parameter, on all the
    benchmark's architectures (:func:`~naspred.evaluation.trial.bought_fidelity`; each trial buys again on its
    own test architectures). A budget that buys no epoch is skipped; other queries pass."""
    req = predictor.requirements  # type: ignore[attr-defined]
    seconds = [q for q in queries if q.unit == "seconds"]
    if not seconds or not req.uses_curves or "fidelity" not in predictor.get_params():  # type: ignore[attr-defined]
        return queries, {}
    kept, bought = [], {}
    for query in queries:
        if query.unit != "seconds":
            kept.append(query)
            continue
        epochs = bought_fidelity(query.value, oracle, benchmark.archs, req.proxies, full_epochs)
        if epochs < 1:
            reason = (f"{query.value:g} s per architecture buys no epoch of partial training (a mean epoch takes "
                      f"{oracle.epoch_seconds_of(benchmark.archs).mean():.3g} s)")
            logger.info("skipping %s at %g s per architecture: %s", pspec.label, query.value, reason)
            skipped.append(Skipped(f"{pspec.label} at {query.value:g} s per architecture", reason))
            continue
        kept.append(query)
        bought[query] = epochs
    return kept, bought


def _recorded_queries(
    pspec: PredictorSpec, predictor: object, benchmark: Benchmark, queries: list[QueryBudget], skipped: list[Skipped],
    bought: dict[QueryBudget, int] | None = None,
) -> list[QueryBudget]:
    """``queries`` less the fidelities at which the curves the predictor reads are not recorded (each skipped);
    ``bought``: the fidelity of a query budget in seconds (else the predictor's own)."""
    req = predictor.requirements  # type: ignore[attr-defined]
    if not req.uses_curves:
        return queries
    kept = []
    for query in queries:
        fidelity = int(query.value) if query.unit == "epochs" else (bought or {}).get(query, req.fidelity)
        reason = _unrecorded(req, benchmark, fidelity)
        if reason is None:
            kept.append(query)
            continue
        label = pspec.label if query.unit != "epochs" else f"{pspec.label} at fidelity {fidelity}"
        logger.info("skipping %s: %s", label, reason)
        skipped.append(Skipped(label, reason))
    return kept


def _reads(req: Requirements) -> str:
    parts = []
    if req.encoding:
        parts.append("an encoding" + (f" ({', '.join(req.featurizers)})" if req.featurizers else ""))
    if req.uses_curves:
        parts.append(f"curves of {list(req.curve_metrics) or 'every metric recorded'} at the fidelity")
    if req.proxies:
        parts.append(f"proxies {list(req.proxies)}")
    return ", ".join(parts) or "nothing beyond the architectures"


def check_predictors(spec: ExperimentSpec) -> None:
    """Build every predictor of ``spec`` once and check its parameters: unknown names, unknown parameters and
    values out of their range raise (no data is read)."""
    for pspec in spec.predictors:
        get_predictor(pspec.name, **pspec.params)


def _check_sizes(spec: ExperimentSpec, benchmark: Benchmark, index: CanonicalIndex) -> None:
    """Refuse a test size, or a train size beside it, that the benchmark cannot supply: counted in canonical
    forms, or in rows on the ``"random"`` split (whose training rows may be isomorphs of test rows)."""
    if spec.protocol == "random":
        available, what = int(np.isfinite(benchmark.y).sum()), "architectures with a target"
    else:
        available = index.classes_with_target(benchmark.y)
        what = "architectures of distinct canonical form with a target"
    if spec.test_size >= available:
        raise InvalidInputError(
            f"test size {spec.test_size} leaves nothing to train on: benchmark {benchmark.name!r} has {available} "
            f"{what}"
        )
    if spec.train_sizes and max(spec.train_sizes) > available - spec.test_size:
        raise InvalidInputError(
            f"train size {max(spec.train_sizes)} is larger than the space allows: benchmark {benchmark.name!r} has "
            f"{available} {what} and the test set takes {spec.test_size}, leaving {available - spec.test_size}"
        )


def make_plan(spec: ExperimentSpec, benchmark: Benchmark, index: CanonicalIndex | None = None) -> Plan:
    """Validate ``spec`` against ``benchmark`` and list its trials (trial-major order)."""
    index = index if index is not None else CanonicalIndex.of(benchmark)
    _check_sizes(spec, benchmark, index)
    full_epochs = schedule_length(benchmark)
    per_predictor: list[tuple[PredictorSpec, list[InitBudget], list[QueryBudget], dict[QueryBudget, int]]] = []
    skipped: list[Skipped] = []
    oracle = IndexedOracle(benchmark, index, (), seed=0)
    supply = Supply.of_oracle(oracle)
    notes = [f"simulated training cost: {oracle.cost_model}"]
    for pspec in spec.predictors:
        predictor = get_predictor(pspec.name, **pspec.params)  # unknown names, parameters and bad values raise here
        predictor.adapt(supply)
        reason = _skip_reason(predictor, benchmark)
        if reason is not None:
            logger.info("skipping predictor %s: %s", pspec.label, reason)
            skipped.append(Skipped(pspec.label, reason))
            continue
        inits, queries = _axes(spec, pspec, predictor, full_epochs)
        queries, bought = _bought_fidelities(pspec, predictor, benchmark, oracle, queries, full_epochs, skipped)
        queries = _recorded_queries(pspec, predictor, benchmark, queries, skipped, bought)
        if not queries:
            continue
        if bought:
            notes.append(f"{pspec.label}: " + "; ".join(f"{q.value:g} s per architecture buys {f} epoch(s)"
                                                         for q, f in bought.items() if q in queries))
        notes.append(f"{pspec.label} reads {_reads(predictor.requirements)}")
        if not spec.fidelities and [q.value for q in queries if q.unit == "epochs"]:
            notes.append(
                f"{pspec.label}: its default fidelity of {predictor.requirements.fidelity} epochs reaches the "
                f"benchmark's {full_epochs}-epoch schedule; queried at {queries[0].value:g} epochs, half of it "
                "(--fidelities chooses)"
            )
        per_predictor.append((pspec, inits, queries, bought))
    per_trial = sum(len(inits) * len(queries) for _, inits, queries, _ in per_predictor)
    check_trial_count(spec.trials * per_trial, f"{spec.trials:,} trials x {per_trial:,} predictor-budget cells")
    split = spec.fixed_split()
    tasks = [
        TrialTask(spec.benchmark_key, pspec, init, query, trial, spec.seed, spec.test_size, spec.top_k, split,
                  bought.get(query))
        for trial in range(spec.trials)
        for pspec, inits, queries, bought in per_predictor
        for init in inits
        for query in queries
        if pspec.trials is None or trial < pspec.trials
    ]
    return Plan(spec=spec, tasks=tuple(tasks), skipped=tuple(skipped), notes=tuple(notes))
