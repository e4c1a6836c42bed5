"""``naspred data``, ``benchmark``, ``predictors`` and ``proxies``: the data home, benchmarks, predictors and
zero-cost proxies."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from naspred.cli.options import add_quiet, add_selectors, print_table
from naspred.errors import NaspredError, NoTargetError


def cmd_data(args: argparse.Namespace) -> int:
    from naspred.benchmarks import datahome

    home = datahome.data_home(args.data_home)
    if args.action == "list":
        rows = []
        for art in datahome.artifacts():
            path = home / art.path
            rows.append((art.name, "present" if path.exists() else "missing", art.path, art.description))
        sys.stdout.write(f"data home: {home}\n")
        print_table(rows, ("name", "status", "path", "description"))
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
    print_table([(r.name, r.status, r.path) for r in results], ("name", "status", "path"))
    return 1 if any(r.status == "mismatch" for r in results) else 0


def cmd_benchmark(args: argparse.Namespace) -> int:
    from naspred.benchmarks import registry

    if args.action == "list":
        print_table([(n, registry.entry(n).description) for n in registry.names()], ("name", "description"))
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


def cmd_predictors(args: argparse.Namespace) -> int:
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
    print_table([(r["name"], r["family"], _requirement_text(r["requirements"]), "yes" if r["uncertainty"] else "no",
                   r["summary"]) for r in rows], ("name", "family", "needs", "std", "summary"))
    return 0


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


def add_proxies_parser(sub: Any) -> None:
    from naspred.featurizers.zerocost.proxies import names as proxy_names

    proxies = sub.add_parser("proxies", help="compute zero-cost proxies on the networks of a benchmark's architectures")
    add_quiet(proxies)
    proxies.add_argument("target", help="registered name or path of a benchmark file")
    add_selectors(proxies)
    proxies.add_argument("--proxies", default="synflow", help="comma-separated proxies (default synflow): "
                         f"{', '.join(proxy_names())}")
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
