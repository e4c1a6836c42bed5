"""Scale-adapted stochastic-gradient Hamiltonian Monte Carlo (Springenberg et al., "Bayesian Optimization with
Robust Bayesian Neural Networks", NeurIPS 2016), the sampler of BOHAMIANN and LC-Net in ``pybnn``.

:func:`scale_adapted_sghmc` samples a flat parameter vector ``theta`` from ``exp(-U)``, where ``U`` is the
negative log posterior of ``n`` data points, from the minibatch estimate ``n * potential(theta, batch)``
(``potential`` returns the mean negative log likelihood of the batch plus the negative log prior divided by
``n``). During ``burn_in_steps`` the sampler estimates, per parameter, the running mean ``g`` and second moment
``v`` of the gradient over an adaptive window ``tau`` (eqs. 8-9 of the paper) and uses ``v^-1/2`` as
preconditioner (eq. 10)::

    r <- r - eps^2 v^-1/2 grad U - m r + N(0, 2 eps^2 m v^-1/2 - eps^4),   theta <- theta + r

with ``eps^2`` the step size (``pybnn``'s convention) and ``m`` the momentum decay. ``v + 1`` stands in for ``v``
(:data:`SECOND_MOMENT_FLOOR`; see :mod:`naspred.predictors.bayesian_nn` for
why). After burn-in every ``keep_every``-th of ``sample_steps`` states is kept.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from naspred.predictors.neural import minibatches

#: added to the gradient second-moment estimate ``v`` before its inverse square root is taken
SECOND_MOMENT_FLOOR = 1.0
#: the smallest variance of the injected noise (the update's noise term is clamped to it)
NOISE_VARIANCE_FLOOR = 1e-16

#: ``potential(theta, batch)``: the minibatch's mean negative log likelihood plus the negative log prior / ``n``
Potential = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def scale_adapted_sghmc(
    potential: Potential,
    theta: torch.Tensor,
    n: int,
    *,
    batch_size: int,
    burn_in_steps: int,
    sample_steps: int,
    keep_every: int,
    step_size: float,
    momentum_decay: float,
    rng: np.random.Generator,
) -> torch.Tensor:
    """Kept states ``(sample_steps // keep_every, P)`` of the chain started at ``theta`` ``(P,)``.

    Batches are passes over a new permutation of ``range(n)`` drawn from ``rng``; the injected noise is drawn
    from PyTorch's generator (seed it, e.g. with :func:`~naspred.torch_tools.seeded_torch`).
    """
    theta = theta.detach().clone().requires_grad_(True)
    eps = float(np.sqrt(step_size))  # pybnn's convention: the update uses eps^2 = step_size
    decay = float(momentum_decay)
    window = torch.ones_like(theta.detach())
    mean_grad = torch.ones_like(window)
    second = torch.ones_like(window)
    momentum = torch.zeros_like(window)
    kept = []
    pending: list[np.ndarray] = []
    for step in range(1, burn_in_steps + sample_steps + 1):
        if not pending:
            pending = minibatches(n, batch_size, rng)[::-1]
        batch = torch.as_tensor(pending.pop(), device=theta.device)
        (grad,) = torch.autograd.grad(potential(theta, batch), theta)
        with torch.no_grad():
            grad = grad * n
            if step <= burn_in_steps:
                rate = 1.0 / (window + 1.0)
                window.add_(1.0 - window * mean_grad * mean_grad / second)
                mean_grad.mul_(1.0 - rate).add_(rate * grad)
                second.mul_(1.0 - rate).add_(rate * grad * grad)
            precondition = 1.0 / torch.sqrt(second + SECOND_MOMENT_FLOOR)
            noise_var = torch.clamp(2.0 * eps**2 * decay * precondition - eps**4, min=NOISE_VARIANCE_FLOOR)
            kick = torch.randn_like(momentum) * noise_var.sqrt()
            momentum.add_(-(eps**2) * precondition * grad - decay * momentum + kick)
            theta.add_(momentum)
        if step > burn_in_steps and (step - burn_in_steps) % keep_every == 0:
            kept.append(theta.detach().clone())
    return torch.stack(kept)


def gaussian_potential(
    mean: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    targets: torch.Tensor,
    *,
    weight_prior_std: float,
    noise_prior_mean: float,
    noise_prior_std: float,
    noise_groups: torch.Tensor | None = None,
) -> Potential:
    """The :data:`Potential` of a regression with Gaussian noise, as BOHAMIANN's.

    ``mean(theta, batch)`` is the model's output for the data points ``batch``. Without ``noise_groups`` the noise
    is homoscedastic and the last entry of ``theta`` its log variance; with ``noise_groups`` (one integer in
    ``0..G-1`` per data point) the last ``G`` entries are the log variances of the groups. Every other entry is a
    weight with a Gaussian prior of standard deviation ``weight_prior_std``; each log variance has a Gaussian prior
    centred on ``log(noise_prior_mean)`` of standard deviation ``noise_prior_std``.
    """
    n = targets.shape[0]
    n_noise = 1 if noise_groups is None else int(noise_groups.max()) + 1
    weight_precision = 1.0 / weight_prior_std**2
    noise_centre = float(np.log(noise_prior_mean))
    noise_precision = 1.0 / noise_prior_std**2

    def potential(theta: torch.Tensor, batch: torch.Tensor) -> torch.Tensor:
        log_vars = theta[-1] if noise_groups is None else theta[-n_noise:]
        log_var = log_vars if noise_groups is None else log_vars[noise_groups[batch]]
        nll = 0.5 * ((targets[batch] - mean(theta, batch)) ** 2 * torch.exp(-log_var) + log_var).mean()
        prior = 0.5 * weight_precision * theta[:-n_noise].pow(2).sum()
        prior = prior + 0.5 * noise_precision * ((log_vars - noise_centre) ** 2).sum()
        return nll + prior / n

    return potential
