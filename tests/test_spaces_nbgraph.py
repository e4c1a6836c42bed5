"""The NAS-Bench-Graph space, checked against the light files and the ``nas_bench_graph`` package."""

from __future__ import annotations

import itertools
import random

import nas_bench_graph
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nas_bench_graph.architecture import Arch
from naspred.errors import InvalidArchitectureError
from naspred.spaces import get
from naspred.spaces.nasbench201 import NB201Space
from naspred.spaces.nasbench_graph import LINKS, OPS, PROTEINS_OPS, NBGraphArch, NBGraphSpace

SPACE = NBGraphSpace()  # one instance: its representative table is built once


@pytest.fixture(scope="module")
def space() -> NBGraphSpace:
    return SPACE


@pytest.fixture(scope="module")
def cora() -> dict:
    return nas_bench_graph.light_read("cora")


@pytest.fixture(scope="module")
def proteins() -> dict:
    return nas_bench_graph.light_read("proteins")


archs = (
    st.tuples(
        st.tuples(*(st.integers(0, i) for i in range(4))),
        st.tuples(*(st.sampled_from(OPS) for _ in range(4))),
    )
    .filter(lambda lo: any(op != "skip" for op in lo[1]))
    .map(lambda lo: NBGraphArch(*lo))
)


def relabel(arch: NBGraphArch, order: tuple[int, ...]) -> NBGraphArch | None:
    """``arch`` with node k renamed ``order[k - 1]``; ``None`` if that breaks the topological order."""
    new = {0: 0, **{k + 1: order[k] for k in range(4)}}
    link = [0] * 4
    ops = [""] * 4
    for k in range(1, 5):
        source = new[arch.link[k - 1]]
        if source >= new[k]:
            return None
        link[new[k] - 1] = source
        ops[new[k] - 1] = arch.ops[k - 1]
    return NBGraphArch(tuple(link), tuple(ops))


def package_key(arch: NBGraphArch) -> int:
    return Arch(list(arch.link), list(arch.ops)).valid_hash()


# --------------------------------------------------------------------------- benchmark keys
def test_every_light_key_is_its_own_representative(space, cora):
    assert len(cora) == 26_206
    for key in cora:
        arch = space.from_hash_key(key)
        assert space.canonical(arch) == arch
        assert space.hash_key(arch) == key
    assert [space.hash_key(a) for a in space.enumerate_canonical()] == sorted(cora)


def test_proteins_keys(space, cora, proteins):
    assert len(proteins) == 2_021
    assert set(proteins) <= set(cora)
    for key in proteins:
        arch = space.from_hash_key(key, proteins=True)
        assert set(arch.ops) <= set(PROTEINS_OPS)
        assert space.canonical(arch) == arch
        assert space.hash_key(arch, proteins=True) == key
    # the package's base-6 proteins hash does not give the keys of the shipped file
    base6 = {Arch(list(a.link), list(a.ops)).hash_arch(use_proteins=True) for a in map(space.from_hash_key, proteins)}
    assert max(base6) < 9 * 6**4 < max(proteins)
    assert len(base6 & set(proteins)) < len(proteins) // 10


def test_hash_key_matches_package_valid_hash(space):
    rng = random.Random(7)
    everything = list(space.enumerate())
    for arch in rng.sample(everything, 4_000):
        assert space.hash_key(arch) == package_key(arch)


def test_counts_before_and_after_canonicalisation(space, cora, proteins):
    everything = list(space.enumerate())
    assert len(everything) == len(set(everything)) == space.size == 24 * (9**4 - 1) == 157_440
    reps = {space.canonical(a) for a in everything}
    assert len(reps) == len(cora) == 26_206
    assert {space.hash_key(r) for r in reps} == set(cora)
    small = [a for a in everything if set(a.ops) <= set(PROTEINS_OPS)]
    assert len(small) == 24 * (5**4 - 1)
    assert len({space.canonical(a) for a in small}) == len(proteins) == 2_021


def test_readme_example(space):
    """The README's network gcn -> {gin -> fc, cheb}, written in another node order. (Its second
    spelling, ops ['gcn', 'cheb', 'gin', 'fc'] on [0, 1, 1, 2], is gcn -> {cheb -> fc, gin}: another
    network, and the package's own valid_hash tells them apart.)"""
    a = NBGraphArch((0, 1, 2, 1), ("gcn", "gin", "fc", "cheb"))
    same = NBGraphArch((0, 1, 1, 2), ("gcn", "gin", "cheb", "fc"))
    readme = NBGraphArch((0, 1, 1, 2), ("gcn", "cheb", "gin", "fc"))
    assert space.canonical(a) == space.canonical(same)
    assert space.canonical(a) != space.canonical(readme)
    for arch in (a, same, readme):
        assert space.hash_key(arch) == package_key(arch)


@settings(max_examples=100, deadline=None)
@given(archs, st.permutations([1, 2, 3, 4]))
def test_canonical_invariant_under_relabelling(arch, order):
    space = SPACE
    other = relabel(arch, tuple(order))
    if other is not None:
        assert space.canonical(other) == space.canonical(arch)
    rep = space.canonical(arch)
    assert space.canonical(rep) == rep


