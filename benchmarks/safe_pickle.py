"""Reading benchmark pickles without running code from them.

A pickle may name any importable callable, and loading it calls that callable. :func:`safe_load`
admits only the ``(module, name)`` globals its caller lists, each mapped to a callable of the caller's
choice (lightweight stand-in classes, so that a pickle written by a package that no longer imports can
still be read), plus the builtins that plain containers need and, when asked, numpy's array and scalar
reconstruction. Any other global raises :class:`UnsafePickleError`.
"""

from __future__ import annotations

import collections
import io
import os
import pickle
import struct
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from naspred.errors import DataFileError, UnsafePickleError


def _codecs_encode(text: str, encoding: str = "utf-8", errors: str = "strict") -> bytes:
    """``_codecs.encode`` restricted to turning text into bytes."""
    if not isinstance(text, str):
        raise UnsafePickleError("pickle calls _codecs.encode on a non-string")
    return text.encode(encoding, errors)


#: builtins a pickle of plain containers may name
_CONTAINER_GLOBALS: dict[tuple[str, str], Any] = {
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "bytearray"): bytearray,
    ("builtins", "complex"): complex,
    ("builtins", "slice"): slice,
    ("builtins", "range"): range,
    ("builtins", "object"): object,
    ("__builtin__", "set"): set,
    ("__builtin__", "frozenset"): frozenset,
    ("__builtin__", "object"): object,
    ("collections", "OrderedDict"): collections.OrderedDict,
    # protocol-2 pickles write bytes as _codecs.encode(text, "latin1")
    ("_codecs", "encode"): _codecs_encode,
}


def _numpy_globals() -> dict[tuple[str, str], Any]:
    """numpy's array, dtype and scalar reconstruction, under both the numpy 1 and numpy 2 module names."""
    import numpy as np

    try:
        from numpy._core import multiarray  # numpy >= 2
    except ImportError:  # numpy 1.x
        from numpy.core import multiarray  # type: ignore[no-redef]
    try:
        from numpy._core.numeric import _frombuffer  # numpy >= 2
    except ImportError:  # numpy 1.x
        from numpy.core.numeric import _frombuffer  # type: ignore[no-redef]
    out: dict[tuple[str, str], Any] = {}
    for mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
        out[(mod, "_reconstruct")] = multiarray._reconstruct
        out[(mod, "scalar")] = multiarray.scalar
    for mod in ("numpy.core.numeric", "numpy._core.numeric"):
        out[(mod, "_frombuffer")] = _frombuffer  # protocol-5 arrays
    out[("numpy", "ndarray")] = np.ndarray
    out[("numpy", "dtype")] = np.dtype
    for name in ("float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool_"):
        out[("numpy", name)] = getattr(np, name)
    for mod in ("numpy.dtypes", "numpy._core.dtypes"):
        for dt in ("Float64DType", "Float32DType", "Int64DType", "Int32DType", "BoolDType"):
            if hasattr(np, "dtypes") and hasattr(np.dtypes, dt):
                out[(mod, dt)] = getattr(np.dtypes, dt)
    return out


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes], allowed: Mapping[tuple[str, str], Any], origin: str, expected: str) -> None:
        super().__init__(file)
        self._allowed = allowed
        self._origin = origin
        self._expected = expected

    def find_class(self, module: str, name: str) -> Any:
        try:
            target = self._allowed[(module, name)]
        except KeyError:
            raise UnsafePickleError(
                f"{self._origin}: the pickle refers to {module}.{name}, which this format does not admit; "
                f"expected only {self._expected}"
            ) from None
        if target is None:
            raise UnsafePickleError(f"{self._origin}: {module}.{name} is admitted without a callable to map it to")
        return target

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickleError(f"{self._origin}: the pickle uses persistent id {pid!r}, which is not admitted")


def _origin_of(source: Any) -> str:
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    return str(getattr(source, "name", "<pickle stream>"))


# Errors the pickle machinery raises on truncated or corrupted input.
_CORRUPT = (
    pickle.UnpicklingError,
    EOFError,
    struct.error,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    KeyError,
    UnicodeDecodeError,
    MemoryError,
    OverflowError,
)


def safe_load(
    path_or_file: str | os.PathLike[str] | IO[bytes],
    allowed: Mapping[tuple[str, str], Callable[..., Any] | type],
    *,
    allow_numpy: bool = False,
) -> Any:
    """Unpickle ``path_or_file`` admitting only the globals in ``allowed``.

    ``allowed`` maps ``(module, name)`` to the callable to use in its place. Builtins that plain containers
    need are always admitted; numpy's ndarray, dtype and scalar reconstruction are admitted with
    ``allow_numpy=True``. Raises :class:`UnsafePickleError` naming a global that is not admitted and the
    file, and :class:`DataFileError` naming the file when it is truncated or corrupted.
    """
    table: dict[tuple[str, str], Any] = dict(_CONTAINER_GLOBALS)
    if allow_numpy:
        table.update(_numpy_globals())
    table.update(allowed)
    expected = ", ".join(
        [f"{m}.{n}" for m, n in sorted(allowed)]
        + ["plain Python containers"]
        + (["numpy arrays and scalars"] if allow_numpy else [])
    )
    origin = _origin_of(path_or_file)
    if isinstance(path_or_file, (str, os.PathLike)):
        path = Path(path_or_file)
        if not path.is_file():
            raise DataFileError(f"{path}: no such pickle file")
        with open(path, "rb") as fh:
            return _load(fh, table, origin, expected)
    if not hasattr(path_or_file, "read"):
        raise DataFileError(f"safe_load expected a path or a binary file object, got {type(path_or_file).__name__}")
    return _load(path_or_file, table, origin, expected)


def _load(fh: IO[bytes], table: Mapping[tuple[str, str], Any], origin: str, expected: str) -> Any:
    if isinstance(fh, io.TextIOBase):
        raise DataFileError(f"{origin}: opened in text mode; a pickle must be read in binary mode")
    try:
        return _RestrictedUnpickler(fh, table, origin, expected).load()
    except UnsafePickleError:
        raise
    except _CORRUPT as err:
        raise DataFileError(
            f"{origin}: truncated or corrupted pickle ({type(err).__name__}: {err}); expected a complete pickle file"
        ) from err


def stand_in(name: str, *, slots: tuple[str, ...] | None = None) -> type:
    """A plain class named ``name`` whose instances take their pickled attributes as they are.

    Unpickling such a class creates the instance without calling ``__init__`` and sets its ``__dict__``
    from the pickled state, so no code of the original package runs.
    """

    def __setstate__(self: Any, state: Any) -> None:
        if isinstance(state, tuple) and len(state) == 2:  # (dict state, slot state)
            state = {**(state[0] or {}), **(state[1] or {})}
        if not isinstance(state, dict):
            raise UnsafePickleError(f"stand-in {name}: expected a dict of attributes, got {type(state).__name__}")
        self.__dict__.update(state)

    def __repr__(self: Any) -> str:
        return f"{name}({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"

    return type(name, (), {"__setstate__": __setstate__, "__repr__": __repr__, "__module__": __name__})


__all__ = ["safe_load", "stand_in"]
