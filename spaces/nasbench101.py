"""The NAS-Bench-101 cell search space (Ying et al., 2019, "NAS-Bench-101: Towards Reproducible
Neural Architecture Search", ICML).

A cell is a DAG of at most 7 vertices and at most 9 edges, given by an upper-triangular adjacency
matrix; the first vertex is ``"input"``, the last ``"output"``, every interior vertex one of
``conv3x3-bn-relu``, ``conv1x1-bn-relu``, ``maxpool3x3``. As in the ``nasbench`` library's
``ModelSpec``, vertices that are not on a path from input to output are pruned before the limits
are checked, and cells are identified by the library's isomorphism-invariant graph hash.

Text notations read by :meth:`NB101Space.parse`:

* ``{"matrix": [[0, 1], [0, 0]], "ops": ["input", "output"]}`` (JSON; written by ``format``);
* the NASLib / NAS-Bench-Suite-Zero key ``"(m00, m01, ..., m66, o0, ..., o6)"``: the flattened
  ``n x n`` matrix followed by ``n`` operation codes in NASLib's order ``input=0, output=1,
  maxpool3x3=2, conv1x1-bn-relu=3, conv3x3-bn-relu=4`` (``conversions.convert_spec_to_tuple``).
  The keys of ``zc_nasbench101.json`` are 7 x 7 and *unpruned* (the raw matrices NASLib sampled), so
  two keys may denote the same cell; join them on :func:`module_hash`, not on the key text.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import index as as_index
from typing import Any, ClassVar

import numpy as np

from naspred.errors import InvalidArchitectureError
from naspred.spaces.base import LabeledDAG, SearchSpace

INPUT = "input"
OUTPUT = "output"
CONV3X3 = "conv3x3-bn-relu"
CONV1X1 = "conv1x1-bn-relu"
MAXPOOL3X3 = "maxpool3x3"
#: interior operations in the order of the nasbench library's ``config['available_ops']``; the
#: graph hash labels them 0, 1, 2 in this order (input -1, output -2)
OPS: tuple[str, ...] = (CONV3X3, CONV1X1, MAXPOOL3X3)
#: NASLib's operation codes for the tuple key (``naslib/search_spaces/nasbench101/conversions.py``)
NASLIB_OPS: tuple[str, ...] = (INPUT, OUTPUT, MAXPOOL3X3, CONV1X1, CONV3X3)
MAX_VERTICES = 7
MAX_EDGES = 9
#: unique cells, "423,624 unique neural networks" (Ying et al. 2019; google-research/nasbench README)
NUM_CELLS = 423_624

_Matrix = tuple[tuple[int, ...], ...]


def _bit(value: Any, where: str) -> int:
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    try:
        v = as_index(value)
    except TypeError:
        if isinstance(value, (float, np.floating)) and float(value) in (0.0, 1.0):
            return int(value)
        raise InvalidArchitectureError(
            f"adjacency entry {where} is {value!r}; expected 0 or 1"
        ) from None
    if v not in (0, 1):
        raise InvalidArchitectureError(f"adjacency entry {where} is {v}; expected 0 or 1")
    return v


def _as_matrix(matrix: Any) -> list[list[int]]:
    """A square 0/1 upper-triangular matrix as lists, or a clear error."""
    if isinstance(matrix, (str, bytes)):
        raise InvalidArchitectureError(f"adjacency matrix must be a square 0/1 array, got the string {matrix!r}")
    try:
        rows = [list(row) for row in matrix]
    except TypeError:
        raise InvalidArchitectureError(
            f"adjacency matrix must be a square 0/1 array, got {type(matrix).__name__}"
        ) from None
    n = len(rows)
    if n < 2:
        raise InvalidArchitectureError(
            f"adjacency matrix has {n} vertices; a cell needs at least the input and output vertices"
        )
    for i, row in enumerate(rows):
        if len(row) != n:
            raise InvalidArchitectureError(
                f"adjacency matrix is not square: row {i} has {len(row)} entries, expected {n}"
            )
    out = [[_bit(rows[i][j], f"({i}, {j})") for j in range(n)] for i in range(n)]
    for i in range(n):
        for j in range(i + 1):
            if out[i][j]:
                raise InvalidArchitectureError(
                    f"adjacency matrix is not strictly upper-triangular: entry ({i}, {j}) is 1; "
                    "NAS-Bench-101 cells are DAGs in topological order (edges i -> j need i < j)"
                )
    return out


def _as_ops(ops: Any, n: int) -> list[str]:
    if isinstance(ops, (str, bytes)):
        raise InvalidArchitectureError(f"ops must be a sequence of operation names, got the string {ops!r}")
    try:
        names = list(ops)
    except TypeError:
        raise InvalidArchitectureError(f"ops must be a sequence of operation names, got {type(ops).__name__}") from None
    if len(names) != n:
        raise InvalidArchitectureError(f"{len(names)} ops for a {n}-vertex matrix; expected one op per vertex")
    if names[0] != INPUT:
        raise InvalidArchitectureError(f"first op is {names[0]!r}; expected {INPUT!r}")
    if names[-1] != OUTPUT:
        raise InvalidArchitectureError(f"last op is {names[-1]!r}; expected {OUTPUT!r}")
    for i, name in enumerate(names[1:-1], start=1):
        if name not in OPS:
            raise InvalidArchitectureError(f"unknown op {name!r} at vertex {i}; expected one of {list(OPS)}")
    return [str(x) for x in names]


def _prune(matrix: list[list[int]], ops: list[str]) -> tuple[list[list[int]], list[str]] | None:
    """Keep the vertices on an input -> output path (as ``ModelSpec._prune``); None if disconnected."""
    n = len(matrix)
    from_input = {0}
    for v in range(1, n):
        if any(matrix[u][v] for u in from_input if u < v):
            from_input.add(v)
    to_output = {n - 1}
    for v in range(n - 2, -1, -1):
        if any(matrix[v][w] for w in to_output if w > v):
            to_output.add(v)
    keep = sorted(from_input & to_output)
    if 0 not in keep or n - 1 not in keep:
        return None
    if len(keep) == n:
        return matrix, ops
    return [[matrix[i][j] for j in keep] for i in keep], [ops[i] for i in keep]


def _limits_error(matrix: list[list[int]]) -> str | None:
    n = len(matrix)
    if n > MAX_VERTICES:
        return f"the pruned cell has {n} vertices; NAS-Bench-101 allows at most {MAX_VERTICES}"
    edges = sum(map(sum, matrix))
    if edges > MAX_EDGES:
        return f"the pruned cell has {edges} edges; NAS-Bench-101 allows at most {MAX_EDGES}"
    return None


def _freeze(matrix: list[list[int]]) -> _Matrix:
    return tuple(tuple(row) for row in matrix)


@dataclass(frozen=True)
class NB101Arch:
    """A NAS-Bench-101 cell, stored pruned: specs that prune to the same cell compare equal.

    Construct from any square upper-triangular 0/1 ``matrix`` (lists, tuples or an array) and its
    ``ops`` (``"input"``, interior ops, ``"output"``); vertices off every input -> output path are
    removed, then the 7-vertex / 9-edge limits are checked. Invalid cells raise
    :class:`~naspred.errors.InvalidArchitectureError`.
    """

    #: the registry name of the space
    SPACE: ClassVar[str] = "nb101"
    matrix: _Matrix
    ops: tuple[str, ...]

    def __post_init__(self) -> None:
        matrix = _as_matrix(self.matrix)
        ops = _as_ops(self.ops, len(matrix))
        pruned = _prune(matrix, ops)
        if pruned is None:
            raise InvalidArchitectureError("the input vertex is not connected to the output vertex")
        problem = _limits_error(pruned[0])
        if problem:
            raise InvalidArchitectureError(problem)
        object.__setattr__(self, "matrix", _freeze(pruned[0]))
        object.__setattr__(self, "ops", tuple(pruned[1]))

    @property
    def num_vertices(self) -> int:
        return len(self.ops)

    @property
    def num_edges(self) -> int:
        return sum(map(sum, self.matrix))


def _try_arch(matrix: list[list[int]], ops: list[str]) -> NB101Arch | None:
    """The pruned cell of an already well-formed spec, or None where it is outside the space."""
    pruned = _prune(matrix, ops)
    if pruned is None or _limits_error(pruned[0]) is not None:
        return None
    arch = object.__new__(NB101Arch)
    object.__setattr__(arch, "matrix", _freeze(pruned[0]))
    object.__setattr__(arch, "ops", tuple(pruned[1]))
    return arch


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def graph_hash(matrix: Sequence[Sequence[int]], labels: Sequence[int]) -> str:
    """The nasbench library's isomorphism-invariant MD5 hash of a labelled DAG (``graph_util.hash_module``).

    Each vertex starts from the MD5 of ``str((out_degree, in_degree, label))``; then, as many times as
    there are vertices, its hash becomes the MD5 of its in-neighbours' hashes (sorted, concatenated),
    ``"|"``, its out-neighbours' hashes (sorted, concatenated), ``"|"`` and its own hash. The graph hash
    is the MD5 of ``str`` of the sorted vertex hashes (a Weisfeiler-Lehman-style refinement).
    """
    n = len(matrix)
    preds = [[u for u in range(n) if matrix[u][v]] for v in range(n)]
    succs = [[w for w in range(n) if matrix[v][w]] for v in range(n)]
    hashes = [_md5(str((len(succs[v]), len(preds[v]), int(labels[v])))) for v in range(n)]
    for _ in range(n):
        hashes = [
            _md5(
                "".join(sorted(hashes[u] for u in preds[v]))
                + "|"
                + "".join(sorted(hashes[w] for w in succs[v]))
                + "|"
                + hashes[v]
            )
            for v in range(n)
        ]
    return _md5(str(sorted(hashes)))


def module_hash(arch: NB101Arch) -> str:
    """The NAS-Bench-101 module hash of ``arch`` (``ModelSpec.hash_spec``): the key of the nasbench files."""
    labels = [-1] + [OPS.index(op) for op in arch.ops[1:-1]] + [-2]
    return graph_hash(arch.matrix, labels)


def padded(arch: NB101Arch) -> tuple[np.ndarray, list[str]]:
    """The 7 x 7 form NASLib's encodings read (``NasBench101SearchSpace.convert_to_cell``).

    A cell with ``n < 7`` vertices keeps its first ``n - 1`` vertices in place, moves its output to
    vertex 6 (the output column moves with it) and fills vertices ``n - 1 .. 5`` with disconnected
    ``conv3x3-bn-relu`` vertices, i.e. the padding is inserted just before the output.
    """
    n = arch.num_vertices
    matrix = np.zeros((MAX_VERTICES, MAX_VERTICES), dtype=np.int64)
    src = np.asarray(arch.matrix, dtype=np.int64)
    matrix[: n - 1, : n - 1] = src[: n - 1, : n - 1]
    matrix[: n - 1, MAX_VERTICES - 1] = src[: n - 1, n - 1]
    ops = list(arch.ops[: n - 1]) + [CONV3X3] * (MAX_VERTICES - n) + [OUTPUT]
    return matrix, ops


def naslib_key(arch: NB101Arch) -> str:
    """NASLib's tuple key of the padded cell, as ``str(get_hash())`` writes it."""
    matrix, ops = padded(arch)
    values = [int(v) for v in matrix.flatten()] + [NASLIB_OPS.index(op) for op in ops]
    return str(tuple(values))


