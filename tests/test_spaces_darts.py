"""DARTS / NAS-Bench-301 space: notations, canonical form, mutation, graph form, errors."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from naspred.errors import InvalidArchitectureError
from naspred.spaces import get
from naspred.spaces.darts import OPS, DARTSArch, DARTSSpace, cell_graph, format_genotype

SPACE = DARTSSpace()

# DARTS_V2 as published in the DARTS code (quark0/darts, cnn/genotypes.py).
DARTS_V2 = (
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
    "('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], "
    "reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"
)
# The same, converted by hand to NASLib's compact form (op indices: 0 max_pool_3x3, 2 skip_connect,
# 3 sep_conv_3x3, 5 dil_conv_3x3, per naslib/search_spaces/nasbench301/conversions.py).
DARTS_V2_COMPACT = (
    ((0, 3), (1, 3), (0, 3), (1, 3), (1, 3), (0, 2), (0, 2), (2, 5)),
    ((0, 0), (1, 0), (2, 2), (1, 0), (0, 0), (2, 2), (2, 2), (1, 0)),
)
# GDAS_V1 as listed in D-X-Y's genotype collections (multi-line, concatenations as range(2, 6)).
GDAS_V1 = """Genotype(
  normal=[('skip_connect', 0), ('skip_connect', 1), ('skip_connect', 0), ('sep_conv_5x5', 2), ('sep_conv_3x3', 3), ('skip_connect', 0), ('sep_conv_5x5', 4), ('sep_conv_3x3', 3)],
  normal_concat=range(2, 6),
  reduce=[('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('sep_conv_5x5', 2), ('sep_conv_5x5', 1), ('dil_conv_5x5', 2), ('sep_conv_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_5x5', 2)],
  reduce_concat=range(2, 6)
)"""
# A NB301 architecture quoted in automl/NASLib issue #169 (lists, no spaces).
NASLIB_ISSUE_169 = "([(0,6),(1,2),(1,4),(0,6),(0,6),(1,3),(4,0),(3,6)],[(0,6),(1,2),(1,4),(0,6),(0,6),(1,3),(4,0),(3,6)])"

seeds = st.integers(0, 2**32 - 1)


def draw(seed: int) -> DARTSArch:
    return SPACE.sample(np.random.default_rng(seed))


def relabel_cell(cell, rng: np.random.Generator):
    """The same cell with pairs swapped at random and nodes 2..5 renumbered in a random topological order."""
    nodes = [[cell[2 * j], cell[2 * j + 1]] for j in range(4)]
    order, placed = [], {0, 1}
    while len(order) < 4:
        ready = [j for j in range(4) if j + 2 not in placed and all(s in placed for s, _ in nodes[j])]
        j = ready[int(rng.integers(len(ready)))]
        order.append(j)
        placed.add(j + 2)
    new_label = {0: 0, 1: 1, **{old + 2: new + 2 for new, old in enumerate(order)}}
    out = []
    for old in order:
        pairs = [(new_label[s], op) for s, op in nodes[old]]
        if rng.random() < 0.5:
            pairs.reverse()
        out += pairs
    return tuple(out)


def test_published_genotype_parses_to_its_compact_form():
    arch = SPACE.parse(DARTS_V2)
    assert (arch.normal, arch.reduce) == DARTS_V2_COMPACT
    assert format_genotype(arch) == DARTS_V2
    assert SPACE.parse(SPACE.format(arch)) == arch


def test_multiline_genotype_with_range_concat():
    arch = SPACE.parse(GDAS_V1)
    assert arch.normal[3] == (2, OPS.index("sep_conv_5x5"))
    assert arch.reduce[4] == (2, OPS.index("dil_conv_5x5"))


def test_naslib_compact_string_parses():
    arch = SPACE.parse(NASLIB_ISSUE_169)
    assert arch.normal == arch.reduce == ((0, 6), (1, 2), (1, 4), (0, 6), (0, 6), (1, 3), (4, 0), (3, 6))
    assert SPACE.format(arch).startswith("(((0, 6), (1, 2), (1, 4)")
    assert SPACE.parse(SPACE.format(arch)) == arch


@settings(max_examples=80, deadline=None)
@given(seeds)
def test_notations_round_trip(seed):
    arch = draw(seed)
    assert SPACE.parse(format_genotype(arch)) == arch


@settings(max_examples=80, deadline=None)
@given(seeds)
def test_canonical_invariant_under_isomorphism(seed):
    rng = np.random.default_rng(seed)
    arch = draw(seed)
    other = DARTSArch(relabel_cell(arch.normal, rng), relabel_cell(arch.reduce, rng))
    assert SPACE.canonical(other) == SPACE.canonical(arch)
    assert SPACE.canonical(SPACE.canonical(arch)) == SPACE.canonical(arch)
    # changing an op changes the multiset of operations of a cell, which no relabelling can undo
    k = int(rng.integers(8))
    src, op = arch.normal[k]
    changed = list(arch.normal)
    changed[k] = (src, (op + 1) % len(OPS))
    assert SPACE.canonical(DARTSArch(tuple(changed), arch.reduce)) != SPACE.canonical(arch)


def test_canonical_does_not_swap_cell_inputs():
    # node 2 reads c_{k-2} with a 3x3 and c_{k-1} with a 5x5 separable conv, then the reverse
    a = DARTSArch(((0, 3), (1, 4)) + ((0, 0), (1, 0)) * 3, ((0, 0), (1, 0)) * 4)
    b = DARTSArch(((0, 4), (1, 3)) + ((0, 0), (1, 0)) * 3, ((0, 0), (1, 0)) * 4)
    assert SPACE.canonical(a) != SPACE.canonical(b)


@settings(max_examples=40, deadline=None)
@given(seeds)
def test_mutation_stays_in_space_and_changes_the_arch(seed):
    arch = draw(seed)
    child = SPACE.mutate(arch, np.random.default_rng(seed))
    assert child != arch and SPACE.contains(child)
    nbrs = SPACE.neighbours(arch)
    assert child in nbrs
    # NASLib's neighbourhood: 16 pairs x 6 other ops, plus per cell 0+1+2+3 other inputs for each of 2 pairs
    assert len(nbrs) == 16 * 6 + 2 * 2 * (0 + 1 + 2 + 3) == len(set(nbrs))
    assert arch not in nbrs


def test_samples_follow_the_nb301_configuration_space():
    rng = np.random.default_rng(11)
    archs = SPACE.sample_many(300, rng)
    for arch in archs:
        for cell in arch.cells():
            assert {cell[0][0], cell[1][0]} == {0, 1}
    assert len(set(archs)) == 300


def test_size_counts_the_nb301_configurations():
    per_cell = 1
    for j in range(4):
        per_cell *= comb(j + 2, 2) * 7 * 7
    assert SPACE.size == per_cell**2 == (180 * 7**8) ** 2
    assert 1e18 <= SPACE.size < 1e19  # "10^18 architectures" (Siems et al., NAS-Bench-301)
    assert isinstance(get("darts"), DARTSSpace)


def test_graph_form():
    arch = SPACE.parse(DARTS_V2)
    g = SPACE.to_graph(arch)
    adj = g.adjacency
    assert adj.shape == (22, 22) and len(g.node_ops) == 22
    assert not np.tril(adj).any()
    assert g.node_ops[0] == "input" and g.node_ops[-1] == "output"
    assert not adj[:11, 11:].any() and not adj[11:, :11].any()
    # normal cell: op node 2+k reads a cell input (1 edge) or both ops of an intermediate node (2 edges)
    in_deg = adj[:11, :11].sum(axis=0)
    expected = [0, 0] + [1 if src < 2 else 2 for src, _ in arch.normal] + [8]
    assert in_deg.tolist() == expected
    # DARTS_V2 normal pair 7 is dil_conv_3x3 reading node 2, i.e. op nodes 2 and 3
    assert adj[2, 9] == adj[3, 9] == 1 and g.node_ops[9] == "dil_conv_3x3"
    assert cell_graph(arch.reduce).node_ops == g.node_ops[11:]


GOOD = ((0, 0), (1, 0)) * 4


@pytest.mark.parametrize(
    ("normal", "message"),
    [
        (GOOD[:7], "normal cell has 7 .* pairs; expected 8"),
        (GOOD + ((0, 0),), "normal cell has 9 .* pairs; expected 8"),
        (((0, 0), (2, 0)) + GOOD[2:], r"pair 1 \(node 2\): input node 2 is out of range; expected 0..1"),
        (GOOD[:6] + ((5, 0), (1, 0)), r"pair 6 \(node 5\): input node 5 is out of range; expected 0..4"),
        (GOOD[:6] + ((-1, 0), (1, 0)), "input node -1 is out of range"),
        (((0, 7), (1, 0)) + GOOD[2:], "op index 7 is out of range; expected 0..6"),
        (GOOD[:2] + ((1, 0), (1, 3)) + GOOD[4:], "node 3: both inputs are node 1"),
        (((0, 0.5), (1, 0)) + GOOD[2:], "op index is 0.5; expected an integer"),
        (((0, 0, 0), (1, 0)) + GOOD[2:], r"pair 0 \(node 2\) is \(0, 0, 0\)"),
        ("((0, 0), (1, 0))", "normal cell must be a sequence"),
    ],
)
def test_bad_cells_raise(normal, message):
    with pytest.raises(InvalidArchitectureError, match=message):
        DARTSArch(normal, GOOD)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (DARTS_V2.replace("('dil_conv_3x3', 2)", "('none', 2)"), "unknown op 'none'"),
        (DARTS_V2.replace("normal_concat=[2, 3, 4, 5]", "normal_concat=[2, 3, 4, 5, 6]"), "concatenates nodes"),
        (DARTS_V2.replace("('sep_conv_3x3', 0), ", "", 1), "Genotype normal has 7"),
        (DARTS_V2.replace(", reduce_concat=[2, 3, 4, 5]", ""), "lacks the fields"),
    ],
)
def test_bad_genotype_raises(text, message):
    with pytest.raises(InvalidArchitectureError, match=message):
        SPACE.parse(text)
