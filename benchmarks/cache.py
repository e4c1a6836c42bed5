"""A parquet cache of loaded benchmarks, so that a second load skips parsing the upstream files.

Each entry is a folder ``<cache>/<key>--<fingerprint>/`` holding ``table.parquet`` (the per-architecture
table), ``arrays.parquet`` (one fixed-size-list column per learning-curve metric, and the per-epoch
training time) and ``meta.json`` (name, dataset, target, direction, space, epochs of each curve, notes).
The fingerprint covers the key, a format version and the path, size and modification time of every
source file, so editing or replacing a source invalidates the entry. The cache lives in
``$NASPRED_CACHE`` (default ``~/.cache/naspred/tables``), never in the data home, which may be read-only.
Entries are written to a temporary folder and renamed into place, so concurrent processes never see a
partial entry.
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
FORMAT_VERSION = 1

_EPOCH_SECONDS = "epoch_seconds"
_MAX_SLUG = 80
_CURVE_PREFIX = "curve:"


def cache_dir() -> Path:
    """The cache folder: ``$NASPRED_CACHE``, else ``~/.cache/naspred/tables``."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "naspred" / "tables"


def fingerprint(key: str, sources: Sequence[Path]) -> str:
    """A hash of ``key``, the format version and each source's resolved path, size and mtime.

    A folder source contributes its own size and mtime (which change when entries are added or removed),
    not those of every file inside it.
    """
    h = hashlib.sha256(f"{FORMAT_VERSION}\0{key}\0".encode())
    for src in sources:
        p = Path(src).expanduser().resolve()
        st = p.stat()
        h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()[:20]


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


def _write_entry(folder: Path, bench: Benchmark, key: str, fp: str) -> None:
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


def _store(root: Path, slug: str, fp: str, bench: Benchmark, key: str) -> None:
    final = root / f"{slug}--{fp}"
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{slug}--{fp}.", dir=root))
    try:
        tmp.chmod(0o755)
        _write_entry(tmp, bench, key, fp)
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


def cached_benchmark(
    key: str,
    sources: Sequence[Path],
    build: Callable[[], Benchmark],
    *,
    enabled: bool = True,
) -> Benchmark:
    """The benchmark built by ``build()``, read from the cache when an entry for ``key`` and ``sources`` exists.

    ``sources`` are the upstream files the benchmark is read from; changing any of them (size or mtime)
    makes the entry stale. With ``enabled=False``, or when a source is missing, ``build()`` is called and
    nothing is cached. A cache folder that cannot be written is logged and skipped.
    """
    if not enabled:
        return build()
    paths = [Path(s) for s in sources]
    if not all(p.exists() for p in paths):
        return build()
    fp = fingerprint(key, [*paths, *_code_files(build)])
    root = cache_dir()
    slug = _slug(key)
    folder = root / f"{slug}--{fp}"
    if (folder / "meta.json").is_file():
        try:
            bench = _read_entry(folder)
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as err:
            logger.warning("cache entry %s is unreadable (%s); rebuilding it", folder, err)
        else:
            logger.debug("read %s from cache %s", key, folder)
            return bench
    bench = build()
    try:
        _store(root, slug, fp, bench, key)
    except (OSError, ValueError, TypeError, pa.ArrowException) as err:
        logger.warning("could not write cache entry for %s in %s: %s", key, root, err)
    return bench


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
