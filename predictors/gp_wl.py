"""GP-WL (NAS-BOWL): a Gaussian process whose kernel is the Weisfeiler-Lehman subtree kernel of the cell graph.

Ru, Wan, Dong and Osborne, "Interpretable Neural Architecture Search via Bayesian Optimisation with
Weisfeiler-Lehman Kernels" (ICLR 2021), as NASLib's ``GPWLPredictor`` (``naslib/predictors/gp/gpwl.py`` and
``gpwl_utils/``) runs it in White et al.'s evaluation of predictors (``kernel_type="wloa"``, ``h="auto"``,
``optimize_gp_hyper=True``):

* **Graphs.** An architecture is its node-labelled DAG, ``space.to_graph`` (a DARTS genotype: its normal and its
  reduction cell, whose kernels are averaged, as NASLib does). With ``prune`` (NASLib's reading of
  NAS-Bench-201 cells, ``convert_n201_arch_to_graph``, and of DARTS cells): nodes of operations that pass their
  input on unchanged (skip connections, as the space's roles say) are contracted, their predecessors feeding
  their successors; nodes of zero operations are removed; then, until none is left, operation nodes that
  nothing feeds or that feed nothing. The input and output nodes stay: every cell whose input does not reach
  its output is the same graph of two unconnected nodes (NASLib empties such a graph and predicts 0 for it).
* **Features.** WL iteration 0 labels each node by its operation; iteration ``i`` relabels it by its label and
  the sorted labels of its successors at ``i - 1`` (grakel's WL on the edge dictionary of a directed graph, as
  NASLib builds it). A graph's features at iteration ``i`` count its nodes of each label.
* **Kernel.** ``"wl"``: the dot product of the count vectors (Shervashidze et al., JMLR 2011); ``"wloa"``: the
  WL optimal-assignment kernel (Kriege, Giscard and Wilson, NeurIPS 2016), the sum over labels of the smaller of
  the two counts, computed as the dot product of the indicators "count >= t". The kernels of iterations
  ``0..h`` are summed and, with ``normalize``, divided by ``sqrt(k(a, a) k(b, b))``. The counts are sparse
  matrices, one row per graph; labels met only at prediction count towards ``k(a, a)`` alone.
* **GP.** Zero mean on standardised targets, homoscedastic noise of variance in ``[min_noise, max_noise]``
  (NASLib: ``1e-7`` and ``0.1``). NASLib picks ``h`` in ``0..max_h`` by the marginal likelihood at noise
  ``1e-3`` and then fits the noise by 200 Adam steps; here each ``h`` gets the noise that maximises its
  marginal likelihood (exactly, in the eigenbasis of its kernel matrix) and the pair with the highest marginal
  likelihood is kept. The predictive standard deviation includes the noise, as NASLib's.

NASLib fits the GP to ``log(1 - accuracy / 100)``; here the targets are only standardised, because the target
may be a loss or on another scale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from naspred.errors import InvalidInputError
from naspred.featurizers.encoder import space_kind
from naspred.params import AnyOf, Boolean, Int, Options, Real, param
from naspred.predictors.base import Predictor
from naspred.predictors.info import ArchInfo
from naspred.predictors.standardised import TargetScaler
from naspred.spaces.base import LabeledDAG, SearchSpace
from naspred.spaces.cells import EDGES, IDENTITY, ZERO
from scipy import sparse
from scipy.optimize import minimize_scalar

KERNELS = ("wloa", "wl")
#: roles of a graph node when pruning: kept, contracted (an identity) or removed (a zero operation)
KEEP = "keep"
#: operations that pass their input on unchanged in spaces without a role table (cell spaces have one)
IDENTITY_OPS = {"darts": frozenset({"skip_connect"}), "nbgraph": frozenset({"skip"})}
#: labels of the nodes that pruning keeps
INPUT, OUTPUT = "input", "output"


@dataclass(frozen=True)
class WLGraph:
    """A graph as the WL kernel reads it: the successors and the label of each node."""

    successors: tuple[tuple[int, ...], ...]
    labels: tuple[str, ...]


def graph_parts(space: SearchSpace, arch: Any) -> list[LabeledDAG]:
    """The graphs of ``arch`` whose kernels are averaged: the two cells of a DARTS genotype, else one graph."""
    if space_kind(space) == "darts":
        from naspred.spaces.darts import cell_graph

        return [cell_graph(cell) for cell in arch.cells()]
    return [space.to_graph(arch)]


def node_roles(space: SearchSpace, dag: LabeledDAG) -> list[str]:
    """Per node: :data:`KEEP`, ``IDENTITY`` (contracted) or ``ZERO`` (removed), as the space says."""
    kind = space_kind(space)
    if kind != "cell":
        identity = IDENTITY_OPS.get(kind, frozenset())
        return [IDENTITY if op in identity else KEEP for op in dag.node_ops]
    roles = [KEEP]
    for (source, _), op in zip(EDGES, dag.node_ops[1:-1], strict=True):
        role = space.roles[op]  # type: ignore[attr-defined]
        if role == IDENTITY and source == 0 and not space.identity_from_input:  # type: ignore[attr-defined]
            role = KEEP
        roles.append(role if role in (IDENTITY, ZERO) else KEEP)
    return [*roles, KEEP]


def prune(dag: LabeledDAG, roles: Sequence[str]) -> WLGraph:
    """``dag`` with identities contracted, zero operations removed, then dangling nodes removed."""
    adj = np.asarray(dag.adjacency) != 0
    labels = dag.node_ops
    alive = np.ones(len(labels), dtype=bool)

    def drop(v: int) -> None:
        adj[v, :] = False
        adj[:, v] = False
        alive[v] = False

    for v, role in enumerate(roles):  # topological order: a contracted node's predecessors are alive
        if role == IDENTITY:
            adj[np.ix_(adj[:, v], adj[v, :])] = True
        if role in (IDENTITY, ZERO):
            drop(v)
    changed = True
    while changed:
        changed = False
        for v in np.flatnonzero(alive):
            if labels[v] not in (INPUT, OUTPUT) and not (adj[:, v].any() and adj[v, :].any()):
                drop(int(v))
                changed = True
    return as_wl_graph(adj, labels, alive)


def as_wl_graph(adjacency: np.ndarray, labels: Sequence[str], alive: np.ndarray | None = None) -> WLGraph:
    """The nodes of ``adjacency`` flagged ``alive`` (all by default), renumbered in order."""
    keep = np.flatnonzero(np.ones(len(labels), dtype=bool) if alive is None else alive)
    sub = np.asarray(adjacency)[np.ix_(keep, keep)] != 0
    return WLGraph(tuple(tuple(int(u) for u in np.flatnonzero(row)) for row in sub), tuple(labels[i] for i in keep))


def wl_labels(graph: WLGraph, depth: int, vocabulary: dict[Any, int], unseen: dict[Any, int] | None) -> list[list[int]]:
    """Label ids of the nodes at WL iterations ``0..depth``.

    Labels are looked up in ``vocabulary``; with ``unseen`` None a new label is added to it (fit), else it gets
    a negative id from ``unseen`` (predict), which no training graph shares.
    """

    def lookup(key: Any) -> int:
        found = vocabulary.get(key)
        if found is not None:
            return found
        if unseen is None:
            vocabulary[key] = len(vocabulary)
            return vocabulary[key]
        return unseen.setdefault(key, -1 - len(unseen))

    current = [lookup((0, label)) for label in graph.labels]
    out = [current]
    for i in range(1, depth + 1):
        current = [
            lookup((i, current[v], tuple(sorted(current[u] for u in graph.successors[v]))))
            for v in range(len(current))
        ]
        out.append(current)
    return out


@dataclass(frozen=True)
class WLFeatures:
    """Per WL iteration: the feature matrix of the graphs on the training labels, and ``k(a, a)`` of each."""

    matrices: tuple[sparse.csr_matrix, ...]
    diagonals: tuple[np.ndarray, ...]


@dataclass
class WLBasis:
    """The label vocabulary of the training graphs (one part of each architecture) and how counts become
    feature columns: counts for ``"wl"``, indicators of "count >= t" (``t <= max_count``) for ``"wloa"``."""

    kernel: str
    depth: int
    vocabulary: dict[Any, int]
    max_count: int = 1

    def features(self, graphs: Sequence[WLGraph], fit: bool = False) -> WLFeatures:
        """The features of ``graphs``; with ``fit`` their labels extend the vocabulary (training graphs)."""
        unseen: dict[Any, int] | None = None if fit else {}
        labels = [wl_labels(g, self.depth, self.vocabulary, unseen) for g in graphs]
        if fit:
            self.max_count = max([1] + [len(g.labels) for g in graphs])
        matrices, diagonals = [], []
        for i in range(self.depth + 1):
            rows, cols, vals, diag = [], [], [], np.zeros(len(graphs))
            for r, per_iteration in enumerate(labels):
                ids, counts = np.unique(per_iteration[i], return_counts=True)
                diag[r] = counts.sum() if self.kernel == "wloa" else float((counts**2).sum())
                known = ids >= 0
                ids, counts = ids[known], counts[known]
                if self.kernel == "wloa":
                    counts = np.minimum(counts, self.max_count)
                    ids = np.repeat(ids * self.max_count, counts) + np.concatenate(
                        [np.arange(c) for c in counts] or [np.zeros(0, dtype=np.int64)]
                    )
                    counts = np.ones(len(ids))
                rows.append(np.full(len(ids), r))
                cols.append(ids)
                vals.append(counts)
            width = len(self.vocabulary) * (self.max_count if self.kernel == "wloa" else 1)
            matrix = sparse.csr_matrix(
                (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(len(graphs), width)
            )
            matrices.append(matrix)
            diagonals.append(diag)
        return WLFeatures(tuple(matrices), tuple(diagonals))


def cross_kernels(a: WLFeatures, b: WLFeatures) -> list[np.ndarray]:
    """The kernel matrix between the graphs of ``a`` (rows) and of ``b`` (columns) at each WL iteration."""
    return [np.asarray((ma @ mb.T).todense(), dtype=np.float64) for ma, mb in zip(a.matrices, b.matrices, strict=True)]


def summed(kernels: Sequence[np.ndarray], rows: Sequence[np.ndarray], cols: Sequence[np.ndarray], h: int,
           normalize: bool) -> tuple[np.ndarray, np.ndarray]:
    """The kernel of iterations ``0..h`` (normalised by its diagonals where asked) and ``k(a, a)`` of the rows."""
    k = np.sum(kernels[: h + 1], axis=0)
    d_rows = np.sum(rows[: h + 1], axis=0)
    if not normalize:
        return k, d_rows
    d_cols = np.sum(cols[: h + 1], axis=0)
    return k / np.sqrt(np.outer(d_rows, d_cols)), np.ones_like(d_rows)


def best_noise(eigenvalues: np.ndarray, projected: np.ndarray, low: float, high: float) -> tuple[float, float]:
    """The noise variance in ``[low, high]`` that maximises the GP marginal likelihood of targets whose
    coordinates in the kernel's eigenbasis are ``projected``; returns it and the negative log likelihood."""
    squared = projected**2
    n = len(eigenvalues)

    def nll(log_noise: float) -> float:
        s = eigenvalues + math.exp(log_noise)
        return float(0.5 * (squared / s).sum() + 0.5 * np.log(s).sum() + 0.5 * n * math.log(2.0 * math.pi))

    bounds = (math.log(low), math.log(high))
    found = minimize_scalar(nll, bounds=bounds, method="bounded", options={"xatol": 1e-4})
    candidates = [(nll(b), b) for b in bounds] + [(float(found.fun), float(found.x))]
    value, log_noise = min(candidates)
    return min(max(math.exp(log_noise), low), high), value


