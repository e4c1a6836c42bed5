"""The NAS-Bench-Graph search space (Qin et al., NeurIPS 2022 Datasets and Benchmarks, "NAS-Bench-Graph:
Benchmarking Graph Neural Architecture Search").

A GNN has 4 computing nodes. ``link[i]`` names the input of node ``i + 1``: 0 the (pre-processed) graph
input, ``k`` the output of node ``k``, so ``0 <= link[i] <= i`` (24 link vectors). ``ops[i]`` is the
operation of node ``i + 1``, one of :data:`OPS`. Every node without successors (a leaf) feeds the output
(NAS-Bench-Graph README). The cell where all four operations are ``skip`` has no trainable operation and is
not in the benchmark; it is not in this space either. The space holds 24 x (9 ** 4 - 1) = 157,440
architectures.

Canonical form. Relabelling the nodes, and moving skip nodes (identities), leaves the network unchanged.
:meth:`NBGraphSpace.canonical` maps each architecture to the benchmark's representative of its class. The
class is decided by a structure key: the tree of non-skip nodes obtained by bypassing skip nodes, each node
with its operation and the number of leaves whose value it is (how often it reaches the output). A leaf
whose value is the raw input (a chain of skips from node 0) does not count: the benchmark's regularisation
(``Arch.move_skip_op`` in the ``nas-bench-graph`` package) treats such a skip like an unused one. These
classes are exactly the benchmark's: over the 157,440 architectures, the structure key and the package's
``Arch.valid_hash`` induce the same 26,206 classes, one per key of its light files. The representative of a
class is the member, among those whose link is one of the 9 :data:`LINK_PATTERNS`, with the most leading
skip nodes, then the lexicographically largest link, then the smallest operation indices; this reproduces the
architecture of every one of the 26,206 keys.

Hash key (``nas_bench_graph.light_read(dataset)`` keys): the index of the link pattern in
:data:`LINK_PATTERNS`, followed by the four operation indices into :data:`OPS` as decimal digits
(``Arch.hash_arch``). The ``proteins`` file keeps 2,021 architectures that use only :data:`PROTEINS_OPS`,
keyed the same way: its keys only hold the digits 1, 4, 5, 7 and 8. (The package's
``hash_arch(use_proteins=True)`` counts in base 6 over its proteins list instead; those numbers are not the
keys of the shipped file.)

Text notation (``format``): ``"link=0,1,2,1 ops=gcn,gin,fc,cheb"``; ``parse`` also reads the pair
``"([0, 1, 2, 1], ['gcn', 'gin', 'fc', 'cheb'])"`` as written for the package's ``Arch(link, ops)``.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import index as as_index
from typing import Any, ClassVar

import numpy as np
from naspred.errors import InvalidArchitectureError
from naspred.spaces.base import LabeledDAG, SearchSpace, integer_key

#: GNN operations, in the order that gives their hash digit (``nas_bench_graph.gnn_list``)
OPS: tuple[str, ...] = ("gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip")
#: the operations of the ``proteins`` benchmark (``nas_bench_graph.gnn_list_proteins``)
PROTEINS_OPS: tuple[str, ...] = ("gcn", "sage", "arma", "fc", "skip")
SKIP = "skip"
NUM_NODES = 4
#: the benchmark's link patterns, one per shape of rooted tree on 4 nodes; their position is the
#: leading digit of the hash key (``nas_bench_graph.link_list``)
LINK_PATTERNS: tuple[tuple[int, ...], ...] = (
    (0, 0, 0, 0),
    (0, 0, 0, 1),
    (0, 0, 1, 1),
    (0, 0, 1, 2),
    (0, 0, 1, 3),
    (0, 1, 1, 1),
    (0, 1, 1, 2),
    (0, 1, 2, 2),
    (0, 1, 2, 3),
)
#: every link vector: node i + 1 reads node 0..i
LINKS: tuple[tuple[int, ...], ...] = tuple(itertools.product(*(range(i + 1) for i in range(NUM_NODES))))
_DIGIT = 10  # hash base: len(gnn_list) + 1 in the package
_OP_INDEX = {name: i for i, name in enumerate(OPS)}
_MAX_KEY = len(LINK_PATTERNS) * _DIGIT**NUM_NODES


@dataclass(frozen=True)
class NBGraphArch:
    """A NAS-Bench-Graph architecture: each node's input (``link``) and operation (``ops``)."""

    #: the registry name of the space
    SPACE: ClassVar[str] = "nbgraph"
    link: tuple[int, ...]
    ops: tuple[str, ...]

    def __post_init__(self) -> None:
        link, ops = self.link, self.ops
        if isinstance(link, (str, bytes)) or not isinstance(link, Sequence | np.ndarray):
            raise InvalidArchitectureError(
                f"link must be a sequence of {NUM_NODES} node indices, got {type(link).__name__} {link!r}"
            )
        if isinstance(ops, (str, bytes)) or not isinstance(ops, Sequence):
            raise InvalidArchitectureError(
                f"ops must be a sequence of {NUM_NODES} operation names, got {type(ops).__name__} {ops!r}"
            )
        if len(link) != NUM_NODES or len(ops) != NUM_NODES:
            raise InvalidArchitectureError(
                f"a NAS-Bench-Graph architecture has {NUM_NODES} nodes: link and ops need {NUM_NODES} entries each, "
                f"got {len(link)} and {len(ops)}"
            )
        try:
            link = tuple(as_index(x) for x in link)
        except TypeError:
            raise InvalidArchitectureError(f"link entries must be integers, got {self.link!r}") from None
        for i, source in enumerate(link):
            if not 0 <= source <= i:
                raise InvalidArchitectureError(
                    f"node {i + 1} takes input {source}; expected 0..{i} (0 the graph input, k node k) in link {link}"
                )
        ops = tuple(ops)
        for i, op in enumerate(ops):
            if op not in _OP_INDEX:
                raise InvalidArchitectureError(f"unknown operation {op!r} at node {i + 1}; expected one of {OPS}")
        if all(op == SKIP for op in ops):
            raise InvalidArchitectureError(
                "all four operations are 'skip': the network has no trainable operation and NAS-Bench-Graph "
                "leaves it out"
            )
        object.__setattr__(self, "link", link)
        object.__setattr__(self, "ops", ops)


