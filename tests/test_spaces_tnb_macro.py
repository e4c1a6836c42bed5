"""TransNAS-Bench-101 macro space: enumeration count, notations, mutation, sampling, errors."""

from __future__ import annotations

from collections import Counter
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from naspred.errors import InvalidArchitectureError
from naspred.spaces import get
from naspred.spaces.transnas_macro import TNB101MacroArch, TNB101MacroSpace, naslib_key

SPACE = TNB101MacroSpace()
ALL = list(SPACE.enumerate())

# Keys of NAS-Bench-Suite-Zero's zc_transbench101_macro.json (automl/NASLib,
# naslib/data/zc_transbench101_macro.json, commit e5a821c2dadf608042e4e046e386006cf6bd0564).
ZC_KEYS = {
    "(1, 2, 4, 2, 0, 0)": "64-1242-basic",
    "(2, 1, 2, 4, 0, 0)": "64-2124-basic",
    "(1, 2, 1, 1, 1, 3)": "64-121113-basic",
    "(4, 1, 3, 3, 3, 1)": "64-413331-basic",
    "(3, 4, 4, 3, 0, 0)": "64-3443-basic",
    "(4, 4, 1, 3, 4, 0)": "64-44134-basic",
}


def expected_count(length: int) -> int:
    """Skeletons of one length: positions that downsample (1..4 of them) and positions that double
    the channels (1..3 of them) are chosen independently."""
    return sum(comb(length, d) for d in range(1, 5)) * sum(comb(length, c) for c in range(1, 4))


def test_enumeration_gives_the_benchmark_count():
    # "Search space 'macro' contains 3256 architectures." (TransNASBench README)
    assert len(ALL) == len(set(ALL)) == 3256 == SPACE.size
    by_length = Counter(len(a.modules) for a in ALL)
    assert by_length == {4: expected_count(4), 5: expected_count(5), 6: expected_count(6)}
    assert sum(expected_count(n) for n in (4, 5, 6)) == 3256


def test_readme_examples_and_zc_keys_parse():
    assert SPACE.parse("64-1234-basic").modules == (1, 2, 3, 4)
    assert SPACE.contains(SPACE.parse("64-2311-basic"))  # api.index2arch(1) in the README
    for key, arch_str in ZC_KEYS.items():
        arch = SPACE.parse(key)
        assert SPACE.format(arch) == arch_str
        assert naslib_key(arch) == key
        assert SPACE.parse(arch_str.split("-")[1]) == arch


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(ALL))
def test_notations_round_trip(arch):
    assert SPACE.parse(SPACE.format(arch)) == arch
    assert SPACE.parse(naslib_key(arch)) == arch
    assert SPACE.canonical(arch) == arch.modules


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(ALL), st.integers(0, 2**32 - 1))
def test_mutation_stays_in_space_and_changes_the_arch(arch, seed):
    child = SPACE.mutate(arch, np.random.default_rng(seed))
    assert child != arch and SPACE.contains(child)
    assert child in SPACE.neighbours(arch)


def test_every_skeleton_has_neighbours_inside_the_space():
    members = set(ALL)
    for arch in ALL:
        nbrs = SPACE.neighbours(arch)
        assert nbrs and arch not in nbrs and len(set(nbrs)) == len(nbrs)
        assert set(nbrs) <= members


def test_sampling_is_uniform_over_skeletons():
    rng = np.random.default_rng(3)
    n = 20_000
    draws = SPACE.sample_many(n, rng)
    counts = Counter(len(a.modules) for a in draws)
    for length in (4, 5, 6):
        p = expected_count(length) / 3256
        assert abs(counts[length] - n * p) < 4 * np.sqrt(n * p * (1 - p))
    # 20,000 uniform draws over 3,256 skeletons leave about 3256 * exp(-20000 / 3256) ~ 7 unseen
    assert len(set(draws)) > 3200


def test_graph_is_a_chain():
    g = SPACE.to_graph(SPACE.parse("64-1234-basic"))
    assert g.node_ops == ("input", "normal", "channel_x2", "downsample", "channel_x2_downsample", "output")
    np.testing.assert_array_equal(g.adjacency, np.eye(6, k=1, dtype=int))
    assert isinstance(get("tnb101-macro"), TNB101MacroSpace)


def test_arch_type_checks_its_codes():
    with pytest.raises(InvalidArchitectureError, match="string"):
        TNB101MacroArch("1234")  # type: ignore[arg-type]
    with pytest.raises(InvalidArchitectureError, match="integers"):
        TNB101MacroArch((1, 2, 3.5, 4))  # type: ignore[arg-type]
