"""NASLib full-training pickles: small files written here in each upstream schema, then loaded."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from naspred import benchmarks
from naspred.benchmarks import naslib_pickles
from naspred.errors import (
    DataFileError,
    MissingDataError,
    UnknownNameError,
    UnsafePickleError,
)
from naspred.spaces import get as get_space

# NB201 strings (edges (0->1), (0->2), (1->2), (0->3), (1->3), (2->3)), as NAS-Bench-201 writes them
NB201_CELLS = (
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
    "|avg_pool_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|avg_pool_3x3~1|nor_conv_1x1~2|",
    "|nor_conv_1x1~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|",
)
# the compact genotype of NASLib's own NB301 test fixture (naslib/tests/test_nb301_search_space.py)
NB301_SPECS = (
    (((0, 6), (1, 4), (0, 0), (1, 5), (1, 4), (3, 2), (0, 6), (3, 2)),
     ((0, 1), (1, 4), (0, 1), (1, 4), (2, 6), (3, 4), (1, 5), (2, 1))),
    (((0, 1), (1, 4), (0, 6), (2, 0), (2, 6), (1, 4), (0, 5), (2, 2)),
     ((0, 5), (1, 6), (0, 1), (1, 5), (2, 5), (1, 2), (3, 3), (0, 3))),
)  # fmt: skip


pytestmark = pytest.mark.usefixtures("private_cache")


def _nb201_record(i: int, epochs: int, train_time: float) -> dict:
    e = np.arange(1, epochs + 1, dtype=np.float64)
    return {
        "train_losses": list(2.3 / e + i),
        "eval_losses": list(2.4 / e + i),
        "train_acc1es": list(100 - 90 / e - i),
        "eval_acc1es": list(95 - 90 / e - i),
        "cost_info": {"flops": 10.0 + i, "params": np.float64(0.1 * (i + 1)), "latency": 0.01, "train_time": train_time},
    }


def _write(path: Path, obj: object) -> Path:
    with open(path, "wb") as fh:
        pickle.dump(obj, fh, protocol=4)
    return path


@pytest.fixture
def nb201_file(tmp_path: Path) -> Path:
    data = {
        s: {"cifar10-valid": _nb201_record(i, 200, 4000.0 * (i + 1)), "cifar100": _nb201_record(i + 5, 200, 0.0)}
        for i, s in enumerate(NB201_CELLS)
    }
    return _write(tmp_path / "nb201_cifar10_full_training.pickle", data)


def test_nb201_pickle_curves_target_and_cost(nb201_file: Path) -> None:
    bench = naslib_pickles.load_path(nb201_file)
    space = get_space("nb201")
    assert bench.space.name == "nb201" and bench.dataset == "cifar10" and len(bench) == 3
    assert list(bench.table["arch"]) == [space.format(space.parse(s)) for s in NB201_CELLS]
    with open(nb201_file, "rb") as fh:
        raw = pickle.load(fh)
    for i, s in enumerate(NB201_CELLS):
        rec = raw[s]["cifar10-valid"]
        assert bench.table["val_accuracy"][i] == rec["eval_acc1es"][-1]
        np.testing.assert_array_equal(bench.curves["train_loss"].values[i], rec["train_losses"])
        np.testing.assert_array_equal(bench.curves["val_loss"].values[i], rec["eval_losses"])
        np.testing.assert_array_equal(bench.curves["train_accuracy"].values[i], rec["train_acc1es"])
        np.testing.assert_array_equal(bench.curves["val_accuracy"].values[i], rec["eval_acc1es"])
        assert bench.epoch_seconds[i] == pytest.approx(rec["cost_info"]["train_time"] / 200)
        assert bench.table["params"][i] == pytest.approx(rec["cost_info"]["params"])
    np.testing.assert_array_equal(bench.curves["val_accuracy"].epochs, np.arange(1, 201))


def test_nb201_pickle_other_dataset_without_train_time(nb201_file: Path) -> None:
    bench = naslib_pickles.load_path(nb201_file, dataset="cifar100")
    with open(nb201_file, "rb") as fh:
        raw = pickle.load(fh)
    assert list(bench.y) == [raw[s]["cifar100"]["eval_acc1es"][-1] for s in NB201_CELLS]
    assert bench.epoch_seconds is None
    assert any("no training time" in n for n in bench.notes)


def test_nb201_pickle_missing_dataset_lists_keys(nb201_file: Path) -> None:
    with pytest.raises(UnknownNameError, match=r"cifar10-valid.*cifar100"):
        naslib_pickles.load_path(nb201_file, dataset="imagenet16")
    with pytest.raises(UnknownNameError, match="unknown NAS-Bench-201 dataset 'svhn'"):
        naslib_pickles.load_path(nb201_file, dataset="svhn")


def test_nb201_pickle_uneven_curves_are_padded(tmp_path: Path) -> None:
    data = {NB201_CELLS[0]: {"cifar100": _nb201_record(0, 200, 10.0)}, NB201_CELLS[1]: {"cifar100": _nb201_record(1, 150, 10.0)}}
    path = _write(tmp_path / "nb201_cifar100_full_training.pickle", data)
    bench = naslib_pickles.load_path(path)
    assert bench.dataset == "cifar100"
    assert np.isnan(bench.curves["val_accuracy"].values[1, 150:]).all()
    assert bench.y[1] == data[NB201_CELLS[1]]["cifar100"]["eval_acc1es"][-1]
    assert bench.epoch_seconds[1] == pytest.approx(10.0 / 150)


def _nb101_entry(matrix: list[list[int]], ops: list[str], runs: list[tuple[float, float, float, float]]) -> tuple:
    fixed = {"module_adjacency": np.array(matrix, dtype=np.int8), "module_operations": ops, "trainable_parameters": 1000 + len(ops)}
    computed = {
        108: [
            {
                "halfway_training_time": t / 2, "halfway_train_accuracy": a - 0.1,
                "halfway_validation_accuracy": v - 0.1, "halfway_test_accuracy": te - 0.1,
                "final_training_time": t, "final_train_accuracy": a,
                "final_validation_accuracy": np.float64(v), "final_test_accuracy": te,
            }
            for t, a, v, te in runs
        ]
    }
    return fixed, computed


def test_nb101_pickle(tmp_path: Path) -> None:
    m1 = [[0, 1, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]]
    o1 = ["input", "conv3x3-bn-relu", "maxpool3x3", "conv1x1-bn-relu", "output"]
    m2 = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    o2 = ["input", "conv3x3-bn-relu", "output"]
    runs1 = [(1500.0, 1.0, 0.93, 0.92), (1510.0, 1.0, 0.94, 0.925), (1490.0, 0.99, 0.935, 0.93)]
    runs2 = [(700.0, 0.9, 0.81, 0.8), (710.0, 0.91, 0.82, 0.81), (690.0, 0.9, 0.83, 0.82)]
    data = {"a" * 32: _nb101_entry(m1, o1, runs1), "b" * 32: _nb101_entry(m2, o2, runs2)}
    bench = naslib_pickles.load_path(_write(tmp_path / "nasbench_only108.pkl", data))
    space = get_space("nb101")
    assert bench.space.name == "nb101" and len(bench) == 2
    assert space.parse(bench.table["arch"][0]) == space.parse(space.format(space.parse(bench.table["arch"][0])))
    assert space.parse(bench.table["arch"][1]).ops == tuple(o2)
    for i, runs in enumerate((runs1, runs2)):
        assert bench.y[i] == pytest.approx(100 * np.mean([r[2] for r in runs]))
        assert bench.table["test_accuracy"][i] == pytest.approx(100 * np.mean([r[3] for r in runs]))
        assert bench.epoch_seconds[i] == pytest.approx(np.mean([r[0] for r in runs]) / 108)
        np.testing.assert_allclose(
            bench.curves["val_accuracy"].values[i], [100 * (np.mean([r[2] for r in runs]) - 0.1), bench.y[i]]
        )
    np.testing.assert_array_equal(bench.curves["val_accuracy"].epochs, [54, 108])
    assert list(bench.table["module_hash"]) == ["a" * 32, "b" * 32]


def test_nb101_pickle_invalid_cell_names_file(tmp_path: Path) -> None:
    disconnected = [[0, 0, 0], [0, 0, 1], [0, 0, 0]]
    data = {"c" * 32: _nb101_entry(disconnected, ["input", "conv3x3-bn-relu", "output"], [(1.0, 0.5, 0.5, 0.5)])}
    path = _write(tmp_path / "nasbench_only108.pkl", data)
    with pytest.raises(DataFileError, match="nasbench_only108.pkl.*not a NAS-Bench-101 cell"):
        naslib_pickles.load_path(path)


@pytest.mark.parametrize("runtime_as_list", [False, True])
def test_nb301_pickle(tmp_path: Path, runtime_as_list: bool) -> None:
    data = {}
    for i, spec in enumerate(NB301_SPECS):
        runtime = [float(t * 100 * (i + 1)) for t in range(1, 99)] if runtime_as_list else 9800.0 * (i + 1)
        data[spec] = {
            "runtime": runtime,
            "train_losses": [float(v / 10) for v in range(98, 0, -1)],
            "val_accuracies": [float(v) + i for v in range(1, 99)],
        }
    bench = naslib_pickles.load_path(_write(tmp_path / "nb301_full_training.pickle", data))
    space = get_space("darts")
    assert bench.space.name == "darts" and len(bench) == 2
    assert [space.parse(a) for a in bench.table["arch"]] == [space.parse(str(s)) for s in NB301_SPECS]
    assert list(bench.y) == [98.0, 99.0]
    np.testing.assert_array_equal(bench.curves["train_loss"].values[0], data[NB301_SPECS[0]]["train_losses"])
    np.testing.assert_allclose(bench.epoch_seconds, [9800.0 / 98, 19600.0 / 98])


def test_foreign_class_is_refused(tmp_path: Path) -> None:
    class Payload:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (os.getcwd, ())

    path = _write(tmp_path / "nb201_cifar10_full_training.pickle", {NB201_CELLS[0]: {"cifar10-valid": Payload()}})
    with pytest.raises(UnsafePickleError, match="getcwd"):
        naslib_pickles.load_path(path)


def test_truncated_file_names_it(nb201_file: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut" / nb201_file.name
    cut.parent.mkdir()
    cut.write_bytes(nb201_file.read_bytes()[: nb201_file.stat().st_size // 2])
    with pytest.raises(DataFileError, match=rf"{cut.name}.*truncated or corrupted"):
        naslib_pickles.load_path(cut)


def test_detect_and_registry_load(nb201_file: Path, tmp_path: Path) -> None:
    assert naslib_pickles.detect(nb201_file)
    other = _write(tmp_path / "results.pickle", {"x": 1})
    assert not naslib_pickles.detect(other)
    bench = benchmarks.load(str(nb201_file))
    assert bench.name == "nb201-naslib-cifar10" and len(bench) == 3
    with pytest.raises(DataFileError, match="pass kind="):
        naslib_pickles.load_path(other)


def test_cached_load_matches(nb201_file: Path) -> None:
    first = naslib_pickles.load_path(nb201_file)
    second = naslib_pickles.load_path(nb201_file)
    assert second.table.equals(first.table)
    np.testing.assert_array_equal(second.curves["val_loss"].values, first.curves["val_loss"].values)
    np.testing.assert_array_equal(second.epoch_seconds, first.epoch_seconds)


def test_missing_file_in_data_home_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(MissingDataError, match=r"nb301_full_training\.pickle.*Google Drive.*place it at naslib/nb301_full_training\.pickle"):
        naslib_pickles.load_naslib_pickle("nb301", data_home=tmp_path)
    with pytest.raises(UnknownNameError, match="unknown NASLib pickle 'nb999'"):
        naslib_pickles.load_naslib_pickle("nb999", data_home=tmp_path)


def test_pickles_are_recognised_by_content_under_any_name(nb201_file: Path, tmp_path: Path) -> None:
    """A user's download keeps the schema, not always NASLib's file name."""
    renamed = tmp_path / "nb201_results.pkl"
    renamed.write_bytes(nb201_file.read_bytes())
    assert naslib_pickles.kind_of(renamed) == "nb201" and naslib_pickles.detect(renamed)
    with pytest.raises(DataFileError, match=r"holds results for \['cifar10-valid', 'cifar100'\]; pass --dataset"):
        benchmarks.load(renamed)
    by_name = naslib_pickles.load_path(nb201_file)
    by_content = benchmarks.load(renamed, dataset="cifar10")
    assert list(by_content.table["arch"]) == list(by_name.table["arch"]) and list(by_content.y) == list(by_name.y)
    for name, obj in (
        ("nb101.p", {"h": _nb101_entry([[0, 1], [0, 0]], ["input", "output"], [(0.1, 0.2, 0.3, 0.4)])}),
        ("nb301.bin", {str(((0, 1),) * 8): {"train_losses": [1.0], "val_accuracies": [50.0], "runtime": 10.0}}),
    ):
        assert naslib_pickles.kind_of(_write(tmp_path / name, obj)) == name.split(".")[0]
    # protocol 2 writes strings with a 4-byte length
    old = tmp_path / "old_protocol"
    with open(old, "wb") as fh:
        pickle.dump(pickle.loads(nb201_file.read_bytes()), fh, protocol=2)
    assert naslib_pickles.kind_of(old) == "nb201"
    assert naslib_pickles.kind_of(_write(tmp_path / "other.pkl", {"x": {"train_losses": [1.0]}})) is None
