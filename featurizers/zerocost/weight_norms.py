"""``l2_norm``: the sum of the L2 norms of a network's weights at initialisation, as NAS-Bench-Suite-Zero
(Krishnakumar et al., NeurIPS 2022) computes it (NASLib ``measures/l2_norm.py``, after Abdelfattah et al.,
ICLR 2021).

For every convolution and linear layer, ``||W||_2`` is the Frobenius norm of its weight tensor (biases and
BatchNorm left out, as NASLib's ``get_layer_metric_array`` selects layers); the proxy is the sum over the
layers. It needs no data: the value depends on the architecture and the draw of the weights only. Scaling
every weight by ``c`` scales the proxy by ``|c|``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from naspred.featurizers.zerocost.result import finite
from naspred.featurizers.zerocost.saliency import weighted_layers


def l2_norm(
    net: nn.Module,
    input_shape: Sequence[int] = (3, 32, 32),
    *,
    device: str | torch.device = "cpu",
    inplace: bool = False,
) -> float:
    """``sum ||W||_2`` over the weights of the convolution and linear layers of ``net``.

    ``input_shape``, ``device`` and ``inplace`` are accepted for the data-free proxy signature; the weights
    are read where they are and never changed.
    """
    with torch.no_grad():
        total = sum(float(m.weight.detach().double().norm()) for m in weighted_layers(net))
    return finite("l2_norm", total)
