"""Encodings of NAS-Bench-Graph architectures: hand-checked layout and real Cora performances."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import kendalltau
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline

from naspred.errors import InvalidInputError
from naspred.featurizers import AdjacencyOneHot, CategoricalAdjacency, GCNEncoding, PathEncoding, get, to_pyg_data
from naspred.spaces import get as get_space
from naspred.spaces.nasbench_graph import NBGraphArch

# node 1 <- input, node 2 <- node 1, node 3 <- node 2, node 4 <- node 1; leaves 3 and 4 feed the output
ARCH = NBGraphArch((0, 1, 2, 1), ("gcn", "gin", "fc", "cheb"))
OPS = ("gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip")  # nas_bench_graph.gnn_list


def test_one_hot_hand_checked():
    enc = AdjacencyOneHot(space="nbgraph")
    out = enc.fit_transform([ARCH])
    assert out.shape == (1, 10 + 4 * 9)
    # inputs: node i + 1 has i + 1 choices, offsets 0, 1, 3, 6
    link_bits = [0 + 0, 1 + 1, 3 + 2, 6 + 1]
    op_bits = [10 + i * 9 + OPS.index(op) for i, op in enumerate(ARCH.ops)]
    assert list(np.flatnonzero(out[0])) == link_bits + op_bits
    names = enc.get_feature_names_out()
    assert names[5] == "node3:input=2" and names[op_bits[2]] == "node3:fc"
    cat = CategoricalAdjacency(space="nbgraph").fit_transform([ARCH])
    assert cat[0].tolist() == [0, 1, 2, 1, OPS.index("gcn"), OPS.index("gin"), OPS.index("fc"), OPS.index("cheb")]


def test_graphs_hand_checked():
    g = GCNEncoding(space="nbgraph", normalize="none").graphs([ARCH])
    assert g.adjacency.shape == (1, 6, 6) and g.operations.shape == (1, 6, 11)
    edges = {(0, 1), (1, 2), (2, 3), (1, 4), (3, 5), (4, 5)}
    expected = np.eye(6)
    for i, j in edges:
        expected[i, j] = 1
    np.testing.assert_array_equal(g.adjacency[0], expected)
    (data,) = to_pyg_data("nbgraph", [ARCH], y=[0.8])
    assert {tuple(e) for e in data.edge_index.t().tolist()} == edges
    assert data.x.argmax(dim=1).tolist() == [0, *(1 + OPS.index(op) for op in ARCH.ops), 10]


def test_path_encoding_is_not_defined():
    with pytest.raises(InvalidInputError, match="not defined for search space 'nbgraph'"):
        PathEncoding(space="nbgraph").fit([ARCH])


@pytest.mark.parametrize("name", ["adjacency_one_hot", "gcn"])
def test_pipeline_ranks_real_cora_architectures(name):
    from nas_bench_graph import light_read

    space = get_space("nbgraph")
    bench = light_read("cora")
    keys = sorted(bench)
    assert len(keys) == 26206
    order = np.random.default_rng(0).permutation(len(keys))[:2000]
    archs = np.array([space.from_hash_key(keys[i]) for i in order], dtype=object)
    perf = np.array([bench[keys[i]]["valid_perf"] for i in order])
    model = make_pipeline(get(name, space="nbgraph"), Ridge(alpha=1.0)).fit(archs[:1000], perf[:1000])
    tau = kendalltau(model.predict(archs[1000:]), perf[1000:])[0]
    assert tau > 0.2  # measured about 0.30 for both on another draw
    shuffled = make_pipeline(get(name, space="nbgraph"), Ridge(alpha=1.0)).fit(archs[:1000], np.roll(perf[:1000], 1))
    assert abs(kendalltau(shuffled.predict(archs[1000:]), perf[1000:])[0]) < tau
