"""Shared fixtures. Tests that need benchmark data read it from ``NASPRED_DATA``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The suite runs many tiny torch models: one OpenMP thread per process is faster than a pool contending
# for two cores (and worker processes of the executors inherit it). Users' runs keep torch's default.
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def data_home() -> Path:
    """The folder of real benchmark files (``NASPRED_DATA``; CI sets it to ``../shared/data``)."""
    value = os.environ.get("NASPRED_DATA")
    if not value:
        pytest.fail("NASPRED_DATA is not set: point it at the benchmark data folder (../shared/data here)")
    path = Path(value).expanduser().resolve()
    if not path.is_dir():
        pytest.fail(f"NASPRED_DATA={value} is not a folder")
    return path


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch thread for a module's tests (``pytestmark = pytest.mark.usefixtures("one_torch_thread")``): the
    test machine's two cores are shared with other test runs; the caller's count is restored afterwards."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
