"""Search spaces by name: ``naspred.spaces.get("nb201")``."""

from __future__ import annotations

from importlib import import_module

from naspred.errors import UnknownNameError
from naspred.spaces.base import SearchSpace

# name -> (module, class); imported on first use so that importing naspred stays cheap
_SPACES: dict[str, tuple[str, str]] = {
    "nb201": ("naspred.spaces.nasbench201", "NB201Space"),
    "tnb101-micro": ("naspred.spaces.transnas", "TNB101MicroSpace"),
    "tnb101-macro": ("naspred.spaces.transnas_macro", "TNB101MacroSpace"),
    "spikenas": ("naspred.spaces.spikenas", "SpikeNASSpace"),
    "nb101": ("naspred.spaces.nasbench101", "NB101Space"),
    "darts": ("naspred.spaces.darts", "DARTSSpace"),
    "nbgraph": ("naspred.spaces.nasbench_graph", "NBGraphSpace"),
}


def names() -> list[str]:
    """Registered search-space names."""
    return sorted(_SPACES)


def get(name: str) -> SearchSpace:
    """A new instance of the search space registered as ``name``."""
    try:
        module, cls = _SPACES[name]
    except KeyError:
        raise UnknownNameError(f"unknown search space {name!r}; expected one of {names()}") from None
    return getattr(import_module(module), cls)()
