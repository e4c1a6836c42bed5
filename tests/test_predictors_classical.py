"""Bayesian linear regression, LightGBM, XGBoost, NGBoost, SVR and the Gaussian processes: ranking of real
NAS-Bench-201 CIFAR-10 architectures, hyperparameter spaces, standardised targets, predictive standard deviations
checked against closed-form computations, parameter validation and devices. The contract (scikit-learn protocol,
pickling, reproducible seeds) is the battery's, run on every registered predictor in tests/test_check_predictor.py."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch
from scipy.stats import kendalltau, multivariate_normal
from sklearn.base import clone

from naspred import predictors
from naspred.errors import InvalidInputError
from naspred.featurizers import get as get_featurizer
from naspred.predictors.bayesian_linear import BayesianLinearRegression
from naspred.predictors.boosting import LightGBM, XGBoost
from naspred.predictors.gaussian_process import (
    ExactModel,
    GaussianProcess,
    SparseGaussianProcess,
    exact_objective,
    make_kernel,
)
from naspred.predictors.linear import LinearRegression
from naspred.predictors.ngboost import NGBoost
from naspred.predictors.params import check_params
from naspred.predictors.random_forest import RandomForest
from naspred.predictors.svr import SVR
from naspred.spaces import get as get_space

# small models: the whole file stays fast on two cores
SMALL = {
    "bayes_lin_reg": {},
    "lgb": {"n_estimators": 100, "random_state": 0},
    "xgb": {"n_estimators": 100, "random_state": 0},
    "ngb": {"n_estimators": 50, "random_state": 0},
    "svr": {},
    "gp": {"n_iter": 30},
    "var_sparse_gp": {"n_inducing": 32, "n_epochs": 30, "random_state": 0},
}
# fewer boosting rounds for the tests on 40 architectures (NGBoost spends most of the file's time)
QUICK = {**SMALL, "ngb": {"n_estimators": 15, "random_state": 0}}
WITH_STD = {"bayes_lin_reg", "ngb", "gp", "var_sparse_gp"}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def nb201(nb201_disjoint):
    """200 training and 200 test architectures of nb201-cifar10 (seed 0), disjoint by canonical form."""
    bench, train, test = nb201_disjoint
    archs = bench.archs
    return (
        [archs[i] for i in train],
        bench.y[train],
        [archs[i] for i in test],
        bench.y[test],
    )


@pytest.fixture(scope="module")
def small(nb201):
    """The first 40 training architectures and the first 20 test architectures."""
    xtr, ytr, xte, yte = nb201
    return xtr[:40], ytr[:40], xte[:20], yte[:20]


# -- ranking on real data --------------------------------------------------------------------------------------------
# Kendall tau on the 200 test architectures after training on 200 (seed-0 split, SMALL settings), measured:
# bayes_lin_reg 0.536, lgb 0.533, xgb 0.489, ngb 0.462, svr 0.647, gp 0.563, var_sparse_gp 0.530.
# Floors leave about 0.1 of margin; a predictor that cannot learn (tau near 0) fails.
FLOORS = {
    "bayes_lin_reg": 0.43,
    "lgb": 0.43,
    "xgb": 0.39,
    "ngb": 0.36,
    "svr": 0.55,
    "gp": 0.46,
    "var_sparse_gp": 0.43,
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_predictor_ranks_nasbench201(nb201, name):
    xtr, ytr, xte, yte = nb201
    model = predictors.get(name, **SMALL[name]).fit(xtr, ytr)
    dist = model.predict_dist(xte)
    assert np.isfinite(dist.mean).all() and len(dist) == 200
    tau = kendalltau(dist.mean, yte).statistic
    assert tau >= FLOORS[name], f"{name}: Kendall tau {tau:.4f} below its floor {FLOORS[name]}"
    # predictions are on the target's scale (validation accuracy in %), not standardised
    assert 50.0 < float(np.median(dist.mean)) < 95.0
    if name in WITH_STD:
        assert model.uncertainty and dist.std is not None
        assert np.isfinite(dist.std).all() and (dist.std > 0).all()
    else:
        assert not model.uncertainty and dist.std is None


def test_every_predictor_is_registered_with_its_uncertainty():
    rows = {row["name"]: row for row in predictors.describe()}
    for name in SMALL:
        assert rows[name]["family"] == "model-based"
        assert rows[name]["uncertainty"] is (name in WITH_STD)
        assert rows[name]["requirements"]["featurizers"] == ["adjacency_one_hot"]
        assert rows[name]["requirements"]["labelled"] is True
        assert predictors.get(name).get_params()["encoding"] == "adjacency_one_hot"


@pytest.mark.parametrize("name", sorted(SMALL))
def test_path_encoding_fits_too(small, name):
    xtr, ytr, xte, _ = small
    model = predictors.get(name, encoding="path", **QUICK[name]).fit(xtr, ytr)
    assert model.requirements.featurizers == ("path",)
    # NAS-Bench-201 cells have 5 + 25 + 125 paths of 1 to 3 operations
    assert model._encode(xte, predictors.ArchInfo(space=model.space_)).shape == (20, 155)
    assert np.isfinite(model.predict(xte)).all()


# -- standardised targets --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["bayes_lin_reg", "svr", "gp", "xgb"])
def test_predictions_follow_an_affine_change_of_the_target(small, name):
    """Models see standardised targets, so fitting ``3 y - 7`` predicts ``3 pred - 7`` (and ``3 std``)."""
    xtr, ytr, xte, _ = small
    a = predictors.get(name, **SMALL[name]).fit(xtr, ytr).predict_dist(xte)
    b = predictors.get(name, **SMALL[name]).fit(xtr, 3.0 * ytr - 7.0).predict_dist(xte)
    np.testing.assert_allclose(b.mean, 3.0 * a.mean - 7.0, rtol=1e-5, atol=1e-5)
    if a.std is not None:
        np.testing.assert_allclose(b.std, 3.0 * a.std, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["bayes_lin_reg", "lgb", "svr", "gp"])
def test_constant_targets_give_that_constant(small, name):
    xtr, _, xte, _ = small
    pred = predictors.get(name, **SMALL[name]).fit(xtr, np.full(len(xtr), 42.5)).predict_dist(xte)
    np.testing.assert_allclose(pred.mean, 42.5, atol=1e-6)
    if pred.std is not None:
        assert np.isfinite(pred.std).all()


def test_a_loss_like_target_is_ranked_in_its_own_direction(nb201):
    xtr, ytr, xte, yte = nb201
    model = predictors.get("svr").fit(xtr, 100.0 - ytr, info=predictors.ArchInfo(higher_is_better=False))
    pred = model.predict(xte)
    assert model.higher_is_better_ is False
    assert kendalltau(pred, 100.0 - yte).statistic >= FLOORS["svr"]


# -- closed-form checks of the predictive distributions --------------------------------------------------------------
def _one_hot(archs, space):
    return np.asarray(get_featurizer("adjacency_one_hot", space=space).transform(archs))


def test_bayesian_linear_regression_matches_the_function_space_posterior(small):
    """With fixed precisions, the weight-space posterior equals the GP with kernel phi phi^T / alpha + I / beta."""
    xtr, ytr, xte, _ = small
    alpha, beta = 2.0, 30.0
    model = BayesianLinearRegression(weight_precision=alpha, noise_precision=beta, optimize=False).fit(xtr, ytr)
    dist = model.predict_dist(xte)
    phi = np.hstack([_one_hot(xtr, model.space_), np.ones((len(xtr), 1))])
    phi_s = np.hstack([_one_hot(xte, model.space_), np.ones((len(xte), 1))])
    z = (ytr - ytr.mean()) / ytr.std()
    gram = phi @ phi.T / alpha + np.eye(len(xtr)) / beta
    cross = phi_s @ phi.T / alpha
    mean_z = cross @ np.linalg.solve(gram, z)
    var_z = (phi_s * phi_s).sum(1) / alpha + 1 / beta - np.einsum("ij,ji->i", cross, np.linalg.solve(gram, cross.T))
    np.testing.assert_allclose(dist.mean, mean_z * ytr.std() + ytr.mean(), rtol=1e-8)
    np.testing.assert_allclose(dist.std, np.sqrt(var_z) * ytr.std(), rtol=1e-8)


def test_bayesian_linear_regression_maximises_the_evidence(nb201):
    xtr, ytr, _, _ = nb201
    model = BayesianLinearRegression().fit(xtr, ytr)
    fitted = model.model_
    assert fitted.converged_ and fitted.n_iter_ < 300
    phi = np.hstack([_one_hot(xtr, model.space_), np.ones((len(xtr), 1))])
    z = (ytr - ytr.mean()) / ytr.std()

    def log_evidence(alpha, beta):
        cov = phi @ phi.T / alpha + np.eye(len(z)) / beta
        return multivariate_normal(mean=np.zeros(len(z)), cov=cov).logpdf(z)

    at_fit = log_evidence(fitted.alpha_, fitted.beta_)
    np.testing.assert_allclose(fitted.log_evidence_, at_fit, rtol=1e-8)  # Bishop eq. 3.86 = the Gaussian density
    for da, db in [(1.2, 1), (1 / 1.2, 1), (1, 1.2), (1, 1 / 1.2)]:
        assert log_evidence(fitted.alpha_ * da, fitted.beta_ * db) < at_fit


def test_exact_gp_predictions_match_the_closed_form_with_its_fitted_hyperparameters(small):
    xtr, ytr, xte, _ = small
    model = GaussianProcess(n_iter=20).fit(xtr, ytr)
    gp, lik = model.model_, model.likelihood_
    ls = gp.covar_module.base_kernel.lengthscale.detach().item()
    scale = gp.covar_module.outputscale.detach().item()
    noise = lik.noise.detach().item()
    const = gp.mean_module.constant.detach().item()
    x, xs = _one_hot(xtr, model.space_), _one_hot(xte, model.space_)

    def rbf(a, b):
        d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
        return scale * np.exp(-0.5 * d2 / ls**2)

    z = (ytr - ytr.mean()) / ytr.std()
    k = rbf(x, x) + noise * np.eye(len(x))
    ks = rbf(xs, x)
    mean_z = const + ks @ np.linalg.solve(k, z - const)
    var_z = scale - np.einsum("ij,ji->i", ks, np.linalg.solve(k, ks.T)) + noise
    dist = model.predict_dist(xte)
    np.testing.assert_allclose(dist.mean, mean_z * ytr.std() + ytr.mean(), rtol=1e-5)
    np.testing.assert_allclose(dist.std, np.sqrt(var_z) * ytr.std(), rtol=1e-5)
    assert model.train_loss_ is not None and np.isfinite(model.train_loss_)


@pytest.mark.parametrize("kernel, ard", [("rbf", False), ("matern52", True)])
def test_exact_gp_objective_and_gradient_are_gpytorchs_marginal_likelihood(small, kernel, ard):
    import gpytorch

    xtr, ytr, _, _ = small
    x = torch.as_tensor(_one_hot(xtr, get_space("nb201")), dtype=torch.float64)
    z = torch.as_tensor((ytr - ytr.mean()) / ytr.std(), dtype=torch.float64)
    likelihood = gpytorch.likelihoods.GaussianLikelihood().double()
    model = ExactModel(x, z, likelihood, make_kernel(kernel, x.shape[1], ard)).double()
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():  # away from gpytorch's initial values
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=gen, dtype=p.dtype) * 0.5)
    model.train()
    likelihood.train()
    ours = exact_objective(model, likelihood, x, z)
    grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad(set_to_none=True)
    with gpytorch.settings.max_cholesky_size(10_000):
        theirs = -gpytorch.mlls.ExactMarginalLogLikelihood(likelihood, model)(model(x), z)
    theirs.backward()
    assert ours == pytest.approx(theirs.item(), rel=1e-10)
    for g, p in zip(grads, model.parameters(), strict=True):
        torch.testing.assert_close(g, p.grad, rtol=1e-8, atol=1e-12)


def test_sparse_gp_uses_at_most_as_many_inducing_points_as_architectures(small):
    xtr, ytr, _, _ = small
    assert SparseGaussianProcess(n_inducing=500, n_epochs=2, random_state=0).fit(xtr, ytr).n_inducing_ == 40
    assert SparseGaussianProcess(n_inducing=8, n_epochs=2, random_state=0).fit(xtr, ytr).n_inducing_ == 8


def test_seeded_torch_training_leaves_the_global_random_state_alone(small):
    xtr, ytr, _, _ = small
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    SparseGaussianProcess(n_inducing=8, n_epochs=2, random_state=5).fit(xtr, ytr)
    assert torch.equal(torch.rand(3), expected)


def test_ngboost_std_is_the_scale_of_its_normal_distribution(small):
    xtr, ytr, xte, _ = small
    model = NGBoost(n_estimators=30, random_state=0).fit(xtr, ytr)
    params = model.model_.pred_dist(_one_hot(xte, model.space_)).params
    dist = model.predict_dist(xte)
    np.testing.assert_allclose(dist.std, params["scale"] * ytr.std(), rtol=1e-10)
    np.testing.assert_allclose(dist.mean, params["loc"] * ytr.std() + ytr.mean(), rtol=1e-10)
    # NASLib's leaf sizes for n training architectures: min(max(n // 2, 1), 15) and min(max(n // 2, 2), 20)
    base = model.model_.Base
    assert base.min_samples_leaf == 15 and base.min_samples_split == 20
    few = NGBoost(n_estimators=5, random_state=0).fit(xtr[:10], ytr[:10]).model_.Base
    assert few.min_samples_leaf == 5 and few.min_samples_split == 5


# -- parameters and devices ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "model, fragment",
    [
        (LightGBM(learning_rate=0), "LightGBM: learning_rate must be a finite number > 0, got 0"),
        (LightGBM(num_leaves=1), "num_leaves must be an integer >= 2, got 1"),
        (LightGBM(n_jobs=0), "n_jobs must be an integer >= 1 or one of \\[-1\\] or None, got 0"),
        (XGBoost(max_depth=0), "XGBoost: max_depth must be an integer >= 1, got 0"),
        (XGBoost(colsample_bytree=1.5), "colsample_bytree must be a finite number in \\(0, 1\\], got 1.5"),
        (XGBoost(random_state=-1), "random_state must be an integer"),
        (NGBoost(minibatch_frac=0.0), "NGBoost: minibatch_frac must be a finite number in \\(0, 1\\], got 0.0"),
        (NGBoost(n_estimators=2.5), "n_estimators must be an integer >= 1, got 2.5"),
        (SVR(nu=1.5), "SVR: nu must be a finite number in \\(0, 1\\], got 1.5"),
        (SVR(gamma="big"), "gamma must be a finite number > 0 or one of \\['scale', 'auto'\\], got 'big'"),
        (SVR(kernel="cosine"), "kernel must be one of"),
        (BayesianLinearRegression(weight_precision=-1), "weight_precision must be a finite number"),
        (BayesianLinearRegression(optimize="yes"), "optimize must be True or False, got 'yes'"),
        (BayesianLinearRegression(noise_precision=float("nan")), "noise_precision must be a finite number"),
        (GaussianProcess(kernel="cosine"), "GaussianProcess: kernel must be one of \\['rbf', 'matern52'"),
        (GaussianProcess(n_iter=-1), "n_iter must be an integer >= 0"),
        (GaussianProcess(lr=0), "GaussianProcess: lr must be a finite number > 0, got 0"),
        (SparseGaussianProcess(n_inducing=0), "SparseGaussianProcess: n_inducing must be an integer >= 1, got 0"),
        (SparseGaussianProcess(batch_size=0), "batch_size must be an integer >= 1"),
        (GaussianProcess(device="tpu"), "GaussianProcess: device must be 'cpu', 'cuda' or 'cuda:N'.*, got 'tpu'"),
        (GaussianProcess(device=3), "device must be 'cpu', 'cuda' or 'cuda:N'.*, got 3"),
    ],
)
def test_bad_parameters_are_named_when_planned_and_at_fit(small, model, fragment):
    with pytest.raises(InvalidInputError, match=fragment):
        check_params(model)
    with pytest.raises(InvalidInputError, match=fragment):
        model.fit(small[0], small[1])


@pytest.mark.parametrize("cls", [LinearRegression, RandomForest, LightGBM, XGBoost, NGBoost, BayesianLinearRegression,
                                 GaussianProcess, SparseGaussianProcess])
def test_parameters_are_declared_once_and_given_by_keyword(cls):
    declared = cls.parameters()
    assert list(inspect.signature(cls).parameters) == list(declared)
    assert cls().get_params() == {name: p.default for name, p in declared.items()}
    with pytest.raises(TypeError):
        cls("adjacency_one_hot")


def test_a_diverging_gp_is_refused_not_predicted_as_nan(small):
    with pytest.raises(InvalidInputError, match=r"became non-finite at step \d+; expected a finite objective"):
        GaussianProcess(lr=1e6, n_iter=30).fit(small[0], small[1])


@pytest.mark.parametrize("cls", [GaussianProcess, SparseGaussianProcess])
def test_cuda_is_used_when_asked_and_refused_clearly_when_absent(small, cls):
    xtr, ytr, xte, _ = small
    params = {"n_iter": 5} if cls is GaussianProcess else {"n_epochs": 3, "n_inducing": 8, "random_state": 0}
    if not torch.cuda.is_available():
        with pytest.raises(InvalidInputError, match="device='cuda' was asked for but CUDA is not available"):
            cls(device="cuda", **params).fit(xtr, ytr)
        return
    on_gpu = cls(device="cuda", **params).fit(xtr, ytr)
    assert next(on_gpu.model_.parameters()).device.type == "cuda"
    on_cpu = cls(device="cpu", **params).fit(xtr, ytr)
    np.testing.assert_allclose(on_gpu.predict(xte), on_cpu.predict(xte), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_sampled_hyperparameters_build_working_models(small, name):
    """Every configuration drawn from a predictor's hyperparameter space is valid and predicts finite values."""
    from sklearn.model_selection import ParameterSampler

    xtr, ytr, xte, _ = small
    base = predictors.get(name, **SMALL[name])
    space = type(base).hyperparameter_space()
    assert set(space) <= set(base.get_params())
    for params in ParameterSampler(space, n_iter=3, random_state=0):
        model = clone(base).set_params(**params)
        if name == "ngb":  # every drawn configuration is checked; the fit runs 15 of its 128..512 rounds
            model.validate_params()
            model.set_params(n_estimators=15)
        model.fit(xtr, ytr)
        assert np.isfinite(model.predict(xte)).all(), params
