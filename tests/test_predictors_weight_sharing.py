"""The weight-sharing predictor and the MNIST-1D supernet: a path of the supernet is the standalone network, a
training step moves only the sampled path, scores follow the seed, budgets are charged, bad input is refused."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from naspred.errors import BudgetExceeded, InvalidArchitectureError, InvalidInputError
from naspred.live.nb201_1d import OPS, NB201Network1d
from naspred.live.supernet import MNIST1DSupernetTrainer, NB201Supernet1d, UniformPaths
from naspred.oracles.budget import Budget
from naspred.oracles.simulated import SimulatedOracle
from naspred.torch_tools import seeded_torch
from naspred.predictors.weight_sharing import WeightSharing, resolve_supernet
from naspred.spaces.nasbench201 import NB201Arch, NB201Space
from naspred.testing import CHECKS, check_predictor
from sklearn.exceptions import NotFittedError

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SPACE = NB201Space()
CONV = SPACE.parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|")
#: a supernet trainer of a few hundred milliseconds a fit
TINY = MNIST1DSupernetTrainer({"channels": 2, "cells_per_stage": 1, "batch_size": 50, "n_train": 100, "n_val": 100},
                              bn_signals=50)
EDGE_KEY = re.compile(r"^cells\.(\d+)\.edges\.(\d+)\.(.+)$")


def tiny(**params):
    return WeightSharing(**{"supernet": TINY, "epochs": 2, "random_state": 0, **params})


def shared_weights(supernet: NB201Supernet1d, standalone: NB201Network1d, arch: NB201Arch) -> dict[str, torch.Tensor]:
    """The state of ``standalone`` (the network of ``arch``) read from the supernet: edge k of a cell at OPS index."""
    state = supernet.state_dict()
    out = {}
    for key in standalone.state_dict():
        match = EDGE_KEY.match(key)
        if match:
            cell, edge, rest = match.groups()
            out[key] = state[f"cells.{cell}.edges.{edge}.{OPS.index(arch.ops[int(edge)])}.{rest}"]
        else:
            out[key] = state[key]
    return out


def randomised(net: torch.nn.Module, seed: int) -> torch.nn.Module:
    """``net`` with every BatchNorm's affine parameters and running statistics drawn at random (in place)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=gen))
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=gen))
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=gen) + 0.5)
    return net


# -- the supernet -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("arch", [CONV, NB201Arch(("nor_conv_3x3",) * 6), NB201Arch(("none",) * 6),
                                  SPACE.sample(np.random.default_rng(5))], ids=["mixed", "all_conv", "none", "drawn"])
def test_a_path_of_the_supernet_is_the_standalone_network_with_the_shared_weights(arch):
    supernet = randomised(NB201Supernet1d(NB201Arch(("avg_pool_3x3",) * 6), channels=3, cells_per_stage=2), 0)
    supernet.select(arch)
    standalone = NB201Network1d(arch, channels=3, cells_per_stage=2)
    standalone.load_state_dict(shared_weights(supernet, standalone, arch), strict=True)
    x = torch.randn(16, 1, 40, generator=torch.Generator().manual_seed(1))
    for mode in ("eval", "train"):  # running statistics, then batch statistics
        getattr(supernet, mode)()
        getattr(standalone, mode)()
        torch.testing.assert_close(supernet(x), standalone(x), rtol=0, atol=1e-6, msg=f"{mode} mode")


def test_every_edge_holds_every_operation_and_the_rest_is_the_standalone_skeleton():
    supernet = NB201Supernet1d(CONV, channels=2, cells_per_stage=1)
    for cell in (c for c in supernet.cells if hasattr(c, "select")):
        assert [len(edge) for edge in cell.edges] == [len(OPS)] * 6
        assert [type(op).__name__ for op in cell.edges[0]] == ["Zero", "Identity", "ReLUConvBN1d", "ReLUConvBN1d",
                                                               "AvgPool2d"]
    standalone = NB201Network1d(CONV, channels=2, cells_per_stage=1)
    skeleton = {k for k in standalone.state_dict() if not EDGE_KEY.match(k)}
    assert {k for k in supernet.state_dict() if not EDGE_KEY.match(k)} == skeleton


