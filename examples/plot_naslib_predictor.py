"""
Use a naspred predictor in NASLib code
======================================

NASLib's ``PredictorEvaluator`` drives a predictor through ``set_ss_type``, ``pre_process``,
``get_data_reqs``, ``pre_compute``, ``fit`` and ``query``. ``NASLibPredictor`` gives every naspred predictor
that interface, so in NASLib's runner the one line ``predictor = XGBoost(...)`` becomes
``predictor = NASLibPredictor("xgb")``. This script replays the evaluator's sequence on NASLib op-index tuples,
without NASLib installed, on the embedded ``nb201-analog-cifar10`` benchmark.

``NASLibEnsemble`` stands in for NASLib's ``Ensemble`` in BANANAS and NPENAS: its ``query`` returns one row
per member, with a real spread for the acquisition function.
"""

import matplotlib.pyplot as plt
import numpy as np
from naspred.adapters import NASLibEnsemble, NASLibPredictor
from naspred.benchmarks import load
from scipy.stats import kendalltau

bench = load("nb201-analog-cifar10")
rows = np.random.default_rng(0).choice(len(bench), 500, replace=False)
xtrain = [bench.space.to_tuple(bench.archs[i]) for i in rows[:200]]  # NASLib op-index tuples
xtest = [bench.space.to_tuple(bench.archs[i]) for i in rows[200:]]
ytrain, ytest = bench.y[rows[:200]], bench.y[rows[200:]]

predictor = NASLibPredictor("xgb", random_state=0)  # in place of NASLib's XGBoost(...)
predictor.set_ss_type("nasbench201")  # as NASLib's PredictorEvaluator does
predictor.pre_process()
print(predictor.get_data_reqs())  # NASLib's six keys
predictor.pre_compute(xtrain, xtest)
predictor.fit(xtrain, ytrain)
pred = predictor.query(xtest)
print(f"xgb: Kendall tau {kendalltau(pred, ytest).statistic:.3f} on {len(xtest)} test cells")

# %%
# The ensemble BANANAS builds with ``Ensemble(num_ensemble=3, predictor_type=..., ss_type=...)``: here a
# random forest, whose predictive distribution gives the spread of the three rows.
ensemble = NASLibEnsemble(num_ensemble=3, predictor_type="rf", ss_type="nasbench201")
ensemble.fit(xtrain, ytrain)
members = np.asarray(ensemble.query(xtest))
print("ensemble rows:", members.shape)
mean, spread = members.mean(axis=0), members.std(axis=0)

fig, axes = plt.subplots(1, 2, figsize=(8, 3.5))
axes[0].scatter(ytest, pred, s=6)
axes[0].set_xlabel("true accuracy (%)")
axes[0].set_ylabel("NASLibPredictor('xgb')")
axes[1].errorbar(ytest, mean, yerr=spread, fmt=".", ms=3, alpha=0.5)
axes[1].set_xlabel("true accuracy (%)")
axes[1].set_ylabel("NASLibEnsemble('rf'): mean ± std")
fig.tight_layout()
plt.show()
