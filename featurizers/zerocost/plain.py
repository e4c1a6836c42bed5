"""``plain``: the sum of gradient times weight of the loss, NAS-Bench-Suite-Zero's "plain" proxy
(Krishnakumar et al., NeurIPS 2022; NASLib ``measures/plain.py``, after the saliency baselines of Abdelfattah
et al., ICLR 2021, "Zero-Cost Proxies for Lightweight NAS").

With ``L`` the loss of one labelled batch (cross-entropy by default), the network in training mode
(BatchNorm with batch statistics) and the sum over the weights of every convolution and linear layer,
``plain = sum theta * dL/dtheta``: snip without the absolute value, so terms of opposite signs cancel and
the sign of the loss is the sign of the proxy (``-L`` gives ``-plain``).

Its agreement with NAS-Bench-Suite-Zero's recorded values was not measured here: those were computed on
CIFAR-10 images, which naspred's test machines cannot download; it is tested on MNIST-1D and random batches
(``tests/test_zerocost_more_proxies.py``).
"""

from __future__ import annotations

import torch
from torch import nn

from naspred.featurizers.zerocost.saliency import LossFn, saliency_proxy, weighted_layers


@saliency_proxy("plain")
def plain(work: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: LossFn) -> float:
    """``sum theta * dL/dtheta`` over convolution and linear weights (signed)."""
    weights = [m.weight for m in weighted_layers(work)]
    grads = torch.autograd.grad(loss_fn(work(x), y), weights, allow_unused=True)
    return sum(float((w.detach() * g).sum()) for w, g in zip(weights, grads) if g is not None)
