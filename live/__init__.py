"""Live mode: train architectures for real on MNIST-1D (Greydanus, 2020, "Scaling down deep learning").

``naspred.live.trainer.MNIST1DTrainer`` is a reference ``train_fn(arch, epochs)`` for
:class:`naspred.oracles.live.LiveOracle`; :mod:`naspred.live.nb201_1d` builds the NAS-Bench-201
network in one dimension and :mod:`naspred.live.proxies` computes zero-cost proxies of it on MNIST-1D batches.
Requires the optional ``mnist1d`` package (``pip install naspred[live]``).
"""