def _trusted(link: tuple[int, ...], ops: tuple[str, ...]) -> NBGraphArch:
    """An architecture from parts already known to be valid (no checks: enumeration is hot)."""
    arch = object.__new__(NBGraphArch)
    object.__setattr__(arch, "link", link)
    object.__setattr__(arch, "ops", ops)
    return arch


def structure_key(arch: NBGraphArch) -> tuple:
    """The class of ``arch`` (module docstring): the tree of non-skip nodes with their output counts."""
    return _structure(arch.link, arch.ops)


def _template(link: tuple[int, ...], skip: tuple[bool, ...]) -> tuple[tuple[int, int, int], ...]:
    """For a link vector and skip mask: each non-skip node (last first), the non-skip node or input whose
    value it reads (skips bypassed), and how many leaves carry its value to the output."""
    has_child = [False] * (NUM_NODES + 1)
    for source in link:
        has_child[source] = True
    eff = [0] * (NUM_NODES + 1)  # the non-skip node (or the input, 0) whose value node k carries
    for k in range(1, NUM_NODES + 1):
        eff[k] = eff[link[k - 1]] if skip[k - 1] else k
    outputs = [0] * (NUM_NODES + 1)
    for k in range(1, NUM_NODES + 1):
        if not has_child[k]:
            outputs[eff[k]] += 1
    return tuple((v, eff[link[v - 1]], outputs[v]) for v in range(NUM_NODES, 0, -1) if not skip[v - 1])


#: templates of every (link vector, skip mask): 24 x 16 small tuples derived from the rules above
_TEMPLATES = {
    (link, skip): _template(link, skip) for link in LINKS for skip in itertools.product((False, True), repeat=NUM_NODES)
}


def _structure(link: tuple[int, ...], ops: tuple[str, ...]) -> tuple:
    kids: list[list[tuple]] = [[] for _ in range(NUM_NODES + 1)]
    for v, parent, outputs in _TEMPLATES[(link, tuple(op == SKIP for op in ops))]:
        kids[parent].append((ops[v - 1], outputs, tuple(sorted(kids[v]))))
    return tuple(sorted(kids[0]))


def _leading_skips(ops: tuple[str, ...]) -> int:
    n = 0
    for op in ops:
        if op != SKIP:
            break
        n += 1
    return n


