"""
Compare predictors under a budget
=================================

The story of ``naspred evaluate``: which predictor ranks held-out NAS-Bench-201 cells best when it may train
20, 50 or 150 architectures to completion? Every trial draws its 100 test cells first; the predictor sees
training results only through an oracle that hides them and charges every training run to the budget.

The benchmark is ``nb201-analog-cifar10`` (CIFAR-10 accuracy of the 15,625 cells, embedded in the
``analog-nasbench`` PyPI package: no download). The same grid from the shell::

    naspred evaluate --predictors lin_reg,rf,xgb --train-sizes 20,50,150 --trials 3 --test-size 100
"""

import tempfile

import matplotlib.pyplot as plt
from naspred.evaluation.experiment import run_experiment
from naspred.evaluation.spec import ExperimentSpec

spec = ExperimentSpec(
    benchmark="nb201-analog-cifar10",
    predictors=("lin_reg", "rf", "xgb"),
    train_sizes=(20, 50, 150),
    trials=3,
    test_size=100,
    seed=0,
)
with tempfile.TemporaryDirectory() as out:  # a results folder: re-running the same spec resumes it
    outcome = run_experiment(spec, out)
table = outcome.table

# %%
# The results are one tidy table: a row per trial with its budgets and metrics.
summary = table.groupby(["predictor", "train_size"])["kendall_tau"].agg(["mean", "std"]).round(3)
print(summary)

# %%
# Kendall tau against the number of architectures trained during initialization, mean and spread over
# trials. ``naspred report`` draws the same plot with bootstrap confidence bands.
fig, ax = plt.subplots(figsize=(5, 3.5))
for name, rows in table.groupby("predictor"):
    stats = rows.groupby("train_size")["kendall_tau"].agg(["mean", "std"])
    ax.errorbar(stats.index, stats["mean"], yerr=stats["std"], marker="o", capsize=3, label=name)
ax.set_xscale("log")
ax.set_xlabel("architectures trained during initialization")
ax.set_ylabel("Kendall tau on 100 test cells")
ax.legend()
fig.tight_layout()
plt.show()
