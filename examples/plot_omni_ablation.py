"""
Reproduce the OMNI ablation (small grid)
========================================

OMNI (White et al., NeurIPS 2021) blends three feature groups in one NGBoost model: the architecture's
encoding, its learning curve at the query fidelity, and a zero-cost proxy (jacov). The ablation removes each
group in turn, and puts plain models and learning-curve predictors beside it, all on the same splits.

This is a small grid on the packaged ``nb201-mnist1d`` benchmark (510 NAS-Bench-201 cells trained on
MNIST-1D for 10 epochs, with proxies): 2 trials, 50 training cells, 3 epochs of partial training, and a few of
the variants. The full study is one command (``perf/omni_ablation_mnist1d.md`` has its result)::

    naspred ablate omni --benchmark nb201-mnist1d --train-sizes 20,50,200 --fidelities 1,3,5 --trials 20
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
from naspred.evaluation.omni_ablation import run_ablation, summarise_rows

csv_path = Path(tempfile.mkdtemp()) / "omni_ablation.csv"  # rows are appended: re-running resumes
table, run = run_ablation(
    "nb201-mnist1d",
    train_sizes=[50],
    fidelities=[3],
    trials=2,
    test_size=100,
    variants=["omni", "omni_no_encoding", "omni_no_zero_cost", "omni_no_curve", "plain_lightgbm"],
    curves=["sotle"],
    learning_curve=False,
    csv_path=csv_path,
)
for label, reason in run.skipped:
    print("not run:", label, "-", reason)
summary = summarise_rows(table)
print(summary[["label", "train_size", "fidelity", "kendall_tau"]].to_string(index=False))

# %%
# Mean Kendall tau of each variant over the trials (``naspred ablate omni`` writes the same bars with
# confidence intervals and a Markdown report). Variants that read no learning curve are hatched.
summary = summary.sort_values("kendall_tau")
fig, ax = plt.subplots(figsize=(5, 3))
bars = ax.barh(summary["label"], summary["kendall_tau"], color="tab:orange")
for bar, fidelity in zip(bars, summary["fidelity"]):
    if fidelity == 0:
        bar.set_hatch("//")
ax.set_xlabel("Kendall tau, 50 training cells, 3 epochs")
fig.tight_layout()
plt.show()
