"""NN-Former (Xu et al., CVPR 2025): its attention masks, its token graphs, invariance under isomorphic relabelling
and dead operations, predictions that do not depend on the batch, the four cell spaces, parameter errors. The
contract (scikit-learn protocol, pickling, oracle) is the battery's, in tests/test_check_predictor.py."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from naspred import predictors
from naspred.errors import InvalidInputError
from naspred.predictors import ArchInfo
from naspred.predictors.nnformer import (
    RELATIONS,
    NNFormer,
    relation_masks,
    token_graphs,
)
from naspred.spaces import get as get_space
from naspred.spaces.isomorphs import isomorphs_of
from scipy.stats import kendalltau

pytestmark = pytest.mark.usefixtures("one_torch_thread")

#: a network small enough that a fit takes a fraction of a second
TINY = {"hidden": 8, "ffn_hidden": 8, "num_layers": 2, "epochs": 30, "batch_size": 16}


def _rows(mask: torch.Tensor) -> list[set[int]]:
    return [set(np.flatnonzero(row.numpy()).tolist()) for row in mask]


def test_registered_as_a_model_based_predictor_without_std():
    model = predictors.get("nnformer")
    assert isinstance(model, NNFormer)
    assert model.family == "model-based" and not model.uncertainty
    assert model.requirements.labelled and model.requirements.encoding


def test_masks_of_a_hand_made_dag_follow_the_paper_relations():
    # 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3, 2 -> 4
    links = torch.zeros(1, 5, 5)
    for u, v in [(0, 1), (0, 2), (1, 3), (2, 3), (2, 4)]:
        links[0, u, v] = 1.0
    masks = relation_masks(links)[0]
    assert masks.shape == (len(RELATIONS), 5, 5) and masks.dtype == torch.bool
    expected = {
        "successors": [{0, 1, 2}, {1, 3}, {2, 3, 4}, {3}, {4}],
        "predecessors": [{0}, {0, 1}, {0, 2}, {1, 2, 3}, {2, 4}],
        # siblings: 1 and 2 are fed by 0; 3 and 4 by 2
        "same_predecessor": [{0}, {1, 2}, {1, 2}, {3, 4}, {3, 4}],
        # siblings: 1 and 2 both feed 3 (0 shares no successor: no grandparent or grandchild is a relation)
        "same_successor": [{0}, {1, 2}, {1, 2}, {3}, {4}],
    }
    for h, relation in enumerate(RELATIONS):
        assert _rows(masks[h]) == expected[relation], relation


def test_cell_tokens_leave_out_none_and_dead_operations():
    space = get_space("nb201")
    # edges (0,1),(0,2),(0,3),(1,2),(1,3),(2,3); tokens: input, the six edges in that order, output
    live = space.arch_type(("nor_conv_3x3", "none", "skip_connect", "avg_pool_3x3", "none", "nor_conv_1x1"))
    # node 1 receives nothing: the operations on (1,2) and (1,3) are dead
    dead = space.arch_type(("none", "nor_conv_3x3", "skip_connect", "avg_pool_3x3", "nor_conv_1x1", "nor_conv_3x3"))
    _, links, kept, outputs = token_graphs(space, [live, dead])
    assert kept[0].tolist() == [True, True, False, True, True, False, True, True]
    assert kept[1].tolist() == [True, False, True, True, False, False, True, True]
    assert outputs[:, -1].all() and outputs[:, :-1].sum() == 0
    # input -> (0,1) -> (1,2) -> (2,3) -> output, input -> (0,3) -> output
    edges = sorted(zip(*np.nonzero(links[0])))
    assert edges == [(0, 1), (0, 3), (1, 4), (3, 7), (4, 6), (6, 7)]
    assert not links[1][[1, 4, 5]].any() and not links[1][:, [1, 4, 5]].any()


@pytest.fixture(scope="module")
def nb201_fitted():
    space = get_space("nb201")
    archs = space.sample_many(60, np.random.default_rng(0))
    y = np.array([a.ops.count("nor_conv_3x3") for a in archs], dtype=float)
    y += np.random.default_rng(1).normal(0.0, 0.1, len(y))
    info = ArchInfo(space=space)
    return NNFormer(random_state=0, **TINY).fit(archs, y, info), space, info


def test_isomorphic_relabelling_and_dead_operations_predict_the_same(nb201_fitted):
    model, space, info = nb201_fitted
    # edge (1,2) is none: swapping nodes 1 and 2 swaps (0,1) with (0,2) and (1,3) with (2,3)
    arch = space.arch_type(("nor_conv_3x3", "avg_pool_3x3", "skip_connect", "none", "nor_conv_1x1", "nor_conv_3x3"))
    swapped = space.arch_type(("avg_pool_3x3", "nor_conv_3x3", "skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1"))
    assert swapped in isomorphs_of(space, 100).orbit(arch)
    dead = [space.arch_type(("none", "nor_conv_3x3", "skip_connect", op, "nor_conv_1x1", "nor_conv_3x3"))
            for op in ("avg_pool_3x3", "nor_conv_1x1", "skip_connect")]
    pred = model.predict([arch, swapped, *dead], info)
    np.testing.assert_allclose(pred[1], pred[0], rtol=1e-12)
    np.testing.assert_allclose(pred[3:], pred[2], rtol=1e-12)
    # a model that reads the operations at all tells apart cells that are not isomorphic
    other = space.arch_type(("nor_conv_3x3",) * 6)
    assert abs(model.predict([other], info)[0] - pred[0]) > 1e-6


@pytest.mark.parametrize("name", ["nb101", "darts"])
def test_predictions_do_not_depend_on_the_batch(name):
    space = get_space(name)
    archs = space.sample_many(40, np.random.default_rng(2))
    y = np.random.default_rng(3).normal(size=len(archs))
    info = ArchInfo(space=space)
    model = NNFormer(random_state=0, **TINY).fit(archs[:30], y[:30], info)
    batch = model.predict(archs[30:], info)
    alone = np.array([model.predict([a], info)[0] for a in archs[30:]])
    mixed = model.predict([*archs[:30], *archs[30:][::-1]], info)[30:][::-1]
    np.testing.assert_allclose(alone, batch, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mixed, batch, rtol=1e-12, atol=1e-12)


# target: the number of nodes (or edge tokens) with one operation, plus noise
SPACES = {"nb201": "nor_conv_3x3", "tnb101-micro": "nor_conv_3x3", "nb101": "conv3x3-bn-relu", "darts": "sep_conv_3x3",
          "nbgraph": "gcn"}


@pytest.mark.parametrize("name", sorted(SPACES))
def test_fits_and_ranks_on_every_graph_space(name):
    space = get_space(name)
    archs = space.sample_many(100, np.random.default_rng(0))
    y = np.array([list(space.to_graph(a).node_ops).count(SPACES[name]) for a in archs], dtype=float)
    y += np.random.default_rng(1).normal(0.0, 0.1, len(y))
    info = ArchInfo(space=space)
    params = {**TINY, "hidden": 16, "ffn_hidden": 16, "epochs": 100}
    model = NNFormer(random_state=0, **params).fit(archs[:70], y[:70], info)
    pred = model.predict(archs[70:], info)
    assert pred.shape == (30,) and np.isfinite(pred).all()
    # a model that does not learn stays near 0
    assert kendalltau(pred, y[70:]).statistic > 0.3


@pytest.mark.parametrize("loss", ["pairwise_hinge", "listmle"])
def test_ranking_losses_map_scores_onto_the_target(nb201_fitted, loss):
    _, space, info = nb201_fitted
    archs = space.sample_many(40, np.random.default_rng(4))
    y = np.random.default_rng(5).normal(90.0, 2.0, len(archs))
    model = NNFormer(random_state=0, loss=loss, **TINY).fit(archs, y, info)
    # the least-squares line through the training scores: the training predictions average the targets
    assert model.predict(archs, info).mean() == pytest.approx(y.mean(), abs=1e-6)
    assert len(model.calibration_) == 2


def test_same_seed_same_predictions(nb201_fitted):
    _, space, info = nb201_fitted
    archs = space.sample_many(30, np.random.default_rng(6))
    y = np.random.default_rng(7).normal(size=len(archs))
    first = NNFormer(random_state=3, **TINY).fit(archs, y, info).predict(archs, info)
    again = NNFormer(random_state=3, **TINY).fit(archs, y, info).predict(archs, info)
    other = NNFormer(random_state=4, **TINY).fit(archs, y, info).predict(archs, info)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"hidden": 30}, "hidden must be a multiple of 4 (one attention head per relation"),
        ({"hidden": 2}, "hidden must be an integer >= 4"),
        ({"ffn_hidden": 7}, "ffn_hidden must be even"),
        ({"num_layers": 0}, "num_layers must be an integer >= 1"),
        ({"dropout": 1.0}, "dropout must be a finite number in [0, 1)"),
        ({"readout": "sum"}, "readout must be one of ['mean', 'output']"),
        ({"loss": "mae"}, "loss must be one of ['mse', 'pairwise_hinge', 'listmle']"),
        ({"augment": "flips"}, "augment must be"),
    ],
)
def test_refuses_bad_parameters_with_the_expected_value(params, message, nb201_fitted):
    _, space, info = nb201_fitted
    archs = space.sample_many(10, np.random.default_rng(8))
    with pytest.raises(InvalidInputError, match=f"NNFormer: {re.escape(message)}"):
        NNFormer(**params).fit(archs, np.arange(10.0), info)
