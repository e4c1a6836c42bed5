"""Adjacency encodings of NAS-Bench-101 and DARTS cells, checked against hand-derived layouts."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from naspred.errors import InvalidArchitectureError, InvalidInputError
from naspred.featurizers import AdjacencyOneHot, CategoricalAdjacency
from naspred.spaces import get
from naspred.spaces.darts import DARTSArch
from naspred.spaces.nasbench101 import NB101Arch

# input -> conv3x3 (1) -> maxpool (2) -> output, plus input -> 2 and 1 -> output
NB101_CELL = NB101Arch(
    matrix=((0, 1, 1, 0), (0, 0, 1, 1), (0, 0, 0, 1), (0, 0, 0, 0)),
    ops=("input", "conv3x3-bn-relu", "maxpool3x3", "output"),
)
# node 2 <- (0, sep3), (1, sep3); node 3 <- (0, skip), (1, sep5); node 4 <- (2, max), (3, avg);
# node 5 <- (0, dil3), (4, dil5)
DARTS_NORMAL = ((0, 3), (1, 3), (0, 2), (1, 4), (2, 0), (3, 1), (0, 5), (4, 6))
DARTS_REDUCE = ((1, 0), (0, 1), (2, 2), (1, 2), (3, 3), (0, 4), (4, 5), (2, 6))


def _upper_index(i: int, j: int) -> int:
    """Position of (i, j), i < j, among the row-major upper-triangular entries of a 7 x 7 matrix."""
    return sum(7 - 1 - r for r in range(i)) + (j - i - 1)


def test_nb101_one_hot_hand_checked():
    out = AdjacencyOneHot(space="nb101").fit_transform([NB101_CELL])
    assert out.shape == (1, 36)
    expected = np.zeros(36)
    # padded: vertices 0, 1, 2 stay, padding conv3x3 at 3, 4, 5, output moves to 6
    for i, j in [(0, 1), (0, 2), (1, 2), (1, 6), (2, 6)]:
        expected[_upper_index(i, j)] = 1
    assert [_upper_index(0, 1), _upper_index(1, 2), _upper_index(2, 6)] == [0, 6, 14]
    slots = {"maxpool3x3": 0, "conv3x3-bn-relu": 1, "conv1x1-bn-relu": 2}  # NASLib encode_adj op_dict
    for vertex, op in [
        (1, "conv3x3-bn-relu"),
        (2, "maxpool3x3"),
        (3, "conv3x3-bn-relu"),
        (4, "conv3x3-bn-relu"),
        (5, "conv3x3-bn-relu"),
    ]:
        expected[21 + 3 * (vertex - 1) + slots[op]] = 1
    np.testing.assert_array_equal(out[0], expected)


def test_nb101_one_hot_structure_on_samples():
    space = get("nb101")
    archs = space.sample_many(300, np.random.default_rng(7))
    out = AdjacencyOneHot(space="nb101").fit_transform(archs)
    assert out.shape == (300, 36)
    # every interior vertex has exactly one op bit; the adjacency bits count the cell's edges
    np.testing.assert_array_equal(out[:, 21:].reshape(300, 5, 3).sum(axis=2), 1)
    np.testing.assert_array_equal(out[:, :21].sum(axis=1), [a.num_edges for a in archs])
    cat = CategoricalAdjacency(space="nb101").fit_transform(archs)
    assert cat.shape == (300, 26)
    np.testing.assert_array_equal(cat[:, :21], out[:, :21])
    np.testing.assert_array_equal(cat[:, 21:], out[:, 21:].reshape(300, 5, 3).argmax(axis=2))


def test_nb101_names_and_text_input():
    enc = AdjacencyOneHot(space="nb101")
    names = enc.get_feature_names_out()
    assert len(names) == 36 and names[0] == "adj:0->1" and names[21] == "node1:maxpool3x3"
    text = get("nb101").format(NB101_CELL)
    np.testing.assert_array_equal(enc.transform([text]), enc.transform([NB101_CELL]))


def test_darts_adjacency_hand_checked():
    arch = DARTSArch(DARTS_NORMAL, DARTS_REDUCE)
    out = AdjacencyOneHot(space="darts").fit_transform([arch])
    assert out.shape == (1, 114)
    for c, (cell, edges) in enumerate(
        [
            (DARTS_NORMAL, [(0, 2), (1, 2), (0, 3), (1, 3), (2, 4), (3, 4), (0, 5), (4, 5)]),
            (DARTS_REDUCE, [(1, 2), (0, 2), (2, 3), (1, 3), (3, 4), (0, 4), (4, 5), (2, 5)]),
        ]
    ):
        matrix = np.zeros((7, 7))
        for i, j in edges:
            matrix[i, j] = 1
        matrix[2:6, 6] = 1  # intermediate nodes feed the output
        block = out[0, c * 57 : (c + 1) * 57]
        np.testing.assert_array_equal(block[:49].reshape(7, 7), matrix)
        np.testing.assert_array_equal(block[49:], [op for _, op in cell])
    cat = CategoricalAdjacency(space="darts").fit_transform([arch])
    np.testing.assert_array_equal(cat[0], [x for cell in (DARTS_NORMAL, DARTS_REDUCE) for pair in cell for x in pair])


def test_darts_on_samples_and_compact_text():
    space = get("darts")
    archs = space.sample_many(50, np.random.default_rng(3))
    out = AdjacencyOneHot(space="darts").fit_transform(archs)
    assert out.shape == (50, 114)
    # 8 input edges and 4 output edges per cell, minus inputs that coincide
    assert np.all(out[:, :49].sum(axis=1) <= 12) and np.all(out[:, :49].sum(axis=1) >= 8)
    texts = [space.format(a) for a in archs[:5]]
    np.testing.assert_array_equal(AdjacencyOneHot(space="darts").transform(texts), out[:5])


def test_bad_input():
    with pytest.raises(InvalidInputError, match="no architectures"):
        AdjacencyOneHot(space="nb101").fit([])
    with pytest.raises(InvalidArchitectureError, match="position 1"):
        AdjacencyOneHot(space="nb101").fit([NB101_CELL, DARTSArch(DARTS_NORMAL, DARTS_REDUCE)])
    with pytest.raises(InvalidArchitectureError, match="position 0"):
        AdjacencyOneHot(space="darts").transform([NB101_CELL])
    with pytest.raises(InvalidInputError, match="one string"):
        AdjacencyOneHot(space="nb101").transform(get("nb101").format(NB101_CELL))
    with pytest.raises(InvalidInputError, match="search-space name or a SearchSpace"):
        AdjacencyOneHot(space=3).fit([NB101_CELL])
    with pytest.raises(InvalidInputError, match="not defined for search space 'tnb101-macro'"):
        AdjacencyOneHot(space="tnb101-macro").get_feature_names_out()


def test_clone_keeps_params():
    enc = AdjacencyOneHot(space=get("darts"))
    twin = clone(enc)
    assert twin.get_params()["space"].name == "darts"
    assert twin.fit_transform([DARTSArch(DARTS_NORMAL, DARTS_REDUCE)]).shape == (1, 114)
