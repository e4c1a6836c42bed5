"""SpikeNAS-Bench learning curves read straight from the tarball, or from an unpacked data/ folder."""

from __future__ import annotations

import io
import re
import tarfile

import numpy as np
import pytest

from naspred.benchmarks import spikenas
from naspred.errors import DataFileError, MissingDataError, UnknownNameError


def _tarball(data_home):
    return data_home / "spikenas-bench" / "spikenas_bench_data.tar.gz"


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory):
    return tmp_path_factory.mktemp("tables")


@pytest.fixture(scope="module")
def cifar10(data_home, cache_home):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NASPRED_CACHE", str(cache_home))
        return spikenas.load_spikenas("cifar10", data_home=data_home)


SPOT_IDS = (0, 1, 12044, 15263)


@pytest.fixture(scope="module")
def upstream(data_home):
    """One plain tarfile scan: epoch rows per CIFAR-10 file, the text of a few files, the Tiny-ImageNet folders."""
    counts, texts, tiny = {}, {}, {}
    with tarfile.open(_tarball(data_home)) as tar:
        for m in tar:
            parts = m.name.split("/")
            if not (m.isfile() and len(parts) == 4):
                continue
            if parts[1] == "CIFAR10":
                text = tar.extractfile(m).read().decode()
                counts[int(parts[2])] = len(re.findall(r"^\d+\.\d+, ", text, flags=re.M))
                if int(parts[2]) in SPOT_IDS:
                    texts[int(parts[2])] = text
            elif parts[1] == "TinyImagenet":
                tiny[int(parts[2])] = tar.extractfile(m).read().decode().splitlines()[0]
    return counts, texts, tiny


def test_cifar10_shape(cifar10, upstream):
    upstream_counts = upstream[0]
    assert len(upstream_counts) == 15_625
    assert len(cifar10) == 15_625
    assert cifar10.space.name == "spikenas"
    assert set(cifar10.curves) == {"train_accuracy", "train_loss", "val_accuracy", "val_loss"}
    for curves in cifar10.curves.values():
        assert curves.values.shape == (15_625, 100)
        assert np.array_equal(curves.epochs, np.arange(1, 101))
        assert not np.isnan(curves.values).any()
    assert np.array_equal(cifar10.y, cifar10.curves["val_accuracy"].values[:, -1])
    long_runs = sum(1 for c in upstream_counts.values() if c == 200)
    assert long_runs > 0
    assert int((cifar10.table["epochs_trained"] == 200).sum()) == long_runs
    assert int((cifar10.table["epochs_trained"] == 100).sum()) == 15_625 - long_runs
    assert cifar10.epoch_seconds is not None and (cifar10.epoch_seconds > 0).all()


@pytest.mark.parametrize("arch_id", [0, 15263, 12044])
def test_values_match_the_file(cifar10, upstream, arch_id):
    text = upstream[1][arch_id]
    lines = text.splitlines()
    rows = [[float(x) for x in ln.split(",")] for ln in lines if re.match(r"^\d+\.\d+, ", ln)]
    elapsed = re.search(r"Elapsed time: ([\d.]+)hour([\d.]+)minute([\d.]+)second", text)
    seconds = float(elapsed[1]) * 3600 + float(elapsed[2]) * 60 + float(elapsed[3])
    i = cifar10.index_of([cifar10.space.from_id(arch_id)])[0]
    row = cifar10.table.iloc[i]
    assert row["params"] == int(lines[1].split(":")[1])
    assert row["test_accuracy"] == float(re.search(r"test accuracy: ([\d.]+)", text)[1])
    assert row["val_accuracy"] == rows[99][3]
    assert np.array_equal(cifar10.curves["train_accuracy"].values[i], [r[1] for r in rows[:100]])
    assert np.array_equal(cifar10.curves["val_loss"].values[i], [r[4] for r in rows[:100]])
    assert cifar10.epoch_seconds[i] == pytest.approx(seconds / len(rows))
    assert row["epochs_trained"] == len(rows)


def test_cached_load_reads_the_cache_and_is_equal(cifar10, data_home, cache_home, monkeypatch):
    monkeypatch.setenv("NASPRED_CACHE", str(cache_home))
    monkeypatch.setattr(spikenas, "iter_files", lambda *a, **k: pytest.fail("source files read again"))
    again = spikenas.load_spikenas("cifar10", data_home=data_home)
    assert again.table.equals(cifar10.table)
    for m, c in cifar10.curves.items():
        assert np.array_equal(again.curves[m].values, c.values)
    assert np.array_equal(again.epoch_seconds, cifar10.epoch_seconds)