def test_skip_nodes_move_freely(space):
    # a skip between the input and a node, or a chain of skips, changes nothing
    assert space.canonical(NBGraphArch((0, 1, 0, 0), ("skip", "gcn", "gat", "gat"))) == space.canonical(
        NBGraphArch((0, 0, 0, 0), ("skip", "gcn", "gat", "gat"))
    )
    # a skip leaf re-reads its parent: gcn(x) reaches the output twice, unlike gcn(x) alone
    twice = NBGraphArch((0, 1, 1, 0), ("gcn", "skip", "skip", "skip"))
    assert space.canonical(twice) != space.canonical(NBGraphArch((0, 1, 2, 3), ("skip", "skip", "skip", "gcn")))
    assert space.hash_key(twice) == package_key(twice)
    # a skip leaf that re-reads the raw input adds nothing
    once = NBGraphArch((0, 1, 0, 0), ("gcn", "skip", "skip", "skip"))
    assert space.canonical(once) == space.canonical(NBGraphArch((0, 1, 2, 3), ("skip", "skip", "skip", "gcn")))
    assert space.hash_key(once) == package_key(once)


# --------------------------------------------------------------------------- notation, mutation, sampling
@settings(max_examples=100, deadline=None)
@given(archs)
def test_parse_format_round_trip(arch):
    space = SPACE
    assert space.parse(space.format(arch)) == arch
    assert space.parse(f"({list(arch.link)}, {list(arch.ops)})") == arch


@settings(max_examples=100, deadline=None)
@given(archs, st.integers(0, 2**32 - 1))
def test_mutation_and_neighbours(arch, seed):
    space = SPACE
    nbrs = space.neighbours(arch)
    assert len(nbrs) == len(set(nbrs))
    expected = 4 * (len(OPS) - 1) + (0 + 1 + 2 + 3)
    if sum(op != "skip" for op in arch.ops) == 1:
        expected -= 1  # turning the only non-skip operation into skip leaves the space
    assert len(nbrs) == expected
    assert all(space.contains(n) and n != arch for n in nbrs)
    assert all(sum(a != b for a, b in zip(arch.link + arch.ops, n.link + n.ops)) == 1 for n in nbrs)
    child = space.mutate(arch, np.random.default_rng(seed))
    assert child in nbrs


def test_uniform_sampling(space):
    rng = np.random.default_rng(5)
    n = 20_000
    sample = space.sample_many(n, rng)
    assert all(space.contains(a) for a in sample[:200])
    assert all(NBGraphArch(a.link, a.ops) == a for a in sample[:2_000])  # valid by the checked constructor
    singles = [space.sample(rng) for _ in range(2_000)]
    counts = np.bincount([a.link[3] for a in singles], minlength=4)
    assert np.all(np.abs(counts - 500) < 5 * np.sqrt(500))
    for i in range(4):
        counts = np.bincount([a.link[i] for a in sample], minlength=i + 1)
        assert np.all(np.abs(counts - n / (i + 1)) < 5 * np.sqrt(n / (i + 1)))
        op_counts = np.bincount([OPS.index(a.ops[i]) for a in sample], minlength=len(OPS))
        assert np.all(np.abs(op_counts - n / len(OPS)) < 5 * np.sqrt(n / len(OPS)))
    assert len(LINKS) == 24 and len({a.link for a in sample}) == 24


def test_to_graph(space):
    dag = space.to_graph(NBGraphArch((0, 1, 2, 1), ("gcn", "gin", "fc", "cheb")))
    edges = {tuple(e) for e in np.argwhere(dag.adjacency)}
    assert edges == {(0, 1), (1, 2), (2, 3), (1, 4), (3, 5), (4, 5)}
    assert dag.node_ops == ("input", "gcn", "gin", "fc", "cheb", "output")
    assert np.array_equal(np.triu(dag.adjacency, 1), dag.adjacency)


# --------------------------------------------------------------------------- bad input
def test_bad_architectures():
    with pytest.raises(InvalidArchitectureError, match=r"unknown operation 'gnn' at node 2"):
        NBGraphArch((0, 1, 2, 3), ("gcn", "gnn", "gat", "gat"))
    with pytest.raises(InvalidArchitectureError, match="4 entries each, got 3 and 4"):
        NBGraphArch((0, 1, 2), ("gcn", "gcn", "gat", "gat"))
    with pytest.raises(InvalidArchitectureError, match=r"node 3 takes input 3; expected 0\.\.2"):
        NBGraphArch((0, 1, 3, 3), ("gcn", "gcn", "gat", "gat"))
    with pytest.raises(InvalidArchitectureError, match="all four operations are 'skip'"):
        NBGraphArch((0, 1, 2, 3), ("skip",) * 4)
    space = NBGraphSpace()
    cell = NB201Space().from_indices([0] * 6)
    with pytest.raises(InvalidArchitectureError, match="expected an NBGraphArch.*NB201Arch"):
        space.canonical(cell)
    assert not space.contains(cell)


def test_bad_text_and_keys():
    space = NBGraphSpace()
    with pytest.raises(InvalidArchitectureError, match="operation digit 9"):
        space.from_hash_key(1119)
    with pytest.raises(InvalidArchitectureError, match="outside 0..89999"):
        space.from_hash_key(90_000)
    with pytest.raises(InvalidArchitectureError, match="integer"):
        space.from_hash_key("1111")
    with pytest.raises(InvalidArchitectureError, match="'gat' at node 1 is not in the proteins benchmark"):
        space.from_hash_key(1, proteins=True)
    with pytest.raises(InvalidArchitectureError, match="'skip'"):
        space.from_hash_key(88888)
    with pytest.raises(InvalidArchitectureError, match="not in the proteins"):
        space.hash_key(NBGraphArch((0, 0, 0, 0), ("gin", "gcn", "gcn", "gcn")), proteins=True)


def test_registry():
    assert type(get("nbgraph")) is NBGraphSpace


def test_link_vectors_are_all_valid_inputs():
    assert set(LINKS) == set(itertools.product(range(1), range(2), range(3), range(4)))
