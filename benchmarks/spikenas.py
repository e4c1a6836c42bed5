"""SpikeNAS-Bench: full learning curves of spiking NB201-style cells.

Sun et al., "SpikeNAS-Bench: Benchmarking NAS Algorithms for Spiking Neural Network Architecture",
IEEE Transactions on Artificial Intelligence 6(6), 2025 (github.com/tju-sun-lab/SpikeNAS-Bench).
The upstream ``data/`` folder holds
``data/{CIFAR10,CIFAR100,TinyImagenet}/<arch id>/train_process.txt``, read here straight from the
packed ``spikenas_bench_data.tar.gz`` (nothing is extracted) or from an unpacked ``data/`` folder.
Each file::

    architecture id: 0
    model parameters: 17179620
    epoch, train_acc, train_loss, val_acc, val_loss          (CIFAR-100 / Tiny-ImageNet files add
    0.000, 9.788, 2.303, 9.876, 2.303                          train_top5 and val_top5 columns)
    ...                                                      (one row per epoch, numbered from 0)
    test accuracy: 10.000                                    (or "test top1: X, test tpo5: Y")
    firing rate of layers: ...
    Elapsed time: 0.0hour47.0minute20.0second

What the loader makes of it:

* curves ``train_accuracy``, ``train_loss``, ``val_accuracy``, ``val_loss`` over epochs 1..100 (file epoch
  ``e`` is epoch ``e + 1``); epochs a file does not record are NaN (some Tiny-ImageNet files record only
  the last epoch). Top-5 columns are not kept.
* a few CIFAR-10 files record 200 epochs: their curves are cut at epoch 100, like every other
  architecture, while their ``test_accuracy`` is the one upstream reports after 200 epochs; the column
  ``epochs_trained`` says which architectures these are.
* ``epoch_seconds`` is the elapsed time of the whole run divided by the epochs it trained.
* the target ``val_accuracy`` is the epoch-100 validation accuracy (%).
* a file whose ``architecture id`` line differs from its folder's id is left out with a warning and a note
  (upstream ``TinyImagenet/4880`` says ``architecture id: 2`` and its parameter count is that of id 2).
"""

from __future__ import annotations

import logging
import lzma
import re
import tarfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from naspred.benchmarks.base import Benchmark, Curves, accuracy_benchmark
from naspred.benchmarks.cache import cached_benchmark
from naspred.benchmarks.datahome import artifact_path
from naspred.errors import DataFileError, InvalidArchitectureError, UnknownNameError
from naspred.spaces import get as get_space

logger = logging.getLogger(__name__)

#: naspred dataset name -> upstream folder
DATASETS: dict[str, str] = {"cifar10": "CIFAR10", "cifar100": "CIFAR100", "tinyimagenet": "TinyImagenet"}
#: upstream column -> curve name
CURVE_COLUMNS: dict[str, str] = {
    "train_acc": "train_accuracy",
    "train_loss": "train_loss",
    "val_acc": "val_accuracy",
    "val_loss": "val_loss",
}
#: the epochs every curve covers
EPOCHS = 100
FILE_NAME = "train_process.txt"

_ELAPSED = re.compile(r"^Elapsed time:\s*([\d.]+)hour([\d.]+)minute([\d.]+)second\s*$")
_FOOTER = re.compile(r"^[^\d\n]", re.MULTILINE)
_TEST = re.compile(r"^test (?:accuracy|top1):\s*([-\d.eE+]+)")


@dataclass(frozen=True)
class TrainRecord:
    """One ``train_process.txt``: ``values[:, k]`` is ``CURVE_COLUMNS`` metric ``k`` at 1-based ``epochs``."""

    arch_id: int
    params: int
    epochs: np.ndarray
    values: np.ndarray
    test_accuracy: float
    elapsed_seconds: float


def _header_value(line: str, label: str, origin: str, lineno: int) -> str:
    prefix = f"{label}:"
    if not line.startswith(prefix):
        raise DataFileError(f"{origin}, line {lineno}: expected '{prefix} <value>', got {line[:80]!r}")
    return line[len(prefix) :].strip()


