"""NAS-Bench-Suite-Zero zc_<space>.json: small files written in the upstream layout, filled from real records."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from naspred import benchmarks
from naspred.benchmarks import suite_zero
from naspred.errors import DataFileError, MissingDataError, NoTargetError, UnknownNameError
from naspred.spaces import get as get_space


pytestmark = pytest.mark.usefixtures("private_cache")


@pytest.fixture(scope="module")
def zen_records(data_home: Path) -> dict[str, list[dict]]:
    """The first 20 records per dataset of NASLib's nb201_zen.zip (a NAS-Bench-Suite-Zero output)."""
    out: dict[str, list[dict]] = {}
    with zipfile.ZipFile(data_home / "naslib" / "nb201_zen.zip") as zf:
        for ds in ("cifar10", "cifar100"):
            out[ds] = json.loads(zf.read(f"zen/benchmark--nasbench201--{ds}--0.json"))[:20]
    return out


@pytest.fixture
def write_file(tmp_path: Path):
    """``write_file(name, content)``: the file ``name`` of ``tmp_path`` holding ``content`` (as JSON unless text)."""

    def write(name: str, content: object) -> Path:
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return path

    return write


@pytest.fixture
def nb201_json(write_file, zen_records: dict[str, list[dict]]) -> Path:
    data = {
        ds: {r["arch"]: {"zen": r["zen"], "plain_zen": r["zen"]["score"], "val_accuracy": r["val_accuracy"]} for r in recs}
        for ds, recs in zen_records.items()
    }
    path = write_file("zc_nasbench201.json", data)
    return path


def test_nb201_file(nb201_json: Path, zen_records: dict[str, list[dict]]) -> None:
    bench = suite_zero.load_path(nb201_json, dataset="cifar100")
    space = get_space("nb201")
    recs = zen_records["cifar100"]
    assert bench.space.name == "nb201" and bench.dataset == "cifar100" and len(bench) == len(recs)
    assert list(bench.table["arch"]) == [space.format(space.parse(r["arch"])) for r in recs]
    assert list(bench.y) == [r["val_accuracy"] for r in recs]
    assert list(bench.table["proxy:zen"]) == [r["zen"]["score"] for r in recs]
    assert list(bench.table["proxy_seconds:zen"]) == [r["zen"]["time"] for r in recs]
    # a bare number is an older file's proxy without a time
    assert list(bench.table["proxy:plain_zen"]) == [r["zen"]["score"] for r in recs]
    assert "proxy_seconds:plain_zen" not in bench.table.columns
    assert sorted(bench.proxies) == ["plain_zen", "zen"]


def test_default_dataset_and_registry(nb201_json: Path, zen_records: dict[str, list[dict]]) -> None:
    assert suite_zero.detect(nb201_json)
    bench = benchmarks.load(str(nb201_json))
    assert bench.dataset == "cifar10" and list(bench.y) == [r["val_accuracy"] for r in zen_records["cifar10"]]


def test_unknown_dataset_lists_those_present(nb201_json: Path) -> None:
    with pytest.raises(UnknownNameError, match=r"no dataset 'ImageNet16-120'.*\['cifar10', 'cifar100'\]"):
        suite_zero.load_path(nb201_json, dataset="imagenet16")


def test_several_datasets_without_cifar10_need_a_choice(write_file) -> None:
    entry = {"val_accuracy": 50.0, "params": {"score": 1.0, "time": 0.1}}
    data = {"jigsaw": {"(1, 2, 3, 4, 0, 0)": entry}, "class_scene": {"(1, 2, 3, 4, 0, 0)": entry}}
    path = write_file("zc_transbench101_macro.json", data)
    with pytest.raises(DataFileError, match=r"holds datasets \['class_scene', 'jigsaw'\]; pass --dataset"):
        suite_zero.load_path(path)
    bench = suite_zero.load_path(path, dataset="jigsaw")
    assert bench.space.name == "tnb101-macro" and bench.dataset == "jigsaw"
    assert list(bench.table["arch"]) == [get_space("tnb101-macro").format(get_space("tnb101-macro").parse("1234"))]


def test_nb101_unpruned_keys_naming_one_cell(write_file) -> None:
    # 7 x 7 keys (flattened matrix, then NASLib op codes input=0 output=1 maxpool=2 conv1x1=3 conv3x3=4)
    # that prune to the same cell input -> conv3x3 -> output: vertices 2..5 are dead in both
    def key(dead_op: int) -> str:
        m = np.zeros((7, 7), dtype=int)
        m[0, 1] = m[1, 6] = 1
        m[2, 3] = 1  # a dead edge between dead vertices
        return str(tuple(int(v) for v in [*m.flatten(), 0, 4, dead_op, dead_op, 3, 2, 1]))

    other = np.zeros((7, 7), dtype=int)
    other[0, 1] = other[1, 2] = other[2, 6] = 1
    other_key = str(tuple(int(v) for v in [*other.flatten(), 0, 4, 3, 2, 2, 2, 1]))
    data = {"cifar10": {
        key(2): {"val_accuracy": 80.0, "jacov": {"score": -60.0, "time": 0.5}},
        key(3): {"val_accuracy": 80.0, "jacov": {"score": -61.0, "time": 0.4}},
        other_key: {"val_accuracy": 85.0, "jacov": {"score": -50.0, "time": 0.6}},
    }}  # fmt: skip
    path = write_file("zc_nasbench101.json", data)
    bench = suite_zero.load_path(path)
    assert bench.space.name == "nb101" and len(bench) == 2
    assert list(bench.y) == [80.0, 85.0] and list(bench.table["proxy:jacov"]) == [-60.0, -50.0]
    assert any("1 keys name a cell already listed" in n and "0 of the dropped" in n for n in bench.notes)


