"""
Use a naspred predictor in Archai
=================================

Archai's multi-objective BANANAS on NAS-Bench-201 with a naspred surrogate. Archai's ``MoBananasSearch``
(Izquierdo et al., 2021) searches NAS-Bench-201 cells for the trade-off between CIFAR-10 validation accuracy
after 200 epochs (maximised; estimated by the surrogate before a cell is evaluated) and a HW-NAS-Bench
hardware cost (minimised; a table look-up), with naspred's BANANAS ensemble (White et al., AAAI 2021) as
surrogate. Ground truth comes from naspred's ``nb201-cifar10`` benchmark (files in the data home)::

    pip install -e ".[archai]"
    NASPRED_DATA=../shared/data python examples/archai_mobananas.py --out archai-nb201

The Pareto front of the evaluated cells goes to ``<out>/pareto_front.csv``, with a column saying whether
each cell is also on the Pareto front of all 15,625 cells; Archai writes its per-iteration search state,
plots and log (``archai.log``) beside it.
"""

from __future__ import annotations

import argparse
import inspect
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
from archai.discrete_search.algos import MoBananasSearch
from naspred.adapters.archai import ArchaiPredictor, NB201SearchSpace, nb201_objectives
from naspred.benchmarks import load
from naspred.evaluation.executors import limit_threads
from naspred.predictors import predictor_class

logger = logging.getLogger("archai_mobananas")


def true_front(maximised: np.ndarray, minimised: np.ndarray) -> np.ndarray:
    """Whether each point is non-dominated (no other point at least as good on both, better on one)."""
    order = np.lexsort((-maximised, minimised))  # cheapest first, the better first among equal costs
    on_front = np.zeros(len(order), dtype=bool)
    best, cost_of_best = -np.inf, np.nan
    for i in order:
        if maximised[i] > best:
            best, cost_of_best = maximised[i], minimised[i]
            on_front[i] = True
        elif maximised[i] == best and minimised[i] == cost_of_best:
            on_front[i] = True  # a tie with a front point dominates nothing
    return on_front


def log_archai_into(folder: Path) -> None:
    """Archai's loggers write ``archai.log`` in the working directory of the import; write it in ``folder``."""
    target = str((folder / "archai.log").resolve())
    for name, item in logging.Logger.manager.loggerDict.items():
        if name.startswith("archai") and isinstance(item, logging.Logger):
            for handler in item.handlers:
                if isinstance(handler, logging.FileHandler):
                    handler.close()
                    handler.baseFilename = target


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--out", default="archai-nb201", help="output folder (created)")
    parser.add_argument("--data-home", default=None, help="naspred data home (default: $NASPRED_DATA)")
    parser.add_argument("--dataset", default="cifar10", choices=["cifar10", "cifar100", "imagenet16"])
    parser.add_argument("--hardware", default="edgegpu_latency", help="HW-NAS-Bench cost column to minimise")
    parser.add_argument("--predictor", default="bananas", help="naspred predictor used as surrogate")
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--initial", type=int, default=20, help="cells drawn at random and evaluated first")
    parser.add_argument("--parents", type=int, default=10)
    parser.add_argument("--mutations", type=int, default=5, help="mutations per parent")
    parser.add_argument("--candidates", type=int, default=10, help="cells evaluated per iteration")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads", type=int, default=1, help="threads of torch and BLAS (the surrogate's small MLPs run fastest on one)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    limit_threads(args.threads)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log_archai_into(out)
    bench = load(f"nb201-{args.dataset}", data_home=args.data_home)
    space = NB201SearchSpace(seed=args.seed)
    objectives = nb201_objectives(bench, args.hardware, space)
    params = {"random_state": args.seed} if "random_state" in _params(args.predictor) else {}
    surrogate = ArchaiPredictor(args.predictor, space, **params)
    search = MoBananasSearch(
        space,
        objectives,
        str(out),
        surrogate_model=surrogate,
        num_iters=args.iterations,
        init_num_models=args.initial,
        num_parents=args.parents,
        mutations_per_parent=args.mutations,
        num_candidates=args.candidates,
        seed=args.seed,
    )
    start = time.perf_counter()
    results = search.search()
    seconds = time.perf_counter() - start

    target = bench.target
    front = results.get_pareto_frontier()
    table = pd.DataFrame(
        {
            "arch": [m.archid for m in front["models"]],
            target: front["evaluation_results"][target],
            args.hardware: front["evaluation_results"][args.hardware],
            "iteration": front["iteration_nums"],
        }
    ).sort_values(args.hardware, ignore_index=True)
    everywhere = true_front(bench.table[target].to_numpy(), bench.table[args.hardware].to_numpy())
    rows = bench.index_of([bench.space.parse(a) for a in table["arch"]])
    table["on_true_front"] = everywhere[rows]
    path = out / "pareto_front.csv"
    table.to_csv(path, index=False)

    evaluated = sum(len(it["archid"]) for it in results.results)
    logger.info(
        "%d cells evaluated in %d iterations (%.1f s of search); %d on the found front, %d of them on the true "
        "front of all %d cells (%d cells); best %s found %.2f, best in the benchmark %.2f",
        evaluated, results.iteration_num, seconds, len(table), int(table["on_true_front"].sum()), len(bench),
        int(everywhere.sum()), target, table[target].max(), bench.table[target].max(),
    )
    logger.info("Pareto front written to %s", path.resolve())
    return path


def _params(name: str) -> set[str]:
    return set(inspect.signature(predictor_class(name)).parameters)


if __name__ == "__main__":
    main()
