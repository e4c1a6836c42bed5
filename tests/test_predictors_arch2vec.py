"""arch2vec: its pre-trained autoencoder reconstructs unseen cells, its DNGO head ranks real NAS-Bench-201 CIFAR-10
cells, the unlabelled architectures it pre-trains on, seeds, the spaces it reads and the one it refuses, and clear
errors. The contract is the battery's (tests/test_check_predictor.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from naspred import predictors
from naspred.errors import InvalidInputError
from naspred.predictors import ArchInfo, Budget, SimulatedOracle
from naspred.predictors.arch2vec import Arch2Vec, graph_tensors, vae_loss
from naspred.spaces import get as get_space
from naspred.testing import FAST_PARAMS
from scipy.stats import kendalltau

pytestmark = pytest.mark.usefixtures("one_torch_thread")

TINY = FAST_PARAMS["arch2vec"]


@pytest.fixture(scope="module")
def data(nb201_disjoint):
    """Training cells, their targets, test cells, their targets, and the ArchInfo of nb201-cifar10."""
    bench, *rows = nb201_disjoint
    (train, test), targets = ([bench.archs[i] for i in r] for r in rows), (bench.y[r] for r in rows)
    return train, next(targets), test, next(targets), ArchInfo(space=bench.space)


@pytest.fixture(scope="module")
def fitted(data):
    """The default model fitted on the 200 training cells (random_state=0)."""
    train, y, _, _, info = data
    return predictors.get("arch2vec", random_state=0).fit(train, y, info)


def test_ranks_nasbench201_above_its_floor(fitted, data):
    """Measured with the defaults on the 200 training cells: Kendall tau 0.516, 0.466 and 0.439 on the 200 test
    cells with random_state 0, 1 and 2; the floor sits about 0.1 below the lowest."""
    _, _, test, y_test, info = data
    dist = fitted.predict_dist(test, info)
    assert kendalltau(dist.mean, y_test).statistic > 0.35
    assert np.isfinite(dist.std).all() and (dist.std > 0).all()
    assert abs(dist.mean.mean() - y_test.mean()) < 3 * y_test.std()  # on the target's scale


def test_the_autoencoder_reconstructs_cells_it_never_saw(fitted, data):
    _, _, test, _, info = data
    ops, adjacency, _ = graph_tensors(info.space, test, torch.device("cpu"))
    with torch.no_grad():
        ops_logits, adj_logits, _, _ = fitted.autoencoder_(ops, adjacency)
    inner = slice(1, 7)  # the six operation nodes of a NAS-Bench-201 cell
    assert (ops_logits.argmax(-1) == ops.argmax(-1))[:, inner].float().mean() > 0.9
    upper = torch.triu(torch.ones(8, 8), 1).bool()
    assert ((adj_logits > 0).float() == adjacency)[:, upper].float().mean() > 0.95


def test_pretrains_on_its_training_cells_and_the_unlabelled_ones(fitted, data):
    train, y, test, _, info = data
    assert fitted.requirements.unlabelled == 2000 and fitted.n_pretrained_ == len(train) + 2000
    given = Arch2Vec(random_state=0, **TINY).fit(train[:30], y[:30], ArchInfo(space=info.space, unlabelled=test[:7]))
    assert given.n_pretrained_ == 37


def test_initialize_draws_the_unlabelled_archs_it_requires(nb201_bench, data):
    test = data[2]
    oracle = SimulatedOracle(nb201_bench, hidden=test, seed=0)
    model = Arch2Vec(random_state=0, **TINY)
    model.initialize(oracle, Budget(archs=20))
    assert model.n_train_ == 20 and model.n_pretrained_ == 20 + TINY["n_unlabelled"]
    out = model.query(test[:10], oracle, Budget(seconds=0, per_arch=True, count_wall=False))
    assert len(out) == 10 and np.isfinite(out.mean).all()


def test_random_state_fixes_the_fit(data):
    train, y, test, _, info = data
    a, b, c = (Arch2Vec(random_state=seed, **TINY).fit(train[:40], y[:40], info).predict(test[:20], info)
               for seed in (3, 3, 4))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_padding_nodes_are_left_out_of_the_loss():
    n, size, n_ops, latent = 3, 7, 5, 4
    gen = torch.Generator().manual_seed(0)
    ops = torch.nn.functional.one_hot(torch.randint(n_ops, (n, size), generator=gen), n_ops).float()
    adjacency = torch.triu((torch.rand(n, size, size, generator=gen) > 0.5).float(), 1)
    mask = torch.ones(n, size)
    mask[:, 4:6] = 0.0  # NB101 pads between the last interior vertex and the output
    outputs = [torch.randn(n, size, n_ops, generator=gen), torch.randn(n, size, size, generator=gen),
               torch.randn(n, size, latent, generator=gen), torch.randn(n, size, latent, generator=gen)]
    base = vae_loss(outputs, ops, adjacency, mask, beta=0.1)
    changed = [o.clone() for o in outputs]
    for o in changed[:1] + changed[2:]:
        o[:, 4:6] = 7.0
    changed[1][:, 4:6, :] = 7.0
    changed[1][:, :, 4:6] = 7.0
    assert torch.allclose(vae_loss(changed, ops, adjacency, mask, beta=0.1), base)


@pytest.mark.parametrize("space_name", ["nb201", "tnb101-micro", "spikenas", "nb101", "darts", "nbgraph"])
def test_runs_on_the_spaces_with_a_graph_form(space_name):
    space = get_space(space_name)
    archs, info = space.sample_many(40, np.random.default_rng(0)), ArchInfo(space=space)
    model = Arch2Vec(random_state=0, **TINY).fit(archs[:30], np.linspace(0.0, 1.0, 30), info)
    dist = model.predict_dist(archs[30:], info)
    assert dist.mean.shape == (10,) and np.isfinite(dist.mean).all() and (dist.std > 0).all()


def test_a_space_without_a_graph_form_is_refused_with_the_reason():
    space = get_space("tnb101-macro")
    rng = np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(10)]
    with pytest.raises(InvalidInputError, match="Arch2Vec reads the node-labelled graphs of the 'gcn' featurizer, "
                                                "which has none for search space 'tnb101-macro'"):
        Arch2Vec(**TINY).fit(archs, np.arange(10.0), ArchInfo(space=space))


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"dropout": 1.0}, "Arch2Vec: dropout must be a finite number in \\[0, 1\\), got 1.0"),
        ({"beta": -1.0}, "Arch2Vec: beta must be a finite number >= 0, got -1.0"),
        ({"n_unlabelled": -1}, "Arch2Vec: n_unlabelled must be an integer >= 0, got -1"),
        ({"latent_dim": 0}, "Arch2Vec: latent_dim must be an integer >= 1, got 0"),
        ({"regressor_lr": 0.0}, "Arch2Vec: regressor_lr must be a finite number > 0, got 0.0"),
    ],
)
def test_bad_parameters_are_refused_with_what_was_expected(data, params, fragment):
    train, y, _, _, info = data
    with pytest.raises(InvalidInputError, match=fragment):
        Arch2Vec(**{**TINY, **params}).fit(train[:10], y[:10], info)


def test_runs_through_naspred_evaluate(tmp_path, data_home):
    import pandas as pd
    from naspred import cli

    out = tmp_path / "run"
    args = ["evaluate", "--benchmark", "nb201-cifar10", "--predictors", "arch2vec", "--train-sizes", "20",
            "--trials", "1", "--test-size", "100", "--out", str(out), "--no-report", "--data-home", str(data_home),
            "-q"]
    assert cli.main(args) == 0
    rows = pd.read_csv(out / "results.csv")
    assert list(rows["status"]) == ["ok"] and np.isfinite(rows["kendall_tau"]).all()
