"""Budgets, oracles, experiments, metrics, reports and executors.

- :mod:`~naspred.evaluation.spec`: what to run (benchmark, predictors, init and query budgets, trials), presets.
- :mod:`~naspred.evaluation.plan`: the spec checked against its benchmark and expanded into trials.
- :mod:`~naspred.evaluation.splits`: trial seeds and held-out test sets, disjoint by canonical form.
- :mod:`~naspred.evaluation.trial`: one trial through the simulated oracle, scored.
- :mod:`~naspred.evaluation.metrics`: Kendall tau-b, Spearman, Pearson, MAE, RMSE, precision@k, top-k tau,
  bootstrap intervals, average ranks, paired tests.
- :mod:`~naspred.evaluation.results`: the results folder (one file per trial, the tidy table).
- :mod:`~naspred.evaluation.executors`: serial, local processes, Ray.
- :mod:`~naspred.evaluation.experiment`: ``run_experiment``, what ``naspred evaluate`` calls.
- :mod:`~naspred.evaluation.reports`: Markdown summary and PNG plots.
- :mod:`~naspred.evaluation.main_job`: the default comparison of ``naspred evaluate``.
"""
