"""
Bring your own benchmark
========================

Your own training runs become a benchmark once they are written as a *generic learning-curve table*: one row
per architecture and epoch, with columns ``arch`` (any identifier, or a string in a known space's notation),
``epoch`` (1-based) and any of ``train_loss``, ``val_accuracy``, ``val_loss``, ... and ``epoch_time``.

Here the table is written from the learning curves of ``nb201-mnist1d`` (NAS-Bench-201 cells trained on
MNIST-1D for 10 epochs, packaged with naspred) under opaque run names, as if they came from your own
training logs. On an opaque space only the learning-curve predictors apply, and the plan says which
predictors it skipped and why. From the shell the same table loads with
``naspred benchmark info runs.csv`` and evaluates with ``naspred evaluate --benchmark runs.csv ...``.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from naspred.benchmarks import load
from naspred.evaluation.experiment import run_experiment
from naspred.evaluation.spec import ExperimentSpec

source = load("nb201-mnist1d")
curves = {metric: source.curves[metric].values for metric in ("train_loss", "val_accuracy", "val_loss")}
epochs = source.curves["val_accuracy"].length
rows = []
for i in range(len(source)):
    for e in range(epochs):
        row = {"arch": f"run-{i:03d}", "epoch": e + 1, "epoch_time": source.epoch_seconds[i]}
        rows.append(row | {metric: values[i, e] for metric, values in curves.items()})
folder = Path(tempfile.mkdtemp())
path = folder / "runs.csv"
pd.DataFrame(rows).to_csv(path, index=False)
print(pd.read_csv(path).head())

# %%
# Loaded by path, the table is a benchmark: its space is guessed from the ``arch`` strings (none parses,
# so it is opaque) and its target is the last-epoch ``val_accuracy``, maximised. The notes say so.
bench = load(str(path))
print(bench.space.name, bench.target, bench.higher_is_better, len(bench))
print("\n".join(bench.notes))

# %%
# Learning-curve predictors rank the runs from their first epochs: the validation accuracy so far
# (``valacc``) and the sum of training losses (``sotle``, Ru et al. 2021). ``xgb`` needs an encoding of the
# architecture, which an opaque space has not: it is skipped, with the reason.
spec = ExperimentSpec(benchmark=str(path), predictors=("valacc", "sotle", "xgb"), fidelities=(1, 2, 4, 7),
                      trials=3, test_size=100)
outcome = run_experiment(spec, folder / "results")
for skipped in outcome.plan.skipped:
    print("skipped:", skipped.predictor, "-", skipped.reason)
table = outcome.table

fig, ax = plt.subplots(figsize=(5, 3.5))
for name, group in table.groupby("predictor"):
    stats = group.groupby("fidelity")["kendall_tau"].mean()
    ax.plot(stats.index, stats.values, marker="o", label=name)
ax.set_xlabel(f"epochs trained per queried run (of {epochs})")
ax.set_ylabel("Kendall tau with the final accuracy")
ax.legend()
fig.tight_layout()
plt.show()