def parse_train_process(text: str, origin: str) -> TrainRecord:
    """Parse one ``train_process.txt``; errors name ``origin`` (the member or file) and the line."""
    head = text.split("\n", 3)
    if len(head) < 4:
        raise DataFileError(f"{origin}: {len(head)} lines; expected a header, epoch rows and a footer")
    try:
        arch_id = int(_header_value(head[0], "architecture id", origin, 1))
        params = int(_header_value(head[1], "model parameters", origin, 2))
    except ValueError as err:
        raise DataFileError(
            f"{origin}, lines 1-2: architecture id and model parameters must be integers ({err})"
        ) from err
    columns = [c.strip() for c in head[2].split(",")]
    if columns[0] != "epoch" or not set(CURVE_COLUMNS) <= set(columns):
        raise DataFileError(
            f"{origin}, line 3: expected the columns epoch, {', '.join(CURVE_COLUMNS)}, got {head[2]!r}"
        )
    picks = [columns.index(c) for c in CURVE_COLUMNS]
    rest = head[3]
    stop = rest.find("\ntest ") + 1  # the footer starts with "test accuracy" or "test top1"
    if stop == 0:
        footer = _FOOTER.search(rest)
        stop = footer.start() if footer else len(rest)
    block = rest[:stop].rstrip("\n")
    if not block:
        raise DataFileError(f"{origin}, line 4: expected an epoch row, got {rest.split(chr(10), 1)[0][:80]!r}")
    n_rows = block.count("\n") + 1
    try:
        flat = np.array(list(map(float, block.replace("\n", ",").split(","))), dtype=np.float64)
    except ValueError:
        for k, line in enumerate(block.split("\n")):
            try:
                [float(x) for x in line.split(",")]
            except ValueError:
                raise DataFileError(f"{origin}, line {k + 4}: not a row of numbers: {line[:80]!r}") from None
        raise DataFileError(f"{origin}, lines 4-{n_rows + 3}: unreadable epoch rows") from None
    if flat.size != n_rows * len(columns):
        for k, line in enumerate(block.split("\n")):
            if line.count(",") != len(columns) - 1:
                raise DataFileError(
                    f"{origin}, line {k + 4}: expected {len(columns)} values ({', '.join(columns)}), got {line[:80]!r}"
                )
        raise DataFileError(f"{origin}, lines 4-{n_rows + 3}: expected {len(columns)} values per row")
    rows = flat.reshape(n_rows, len(columns))
    file_epochs = rows[:, 0]
    if np.any(file_epochs != np.round(file_epochs)) or np.any(np.diff(file_epochs) <= 0) or file_epochs[0] < 0:
        raise DataFileError(f"{origin}, lines 4-{n_rows + 3}: epoch numbers must be increasing whole numbers from 0")
    tail = rest[stop:].split("\n")
    first_footer = n_rows + 4
    m = _TEST.match(tail[0])
    if not m:
        raise DataFileError(f"{origin}, line {first_footer}: expected 'test accuracy: <value>', got {tail[0][:80]!r}")
    elapsed_at = next((k for k, line in enumerate(tail) if line.startswith("Elapsed time")), None)
    if elapsed_at is None:
        raise DataFileError(f"{origin}: no 'Elapsed time: <h>hour<m>minute<s>second' line")
    e = _ELAPSED.match(tail[elapsed_at].strip())
    if not e:
        raise DataFileError(
            f"{origin}, line {first_footer + elapsed_at}: expected 'Elapsed time: <h>hour<m>minute<s>second', "
            f"got {tail[elapsed_at][:80]!r}"
        )
    elapsed = float(e[1]) * 3600 + float(e[2]) * 60 + float(e[3])
    return TrainRecord(
        arch_id=arch_id,
        params=params,
        epochs=file_epochs.astype(np.int64) + 1,
        values=rows[:, picks],
        test_accuracy=float(m[1]),
        elapsed_seconds=elapsed,
    )


def _member_id(name: str, folder: str) -> int | None:
    """The architecture id of a member path ``.../<folder>/<id>/train_process.txt``, else None."""
    parts = name.rstrip("/").split("/")
    if len(parts) < 3 or parts[-1] != FILE_NAME or parts[-3] != folder or not parts[-2].isdigit():
        return None
    return int(parts[-2])


#: the largest ``train_process.txt`` read (upstream's largest is 7.8 KB)
MAX_MEMBER_BYTES = 1 << 20
#: the most bytes an archive may unpack to (upstream's ``data/`` folder packs into an 86 MB tar)
MAX_ARCHIVE_BYTES = 1 << 29
_CHUNK = 1 << 20
_BLOCK = 512


def _too_big(path: Path | str, what: str, size: int, limit: int) -> DataFileError:
    return DataFileError(f"{path}: {what} is {size:,} bytes or more; at most {limit:,} are read")


