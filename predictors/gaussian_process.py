"""Gaussian-process regression on an architecture encoding: exact, sparse, and sparse variational (gpytorch).

- :class:`GaussianProcess`: exact GP regression (Rasmussen & Williams, "Gaussian Processes for Machine
  Learning", 2006) with a constant mean and a scaled RBF or Matérn kernel; kernel and noise
  hyperparameters are fitted by maximising the exact marginal likelihood with Adam for a bounded number
  of steps. NASLib's ``gp`` predictor (White et al., NeurIPS 2021) is the same model (RBF kernel, adjacency
  one-hot encoding). Cost grows as the cube of the number of training architectures.
- :class:`SparseGaussianProcess`: the stochastic variational GP of Hensman et al., "Gaussian Processes
  for Big Data" (UAI 2013), as NASLib's ``var_sparse_gp``: ``n_inducing`` inducing points (initialised
  on training architectures and learned), a Cholesky variational distribution, minibatch training of the
  evidence lower bound. Cost grows linearly in the number of training architectures.
- :class:`InducingPointGP`: sparse GP regression with the collapsed bound of Titsias, "Variational Learning
  of Inducing Variables in Sparse Gaussian Processes" (AISTATS 2009), or the DTC / FITC approximations
  (Quiñonero-Candela & Rasmussen, JMLR 2005), as NASLib's ``sparse_gp`` (Pyro's ``SparseGPRegression``):
  ``n_inducing`` learned inducing points, the whole training set at each step. Cost grows linearly in the
  number of training architectures.

All fit standardised targets; the predictive standard deviation is that of a new observed target
(latent variance plus the fitted noise). Training runs in float64 on ``device`` ("cpu", or "cuda" /
"cuda:N" when CUDA is available).
"""

from __future__ import annotations

import contextlib
import logging
import math
from abc import abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gpytorch
import numpy as np
import torch
from linear_operator.utils.errors import NanError, NotPSDError
from naspred.errors import InvalidInputError
from naspred.params import SEED, Boolean, Int, Options, Real, param
from naspred.predictors.info import ArchInfo
from naspred.predictors.neural import Device, resolve_device
from naspred.torch_tools import seeded_torch
from naspred.predictors.standardised import StandardisedRegressor, TargetScaler
from scipy.stats import loguniform

logger = logging.getLogger(__name__)

KERNELS = ("rbf", "matern52", "matern32", "matern12")
#: exact Cholesky factorisations up to this many points (gpytorch switches to conjugate gradients above)
CHOLESKY_UP_TO = 10_000
_PREDICT_CHUNK = 4096


def make_kernel(name: str, n_features: int, ard: bool) -> Any:
    """A scaled RBF or Matérn kernel (one lengthscale, or one per feature when ``ard``)."""
    dims = n_features if ard else None
    if name == "rbf":
        base = gpytorch.kernels.RBFKernel(ard_num_dims=dims)
    else:
        nu = {"matern52": 2.5, "matern32": 1.5, "matern12": 0.5}[name]
        base = gpytorch.kernels.MaternKernel(nu=nu, ard_num_dims=dims)
    return gpytorch.kernels.ScaleKernel(base)


class ExactModel(gpytorch.models.ExactGP):
    """Constant mean and the given kernel, conditioned on the training points."""

    def __init__(self, x: torch.Tensor, z: torch.Tensor, likelihood: Any, kernel: Any) -> None:
        super().__init__(x, z, likelihood)
        self.mean_module = gpytorch.means.ConstantMean()
        self.covar_module = kernel

    def forward(self, inputs: torch.Tensor) -> Any:
        return gpytorch.distributions.MultivariateNormal(self.mean_module(inputs), self.covar_module(inputs))


