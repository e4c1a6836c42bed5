"""A parquet cache of loaded benchmarks, so that a second load skips parsing the upstream files.

Each entry is a folder ``<cache>/<key>--<fingerprint>/`` holding ``table.parquet`` (the per-architecture
table), ``arrays.parquet`` (one fixed-size-list column per learning-curve metric, and the per-epoch
training time) and ``meta.json`` (name, dataset, target, direction, space, epochs of each curve, notes,
and the content hash of every source). The cache lives in ``$NASPRED_CACHE`` (default
``~/.cache/naspred/tables``), never in the data home, which may be read-only. Entries are written to a
temporary folder and renamed into place, so concurrent processes never see a partial entry.

An entry is valid for the *content* of its sources, looked up by their *file status*:

* the lookup key (the fingerprint in the folder name) covers the key, a format version and, for every
  source file and loader module, its resolved path, size, modification time, change time (``st_ctime_ns``)
  and inode. A hit costs one ``stat`` per file and reads no source byte. The change time is what makes the
  key safe: any write to a file, and restoring its modification time with ``touch``/``os.utime``, sets it
  to the current time, and no user call can set it back, so a same-size edit with its mtime restored
  misses the cache;
* on a miss the sources are hashed (SHA-256 of their bytes) once, and the hashes are kept in the entry.
  A registered data-home file (:func:`naspred.benchmarks.datahome.check_registered`) is checked against its
  recorded hash at that moment, so each file version is hashed and verified once, when its entry is built;
  a file that does not match is refused. An entry whose content hashes equal the new ones (a file copied,
  re-extracted or ``chmod``-ed: new status, same bytes) is renamed to the new key instead of rebuilt.

Status keys alone (size and mtime, as before) served old data after a same-size edit; hashing on every
lookup would cost a read of every source (up to tens of MB) per load.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from naspred.benchmarks.base import Benchmark, Curves
from naspred.errors import DataFileError, UnknownNameError
from naspred.spaces.base import SearchSpace

logger = logging.getLogger(__name__)

#: environment variable naming the cache folder
CACHE_ENV = "NASPRED_CACHE"
#: bump when the layout of a cache entry or of any loader's output changes
FORMAT_VERSION = 2

_EPOCH_SECONDS = "epoch_seconds"
_MAX_SLUG = 80
_CURVE_PREFIX = "curve:"


def cache_dir() -> Path:
    """The cache folder: ``$NASPRED_CACHE``, else ``~/.cache/naspred/tables``."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "naspred" / "tables"


