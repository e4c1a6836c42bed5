"""A Markdown summary and PNG plots of a results folder (``naspred report DIR``).

Figures, after White et al. (NeurIPS 2021, "How Powerful are Performance Predictors in Neural
Architecture Search?"): Kendall tau against the initialization budget per predictor with bootstrap
confidence bands; the best predictor in each cell of the init × query budget grid; the OMNI ablation
bars; Kendall tau against wall time (the Pareto view). Plots use matplotlib's object API with the Agg
canvas, so no display and no global pyplot state are involved. The sweep's report is in
:mod:`~naspred.evaluation.reports.sweep`, the OMNI ablation's in :mod:`~naspred.evaluation.reports.omni`, what
they share in :mod:`~naspred.evaluation.reports.format`.

A predictor that spends nothing on a budget axis (``unlimited``: it trains nothing during
initialization, or its query cost is fixed by its own parameters) gets the same result in every cell
of that axis; the grid, the ranks and the plots repeat its row across the budgets of the other
predictors.
"""

from naspred.evaluation.reports.omni import (
    omni_markdown,
    omni_paired_tests,
    omni_summary,
    plot_omni_ablation,
    write_omni_report,
)
from naspred.evaluation.reports.sweep import (
    REPORT,
    broadcast,
    budget_label,
    pareto_front,
    plot_grid_best,
    plot_tau_vs_init,
    plot_tau_vs_wall,
    write_report,
)

__all__ = [
    "REPORT", "broadcast", "budget_label", "omni_markdown", "omni_paired_tests", "omni_summary", "pareto_front",
    "plot_grid_best", "plot_omni_ablation", "plot_tau_vs_init", "plot_tau_vs_wall", "write_omni_report",
    "write_report",
]
