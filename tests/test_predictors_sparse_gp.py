"""NASLib's sparse GP (:class:`~naspred.predictors.gaussian_process.InducingPointGP`): its bound against the exact
marginal likelihood, its posterior against the exact GP's, its ranking of real NAS-Bench-201 cells, seeds and
parameter errors. The contract (scikit-learn protocol, pickling, oracle) is the battery's, in
tests/test_check_predictor.py."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from naspred import predictors
from naspred.errors import InvalidInputError
from naspred.predictors import ArchInfo
from naspred.predictors.gaussian_process import (
    JITTER,
    InducingPointGP,
    inducing_posterior,
    inducing_terms,
    make_kernel,
)
from scipy.stats import kendalltau

pytestmark = pytest.mark.usefixtures("one_torch_thread")

APPROXIMATIONS = ("vfe", "dtc", "fitc")


@pytest.fixture(scope="module")
def problem():
    """20 random points in 3 dimensions, targets, a kernel with its hyperparameters set, and a noise level."""
    rng = np.random.default_rng(0)
    x = torch.as_tensor(rng.normal(size=(20, 3)), dtype=torch.float64)
    z = torch.as_tensor(np.sin(x.numpy()).sum(axis=1) + rng.normal(0, 0.1, 20), dtype=torch.float64)
    kernel = make_kernel("rbf", 3, False).to(dtype=torch.float64)
    kernel.outputscale = 1.5
    kernel.base_kernel.lengthscale = 0.8
    return x, z, kernel, torch.tensor(0.05, dtype=torch.float64)


def exact_nll_and_posterior(x, z, kernel, noise, x_new):
    """Negative log marginal likelihood per point and posterior mean and variance of the exact GP (zero mean)."""
    with torch.no_grad():
        k = kernel(x).to_dense() + (noise + JITTER) * torch.eye(len(x), dtype=x.dtype)
        nll = -torch.distributions.MultivariateNormal(torch.zeros(len(x), dtype=x.dtype), k).log_prob(z) / len(x)
        cross = kernel(x_new, x).to_dense()
        mean = cross @ torch.linalg.solve(k, z)
        var = kernel(x_new, diag=True) - (cross * torch.linalg.solve(k, cross.T).T).sum(dim=1)
    return float(nll), mean, var


@pytest.mark.parametrize("approximation", APPROXIMATIONS)
def test_inducing_points_at_the_data_give_the_exact_gp(problem, approximation):
    x, z, kernel, noise = problem
    x_new = x[:5] + 0.3
    nll, mean, var = exact_nll_and_posterior(x, z, kernel, noise, x_new)
    with torch.no_grad():
        loss, fit = inducing_terms(kernel, x, x, z, noise, approximation)
        sparse_mean, sparse_var = inducing_posterior(kernel, x, fit, x_new)
    assert float(loss) == pytest.approx(nll, rel=1e-3)
    np.testing.assert_allclose(sparse_mean.numpy(), mean.numpy(), rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(sparse_var.numpy(), var.numpy(), atol=1e-3)


def test_fewer_inducing_points_the_variational_bound_lies_below_the_likelihood(problem):
    x, z, kernel, noise = problem
    nll, _, _ = exact_nll_and_posterior(x, z, kernel, noise, x[:1])
    with torch.no_grad():
        losses = {a: float(inducing_terms(kernel, x[:5], x, z, noise, a)[0]) for a in APPROXIMATIONS}
    # VFE is a lower bound of the log likelihood (a loss above the exact one); DTC drops its trace term
    assert losses["vfe"] > nll
    assert losses["dtc"] < losses["vfe"]


def test_registered_with_naslibs_settings_and_a_standard_deviation():
    model = predictors.get("sparse_gp")
    assert isinstance(model, InducingPointGP)
    assert model.uncertainty and model.family == "model-based"
    params = model.get_params()
    assert (params["n_inducing"], params["n_iter"], params["lr"], params["approximation"]) == (10, 200, 0.01, "vfe")
    assert params["inducing_start"] == "naslib" and params["kernel"] == "rbf"


@pytest.fixture(scope="module")
def nb201(nb201_disjoint):
    bench, train, test = nb201_disjoint
    archs = bench.archs
    info = ArchInfo(space=bench.space)
    return [archs[i] for i in train], bench.y[train], [archs[i] for i in test], bench.y[test], info


# Kendall tau on the 200 test cells, fitted on the 200 training cells (seed 0): vfe 0.519, fitc 0.599, dtc 0.541;
# the floors sit about 0.1 below, a model that does not learn stays near 0.
@pytest.mark.parametrize(("approximation", "floor"), [("vfe", 0.42), ("fitc", 0.5), ("dtc", 0.44)])
def test_ranks_nasbench201_above_its_floor_with_a_positive_std(nb201, approximation, floor):
    train, y, test, y_test, info = nb201
    out = InducingPointGP(approximation=approximation).fit(train, y, info).predict_dist(test, info)
    assert kendalltau(out.mean, y_test).statistic > floor
    assert np.all(out.std > 0) and np.all(np.isfinite(out.std))


def test_inducing_points_drawn_from_the_training_set_follow_the_seed(nb201):
    train, y, _, _, info = nb201
    first = InducingPointGP(inducing_start="subset", n_iter=0, random_state=3).fit(train, y, info).inducing_
    again = InducingPointGP(inducing_start="subset", n_iter=0, random_state=3).fit(train, y, info).inducing_
    other = InducingPointGP(inducing_start="subset", n_iter=0, random_state=4).fit(train, y, info).inducing_
    torch.testing.assert_close(first, again)
    assert not torch.equal(first, other)
    naslib = InducingPointGP(n_iter=0).fit(train, y, info).inducing_
    torch.testing.assert_close(naslib[:, 0], torch.arange(10, dtype=torch.float64) / 2)
    assert torch.all(naslib == naslib[:, :1])  # NASLib's start: constant vectors 0, 0.5, ..., 4.5


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"approximation": "sor"}, "approximation must be one of ['vfe', 'dtc', 'fitc']"),
        ({"inducing_start": "kmeans"}, "inducing_start must be one of ['naslib', 'subset']"),
        ({"n_inducing": 0}, "n_inducing must be an integer >= 1"),
        ({"lr": 0.0}, "lr must be a finite number > 0"),
    ],
)
def test_refuses_bad_parameters_with_the_expected_value(nb201, params, message):
    train, y, _, _, info = nb201
    with pytest.raises(InvalidInputError, match=f"InducingPointGP: {re.escape(message)}"):
        InducingPointGP(**params).fit(train, y, info)

