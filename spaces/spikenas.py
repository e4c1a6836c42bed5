"""The SpikeNAS-Bench cell search space (Sun et al., IEEE TAI 2025, "SpikeNAS-Bench: Benchmarking NAS
Algorithms for Spiking Neural Network Architecture").

15,625 spiking cells of 4 nodes and 6 edges (see :mod:`naspred.spaces.cells`). Operation codes, from the
benchmark's ``Neuronal_Cell``: 0 ``none`` (zero: the input scaled by 0), 1 ``skip_connect`` (identity),
2 / 3 / 4 a multi-step LIF neuron with low / middle / high firing threshold followed by a 3x3
convolution and BatchNorm (``lif_low_conv_3x3``, ``lif_mid_conv_3x3``, ``lif_high_conv_3x3``; the
benchmark's configuration sets the thresholds to 0.5, 1.0 and 1.5).

Architecture id: the six operation codes as base-5 digits, least significant first, over the edges
(0->1), (0->2), (0->3), (1->2), (1->3), (2->3): edge (0->1) takes ``id % 5``, edge (0->2) ``(id // 5) % 5``
and so on. This matches the CIFAR-10 training logs: the 341 ids whose cell output is disconnected under
this reading all test at 10 % (chance), every other id above 80 %, and the parameter count grows by the same
amount for each LIF-conv edge.

Text notations read by :meth:`SpikeNASSpace.parse`: the id (``"10234"``), the tuple of codes in the
order above (``"(4, 3, 2, 1, 0, 4)"``), and the NAS-Bench-201-style string with these operation names
(written by ``format``, so that a SpikeNAS cell never reads as a NAS-Bench-201 one).
"""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType
from typing import Any

import numpy as np
from naspred.spaces.base import integer_key
from naspred.spaces.cells import IDENTITY, NUM_EDGES, PARAMETRIC, ZERO, CellArch, CellSpace

#: operations by their SpikeNAS-Bench code
OPS: tuple[str, ...] = ("none", "skip_connect", "lif_low_conv_3x3", "lif_mid_conv_3x3", "lif_high_conv_3x3")
NUM_IDS = len(OPS) ** NUM_EDGES
_PLACES = len(OPS) ** np.arange(NUM_EDGES)


class SpikeNASArch(CellArch):
    """A SpikeNAS-Bench cell: six operation names, edges (0->1), (0->2), (0->3), (1->2), (1->3), (2->3)."""

    OPS = OPS
    SPACE = "spikenas"


class SpikeNASSpace(CellSpace):
    """SpikeNAS-Bench spiking cells (Sun et al., 2025): 5 ** 6 = 15,625, identified by a base-5 id.

    :meth:`parse` reads an id ``"10234"``, a code tuple ``"(4, 3, 2, 1, 0, 4)"`` or the string written by
    :meth:`format` (the NAS-Bench-201-style string with SpikeNAS-Bench operation names).
    """

    arch_type = SpikeNASArch
    description = "SpikeNAS-Bench cell"
    tuple_name = "SpikeNAS-Bench code tuple"
    notations = (
        f"an id 0..{NUM_IDS - 1}, a code tuple like '(4, 3, 2, 1, 0, 4)' or a string like "
        "'|lif_mid_conv_3x3~0|+|none~0|skip_connect~1|+|...|'"
    )
    # both cells of the network keep channels and resolution: skip is an identity
    roles = MappingProxyType(
        {
            "none": ZERO,
            "skip_connect": IDENTITY,
            "lif_low_conv_3x3": PARAMETRIC,
            "lif_mid_conv_3x3": PARAMETRIC,
            "lif_high_conv_3x3": PARAMETRIC,
        }
    )

    def _parse_text(self, s: str) -> SpikeNASArch:
        """An id, else the string written by :meth:`format`."""
        return self.from_id(int(s)) if s.isdigit() else super()._parse_text(s)

    def from_id(self, arch_id: Any) -> SpikeNASArch:
        """The cell of a SpikeNAS-Bench architecture id (0..15,624)."""
        value = integer_key(arch_id, "SpikeNAS-Bench id", NUM_IDS)
        return SpikeNASArch(tuple(OPS[(value // len(OPS) ** k) % len(OPS)] for k in range(NUM_EDGES)))

    def to_id(self, arch: SpikeNASArch) -> int:
        """The SpikeNAS-Bench architecture id of a cell."""
        return int(np.dot(self.indices_of(arch), _PLACES))

    def to_ids(self, archs: list[SpikeNASArch]) -> np.ndarray:
        """The ids of many cells at once (int64)."""
        return self.op_indices(archs).astype(np.int64) @ _PLACES

    def enumerate(self) -> Iterator[SpikeNASArch]:
        """Every cell, in id order 0..15,624."""
        digits = (np.arange(NUM_IDS)[:, None] // _PLACES) % len(OPS)
        yield from self.from_op_indices(digits)
