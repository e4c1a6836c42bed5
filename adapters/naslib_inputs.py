"""NASLib's architecture inputs as naspred architectures: graph objects, ``encode_spec`` encodings, hashes.

NASLib (github.com/automl/NASLib, Development branch) hands a predictor its architectures in three forms:

* graph objects (``NasBench201SearchSpace``, ``NasBench101SearchSpace``, ``NasBench301SearchSpace``,
  ``TransBench101SearchSpaceMicro`` / ``Macro``), from ``PredictorEvaluator`` and the BANANAS, NPENAS and
  BasePredictor optimizers. Their space is read from ``get_type()``, else from the class name, else from
  the shape of ``get_op_indices()``; the architecture from ``get_op_indices()`` (NAS-Bench-201,
  TransNAS-Bench-101), ``get_spec()`` or ``get_hash()`` (NAS-Bench-101), ``get_compact()`` or ``get_hash()``
  (NAS-Bench-301).
* ``encode_spec(hash, EncodingType.ADJACENCY_ONE_HOT, ss_type)`` vectors, from ``ZCEnsembleEvaluator``
  (``naslib/search_spaces/*/encodings.py``): NAS-Bench-201 6 edges x 5 ops (30), TransNAS-Bench-101 micro
  6 x 4 (24), TransNAS-Bench-101 macro 6 modules x 5 codes, zero-padded (30), NAS-Bench-101 the 21
  upper-triangular bits of the 7 x 7 matrix then 5 interior ops x 3 (36; ``conv1x1 = [0, 0, 1]``,
  ``conv3x3 = [0, 1, 0]``, ``maxpool = [1, 0, 0]``), NAS-Bench-301 per cell the 7 x 7 matrix flattened and
  the 8 op indices (2 x 57 = 114). The NAS-Bench-301 matrix records each node's two inputs but not which
  op goes with which input; the decoded cell pairs the node's first op with its lower-numbered input, as
  NASLib's sampler orders them. A 30-long vector is read as NAS-Bench-201 unless the space is the
  TransNAS-Bench-101 macro space.
* hashes and op-index tuples (``get_hash()``, ``get_op_indices()``), as the other naspred notations read them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
from naspred.errors import InvalidArchitectureError

#: NASLib search-space classes -> naspred space
NASLIB_CLASSES: Mapping[str, str] = MappingProxyType({
    "NasBench201SearchSpace": "nb201",
    "NasBench101SearchSpace": "nb101",
    "NasBench301SearchSpace": "darts",
    "DartsSearchSpace": "darts",
    "TransBench101SearchSpaceMicro": "tnb101-micro",
    "TransBench101SearchSpaceMacro": "tnb101-macro",
})

#: naspred space -> length of NASLib's adjacency one-hot encoding (``encode_spec``)
ONE_HOT_LENGTHS: Mapping[str, int] = MappingProxyType(
    {"nb201": 30, "tnb101-micro": 24, "tnb101-macro": 30, "nb101": 36, "darts": 114}
)
#: encoding length -> the space assumed when none is known (30 is NAS-Bench-201, not the macro space)
_SPACE_OF_LENGTH = {30: "nb201", 24: "tnb101-micro", 36: "nb101", 114: "darts"}

_NB101_OPS = {(0, 0, 1): "conv1x1-bn-relu", (0, 1, 0): "conv3x3-bn-relu", (1, 0, 0): "maxpool3x3"}
_MACRO_MODULES = 6


def is_graph(x: Any) -> bool:
    """Whether ``x`` is a NASLib graph object (anything with ``get_op_indices``, ``get_hash`` or ``get_spec``)."""
    return any(callable(getattr(x, m, None)) for m in ("get_op_indices", "get_hash", "get_spec", "get_compact"))


def graph_space(x: Any, ss_types: Mapping[str, str]) -> str | None:
    """The naspred space of a NASLib graph object, or None where it cannot be told."""
    get_type = getattr(x, "get_type", None)
    if callable(get_type):
        try:
            kind = get_type()
        except Exception:  # noqa: BLE001 - a graph whose get_type fails still has a class name
            kind = None
        if isinstance(kind, str) and kind in ss_types:
            return ss_types[kind]
    for cls in type(x).__mro__:
        if cls.__name__ in NASLIB_CLASSES:
            return NASLIB_CLASSES[cls.__name__]
    ops = getattr(x, "get_op_indices", None)
    if callable(ops):
        codes = list(ops())
        if len(codes) == 6:
            return "nb201"
    return None


def encoding_space(x: Any) -> str | None:
    """The naspred space assumed for a flat numeric vector, by its length, or None."""
    if isinstance(x, (str, bytes)) or not isinstance(x, (Sequence, np.ndarray)):
        return None
    try:
        n = len(x)
    except TypeError:
        return None
    return _SPACE_OF_LENGTH.get(n)


def _ints(values: Any, what: str) -> list[int]:
    out = []
    for v in values:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer, float, np.floating)) or v != int(v):
            raise InvalidArchitectureError(f"{what} holds {v!r}; expected integers")
        out.append(int(v))
    return out


def from_graph(x: Any, space: Any) -> Any:
    """The naspred architecture of a NASLib graph object of ``space``."""
    name = space.name
    if name in ("nb201", "tnb101-micro") and callable(getattr(x, "get_op_indices", None)):
        return space.from_tuple(x.get_op_indices())
    if name == "tnb101-macro" and callable(getattr(x, "get_op_indices", None)):
        return _macro(_ints(x.get_op_indices(), "get_op_indices()"), space)
    if name == "nb101" and callable(getattr(x, "get_spec", None)):
        spec = x.get_spec()
        if isinstance(spec, Mapping) and {"matrix", "ops"} <= set(spec):
            from naspred.spaces.nasbench101 import NB101Arch

            return NB101Arch(np.asarray(spec["matrix"]), list(spec["ops"]))
    if name == "darts" and callable(getattr(x, "get_compact", None)):
        return _darts(x.get_compact())
    if callable(getattr(x, "get_hash", None)):
        return from_hash(x.get_hash(), space)
    raise InvalidArchitectureError(
        f"a {type(x).__name__} has none of get_op_indices(), get_spec(), get_compact() or get_hash() for space {name!r}"
    )


def from_hash(value: Any, space: Any) -> Any:
    """The naspred architecture of a NASLib hash (``get_hash()``) of ``space``."""
    if space.name == "darts":
        return _darts(value)
    if space.name == "tnb101-macro":
        return _macro(_ints(value, "the hash"), space)
    if isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, (str, bytes)):
        return space.parse(str(tuple(_ints(value, "the hash"))))
    return space.parse(str(value))


def _macro(codes: list[int], space: Any) -> Any:
    if len(codes) > _MACRO_MODULES:
        raise InvalidArchitectureError(f"a TransNAS-Bench-101 macro code has at most {_MACRO_MODULES} modules; got {codes}")
    return space.parse(str(tuple(codes + [0] * (_MACRO_MODULES - len(codes)))))


def _darts(compact: Any) -> Any:
    from naspred.spaces.darts import DARTSArch

    if isinstance(compact, (str, bytes)) or not isinstance(compact, (Sequence, np.ndarray)) or len(compact) != 2:
        raise InvalidArchitectureError(f"a NAS-Bench-301 compact form holds two cells (normal, reduce), got {compact!r}")
    return DARTSArch(*[tuple((int(s), int(o)) for s, o in cell) for cell in compact])


def _blocks(vec: np.ndarray, width: int, what: str) -> list[int]:
    rows = vec.reshape(-1, width)
    if not np.isin(rows, (0.0, 1.0)).all() or not (rows.sum(axis=1) == 1).all():
        bad = int(np.flatnonzero(~(np.isin(rows, (0.0, 1.0)).all(axis=1) & (rows.sum(axis=1) == 1)))[0])
        raise InvalidArchitectureError(f"{what}: block {bad} {rows[bad].tolist()} is not one-hot")
    return rows.argmax(axis=1).tolist()


def from_encoding(x: Any, space: Any) -> Any:
    """The naspred architecture of NASLib's adjacency one-hot encoding (``encode_spec``) of ``space``."""
    name = space.name
    want = ONE_HOT_LENGTHS.get(name)
    try:
        vec = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArchitectureError(f"a NASLib encoding must be numbers, got {type(x).__name__}") from None
    if want is None or vec.ndim != 1 or len(vec) != want:
        raise InvalidArchitectureError(
            f"a NASLib adjacency_one_hot encoding of space {name!r} has {want} entries; got shape {vec.shape}"
        )
    what = f"NASLib {name} encoding"
    if name in ("nb201", "tnb101-micro"):
        return space.from_tuple(_blocks(vec, 5 if name == "nb201" else 4, what))
    if name == "tnb101-macro":
        return _macro(_blocks(vec, 5, what), space)
    if name == "nb101":
        return _nb101(vec, what)
    return _darts_encoding(vec, what)


