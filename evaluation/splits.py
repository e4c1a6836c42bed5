"""Trial seeds and the one split function: held-out test sets and the training sets beside them.

As in NASLib's predictor evaluator (White et al., NeurIPS 2021) each trial draws its test set first:
``test_size`` architectures, uniformly over the benchmark's rows with a recorded target, never two of the
same canonical form. The oracle of the trial then hides those canonical forms, so that no architecture
isomorphic to a test architecture is trained, drawn or labelled during initialization. Studies on fixed
splits (the OMNI ablation) draw their nested training sets from the same stream (:func:`draw_split`).

Two protocols (:data:`PROTOCOLS`): ``"canonical"``, every split but ``"random"``: no training architecture
shares its canonical form with a test architecture; ``"random"``, the split of the same name: test and training
rows drawn at random from all rows, disjoint as rows only, so the test set holds isomorphs of training
architectures, as NASLib and the published encoders (NAR-Former, FlowerFormer, NN-Former) split NAS-Bench-201.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from naspred.benchmarks.base import Benchmark, Curves
from naspred.errors import InvalidInputError
from naspred.predictors.info import ArchInfo


@dataclass(frozen=True)
class CanonicalIndex:
    """The canonical class of every row of a benchmark: ``codes[i]`` is the class of row ``i``.

    ``code_of`` maps each canonical key to its class (read only). Computing it reads every architecture
    once; it is computed once per benchmark and shared between the oracles of the trials (and workers).
    """

    codes: np.ndarray
    code_of: Mapping[Hashable, int]

    @classmethod
    def of(cls, benchmark: Benchmark) -> CanonicalIndex:
        code_of: dict[Hashable, int] = {}
        codes = np.empty(len(benchmark), dtype=np.int64)
        canonical = benchmark.space.canonical
        for i, arch in enumerate(benchmark.archs):
            codes[i] = code_of.setdefault(canonical(arch), len(code_of))
        codes.setflags(write=False)
        return cls(codes, code_of)

    def classes_with_target(self, y: np.ndarray) -> int:
        """How many canonical classes have at least one row with a finite target."""
        return int(np.unique(self.codes[np.isfinite(y)]).size)


def trial_seed(seed: int, trial: int) -> int:
    """The seed of trial ``trial`` of an experiment seeded with ``seed`` (independent streams per trial)."""
    if isinstance(trial, bool) or int(trial) != trial or trial < 0 or int(seed) != seed or seed < 0:
        raise InvalidInputError(f"seed and trial must be integers >= 0, got {seed!r} and {trial!r}")
    return int(np.random.SeedSequence([int(seed), int(trial)]).generate_state(1, dtype=np.uint32)[0])


#: how a split draws its rows: ``"distinct"`` (test rows of distinct canonical forms, then nested training
#: sets of one row per canonical form), ``"sampled"`` (rows drawn uniformly, test rows may share a form with
#: each other but never with a training row; each train size draws its own set: perf/predictors.py's tables)
#: or ``"random"`` (the test rows of ``"sampled"``, training rows drawn uniformly from all the other rows)
STRATEGIES: tuple[str, ...] = ("distinct", "sampled", "random")
#: strategies whose trial ``t`` of an experiment seeded ``s`` is seeded ``s + t`` (perf/predictors.py seeded
#: trial ``t`` by ``t``) instead of :func:`trial_seed`
SEEDED_BY_NUMBER: tuple[str, ...] = ("sampled", "random")
#: the protocol of a split: whether isomorphs of test architectures are kept out of training (``"canonical"``)
PROTOCOLS: tuple[str, ...] = ("canonical", "random")
#: what each split draws, as reports say it
DESCRIPTIONS: Mapping[str, str] = {
    "oracle": "each predictor draws its training architectures from an oracle that hides every canonical form of "
              "the test set",
    "distinct": "test rows of distinct canonical forms, then nested training sets of forms no test row has",
    "sampled": "test rows drawn at random from all rows, training rows from the rows of forms no test row has",
    "random": "test rows drawn at random from all rows, training rows from all the other rows: test architectures "
              "may be isomorphs of training ones, as in NASLib and the published NAS-Bench-201 encoders",
}
#: which rows a split draws from: rows with a recorded target, or only those where the proxy is recorded too
POOLS: tuple[str, ...] = ("all", "recorded")


@dataclass(frozen=True)
class Split:
    """The held-out test rows of one trial, its training rows per train size and the seed of its oracle."""

    rows: np.ndarray
    oracle_seed: int
    train: Mapping[int, np.ndarray] = field(default_factory=dict)

    @property
    def test(self) -> np.ndarray:
        return self.rows

    def archs(self, benchmark: Benchmark, rows: np.ndarray | None = None) -> list[Any]:
        """The architectures of ``rows`` (the test rows unless given)."""
        return [benchmark.archs[int(r)] for r in (self.rows if rows is None else rows)]


def protocol(split: str) -> str:
    """The protocol of ``split`` (``"oracle"`` or a strategy): ``"random"`` for the ``"random"`` split, where test
    architectures may be isomorphs of training ones, else ``"canonical"``."""
    return "random" if split == "random" else "canonical"


def pool_rows(benchmark: Benchmark, pool: str = "all", proxy: str | None = None) -> np.ndarray:
    """Rows with a recorded target (and, for ``pool="recorded"``, a recorded ``proxy``)."""
    if pool not in POOLS:
        raise InvalidInputError(f"pool must be one of {list(POOLS)}, got {pool!r}")
    ok = np.isfinite(benchmark.y)
    if pool == "recorded":
        column = f"proxy:{proxy}"
        if column not in benchmark.table.columns:
            raise InvalidInputError(
                f"pool 'recorded' keeps rows with proxy {proxy!r}; benchmark {benchmark.name!r} has none"
            )
        ok &= np.isfinite(benchmark.table[column].to_numpy(dtype=np.float64))
    return np.flatnonzero(ok)


def draw_split(
    codes: np.ndarray, rows: np.ndarray, test_size: int, train_sizes: Sequence[int] = (), seed: int = 0, *,
    strategy: str = "distinct",
) -> Split:
    """The one split function: ``test_size`` test rows of ``rows``, training rows for each of ``train_sizes``
    whose canonical class (``codes[row]``) no test row shares (any other row for ``"random"``), and the oracle
    seed, all seeded by ``seed``.

    ``"distinct"``: rows are visited in a random order and the first row of each not yet seen class is kept
    (every row is equally likely to come first), for the test set, then again over the rows left for the
    training sets, which are nested (the first ``n`` for train size ``n``); the oracle seed is drawn from the
    same stream last. ``"sampled"``: ``rng.choice`` without replacement, for the test rows then, from a fresh
    generator per train size that redraws the same test rows, for the training rows. ``"random"``: as
    ``"sampled"`` (the same test rows and oracle seed for one seed), the training rows drawn from every row that is
    not a test row, whatever its canonical class.
    """
    if strategy not in STRATEGIES:
        raise InvalidInputError(f"split strategy must be one of {list(STRATEGIES)}, got {strategy!r}")
    for n in (test_size, *train_sizes):
        if isinstance(n, bool) or int(n) != n or n < 1:
            raise InvalidInputError(f"test and train sizes must be positive integers, got {n!r}")
    rows = np.asarray(rows)
    rng = np.random.default_rng(seed)
    if strategy in ("sampled", "random"):
        test = rng.choice(rows, test_size, replace=False)
        oracle_seed = int(rng.integers(0, 2**31 - 1))
        rest = rows[~np.isin(rows, test)] if strategy == "random" else rows[~np.isin(codes[rows], codes[test])]
        if train_sizes and max(train_sizes) > len(rest):
            raise InvalidInputError(f"training set: {max(train_sizes)} architectures asked, {len(rest)} rows are "
                                    f"left beside the test set ({strategy!r} split)")
        train = {}
        for n in train_sizes:
            again = np.random.default_rng(seed)
            again.choice(rows, test_size, replace=False)
            train[int(n)] = again.choice(rest, n, replace=False)
        return _frozen(test, oracle_seed, train)

    def firsts(candidates: np.ndarray, n: int, what: str) -> np.ndarray:
        # the first occurrence of each class in the shuffled order
        _, first = np.unique(codes[candidates], return_index=True)
        if len(first) < n:
            raise InvalidInputError(f"{what}: {n} architectures asked, the pool holds {len(first)} canonical forms")
        return candidates[np.sort(first)[:n]]

    test = firsts(rng.permutation(rows), test_size, "test set")
    train = {}
    if train_sizes:
        rest = rows[~np.isin(codes[rows], codes[test])]
        order = firsts(rng.permutation(rest), max(train_sizes), "training set")
        train = {int(n): order[:n] for n in train_sizes}
    return _frozen(test, int(rng.integers(0, 2**31 - 1)), train)


def _frozen(test: np.ndarray, oracle_seed: int, train: dict[int, np.ndarray]) -> Split:
    for a in (test, *train.values()):
        a.setflags(write=False)
    return Split(rows=test, oracle_seed=oracle_seed, train=train)


@dataclass(frozen=True)
class FixedSplit:
    """A trial on a fixed split: test rows and training sets drawn by :func:`draw_split` from the trial seed
    (:meth:`seed`), the same for every predictor of the trial, which is fitted on the training rows (``fit``)
    instead of drawing them from an oracle. ``pool="recorded"`` keeps the rows where ``proxy`` is recorded."""

    train_sizes: tuple[int, ...]
    strategy: str = "distinct"
    pool: str = "all"
    proxy: str | None = None

    def seed(self, experiment_seed: int, trial: int) -> int:
        """The seed of trial ``trial``: :func:`trial_seed`, or ``experiment_seed + trial`` for the strategies of
        :data:`SEEDED_BY_NUMBER`."""
        if self.strategy in SEEDED_BY_NUMBER:
            trial_seed(experiment_seed, trial)  # the same checks of its arguments
            return int(experiment_seed) + int(trial)
        return trial_seed(experiment_seed, trial)

    def draw(self, benchmark: Benchmark, codes: np.ndarray, test_size: int, seed: int) -> Split:
        rows = pool_rows(benchmark, self.pool, self.proxy)
        return draw_split(codes, rows, test_size, self.train_sizes, seed, strategy=self.strategy)

    def to_dict(self) -> dict[str, Any]:
        return {"train_sizes": list(self.train_sizes), "strategy": self.strategy, "pool": self.pool,
                "proxy": self.proxy}


def split_info(
    benchmark: Benchmark, codes: np.ndarray, rows: np.ndarray, fidelity: int, metrics: Sequence[str],
    proxies: Sequence[str],
) -> ArchInfo:
    """Curves of ``metrics`` cut at ``fidelity`` (none for 0) and ``proxies`` of ``rows``."""
    curves = {}
    for metric in metrics if fidelity else ():
        c = benchmark.curves[metric]
        keep = c.epochs <= fidelity
        if not keep.any():
            raise InvalidInputError(
                f"benchmark {benchmark.name!r} records no {metric!r} at or before epoch {fidelity} "
                f"(recorded epochs start at {int(c.epochs[0])})"
            )
        values = c.values[np.ix_(rows, np.flatnonzero(keep))]
        curves[metric] = Curves(c.epochs[keep], values)
    table = benchmark.table
    values = {}
    for name in proxies:
        column = table[f"proxy:{name}"].to_numpy(dtype=np.float64)
        got = column[rows]
        for k in np.flatnonzero(~np.isfinite(got)):
            same = np.flatnonzero((codes == codes[rows[k]]) & np.isfinite(column))
            if not same.size:
                raise InvalidInputError(
                    f"benchmark {benchmark.name!r} records no proxy {name!r} for row {int(rows[k])} nor for any "
                    "row of the same canonical form"
                )
            got[k] = column[same[0]]
        values[name] = got
    return ArchInfo(space=benchmark.space, higher_is_better=benchmark.higher_is_better, target=benchmark.target,
                    curves=curves, proxies=values)
