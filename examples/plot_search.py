"""
Search with a predictor
=======================

``naspred.search.run_search`` runs a NAS strategy on a benchmark through a simulated oracle until a
``SearchBudget`` stops it. BANANAS (White et al., AAAI 2021) fits a predictor on the cells trained so far and
trains the candidates it ranks best; random search trains cells drawn at random. Same seeds, same first
cells: the curves below differ only by what the predictor chose.
"""

import matplotlib.pyplot as plt
import numpy as np
from naspred import benchmarks
from naspred.search import SearchBudget, run_search

bench = benchmarks.load("nb201-analog-cifar10")
budget = SearchBudget(evaluations=60)
seeds = range(3)
runs = {
    "random": [run_search("random", bench, budget, seed=s) for s in seeds],
    "evolution": [run_search("evolution", bench, budget, seed=s) for s in seeds],
    "bananas (xgb)": [run_search("bananas", bench, budget, seed=s, predictor="xgb") for s in seeds],
}
for name, results in runs.items():
    best = [r.best_value for r in results]
    print(f"{name}: best accuracy {np.mean(best):.2f} (seeds {', '.join(f'{b:.2f}' for b in best)})")
print("best in the benchmark:", bench.y.max())

# %%
# Best accuracy found against the number of cells trained, mean over seeds. ``result.history`` has one
# row per trained cell (the observed target, the best so far, simulated and wall seconds).
fig, ax = plt.subplots(figsize=(5, 3.5))
for name, results in runs.items():
    best = np.mean([r.history["best"].to_numpy() for r in results], axis=0)
    ax.plot(np.arange(1, len(best) + 1), best, label=name)
ax.axhline(bench.y.max(), color="grey", ls=":", label="best cell")
ax.set_xlabel("cells trained")
ax.set_ylabel("best accuracy found (%)")
ax.legend()
fig.tight_layout()
plt.show()
