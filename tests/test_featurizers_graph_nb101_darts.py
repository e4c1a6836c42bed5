"""GCN inputs and torch_geometric graphs of NAS-Bench-101 and DARTS cells."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from naspred.errors import InvalidInputError
from naspred.featurizers import GCNEncoding, to_pyg_data
from naspred.spaces import get
from naspred.spaces.nasbench101 import NB101Arch

CELL = NB101Arch(
    matrix=((0, 1, 1, 0), (0, 0, 1, 1), (0, 0, 0, 1), (0, 0, 0, 0)),
    ops=("input", "conv3x3-bn-relu", "maxpool3x3", "output"),
)
VOCAB = ("input", "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3", "output")


def _padded_hand() -> np.ndarray:
    a = np.zeros((7, 7))
    for i, j in [(0, 1), (0, 2), (1, 2), (1, 6), (2, 6)]:
        a[i, j] = 1
    return a


def test_nb101_row_normalised_hand_checked():
    g = GCNEncoding(space="nb101").graphs([CELL])
    a = _padded_hand() + np.eye(7)
    expected = np.array([row / row.sum() for row in a])
    np.testing.assert_allclose(g.adjacency[0], expected, rtol=1e-6)
    labels = [
        "input",
        "conv3x3-bn-relu",
        "maxpool3x3",
        "conv3x3-bn-relu",
        "conv3x3-bn-relu",
        "conv3x3-bn-relu",
        "output",
    ]
    np.testing.assert_array_equal(g.operations[0], [[float(v == lab) for v in VOCAB] for lab in labels])
    np.testing.assert_array_equal(g.mask[0], [True, True, True, False, False, False, True])


def test_nb101_symmetric_and_plain():
    a = _padded_hand()
    s = a + a.T + np.eye(7)
    d = np.diag(1 / np.sqrt(s.sum(axis=1)))
    g = GCNEncoding(space="nb101", normalize="symmetric").graphs([CELL])
    np.testing.assert_allclose(g.adjacency[0], d @ s @ d, rtol=1e-6)
    assert np.abs(np.linalg.eigvalsh(g.adjacency[0].astype(np.float64))).max() <= 1 + 1e-6
    plain = GCNEncoding(space="nb101", normalize="none").graphs([CELL])
    np.testing.assert_array_equal(plain.adjacency[0], a + np.eye(7))


def test_transform_flattens_graphs_and_names():
    space = get("nb101")
    archs = space.sample_many(30, np.random.default_rng(5))
    enc = GCNEncoding(space="nb101")
    out = enc.fit_transform(archs)
    assert out.shape == (30, 7 * 7 + 7 * 5) and out.dtype == np.float32
    g = enc.graphs(archs)
    np.testing.assert_array_equal(out[:, :49].reshape(30, 7, 7), g.adjacency)
    np.testing.assert_allclose(g.adjacency.sum(axis=2), 1.0, rtol=1e-6)
    names = enc.get_feature_names_out()
    assert len(names) == out.shape[1] and names[49] == "node0:input"


def test_darts_graph_is_the_spaces_22_node_graph():
    space = get("darts")
    archs = space.sample_many(10, np.random.default_rng(2))
    g = GCNEncoding(space="darts", normalize="none").graphs(archs)
    assert g.adjacency.shape == (10, 22, 22) and g.operations.shape == (10, 22, 9)
    for a, arch in enumerate(archs):
        dag = space.to_graph(arch)
        np.testing.assert_array_equal(g.adjacency[a] - np.eye(22), dag.adjacency)
        # operation node 2 + k of the normal cell carries op index of pair k, shifted past the input column
        for k, (_, op) in enumerate(arch.normal):
            assert g.operations[a, 2 + k].argmax() == op + 1
        assert g.operations[a, [0, 1, 11, 12], 0].tolist() == [1, 1, 1, 1]
        assert g.operations[a, [10, 21], 8].tolist() == [1, 1]


def test_pyg_data_nb101():
    data = to_pyg_data("nb101", [CELL, CELL], y=[91.5, 90.25])
    assert len(data) == 2
    d = data[0]
    assert d.num_nodes == 4 and d.x.dtype == torch.float32
    assert {tuple(e) for e in d.edge_index.t().tolist()} == {(0, 1), (0, 2), (1, 2), (1, 3), (2, 3)}
    assert d.x.argmax(dim=1).tolist() == [0, 1, 3, 4]
    assert data[1].y.tolist() == [90.25]


def test_pyg_batches_with_torch_geometric():
    from torch_geometric.loader import DataLoader

    archs = get("darts").sample_many(6, np.random.default_rng(0))
    batch = next(iter(DataLoader(to_pyg_data("darts", archs, y=np.arange(6.0)), batch_size=6)))
    assert batch.num_graphs == 6 and batch.x.shape == (6 * 22, 9)
    assert batch.y.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_bad_input():
    with pytest.raises(InvalidInputError, match=r"GCNEncoding: normalize must be one of \['row', 'symmetric', 'none'\], got 'sym'"):
        GCNEncoding(space="nb101", normalize="sym").fit([CELL])
    with pytest.raises(InvalidInputError, match="below the 7 nodes"):
        GCNEncoding(space="nb101", max_nodes=5).fit([CELL])
    with pytest.raises(InvalidInputError, match="y has 1 values for 2"):
        to_pyg_data("nb101", [CELL, CELL], y=[1.0])
    with pytest.raises(InvalidInputError, match="y at position 1"):
        to_pyg_data("nb101", [CELL, CELL], y=[1.0, float("nan")])
    with pytest.raises(InvalidInputError, match="no architectures"):
        to_pyg_data("nb101", [])
