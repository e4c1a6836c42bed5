"""jacov, nwot, snip, grasp, fisher and grad_norm against values computed by hand (numpy) on small networks.

The numpy forward and backward passes are checked against central finite differences first, so the expected
values do not rest on autograd.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from naspred.errors import InvalidInputError
from naspred.featurizers.zerocost import jacobian, proxies, saliency
from naspred.featurizers.zerocost.data import DataBatch, as_batch, load_batch
from naspred.featurizers.zerocost.result import ProxyError
from naspred.errors import DataFileError

W1 = np.array([[0.8, -0.5, 0.3], [-0.4, 0.9, 0.2], [0.6, 0.1, -0.7], [-0.2, -0.3, 0.5]])
B1 = np.array([0.05, -0.1, 0.2, 0.0])
W2 = np.array([[0.7, -0.6, 0.4, 0.3], [-0.5, 0.8, -0.2, 0.6], [0.1, 0.3, 0.9, -0.4]])
B2 = np.array([0.1, -0.2, 0.05])
X = np.array([[1.0, 0.5, -0.3], [-0.7, 1.2, 0.4], [0.3, -0.8, 1.1], [0.9, 0.9, 0.2], [-0.5, -0.4, -1.0]])
Y = np.array([0, 2, 1, 1, 0])


def mlp() -> nn.Module:
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 3)).double()
    with torch.no_grad():
        for layer, (w, b) in zip((net[0], net[2]), ((W1, B1), (W2, B2))):
            layer.weight.copy_(torch.from_numpy(w))
            layer.bias.copy_(torch.from_numpy(b))
    return net


def batch() -> tuple[torch.Tensor, torch.Tensor]:
    return torch.from_numpy(X), torch.from_numpy(Y)


# ---------------------------------------------------------------- numpy reference of the MLP
def forward(w1, w2, x=X):
    z1 = x @ w1.T + B1
    a1 = np.maximum(z1, 0.0)
    z2 = a1 @ w2.T + B2
    return z1, a1, z2


def loss(w1, w2) -> float:
    z2 = forward(w1, w2)[2]
    z2 = z2 - z2.max(axis=1, keepdims=True)
    logp = z2 - np.log(np.exp(z2).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(Y)), Y].mean())


def backward(w1, w2):
    """dL/dz1, dL/dz2, dL/dW1, dL/dW2 of the mean cross-entropy, by hand."""
    z1, a1, z2 = forward(w1, w2)
    p = np.exp(z2 - z2.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    onehot = np.eye(3)[Y]
    dz2 = (p - onehot) / len(Y)
    dw2 = dz2.T @ a1
    dz1 = (dz2 @ w2) * (z1 > 0)
    dw1 = dz1.T @ X
    return dz1, dz2, dw1, dw2


def numeric_grad(f, w, eps=1e-6):
    g = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        up, down = w.copy(), w.copy()
        up[idx] += eps
        down[idx] -= eps
        g[idx] = (f(up) - f(down)) / (2 * eps)
    return g


def test_the_hand_written_backward_pass_matches_finite_differences():
    _, _, dw1, dw2 = backward(W1, W2)
    np.testing.assert_allclose(numeric_grad(lambda w: loss(w, W2), W1), dw1, atol=1e-8)
    np.testing.assert_allclose(numeric_grad(lambda w: loss(W1, w), W2), dw2, atol=1e-8)
    z1 = forward(W1, W2)[0]
    assert np.abs(z1).min() > 1e-3  # no input sits on a ReLU kink, so finite differences are valid


# ---------------------------------------------------------------- the proxies
def test_snip_is_the_sum_of_absolute_weight_gradient_products():
    _, _, dw1, dw2 = backward(W1, W2)
    expected = np.abs(W1 * dw1).sum() + np.abs(W2 * dw2).sum()
    assert saliency.snip(mlp(), batch()) == pytest.approx(expected, rel=1e-10)


def test_grad_norm_sums_the_layers_gradient_norms():
    _, _, dw1, dw2 = backward(W1, W2)
    expected = np.linalg.norm(dw1) + np.linalg.norm(dw2)
    assert saliency.grad_norm(mlp(), batch()) == pytest.approx(expected, rel=1e-10)


def test_grasp_is_minus_theta_times_hessian_gradient_product():
    _, _, g1, g2 = backward(W1, W2)
    eps = 1e-5
    # H g by central differences of the hand-written gradient along g (weights only, biases fixed)
    up, down = backward(W1 + eps * g1, W2 + eps * g2), backward(W1 - eps * g1, W2 - eps * g2)
    hg1 = (up[2] - down[2]) / (2 * eps)
    hg2 = (up[3] - down[3]) / (2 * eps)
    expected = (-W1 * hg1).sum() + (-W2 * hg2).sum()
    assert saliency.grasp(mlp(), batch()) == pytest.approx(expected, rel=1e-6)


def test_fisher_of_linear_layers():
    z1, _, z2 = forward(W1, W2)
    dz1, dz2, _, _ = backward(W1, W2)
    # per output unit k: 0.5 * mean_n (a * dL/da)^2, spread over the unit's fan-in weights (3 and 4)
    layer1 = (0.5 * ((z1 * dz1) ** 2).mean(axis=0)).sum() * 3
    layer2 = (0.5 * ((z2 * dz2) ** 2).mean(axis=0)).sum() * 4
    assert saliency.fisher(mlp(), batch()) == pytest.approx(layer1 + layer2, rel=1e-10)


def test_fisher_of_a_convolution_sums_over_positions():
    rng = np.random.default_rng(0)
    wc = rng.normal(size=(2, 1, 2, 2))
    wl = rng.normal(size=(3, 8))
    x = rng.normal(size=(4, 1, 3, 3))
    y = np.array([2, 0, 1, 2])
    net = nn.Sequential(nn.Conv2d(1, 2, 2, bias=False), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3, bias=False)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(wc))
        net[3].weight.copy_(torch.from_numpy(wl))
    # by hand: valid 2x2 convolution, ReLU, flatten (channel-major), linear, mean cross-entropy
    conv = np.zeros((4, 2, 2, 2))
    for n in range(4):
        for k in range(2):
            for i in range(2):
                for j in range(2):
                    conv[n, k, i, j] = (x[n, 0, i : i + 2, j : j + 2] * wc[k, 0]).sum()
    flat = np.maximum(conv, 0).reshape(4, 8)
    logits = flat @ wl.T
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dlogits = (p - np.eye(3)[y]) / 4
    dconv = (dlogits @ wl).reshape(4, 2, 2, 2) * (conv > 0)
    conv_part = (0.5 * ((conv * dconv).sum(axis=(2, 3)) ** 2).mean(axis=0)).sum() * (1 * 2 * 2)
    linear_part = (0.5 * ((logits * dlogits) ** 2).mean(axis=0)).sum() * 8
    got = saliency.fisher(net, (torch.from_numpy(x), torch.from_numpy(y)))
    assert got == pytest.approx(conv_part + linear_part, rel=1e-10)


def test_jacov_from_the_input_jacobians():
    z1 = forward(W1, W2)[0]
    # d sum_k z2[n, k] / d x[n] = W1^T diag(z1[n] > 0) W2^T 1, then the jacov formula of Mellor et al. (v1)
    jac = np.stack([W1.T @ ((z1[n] > 0) * W2.sum(axis=0)) for n in range(len(X))])
    for n in range(len(X)):  # the same Jacobian by finite differences of the summed outputs
        f = lambda xn: forward(W1, W2, np.vstack([X[:n], xn[None], X[n + 1 :]]))[2][n].sum()  # noqa: E731
        np.testing.assert_allclose(numeric_grad(f, X[n].copy()), jac[n], atol=1e-8)
    eig = np.linalg.eigvalsh(np.corrcoef(jac))
    expected = -np.sum(np.log(eig + 1e-5) + 1.0 / (eig + 1e-5))
    assert jacobian.jacov(mlp(), torch.from_numpy(X)) == pytest.approx(expected, rel=1e-9)


def test_nwot_is_the_log_determinant_of_the_relu_code_kernel():
    codes = (forward(W1, W2)[0] > 0).astype(float)
    kernel = codes @ codes.T + (1 - codes) @ (1 - codes).T
    sign, logdet = np.linalg.slogdet(kernel)
    assert sign > 0
    assert jacobian.nwot(mlp(), torch.from_numpy(X)) == pytest.approx(logdet, rel=1e-12)
    # two identical inputs share every code: the kernel is singular
    twice = torch.from_numpy(np.vstack([X[:2], X[:1]]))
    with pytest.raises(ProxyError, match="kernel is singular"):
        jacobian.nwot(mlp(), twice)


def test_jacov_of_a_network_that_ignores_its_input_is_missing_not_a_number():
    net = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 2)).double()
    with torch.no_grad():
        net[0].weight.zero_()
    with pytest.raises(ProxyError, match="Jacobian of an input is constant"):
        jacobian.jacov(net, torch.from_numpy(X))


def test_proxies_leave_the_network_unchanged():
    net = mlp()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    for name in ("jacov", "nwot", "snip", "grasp", "fisher", "grad_norm"):
        proxies.evaluate(name, net, batch(), input_shape=(3,))
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    assert all(p.requires_grad and p.grad is None for p in net.parameters())


def test_data_needs_are_checked():
    net = mlp()
    x = torch.from_numpy(X)
    with pytest.raises(InvalidInputError, match="proxy 'snip' needs class targets"):
        saliency.snip(net, x)
    with pytest.raises(InvalidInputError, match="needs a data batch"):
        proxies.evaluate("jacov", net, None)
    with pytest.raises(InvalidInputError, match="at least 2"):
        jacobian.jacov(net, x[:1])
    with pytest.raises(InvalidInputError, match="NaN or infinite"):
        DataBatch(torch.full((2, 1, 2, 2), math.nan))
    with pytest.raises(InvalidInputError, match="one class index per input"):
        DataBatch(torch.zeros(3, 1, 2, 2), torch.zeros(2, dtype=torch.long))
    with pytest.raises(InvalidInputError, match="class indices"):
        DataBatch(torch.zeros(2, 1, 2, 2), torch.tensor([0.5, 1.0]))


def test_batches_from_loaders_and_files(tmp_path):
    images = torch.arange(2 * 3 * 4 * 4, dtype=torch.float32).reshape(2, 3, 4, 4)
    labels = torch.tensor([1, 0])
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images, labels), batch_size=2)
    got = as_batch(loader)
    assert torch.equal(got.inputs, images) and torch.equal(got.targets, labels)
    torch.save({"inputs": images, "targets": labels}, tmp_path / "b.pt")
    np.savez(tmp_path / "b.npz", x=images.numpy())
    assert torch.equal(load_batch(tmp_path / "b.pt").targets, labels)
    from_npz = load_batch(tmp_path / "b.npz")
    assert torch.equal(from_npz.inputs, images) and from_npz.targets is None
    (tmp_path / "b.txt").write_text("1 2 3")
    with pytest.raises(DataFileError, match="expected .pt or .npz"):
        load_batch(tmp_path / "b.txt")
    with pytest.raises(DataFileError, match="no such data batch file"):
        load_batch(tmp_path / "missing.pt")