def _nb101(vec: np.ndarray, what: str) -> Any:
    from naspred.spaces.nasbench101 import NB101Arch

    bits = vec[:21]
    if not np.isin(bits, (0.0, 1.0)).all():
        raise InvalidArchitectureError(f"{what}: the 21 adjacency entries must be 0 or 1")
    matrix = np.zeros((7, 7), dtype=np.int64)
    matrix[np.triu_indices(7, 1)] = bits.astype(np.int64)
    ops = ["input"]
    for k, block in enumerate(vec[21:].reshape(5, 3)):
        op = _NB101_OPS.get(tuple(int(b) for b in block))
        if op is None or not np.isin(block, (0.0, 1.0)).all():
            raise InvalidArchitectureError(f"{what}: op block {k} {block.tolist()} is none of {sorted(_NB101_OPS)}")
        ops.append(op)
    return NB101Arch(matrix, ops + ["output"])


def _darts_encoding(vec: np.ndarray, what: str) -> Any:
    cells = []
    for c, part in enumerate(vec.reshape(2, 57)):
        matrix, ops = part[:49].reshape(7, 7), _ints(part[49:], f"{what} ops")
        pairs = []
        for node in range(2, 6):
            srcs = np.flatnonzero(matrix[:, node]).tolist()
            if len(srcs) != 2:
                raise InvalidArchitectureError(f"{what}: cell {c}, node {node} has inputs {srcs}; expected two")
            pairs += [(srcs[0], ops[2 * node - 4]), (srcs[1], ops[2 * node - 3])]
        cells.append(tuple(pairs))
    return _darts(cells)
