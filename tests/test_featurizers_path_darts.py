"""BANANAS path encoding of DARTS cells: a hand-checked cell and a slow enumeration on ``space.to_graph``."""

from __future__ import annotations

import numpy as np

from naspred.featurizers import PathEncoding, get
from naspred.spaces import get as get_space
from naspred.spaces.darts import OPS, DARTSArch

NORMAL = ((0, 3), (1, 3), (0, 2), (1, 4), (2, 0), (3, 1), (0, 5), (4, 6))
REDUCE = ((1, 0), (0, 1), (2, 2), (1, 2), (3, 3), (0, 4), (4, 5), (2, 6))
BLOCK = 1 + 7 + 49 + 343 + 2401


def _slow_counts(space, arch) -> np.ndarray:
    """Walk NASLib's 11-node graph of each cell (inputs 0, 1; operation nodes 2..9; output 10) from each input;
    every operation node reached ends a path (all intermediate nodes feed the output)."""
    dag = space.to_graph(arch)
    counts = np.zeros(4 * BLOCK)
    for cell in (0, 1):
        base = 11 * cell
        for source in (0, 1):
            stack = [(base + source, ())]
            while stack:
                v, seq = stack.pop()
                for w in np.flatnonzero(dag.adjacency[v]):
                    if w == base + 10:
                        continue
                    ops = (*seq, OPS.index(dag.node_ops[w]))
                    digits = sum(7**j * (op + 1) for j, op in enumerate(ops))
                    counts[(2 * cell + source) * BLOCK + digits] += 1
                    stack.append((int(w), ops))
    return counts


def test_hand_checked_normal_cell():
    out = PathEncoding(space="darts", count=True).fit_transform([DARTSArch(NORMAL, REDUCE)])[0]
    # from c_k-2: (3) 4, (2) 3, (3,0) 4+7, (2,1) 3+14, (5) 6, (3,0,6) 4+7+343, (2,1,6) 3+14+343
    # from c_k-1: (3) 4, (4) 5, (3,0) 11, (4,1) 5+14, (3,0,6) 354, (4,1,6) 5+14+343
    from_k2 = [3, 4, 6, 11, 17, 354, 360]
    from_k1 = [4, 5, 11, 19, 354, 362]
    assert list(np.flatnonzero(out[:BLOCK])) == from_k2
    assert list(np.flatnonzero(out[BLOCK : 2 * BLOCK])) == from_k1
    assert out[: 2 * BLOCK].sum() == 13
    names = PathEncoding(space="darts").get_feature_names_out()
    assert names[360] == "normal:path:c_k-2>skip_connect>avg_pool_3x3>dil_conv_5x5"
    assert names[BLOCK + 19] == "normal:path:c_k-1>sep_conv_5x5>avg_pool_3x3"


def test_matches_slow_enumeration():
    space = get_space("darts")
    archs = space.sample_many(300, np.random.default_rng(8))
    counts = PathEncoding(space="darts", count=True).fit_transform(archs)
    bits = PathEncoding(space="darts").fit_transform(archs)
    assert counts.shape == (300, 4 * BLOCK)
    for a, arch in enumerate(archs):
        expected = _slow_counts(space, arch)
        np.testing.assert_array_equal(counts[a], expected)
        np.testing.assert_array_equal(bits[a], np.minimum(expected, 1))


def test_truncation_is_bananas_cutoff():
    archs = get_space("darts").sample_many(20, np.random.default_rng(1))
    full = PathEncoding(space="darts").fit_transform(archs)
    trunc = get("truncated_path", space="darts").fit_transform(archs)
    assert trunc.shape == (20, 100)  # naszilla nas_bench_301/cell_301.py: trunc_path cutoff 100
    np.testing.assert_array_equal(trunc, full[:, :100])