def test_tinyimagenet_partial_curves_and_mislabelled_file(data_home, upstream):
    tiny = upstream[2]
    mislabelled = {i for i, first in tiny.items() if first != f"architecture id: {i}"}
    assert mislabelled == {4880} and tiny[4880] == "architecture id: 2"
    bench = spikenas.load_spikenas("tinyimagenet", data_home=data_home, cache=False)
    assert len(bench) == len(tiny) - 1
    assert any("4880" in n for n in bench.notes)
    ids = [bench.space.to_id(a) for a in bench.archs]
    assert ids == sorted(set(tiny) - {4880})
    val = bench.curves["val_accuracy"].values
    assert not np.isnan(val[:, -1]).any()
    partial = np.isnan(val[:, 0])
    assert partial.any() and np.isnan(val[partial, :-1]).all()


def _write_tar(path, members: dict[str, str], mode: str = "w:gz", fmt: int = tarfile.PAX_FORMAT) -> None:
    with tarfile.open(path, mode, format=fmt) as tar:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_unpacked_folder_matches_tarball(upstream, tmp_path):
    texts = {i: upstream[1][i] for i in (0, 1, 15263)}
    for i, text in texts.items():
        folder = tmp_path / "data" / "CIFAR10" / str(i)
        folder.mkdir(parents=True)
        (folder / "train_process.txt").write_text(text)
    assert spikenas.detect(tmp_path) and spikenas.detect(tmp_path / "data")
    from_folder = spikenas.load_path(tmp_path, cache=False)
    packed = tmp_path / "small.tar.gz"
    _write_tar(packed, {f"data/CIFAR10/{i}/train_process.txt": t for i, t in texts.items()})
    assert spikenas.detect(packed)
    from_tar = spikenas.load_path(packed, cache=False)
    assert len(from_folder) == 3 and from_folder.table.equals(from_tar.table)
    assert np.array_equal(from_folder.curves["val_accuracy"].values, from_tar.curves["val_accuracy"].values)


@pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
@pytest.mark.parametrize("mode", ["w:gz", "w", "w:bz2"])
def test_archive_formats_and_long_names(upstream, tmp_path, fmt, mode):
    """Plain, gzip and bzip2 tars in every format, with member paths too long for a bare ustar name."""
    deep = "/".join(["folder-with-a-long-name"] * 5)
    members = {f"{deep}/data/CIFAR10/{i}/train_process.txt": upstream[1][i] for i in (0, 15263)}
    path = tmp_path / "t.tar"
    _write_tar(path, members, mode, fmt)
    bench = spikenas.load_path(path, cache=False)
    assert len(bench) == 2
    assert list(bench.table["params"]) == [int(upstream[1][i].splitlines()[1].split(":")[1]) for i in (0, 15263)]


def test_parse_error_names_member_and_line(upstream, tmp_path):
    text = upstream[1][0]
    lines = text.splitlines()
    lines[10] = "9.000, 40.1, oops, 41.0, 1.5"
    bad = tmp_path / "bad.tar.gz"
    _write_tar(bad, {"data/CIFAR10/0/train_process.txt": "\n".join(lines) + "\n"})
    with pytest.raises(DataFileError, match=r"bad.tar.gz:data/CIFAR10/0/train_process.txt, line 11"):
        spikenas.load_path(bad, cache=False)
    lines = text.splitlines()
    lines[-1] = "Elapsed time: soon"
    _write_tar(bad, {"data/CIFAR10/0/train_process.txt": "\n".join(lines) + "\n"})
    with pytest.raises(DataFileError, match=rf"line {len(lines)}: expected 'Elapsed time"):
        spikenas.load_path(bad, cache=False)


def test_truncated_tarball(data_home, tmp_path):
    cut = tmp_path / "cut.tar.gz"
    with open(_tarball(data_home), "rb") as fh:
        cut.write_bytes(fh.read(300_000))
    with pytest.raises(DataFileError, match="cut.tar.gz"):
        spikenas.load_path(cut, cache=False)


def test_missing_and_unknown(tmp_path):
    with pytest.raises(MissingDataError, match="naspred data download spikenas"):
        spikenas.load_spikenas("cifar10", data_home=tmp_path)
    with pytest.raises(UnknownNameError, match="tinyimagenet"):
        spikenas.load_spikenas("imagenet", data_home=tmp_path)