class VariationalModel(gpytorch.models.ApproximateGP):
    """Constant mean and the given kernel; a Cholesky variational distribution over learned inducing points."""

    def __init__(self, inducing: torch.Tensor, kernel: Any) -> None:
        distribution = gpytorch.variational.CholeskyVariationalDistribution(inducing.shape[0])
        strategy = gpytorch.variational.VariationalStrategy(self, inducing, distribution, learn_inducing_locations=True)
        super().__init__(strategy)
        self.mean_module = gpytorch.means.ConstantMean()
        self.covar_module = kernel

    def forward(self, inputs: torch.Tensor) -> Any:
        return gpytorch.distributions.MultivariateNormal(self.mean_module(inputs), self.covar_module(inputs))


def exact_objective(model: ExactModel, likelihood: Any, x: torch.Tensor, z: torch.Tensor) -> float:
    """Negative log marginal likelihood per point of an exact GP; its gradient is added to the ``.grad`` of
    the hyperparameters. NaN when the covariance matrix is not positive definite.

    With ``K = k(X, X) + noise I``, ``r = z - m`` and ``a = K^-1 r``, the loss is
    ``(r^T a + log|K|) / (2 n) + log(2 pi) / 2`` and its derivatives are ``(K^-1 - a a^T) / (2 n)`` with
    respect to ``K`` and ``-a / n`` with respect to ``m`` (Rasmussen & Williams 2006, eqs. 2.30 and 5.9):
    one Cholesky factorisation and one inverse per step, then autograd through the kernel only. The value
    and gradient are those of gpytorch's ``ExactMarginalLogLikelihood``, whose backward pass through the
    factorisation costs several times more.
    """
    n = x.shape[0]
    mean = model.mean_module(x)
    cov = model.covar_module(x).to_dense() + likelihood.noise * torch.eye(n, dtype=x.dtype, device=x.device)
    with torch.no_grad():
        chol, failed = torch.linalg.cholesky_ex(cov)
        if failed.item() or not torch.isfinite(chol).all():
            return float("nan")
        r = (z - mean).unsqueeze(-1)
        a = torch.cholesky_solve(r, chol)
        loss = float((r * a).sum() / 2 + torch.log(torch.diagonal(chol)).sum()) / n + 0.5 * math.log(2 * math.pi)
        grad_cov = (torch.cholesky_inverse(chol) - a @ a.T) / (2 * n)
    torch.autograd.backward((cov, mean), (grad_cov, -a.squeeze(-1) / n))
    return loss


def _diverged(owner: str, step: int, lr: float) -> InvalidInputError:
    return InvalidInputError(
        f"{owner}: the training objective became non-finite at step {step}; expected a finite objective "
        f"(try a smaller lr than {lr})"
    )


@contextlib.contextmanager
def _cholesky_failures(owner: str, step: int, lr: float) -> Iterator[None]:
    """Turn a failed Cholesky factorisation (a covariance matrix that is not positive definite) into a clear error."""
    try:
        yield
    except torch.linalg.LinAlgError as err:
        raise _diverged(owner, step, lr) from err


@contextlib.contextmanager
def _numerical_failures(owner: str, step: int, lr: float) -> Iterator[None]:
    """Turn gpytorch's failures on a non-finite kernel matrix into a clear error."""
    try:
        yield
    except (NanError, NotPSDError) as err:
        raise _diverged(owner, step, lr) from err


