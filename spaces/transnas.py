"""The TransNAS-Bench-101 micro (cell) search space (Duan et al., CVPR 2021, "TransNAS-Bench-101:
Improving Transferability and Generalizability of Cross-Task Neural Architecture Search").

4,096 cells of 4 nodes and 6 edges (see :mod:`naspred.spaces.cells`), each edge one of four operations,
indexed by the benchmark's own codes: 0 ``none`` (zero), 1 ``skip_connect``, 2 ``nor_conv_1x1``,
3 ``nor_conv_3x3`` (ReLU-conv-BN). Networks stack the cell in the skeleton ``64-41414``.

Conventions, with their sources:

* Benchmark arch string ``"64-41414-0_02_333"`` (written by ``format``): base channels, macro skeleton,
  then the cell code, one group per node 1..3 joined by ``_``; group ``j`` gives the operation code of the
  edges from nodes ``0..j-1`` into node ``j``, i.e. edges (0->1), (0->2), (1->2), (0->3), (1->3), (2->3)
  (TransNAS-Bench-101 ``MicroCell``: ``from_nodes = [[], [0], [0, 1], [0, 1, 2]]``; codes from its ``OPS``
  table: '0' Zero, '1' Identity, '2' 1x1 ReLUConvBN, '3' 3x3 ReLUConvBN; NASLib mirrors both in
  ``transbench101/tnb101/models``). The bare cell code ``"0_02_333"`` is read too.
* NASLib / NAS-Bench-Suite-Zero tuple ``"(0, 0, 2, 3, 3, 3)"`` (keys of ``zc_transbench101_micro.json``):
  the six digits of the cell code in the string's order. NASLib queries and builds networks with
  ``'64-41414-{}_{}{}_{}{}{}'.format(*op_indices)`` (``convert_op_indices_micro_to_str``), so its tuple is
  the benchmark's codes by target node, not NASLib's NB201 order. (NASLib's TransNAS ``OP_NAMES`` list and
  its sampler's validity check assume other conventions; zc_combine reads the tuple as here, with a warning
  about the mismatch.)

In the canonical form a skip connection out of node 0 is an operation with weights, not an identity: in
the reduction cells of ``41414`` the edges from node 0 have stride 2 and double the channels, and
``'1'`` there is a ``FactorizedReduce`` (two 1x1 convolutions and a BatchNorm).
"""

from __future__ import annotations

from types import MappingProxyType

from naspred.errors import InvalidArchitectureError
from naspred.spaces.cells import BY_TARGET, IDENTITY, PARAMETRIC, ZERO, CellArch, CellSpace

#: operations by their TransNAS-Bench-101 code
OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3")
BASE_CHANNELS = 64
SKELETON = "41414"


class TNB101MicroArch(CellArch):
    """A TransNAS-Bench-101 micro cell: six operation names, edges (0->1), (0->2), (0->3), (1->2), (1->3), (2->3)."""

    OPS = OPS
    SPACE = "tnb101-micro"


class TNB101MicroSpace(CellSpace):
    """TransNAS-Bench-101 micro cells (Duan et al., CVPR 2021): 4 ** 6 = 4,096.

    :meth:`parse` reads ``"64-41414-0_02_333"``, the cell code ``"0_02_333"`` or a NASLib tuple
    ``"(0, 0, 2, 3, 3, 3)"``; :meth:`format` writes the first.
    """

    arch_type = TNB101MicroArch
    description = "TransNAS-Bench-101 micro cell"
    tuple_name = "NASLib TransNAS-Bench-101 micro tuple"
    notations = "'64-41414-0_02_333', '0_02_333' or '(0, 0, 2, 3, 3, 3)'"
    roles = MappingProxyType(
        {"none": ZERO, "skip_connect": IDENTITY, "nor_conv_1x1": PARAMETRIC, "nor_conv_3x3": PARAMETRIC}
    )
    identity_from_input = False
    # the NASLib / NAS-Bench-Suite-Zero tuple holds the benchmark's codes by target node
    tuple_positions = BY_TARGET

    def _parse_text(self, s: str) -> TNB101MicroArch:
        """The arch string or the bare cell code."""
        parts = s.split("-")
        if len(parts) == 3:
            channels, skeleton, code = parts
            if code == "basic":
                raise InvalidArchitectureError(
                    f"{s!r} is a TransNAS-Bench-101 macro skeleton (ResNet 'basic' blocks); "
                    "read it with space 'tnb101-macro'"
                )
            if channels != str(BASE_CHANNELS) or skeleton != SKELETON:
                raise InvalidArchitectureError(
                    f"{s!r}: micro cells are stacked as '{BASE_CHANNELS}-{SKELETON}-<cell code>', "
                    f"not '{channels}-{skeleton}'"
                )
        elif len(parts) == 1:
            code = s
        else:
            raise InvalidArchitectureError(f"not a {self.description}: {s!r}; expected {self.notations}")
        groups = code.split("_")
        if len(groups) != 3 or [len(g) for g in groups] != [1, 2, 3]:
            raise InvalidArchitectureError(
                f"malformed TransNAS-Bench-101 cell code {code!r} in {s!r}: expected three groups of 1, 2 "
                "and 3 digits joined by '_', like '0_02_333'"
            )
        digits = "".join(groups)
        for pos, ch in enumerate(digits):
            if ch not in "0123":
                u, v = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))[pos]
                raise InvalidArchitectureError(
                    f"unknown operation code {ch!r} on edge {u}->{v} in {s!r}; expected 0..3 "
                    f"({', '.join(f'{i} {o}' for i, o in enumerate(OPS))})"
                )
        return self.from_tuple([int(ch) for ch in digits])

    def format(self, arch: TNB101MicroArch) -> str:
        """The benchmark's arch string, e.g. ``"64-41414-0_02_333"``."""
        c = "".join(str(i) for i in self.to_tuple(arch))
        return f"{BASE_CHANNELS}-{SKELETON}-{c[0]}_{c[1:3]}_{c[3:]}"
