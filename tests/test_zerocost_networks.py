"""Network builders: skeletons, parameter counts against upstream records, FLOP rules, seeding.

NAS-Bench-201 parameter and FLOP counts are checked against NAS-Bench-Suite-Zero in test_zerocost_agreement.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from naspred.errors import InvalidArchitectureError, UnknownNameError
from naspred.featurizers.zerocost import counts
from naspred.featurizers.zerocost.nb101_network import vertex_channels
from naspred.featurizers.zerocost.networks import build_network, dataset_shape
from naspred.featurizers.zerocost.ops import AvgPool3x3, FactorizedReduce
from naspred.featurizers.zerocost.transnas_network import MicroCell, TransNASNetwork
from naspred.spaces import get as get_space
from naspred.spaces.nasbench101 import NB101Arch


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_nb201_network_skeleton():
    net = build_network(get_space("nb201").parse("(2, 2, 2, 2, 2, 2)"))
    # stem 16 channels, 3 stages of 5 cells at 16/32/64 channels, two residual reduction blocks, 64 -> 10 head
    assert net.stem[0].out_channels == 16
    channels = [m.edges[0].__getitem__(1).out_channels for m in net.cells if hasattr(m, "edges")]
    assert channels == [16] * 5 + [32] * 5 + [64] * 5
    assert net.head[-1].in_features == 64 and net.head[-1].out_features == 10
    assert net(torch.zeros(2, 3, 32, 32)).shape == (2, 10)


def test_transnas_micro_network_skeleton():
    # stem to 64 channels at 1/4 resolution, skeleton 41414 of two cells each: 128, 128, 256, 256, 512 channels
    net = build_network(get_space("tnb101-micro").parse("64-41414-1_02_333"), task="class_scene", num_classes=63)
    assert isinstance(net, TransNASNetwork) and net.encoder.stem[0].out_channels == 32
    cells = list(net.encoder.layers)
    assert len(cells) == 10 and all(isinstance(c, MicroCell) for c in cells)
    assert [c.edges[-1][1].out_channels for c in cells] == [128] * 4 + [256] * 4 + [512] * 2  # edge 2->3: 3x3 conv
    assert isinstance(cells[0].edges[0], FactorizedReduce)  # skip from node 0 in a reducing cell
    assert isinstance(cells[1].edges[0], torch.nn.Identity)
    assert net.decoder[-1].in_features == 512 and net.decoder[-1].out_features == 63
    assert net(torch.zeros(1, 3, 64, 64)).shape == (1, 63)


def test_transnas_networks_of_every_decoder_run_small():
    micro = get_space("tnb101-micro").parse("0_13_232")
    macro = get_space("tnb101-macro").parse("64-1234-basic")
    x = torch.rand(2, 3, 64, 64)
    assert build_network(micro, task="room_layout", num_classes=9, base_channels=8)(x).shape == (2, 9)
    # jigsaw: 9 tiles of 3 channels stacked on the channel axis, encoded one by one
    assert build_network(micro, task="jigsaw", in_channels=27, base_channels=8)(torch.rand(2, 27, 32, 32)).shape == (2, 1000)
    segment = build_network(macro, task="segmentsemantic", base_channels=8)
    assert segment(x).shape[:2] == (2, 17)
    assert build_network(macro, task="normal", base_channels=8)(x).shape[:2] == (2, 3)
    # the macro network stacks basic blocks with a 1x1 conv-BN shortcut where the shape changes
    blocks = list(build_network(macro, task="class_object", base_channels=8).encoder.layers)
    assert len(blocks) == 8 and blocks[0].downsample is None and blocks[2].downsample is not None
    with pytest.raises(InvalidArchitectureError, match="unknown TransNAS-Bench-101 task 'cifar10'"):
        build_network(micro, task="cifar10")
    with pytest.raises(InvalidArchitectureError, match=r"task 'jigsaw' takes 27 input channels \(9 RGB tiles"):
        build_network(micro, task="jigsaw", in_channels=3)


def test_cells_of_other_operations_are_refused_with_the_operation_named():
    spike = get_space("spikenas").sample(np.random.default_rng(0))
    bad = next(op for op in spike.ops if op not in ("none", "skip_connect"))
    with pytest.raises(InvalidArchitectureError, match=f"cannot build operation '{bad}'"):
        build_network(spike)
    with pytest.raises(InvalidArchitectureError, match="no network builder for a str"):
        build_network("(2, 2, 2, 2, 2, 2)")
    with pytest.raises(InvalidArchitectureError, match="channels must be a positive integer"):
        build_network(get_space("nb201").parse("(2, 2, 2, 2, 2, 2)"), channels=0)


def test_nb101_network_matches_the_recorded_parameter_count():
    # NAS-Bench-101 records 'trainable_parameters': 8555530 for this cell (nasbench_only108.tfrecord, read with
    # the nasbench api's get_metrics_from_hash; the record is printed in public NAS-Bench-101 extraction scripts)
    matrix = [[0, 1, 0, 0, 1, 1, 0], [0, 0, 1, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0, 1], [0, 0, 0, 0, 0, 1, 0],
              [0, 0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0]]  # fmt: skip
    ops = ["input", "conv3x3-bn-relu", "maxpool3x3", "conv3x3-bn-relu", "conv3x3-bn-relu", "conv1x1-bn-relu", "output"]
    net = build_network(NB101Arch(matrix, ops))
    assert sum(p.numel() for p in net.parameters()) == 8_555_530


def test_nb101_vertex_channels_split_the_output_and_take_the_successor_maximum():
    # output 128 channels read by 3 vertices: 43, 43, 42 (remainder to the first); vertex 1 feeds vertex 2 only
    m = np.array([[0, 1, 0, 1, 1], [0, 0, 1, 0, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]])
    # vertices 2 and 3 feed the output: 64 each; vertex 1 takes vertex 2's
    assert vertex_channels(32, 128, m) == [32, 64, 64, 64, 128]
    m3 = np.array([[0, 1, 1, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]])
    assert vertex_channels(16, 128, m3) == [16, 43, 43, 42, 128]


def test_nb101_networks_run_on_sampled_cells():
    space = get_space("nb101")
    rng = np.random.default_rng(3)
    for _ in range(3):
        arch = space.sample(rng)
        net = build_network(arch, stem_channels=8)
        assert net(torch.zeros(2, 3, 32, 32)).shape == (2, 10)


def test_darts_network_matches_the_published_parameter_count():
    # DARTS (Liu et al. 2019) train.py logs "param size = 3.349342MB" for DARTS_V2 at 36 channels and 20 cells
    # (count_parameters_in_MB leaves out the auxiliary head)
    genotype = (
        "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
        "('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], "
        "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), "
        "('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], "
        "reduce_concat=[2, 3, 4, 5])"
    )
    net = build_network(get_space("darts").parse(genotype), channels=36, layers=20)
    assert sum(p.numel() for p in net.parameters()) == 3_349_342


def test_darts_small_network_runs_and_reduces_twice():
    arch = get_space("darts").sample(np.random.default_rng(5))
    net = build_network(arch, channels=4, layers=5)
    assert net(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    assert [c.ops[0] is not None for c in net.cells].count(True) == 5
    with pytest.raises(InvalidArchitectureError, match="layers must be at least 3"):
        build_network(arch, layers=2)


def test_weights_are_drawn_from_the_seed_without_touching_the_global_generator():
    arch = get_space("nb201").parse("(2, 0, 3, 1, 4, 3)")
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    a = build_network(arch, seed=7)
    assert torch.equal(torch.rand(1), expected_next)
    b = build_network(arch, seed=7)
    c = build_network(arch, seed=8)
    wa, wb, wc = (next(n.parameters()) for n in (a, b, c))
    assert torch.equal(wa, wb) and not torch.equal(wa, wc)


def test_dataset_shapes():
    assert dataset_shape("imagenet16").input_shape == (3, 16, 16)
    assert dataset_shape("cifar100").num_classes == 100
    with pytest.raises(UnknownNameError, match="no input shape known for dataset 'mnist'"):
        dataset_shape("mnist")


def test_flops_follow_the_nas_bench_suite_zero_rules_on_a_small_network():
    net = torch.nn.Sequential(
        torch.nn.Conv2d(2, 4, 3, padding=1, bias=True),  # 3*3*2*4 per position + 4 bias, 16 positions
        torch.nn.BatchNorm2d(4),  # affine: 2 per element of 4x4x4
        torch.nn.ReLU(),  # 64
        torch.nn.MaxPool2d(2, 2),  # 2*2 per output element (4x2x2)
        torch.nn.AdaptiveAvgPool2d(1),  # (2+1)*(2+1) per output element (4)
        torch.nn.Flatten(),
        torch.nn.Linear(4, 3),  # 4*3
    )
    expected = (72 + 4) * 16 + 2 * 64 + 64 + 4 * 16 + 9 * 4 + 12
    assert counts.flops(net, (2, 4, 4)) == pytest.approx(expected / 1e6)
    # LeakyReLU counts as ReLU, transposed convolutions and tanh count nothing (torchstat's rules)
    up = torch.nn.Sequential(torch.nn.LeakyReLU(0.2), torch.nn.ConvTranspose2d(2, 2, 3, 2, 1, 1), torch.nn.Tanh())
    assert counts.flops(up, (2, 4, 4)) == pytest.approx(32 / 1e6)
    assert counts.params(net) == pytest.approx((72 + 4 + 8 + 12 + 3) / 1e6)


def test_avg_pool_3x3_equals_average_pooling_without_counting_padding():
    x = torch.randn(3, 5, 7, 6, generator=torch.Generator().manual_seed(0))
    expected = torch.nn.functional.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
    pool = AvgPool3x3()
    assert isinstance(pool, torch.nn.AvgPool2d)
    torch.testing.assert_close(pool(x), expected, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(pool(x.double()), expected.double(), rtol=1e-6, atol=1e-6)
    # corner: 4 inputs, edge: 6, interior: 9
    ones = torch.ones(1, 1, 4, 4)
    ones[0, 0, 0, 0] = 5.0
    assert pool(ones)[0, 0, 0, 0].item() == pytest.approx((5 + 3) / 4)