class _TorchGP(StandardisedRegressor):
    """What both GPs share: the encoding as a float64 tensor, standardised targets, batched prediction.

    Parameters
    ----------
    encoding : str
        The featurizer that encodes each architecture.
    kernel : {"rbf", "matern52", "matern32", "matern12"}
        The covariance function, scaled by a fitted output scale.
    ard : bool
        One lengthscale per feature (automatic relevance determination) rather than one for all.
    lr : float
        Adam's step size (> 0).
    device : str or torch.device
        Where the model trains and predicts: "cpu" or "cuda[:N]" (CUDA must be available at fit).
    """

    uncertainty = True

    kernel: str = param("rbf", Options(KERNELS))
    ard: bool = param(False, Boolean())
    lr: float = param(0.1, Real(0.0, closed="neither"))
    device: str | torch.device = param("cpu", Device())

    def _make_model(self) -> Any:
        # a gpytorch model holds its training inputs, so _train builds it; this path is never taken
        raise NotImplementedError(f"{type(self).__name__} builds its gpytorch model in _train")

    def _tensor(self, archs: list[Any], info: ArchInfo, device: torch.device) -> torch.Tensor:
        return torch.as_tensor(self._encode(archs, info), dtype=torch.float64, device=device)

    def _fit(self, archs: list[Any], y: np.ndarray, info: ArchInfo) -> None:
        device = resolve_device(self.device, f"{self._name}.fit")
        self.scaler_ = TargetScaler.fit(y)
        x = self._tensor(archs, info, device)
        z = torch.as_tensor(self.scaler_.transform(y), dtype=torch.float64, device=device)
        self._train(x, z, device)

    @abstractmethod
    def _train(self, x: torch.Tensor, z: torch.Tensor, device: torch.device) -> None:
        """Build and fit ``model_`` and ``likelihood_`` on inputs ``x`` and standardised targets ``z``."""

    def _predict_dist(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray]:
        device = resolve_device(self.device, f"{self._name}.predict")
        x = self._tensor(archs, info, device)
        self.model_.eval()
        self.likelihood_.eval()
        means, stds = [], []
        with torch.no_grad(), gpytorch.settings.max_cholesky_size(CHOLESKY_UP_TO):
            for start in range(0, x.shape[0], _PREDICT_CHUNK):
                out = self.likelihood_(self.model_(x[start : start + _PREDICT_CHUNK]))
                means.append(out.mean.cpu().numpy())
                stds.append(out.variance.clamp_min(0.0).sqrt().cpu().numpy())
        return self.scaler_.inverse_mean(np.concatenate(means)), self.scaler_.inverse_std(np.concatenate(stds))

    def _predict(self, archs: list[Any], info: ArchInfo) -> np.ndarray:
        return self._predict_dist(archs, info)[0]


class GaussianProcess(_TorchGP):
    """Exact GP regression on ``encoding``; hyperparameters fitted by ``n_iter`` Adam steps on the
    marginal likelihood. Deterministic for a given input (no random initialisation).

    Parameters
    ----------
    n_iter : int
        Adam steps on the marginal likelihood (>= 0).
    encoding, kernel, ard, lr, device
        As the exact and sparse GPs share them (``lr`` 0.1 here).
    """

    n_iter: int = param(100, Int(0))

    @classmethod
    def hyperparameter_space(cls) -> dict[str, Any]:
        """Kernel, one lengthscale or one per feature, Adam step size."""
        return {"kernel": ["rbf", "matern52", "matern32"], "ard": [False, True], "lr": loguniform(0.01, 0.3)}

    def _train(self, x: torch.Tensor, z: torch.Tensor, device: torch.device) -> None:
        who, lr, n_iter = self._name, self.lr, self.n_iter
        likelihood = gpytorch.likelihoods.GaussianLikelihood().to(device=device, dtype=torch.float64)
        model = ExactModel(x, z, likelihood, make_kernel(self.kernel, x.shape[1], self.ard)).to(
            device=device, dtype=torch.float64
        )
        model.train()
        likelihood.train()
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)  # the likelihood's noise is a model parameter
        loss = float("nan")
        for step in range(n_iter):
            optimizer.zero_grad()
            loss = exact_objective(model, likelihood, x, z)
            if not np.isfinite(loss):
                raise _diverged(who, step, lr)
            optimizer.step()
        self.model_, self.likelihood_ = model, likelihood
        self.train_loss_ = loss if n_iter else None
        logger.debug("%s: negative marginal log likelihood per point %s after %d steps", who, self.train_loss_, n_iter)