def test_nb301_compact_keys(write_file) -> None:
    # NASLib's NB301 test fixture spec (naslib/tests/test_nb301_search_space.py)
    spec = "(((0, 6), (1, 4), (0, 0), (1, 5), (1, 4), (3, 2), (0, 6), (3, 2)), ((0, 1), (1, 4), (0, 1), (1, 4), (2, 6), (3, 4), (1, 5), (2, 1)))"
    record = {"val_accuracy": 94.0, "synflow": {"score": 1e30, "time": 2.0}}
    path = write_file("zc_nasbench301.json", {"cifar10": {spec: record}})
    bench = suite_zero.load_path(path)
    space = get_space("darts")
    assert bench.space.name == "darts" and space.parse(bench.table["arch"][0]) == space.parse(spec)


def test_non_finite_scores_are_reported(write_file) -> None:
    path = write_file(
        "zc_nasbench201.json",
        '{"cifar10": {"(4, 0, 3, 1, 4, 3)": {"val_accuracy": 84.99, "grasp": {"score": NaN, "time": 1.0}},'
        ' "(2, 4, 0, 0, 3, 2)": {"val_accuracy": 90.52, "grasp": {"score": null, "time": 1.0}}}}'
    )
    bench = suite_zero.load_path(path)
    assert any("proxy:grasp: 2 values are NaN, null or infinite" in n for n in bench.notes)
    path.write_text('{"cifar10": {"(4, 0, 3, 1, 4, 3)": {"val_accuracy": 84.99, "grasp": {"score": "high"}}}}')
    with pytest.raises(DataFileError, match=r"proxy 'grasp' score: 'high' is not a number"):
        suite_zero.load_path(path, cache=False)


def test_errors(write_file) -> None:
    bad = write_file("zc_nasbench201.json", '{"cifar10": {"(4, 0, 3')
    with pytest.raises(DataFileError, match="zc_nasbench201.json: not valid JSON"):
        suite_zero.load_path(bad)
    unnamed = write_file("scores.json", '{"cifar10": {"(4, 0, 3, 1, 4, 3)": {"val_accuracy": 84.99}}}')
    assert suite_zero.detect(unnamed)
    with pytest.raises(DataFileError, match="cannot tell the search space"):
        suite_zero.load_path(unnamed)
    assert suite_zero.load_path(unnamed, space="nasbench201").y[0] == 84.99
    sidecar = write_file("curves.csv.json", '{"space": "nb201", "target": "val_accuracy"}')
    assert not suite_zero.detect(sidecar)
    wrong_space = write_file("zc_nasbench101.json", '{"cifar10": {"(4, 0, 3, 1, 4, 3)": {"val_accuracy": 84.99}}}')
    with pytest.raises(DataFileError, match=r"zc_nasbench101.json: architecture '\(4, 0, 3, 1, 4, 3\)' is not in space 'nb101'"):
        suite_zero.load_path(wrong_space)
    no_acc = write_file("zc_nasbench201_old.json", '{"cifar10": {"(4, 0, 3, 1, 4, 3)": {"snip": 1.0}}}')
    with pytest.raises(NoTargetError, match=r"holds proxies \['snip'\] of 1 nb201 architectures.*no target"):
        suite_zero.load_path(no_acc)
    assert list(suite_zero.load_proxy_table(no_acc).table["proxy:snip"]) == [1.0]


def test_data_home_lookup(tmp_path: Path, nb201_json: Path) -> None:
    with pytest.raises(MissingDataError, match=r"zc_nasbench201\.json is missing.*download_nbs_zero\.sh"):
        suite_zero.load_suite_zero("nb201", data_home=tmp_path / "empty")
    home = tmp_path / "home"
    (home / "naslib").mkdir(parents=True)
    (home / "naslib" / "zc_nasbench201.json").write_bytes(nb201_json.read_bytes())
    assert len(suite_zero.load_suite_zero("nb201", "cifar100", data_home=home)) == 20
    with pytest.raises(UnknownNameError, match="no NAS-Bench-Suite-Zero file for space 'spikenas'"):
        suite_zero.load_suite_zero("spikenas", data_home=home)


def test_tnb101_micro_keys(write_file) -> None:
    record = {"val_accuracy": 45.0, "flops": {"score": 2.0, "time": 0.1}}
    path = write_file("zc_transbench101_micro.json", {"class_object": {"(0, 0, 2, 3, 3, 3)": record}})
    bench = suite_zero.load_path(path)
    # NASLib queries micro cells as '64-41414-{}_{}{}_{}{}{}'.format(*op_indices)
    assert bench.space.name == "tnb101-micro" and list(bench.table["arch"]) == ["64-41414-0_02_333"]
    assert bench.dataset == "class_object" and bench.table["proxy:flops"][0] == 2.0