class GPWL(Predictor):
    """GP-WL (Ru et al., ICLR 2021): a Gaussian process with the Weisfeiler-Lehman kernel on the cell graph.

    Defaults follow NASLib's predictor evaluation (``wloa``, ``h`` chosen in ``0..3`` by the marginal likelihood,
    noise variance in ``[1e-7, 0.1]``); the module docstring says how graphs, features, kernel and GP are built.

    Parameters
    ----------
    h : int or "auto"
        WL iterations (>= 0), or ``"auto"``: the one in ``0..max_h`` of highest marginal likelihood.
    max_h : int
        The most iterations tried by ``h="auto"`` (0 to 10).
    kernel : {"wloa", "wl"}
        Optimal-assignment (histogram intersection) or dot-product base kernel of each iteration.
    normalize : bool
        Divide the summed kernel by ``sqrt(k(a, a) k(b, b))``.
    prune : bool
        Contract identities and remove zero operations and dangling nodes before counting labels.
    min_noise, max_noise : float
        Bounds of the noise variance of the standardised targets (> 0, ``min_noise < max_noise``).
    """

    uncertainty = True
    h: int | str = param("auto", AnyOf(Int(0, 10), Options(("auto",))))
    max_h: int = param(3, Int(0, 10))
    kernel: str = param("wloa", Options(KERNELS))
    normalize: bool = param(True, Boolean())
    prune: bool = param(True, Boolean())
    min_noise: float = param(1e-7, Real(0.0, closed="neither"))
    max_noise: float = param(0.1, Real(0.0, closed="neither"))

    def validate_params(self) -> None:
        super().validate_params()
        if self.min_noise >= self.max_noise:
            raise InvalidInputError(
                f"GPWL: min_noise ({self.min_noise:g}) must be below max_noise ({self.max_noise:g})"
            )

    def _graphs(self, archs: list[Any], space: SearchSpace) -> list[list[WLGraph]]:
        """Per part (one, or a DARTS genotype's two cells), the WL graph of each architecture."""
        parts = [graph_parts(space, a) for a in archs]
        out = []
        for p in range(len(parts[0])):
            dags = [per_arch[p] for per_arch in parts]
            if self.prune:
                out.append([prune(d, node_roles(space, d)) for d in dags])
            else:
                out.append([as_wl_graph(d.adjacency, d.node_ops) for d in dags])
        return out

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        depth = self.max_h if self.h == "auto" else int(self.h)
        self.scaler_ = TargetScaler.fit(y)
        z = self.scaler_.transform(y)
        self.bases_, self.train_features_ = [], []
        per_part = []
        for graphs in self._graphs(archs, info.space):
            basis = WLBasis(self.kernel, depth, {})
            features = basis.features(graphs, fit=True)
            self.bases_.append(basis)
            self.train_features_.append(features)
            per_part.append((cross_kernels(features, features), features.diagonals))
        best = None
        for h in range(depth + 1) if self.h == "auto" else (depth,):
            k = np.mean([summed(kernels, diag, diag, h, self.normalize)[0] for kernels, diag in per_part], axis=0)
            eigenvalues, eigenvectors = np.linalg.eigh(k)
            eigenvalues = np.clip(eigenvalues, 0.0, None)
            projected = eigenvectors.T @ z
            noise, nll = best_noise(eigenvalues, projected, self.min_noise, self.max_noise)
            if best is None or nll < best[0]:
                best = (nll, h, noise, eigenvalues, eigenvectors, projected)
        nll, self.h_, self.noise_, self.eigenvalues_, self.eigenvectors_, projected = best  # type: ignore[misc]
        self.log_marginal_likelihood_ = -nll
        self.weights_ = self.eigenvectors_ @ (projected / (self.eigenvalues_ + self.noise_))

    def _kernel_to_training(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray]:
        """Kernel between ``archs`` (rows) and the training architectures, and ``k(a, a)`` of ``archs``."""
        rows, diagonals = [], []
        for basis, train, graphs in zip(self.bases_, self.train_features_, self._graphs(archs, info.space),
                                        strict=True):
            features = basis.features(graphs)
            k, diag = summed(cross_kernels(features, train), features.diagonals, train.diagonals, self.h_,
                             self.normalize)
            rows.append(k)
            diagonals.append(diag)
        return np.mean(rows, axis=0), np.mean(diagonals, axis=0)

    def _predict_dist(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray]:
        k, prior = self._kernel_to_training(archs, info)
        mean = k @ self.weights_
        reduction = ((k @ self.eigenvectors_) ** 2 / (self.eigenvalues_ + self.noise_)).sum(axis=1)
        variance = np.maximum(prior + self.noise_ - reduction, self.noise_)
        return self.scaler_.inverse_mean(mean), self.scaler_.inverse_std(np.sqrt(variance))

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        k, _ = self._kernel_to_training(archs, info)
        return self.scaler_.inverse_mean(k @ self.weights_)