def _tar_chunks(path: Path) -> Iterator[bytes]:
    """The bytes of a tar file, gunzipped on the fly when gzip-compressed, in chunks; at most MAX_ARCHIVE_BYTES."""
    total = 0
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
        fh.seek(0)
        unzip = zlib.decompressobj(16 + zlib.MAX_WBITS) if gz else None
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            while chunk:
                if unzip is None:
                    piece, chunk = chunk, b""
                else:
                    try:
                        piece = unzip.decompress(chunk, 4 * _CHUNK)
                    except zlib.error as err:
                        raise DataFileError(f"{path}: corrupted tar.gz (zlib: {err})") from None
                    chunk = unzip.unconsumed_tail
                    if unzip.eof:  # a gzip file may hold several members one after the other
                        chunk = unzip.unused_data + chunk
                        unzip = zlib.decompressobj(16 + zlib.MAX_WBITS) if chunk else None
                total += len(piece)
                if total > MAX_ARCHIVE_BYTES:
                    raise _too_big(path, "the unpacked archive", total, MAX_ARCHIVE_BYTES)
                yield piece
        if unzip is not None and not unzip.eof:
            raise DataFileError(f"{path}: truncated tar.gz (the gzip stream ends early)")


def _octal(field: bytes) -> int:
    return int(field.rstrip(b"\0 ").strip() or b"0", 8)


#: tar member types the ustar walk knows (regular files, links, devices, folders, FIFOs, pax globals)
_TAR_KINDS = frozenset(b"0\x0071234567g")
_TAR_FILES = frozenset(b"0\x007")


class _NotPlainTar(Exception):
    """The archive holds something the ustar walk does not handle: read it with :mod:`tarfile`."""


