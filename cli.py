"""The ``naspred`` command.

Usage::

    naspred data list | download NAME | verify [NAME]
    naspred benchmark list
    naspred benchmark info NAME_OR_PATH [--json]
    naspred predictors [--family F] [--json]
    naspred proxies NAME_OR_PATH [--dataset D] [--space S] [--proxies synflow,jacov] [--archs N] [--out FILE]
                    [--input-shape C,H,W] [--num-classes N] [--threads N] [--data PATH]
    naspred evaluate [--benchmark B --predictors a,b --train-sizes ... | --spec FILE] [--out DIR]
    naspred report DIR [DIR ...] [--out DIR]
    naspred ablate omni --benchmark B [--train-sizes ...] [--fidelities ...] [--trials N] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from naspred.errors import NaspredError, NoTargetError

log = logging.getLogger("naspred")


def _print_table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    for row in (header, *rows):
        sys.stdout.write("  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip() + "\n")


def _cmd_data(args: argparse.Namespace) -> int:
    from naspred.benchmarks import datahome

    home = datahome.data_home(args.data_home)
    if args.action == "list":
        rows = []
        for art in datahome.ARTIFACTS.values():
            path = home / art.path
            rows.append((art.name, "present" if path.exists() else "missing", art.path, art.description))
        sys.stdout.write(f"data home: {home}\n")
        _print_table(rows, ("name", "status", "path", "description"))
        return 0
    if args.action == "download":
        if not args.name:
            raise NaspredError("naspred data download needs an artifact name; see `naspred data list`")
        if not args.quiet:
            art = datahome.artifact(args.name)
            sys.stderr.write(f"downloading {art.name} ({len(art.files)} file(s)) into {home / art.path}: "
                             f"{', '.join(art.urls) or art.manual}\n")
        path = datahome.download(args.name, data_home=args.data_home)
        sys.stdout.write(f"{args.name}: {path}\n")
        return 0
    results = datahome.verify(args.name, data_home=args.data_home)
    _print_table([(r.name, r.status, r.path) for r in results], ("name", "status", "path"))
    return 1 if any(r.status == "mismatch" for r in results) else 0


def _cmd_benchmark(args: argparse.Namespace) -> int:
    from naspred.benchmarks import registry

    if args.action == "list":
        _print_table([(n, registry.entry(n).description) for n in registry.names()], ("name", "description"))
        return 0
    if not args.target:
        raise NaspredError("naspred benchmark info needs a benchmark name or a path; see `naspred benchmark list`")
    try:
        bench = registry.load(args.target, data_home=args.data_home, cache=not args.no_cache, dataset=args.dataset,
                              space=args.space)
    except NoTargetError:  # a file of proxies only: summarise it as the proxy table it is
        bench = registry.load_proxies(args.target, dataset=args.dataset, space=args.space)
    info = bench.info()
    if args.json:
        sys.stdout.write(json.dumps(info, indent=2) + "\n")
        return 0
    for key, value in info.items():
        if isinstance(value, dict):  # curves: one per line
            lines = [f"{k} ({v['epochs']} epochs recorded, last {v['last_epoch']})" for k, v in value.items()]
        elif key == "notes":  # sentences that hold commas themselves: one per line
            lines = [str(v) for v in value]
        elif isinstance(value, list):
            lines = [", ".join(map(str, value))] if value else []
        else:
            lines = [str(value)]
        for i, line in enumerate(lines or ["none"]):
            sys.stdout.write(f"{key if i == 0 else '':24s}{line}\n")
    return 0


def _requirement_text(req: dict[str, Any]) -> str:
    """What a predictor needs, in words: ``labelled + path``, ``train_loss@12``, ``proxy synflow``; ``curve@10`` is a
    learning curve whose metric follows the benchmark (its target's, or the validation metric it records)."""
    parts = []
    if req["labelled"]:
        parts.append("labelled")
    parts += req["featurizers"]
    if req["fidelity"] is not None:
        parts.append((",".join(req["curve_metrics"]) or "curve") + f"@{req['fidelity']}")
    parts += [f"proxy {p}" for p in req["proxies"]]
    if req["unlabelled"]:
        parts.append(f"{req['unlabelled']} unlabelled")
    return " + ".join(parts) or "nothing"


def _cmd_predictors(args: argparse.Namespace) -> int:
    from naspred.predictors import registry

    rows = registry.describe()
    families = sorted({r["family"] for r in rows})
    if args.family:
        if args.family not in families:
            raise NaspredError(f"unknown predictor family {args.family!r}; expected one of {', '.join(families)}")
        rows = [r for r in rows if r["family"] == args.family]
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return 0
    _print_table([(r["name"], r["family"], _requirement_text(r["requirements"]), "yes" if r["uncertainty"] else "no",
                   r["summary"]) for r in rows], ("name", "family", "needs", "std", "summary"))
    return 0


def _numbers(values: Sequence[str] | None, cast: Any) -> list[Any] | None:
    """``["5,8", "14"]`` -> ``[5, 8, 14]`` (lists given with commas, spaces, or both)."""
    if values is None:
        return None
    out = []
    for text in values:
        for item in text.replace(",", " ").split():
            try:
                out.append(cast(item))
            except ValueError:
                raise NaspredError(f"expected a list of numbers, got {item!r}") from None
    return out


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
        "train_sizes": _numbers(args.train_sizes, int),
        "init_seconds": _numbers(args.init_seconds, float),
        "fidelities": _numbers(args.fidelities, int),
        "query_seconds": _numbers(args.query_seconds, float),
        "trials": args.trials, "test_size": args.test_size, "seed": args.seed,
        "dataset": args.dataset, "space": args.space,
        "with_proxies": [p for p in args.with_proxies.split(",") if p] if args.with_proxies else None,
    }
    given = {k: v for k, v in given.items() if v is not None}
    executor = make_executor(args.executor, args.workers, args.address)
    runner = TrialRunner(args.data_home)
    if not args.spec and not args.preset:  # the default comparison, refined by the options given
        spec = main_job.default_spec(given)
        if "predictors" not in given:  # only the default predictors that can run on the benchmark
            spec = _runnable_defaults(spec, runner)
        if not args.quiet:
            refined = f", refined by {', '.join('--' + k.replace('_', '-') for k in given)}" if given else ""
            sys.stdout.write(f"naspred evaluate: the default comparison{refined}: {spec.benchmark_key}; predictors "
                             f"{', '.join(p.label for p in spec.predictors)}; train sizes {list(spec.train_sizes)}; "
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


def _add_evaluation_parsers(sub: Any) -> None:
    from naspred.evaluation import main_job

    ev = sub.add_parser(
        "evaluate", help="compare predictors under budgets (no arguments: the default comparison)",
        description=f"Compare predictors under budgets. Without --spec or --preset, the default comparison: "
        f"predictors {', '.join(main_job.PREDICTORS)} (those that can run on the benchmark) on "
        f"{main_job.BENCHMARK}, train sizes {', '.join(map(str, main_job.TRAIN_SIZES))}, {main_job.TRIALS} trials "
        f"of {main_job.TEST_SIZE} test architectures; each option given replaces one of these defaults and keeps "
        "the others. With --spec or --preset, options replace the fields of the spec file or preset.")
    _add_quiet(ev)
    ev.add_argument("--spec", help="experiment spec file (TOML or YAML); command-line options override it")
    ev.add_argument("--preset", help="a preset grid: naslib-nb201-train-size, naslib-nb201-fidelity, naslib-nb201-both")
    ev.add_argument("--benchmark", help=f"registered benchmark name or path of a benchmark file (default "
                    f"{main_job.BENCHMARK}; alone, it keeps the default predictors that can run on it)")
    _add_selectors(ev)
    ev.add_argument("--with-proxies", help="comma-separated files of precomputed proxies (e.g. a proxy-only zen zip) "
                    "joined onto the benchmark by architecture")
    ev.add_argument("--predictors", help="comma-separated predictor names (default: the default comparison's that "
                    "can run on the benchmark; see `naspred predictors`)")
    ev.add_argument("--train-sizes", nargs="+", help="init budgets in architectures trained to completion (default "
                    f"{' '.join(map(str, main_job.TRAIN_SIZES))})")
    ev.add_argument("--init-seconds", nargs="+", help="init budgets in seconds (simulated training + wall time)")
    ev.add_argument("--fidelities", nargs="+", help="query budgets in epochs of partial training per architecture")
    ev.add_argument("--query-seconds", nargs="+", help="query budgets in seconds per queried architecture")
    ev.add_argument("--trials", type=int, help=f"trials per budget cell (default {main_job.TRIALS}; with --spec or "
                    "--preset, the trials they set)")
    ev.add_argument("--test-size", type=int,
                    help=f"held-out test architectures per trial (default {main_job.TEST_SIZE})")
    ev.add_argument("--seed", type=int, help=f"experiment seed (default {main_job.SEED})")
    ev.add_argument("--out", help="results folder (default naspred-results/BENCHMARK; re-run the same command to "
                    "resume)")
    ev.add_argument("--executor", choices=("serial", "process", "ray"), default="serial")
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


def _add_selectors(parser: argparse.ArgumentParser) -> None:
    """``--dataset`` and ``--space``: which block of a file that holds several datasets, tasks or spaces."""
    parser.add_argument("--dataset", help="dataset or task of a file that holds several (naspred or NASLib name: "
                        "cifar10, cifar100, imagenet16 / ImageNet16-120, class_scene, jigsaw, ...)")
    parser.add_argument("--space", help="search space, where the file does not say (naspred or NASLib name: "
                        "nb201 / nasbench201, nb101, darts / nasbench301, tnb101-micro / transbench101_micro, ...)")


def _input_shape(text: str | None) -> tuple[int, ...] | None:
    """``"3,32,32"`` -> ``(3, 32, 32)``; any other form is an error that shows the expected one."""
    if text is None:
        return None
    parts = text.replace(" ", "").split(",")
    if len(parts) != 3 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise NaspredError(
            f"--input-shape expects C,H,W: three positive integers separated by commas, e.g. 3,32,32; got {text!r}"
        )
    return tuple(int(p) for p in parts)


def _cmd_proxies(args: argparse.Namespace) -> int:
    import torch
    from tqdm import tqdm

    from naspred.benchmarks import load
    from naspred.benchmarks.registry import load_proxies
    from naspred.errors import NoTargetError
    from naspred.featurizers.zerocost.compute import ProxyComputer, benchmark_items, missing_summary
    from naspred.featurizers.zerocost.proxies import parse_names
    from naspred.featurizers.zerocost.proxy_file import output_kind, write_proxies

    names = parse_names(args.proxies)  # a mistyped name fails before the benchmark loads
    shape = _input_shape(args.input_shape)
    for option, value in (("--threads", args.threads), ("--num-classes", args.num_classes), ("--archs", args.archs)):
        if value is not None and value < 1:
            raise NaspredError(f"{option} expects a positive integer, got {value}")
    if args.out:
        output_kind(args.out)
    try:
        bench = load(args.target, data_home=args.data_home, dataset=args.dataset, space=args.space)
    except NoTargetError:  # a file of proxies only: its architectures are all this command needs
        bench = load_proxies(args.target, dataset=args.dataset, space=args.space)
    threads = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    try:
        computer = ProxyComputer(names, dataset=bench.dataset, data=args.data, seed=args.seed, device=args.device,
                                 input_shape=shape, num_classes=args.num_classes)
        items = benchmark_items(bench, args.archs, args.seed)
        run = {"benchmark": bench.name, "space": bench.space.name}
        with tqdm(total=len(items), unit="arch", desc="proxies", file=sys.stderr, dynamic_ncols=True,
                  disable=True if args.quiet else None) as bar:
            outcome = write_proxies(computer, items, args.out or sys.stdout, run=run,
                                    progress=lambda key, computed: bar.update(1))
    finally:
        torch.set_num_threads(threads)
    if args.out:
        sys.stdout.write(f"{outcome.computed} architecture(s) computed, {outcome.resumed} already in the file: "
                         f"{args.out} ({len(outcome.table)} rows)\n")
    for line in missing_summary(outcome.table):
        sys.stderr.write(line + "\n")
    return 0


def _add_proxies_parser(sub: Any) -> None:
    proxies = sub.add_parser("proxies", help="compute zero-cost proxies on the networks of a benchmark's architectures")
    _add_quiet(proxies)
    proxies.add_argument("target", help="registered name or path of a benchmark file")
    _add_selectors(proxies)
    proxies.add_argument("--proxies", default="synflow", help="comma-separated proxies (default synflow): synflow, "
                         "synflow_raw, params, flops, jacov, nwot, snip, grasp, fisher, grad_norm")
    proxies.add_argument("--archs", type=int, help="a random sample of this many architectures (default: all); "
                         "samples of one seed are nested, so a larger sample resumes a smaller one")
    proxies.add_argument("--seed", type=int, default=0, help="seed of the sample, the weights and the batch draw")
    proxies.add_argument("--out", help="output .csv or .parquet, written row by row; run the same command again to "
                         "resume it (default: CSV on standard output)")
    proxies.add_argument("--input-shape", help="shape of one input, C,H,W (default: the dataset's, e.g. 3,32,32 on "
                         "CIFAR-10, 3,16,16 on ImageNet16-120, 3,256,256 on TransNAS-Bench-101 tasks)")
    proxies.add_argument("--num-classes", type=int, help="outputs of the network (default: the dataset's)")
    proxies.add_argument("--threads", type=int, default=1, help="torch threads (default 1: on a machine shared with "
                         "other processes, 2 threads ran synflow and jacov 6-12x slower per cell than 1, "
                         "perf/zerocost.md)")
    proxies.add_argument("--data", help="a .pt/.npz batch of the benchmark's dataset for data-dependent proxies")
    proxies.add_argument("--device", default="cpu", help="torch device (default cpu)")
    proxies.add_argument("--data-home", help="data folder (default: $NASPRED_DATA, else ~/.cache/naspred)")
    proxies.set_defaults(func=_cmd_proxies)


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
        benchmark, train_sizes=_numbers(args.train_sizes, int), fidelities=_numbers(args.fidelities, int),
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


def _add_ablate_parser(sub: Any) -> None:
    ab = sub.add_parser("ablate", help="ablation studies: `ablate omni` runs OMNI and its ablations on shared splits")
    _add_quiet(ab)
    ab.add_argument("study", choices=("omni",))
    ab.add_argument("--benchmark", required=True, help="registered benchmark name or path of a benchmark file")
    _add_selectors(ab)
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


#: loggers whose INFO lines report the steps of long work (downloads, the OMNI ablation's cells, live training)
PROGRESS_LOGGERS = ("naspred.benchmarks.datahome", "naspred.evaluation.omni_ablation", "naspred.live")

#: the command's description in ``naspred --help`` (plain text: argparse shows it as written)
DESCRIPTION = "naspred: evaluate and serve performance predictors for neural architecture search."


def _add_quiet(parser: argparse.ArgumentParser, default: Any = argparse.SUPPRESS) -> None:
    """``-q/--quiet``, before or after the subcommand: no progress bars (they also stay off when the output
    is not a terminal)."""
    parser.add_argument("-q", "--quiet", action="store_true", default=default,
                        help="no progress bars or progress lines (they are also off when output is not a terminal)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``naspred`` command."""
    from naspred import __version__

    parser = argparse.ArgumentParser(prog="naspred", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"naspred {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    _add_quiet(parser, default=False)
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="the data home: list, download and verify benchmark files")
    _add_quiet(data)
    data.add_argument("action", choices=("list", "download", "verify"))
    data.add_argument("name", nargs="?", help="artifact name (see `naspred data list`)")
    data.add_argument("--data-home", help="data folder (default: $NASPRED_DATA, else ~/.cache/naspred)")
    data.set_defaults(func=_cmd_data)

    bench = sub.add_parser("benchmark", help="inspect benchmarks")
    bench.add_argument("action", choices=("list", "info"))
    bench.add_argument("target", nargs="?", help="registered name or path of a benchmark file")
    bench.add_argument("--json", action="store_true", help="print the summary as JSON")
    _add_selectors(bench)
    bench.add_argument("--data-home", help="data folder (default: $NASPRED_DATA, else ~/.cache/naspred)")
    bench.add_argument("--no-cache", action="store_true", help="read the source files, not the parquet cache")
    bench.set_defaults(func=_cmd_benchmark)

    pred = sub.add_parser("predictors", help="list the registered predictors: family, what they need, uncertainty")
    pred.add_argument("--family", help="only this family (model-based, learning-curve, zero-cost, hybrid)")
    pred.add_argument("--json", action="store_true", help="print the full descriptions as JSON")
    pred.set_defaults(func=_cmd_predictors)

    _add_proxies_parser(sub)

    _add_evaluation_parsers(sub)
    _add_ablate_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``naspred`` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not args.verbose and not args.quiet and sys.stderr.isatty():
        for name in PROGRESS_LOGGERS:  # long work reports its steps in a terminal (-q silences them)
            logging.getLogger(name).setLevel(logging.INFO)
    try:
        return int(args.func(args) or 0)
    except NaspredError as err:
        sys.stderr.write(f"naspred: error: {err}\n")
        return 2
    except BrokenPipeError:  # output piped into a reader that stopped early (`| head`)
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
