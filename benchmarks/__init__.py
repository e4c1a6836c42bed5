"""Ground truth: loaders for real NAS benchmarks, the data home, downloads and checksums."""

from naspred.benchmarks.base import Benchmark, Curves
from naspred.benchmarks.registry import load, names

__all__ = ["Benchmark", "Curves", "load", "names"]