def _parse_naslib_key(text: str) -> NB101Arch:
    body = text.strip()[1:-1]
    try:
        values = [int(tok) for tok in body.replace(" ", "").split(",") if tok != ""]
    except ValueError:
        raise InvalidArchitectureError(
            f"NASLib NAS-Bench-101 key {text!r} holds a non-integer; expected n*n adjacency bits then n op codes"
        ) from None
    n = int(round((-1 + (1 + 4 * len(values)) ** 0.5) / 2))
    if n < 2 or n * n + n != len(values):
        raise InvalidArchitectureError(
            f"NASLib NAS-Bench-101 key has {len(values)} integers; expected n*n + n (56 for 7 vertices)"
        )
    codes = values[n * n :]
    bad = [c for c in codes if not 0 <= c < len(NASLIB_OPS)]
    if bad:
        raise InvalidArchitectureError(
            f"NASLib op code {bad[0]} in {text!r}; expected 0..4 ({', '.join(f'{i}={o}' for i, o in enumerate(NASLIB_OPS))})"
        )
    matrix = [values[i * n : (i + 1) * n] for i in range(n)]
    return NB101Arch(matrix, [NASLIB_OPS[c] for c in codes])


def _parse_json(text: str) -> NB101Arch:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidArchitectureError(f"NAS-Bench-101 JSON notation is not valid JSON ({err.msg}): {text!r}") from None
    if not isinstance(obj, dict) or set(obj) != {"matrix", "ops"}:
        got = sorted(obj) if isinstance(obj, dict) else type(obj).__name__
        raise InvalidArchitectureError(f'NAS-Bench-101 JSON notation needs exactly the keys "matrix" and "ops", got {got}')
    return NB101Arch(obj["matrix"], obj["ops"])