def test_a_training_step_moves_only_the_path_it_sampled():
    seed = 3
    trainer = MNIST1DSupernetTrainer({"channels": 2, "cells_per_stage": 1, "batch_size": 50, "n_train": 50,
                                      "n_val": 50})  # one step per epoch
    trained = trainer.train(1, seed).supernet
    rng = np.random.default_rng(seed)  # what train draws: the first path, then one path per step
    with seeded_torch(seed, torch.device("cpu")):
        before = NB201Supernet1d(SPACE.sample(rng), channels=2, cells_per_stage=1)
    sampled = SPACE.sample(rng)
    after, moved, still = trained.state_dict(), [], []
    for key, value in before.state_dict().items():
        match = EDGE_KEY.match(key)
        if match and "running" not in key and "num_batches" not in key:
            on_path = int(match.group(3).split(".")[0]) == OPS.index(sampled.ops[int(match.group(2))])
            (moved if not torch.equal(value, after[key]) else still).append((key, on_path))
    assert moved and all(on_path for _, on_path in moved), f"weights off the sampled path {sampled} moved: {moved}"
    assert not torch.equal(before.stem[0].weight, trained.stem[0].weight), "the shared stem did not train"


def test_uniform_paths_draw_every_operation_on_every_edge():
    supernet = NB201Supernet1d(CONV, channels=1, cells_per_stage=1)
    paths = UniformPaths(supernet, np.random.default_rng(0))
    counts = np.zeros((6, len(OPS)))
    for _ in range(500):
        paths(torch.zeros(1, 1, 8))
        cell = supernet.cells[0]
        counts[np.arange(6), [edge.selected for edge in cell.edges]] += 1
    assert counts.min() > 500 / len(OPS) * 0.6 and counts.max() < 500 / len(OPS) * 1.4


def test_a_score_does_not_depend_on_the_cells_scored_before():
    model = TINY.train(1, 0)
    assert {k: len(v) for k, v in model.curve.items()} == dict.fromkeys(("train_loss", "val_accuracy", "val_loss",
                                                                         "seconds"), 1)
    first = model.evaluate(CONV)
    model.evaluate(NB201Arch(("nor_conv_1x1",) * 6))
    assert model.evaluate(SPACE.format(CONV)) == first
    kept = MNIST1DSupernetTrainer(TINY.options, bn_signals=0).train(1, 0)
    assert kept.evaluate(CONV) != first, "re-estimating the BatchNorm statistics changed nothing"


# -- the predictor ----------------------------------------------------------------------------------------------------
def test_the_predictor_passes_the_contract_battery():
    skipped = {"not_fitted", "oracle"}  # it must be fitted, and it spends at init: tested below
    ran = check_predictor(tiny(), fast=True, checks=[c for c in CHECKS if c not in skipped])
    assert ran == [c for c in CHECKS if c not in skipped]


def test_scores_follow_the_random_state(distinct_cells):
    archs = distinct_cells(8)
    runs = [tiny(random_state=seed).fit(archs, np.zeros(8)).predict(archs) for seed in (1, 1, 2)]
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_a_loss_score_is_negated_for_an_accuracy_target(distinct_cells):
    archs = distinct_cells(4)
    model = tiny(score="val_loss").fit(archs, np.zeros(4))
    losses = np.array([model.supernet_.evaluate(a)["val_loss"] for a in archs])
    np.testing.assert_allclose(model.predict(archs), -losses)


@pytest.fixture(scope="module")
def oracle_and_test(packaged):
    bench = packaged["nb201-mnist1d"]
    test = [bench.archs[i] for i in range(6)]
    return SimulatedOracle(bench, hidden=test, seed=0), test


