"""
Live mode: train architectures for real
=======================================

A predictor obtains training results only through an oracle. ``LiveOracle`` wraps your own training
function ``train_fn(arch, epochs) -> {metric: [one value per epoch]}`` and charges every call its measured
wall time. Here the training function is naspred's reference trainer: the NAS-Bench-201 network in one
dimension on MNIST-1D (``pip install naspred[live]``; the data is generated locally, no download), kept tiny
(4 channels, one cell per stage, 300 training signals, 5 epochs) so that the script runs in well under a
minute on 2 cores. Replace ``train_fn`` with a function that trains your own network.
"""

import matplotlib.pyplot as plt
import numpy as np
from naspred import predictors
from naspred.live.trainer import MNIST1DTrainer
from naspred.predictors import Budget, LiveOracle
from naspred.spaces.nasbench201 import NB201Space
from scipy.stats import kendalltau

space = NB201Space()
train_fn = MNIST1DTrainer(channels=4, cells_per_stage=1, epochs=5, n_train=300, seed=0)  # or your own
test = [a for a in space.sample_many(40, np.random.default_rng(1)) if space.connected(a)][:6]
oracle = LiveOracle(space, train_fn, full_epochs=5, hidden=test, seed=0)

# %%
# Initialization: ``xgb`` trains 10 cells to completion through the oracle and fits on them. Query: the
# early-stopping predictor ``valacc`` trains each test cell for 2 epochs and reads its accuracy.
model = predictors.get("xgb")
model.initialize(oracle, Budget(archs=10))
pred = model.query(test, oracle, Budget(epochs=0, per_arch=True))
early = predictors.get("valacc", fidelity=2).query(test, oracle, Budget(epochs=2, per_arch=True))
print(oracle.ledger())  # wall seconds charged per phase

# %%
# The truth: the test cells trained to completion by the same function, outside the oracle (the oracle
# refuses to train hidden cells for their full schedule).
truth = np.array([train_fn(a, 5)["val_accuracy"][-1] for a in test])
print(f"xgb tau {kendalltau(pred.mean, truth).statistic:.2f}, valacc@2 tau {kendalltau(early.mean, truth).statistic:.2f}")
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.scatter(truth, pred.mean, label="xgb (10 cells trained)")
ax.scatter(truth, early.mean, marker="s", label="valacc after 2 epochs")
ax.set_xlabel("validation accuracy after 5 epochs (%)")
ax.set_ylabel("prediction")
ax.legend()
fig.tight_layout()
plt.show()
