"""Training-free scores of Mellor et al. ("Neural Architecture Search without Training", ICML 2021).

* ``jacov`` (v1 of the paper): the Jacobian of the summed outputs with respect to each input of a batch,
  flattened per input; with ``lambda`` the eigenvalues of the correlation matrix of these Jacobians,
  ``-sum(log(lambda + k) + 1 / (lambda + k))``, ``k = 1e-5``.
* ``nwot`` (v2): each ReLU's input is coded as a binary vector per input (active or not); the kernel
  ``K[i, j]`` counts the units where inputs ``i`` and ``j`` agree, summed over the ReLUs, and the score
  is ``log |det K|``.

As in NAS-Bench-Suite-Zero (NASLib ``jacov.py``, ``nwot.py``) the network runs in training mode, so
BatchNorm normalises with the batch's statistics.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch
from torch import nn

from naspred.errors import InvalidInputError
from naspred.featurizers.zerocost.data import DataBatch, as_batch
from naspred.featurizers.zerocost.result import ProxyError, finite

#: the constant ``k`` of jacov (Mellor et al., v1)
JACOV_K = 1e-5


def _prepare(
    net: nn.Module, data: Any, seed: int, device: str | torch.device, who: str, inplace: bool
) -> tuple[nn.Module, DataBatch]:
    batch = as_batch(data, seed)
    if len(batch) < 2:
        raise InvalidInputError(
            f"{who} compares inputs with each other: it needs a batch of at least 2, got {len(batch)}"
        )
    work = (net if inplace else copy.deepcopy(net)).to(device).train()
    for p in work.parameters():
        p.requires_grad_(False)
    return work, batch.to(device)


def jacov_score(jacobians: np.ndarray, k: float = JACOV_K) -> float:
    """``-sum(log(lambda + k) + 1 / (lambda + k))`` over the eigenvalues of the rows' correlation matrix."""
    jac = np.asarray(jacobians, dtype=np.float64)
    if jac.ndim != 2 or jac.shape[0] < 2:
        raise InvalidInputError(f"jacov needs a (n_inputs >= 2, n_features) array of Jacobians, got shape {jac.shape}")
    if (jac.std(axis=1) == 0).any():
        raise ProxyError("jacov: the Jacobian of an input is constant, so its correlation with the others is undefined")
    corr = np.corrcoef(jac)
    eig = np.linalg.eigvalsh(corr)
    with np.errstate(divide="ignore", invalid="ignore"):
        return finite("jacov", -np.sum(np.log(eig + k) + 1.0 / (eig + k)))


def input_jacobians(net: nn.Module, inputs: torch.Tensor) -> np.ndarray:
    """``d sum(net(x)) / dx`` for the batch ``inputs``, one flattened row per input (float64)."""
    x = inputs.detach().clone().requires_grad_(True)
    out = net(x)
    out.backward(torch.ones_like(out))
    return x.grad.reshape(x.shape[0], -1).detach().double().cpu().numpy()


def jacov(
    net: nn.Module, data: Any, *, seed: int = 0, device: str | torch.device = "cpu", inplace: bool = False
) -> float:
    """Jacobian covariance score of ``net`` on a batch (Mellor et al., v1).

    ``net`` is left unchanged unless ``inplace`` (faster: no copy; for a network the caller discards).
    """
    work, batch = _prepare(net, data, seed, device, "jacov", inplace)
    return jacov_score(input_jacobians(work, batch.inputs))


def relu_code_kernel(net: nn.Module, inputs: torch.Tensor) -> np.ndarray:
    """``K[i, j]``: number of ReLU units whose input has the same sign pattern (> 0 or not) for inputs i and j."""
    n = inputs.shape[0]
    kernel = torch.zeros((n, n), dtype=torch.float64, device=inputs.device)

    def hook(_module: nn.Module, args: tuple, _out: torch.Tensor) -> None:
        nonlocal kernel
        codes = (args[0].detach().reshape(n, -1) > 0).double()
        kernel = kernel + codes @ codes.T + (1.0 - codes) @ (1.0 - codes).T

    handles = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, nn.ReLU)]
    try:
        with torch.no_grad():
            net(inputs)
    finally:
        for handle in handles:
            handle.remove()
    return kernel.cpu().numpy()


def nwot(
    net: nn.Module, data: Any, *, seed: int = 0, device: str | torch.device = "cpu", inplace: bool = False
) -> float:
    """``log |det K|`` of the ReLU-code kernel of ``net`` on a batch (Mellor et al., v2); ``inplace`` as in
    :func:`jacov`."""
    work, batch = _prepare(net, data, seed, device, "nwot", inplace)
    if not any(isinstance(m, nn.ReLU) for m in work.modules()):
        raise ProxyError("nwot reads the inputs of ReLU modules; the network has none")
    sign, logdet = np.linalg.slogdet(relu_code_kernel(work, batch.inputs))
    if sign <= 0:
        raise ProxyError("nwot: the ReLU-code kernel is singular (two inputs share every activation pattern)")
    return finite("nwot", logdet)
