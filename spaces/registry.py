"""Search spaces by name: ``naspred.spaces.get("nb201")``.

One :class:`~naspred.registry.Registry`, :data:`SPACES`, whose entries name their class as ``"module:attr"``
(imported on first use, so that importing naspred stays cheap). :func:`register` adds a user's space.
"""

from __future__ import annotations

from naspred.registry import Entry, Registry
from naspred.spaces.base import SearchSpace

_S = "naspred.spaces"

#: every registered search space
SPACES: Registry[SearchSpace] = Registry("search space", [
    Entry("nb201", f"{_S}.nasbench201:NB201Space",
          "NAS-Bench-201 cells (Dong & Yang, ICLR 2020): 6 edges, 5 operations"),
    Entry("tnb101-micro", f"{_S}.transnas:TNB101MicroSpace",
          "TransNAS-Bench-101 micro cells (Duan et al., CVPR 2021): 6 edges, 4 operations"),
    Entry("tnb101-macro", f"{_S}.transnas_macro:TNB101MacroSpace",
          "TransNAS-Bench-101 macro networks (Duan et al., CVPR 2021): 4 to 6 modules of ResNet blocks"),
    Entry("spikenas", f"{_S}.spikenas:SpikeNASSpace",
          "SpikeNAS-Bench spiking cells (Sun et al., IEEE TAI 2025): 6 edges, 5 operations"),
    Entry("nb101", f"{_S}.nasbench101:NB101Space",
          "NAS-Bench-101 cells (Ying et al., ICML 2019): DAGs of at most 7 vertices and 9 edges"),
    Entry("darts", f"{_S}.darts:DARTSSpace",
          "DARTS normal and reduction cells (Liu et al., ICLR 2019), as NAS-Bench-301 evaluates them"),
    Entry("nbgraph", f"{_S}.nasbench_graph:NBGraphSpace",
          "NAS-Bench-Graph GNNs (Qin et al., NeurIPS 2022): 4 computing nodes, their links and operations"),
])


def names() -> list[str]:
    """Registered search-space names."""
    return SPACES.names()


def get(name: str) -> SearchSpace:
    """A new instance of the search space registered as ``name``."""
    return SPACES.build(name)


#: ``register(name, target, description="", *, defaults=None, fixed=None, replace=False)``: add a search space
#: (its class, or ``"module:attr"`` naming it) from a script; ``defaults`` may be overridden by :func:`get`,
#: ``fixed`` may not
register = SPACES.register