class NB101Space(SearchSpace):
    """NAS-Bench-101 (Ying et al., 2019): cells of at most 7 vertices and 9 edges, 3 interior ops."""

    arch_type = NB101Arch
    description = "NAS-Bench-101 cell"

    def parse(self, text: str) -> NB101Arch:
        """Read the JSON notation or the NASLib / NAS-Bench-Suite-Zero tuple key."""
        s = self._text(text)
        if s.startswith("{"):
            return _parse_json(s)
        if s[:1] in "([" and s[-1:] in ")]":
            return _parse_naslib_key(s)
        if len(s) == 32 and all(c in "0123456789abcdef" for c in s):
            raise InvalidArchitectureError(
                f"{s!r} is a NAS-Bench-101 module hash; a cell cannot be rebuilt from its hash without the "
                "benchmark data. Expected the JSON notation or a NASLib tuple key"
            )
        raise InvalidArchitectureError(
            f"not a NAS-Bench-101 cell: {text!r}; expected "
            '\'{"matrix": [[0, 1], [0, 0]], "ops": ["input", "output"]}\' or a NASLib key "(0, 1, ..., 0, 1)"'
        )

    def format(self, arch: NB101Arch) -> str:
        """The JSON notation of the pruned cell."""
        arch = self.validate(arch)
        return json.dumps({"matrix": [list(r) for r in arch.matrix], "ops": list(arch.ops)})

    def sample(self, rng: np.random.Generator) -> NB101Arch:
        """The NB101 paper's random cell: each of the 21 upper-triangular bits and each interior op
        drawn uniformly, redrawn until the pruned cell is in the space.

        This is uniform over valid 7-vertex specs before pruning (as NAS-Bench-101's and NASLib's
        random search draw), not uniform over the 423,624 unique cells.
        """
        while True:
            bits = rng.integers(0, 2, size=(MAX_VERTICES, MAX_VERTICES))
            matrix = np.triu(bits, 1).tolist()
            ops = [INPUT] + [OPS[i] for i in rng.integers(0, len(OPS), size=MAX_VERTICES - 2)] + [OUTPUT]
            arch = _try_arch(matrix, ops)
            if arch is not None:
                return arch

    def neighbours(self, arch: NB101Arch) -> list[NB101Arch]:
        """Cells one edit of the padded 7-vertex form away: flip one edge or change one interior op.

        Edits that prune back to ``arch`` or leave the space are dropped. The 2-vertex cell (input ->
        output) has no such neighbour; its neighbours are the three 3-vertex cells that keep the
        input -> output edge and add one vertex on a new input -> vertex -> output path.
        """
        arch = self.validate(arch)
        matrix, ops = padded(arch)
        base = matrix.tolist()
        seen: dict[NB101Arch, None] = {}
        for i, j in itertools.combinations(range(MAX_VERTICES), 2):
            cand = [row[:] for row in base]
            cand[i][j] = 1 - cand[i][j]
            new = _try_arch(cand, ops)
            if new is not None and new != arch:
                seen.setdefault(new)
        for v in range(1, MAX_VERTICES - 1):
            for op in OPS:
                if op != ops[v]:
                    new = _try_arch(base, ops[:v] + [op] + ops[v + 1 :])
                    if new is not None and new != arch:
                        seen.setdefault(new)
        if not seen and arch.num_vertices == 2:
            for op in OPS:
                seen.setdefault(NB101Arch([[0, 1, 1], [0, 0, 1], [0, 0, 0]], [INPUT, op, OUTPUT]))
        return list(seen)

    def mutate(self, arch: NB101Arch, rng: np.random.Generator) -> NB101Arch:
        """One edit drawn uniformly from :meth:`neighbours` (flip an edge or change an interior op)."""
        options = self.neighbours(arch)
        return options[int(rng.integers(len(options)))]

    def canonical(self, arch: NB101Arch) -> str:
        """The module hash: equal for isomorphic cells and for specs that prune to the same cell."""
        return module_hash(self.validate(arch))

    def to_graph(self, arch: NB101Arch) -> LabeledDAG:
        arch = self.validate(arch)
        return LabeledDAG(adjacency=np.asarray(arch.matrix, dtype=np.int64), node_ops=arch.ops)

    @property
    def size(self) -> int:
        """423,624 unique cells (Ying et al. 2019; google-research/nasbench README)."""
        return NUM_CELLS

    def enumerate(self) -> Iterator[NB101Arch]:
        """Every unique cell once, generated as the nasbench ``generate_graphs.py`` script does.

        For 2..7 vertices, every upper-triangular bitmask (bit ``x + y(y-1)/2`` is edge x -> y) whose
        vertices all lie on an input -> output path and that has at most 9 edges, with every
        labelling of the interior vertices; the first cell of each module hash is yielded. This takes
        minutes: it hashes about 1.3 million labelled graphs.
        """
        seen: set[str] = set()
        for n in range(2, MAX_VERTICES + 1):
            slots = [(x, y) for y in range(n) for x in range(y)]
            row_mask = [sum(1 << k for k, (x, _) in enumerate(slots) if x == v) for v in range(n)]
            col_mask = [sum(1 << k for k, (_, y) in enumerate(slots) if y == v) for v in range(n)]
            for bits in range(1 << len(slots)):
                if bits.bit_count() > MAX_EDGES:
                    continue
                if any(not bits & row_mask[v] for v in range(n - 1)) or any(
                    not bits & col_mask[v] for v in range(1, n)
                ):
                    continue
                matrix = [[0] * n for _ in range(n)]
                for k, (x, y) in enumerate(slots):
                    if bits >> k & 1:
                        matrix[x][y] = 1
                for labelling in itertools.product(range(len(OPS)), repeat=n - 2):
                    h = graph_hash(matrix, (-1, *labelling, -2))
                    if h not in seen:
                        seen.add(h)
                        yield NB101Arch(matrix, [INPUT, *(OPS[i] for i in labelling), OUTPUT])