def _raw_key(arch: NBGraphArch) -> int:
    try:
        key = LINK_PATTERNS.index(arch.link)
    except ValueError:
        raise InvalidArchitectureError(
            f"link {arch.link} is not one of the benchmark's link patterns {LINK_PATTERNS}"
        ) from None
    for op in arch.ops:
        key = key * _DIGIT + _OP_INDEX[op]
    return key


class NBGraphSpace(SearchSpace):
    """NAS-Bench-Graph GNN architectures (Qin et al., 2022): 157,440, in 26,206 benchmark classes."""

    arch_type = NBGraphArch
    description = "NAS-Bench-Graph architecture"
    ops = OPS
    proteins_ops = PROTEINS_OPS
    num_nodes = NUM_NODES
    link_patterns = LINK_PATTERNS

    def __init__(self) -> None:
        self._representatives: dict[tuple, NBGraphArch] | None = None

    # ----------------------------------------------------------------- text
    def parse(self, text: str) -> NBGraphArch:
        """Read ``"link=0,1,2,1 ops=gcn,gin,fc,cheb"`` or ``"([0, 1, 2, 1], ['gcn', 'gin', 'fc', 'cheb'])"``."""
        s = self._text(text)
        if s.startswith("("):
            try:
                value = ast.literal_eval(s)
            except (ValueError, SyntaxError):
                value = None
            if not (isinstance(value, tuple) and len(value) == 2):
                raise InvalidArchitectureError(
                    f"malformed NAS-Bench-Graph pair {text!r}: expected ([0, 1, 2, 1], ['gcn', 'gin', 'fc', 'cheb'])"
                )
            link, ops = value
            if not all(type(x) is int for x in link) or not all(isinstance(x, str) for x in ops):
                raise InvalidArchitectureError(f"{text!r}: expected a list of ints and a list of operation names")
            return NBGraphArch(tuple(link), tuple(ops))
        fields = s.split()
        if len(fields) != 2 or not fields[0].startswith("link=") or not fields[1].startswith("ops="):
            raise InvalidArchitectureError(
                f"not a NAS-Bench-Graph architecture: {text!r}; expected 'link=0,1,2,1 ops=gcn,gin,fc,cheb'"
            )
        link_text, ops_text = fields[0][5:].split(","), fields[1][4:].split(",")
        if not all(t.isdigit() for t in link_text):
            raise InvalidArchitectureError(f"malformed link {fields[0]!r} in {text!r}: expected integers like 0,1,2,1")
        return NBGraphArch(tuple(int(t) for t in link_text), tuple(ops_text))

    def format(self, arch: NBGraphArch) -> str:
        arch = self.validate(arch)
        return f"link={','.join(map(str, arch.link))} ops={','.join(arch.ops)}"

    # ----------------------------------------------------------------- benchmark keys
    def hash_key(self, arch: NBGraphArch, proteins: bool = False) -> int:
        """The light-file key of ``arch``'s class: the hash of its canonical representative.

        With ``proteins=True`` the operations must be among :data:`PROTEINS_OPS`.
        """
        arch = self.validate(arch)
        if proteins:
            self._check_proteins(arch)
        return _raw_key(self.canonical(arch))

    def from_hash_key(self, key: Any, proteins: bool = False) -> NBGraphArch:
        """The architecture a light-file key encodes (the representative of its class for every shipped key)."""
        value = integer_key(key, "NAS-Bench-Graph hash key", _MAX_KEY)
        digits = []
        rest = value
        for _ in range(NUM_NODES):
            digits.append(rest % _DIGIT)
            rest //= _DIGIT
        digits.reverse()
        bad = [d for d in digits if d >= len(OPS)]
        if bad:
            raise InvalidArchitectureError(
                f"hash key {value} has the operation digit {bad[0]}; expected 0..{len(OPS) - 1} ({OPS})"
            )
        arch = NBGraphArch(LINK_PATTERNS[rest], tuple(OPS[d] for d in digits))
        if proteins:
            self._check_proteins(arch)
        return arch

    @staticmethod
    def _check_proteins(arch: NBGraphArch) -> None:
        for i, op in enumerate(arch.ops):
            if op not in PROTEINS_OPS:
                raise InvalidArchitectureError(
                    f"operation {op!r} at node {i + 1} is not in the proteins benchmark; expected one of {PROTEINS_OPS}"
                )

    # ----------------------------------------------------------------- contract
    def sample(self, rng: np.random.Generator) -> NBGraphArch:
        """Uniform over the 157,440 architectures (each input and operation uniform; all-skip redrawn)."""
        while True:
            link = tuple(int(rng.integers(i + 1)) for i in range(NUM_NODES))
            ops = tuple(OPS[int(i)] for i in rng.integers(len(OPS), size=NUM_NODES))
            if any(op != SKIP for op in ops):
                return NBGraphArch(link, ops)

    def sample_many(self, n: int, rng: np.random.Generator) -> list[NBGraphArch]:
        """``n`` architectures drawn uniformly, as :meth:`sample` draws them, in one vectorised pass."""
        links = np.stack([rng.integers(i + 1, size=n) for i in range(NUM_NODES)], axis=1)
        codes = rng.integers(len(OPS), size=(n, NUM_NODES))
        all_skip = (codes == _OP_INDEX[SKIP]).all(axis=1)
        while all_skip.any():
            codes[all_skip] = rng.integers(len(OPS), size=(int(all_skip.sum()), NUM_NODES))
            all_skip = (codes == _OP_INDEX[SKIP]).all(axis=1)
        return [_trusted(tuple(lk), tuple(OPS[c] for c in cs)) for lk, cs in zip(links.tolist(), codes.tolist())]

    def neighbours(self, arch: NBGraphArch) -> list[NBGraphArch]:
        """Architectures that differ in one node's operation or one node's input (never all-skip)."""
        arch = self.validate(arch)
        link, ops = arch.link, arch.ops
        out = []
        for i in range(NUM_NODES):
            for op in OPS:
                new = ops[:i] + (op,) + ops[i + 1 :]
                if op != ops[i] and any(o != SKIP for o in new):
                    out.append(NBGraphArch(link, new))
            for source in range(i + 1):
                if source != link[i]:
                    out.append(NBGraphArch(link[:i] + (source,) + link[i + 1 :], ops))
        return out

    def mutate(self, arch: NBGraphArch, rng: np.random.Generator) -> NBGraphArch:
        """One neighbour drawn uniformly."""
        options = self.neighbours(arch)
        return options[int(rng.integers(len(options)))]

    def canonical(self, arch: NBGraphArch) -> NBGraphArch:
        """The benchmark's representative of ``arch``'s class (module docstring)."""
        arch = self.validate(arch)
        return self._table()[_structure(arch.link, arch.ops)]

    def enumerate_canonical(self) -> list[NBGraphArch]:
        """The 26,206 representatives, by hash key: the architectures of the benchmark."""
        return sorted(self._table().values(), key=_raw_key)

    def _table(self) -> dict[tuple, NBGraphArch]:
        """Structure key -> representative, built on first use from the 9 x 6,560 pattern architectures."""
        if self._representatives is None:
            best: dict[tuple, tuple[tuple, NBGraphArch]] = {}
            for p, link in enumerate(LINK_PATTERNS):
                for codes in itertools.product(range(len(OPS)), repeat=NUM_NODES):
                    ops = tuple(OPS[c] for c in codes)
                    if all(op == SKIP for op in ops):
                        continue
                    rank = (-_leading_skips(ops), -p, codes)
                    key = _structure(link, ops)
                    held = best.get(key)
                    if held is None or rank < held[0]:
                        best[key] = (rank, _trusted(link, ops))
            self._representatives = {key: arch for key, (_, arch) in best.items()}
        return self._representatives

    def to_graph(self, arch: NBGraphArch) -> LabeledDAG:
        """Input, the 4 nodes (their operations), output; ``link`` edges and every leaf -> output."""
        arch = self.validate(arch)
        n = NUM_NODES + 2
        adj = np.zeros((n, n), dtype=np.int64)
        for k, source in enumerate(arch.link, start=1):
            adj[source, k] = 1
        for k in range(1, NUM_NODES + 1):
            if not adj[k, 1 : NUM_NODES + 1].any():
                adj[k, n - 1] = 1
        return LabeledDAG(adjacency=adj, node_ops=("input", *arch.ops, "output"))

    @property
    def size(self) -> int:
        """24 link vectors x (9 ** 4 - 1) operation tuples."""
        return len(LINKS) * (len(OPS) ** NUM_NODES - 1)

    def enumerate(self) -> Iterator[NBGraphArch]:
        """Every architecture: links in lexicographic order, then operation indices lexicographically."""
        for link in LINKS:
            for ops in itertools.product(OPS, repeat=NUM_NODES):
                if any(op != SKIP for op in ops):
                    yield _trusted(link, ops)
