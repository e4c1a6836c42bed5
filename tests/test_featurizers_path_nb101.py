"""BANANAS path encoding of NAS-Bench-101 cells against a slow path enumeration on ``space.to_graph``."""

from __future__ import annotations

import numpy as np
import pytest

from naspred.errors import InvalidInputError
from naspred.featurizers import PathEncoding, get
from naspred.spaces import get as get_space
from naspred.spaces.nasbench101 import NB101Arch

PATH_OPS = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")


def _slow_paths(adjacency: np.ndarray, node_ops: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every input -> output path by depth-first search, as the sequence of its interior operations."""
    n = adjacency.shape[0]
    found: list[tuple[str, ...]] = []

    def walk(v: int, seq: tuple[str, ...]) -> None:
        if v == n - 1:
            found.append(seq)
            return
        for w in range(n):
            if adjacency[v, w]:
                walk(w, seq if w == n - 1 else seq + (node_ops[w],))

    walk(0, ())
    return found


def _slow_index(seq: tuple[str, ...]) -> int:
    """Paths shorter first ((3^L - 1) / 2 of them), then the ops read as a base-3 number, first op lowest."""
    digits = "".join(str(PATH_OPS.index(op)) for op in reversed(seq))
    return (3 ** len(seq) - 1) // 2 + (int(digits, 3) if digits else 0)


@pytest.fixture(scope="module")
def sample():
    space = get_space("nb101")
    return space, space.sample_many(400, np.random.default_rng(11))


def test_matches_slow_enumeration(sample):
    space, archs = sample
    bits = PathEncoding(space="nb101").fit_transform(archs)
    counts = PathEncoding(space="nb101", count=True).fit_transform(archs)
    assert bits.shape == counts.shape == (400, 364)
    for a, arch in enumerate(archs):
        dag = space.to_graph(arch)
        paths = _slow_paths(dag.adjacency, dag.node_ops)
        expected = np.zeros(364)
        for p in paths:
            expected[_slow_index(p)] += 1
        np.testing.assert_array_equal(counts[a], expected)
        np.testing.assert_array_equal(bits[a], np.minimum(expected, 1))


def test_count_total_is_the_number_of_paths(sample):
    _, archs = sample
    counts = PathEncoding(space="nb101", count=True).fit_transform(archs)
    for a, arch in enumerate(archs):
        adj = np.asarray(arch.matrix)
        walks = sum(np.linalg.matrix_power(adj, k)[0, -1] for k in range(1, adj.shape[0]))
        assert counts[a].sum() == walks


def test_hand_checked_cell():
    # input -> conv3x3 (1) -> maxpool (2) -> output, input -> 2, 1 -> output
    cell = NB101Arch(
        matrix=((0, 1, 1, 0), (0, 0, 1, 1), (0, 0, 0, 1), (0, 0, 0, 0)),
        ops=("input", "conv3x3-bn-relu", "maxpool3x3", "output"),
    )
    enc = PathEncoding(space="nb101")
    out = enc.fit_transform([cell])
    # paths: (conv3x3) -> 1 ; (maxpool) -> 3 ; (conv3x3, maxpool) -> 1 * 1 + 3 * 3 = 10
    assert list(np.flatnonzero(out[0])) == [1, 3, 10]
    names = enc.get_feature_names_out()
    assert names[10] == "path:conv3x3-bn-relu>maxpool3x3"
    assert names[0] == "path:input>output"


def test_direct_input_output_edge_is_path_zero():
    cell = NB101Arch(matrix=((0, 1), (0, 0)), ops=("input", "output"))
    out = PathEncoding(space="nb101").fit_transform([cell])
    assert list(np.flatnonzero(out[0])) == [0]


def test_truncation(sample):
    _, archs = sample
    full = PathEncoding(space="nb101").fit_transform(archs)
    trunc = get("truncated_path", space="nb101").fit_transform(archs)
    assert trunc.shape == (400, 40)  # BANANAS's NAS-Bench-101 cutoff (naszilla cell_101.py, cutoff=40)
    np.testing.assert_array_equal(trunc, full[:, :40])
    np.testing.assert_array_equal(PathEncoding(space="nb101", truncate=13).fit_transform(archs), full[:, :13])
    assert len(PathEncoding(space="nb101", truncate=13).get_feature_names_out()) == 13
    with pytest.raises(InvalidInputError, match=r"outside \[1, 364\]"):
        PathEncoding(space="nb101", truncate=365).fit(archs)
    with pytest.raises(InvalidInputError, match="truncate must be"):
        PathEncoding(space="nb101", truncate=2.5).fit(archs)


def test_unsupported_space():
    with pytest.raises(InvalidInputError, match="PathEncoding is not defined for search space 'tnb101-macro'"):
        PathEncoding(space="tnb101-macro").get_feature_names_out()
