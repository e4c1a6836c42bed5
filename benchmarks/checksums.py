"""Checking a data-home file: the SHA-256 of its bytes, or the tree digest of a packed upstream folder.

The tree digest of a tarball is the SHA-256 of the sorted lines ``<member path>\\0<sha256 of member bytes>\\n``
over every regular file it holds. It covers the content of every file and the file names, not the tar or gzip
framing (which differs between packers): it checks an upstream folder (SpikeNAS-Bench's ``data/``) that naspred
packs into one file, and for which upstream publishes no file hash.
"""

from __future__ import annotations

import hashlib
import tarfile
import zlib
from pathlib import Path

from naspred.benchmarks.artifacts import ArtifactFile
from naspred.errors import DataFileError

#: bytes read at a time
CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
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
                while chunk := fh.read(CHUNK):
                    h.update(chunk)
                entries.append((m.name, h.hexdigest()))
    except (tarfile.TarError, EOFError, zlib.error, OSError) as err:
        raise DataFileError(f"{tar_path}: not a readable tar archive ({err}); expected a complete .tar.gz") from err
    h = hashlib.sha256()
    for name, digest in sorted(entries):
        h.update(f"{name}\0{digest}\n".encode())
    return h.hexdigest()


def check_file(f: ArtifactFile, path: Path) -> tuple[str, str | None, str | None]:
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