def _files(path: Path) -> list[Path]:
    """``path`` itself, or every regular file under a folder source (sorted)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    return [path]


def fingerprint(key: str, sources: Sequence[Path]) -> str:
    """The lookup key: a hash of ``key``, the format version and the status of each source file.

    The status is the resolved path, size, mtime, ctime and inode (see the module docstring); a folder
    source contributes those of every file inside it.
    """
    h = hashlib.sha256(f"{FORMAT_VERSION}\0{key}\0".encode())
    for src in sources:
        for p in _files(Path(src).expanduser().resolve()):
            st = p.stat()
            h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\0".encode())
    return h.hexdigest()[:20]


def _digests(sources: Sequence[Path]) -> list[dict[str, str]]:
    """The SHA-256 of each source (of each file of a folder source), registered data-home files checked."""
    from naspred.benchmarks.datahome import check_registered, sha256_file

    out = []
    for src in sources:
        given = Path(src).expanduser()
        folder = given.resolve()
        for p in _files(folder):
            if p == folder:  # a file: checked under the name it was given (a data-home path, maybe a link)
                out.append({"file": "", **check_registered(given, {"sha256": sha256_file(p)})})
            else:
                out.append({"file": str(p.relative_to(folder)), "sha256": sha256_file(p)})
    return out


def _content_key(key: str, digests: Sequence[dict[str, str]]) -> str:
    h = hashlib.sha256(f"{FORMAT_VERSION}\0{key}\0".encode())
    for d in digests:
        h.update(f"{d['file']}\0{d['sha256']}\0".encode())
    return h.hexdigest()


def _code_files(build: Callable[[], Benchmark]) -> list[Path]:
    """The module that defines ``build`` and this one: editing a loader makes its cache entries stale."""
    files = [Path(__file__)]
    module = sys.modules.get(getattr(build, "__module__", "") or "")
    if module is not None and getattr(module, "__file__", None):
        files.append(Path(module.__file__))
    return files


def _slug(key: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", key)
    slug = re.sub(r"-{2,}", "-", slug).strip("_-") or "benchmark"
    if len(slug) > _MAX_SLUG:  # keys holding long paths: keep the end, which names the file, and a hash
        digest = hashlib.sha256(key.encode()).hexdigest()[:10]
        slug = f"{slug[-(_MAX_SLUG - 11) :].lstrip('_-.')}-{digest}"
    return slug


def _space_ref(space: SearchSpace) -> dict[str, str]:
    return {"name": space.name, "module": type(space).__module__, "class": type(space).__qualname__}


def _space_from_ref(ref: dict[str, str]) -> SearchSpace:
    from naspred.spaces import registry

    try:
        space = registry.get(ref["name"])
        if type(space).__qualname__ == ref["class"]:
            return space
    except UnknownNameError:
        pass
    module = ref["module"]
    if not module.startswith("naspred."):
        raise DataFileError(f"cache entry names space class {module}.{ref['class']} outside naspred")
    cls = getattr(import_module(module), ref["class"])
    return cls()


def _write_entry(folder: Path, bench: Benchmark, key: str, fp: str, content: dict[str, Any]) -> None:
    bench.table.to_parquet(folder / "table.parquet", index=False)
    columns: dict[str, pa.Array] = {}
    for metric, curves in bench.curves.items():
        values = np.ascontiguousarray(curves.values, dtype=np.float64)
        flat = pa.array(values.reshape(-1), type=pa.float64(), from_pandas=False)
        columns[_CURVE_PREFIX + metric] = pa.FixedSizeListArray.from_arrays(flat, values.shape[1])
    if bench.epoch_seconds is not None:
        columns[_EPOCH_SECONDS] = pa.array(np.asarray(bench.epoch_seconds, dtype=np.float64))
    if columns:
        pq.write_table(pa.table(columns), folder / "arrays.parquet")
    meta: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "key": key,
        "fingerprint": fp,
        "name": bench.name,
        "dataset": bench.dataset,
        "target": bench.target,
        "higher_is_better": bool(bench.higher_is_better),
        "space": _space_ref(bench.space),
        "source": bench.source,
        "notes": list(bench.notes),
        "curves": {m: [int(e) for e in c.epochs] for m, c in bench.curves.items()},
        "epoch_seconds": bench.epoch_seconds is not None,
        "rows": len(bench.table),
        **content,
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=1))


def _read_entry(folder: Path) -> Benchmark:
    meta = json.loads((folder / "meta.json").read_text())
    if meta.get("format_version") != FORMAT_VERSION:
        raise DataFileError(f"{folder}: cache format {meta.get('format_version')}, expected {FORMAT_VERSION}")
    table = pd.read_parquet(folder / "table.parquet")
    if len(table) != meta["rows"]:
        raise DataFileError(f"{folder}: table has {len(table)} rows, meta.json says {meta['rows']}")
    curves: dict[str, Curves] = {}
    epoch_seconds = None
    if meta["curves"] or meta["epoch_seconds"]:
        arrays = pq.read_table(folder / "arrays.parquet")
        n = len(table)
        for metric, epochs in meta["curves"].items():
            col = arrays.column(_CURVE_PREFIX + metric).combine_chunks()
            values = col.flatten().to_numpy(zero_copy_only=False).reshape(n, len(epochs))
            curves[metric] = Curves(np.asarray(epochs, dtype=np.int64), values)
        if meta["epoch_seconds"]:
            epoch_seconds = arrays.column(_EPOCH_SECONDS).to_numpy()
    return Benchmark(
        name=meta["name"],
        space=_space_from_ref(meta["space"]),
        dataset=meta["dataset"],
        table=table,
        target=meta["target"],
        higher_is_better=meta["higher_is_better"],
        curves=curves,
        epoch_seconds=epoch_seconds,
        source=meta["source"],
        notes=list(meta["notes"]),
    )


def _store(root: Path, slug: str, fp: str, bench: Benchmark, key: str, content: dict[str, Any]) -> None:
    final = root / f"{slug}--{fp}"
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{slug}--{fp}.", dir=root))
    try:
        tmp.chmod(0o755)
        _write_entry(tmp, bench, key, fp, content)
        try:
            os.rename(tmp, final)
        except OSError:
            if not (final / "meta.json").is_file():
                raise
            logger.debug("cache entry %s was written by another process", final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    for stale in root.glob(f"{_glob_escape(slug)}--*"):
        if stale.name != final.name and stale.is_dir() and not stale.name.startswith("."):
            logger.info("removing stale cache entry %s", stale)
            shutil.rmtree(stale, ignore_errors=True)


def _glob_escape(text: str) -> str:
    """``text`` with glob wildcards escaped."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def _verified_hit(folder: Path, sources: Sequence[Path]) -> Benchmark | None:
    """The entry in ``folder``, its sources' recorded hashes checked again (a string compare), or None."""
    from naspred.benchmarks.datahome import check_registered

    try:
        bench = _read_entry(folder)
        recorded = json.loads((folder / "meta.json").read_text()).get("sources", [])
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as err:
        logger.warning("cache entry %s is unreadable (%s); rebuilding it", folder, err)
        return None
    for src, digests in zip(sources, recorded):  # a registry whose recorded hash changed refuses old entries
        if not src.is_dir():
            check_registered(src.expanduser(), {k: v for k, v in digests.items() if k != "file"})
    return bench