def test_initialize_charges_the_supernet_training_and_query_one_evaluation_each(oracle_and_test):
    oracle, test = oracle_and_test
    model = tiny(epochs=3)
    with pytest.raises(NotFittedError, match="no trained supernet"):
        model.query(test, oracle, Budget(per_arch=True))
    model.initialize(oracle, Budget(seconds=600, epochs=3))
    init = oracle.meters[-1]
    assert init.phase == "init" and model.n_train_ == 0
    charges = [(c.kind, c.measured, c.epochs, c.archs, c.arch) for c in init.charges]
    assert charges == [("train", True, 3, 0, "supernet")]
    assert init.spent["seconds"] == init.charges[0].seconds > 0
    pred = model.query(test, oracle, Budget(seconds=60, per_arch=True))
    query = oracle.meters[-1]
    assert query.phase == "query" and len(pred) == len(test) and np.isfinite(pred.mean).all()
    assert {c.kind for c in query.charges} == {"predict"} and query.spent["epochs"] == query.spent["archs"] == 0


def test_an_init_budget_that_cannot_pay_for_the_supernet_is_refused(oracle_and_test):
    oracle, _ = oracle_and_test
    with pytest.raises(InvalidInputError, match=r"init budget \(0 s\) allows no training.*give it an init budget"):
        tiny().initialize(oracle, Budget(seconds=0))
    with pytest.raises(BudgetExceeded, match="refuses training the supernet: it costs 2 epochs, 1 of 1 left"):
        tiny().initialize(oracle, Budget(epochs=1))
    assert len(oracle.meters[-1].refused) == 1 and not oracle.meters[-1].charges


def test_predict_before_fit_is_refused(distinct_cells):
    with pytest.raises(NotFittedError, match=r"call initialize\(oracle, budget\) or fit\(archs, y\)"):
        tiny().predict(distinct_cells(2))


class OtherSpace:
    space = "darts"

    def train(self, epochs, seed):
        raise AssertionError("not reached")


@pytest.mark.parametrize(
    "params, error, message",
    [
        ({"epochs": 0}, InvalidInputError, "WeightSharing: epochs must be an integer >= 1, got 0"),
        ({"score": "accuracy"}, InvalidInputError, "score must be one of \\['val_accuracy', 'val_loss'\\]"),
        ({"supernet": object()}, InvalidInputError, "supernet must be a supernet trainer .* or 'module:attr'"),
        ({"supernet": "no_such_module:Trainer"}, InvalidInputError, "supernet 'no_such_module:Trainer' cannot be"),
        ({"supernet": "naspred.live.nb201_1d:OPS"}, InvalidInputError, "gave tuple, which is not a supernet trainer"),
        ({"supernet": OtherSpace()}, InvalidArchitectureError, "serves space 'darts', the .* of space 'nb201'"),
    ],
    ids=["epochs", "score", "object", "unimportable", "not_a_trainer", "other_space"],
)
def test_bad_parameters_are_refused_with_a_clear_message(distinct_cells, params, error, message):
    with pytest.raises(error, match=message):
        tiny(**params).fit(distinct_cells(3), np.zeros(3))


def test_the_supernet_trainer_is_required_and_can_be_named():
    with pytest.raises(TypeError, match=r"needs the parameter\(s\) \['supernet'\]"):
        WeightSharing()
    named = resolve_supernet("naspred.live.supernet:MNIST1DSupernetTrainer", "WeightSharing")
    assert named == MNIST1DSupernetTrainer()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"options": {"epochs": 3}}, r"unknown options \['epochs'\].*given to train"),
        ({"options": {"channels": 0}}, "MNIST1DTrainer: channels must be an integer >= 1, got 0"),
        ({"bn_signals": -1}, "MNIST1DSupernetTrainer: bn_signals must be an integer >= 0, got -1"),
    ],
)
def test_bad_supernet_trainer_options_are_refused(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        MNIST1DSupernetTrainer(**kwargs)


def test_like_takes_the_options_of_a_standalone_trainer_or_a_protocol():
    from naspred.benchmarks.nb201_mnist1d import protocol
    from naspred.live.supernet import OPTIONS
    from naspred.live.trainer import MNIST1DTrainer

    settings = protocol()
    trainer = MNIST1DSupernetTrainer.like(settings, bn_signals=7)
    assert trainer == MNIST1DSupernetTrainer({k: settings[k] for k in OPTIONS}, bn_signals=7)
    assert trainer.standalone(10, 0).config() == {**trainer.options, "epochs": 10, "seed": 0}
    assert MNIST1DSupernetTrainer.like(MNIST1DTrainer(channels=3, epochs=4, seed=9)).options["channels"] == 3
