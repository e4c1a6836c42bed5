"""The DARTS cell search space (Liu et al., 2019, "DARTS: Differentiable Architecture Search", ICLR),
as evaluated by NAS-Bench-301 (Siems et al., 2020, "NAS-Bench-301 and the Case for Surrogate
Benchmarks for Neural Architecture Search").

An architecture is a normal and a reduction cell. Each cell has two inputs (node 0 = c_{k-2},
node 1 = c_{k-1}) and four intermediate nodes 2..5; node ``j`` sums two operations applied to two
*different* earlier nodes, and the cell output concatenates nodes 2..5. The NB301 configuration
space enforces the distinct inputs (``inputs_node_normal_3`` takes ``0_1``, ``0_2``, ``1_2``, ...;
node 2 always reads nodes 0 and 1), and so do NASLib's sampler and mutation.

Text notations read by :meth:`DARTSSpace.parse`:

* NASLib's compact form ``"(((0, 3), (1, 4), ...), ((...), ...))"``: per cell 8 ``(input node,
  op index)`` pairs, two per intermediate node, ops indexed as in NASLib's
  ``nasbench301/conversions.py``: 0 max_pool_3x3, 1 avg_pool_3x3, 2 skip_connect, 3 sep_conv_3x3,
  4 sep_conv_5x5, 5 dil_conv_3x3, 6 dil_conv_5x5 (lists instead of tuples are read too);
* a DARTS ``Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5], reduce=[...],
  reduce_concat=[2, 3, 4, 5])`` string (``range(2, 6)`` is accepted for the concatenations).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from math import comb
from operator import index as as_index
from typing import Any, ClassVar

import numpy as np

from naspred.errors import InvalidArchitectureError
from naspred.spaces.base import LabeledDAG, SearchSpace

#: NASLib's op order for the compact form (``convert_genotype_to_compact``)
OPS: tuple[str, ...] = (
    "max_pool_3x3",
    "avg_pool_3x3",
    "skip_connect",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "dil_conv_3x3",
    "dil_conv_5x5",
)
NUM_NODES = 4  # intermediate nodes per cell
NUM_PAIRS = 2 * NUM_NODES
CONCAT = (2, 3, 4, 5)
CELLS = ("normal", "reduce")

_Cell = tuple[tuple[int, int], ...]


def _int(value: Any, what: str) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise InvalidArchitectureError(f"{what} is the boolean {value!r}; expected an integer")
    try:
        return as_index(value)
    except TypeError:
        raise InvalidArchitectureError(f"{what} is {value!r}; expected an integer") from None


def _check_cell(cell: Any, name: str) -> _Cell:
    """The cell as a tuple of 8 ``(input, op)`` int pairs, or a clear error."""
    if isinstance(cell, (str, bytes)) or not isinstance(cell, Sequence | np.ndarray):
        raise InvalidArchitectureError(
            f"{name} cell must be a sequence of {NUM_PAIRS} (input node, op index) pairs, got {type(cell).__name__}"
        )
    if len(cell) != NUM_PAIRS:
        raise InvalidArchitectureError(
            f"{name} cell has {len(cell)} (input node, op index) pairs; expected {NUM_PAIRS} "
            f"(2 for each of the {NUM_NODES} intermediate nodes)"
        )
    pairs = []
    for k, pair in enumerate(cell):
        node = k // 2 + 2
        where = f"{name} cell, pair {k} (node {node})"
        if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence | np.ndarray) or len(pair) != 2:
            raise InvalidArchitectureError(f"{where} is {pair!r}; expected an (input node, op index) pair")
        src = _int(pair[0], f"{where} input node")
        op = _int(pair[1], f"{where} op index")
        if not 0 <= src < node:
            raise InvalidArchitectureError(
                f"{where}: input node {src} is out of range; expected 0..{node - 1} (a cell input or an earlier node)"
            )
        if not 0 <= op < len(OPS):
            raise InvalidArchitectureError(
                f"{where}: op index {op} is out of range; expected 0..{len(OPS) - 1} ({', '.join(OPS)})"
            )
        pairs.append((src, op))
    for j in range(NUM_NODES):
        a, b = pairs[2 * j][0], pairs[2 * j + 1][0]
        if a == b:
            raise InvalidArchitectureError(
                f"{name} cell, node {j + 2}: both inputs are node {a}; the two inputs of a node must differ "
                "(DARTS / NAS-Bench-301)"
            )
    return tuple(pairs)


@dataclass(frozen=True)
class DARTSArch:
    """A DARTS / NAS-Bench-301 architecture in NASLib's compact form.

    ``normal`` and ``reduce`` each hold 8 ``(input node, op index)`` pairs; pairs ``2j`` and ``2j+1``
    feed intermediate node ``j + 2``. Invalid cells raise :class:`~naspred.errors.InvalidArchitectureError`.
    """

    #: the registry name of the space
    SPACE: ClassVar[str] = "darts"
    normal: _Cell
    reduce: _Cell

    def __post_init__(self) -> None:
        for name in CELLS:
            object.__setattr__(self, name, _check_cell(getattr(self, name), name))

    def cells(self) -> tuple[_Cell, _Cell]:
        return self.normal, self.reduce


def _canonical_cell(cell: _Cell) -> _Cell:
    """The smallest compact form over pair orders within a node and relabellings of nodes 2..5."""
    nodes = [(cell[2 * j], cell[2 * j + 1]) for j in range(NUM_NODES)]
    best: _Cell | None = None
    for perm in itertools.permutations(range(NUM_NODES)):
        relabel = {0: 0, 1: 1, **{j + 2: perm[j] + 2 for j in range(NUM_NODES)}}
        placed: list[list[tuple[int, int]] | None] = [None] * NUM_NODES
        for j, node_pairs in enumerate(nodes):
            new = perm[j]
            moved = sorted((relabel[src], op) for src, op in node_pairs)
            if moved[-1][0] >= new + 2:  # an input would come from a later node
                break
            placed[new] = moved
        else:
            key = tuple(p for node in placed for p in node)  # type: ignore[union-attr]
            if best is None or key < best:
                best = key
    assert best is not None  # the identity relabelling is always topological
    return best


def cell_graph(cell: _Cell) -> LabeledDAG:
    """NASLib's GCN graph of one cell (``nasbench301/encodings.py``, ``transform_matrix``): 11 nodes.

    Nodes 0 and 1 are the cell inputs, nodes ``2 + k`` the 8 operations (pair ``k``), node 10 the
    output. Operation ``k`` reads a cell input directly, or both operations of the intermediate node
    it reads; every operation feeds the output (the concatenation).
    """
    n = NUM_PAIRS + 3
    adj = np.zeros((n, n), dtype=np.int64)
    for k, (src, _) in enumerate(cell):
        if src < 2:
            adj[src, k + 2] = 1
        else:
            adj[2 * (src - 2) + 2, k + 2] = 1
            adj[2 * (src - 2) + 3, k + 2] = 1
    adj[2 : n - 1, n - 1] = 1
    ops = ("input", "input", *(OPS[op] for _, op in cell), "output")
    return LabeledDAG(adjacency=adj, node_ops=ops)


def _literal(node: ast.AST, what: str) -> Any:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
        try:
            return list(range(*(ast.literal_eval(a) for a in node.args)))
        except (ValueError, TypeError):
            raise InvalidArchitectureError(f"Genotype field {what}: unreadable range(...)") from None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError):
        raise InvalidArchitectureError(f"Genotype field {what} is not a literal list: {ast.unparse(node)}") from None


def _genotype_cell(pairs: Any, name: str) -> list[tuple[int, int]]:
    if not isinstance(pairs, (list, tuple)) or len(pairs) != NUM_PAIRS:
        n = len(pairs) if isinstance(pairs, (list, tuple)) else type(pairs).__name__
        raise InvalidArchitectureError(
            f"Genotype {name} has {n} (op, input) pairs; expected {NUM_PAIRS} (2 for each of {NUM_NODES} nodes)"
        )
    out = []
    for k, pair in enumerate(pairs):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise InvalidArchitectureError(f"Genotype {name} pair {k} is {pair!r}; expected ('op_name', input node)")
        op, src = pair
        if op not in OPS:
            raise InvalidArchitectureError(
                f"Genotype {name} pair {k}: unknown op {op!r}; expected one of {list(OPS)}"
            )
        out.append((src, OPS.index(op)))
    return out


def _parse_genotype(text: str) -> DARTSArch:
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise InvalidArchitectureError(f"unreadable Genotype string: {text!r}") from None
    if not (isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id == "Genotype"):
        raise InvalidArchitectureError(f"expected Genotype(normal=..., normal_concat=..., reduce=..., reduce_concat=...), got {text!r}")
    names = ("normal", "normal_concat", "reduce", "reduce_concat")
    fields: dict[str, ast.AST] = dict(zip(names, tree.args))
    for kw in tree.keywords:
        if kw.arg not in names:
            raise InvalidArchitectureError(f"Genotype has an unknown field {kw.arg!r}; expected {list(names)}")
        fields[kw.arg] = kw.value
    missing = [n for n in names if n not in fields]
    if missing:
        raise InvalidArchitectureError(f"Genotype lacks the fields {missing}")
    for name in ("normal_concat", "reduce_concat"):
        concat = _literal(fields[name], name)
        if list(concat) != list(CONCAT):
            raise InvalidArchitectureError(
                f"Genotype {name} is {concat!r}; the DARTS / NAS-Bench-301 space concatenates nodes {list(CONCAT)}"
            )
    normal = _genotype_cell(_literal(fields["normal"], "normal"), "normal")
    reduce = _genotype_cell(_literal(fields["reduce"], "reduce"), "reduce")
    return DARTSArch(tuple(normal), tuple(reduce))


def _parse_compact(text: str) -> DARTSArch:
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, TypeError, SyntaxError):
        raise InvalidArchitectureError(f"unreadable DARTS compact form: {text!r}") from None
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise InvalidArchitectureError(
            f"DARTS compact form must hold two cells (normal, reduce), got {text!r}"
        )
    return DARTSArch(value[0], value[1])


def format_genotype(arch: DARTSArch) -> str:
    """The DARTS ``Genotype(...)`` string of ``arch`` (as the namedtuple prints it)."""
    def cell(c: _Cell) -> str:
        return "[" + ", ".join(f"({OPS[op]!r}, {src})" for src, op in c) + "]"

    concat = list(CONCAT)
    return (
        f"Genotype(normal={cell(arch.normal)}, normal_concat={concat}, "
        f"reduce={cell(arch.reduce)}, reduce_concat={concat})"
    )


def _cell_count() -> int:
    """Distinct cells as NB301's configuration space counts them: node j picks a set of 2 of its
    j + 2 possible inputs and an op for each."""
    return int(np.prod([comb(j + 2, 2) * len(OPS) ** 2 for j in range(NUM_NODES)]))


class DARTSSpace(SearchSpace):
    """DARTS cells (Liu et al., 2019), the search space of NAS-Bench-301 (Siems et al., 2020)."""

    arch_type = DARTSArch
    description = "DARTS / NAS-Bench-301 architecture"

    def parse(self, text: str) -> DARTSArch:
        """Read NASLib's compact form or a DARTS ``Genotype(...)`` string."""
        s = self._text(text)
        if s[:1] in "([":
            return _parse_compact(s)
        if s.startswith("Genotype"):
            return _parse_genotype(s)
        raise InvalidArchitectureError(
            f"not a DARTS architecture: {text!r}; expected NASLib's compact form "
            "'(((0, 3), (1, 4), ...), (...))' or a 'Genotype(normal=[...], ...)' string"
        )

    def format(self, arch: DARTSArch) -> str:
        """NASLib's compact form: ``str`` of the two tuples of 8 ``(input, op)`` pairs."""
        arch = self.validate(arch)
        return str((arch.normal, arch.reduce))

    def sample(self, rng: np.random.Generator) -> DARTSArch:
        """As NB301's configuration space and NASLib draw: per node, 2 distinct inputs and 2 ops,
        each uniformly (so uniform over :attr:`size` configurations)."""
        cells = []
        for _ in CELLS:
            pairs = []
            for j in range(NUM_NODES):
                srcs = rng.choice(j + 2, size=2, replace=False)
                ops = rng.integers(0, len(OPS), size=2)
                pairs += [(int(srcs[0]), int(ops[0])), (int(srcs[1]), int(ops[1]))]
            cells.append(tuple(pairs))
        return DARTSArch(cells[0], cells[1])

    @staticmethod
    def _edits(arch: DARTSArch, c: int, k: int) -> list[DARTSArch]:
        """Every single change of pair ``k`` of cell ``c``: another op, or another input that is
        neither the current one nor the sibling pair's (NASLib's ``get_nbhd``)."""
        cells = [list(arch.normal), list(arch.reduce)]
        src, op = cells[c][k]
        sibling = cells[c][k ^ 1][0]
        changes = [(src, o) for o in range(len(OPS)) if o != op]
        changes += [(s, op) for s in range(k // 2 + 2) if s not in (src, sibling)]
        out = []
        for change in changes:
            new = [row[:] for row in cells]
            new[c][k] = change
            out.append(DARTSArch(tuple(new[0]), tuple(new[1])))
        return out

    def neighbours(self, arch: DARTSArch) -> list[DARTSArch]:
        """All architectures one NASLib edit away: change one op (6 choices) or one input."""
        arch = self.validate(arch)
        return [n for c in range(2) for k in range(NUM_PAIRS) for n in self._edits(arch, c, k)]

    def mutate(self, arch: DARTSArch, rng: np.random.Generator) -> DARTSArch:
        """NASLib-style: pick a cell and a pair, then change its op or its input (uniformly among
        the alternatives; node 2's inputs are fixed, so only its ops change)."""
        arch = self.validate(arch)
        c = int(rng.integers(2))
        k = int(rng.integers(NUM_PAIRS))
        cells = [list(arch.normal), list(arch.reduce)]
        src, op = cells[c][k]
        inputs = [s for s in range(k // 2 + 2) if s not in (src, cells[c][k ^ 1][0])]
        if inputs and rng.random() < 0.5:
            cells[c][k] = (int(rng.choice(inputs)), op)
        else:
            cells[c][k] = (src, int(rng.choice([o for o in range(len(OPS)) if o != op])))
        return DARTSArch(tuple(cells[0]), tuple(cells[1]))

    def canonical(self, arch: DARTSArch) -> DARTSArch:
        """The representative of ``arch`` up to the identities below, per cell.

        Identified: the order of the two pairs of a node (they are summed), and any relabelling of
        intermediate nodes 2..5 that keeps every input earlier than its node (the output concatenates
        all four nodes; the next cell's 1x1 preprocessing convolution absorbs the channel
        permutation). The representative is the lexicographically smallest compact cell; the two cell
        inputs c_{k-2} and c_{k-1} are not interchangeable and the cells are not swapped.
        """
        arch = self.validate(arch)
        return DARTSArch(_canonical_cell(arch.normal), _canonical_cell(arch.reduce))

    def to_graph(self, arch: DARTSArch) -> LabeledDAG:
        """NASLib's GCN form: the 11-node graph of the normal cell then that of the reduction cell
        (22 nodes, block-diagonal, as ``encode_gcn`` concatenates them); node 0 is the normal cell's
        first input, node 21 the reduction cell's output."""
        arch = self.validate(arch)
        graphs = [cell_graph(c) for c in arch.cells()]
        m = graphs[0].adjacency.shape[0]
        adj = np.zeros((2 * m, 2 * m), dtype=np.int64)
        adj[:m, :m] = graphs[0].adjacency
        adj[m:, m:] = graphs[1].adjacency
        return LabeledDAG(adjacency=adj, node_ops=graphs[0].node_ops + graphs[1].node_ops)

    @property
    def size(self) -> int:
        """(1·3·6·10 · 7^8)^2 ≈ 1.08e18 configurations (NB301: "10^18 architectures"), counting the two
        inputs of a node as a set; isomorphic cells are counted separately."""
        return _cell_count() ** 2