def _same_content(root: Path, slug: str, content: str) -> Path | None:
    """An entry of ``slug`` built from sources with the content key ``content`` (under another status)."""
    for entry in root.glob(f"{_glob_escape(slug)}--*"):
        try:
            if json.loads((entry / "meta.json").read_text()).get("content") == content:
                return entry
        except (OSError, ValueError):
            continue
    return None


def cached_benchmark(
    key: str,
    sources: Sequence[Path],
    build: Callable[[], Benchmark],
    *,
    enabled: bool = True,
) -> Benchmark:
    """The benchmark built by ``build()``, read from the cache when an entry for ``key`` and ``sources`` exists.

    ``sources`` are the upstream files the benchmark is read from; changing the content of any of them makes
    the entry stale (see the module docstring for how this is checked cheaply). A registered data-home
    file is checked against its recorded SHA-256 before ``build()`` reads it for a new entry. With
    ``enabled=False`` (``--no-cache``), or when a source is missing, ``build()`` is called, nothing is
    cached and nothing is hashed (``naspred data verify`` checks the files). A cache folder that cannot be
    written is logged and skipped.
    """
    paths = [Path(s) for s in sources]
    if not enabled or not all(p.exists() for p in paths):
        return build()
    code = _code_files(build)
    fp = fingerprint(key, [*paths, *code])
    root = cache_dir()
    slug = _slug(key)
    folder = root / f"{slug}--{fp}"
    if (folder / "meta.json").is_file():
        bench = _verified_hit(folder, paths)
        if bench is not None:
            logger.debug("read %s from cache %s", key, folder)
            return bench
    per_source = [_digests([p]) for p in paths]
    content = _content_key(key, [d for ds in per_source for d in ds] + _digests(code))
    recorded = {"content": content, "sources": [ds[0] if len(ds) == 1 else {"file": ""} for ds in per_source]}
    same = _same_content(root, slug, content) if root.is_dir() else None
    if same is not None:
        try:
            os.rename(same, folder)
            bench = _read_entry(folder)
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as err:
            logger.debug("could not reuse cache entry %s (%s); rebuilding it", same, err)
        else:
            _write_meta_fingerprint(folder, fp)
            logger.debug("cache entry %s has the same content; renamed to %s", same, folder)
            return bench
    bench = build()
    try:
        _store(root, slug, fp, bench, key, recorded)
    except (OSError, ValueError, TypeError, pa.ArrowException) as err:
        logger.warning("could not write cache entry for %s in %s: %s", key, root, err)
    return bench


def _write_meta_fingerprint(folder: Path, fp: str) -> None:
    """Record the new lookup key in a renamed entry's meta.json (written beside it and renamed)."""
    try:
        meta = json.loads((folder / "meta.json").read_text())
        meta["fingerprint"] = fp
        tmp = folder / f".meta.json.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(meta, indent=1))
        os.replace(tmp, folder / "meta.json")
    except (OSError, ValueError) as err:
        logger.debug("could not update %s/meta.json: %s", folder, err)


def clear(key: str | None = None) -> int:
    """Delete the cache entries of ``key`` (all entries when ``None``); return how many were removed."""
    root = cache_dir()
    if not root.is_dir():
        return 0
    pattern = "*--*" if key is None else f"{_glob_escape(_slug(key))}--*"
    removed = 0
    for entry in root.glob(pattern):
        if entry.is_dir() and not entry.name.startswith("."):
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed
