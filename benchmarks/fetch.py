"""Downloading one artifact file into the data home, within limits, and checking it before it is kept.

Limits of a download: a file is read up to its recorded size (``ArtifactFile.size``; for a repository archive,
the most it may be) and stopped at the first byte beyond it, a server announcing more is refused before
anything is read, each read waits at most :data:`DOWNLOAD_TIMEOUT` seconds and the whole download
:data:`DOWNLOAD_DEADLINE` seconds. Leftover ``.part`` files of a killed download are removed by the next
download of the same file once they are older than the deadline.

A file with no upstream file hash (an upstream folder) is fetched as the repository archive at the pinned
commit, and the folder named by ``ArtifactFile.archive_prefix`` is packed into the file; the packed file is
checked by its tree digest (:mod:`naspred.benchmarks.checksums`). :func:`naspred.benchmarks.datahome.download`
is the entry point.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from naspred.benchmarks.artifacts import Artifact, ArtifactFile
from naspred.benchmarks.checksums import CHUNK, tree_sha256
from naspred.errors import ChecksumMismatchError, DataFileError, MissingDataError

#: the data home's logger, which ``naspred data download`` shows (``cli.PROGRESS_LOGGERS``)
logger = logging.getLogger("naspred.benchmarks.datahome")

#: seconds before a stalled download gives up
DOWNLOAD_TIMEOUT = 60.0
#: seconds a whole download may take (a leftover .part file older than this belongs to no live download)
DOWNLOAD_DEADLINE = 1800.0
#: the most bytes a download without a recorded size may be
MAX_DOWNLOAD_BYTES = 1 << 32
#: the most bytes of one file, and of all files, packed from a repository archive
MAX_PACKED_MEMBER_BYTES = 1 << 26
MAX_PACKED_BYTES = 1 << 30


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
            while chunk := read(CHUNK):
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


def download_file(art: Artifact, f: ArtifactFile, home: Path) -> Path:
    """Fetch one file of ``art`` into ``home`` under a temporary name, check it, and rename it into place."""
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

