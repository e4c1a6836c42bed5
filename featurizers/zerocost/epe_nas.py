"""EPE-NAS (Lopes et al., ICANN 2021, "EPE-NAS: Efficient Performance Estimation Without Training for Neural
Architecture Search"), as NAS-Bench-Suite-Zero computes it (Krishnakumar et al., NeurIPS 2022; NASLib
``measures/epe_nas.py``, taken from the authors' code).

The Jacobian of the summed outputs with respect to each input is flattened per input, as for jacov
(Mellor et al., ICML 2021), the network in training mode. The inputs are grouped by class; for class ``c``
with correlation matrix ``C_c`` of its Jacobians, ``s_c = sum_ij log(|C_c[i, j]| + k)``, ``k = 1e-5``. With
``K`` the network's number of outputs:

* ``K <= 100``: ``epe_nas = sum_c |s_c|``;
* ``K > 100``: each ``s_c`` is divided by the class's number of inputs, and
  ``epe_nas = sum_{c, c'} |s_c - s_c'| / (number of classes)``.

A class with one input in the batch has the 1x1 correlation matrix ``[1]``: NASLib adds ``|log(1 + k)|``
for it when ``K <= 100`` and leaves it out when ``K > 100`` (its ``len`` of a scalar fails there), and so
does this module.

Its agreement with NAS-Bench-Suite-Zero's recorded values was not measured here: those were computed on
CIFAR-10 images, which naspred's test machines cannot download; it is tested on MNIST-1D and random batches
(``tests/test_zerocost_more_proxies.py``).
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import torch
from torch import nn

from naspred.errors import InvalidInputError
from naspred.featurizers.zerocost.data import as_batch
from naspred.featurizers.zerocost.jacobian import input_jacobians
from naspred.featurizers.zerocost.result import ProxyError, finite

#: the constant ``k`` of EPE-NAS
EPE_K = 1e-5
#: above this many outputs the score compares classes with each other (NASLib's ``n_classes > 100``)
MANY_CLASSES = 100


def class_scores(jacobians: np.ndarray, labels: np.ndarray, num_outputs: int, k: float = EPE_K) -> dict[int, float]:
    """``s_c`` of each class of ``labels`` that counts (see the module docstring), by class."""
    many = num_outputs > MANY_CLASSES
    scores: dict[int, float] = {}
    for c in np.unique(labels):
        rows = jacobians[labels == c]
        if len(rows) == 1:
            if not many:
                scores[int(c)] = math.log(1.0 + k)
            continue
        if (rows.std(axis=1) == 0).any():
            raise ProxyError(f"epe_nas: an input of class {int(c)} has a constant Jacobian, so its correlation "
                             "with the others is undefined")
        s = float(np.sum(np.log(np.abs(np.corrcoef(rows)) + k)))
        scores[int(c)] = s / len(rows) if many else s
    return scores


def epe_score(jacobians: np.ndarray, labels: np.ndarray, num_outputs: int, k: float = EPE_K) -> float:
    """EPE-NAS of per-input Jacobians ``(n, features)`` with class ``labels`` ``(n,)``, for ``num_outputs``."""
    jac = np.asarray(jacobians, dtype=np.float64)
    labels = np.asarray(labels)
    if jac.ndim != 2 or labels.shape != (jac.shape[0],):
        raise InvalidInputError(
            f"epe_nas needs Jacobians (n, features) and n labels, got shapes {jac.shape} and {labels.shape}"
        )
    scores = class_scores(jac, labels, num_outputs, k)
    if num_outputs <= MANY_CLASSES:
        return finite("epe_nas", sum(abs(s) for s in scores.values()))
    if not scores:
        raise ProxyError("epe_nas: no class has two inputs in the batch, so no correlation can be formed")
    values = np.array(list(scores.values()))
    return finite("epe_nas", np.abs(values[:, None] - values[None, :]).sum() / len(values))


def epe_nas(
    net: nn.Module, data: Any, *, seed: int = 0, device: str | torch.device = "cpu", inplace: bool = False
) -> float:
    """EPE-NAS of ``net`` on a labelled batch; ``net`` is left unchanged unless ``inplace``."""
    batch = as_batch(data, seed)
    targets = batch.need_targets("epe_nas")
    if len(batch) < 2:
        raise InvalidInputError(f"epe_nas correlates inputs of a class: it needs a batch of at least 2, got {len(batch)}")
    work = (net if inplace else copy.deepcopy(net)).to(device).train()
    for p in work.parameters():
        p.requires_grad_(False)
    outputs: list[torch.Size] = []
    handle = work.register_forward_hook(lambda _m, _args, out: outputs.append(out.shape))
    try:
        jacobians = input_jacobians(work, batch.inputs.to(device))
    finally:
        handle.remove()
    return epe_score(jacobians, targets.cpu().numpy(), int(outputs[-1][-1]))
