"""Reading benchmark pickles without running code from them.

A pickle may name any importable callable, and loading it calls that callable. :func:`safe_load`
admits only the ``(module, name)`` globals its caller lists, each mapped to a callable of the caller's
choice (lightweight stand-in classes, so that a pickle written by a package that no longer imports can
still be read), plus the builtins that plain containers need and, when asked, numpy's array and scalar
reconstruction. Any other global raises :class:`UnsafePickleError`.

Two more guards, because admitting a global is not enough to make it harmless:

* pickle's BUILD step sets attributes on whatever object it is given, a class included. Every admitted
  global is therefore one that BUILD cannot change for the rest of the process: an immutable type
  (``set``, ``numpy.ndarray``), a C function, a stand-in class (:func:`stand_in`, whose class attributes
  cannot be set) or a copy of a Python function made for this load only. A mutable class (a pandas class,
  a user's class) is refused when the table is built: read such objects through stand-ins and rebuild
  them from the plain data.
* a few bytes of pickle can ask a constructor for gigabytes (``bytearray(2**31)``, ``set(range(6e7))``).
  The calls that allocate more than their arguments hold (``bytearray`` of a size, ``range``, numpy's
  array reconstruction) are charged against an allowance of :data:`MAX_CONSTRUCTED_BYTES` per load;
  everything else a pickle builds costs bytes of the file itself.
"""

from __future__ import annotations

import collections
import io
import math
import os
import pickle
import struct
import types
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from naspred.errors import DataFileError, InvalidInputError, UnsafePickleError

#: bytes one load may allocate through constructor calls beyond what its file holds
MAX_CONSTRUCTED_BYTES = 1 << 26
#: bytes charged per element of a ``range`` (a set or list built from it costs about this much per element)
_RANGE_ITEM_BYTES = 64
#: ``type.__flags__`` bit of a type whose attributes cannot be set (CPython >= 3.10)
_IMMUTABLE_TYPE = 1 << 8


class _Allowance:
    """What one load may still allocate through constructor calls; ``charge`` refuses the call that overdraws it."""

    __slots__ = ("left", "origin")

    def __init__(self, origin: str) -> None:
        self.left = MAX_CONSTRUCTED_BYTES
        self.origin = origin

    def charge(self, nbytes: int, what: str) -> None:
        if nbytes > self.left:
            raise UnsafePickleError(
                f"{self.origin}: the pickle calls {what}, which would allocate {nbytes:,} bytes; "
                f"one load may allocate at most {MAX_CONSTRUCTED_BYTES:,} bytes through constructor calls"
            )
        self.left -= nbytes


def _charged_builtins(allowance: _Allowance) -> dict[str, Any]:
    """``range`` and ``bytearray`` for one load, charging what they would allocate."""

    def charged_range(*args: int) -> range:
        r = range(*args)
        try:
            n = len(r)
        except OverflowError:
            n = MAX_CONSTRUCTED_BYTES + 1
        allowance.charge(n * _RANGE_ITEM_BYTES, f"range{args}")
        return r

    def charged_bytearray(*args: Any) -> bytearray:
        if args and isinstance(args[0], int):
            allowance.charge(max(args[0], 0), f"bytearray({args[0]})")
        return bytearray(*args)

    return {"range": charged_range, "bytearray": charged_bytearray}


def _codecs_encode(text: str, encoding: str = "utf-8", errors: str = "strict") -> bytes:
    """``_codecs.encode`` restricted to turning text into bytes."""
    if not isinstance(text, str):
        raise UnsafePickleError("pickle calls _codecs.encode on a non-string")
    return text.encode(encoding, errors)


#: builtins a pickle of plain containers may name (``range`` and ``bytearray`` are charged per load)
_CONTAINER_GLOBALS: dict[tuple[str, str], Any] = {
    **{("builtins", f.__name__): f for f in (set, frozenset, complex, slice, object)},
    ("collections", "OrderedDict"): collections.OrderedDict,
    # protocol-2 pickles write bytes as _codecs.encode(text, "latin1")
    ("_codecs", "encode"): _codecs_encode,
}
# protocol-2 pickles name the builtins module by its Python 2 name
_CONTAINER_GLOBALS.update({("__builtin__", n): f for (m, n), f in list(_CONTAINER_GLOBALS.items()) if m == "builtins"})