def _plain_tar_members(path: Path, want: Callable[[str], bool]) -> Iterator[tuple[str, bytearray]]:
    """``(name, bytes)`` of each regular file of an uncompressed or gzipped ustar archive that ``want`` accepts.

    A streamed fast path over :mod:`tarfile`, whose per-member overhead dominates reading 16,000 small files:
    only a few MB of the archive are held at a time, and a wanted member over MAX_MEMBER_BYTES is refused from
    its header. Raises :class:`_NotPlainTar` at the first header it does not handle (pax or GNU extended
    headers, a bad header checksum, a non-tar file).
    """
    chunks = _tar_chunks(path)
    buf = bytearray()
    off = 0

    def fill(n: int) -> bool:
        """Whether ``buf[off:]`` holds ``n`` bytes, reading more of the archive as needed."""
        nonlocal buf, off
        if off > _CHUNK:
            del buf[:off]
            off = 0
        while len(buf) - off < n:
            piece = next(chunks, None)
            if piece is None:
                return False
            buf += piece
        return True

    while len(buf) - off >= _BLOCK or fill(_BLOCK):
        header = buf[off : off + _BLOCK]
        if header.count(0) == _BLOCK:
            return
        try:
            size = _octal(header[124:136])
            checksum = _octal(header[148:156])
        except ValueError:
            raise _NotPlainTar from None
        if checksum != sum(header[:148]) + 8 * 32 + sum(header[156:]):
            raise _NotPlainTar
        kind = header[156]
        if kind not in _TAR_KINDS:
            raise _NotPlainTar
        name = header[:100].split(b"\0", 1)[0]
        if header[257:262] == b"ustar" and header[345]:
            name = header[345:500].split(b"\0", 1)[0] + b"/" + name
        text = name.decode(errors="replace")
        wanted = kind in _TAR_FILES and want(text)
        if wanted and size > MAX_MEMBER_BYTES:
            raise _too_big(f"{path}:{text}", "the member", size, MAX_MEMBER_BYTES)
        off += _BLOCK
        padded = -(-size // _BLOCK) * _BLOCK
        while padded > 4 * _CHUNK:  # a large member that is not wanted: skipped without holding it
            if not fill(_CHUNK):
                raise DataFileError(f"{path}: truncated tar archive (member {text} is cut short)")
            off += _CHUNK
            padded -= _CHUNK
        if len(buf) - off < padded and not fill(padded) and len(buf) - off < size:
            raise DataFileError(f"{path}: truncated tar archive (member {text} is cut short)")
        if wanted:
            yield text, buf[off : off + size]
        off += padded


def _tarfile_members(path: Path, want: Callable[[str], bool], skip: set[str]) -> Iterator[tuple[str, bytes]]:
    """The same as :func:`_plain_tar_members` through :mod:`tarfile` (any format and compression), leaving out
    the names in ``skip`` (already read)."""
    total = 0
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                total += member.size
                if total > MAX_ARCHIVE_BYTES:
                    raise _too_big(path, "the unpacked archive", total, MAX_ARCHIVE_BYTES)
                if not (member.isfile() and want(member.name)) or member.name in skip:
                    continue
                if member.size > MAX_MEMBER_BYTES:
                    raise _too_big(f"{path}:{member.name}", "the member", member.size, MAX_MEMBER_BYTES)
                fh = tar.extractfile(member)
                if fh is not None:
                    yield member.name, fh.read(MAX_MEMBER_BYTES + 1)
    except (tarfile.TarError, EOFError, zlib.error, lzma.LZMAError, OSError) as err:
        raise DataFileError(f"{path}: truncated or corrupted tar archive ({type(err).__name__}: {err})") from None


def _archive_members(path: Path, want: Callable[[str], bool]) -> Iterator[tuple[str, bytes | bytearray]]:
    """``(name, bytes)`` of the regular files of a tar archive that ``want`` accepts, streamed."""
    done: set[str] = set()
    plain = _plain_tar_members(path, want)
    try:
        for name, data in plain:
            done.add(name)
            yield name, data
    except _NotPlainTar:
        yield from _tarfile_members(path, want, done)
    finally:
        plain.close()


def _data_folder(path: Path) -> Path:
    """The folder holding ``CIFAR10/`` etc.: ``path`` itself or its ``data/`` child."""
    if (path / "data").is_dir() and any((path / "data" / f).is_dir() for f in DATASETS.values()):
        return path / "data"
    return path


def _folder_files(path: Path, folder: str) -> Iterator[tuple[int, str, str]]:
    """``(id, file, text)`` of each ``<folder>/<id>/train_process.txt`` of an unpacked ``data/`` folder; a link
    that leads out of the folder is an error, and is not read."""
    root = _data_folder(path) / folder
    if not root.is_dir():
        raise DataFileError(f"{path}: no {folder}/ folder; expected SpikeNAS-Bench's data/ layout")
    inside = root.resolve()
    for sub in root.iterdir():
        f = sub / FILE_NAME
        if not sub.name.isdigit():
            continue
        if (sub.is_symlink() or f.is_symlink()) and not f.resolve().is_relative_to(inside):
            raise DataFileError(
                f"{f}: a link that leads out of {root}; naspred does not follow links out of a data folder"
            )
        if f.is_file():
            yield int(sub.name), str(f), f.read_text()


def iter_files(path: str | Path, dataset: str) -> Iterator[tuple[int, str, str]]:
    """``(folder id, origin, text)`` of each ``train_process.txt`` of ``dataset`` in a tarball or folder.

    In a tarball every such member must stand under one ``data/`` folder: a member elsewhere is an error.
    """
    path = Path(path)
    folder = DATASETS[dataset]
    if path.is_dir():
        yield from _folder_files(path, folder)
        return
    root: str | None = None
    for name, data in _archive_members(path, lambda name: _member_id(name, folder) is not None):
        parts = name.rsplit("/", 4)  # [<root>,] data, <folder>, <id>, train_process.txt
        here = parts[0] if len(parts) == 5 else ""
        if root is None:
            root = here
        if here != root or len(parts) < 4 or parts[-4] != "data":
            raise DataFileError(
                f"{path}:{name}: a member outside {root or 'data'}/; expected every {folder}/<id>/{FILE_NAME} "
                "under one data/ folder"
            )
        try:
            text = data.decode()
        except UnicodeDecodeError as err:
            raise DataFileError(f"{path}:{name}: not UTF-8 text ({err})") from None
        yield int(parts[-2]), f"{path}:{name}", text


def read_records(path: str | Path, dataset: str = "cifar10") -> tuple[list[TrainRecord], list[str]]:
    """Every record of ``dataset``, sorted by architecture id, and notes on the files left out."""
    if dataset not in DATASETS:
        raise UnknownNameError(f"unknown SpikeNAS-Bench dataset {dataset!r}; expected one of {list(DATASETS)}")
    records: dict[int, TrainRecord] = {}
    notes: list[str] = []
    seen: dict[int, str] = {}
    for folder_id, origin, text in iter_files(path, dataset):
        if folder_id in seen:
            raise DataFileError(f"{origin}: a second file for architecture {folder_id}; the first is {seen[folder_id]}")
        seen[folder_id] = origin
        rec = parse_train_process(text, origin)
        if rec.arch_id != folder_id:
            msg = f"{origin} says architecture id {rec.arch_id} inside folder {folder_id}: left out"
            logger.warning(msg)
            notes.append(msg)
            continue
        records[folder_id] = rec
    if not records:
        raise DataFileError(f"{path}: no {DATASETS[dataset]}/<id>/{FILE_NAME} files")
    return [records[k] for k in sorted(records)], notes


def _build(path: Path, dataset: str) -> Benchmark:
    records, skipped = read_records(path, dataset)
    n = len(records)
    values = np.full((len(CURVE_COLUMNS), n, EPOCHS), np.nan)
    trained = np.empty(n, dtype=np.int64)
    for i, rec in enumerate(records):
        keep = rec.epochs <= EPOCHS
        values[:, i, rec.epochs[keep] - 1] = rec.values[keep].T
        trained[i] = rec.epochs[-1]
        if rec.epochs[-1] < EPOCHS:
            raise DataFileError(
                f"{path}: architecture {rec.arch_id} of {dataset} records epochs up to {rec.epochs[-1]}; "
                f"expected at least {EPOCHS}"
            )
    space = get_space("spikenas")
    archs: list[str] = []
    for rec in records:
        try:
            archs.append(space.format(space.from_id(rec.arch_id)))
        except InvalidArchitectureError as err:
            raise DataFileError(f"{path}: architecture id {rec.arch_id} is not a SpikeNAS-Bench cell: {err}") from err
    curves = {name: Curves(np.arange(1, EPOCHS + 1), values[k]) for k, name in enumerate(CURVE_COLUMNS.values())}
    table = pd.DataFrame(
        {
            "arch": archs,
            "val_accuracy": curves["val_accuracy"].values[:, EPOCHS - 1],
            "test_accuracy": [r.test_accuracy for r in records],
            "params": np.array([r.params for r in records], dtype=np.int64),
            "epochs_trained": trained,
        }
    )
    epoch_seconds = np.array([r.elapsed_seconds for r in records]) / trained
    long_runs = int(np.sum(trained > EPOCHS))
    notes = [
        f"val_accuracy is the epoch-{EPOCHS} validation accuracy (%); curves cover epochs 1..{EPOCHS}",
        "epoch_seconds is the elapsed time of the whole run divided by its epochs",
    ]
    if long_runs:
        notes.append(
            f"{long_runs} architectures trained {int(trained.max())} epochs: their curves are cut at epoch {EPOCHS}, "
            "their test_accuracy is upstream's after the longer run"
        )
    partial = int(np.sum(np.isnan(values[2]).any(axis=1)))
    if partial:
        notes.append(f"{partial} architectures record only some epochs: the others are NaN in their curves")
    notes.extend(skipped)
    return accuracy_benchmark(
        f"spikenas-{dataset}", space, dataset, table, str(path), notes, curves=curves, epoch_seconds=epoch_seconds
    )


def detect(path: str | Path) -> bool:
    """Whether ``path`` is a SpikeNAS-Bench tarball or ``data/`` folder."""
    path = Path(path)
    if path.is_dir():
        root = _data_folder(path)
        return any((root / f).is_dir() and any((root / f).glob(f"*/{FILE_NAME}")) for f in DATASETS.values())
    if not path.is_file() or not (path.name.endswith(".tar.gz") or path.name.endswith(".tgz") or path.suffix == ".tar"):
        return False
    try:
        with tarfile.open(path, "r:*") as tar:
            for k, member in enumerate(tar):
                if any(_member_id(member.name, f) is not None for f in DATASETS.values()):
                    return True
                if k > 50:
                    return False
    except (tarfile.TarError, EOFError, zlib.error, OSError):
        return False
    return False


def load_path(path: str | Path, cache: bool = True, *, dataset: str = "cifar10") -> Benchmark:
    """Read ``dataset`` from a SpikeNAS-Bench tarball or unpacked ``data/`` folder."""
    path = Path(path)
    if dataset not in DATASETS:
        raise UnknownNameError(f"unknown SpikeNAS-Bench dataset {dataset!r}; expected one of {list(DATASETS)}")
    if not path.exists():
        raise DataFileError(f"{path}: no such file or folder; expected a SpikeNAS-Bench tarball or data/ folder")
    sources = [path]
    if path.is_dir() and (_data_folder(path) / DATASETS[dataset]).is_dir():
        sources.append(_data_folder(path) / DATASETS[dataset])
    return cached_benchmark(
        f"spikenas-{dataset}:{path.resolve()}", sources, lambda: _build(path, dataset), enabled=cache
    )


def load_spikenas(dataset: str = "cifar10", data_home: str | Path | None = None, cache: bool = True) -> Benchmark:
    """The ``spikenas-<dataset>`` benchmark from the data home's ``spikenas`` artifact."""
    if dataset not in DATASETS:
        raise UnknownNameError(f"unknown SpikeNAS-Bench dataset {dataset!r}; expected one of {list(DATASETS)}")
    return load_path(artifact_path("spikenas", data_home), cache, dataset=dataset)
