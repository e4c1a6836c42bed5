"""Restricted unpickling: admitted globals map to stand-ins, anything else is refused before it runs."""

from __future__ import annotations

import io
import os
import pickle

import numpy as np
import pytest

from naspred.benchmarks.safe_pickle import safe_load, stand_in
from naspred.errors import DataFileError, UnsafePickleError


class Record:
    """A class pickled by the tests; read back through a stand-in."""

    def __init__(self, name: str, score: float) -> None:
        self.name = name
        self.score = score


class RunsShell:
    """Unpickling this would call os.system."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_foreign_callable_is_refused_before_it_runs(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps({"x": RunsShell(str(marker))}))
    with pytest.raises(UnsafePickleError) as info:
        safe_load(path, {})
    message = str(info.value)
    assert "system" in message
    assert str(path) in message
    assert not marker.exists()


def test_foreign_class_is_refused_even_with_numpy_allowed(tmp_path):
    path = tmp_path / "record.pkl"
    path.write_bytes(pickle.dumps([Record("a", 1.0)]))
    with pytest.raises(UnsafePickleError, match=f"{__name__}.Record"):
        safe_load(path, {}, allow_numpy=True)


def test_admitted_class_maps_to_stand_in(tmp_path):
    path = tmp_path / "records.pkl"
    path.write_bytes(pickle.dumps({"r": [Record("a", 1.5), Record("b", -2.0)]}, protocol=4))
    standin = stand_in("Record")
    data = safe_load(path, {(__name__, "Record"): standin})
    first, second = data["r"]
    assert type(first) is standin and not isinstance(first, Record)
    assert (first.name, first.score, second.name, second.score) == ("a", 1.5, "b", -2.0)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_plain_containers_and_numpy_every_protocol(protocol):
    value = {
        "array": np.arange(6, dtype=np.float32).reshape(2, 3).T,
        "scalar": np.float64(2.5),
        "ints": [1, 2, 3],
        "set": {1, 2},
        "frozen": frozenset({"a"}),
        "bytes": b"\x00\xff",
        "tuple": (1, "x", None),
    }
    out = safe_load(io.BytesIO(pickle.dumps(value, protocol=protocol)), {}, allow_numpy=True)
    assert np.array_equal(out["array"], value["array"]) and out["array"].dtype == np.float32
    assert out["scalar"] == 2.5
    assert {k: out[k] for k in ("ints", "set", "frozen", "bytes", "tuple")} == {
        k: value[k] for k in ("ints", "set", "frozen", "bytes", "tuple")
    }


def test_numpy_needs_to_be_allowed():
    with pytest.raises(UnsafePickleError, match="numpy"):
        safe_load(io.BytesIO(pickle.dumps(np.arange(3))), {})


def test_truncated_pickle_names_the_file(tmp_path):
    full = pickle.dumps({"a": list(range(1000)), "b": "text" * 100})
    path = tmp_path / "cut.pkl"
    path.write_bytes(full[: len(full) // 2])
    with pytest.raises(DataFileError, match="cut.pkl") as info:
        safe_load(path, {})
    assert not isinstance(info.value, UnsafePickleError)
    assert "truncated or corrupted" in str(info.value)


def test_garbage_and_missing_file(tmp_path):
    path = tmp_path / "noise.pkl"
    path.write_bytes(b"this is not a pickle at all")
    with pytest.raises(DataFileError, match="noise.pkl"):
        safe_load(path, {})
    with pytest.raises(DataFileError, match="no such pickle file"):
        safe_load(tmp_path / "absent.pkl", {})
