"""Ground truth: loaders for real NAS benchmarks, the data home, downloads and checksums."""

from naspred.benchmarks.base import Benchmark, Curves, ProxyTable
from naspred.benchmarks.registry import load, load_proxies, names

__all__ = ["Benchmark", "Curves", "ProxyTable", "load", "load_proxies", "names"]