class SparseGaussianProcess(_TorchGP):
    """Stochastic variational GP on ``encoding`` with ``n_inducing`` learned inducing points (Hensman et
    al. 2013), trained for ``n_epochs`` passes of minibatches of ``batch_size`` architectures.

    Parameters
    ----------
    n_inducing : int
        Inducing points (>= 1; at most one per training architecture).
    n_epochs : int
        Passes over the training architectures (>= 0).
    batch_size : int
        Architectures per minibatch (>= 1).
    random_state : int or None
        Seed of the inducing points' initialisation and of the minibatches; None: a fresh one at each fit.
    encoding, kernel, ard, lr, device
        As the exact and sparse GPs share them (``lr`` 0.05 here).
    """

    lr: float = param(0.05)
    n_inducing: int = param(128, Int(1))
    n_epochs: int = param(100, Int(0))
    batch_size: int = param(256, Int(1))
    random_state: int | None = param(None, SEED)

    @classmethod
    def hyperparameter_space(cls) -> dict[str, Any]:
        """Kernel, number of inducing points, Adam step size."""
        return {
            "kernel": ["rbf", "matern52", "matern32"],
            "n_inducing": [32, 64, 128, 256],
            "lr": loguniform(0.005, 0.1),
        }

    def _train(self, x: torch.Tensor, z: torch.Tensor, device: torch.device) -> None:
        who, lr, seed, batch_size = self._name, self.lr, self.random_state, self.batch_size
        rng = np.random.default_rng(seed)
        n = x.shape[0]
        chosen = np.sort(rng.choice(n, size=min(self.n_inducing, n), replace=False))
        with contextlib.nullcontext() if seed is None else seeded_torch(seed, device):
            inducing = x[torch.as_tensor(chosen, device=device)].clone()
            model = VariationalModel(inducing, make_kernel(self.kernel, x.shape[1], self.ard))
            model = model.to(device=device, dtype=torch.float64)
            likelihood = gpytorch.likelihoods.GaussianLikelihood().to(device=device, dtype=torch.float64)
            model.train()
            likelihood.train()
            optimizer = torch.optim.Adam([*model.parameters(), *likelihood.parameters()], lr=lr)
            elbo = gpytorch.mlls.VariationalELBO(likelihood, model, num_data=n)
            loss = torch.tensor(float("nan"))
            step = 0
            for _ in range(self.n_epochs):
                order = torch.as_tensor(rng.permutation(n), device=device)
                for start in range(0, n, batch_size):
                    batch = order[start : start + batch_size]
                    optimizer.zero_grad()
                    with _numerical_failures(who, step, lr):
                        loss = -elbo(model(x[batch]), z[batch])
                    if not torch.isfinite(loss):
                        raise _diverged(who, step, lr)
                    loss.backward()
                    optimizer.step()
                    step += 1
        self.model_, self.likelihood_ = model, likelihood
        self.n_inducing_ = len(chosen)
        self.train_loss_ = float(loss.detach()) if step else None
        logger.debug("%s: negative ELBO per point %s after %d steps", who, self.train_loss_, step)


#: the sparse approximations of :class:`InducingPointGP` (Quiñonero-Candela & Rasmussen 2005; Titsias 2009)
APPROXIMATIONS = ("vfe", "dtc", "fitc")
#: where :class:`InducingPointGP` starts its inducing points
INDUCING_STARTS = ("naslib", "subset")
#: added to the diagonal of the inducing points' covariance (as Pyro's ``SparseGPRegression``)
JITTER = 1e-5


