"""Synflow: closed forms on small networks, the overflow path, and the direct per-weight definition."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from naspred.featurizers.zerocost.networks import build_network
from naspred.featurizers.zerocost.result import ProxyError
from naspred.featurizers.zerocost.synflow import bypass_batchnorm, log_synflow, synflow
from naspred.spaces import get as get_space


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def direct_synflow(net: nn.Module, input_shape: tuple[int, ...]) -> float:
    """The definition, weight by weight: sum |theta * dR/dtheta| over conv and linear weights (float64)."""
    import copy

    work = bypass_batchnorm(copy.deepcopy(net)).double().eval()
    with torch.no_grad():
        for p in work.parameters():
            p.abs_()
    out = work(torch.ones((1, *input_shape), dtype=torch.float64))
    out.sum().backward()
    return sum(
        float((m.weight * m.weight.grad).detach().abs().sum())
        for m in work.modules()
        if isinstance(m, (nn.Conv2d, nn.Linear)) and m.weight.grad is not None
    )


def small_mlp() -> tuple[nn.Module, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    w1 = np.array([[0.5, -1.0, 2.0], [-0.3, 0.2, 0.1], [1.5, 0.0, -0.7], [0.4, -0.9, 0.6]])
    b1 = np.array([0.1, -0.2, 0.3, -0.4])
    w2 = np.array([[1.0, -2.0, 0.5, 0.25], [-0.5, 0.75, -1.25, 2.0]])
    b2 = np.array([-0.6, 0.8])
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(w1))
        net[0].bias.copy_(torch.from_numpy(b1))
        net[1].weight.fill_(-3.0)  # BatchNorm is bypassed: these must not matter
        net[1].bias.fill_(5.0)
        net[3].weight.copy_(torch.from_numpy(w2))
        net[3].bias.copy_(torch.from_numpy(b2))
    return net, w1, b1, w2, b2


def test_synflow_of_a_small_mlp_equals_its_closed_form():
    net, w1, b1, w2, _ = small_mlp()
    # absolute weights, BN bypassed, input of ones: z = |W1| 1 + |b1| (all > 0, so ReLU passes it),
    # R = sum(|W2| z + |b2|)
    z = np.abs(w1).sum(axis=1) + np.abs(b1)
    layer2 = (np.abs(w2) * z[None, :]).sum()  # dR/dW2[k, j] = z[j]
    layer1 = (np.abs(w1) * np.abs(w2).sum(axis=0)[:, None]).sum()  # dR/dW1[j, i] = sum_k |W2[k, j]| * 1
    expected = layer1 + layer2
    assert synflow(net, (3,)) == pytest.approx(expected, rel=1e-12)
    assert log_synflow(net, (3,)) == pytest.approx(math.log(expected), rel=1e-12)
    # the network given is left as it was
    assert net[1].weight[0].item() == -3.0 and net[0].weight[0, 1].item() == -1.0


@pytest.mark.parametrize(
    "arch_text, space, config",
    [
        ("(4, 0, 3, 1, 4, 3)", "nb201", {}),
        ("(2, 2, 2, 2, 2, 2)", "nb201", {"cells_per_stage": 2}),
        ("0_13_232", "tnb101-micro", {"base_channels": 8}),
    ],
)
def test_log_synflow_equals_the_direct_definition_on_cell_networks(arch_text, space, config):
    net = build_network(get_space(space).parse(arch_text), seed=3, **config)
    assert log_synflow(net, (3, 32, 32)) == pytest.approx(math.log(direct_synflow(net, (3, 32, 32))), abs=1e-9)


def test_log_synflow_equals_the_direct_definition_on_nb101_and_darts_networks():
    rng = np.random.default_rng(1)
    nb101 = build_network(get_space("nb101").sample(rng), stem_channels=4, cells_per_stack=1, seed=2)
    darts = build_network(get_space("darts").sample(rng), channels=2, layers=3, seed=2)
    for net in (nb101, darts):
        assert log_synflow(net, (3, 16, 16)) == pytest.approx(math.log(direct_synflow(net, (3, 16, 16))), abs=1e-9)


def test_log_synflow_survives_float64_overflow():
    # L bias-free d x d linear layers with every weight c on an input of ones: layer l's weights contribute
    # d**2 * c * (c d)**(L-1) * ... = d**(L+1) * c**L each, so synflow = L * d**(L+1) * c**L
    depth, d, c = 300, 4, 4.0
    net = nn.Sequential(*[nn.Linear(d, d, bias=False) for _ in range(depth)])
    with torch.no_grad():
        for layer in net:
            layer.weight.fill_(c)
    expected = math.log(depth) + (depth + 1) * math.log(d) + depth * math.log(c)
    assert expected > math.log(torch.finfo(torch.float64).max)  # the plain computation overflows
    assert log_synflow(net, (d,)) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ProxyError, match="beyond float64; use its log"):
        synflow(net, (d,))


def test_synflow_of_a_cell_without_a_path_is_zero_and_its_log_is_refused():
    net = build_network(get_space("nb201").parse("(3, 1, 1, 1, 1, 1)"), cells_per_stage=1)  # node 3 reads nothing
    assert synflow(net, (3, 32, 32)) == 0.0
    with pytest.raises(ProxyError, match="synflow is 0: no signal"):
        log_synflow(net, (3, 32, 32))


def test_synflow_inplace_skips_the_copy_and_gives_the_same_value():
    net = build_network(get_space("nb201").parse("(0, 3, 2, 4, 1, 3)"), cells_per_stage=1)
    copied = log_synflow(net, (3, 32, 32))
    assert log_synflow(net, (3, 32, 32), inplace=True) == copied
    assert all((p >= 0).all() for p in net.parameters())  # changed: absolute weights


def test_synflow_rejects_a_bad_input_shape():
    net, *_ = small_mlp()
    with pytest.raises(Exception, match="input_shape must be the shape of one input"):
        log_synflow(net, (0,))
