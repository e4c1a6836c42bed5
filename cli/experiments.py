"""``naspred evaluate``, ``report`` and ``ablate``: experiments, their reports and the OMNI ablation."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from naspred.cli.options import add_quiet, add_selectors, numbers
from naspred.errors import NaspredError

log = logging.getLogger("naspred")


def _folder_name(key: str) -> str:
    """A results folder name for a benchmark key: ``zc_x.json[dataset=jigsaw]`` -> ``zc_x.json-dataset=jigsaw``."""
    return key.replace("/", "_").replace("[", "-").replace("]", "").replace(",", "-")


def _runnable_defaults(spec: Any, runner: Any) -> Any:
    """``spec`` less the default predictors that cannot run on its benchmark (loaded once, into ``runner``)."""
    from naspred.evaluation import main_job

    benchmark, index = runner.benchmark(spec.benchmark_key, lambda: spec.load_benchmark(runner.data_home))
    spec, dropped = main_job.runnable(spec, benchmark, index)
    for label, reason in dropped:
        log.info("left out of the default comparison: %s: %s", label, reason)
    return spec


def _budgets(spec: Any) -> str:
    """The budgets of ``spec`` in words: ``"train sizes [20, 100]; query budgets 0.5, 2 s per architecture"``."""
    parts = []
    for field, what in (("train_sizes", "train sizes"), ("init_seconds", "init budgets (s)"),
                        ("fidelities", "fidelities (epochs)"), ("query_seconds", "query budgets (s per architecture)")):
        values = getattr(spec, field)
        if values:
            parts.append(f"{what} {', '.join(f'{v:g}' for v in values)}")
    return "; ".join(parts)


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from naspred.evaluation import main_job
    from naspred.evaluation.executors import make_executor
    from naspred.evaluation.experiment import run_experiment
    from naspred.evaluation.reports import write_report
    from naspred.evaluation.spec import ExperimentSpec, read_spec_file
    from naspred.evaluation.trial import TrialRunner

    given = {
        "benchmark": args.benchmark,
        "predictors": [p for p in args.predictors.split(",") if p] if args.predictors else None,
        "train_sizes": numbers(args.train_sizes, int),
        "init_seconds": numbers(args.init_seconds, float),
        "fidelities": numbers(args.fidelities, int),
        "query_seconds": numbers(args.query_seconds, float),
        "trials": args.trials, "test_size": args.test_size, "seed": args.seed, "split": args.split,
        "dataset": args.dataset, "space": args.space,
        "with_proxies": [p for p in args.with_proxies.split(",") if p] if args.with_proxies else None,
    }
    given = {k: v for k, v in given.items() if v is not None}
    default_job = not args.spec and not args.preset
    # the default comparison of the default predictors uses every core unless told otherwise; predictors named
    # (perhaps registered in this process only), a spec or a preset run serially unless told
    parallel = default_job and not args.predictors and args.address is None
    kind = args.executor or ("process" if parallel else "serial")
    executor = make_executor(kind, args.workers, args.address)
    runner = TrialRunner(args.data_home)
    if default_job:  # the default comparison, refined by the options given
        spec = main_job.default_spec(given)
        if "predictors" not in given:  # only the default predictors that can run on the benchmark
            spec = _runnable_defaults(spec, runner)
        if not args.quiet:
            refined = f", refined by {', '.join('--' + k.replace('_', '-') for k in given)}" if given else ""
            sys.stdout.write(f"naspred evaluate: the default comparison{refined}: {spec.benchmark_key}; predictors "
                             f"{', '.join(p.label for p in spec.predictors)}; {_budgets(spec)}; "
                             f"{spec.trials} trials of {spec.test_size} test architectures\n")
    else:
        data = read_spec_file(args.spec) if args.spec else {}
        if args.preset:
            data["preset"] = args.preset
        spec = ExperimentSpec.from_mapping({**data, **given})  # options > spec file > preset
    out = args.out or f"naspred-results/{_folder_name(spec.benchmark_key)}"
    bar: dict[str, Any] = {}

    def on_plan(plan: Any, n: int) -> None:
        for s in plan.skipped:
            sys.stdout.write(f"skipped {s.predictor}: {s.reason}\n")
        for note in plan.notes:
            sys.stdout.write(f"note: {note}\n")
        bar["bar"] = tqdm(total=n, unit="trial", desc="evaluate", dynamic_ncols=True, disable=True if args.quiet else None)
        bar["failed"] = 0

    def progress(row: dict[str, Any], done: int, total: int) -> None:
        if row["status"] != "ok":
            bar["failed"] += 1
            bar["bar"].write(f"failed: {row['predictor']} trial {row['trial']}: {row['error'][:200]}")
        bar["bar"].set_postfix_str(f"{row['predictor']}, failed {bar['failed']}", refresh=False)
        bar["bar"].update(1)

    try:
        outcome = run_experiment(spec, out, executor, data_home=args.data_home, runner=runner,
                                 retry_failed=args.retry_failed, progress=progress, on_plan=on_plan)
    finally:
        if "bar" in bar:
            bar["bar"].close()
    failed = len(outcome.failed)
    sys.stdout.write(f"{outcome.ran} trial(s) run, {outcome.resumed} already done, {failed} failed\n")
    sys.stdout.write(f"results: {outcome.out / 'results.parquet'} (and results.csv)\n")
    if not args.no_report:
        sys.stdout.write(f"report: {write_report(outcome.out)}\n")
    return 1 if failed else 0


def _cmd_report(args: argparse.Namespace) -> int:
    from naspred.evaluation.reports import write_report

    folders = args.folder[0] if len(args.folder) == 1 else args.folder
    sys.stdout.write(f"report: {write_report(folders, args.out)}\n")
    return 0


SPLIT_HELP = (
    "how each trial splits the architectures (default oracle, or the spec's split). oracle: each predictor draws "
    "its training architectures from an oracle that hides every canonical form of the test set. distinct, sampled "
    "and random fix the test and training rows of each trial and fit every predictor on the same ones (they need "
    "--train-sizes and no budgets in seconds): distinct draws rows of distinct canonical forms; sampled draws the "
    "test rows at random, the training rows among the forms no test row has; random draws the same test rows as "
    "sampled and the training rows from all the others, so test architectures may be isomorphs of training ones, "
    "as NASLib and the published NAS-Bench-201 encoders split. Results record the protocol: random for random, "
    "canonical for the others")


def add_evaluation_parsers(sub: Any) -> None:
    from naspred.evaluation import main_job

    ev = sub.add_parser(
        "evaluate", help="compare predictors under budgets (no arguments: the default comparison)",
        description=f"Compare predictors under budgets. Without --spec or --preset, the default comparison: one "
        f"predictor of each family and OMNI ({', '.join(main_job.PREDICTORS)}) on {main_job.BENCHMARK}, init budgets "
        f"of {', '.join(f'{v:g}' for v in main_job.INIT_SECONDS)} s and query budgets of "
        f"{', '.join(f'{v:g}' for v in main_job.QUERY_SECONDS)} s per architecture, {main_job.TRIALS} trials of "
        f"{main_job.TEST_SIZE} test architectures, and a map of the best predictor per budget; each option given "
        "replaces one of these defaults and keeps the others (a budget option replaces the default budgets of its "
        "axis; --benchmark alone keeps the default predictors that can run there, at train sizes "
        f"{', '.join(map(str, main_job.TRAIN_SIZES))}). With --spec or --preset, options replace the fields of the "
        "spec file or preset.")
    add_quiet(ev)
    ev.add_argument("--spec", help="experiment spec file (TOML or YAML); command-line options override it")
    ev.add_argument("--preset", help="a preset grid: naslib-nb201-train-size, naslib-nb201-fidelity, naslib-nb201-both")
    ev.add_argument("--benchmark", help=f"registered benchmark name or path of a benchmark file (default "
                    f"{main_job.BENCHMARK}; alone, it keeps the default predictors that can run on it)")
    add_selectors(ev)
    ev.add_argument("--with-proxies", help="comma-separated files of precomputed proxies (e.g. a proxy-only zen zip) "
                    "joined onto the benchmark by architecture")
    ev.add_argument("--predictors", help="comma-separated predictor names (default: the default comparison's that "
                    "can run on the benchmark; see `naspred predictors`)")
    ev.add_argument("--train-sizes", nargs="+", help="init budgets in architectures trained to completion (default "
                    f"{' '.join(map(str, main_job.TRAIN_SIZES))} on a benchmark other than {main_job.BENCHMARK}; "
                    "replaces the default init budgets)")
    ev.add_argument("--init-seconds", nargs="+", help="init budgets in seconds (simulated training + wall time; "
                    f"default {' '.join(f'{v:g}' for v in main_job.INIT_SECONDS)} on {main_job.BENCHMARK})")
    ev.add_argument("--fidelities", nargs="+", help="query budgets in epochs of partial training per architecture "
                    "(replaces the default query budgets)")
    ev.add_argument("--query-seconds", nargs="+", help="query budgets in seconds per queried architecture (default "
                    f"{' '.join(f'{v:g}' for v in main_job.QUERY_SECONDS)} on {main_job.BENCHMARK})")
    ev.add_argument("--trials", type=int, help=f"trials per budget cell (default {main_job.TRIALS}; with --spec or "
                    "--preset, the trials they set)")
    ev.add_argument("--test-size", type=int,
                    help=f"held-out test architectures per trial (default {main_job.TEST_SIZE})")
    ev.add_argument("--seed", type=int, help=f"experiment seed (default {main_job.SEED})")
    ev.add_argument("--split", metavar="{oracle,distinct,sampled,random}", help=SPLIT_HELP)
    ev.add_argument("--out", help="results folder (default naspred-results/BENCHMARK; re-run the same command to "
                    "resume)")
    ev.add_argument("--executor", choices=("serial", "process", "ray"),
                    help="how trials run (default: process, one worker per core, for the default comparison of the "
                    "default predictors; serial with --predictors, --spec or --preset)")
    ev.add_argument("--workers", type=int, help="worker processes or Ray actors")
    ev.add_argument("--address", help="Ray cluster address ('auto' joins the running cluster); none starts a local one")
    ev.add_argument("--retry-failed", action="store_true", help="run failed trials again when resuming")
    ev.add_argument("--no-report", action="store_true", help="do not write report.md and the plots")
    ev.add_argument("--data-home", help="data folder (default: $NASPRED_DATA, else ~/.cache/naspred)")
    ev.set_defaults(func=_cmd_evaluate)

    rep = sub.add_parser("report", help="write report.md and PNG plots of results folders")
    rep.add_argument("folder", nargs="+", help="results folder(s) written by `naspred evaluate` (several: "
                     "one report with the average rank across their benchmarks; folders of one benchmark are merged, "
                     "a trial found in two of them counted once)")
    rep.add_argument("--out", help="folder of the report (default: the results folder, when there is one)")
    rep.set_defaults(func=_cmd_report)


def _cmd_ablate(args: argparse.Namespace) -> int:
    import shlex
    import time

    from naspred.benchmarks import load
    from naspred.evaluation.omni_ablation import run_ablation, write_report

    selectors = [(k, v) for k, v in (("dataset", args.dataset), ("space", args.space)) if v is not None]
    key = args.benchmark + "".join(f"-{k}={v}" for k, v in selectors)
    out = args.out or f"naspred-results/omni-ablation-{key.replace('/', '_')}"
    start = time.perf_counter()
    benchmark = load(args.benchmark, data_home=args.data_home, dataset=args.dataset, space=args.space)
    table, run = run_ablation(
        benchmark, train_sizes=numbers(args.train_sizes, int), fidelities=numbers(args.fidelities, int),
        trials=args.trials, csv_path=f"{out}/omni_ablation.csv", test_size=args.test_size, seed=args.seed,
        pool=args.pool, curves=[c for c in args.curves.split(",") if c] if args.curves else None, proxy=args.proxy,
        variants=[v for v in args.variants.split(",") if v] if args.variants else None,
        trial_limits=_limits(args.limit_trials),
        learning_curve=not args.no_learning_curve, workers=args.workers, data_home=args.data_home,
    )
    for label, reason in run.skipped:
        sys.stdout.write(f"not run: {label}: {reason}\n")
    options = [("--benchmark", args.benchmark), *((f"--{k}", v) for k, v in selectors),
               ("--train-sizes", ",".join(map(str, run.train_sizes))),
               ("--fidelities", ",".join(map(str, run.fidelities))), ("--trials", run.trials),
               ("--test-size", run.test_size), ("--seed", run.seed), ("--pool", run.pool), ("--curves", args.curves),
               ("--proxy", run.proxy), ("--variants", args.variants), ("--limit-trials", args.limit_trials),
               ("--reference", args.reference),
               ("--workers", args.workers), ("--out", out)]
    command = "naspred ablate omni " + " ".join(f"{k} {shlex.quote(str(v))}" for k, v in options if v is not None)
    if args.no_learning_curve:
        command += " --no-learning-curve"
    md, png = write_report(table, run, f"{out}/omni_ablation", title=f"OMNI ablation on {run.benchmark.name}",
                           command=command, reference=args.reference, wall_seconds=time.perf_counter() - start)
    failed = int((table["status"] != "ok").sum())
    sys.stdout.write(f"{len(table)} rows ({failed} failed): {out}/omni_ablation.csv\nreport: {md}\nplot: {png}\n")
    return 0


def _limits(text: str | None) -> dict[str, int]:
    """``"lce=5,omni_seminas=3"`` -> ``{"lce": 5, "omni_seminas": 3}``."""
    out = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        name, _, count = item.partition("=")
        try:
            out[name.strip()] = int(count)
        except ValueError:
            raise NaspredError(f"--limit-trials expects NAME=TRIALS pairs, got {item!r}") from None
    return out


def add_ablate_parser(sub: Any) -> None:
    ab = sub.add_parser("ablate", help="ablation studies: `ablate omni` runs OMNI and its ablations on shared splits")
    add_quiet(ab)
    ab.add_argument("study", choices=("omni",))
    ab.add_argument("--benchmark", required=True, help="registered benchmark name or path of a benchmark file")
    add_selectors(ab)
    ab.add_argument("--train-sizes", nargs="+", default=["20,100,1000"], help="architectures trained to completion")
    ab.add_argument("--fidelities", nargs="+", required=True, help="epochs of partial training per architecture")
    ab.add_argument("--trials", type=int, default=20, help="trials (default 20)")
    ab.add_argument("--test-size", type=int, default=200, help="test architectures per trial (default 200)")
    ab.add_argument("--seed", type=int, default=0, help="seed of the splits (default 0)")
    ab.add_argument("--pool", choices=("all", "recorded"), default="all",
                    help="draw from every architecture with a target, or only those with the proxy recorded")
    ab.add_argument("--curves", help="learning-curve features, comma-separated (default: sotle,val_accuracy where "
                    "training losses are recorded, else val_accuracy)")
    ab.add_argument("--proxy", default="jacov", help="precomputed zero-cost proxy (default jacov)")
    ab.add_argument("--variants", help="OMNI variants and plain models to run, comma-separated (default: all)")
    ab.add_argument("--limit-trials", help="predictors run in the first trials only, e.g. lce=5,omni_seminas=5")
    ab.add_argument("--reference", help="predictor compared with every other in paired tests (default: the first)")
    ab.add_argument("--no-learning-curve", action="store_true", help="leave out the learning-curve predictors")
    ab.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    ab.add_argument("--out", help="output folder (re-run the same command to resume)")
    ab.add_argument("--data-home", help="data folder (default: $NASPRED_DATA, else ~/.cache/naspred)")
    ab.set_defaults(func=_cmd_ablate)