def _numpy_globals(allowance: _Allowance) -> dict[tuple[str, str], Any]:
    """numpy's array, dtype and scalar reconstruction, under both the numpy 1 and numpy 2 module names.

    ``numpy.ndarray`` is admitted only as the first argument of ``_reconstruct`` (a pickle that calls it
    is refused), and ``_reconstruct`` charges the array it allocates to ``allowance``.
    """
    import numpy as np

    try:
        from numpy._core import multiarray  # numpy >= 2
    except ImportError:  # numpy 1.x
        from numpy.core import multiarray  # type: ignore[no-redef]
    try:
        from numpy._core.numeric import _frombuffer  # numpy >= 2
    except ImportError:  # numpy 1.x
        from numpy.core.numeric import _frombuffer  # type: ignore[no-redef]
    ndarray = stand_in("ndarray")

    def reconstruct(subtype: Any, shape: Any, dtype: Any) -> Any:
        if subtype is not ndarray:
            raise UnsafePickleError(f"{allowance.origin}: the pickle reconstructs an array of {subtype!r}; expected numpy.ndarray")
        dims = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
        if not all(isinstance(d, int) and d >= 0 for d in dims):
            raise UnsafePickleError(f"{allowance.origin}: array shape {shape!r} is not a tuple of sizes")
        allowance.charge(math.prod(dims) * max(np.dtype(dtype).itemsize, 1), f"numpy's _reconstruct of shape {dims}")
        return multiarray._reconstruct(np.ndarray, dims, dtype)

    out: dict[tuple[str, str], Any] = {}
    for mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
        out[(mod, "_reconstruct")] = reconstruct
        out[(mod, "scalar")] = multiarray.scalar
    for mod in ("numpy.core.numeric", "numpy._core.numeric"):
        out[(mod, "_frombuffer")] = _frombuffer  # protocol-5 arrays
    out[("numpy", "ndarray")] = ndarray
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

    ``allowed`` maps ``(module, name)`` to the callable to use in its place: a function, an immutable type
    or a :func:`stand_in` class (a mutable class raises :class:`InvalidInputError`, since the pickle could set
    its attributes). Builtins that plain containers need are always admitted; numpy's ndarray, dtype and
    scalar reconstruction are admitted with ``allow_numpy=True``. Raises :class:`UnsafePickleError` naming a
    global that is not admitted, or a constructor call over the allowance, and the file, and
    :class:`DataFileError` naming the file when it is truncated or corrupted.
    """
    origin = _origin_of(path_or_file)
    allowance = _Allowance(origin)
    table: dict[tuple[str, str], Any] = dict(_CONTAINER_GLOBALS)
    for module in ("builtins", "__builtin__"):
        table.update({(module, name): f for name, f in _charged_builtins(allowance).items()})
    table[("__builtin__", "xrange")] = table[("builtins", "range")]
    if allow_numpy:
        table.update(_numpy_globals(allowance))
    table.update({key: _sealed(key, target) for key, target in allowed.items()})
    expected = ", ".join(
        [f"{m}.{n}" for m, n in sorted(allowed)]
        + ["plain Python containers"]
        + (["numpy arrays and scalars"] if allow_numpy else [])
    )
    if isinstance(path_or_file, (str, os.PathLike)):
        path = Path(path_or_file)
        if not path.is_file():
            raise DataFileError(f"{path}: no such pickle file")
        with open(path, "rb") as fh:
            return _load(fh, table, origin, expected)
    if not hasattr(path_or_file, "read"):
        raise DataFileError(f"safe_load expected a path or a binary file object, got {type(path_or_file).__name__}")
    return _load(path_or_file, table, origin, expected)


def load_records(
    path: str | os.PathLike[str], allowed: Mapping[tuple[str, str], Callable[..., Any] | type], *, allow_numpy: bool = False
) -> dict[Any, Any]:
    """:func:`safe_load` of a benchmark file whose top level is a dict keyed by architecture."""
    data = safe_load(path, allowed, allow_numpy=allow_numpy)
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: expected a dict of architectures, got {type(data).__name__}")
    return data


def _sealed(key: tuple[str, str], target: Any) -> Any:
    """``target`` as this load admits it: one whose attributes a pickle's BUILD cannot change for later loads."""
    if isinstance(target, types.FunctionType):  # a copy for this load: BUILD may set attributes on it, not on ours
        fresh = types.FunctionType(target.__code__, target.__globals__, target.__name__, target.__defaults__,
                                   target.__closure__)
        fresh.__kwdefaults__ = target.__kwdefaults__
        return fresh
    if isinstance(target, type):
        if target.__flags__ & _IMMUTABLE_TYPE or isinstance(target, _StandInType):
            return target
        raise InvalidInputError(
            f"{key[0]}.{key[1]} is admitted as the class {target.__qualname__}, whose attributes a pickle could set; "
            "admit a stand_in() class or a function that builds the object from plain data"
        )
    if target is None or isinstance(target, types.BuiltinFunctionType):
        return target
    raise InvalidInputError(
        f"{key[0]}.{key[1]} is admitted as {type(target).__name__}; expected a function, an immutable type or a "
        "stand_in() class"
    )


