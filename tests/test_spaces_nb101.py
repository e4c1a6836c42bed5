"""NAS-Bench-101 space: the module hash against published values, pruning, notations, mutation, errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from naspred.errors import InvalidArchitectureError
from naspred.spaces import get
from naspred.spaces.nasbench101 import (
    CONV1X1,
    CONV3X3,
    INPUT,
    MAXPOOL3X3,
    OPS,
    OUTPUT,
    NB101Arch,
    NB101Space,
    graph_hash,
    module_hash,
    naslib_key,
    padded,
)

SPACE = NB101Space()

# A published (matrix, ops, hash) triple of NAS-Bench-101, read with the nasbench API from
# nasbench_only108.tfrecord: gabikadlecova/searchspace_train,
# searchspace_train/tests/datasets/test_nasbench101.py (test_get_net_from_hash). The same cell and
# hash are printed by NNI v1.7's NAS-Bench-101 query example (query_nb101_trial_stats), where the
# cell is written as input lists (PUBLISHED_INPUTS below).
PUBLISHED_HASH = "00005c142e6f48ac74fdcf73e3439874"
PUBLISHED_MATRIX = [
    [0, 1, 0, 0, 1, 1, 0],
    [0, 0, 1, 0, 0, 0, 0],
    [0, 0, 0, 1, 0, 0, 1],
    [0, 0, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 0],
]
PUBLISHED_OPS = [INPUT, CONV3X3, MAXPOOL3X3, CONV3X3, CONV3X3, CONV1X1, OUTPUT]
PUBLISHED_INPUTS = {1: [0], 2: [1], 3: [2], 4: [0], 5: [0, 3, 4], 6: [2, 5]}

# Keys of NAS-Bench-Suite-Zero's zc_nasbench101.json (automl/NASLib, naslib/data/zc_nasbench101.json,
# commit 0b116007d41832a6c52a7cfbb91c00d9b9aef7a3): raw 7 x 7 matrices, NASLib op codes.
ZC_KEYS = [
    "(0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, "
    "0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 4, 4, 4, 1)",
    "(0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, "
    "0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 4, 2, 2, 1)",
    "(0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, "
    "0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 4, 2, 3, 1)",
]


def random_cell(rng: np.random.Generator) -> NB101Arch:
    """A valid cell of 2..7 vertices: every interior vertex gets an in- and an out-edge, then extras."""
    while True:
        n = int(rng.integers(2, 8))
        m = [[0] * n for _ in range(n)]
        if n == 2:
            m[0][1] = 1
        for v in range(1, n - 1):
            m[int(rng.integers(0, v))][v] = 1
            m[v][int(rng.integers(v + 1, n))] = 1
        for i, j in itertools.combinations(range(n), 2):
            if rng.random() < 0.15:
                m[i][j] = 1
        ops = [INPUT] + [OPS[k] for k in rng.integers(0, 3, size=n - 2)] + [OUTPUT]
        try:
            return NB101Arch(m, ops)
        except InvalidArchitectureError:
            continue


def draw(seed: int) -> NB101Arch:
    rng = np.random.default_rng(seed)
    return SPACE.sample(rng) if seed % 2 else random_cell(rng)


seeds = st.integers(0, 2**32 - 1)


def relabel(arch: NB101Arch, rng: np.random.Generator) -> NB101Arch:
    """The same cell with its interior vertices renumbered in a random topological order."""
    m = np.asarray(arch.matrix)
    n = len(m)
    order, placed = [0], {0}
    while len(order) < n - 1:
        ready = [v for v in range(1, n - 1) if v not in placed and all(u in placed for u in np.flatnonzero(m[:, v]))]
        v = ready[int(rng.integers(len(ready)))]
        order.append(v)
        placed.add(v)
    order.append(n - 1)
    return NB101Arch(m[np.ix_(order, order)], [arch.ops[v] for v in order])


def test_module_hash_matches_published_cell():
    arch = NB101Arch(PUBLISHED_MATRIX, PUBLISHED_OPS)
    assert module_hash(arch) == PUBLISHED_HASH
    assert SPACE.canonical(arch) == PUBLISHED_HASH


def test_published_cell_written_as_input_lists_has_the_same_hash():
    m = [[0] * 7 for _ in range(7)]
    for v, inputs in PUBLISHED_INPUTS.items():
        for u in inputs:
            m[u][v] = 1
    assert NB101Arch(m, PUBLISHED_OPS) == NB101Arch(PUBLISHED_MATRIX, PUBLISHED_OPS)
    assert module_hash(NB101Arch(m, PUBLISHED_OPS)) == PUBLISHED_HASH


def test_hash_changes_with_an_op():
    ops = list(PUBLISHED_OPS)
    ops[2] = CONV1X1
    assert module_hash(NB101Arch(PUBLISHED_MATRIX, ops)) != PUBLISHED_HASH


@settings(max_examples=60, deadline=None)
@given(seeds)
def test_canonical_invariant_under_vertex_permutation(seed):
    rng = np.random.default_rng(seed)
    arch = draw(seed)
    other = relabel(arch, rng)
    assert SPACE.canonical(other) == SPACE.canonical(arch)
    # the graph hash is a graph invariant: any permutation, topological or not
    labels = [-1] + [OPS.index(o) for o in arch.ops[1:-1]] + [-2]
    perm = rng.permutation(arch.num_vertices)
    m = np.asarray(arch.matrix)[np.ix_(perm, perm)]
    assert graph_hash(m, [labels[p] for p in perm]) == module_hash(arch)


@settings(max_examples=60, deadline=None)
@given(seeds, st.integers(1, 3))
def test_unreachable_and_dead_end_vertices_are_pruned(seed, extra):
    rng = np.random.default_rng(seed)
    arch = draw(seed)
    n = arch.num_vertices
    total = n + extra
    new_pos = sorted(rng.choice(np.arange(1, total - 1), size=extra, replace=False).tolist())
    old_pos = [p for p in range(total) if p not in new_pos]
    m = np.zeros((total, total), dtype=int)
    m[np.ix_(old_pos, old_pos)] = arch.matrix
    ops = [None] * total
    for p, op in zip(old_pos, arch.ops):
        ops[p] = op
    for p in new_pos:
        ops[p] = OPS[int(rng.integers(3))]
        if rng.random() < 0.5:  # dead end: edges in, none out
            m[: p, p] = rng.integers(0, 2, size=p)
        else:  # unreachable: edges out, none in
            m[p, p + 1 :] = rng.integers(0, 2, size=total - p - 1)
    grown = NB101Arch(m, ops)
    assert grown == arch
    assert SPACE.canonical(grown) == SPACE.canonical(arch)


def test_pruning_matches_nasbench_model_spec_example():
    # nasbench model_spec_test.test_prune_dangling: vertex 1 has no path to the output
    arch = NB101Arch([[0, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]], [INPUT, CONV3X3, CONV1X1, OUTPUT])
    assert arch.matrix == ((0, 1, 0), (0, 0, 1), (0, 0, 0))
    assert arch.ops == (INPUT, CONV1X1, OUTPUT)


def test_zc_keys_parse_to_their_pruned_cells():
    # key 0: vertex 5 has no out-edge -> removed, 9 edges remain
    first = NB101Arch(
        [[0, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 1], [0] * 6],
        [INPUT, MAXPOOL3X3, MAXPOOL3X3, CONV3X3, CONV3X3, OUTPUT],
    )
    # key 1: vertex 4 is a dead end, so are 1 and 3 that only feed it; vertex 2 has no input
    second = NB101Arch([[0, 1, 0], [0, 0, 1], [0, 0, 0]], [INPUT, MAXPOOL3X3, OUTPUT])
    # key 2: vertex 1 has no input and vertex 2 only reads vertex 1
    third = NB101Arch(
        [[0, 1, 0, 1, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [0] * 5],
        [INPUT, CONV3X3, MAXPOOL3X3, CONV1X1, OUTPUT],
    )
    assert [SPACE.parse(k) for k in ZC_KEYS] == [first, second, third]
    assert first.num_edges == 9


@settings(max_examples=80, deadline=None)
@given(seeds)
def test_notations_round_trip(seed):
    arch = draw(seed)
    assert SPACE.parse(naslib_key(arch)) == arch
    matrix, ops = padded(arch)
    assert matrix.shape == (7, 7) and len(ops) == 7 and ops[-1] == OUTPUT
    assert NB101Arch(matrix, ops) == arch
    n = arch.num_vertices
    assert ops[n - 1 : 6] == [CONV3X3] * (7 - n)
    assert not matrix[n - 1 : 6].any() and not matrix[:, n - 1 : 6].any()


def test_padding_inserts_vertices_before_the_output():
    arch = NB101Arch([[0, 1, 1], [0, 0, 1], [0, 0, 0]], [INPUT, CONV1X1, OUTPUT])
    matrix, ops = padded(arch)
    expected = np.zeros((7, 7), dtype=int)
    expected[0, 1] = expected[0, 6] = expected[1, 6] = 1
    np.testing.assert_array_equal(matrix, expected)
    assert ops == [INPUT, CONV1X1] + [CONV3X3] * 4 + [OUTPUT]
    assert naslib_key(arch) == str(tuple(expected.flatten().tolist()) + (0, 3, 4, 4, 4, 4, 1))


@settings(max_examples=40, deadline=None)
@given(seeds)
def test_mutation_stays_in_space_and_changes_the_cell(seed):
    arch = draw(seed)
    rng = np.random.default_rng(seed)
    child = SPACE.mutate(arch, rng)
    assert child != arch and SPACE.contains(child)
    nbrs = SPACE.neighbours(arch)
    assert child in nbrs
    assert len(set(nbrs)) == len(nbrs) and arch not in nbrs
    assert all(n.num_vertices <= 7 and n.num_edges <= 9 for n in nbrs)


def test_two_vertex_cell_has_neighbours():
    arch = NB101Arch([[0, 1], [0, 0]], [INPUT, OUTPUT])
    nbrs = SPACE.neighbours(arch)
    assert sorted(n.ops[1] for n in nbrs) == sorted(OPS)
    assert SPACE.mutate(arch, np.random.default_rng(0)) in nbrs


def test_samples_are_valid_cells():
    rng = np.random.default_rng(7)
    archs = SPACE.sample_many(300, rng)
    assert all(isinstance(a, NB101Arch) and a.num_vertices <= 7 and a.num_edges <= 9 for a in archs)
    assert len({SPACE.canonical(a) for a in archs}) > 100


def test_enumeration_starts_with_the_smallest_cells():
    # one 2-vertex cell, then two 3-vertex shapes (chain, chain + skip) x 3 labels, then 4 vertices
    first = list(itertools.islice(SPACE.enumerate(), 8))
    assert [a.num_vertices for a in first] == [2, 3, 3, 3, 3, 3, 3, 4]
    assert len({SPACE.canonical(a) for a in first}) == 8


def test_size_and_registry():
    assert SPACE.size == 423_624
    assert isinstance(get("nb101"), NB101Space)


def test_to_graph():
    arch = NB101Arch(PUBLISHED_MATRIX, PUBLISHED_OPS)
    g = SPACE.to_graph(arch)
    np.testing.assert_array_equal(g.adjacency, PUBLISHED_MATRIX)
    assert g.node_ops == tuple(PUBLISHED_OPS)


CHAIN8 = [[1 if j == i + 1 else 0 for j in range(8)] for i in range(8)]
TEN_EDGES = [[1 if j == i + 1 else 0 for j in range(7)] for i in range(7)]
for _j in (2, 3, 4, 5):
    TEN_EDGES[0][_j] = 1


@pytest.mark.parametrize(
    ("matrix", "ops", "message"),
    [
        ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], [INPUT, "conv5x5-bn-relu", OUTPUT], "unknown op 'conv5x5-bn-relu' at vertex 1"),
        (TEN_EDGES, [INPUT] + [CONV3X3] * 5 + [OUTPUT], "10 edges; NAS-Bench-101 allows at most 9"),
        (CHAIN8, [INPUT] + [CONV3X3] * 6 + [OUTPUT], "8 vertices; NAS-Bench-101 allows at most 7"),
        ([[0, 1, 0], [1, 0, 1], [0, 0, 0]], [INPUT, CONV3X3, OUTPUT], r"not strictly upper-triangular: entry \(1, 0\)"),
        ([[0, 0, 0], [0, 1, 1], [0, 0, 0]], [INPUT, CONV3X3, OUTPUT], r"entry \(1, 1\)"),
        ([[0, 1, 0], [0, 0, 0], [0, 0, 0]], [INPUT, CONV3X3, OUTPUT], "not connected to the output"),
        ([[0, 2], [0, 0]], [INPUT, OUTPUT], r"entry \(0, 1\) is 2; expected 0 or 1"),
        ([[0, 1, 0], [0, 0]], [INPUT, CONV3X3, OUTPUT], "not square"),
        ([[0, 1], [0, 0]], [INPUT, CONV3X3, OUTPUT], "3 ops for a 2-vertex matrix"),
        ([[0, 1], [0, 0]], [CONV3X3, OUTPUT], "first op is 'conv3x3-bn-relu'; expected 'input'"),
        ([[0]], [INPUT], "at least the input and output"),
    ],
)
def test_bad_cells_raise(matrix, ops, message):
    with pytest.raises(InvalidArchitectureError, match=message):
        NB101Arch(matrix, ops)
