"""LC-Net: Klein, Falkner, Springenberg and Hutter, "Learning Curve Prediction with Bayesian Neural Networks"
(ICLR 2017).

A Bayesian neural network models the learning curve ``f(x, t)`` of a configuration ``x`` at time ``t`` (the
epoch over the final epoch, in ``(0, 1]``). Its last layer is not a linear unit but a mixture of parametric
basis curves: the network (3 tanh layers of 50 units) outputs, for each ``x``, the parameters ``theta_k`` of
the basis curves (sigmoid outputs in ``(0, 1)``), their mixing weights ``w_k`` (a softmax) and an asymptotic
value ``y_inf`` (a sigmoid), and::

    f(x, t) = y_inf + sum_k w_k phi_k(t; theta_k)

with the five basis curves of the paper (vapor pressure, pow, log power, exponential and hill-3; their forms
as in the original implementation, in :func:`basis_curves`), each 0 at ``t = 1``: ``y_inf`` is the final value
and the basis curves the path to it. The weights of the network are sampled by scale-adapted SGHMC
(:func:`~naspred.predictors.sghmc.scale_adapted_sghmc`, as BOHAMIANN,
:class:`~naspred.predictors.bayesian_nn.BOHAMIANN`), with Gaussian noise; the prediction is the mixture of the
kept networks (mean of their final values; variance of those plus the mean noise variance of final values).

As a hybrid predictor (White et al., "How Powerful are Performance Predictors in Neural Architecture Search?",
NeurIPS 2021) it reads the architecture encoding and the partial learning curve of the target's own metric up
to ``fidelity`` epochs. Training points are, for each training architecture, its curve at the recorded epochs
up to the fidelity and its final value at ``final_epoch`` (``t = 1``). Curve values are oriented so that higher
is better (a loss is negated) and scaled to ``[0, 1]`` by the smallest and largest training value, as ``pybnn``
fits accuracies in ``[0, 1]``. Two departures from the paper, both for what a predictor here must do:

* The paper conditions on a new configuration's partial curve by adding it to the training points and sampling
  again. A prediction here may not depend on the other architectures of its batch, and sampling again for each
  queried architecture would cost a full fit each; so the partial curve is an input of the network beside the
  encoding (as LcSVR appends the encoding to curve features), and the network learns to continue it. Weighting
  the kept networks by the likelihood of the queried partial curve (the exact posterior update of the kept
  samples, without the curve as input) ranked SpikeNAS architectures worse.
* The noise has two levels, one of the curve points and one of the final values, each with BOHAMIANN's prior.
  With one level the noise is that of the early epochs, whose values lie far below the final ones and vary
  more, and the small differences between final values that a ranking needs were lost in it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from naspred.errors import InvalidInputError, TrainingError
from naspred.oracles.budget import Budget
from naspred.oracles.oracle import Oracle
from naspred.params import Int, optional, param
from naspred.predictors.bayesian_nn import (
    BOHAMIANN,
    PREDICT_CHUNK,
    flat_forward,
    tanh_network_shapes,
)
from naspred.predictors.info import ArchInfo
from naspred.predictors.learning_curve import TargetCurve, read_curves
from naspred.predictors.requirements import Requirements
from naspred.predictors.sghmc import gaussian_potential, scale_adapted_sghmc
from naspred.predictors.standardised import TargetScaler

#: the basis curves, with the number of parameters of each
BASIS_CURVES: dict[str, int] = {"vapor_pressure": 3, "pow": 2, "log_power": 3, "exponential": 2, "hill_3": 3}
#: outputs of the network: the basis curves' parameters, their weights, the asymptotic value
N_OUTPUTS = sum(BASIS_CURVES.values()) + len(BASIS_CURVES) + 1


def basis_curves(theta: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """The basis curves ``(..., 5)`` at times ``t`` ``(...)`` in ``(0, 1]``, of parameters ``theta`` ``(..., 13)``
    in ``(0, 1)``, each 0 at ``t = 1`` and (but for vapor pressure) rising to it.

    vapor pressure ``exp(-a - b' / t - c' log t) - exp(-a - b')`` with ``b' = b / 10``, ``c' = c / 10``; pow
    ``a (t^b - 1)``; log power ``2 a (s(b') - 1 / (1 + exp(c log t - b')))`` with ``s`` the logistic function;
    exponential ``a (exp(-10 b) - exp(-10 b t))``; hill-3 ``a (1 / ((c / t)^b + 1) - 1 / (c^b + 1))``. The log
    power and hill-3 forms are those of the original code with its slips mended so that they vanish at
    ``t = 1`` (its log power reads ``s(b' c)`` and its hill-3 ``a / (c^b + 1)``).
    """
    p = theta.unbind(-1)
    log_t = torch.log(t)
    vapor = torch.exp(-p[0] - p[1] / 10.0 / t - p[2] / 10.0 * log_t) - torch.exp(-p[0] - p[1] / 10.0)
    power = p[3] * (torch.exp(p[4] * log_t) - 1.0)
    b = p[6] / 10.0
    log_power = 2.0 * p[5] * (torch.sigmoid(b) - torch.sigmoid(b - p[7] * log_t))
    exponential = p[8] * (torch.exp(-10.0 * p[9]) - torch.exp(-10.0 * p[9] * t))
    c_b = torch.exp(p[11] * torch.log(p[12]))
    hill = p[10] * (1.0 / (c_b * torch.exp(-p[11] * log_t) + 1.0) - 1.0 / (c_b + 1.0))
    return torch.stack([vapor, power, log_power, exponential, hill], dim=-1)


def curve_value(out: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """``f(x, t)`` ``(...)`` from the network's raw outputs ``(..., N_OUTPUTS)``: asymptote plus weighted basis."""
    n_params = sum(BASIS_CURVES.values())
    theta = torch.sigmoid(out[..., :n_params])
    weights = torch.softmax(out[..., n_params:-1], dim=-1)
    asymptote = torch.sigmoid(out[..., -1])
    return asymptote + (weights * basis_curves(theta, t)).sum(dim=-1)


class LCNet(TargetCurve, BOHAMIANN):
    """LC-Net (Klein et al., ICLR 2017): a Bayesian neural network whose last layer mixes parametric basis
    curves; from an architecture's encoding and partial learning curve it predicts the final value, with a
    standard deviation.

    The network reads the architecture encoding and the partial curve up to ``fidelity`` (each input
    standardised by its training mean and standard deviation, as ``pybnn`` does) and the time ``t``; it is
    sampled on every training architecture's curve points and final value. ``pybnn``'s LC-Net, which NASLib
    wraps, samples 3 tanh layers of 50 units with scale-adapted SGHMC (momentum decay 0.05, batches of 20) at
    step size 0.01; NASLib runs 1,000 steps, of which 100 burn-in, and keeps every 50th. On SpikeNAS curves the
    sampler lost the fit at step size 0.01 and, at 0.001, now and then threw the noise level of the final values
    off by orders of magnitude; the defaults here are step size 0.0005, 500 burn-in and 2,000 sampling steps,
    every 10th kept (200 networks). ``perf/lcnet.md`` compares them with NASLib's settings.

    Parameters
    ----------
    fidelity : int
        Epochs of the partial curve read (>= 1), of the target's own metric.
    final_epoch : int or None
        The epoch of the final value (``t = 1``, >= 2); None takes the oracle's full schedule, recorded by
        :meth:`initialize` (give it when calling :meth:`fit` directly).
    encoding, num_layers, layer_width, burn_in_steps, sample_steps, keep_every, step_size, momentum_decay
        As :class:`~naspred.predictors.bayesian_nn.BOHAMIANN`; batches are of curve points.
    weight_prior_std, noise_prior_mean, noise_prior_std, batch_size, random_state, device
        As :class:`~naspred.predictors.bayesian_nn.BOHAMIANN`; both noise levels are those of the curve scaled
        to ``[0, 1]``.
    """

    family = "hybrid"
    uncertainty = True
    #: the curve read: the target's own, whose value at the final epoch is the target
    metric = None

    fidelity: int = param(10, Int(1))
    final_epoch: int | None = param(None, optional(Int(2)))
    step_size: float = param(5e-4)
    burn_in_steps: int = param(500)
    sample_steps: int = param(2000)
    keep_every: int = param(10)

    @property
    def requirements(self) -> Requirements:
        metric = self.curve_metric()
        return Requirements(featurizers=(self.encoding,), fidelity=self.fidelity,
                            curve_metrics=(metric,) if metric else (), labelled=True, encoding=True)

    def validate_params(self) -> None:
        """The declared checks, then that the fidelity lies before a given final epoch."""
        super().validate_params()
        if self.final_epoch is not None and self.fidelity >= self.final_epoch:
            raise InvalidInputError(
                f"{self._name}: fidelity={self.fidelity} reaches final_epoch={self.final_epoch}; expected a partial "
                "curve, ending before the final epoch"
            )

    def initialize(self, oracle: Oracle, budget: Budget) -> None:
        """Record the oracle's full schedule (the final epoch), then train architectures and fit."""
        self.full_epochs_ = oracle.full_epochs
        super().initialize(oracle, budget)

    # -- data ------------------------------------------------------------------------------------------
    def _final_epoch(self) -> int:
        """``final_epoch``, else the full schedule of the oracle initialized on."""
        final = self.final_epoch if self.final_epoch is not None else getattr(self, "full_epochs_", None)
        if final is None:
            raise InvalidInputError(
                f"{self._name}: the final epoch is unknown; set final_epoch or call initialize(oracle, budget)"
            )
        return int(final)

    def _curves(self, info: ArchInfo) -> tuple[np.ndarray, np.ndarray]:
        """Epochs ``(t,)`` of the partial curves and their values ``(n, t)``, standardised, higher better."""
        metric = self.read_metric(info)
        if info.target is not None and metric != info.target:
            raise InvalidInputError(
                f"{self._name} models the learning curve of the target {info.target!r}, whose final value it "
                f"predicts; info has curves of {sorted(info.curves)}"
            )
        epochs, values = read_curves(info, metric, int(self.fidelity), self._name, contiguous=False)
        final = self._final_epoch()
        if epochs[-1] >= final:
            raise InvalidInputError(
                f"{self._name}: curves reach epoch {int(epochs[-1])}, the final epoch is {final}; expected partial "
                "curves, ending before it"
            )
        sign = 1.0 if info.higher_is_better else -1.0  # the target's own curve: the target's direction
        return epochs, sign * self.scaler_.transform(values)

    def _times(self, epochs: np.ndarray) -> np.ndarray:
        """The times ``t`` of the curve points and of the final value: epochs over the final epoch."""
        final = self._final_epoch()
        return np.append(epochs, final) / final

    def _raw_inputs(self, archs: list[Any], info: ArchInfo, partial: np.ndarray) -> np.ndarray:
        return np.hstack([self._encode(archs, info).astype(np.float64), partial])

    # -- training --------------------------------------------------------------------------------------
    def _train(self, archs: list[Any], z: np.ndarray, info: ArchInfo, rng: np.random.Generator) -> None:
        epochs, curves = self._curves(info)
        self.sign_ = 1.0 if info.higher_is_better else -1.0
        oriented = np.hstack([curves, self.sign_ * z[:, None]])  # each row: the partial curve, then the final value
        low, high = float(oriented.min()), float(oriented.max())
        self.unit_ = TargetScaler(mean=low, scale=high - low if high > low else 1.0)
        self.epochs_ = epochs
        unit = self.unit_.transform(oriented)
        raw = self._raw_inputs(archs, info, unit[:, :-1])
        spread = raw.std(axis=0)
        self.input_mean_, self.input_scale_ = raw.mean(axis=0), np.where(spread > 0, spread, 1.0)
        x = torch.as_tensor((raw - self.input_mean_) / self.input_scale_, dtype=torch.float64, device=self.device_)
        self.shapes_ = [*tanh_network_shapes(x.shape[1], self.num_layers, self.layer_width)[:-1],
                        (self.layer_width, N_OUTPUTS)]
        self.samples_ = self._sample(x, unit, self._times(epochs), rng)

    def _sample(self, x: torch.Tensor, unit: np.ndarray, times: np.ndarray, rng: np.random.Generator) -> torch.Tensor:
        """SGHMC samples of the network on the curve points ``unit`` ``(n, t + 1)`` of the inputs ``x`` at ``times``."""
        device = self.device_
        n_arch, n_times = unit.shape
        rows = torch.as_tensor(np.repeat(np.arange(n_arch), n_times), device=device)
        t = torch.as_tensor(np.tile(times, n_arch), dtype=torch.float64, device=device)
        targets = torch.as_tensor(unit.reshape(-1), dtype=torch.float64, device=device)
        shapes = self.shapes_

        def mean(theta: torch.Tensor, batch: torch.Tensor) -> torch.Tensor:
            return curve_value(flat_forward(theta.unsqueeze(0), x[rows[batch]], shapes)[0], t[batch])

        groups = torch.as_tensor(np.tile(np.arange(n_times) == n_times - 1, n_arch), dtype=torch.long, device=device)
        potential = gaussian_potential(mean, targets, weight_prior_std=self.weight_prior_std,
                                       noise_prior_mean=self.noise_prior_mean, noise_prior_std=self.noise_prior_std,
                                       noise_groups=groups)
        theta = self._initial_theta(shapes, device)
        theta = torch.cat([theta, theta[-1:]])  # log variances of the curve points, then of the final values
        samples = scale_adapted_sghmc(
            potential, theta, len(targets), batch_size=self.batch_size,
            burn_in_steps=self.burn_in_steps, sample_steps=self.sample_steps, keep_every=self.keep_every,
            step_size=self.step_size, momentum_decay=self.momentum_decay, rng=rng,
        )
        if not torch.isfinite(samples).all() or not torch.isfinite(torch.exp(samples[:, -2:])).all():
            raise TrainingError(
                f"{self._name}: the sampler diverged (non-finite weights or noise level); expected a smaller "
                f"step_size (now {self.step_size})"
            )
        return samples

    # -- prediction ------------------------------------------------------------------------------------
    def _infer(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray | None]:
        epochs, curves = self._curves(info)
        if not np.array_equal(epochs, self.epochs_):
            raise InvalidInputError(
                f"{self._name}: curves recorded at epochs {epochs.tolist()}; fitted on epochs {self.epochs_.tolist()}, "
                "expected the same"
            )
        raw = self._raw_inputs(archs, info, self.unit_.transform(curves))
        x = torch.as_tensor((raw - self.input_mean_) / self.input_scale_, dtype=torch.float64, device=self.device_)
        end = torch.ones(1, dtype=torch.float64, device=self.device_)  # t = 1: the final value
        chunks = [curve_value(flat_forward(self.samples_, part, self.shapes_), end)
                  for part in torch.split(x, PREDICT_CHUNK)]
        final = torch.cat(chunks, dim=1).cpu().numpy()  # (kept networks, architectures)
        noise = np.exp(self.samples_[:, -1].cpu().numpy())
        mean = final.mean(axis=0)
        std = np.sqrt(final.var(axis=0) + noise.mean())
        return self.sign_ * self.unit_.inverse_mean(mean), std * self.unit_.scale