def _softplus(raw: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.softplus(raw) + 1e-6


@dataclass(frozen=True)
class InducingFit:
    """What the sparse approximation keeps of the training data: ``chol_uu`` (Cholesky factor of the inducing
    points' covariance plus jitter), ``chol_b`` (of ``B = I + W D^-1 W^T`` with ``W = chol_uu^-1 K_uf`` and ``D``
    the noise, plus for FITC the diagonal ``K_ff - Q_ff``) and ``c = chol_b^-1 W D^-1 y``."""

    chol_uu: torch.Tensor
    chol_b: torch.Tensor
    c: torch.Tensor


def inducing_terms(kernel: Any, inducing: torch.Tensor, x: torch.Tensor, z: torch.Tensor, noise: torch.Tensor,
                   approximation: str) -> tuple[torch.Tensor, InducingFit]:
    """Negative log marginal likelihood per point of the sparse GP (zero mean) and its :class:`InducingFit`.

    With ``Q_ff = K_fu K_uu^-1 K_uf``, the targets are modelled as ``N(0, Q_ff + D)``: ``D = noise I`` for DTC and
    VFE, ``D = noise I + diag(K_ff - Q_ff)`` for FITC; VFE (Titsias 2009, the variational free energy, Pyro's
    default) subtracts ``tr(K_ff - Q_ff) / (2 noise)`` from the log likelihood.
    """
    n, m = x.shape[0], inducing.shape[0]
    eye = torch.eye(m, dtype=x.dtype, device=x.device)
    chol_uu = torch.linalg.cholesky(kernel(inducing).to_dense() + JITTER * eye)
    w = torch.linalg.solve_triangular(chol_uu, kernel(inducing, x).to_dense(), upper=False)  # (m, n)
    k_diag = kernel(x, diag=True)
    gap = (k_diag - (w * w).sum(dim=0)).clamp_min(0.0)  # diag(K_ff - Q_ff)
    d = noise + gap if approximation == "fitc" else noise.expand(n)
    wd = w / d.sqrt()
    chol_b = torch.linalg.cholesky(eye + wd @ wd.T)
    zd = z / d.sqrt()
    c = torch.linalg.solve_triangular(chol_b, (wd @ zd).unsqueeze(-1), upper=False).squeeze(-1)
    logdet = torch.log(d).sum() + 2.0 * torch.log(torch.diagonal(chol_b)).sum()
    loss = 0.5 * (n * math.log(2 * math.pi) + logdet + zd @ zd - c @ c)
    if approximation == "vfe":
        loss = loss + 0.5 * gap.sum() / noise
    return loss / n, InducingFit(chol_uu, chol_b, c)


def inducing_posterior(kernel: Any, inducing: torch.Tensor, fit: InducingFit,
                       x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and variance of the latent function at ``x`` under the sparse approximation."""
    ws = torch.linalg.solve_triangular(fit.chol_uu, kernel(inducing, x).to_dense(), upper=False)
    vs = torch.linalg.solve_triangular(fit.chol_b, ws, upper=False)
    mean = vs.T @ fit.c
    var = kernel(x, diag=True) - (ws * ws).sum(dim=0) + (vs * vs).sum(dim=0)
    return mean, var.clamp_min(0.0)


class InducingPointGP(_TorchGP):
    """Sparse GP regression on ``encoding`` with ``n_inducing`` learned inducing points and the collapsed
    variational bound of Titsias (AISTATS 2009), or the DTC / FITC approximations, as NASLib's ``sparse_gp``.

    NASLib's ``sparse_gp`` is Pyro's ``SparseGPRegression`` (VFE by default; jitter 1e-5; zero mean on
    standardised targets) with 10 inducing points started at the constant vectors 0, 0.5, ..., 4.5
    (``inducing_start="naslib"``) and learned together with an RBF kernel (variance 5, lengthscale 10 at the
    start) and the noise (1 at the start) by 200 Adam steps at learning rate 0.01 on the negative bound, the whole
    training set at each step: the defaults here. ``inducing_start="subset"`` starts the inducing points at
    ``n_inducing`` training architectures drawn at random instead. Cost per step grows as ``n m^2`` for ``n``
    training architectures and ``m`` inducing points. The predictive standard deviation is that of a new observed
    target (latent variance plus the fitted noise).

    Parameters
    ----------
    n_inducing : int
        Inducing points (>= 1; with ``"subset"``, at most one per training architecture).
    inducing_start : {"naslib", "subset"}
        Where the inducing points start: NASLib's constant vectors, or training architectures drawn at random.
    approximation : {"vfe", "dtc", "fitc"}
        The sparse approximation (Quiñonero-Candela & Rasmussen, JMLR 2005; Titsias 2009).
    n_iter : int
        Adam steps on the negative bound (>= 0).
    random_state : int or None
        Seed of the inducing points drawn from the training architectures (``"subset"``); None: a fresh one at
        each fit.
    encoding, kernel, ard, lr, device
        As the exact and sparse GPs share them (``lr`` 0.01 here, as NASLib).
    """

    lr: float = param(0.01)
    n_inducing: int = param(10, Int(1))
    inducing_start: str = param("naslib", Options(INDUCING_STARTS))
    approximation: str = param("vfe", Options(APPROXIMATIONS))
    n_iter: int = param(200, Int(0))
    random_state: int | None = param(None, SEED)

    @classmethod
    def hyperparameter_space(cls) -> dict[str, Any]:
        """Kernel, number of inducing points, Adam step size."""
        return {"kernel": ["rbf", "matern52", "matern32"], "n_inducing": [10, 32, 64, 128],
                "lr": loguniform(0.005, 0.1)}

    def _start(self, x: torch.Tensor) -> torch.Tensor:
        m = self.n_inducing
        if self.inducing_start == "naslib":
            return (torch.arange(m, dtype=x.dtype, device=x.device) / 2.0).unsqueeze(-1).expand(m, x.shape[1]).clone()
        chosen = np.sort(np.random.default_rng(self.random_state).choice(len(x), size=min(m, len(x)), replace=False))
        return x[torch.as_tensor(chosen, device=x.device)].clone()

    def _train(self, x: torch.Tensor, z: torch.Tensor, device: torch.device) -> None:
        who, lr = self._name, self.lr
        kernel = make_kernel(self.kernel, x.shape[1], self.ard).to(device=device, dtype=torch.float64)
        kernel.outputscale = 5.0
        kernel.base_kernel.lengthscale = 10.0
        inducing = torch.nn.Parameter(self._start(x))
        raw_noise = torch.nn.Parameter(torch.tensor(math.log(math.expm1(1.0)), dtype=x.dtype, device=device))
        optimizer = torch.optim.Adam([*kernel.parameters(), inducing, raw_noise], lr=lr)
        loss = torch.tensor(float("nan"))
        for step in range(self.n_iter):
            optimizer.zero_grad()
            with _numerical_failures(who, step, lr), _cholesky_failures(who, step, lr):
                loss, _ = inducing_terms(kernel, inducing, x, z, _softplus(raw_noise), self.approximation)
            if not torch.isfinite(loss):
                raise _diverged(who, step, lr)
            loss.backward()
            optimizer.step()
        with torch.no_grad(), _cholesky_failures(who, self.n_iter, lr):
            noise = _softplus(raw_noise)
            final, self.fit_ = inducing_terms(kernel, inducing, x, z, noise, self.approximation)
        self.kernel_, self.inducing_, self.noise_ = kernel, inducing.detach(), float(noise)
        self.train_loss_ = float(final)
        logger.debug("%s: negative bound per point %s after %d steps", who, self.train_loss_, self.n_iter)

    def _predict_dist(self, archs: list[Any], info: ArchInfo) -> tuple[np.ndarray, np.ndarray]:
        x = self._tensor(archs, info, resolve_device(self.device, f"{self._name}.predict"))
        means, stds = [], []
        with torch.no_grad():
            for start in range(0, x.shape[0], _PREDICT_CHUNK):
                chunk = x[start : start + _PREDICT_CHUNK]
                mean, var = inducing_posterior(self.kernel_, self.inducing_, self.fit_, chunk)
                means.append(mean.cpu().numpy())
                stds.append((var + self.noise_).sqrt().cpu().numpy())
        return self.scaler_.inverse_mean(np.concatenate(means)), self.scaler_.inverse_std(np.concatenate(stds))
