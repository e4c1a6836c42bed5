"""Hostile files: each test builds the file it reads (pickles, archives, folders) and checks that naspred refuses
it with one line naming the file and the problem, without harm to the process or the disk."""

from __future__ import annotations

import io
import pickle
import resource

import pandas as pd
import pytest
from naspred.benchmarks import mini_nb201
from naspred.benchmarks.safe_pickle import safe_load
from naspred.errors import DataFileError, UnsafePickleError


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# 1. BUILD on an admitted class


def test_pickle_cannot_set_attributes_of_a_pandas_class(tmp_path):
    """GLOBAL pandas Index, then BUILD with slot state {'__contains__': slice}: setattr on the class itself."""
    path = tmp_path / "mini-bench-arch-cell-accs.pd"
    path.write_bytes(
        b"\x80\x02cpandas.core.indexes.base\nIndex\n"
        b"(N}X\x0c\x00\x00\x00__contains__cbuiltins\nslice\nstb."
    )
    before = pd.Index.__dict__.get("__contains__")
    try:
        with pytest.raises(DataFileError, match="mini-bench-arch-cell-accs.pd"):
            mini_nb201.read_mini(path)
        assert 42 not in pd.Index([1, 2])
        assert pd.Index.__dict__.get("__contains__") is before
    finally:
        if pd.Index.__dict__.get("__contains__") is not before:  # today's code: undo, so later tests see pandas
            type.__setattr__(pd.Index, "__contains__", before)


# 2. tiny pickles that allocate gigabytes


@pytest.mark.parametrize(
    ("stream", "call"),
    [
        (b"\x80\x02c__builtin__\nbytearray\nJ\xff\xff\xff\x7f\x85R.", "bytearray"),  # bytearray(2**31 - 1)
        (b"\x80\x02c__builtin__\nset\nc__builtin__\nrange\nJ\x00\x87\x93\x03\x85R\x85R.", "range"),  # set(range(6e7))
    ],
)
def test_tiny_pickle_asking_for_gigabytes_is_refused(tmp_path, stream, call):
    path = tmp_path / "bomb.pkl"
    path.write_bytes(stream)
    before = _rss_mb()
    with pytest.raises(UnsafePickleError, match=f"bomb.pkl: the pickle calls {call}") as info:
        safe_load(path, {})
    assert "\n" not in str(info.value)
    assert _rss_mb() - before < 200


def test_allowance_admits_ordinary_ranges_and_bytearrays():
    value = {"r": range(1000), "b": bytearray(b"\x00" * 1000), "s": set(range(100))}
    for protocol in (2, 5):
        assert safe_load(io.BytesIO(pickle.dumps(value, protocol=protocol)), {}) == value
