"""Ground truth: loaders for real NAS benchmarks, the data home, downloads and checksums.

``load(name_or_path)`` reads a registered benchmark or a benchmark file; :func:`register` and
:func:`register_format` add a benchmark or a file format from a script (:mod:`.registry`, :mod:`.formats`).
Each loader module is an attribute of this package once asked for (``naspred.benchmarks.spikenas``), which is
how a format's registry entry names its reader lazily.
"""

from importlib import import_module
from types import ModuleType

from naspred.benchmarks.base import Benchmark, Curves, ProxyTable
from naspred.benchmarks.registry import describe, load, load_proxies, names, register, register_format

__all__ = [
    "Benchmark",
    "Curves",
    "ProxyTable",
    "describe",
    "load",
    "load_proxies",
    "names",
    "register",
    "register_format",
]


def __getattr__(name: str) -> ModuleType:
    """The submodule ``name``, imported on first use."""
    module = f"{__name__}.{name}"
    if not name.startswith("_"):
        try:
            return import_module(module)
        except ModuleNotFoundError as err:
            if err.name != module:
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