def _load(fh: IO[bytes], table: Mapping[tuple[str, str], Any], origin: str, expected: str) -> Any:
    if isinstance(fh, io.TextIOBase):
        raise DataFileError(f"{origin}: opened in text mode; a pickle must be read in binary mode")
    try:
        return _RestrictedUnpickler(fh, table, origin, expected).load()
    except UnsafePickleError as err:
        if str(err).startswith(origin):
            raise
        raise UnsafePickleError(f"{origin}: {err}") from None
    except _CORRUPT as err:
        raise DataFileError(
            f"{origin}: truncated or corrupted pickle ({type(err).__name__}: {err}); expected a complete pickle file"
        ) from err


class _StandInType(type):
    """The type of stand-in classes: their own attributes cannot be set once made (a pickle's BUILD on the class
    itself is refused)."""

    def __setattr__(cls, name: str, value: Any) -> None:
        raise UnsafePickleError(f"stand-in {cls.__name__}: a pickle tried to set the class attribute {name!r}")

    def __delattr__(cls, name: str) -> None:
        raise UnsafePickleError(f"stand-in {cls.__name__}: a pickle tried to delete the class attribute {name!r}")


_NO_STATE = object()


def stand_in(name: str, *, slots: tuple[str, ...] | None = None, raw: bool = False) -> type:
    """A plain class named ``name`` whose instances take their pickled attributes as they are.

    Unpickling such a class creates the instance without calling ``__init__`` and sets its ``__dict__``
    from the pickled state, so no code of the original package runs. With ``raw=True`` an instance keeps
    what the pickle gave it as it is: ``args``, the arguments it was called with (a pickle that calls the
    class), and ``state``, the state of pickle's BUILD step (for a state that is not a dict of attributes).
    The class's own attributes cannot be set, so a pickle that BUILDs on the class itself is refused.
    """

    def __setstate__(self: Any, state: Any = _NO_STATE) -> None:
        if state is _NO_STATE:  # BUILD on the class: called unbound with the state as `self`
            raise UnsafePickleError(f"stand-in {name}: a pickle tried to set the state of the class itself")
        if raw:
            self.__dict__["state"] = state
            return
        if isinstance(state, tuple) and len(state) == 2:  # (dict state, slot state)
            state = {**(state[0] or {}), **(state[1] or {})}
        if not isinstance(state, dict):
            raise UnsafePickleError(f"stand-in {name}: expected a dict of attributes, got {type(state).__name__}")
        self.__dict__.update(state)

    def __repr__(self: Any) -> str:
        return f"{name}({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"

    namespace: dict[str, Any] = {"__setstate__": __setstate__, "__repr__": __repr__, "__module__": __name__}
    if raw:

        def __init__(self: Any, *args: Any) -> None:
            self.__dict__["args"] = args

        namespace["__init__"] = __init__
    return _StandInType(name, (), namespace)


__all__ = ["safe_load", "stand_in"]
