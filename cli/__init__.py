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
import logging
import sys
from collections.abc import Sequence

from naspred.cli.experiments import add_ablate_parser, add_evaluation_parsers
from naspred.cli.inspection import add_proxies_parser, cmd_benchmark, cmd_data, cmd_predictors
from naspred.cli.options import add_quiet, add_selectors
from naspred.errors import NaspredError

#: loggers whose INFO lines report the steps of long work (downloads, the OMNI ablation's cells, live training)
PROGRESS_LOGGERS = ("naspred.benchmarks.datahome", "naspred.evaluation.omni_ablation", "naspred.live")

#: the command's description in ``naspred --help`` (plain text: argparse shows it as written)
DESCRIPTION = "naspred: evaluate and serve performance predictors for neural architecture search."


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``naspred`` command."""
    from naspred import __version__

    parser = argparse.ArgumentParser(prog="naspred", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"naspred {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    add_quiet(parser, default=False)
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="the data home: list, download and verify benchmark files")
    add_quiet(data)
    data.add_argument("action", choices=("list", "download", "verify"))
    data.add_argument("name", nargs="?", help="artifact name (see `naspred data list`)")
    data.add_argument("--data-home", help="data folder (default: $NASPRED_DATA, else ~/.cache/naspred)")
    data.set_defaults(func=cmd_data)

    bench = sub.add_parser("benchmark", help="inspect benchmarks")
    bench.add_argument("action", choices=("list", "info"))
    bench.add_argument("target", nargs="?", help="registered name or path of a benchmark file")
    bench.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_selectors(bench)
    bench.add_argument("--data-home", help="data folder (default: $NASPRED_DATA, else ~/.cache/naspred)")
    bench.add_argument("--no-cache", action="store_true", help="read the source files, not the parquet cache")
    bench.set_defaults(func=cmd_benchmark)

    pred = sub.add_parser("predictors", help="list the registered predictors: family, what they need, uncertainty")
    pred.add_argument("--family", help="only this family (model-based, learning-curve, zero-cost, hybrid)")
    pred.add_argument("--json", action="store_true", help="print the full descriptions as JSON")
    pred.set_defaults(func=cmd_predictors)

    add_proxies_parser(sub)

    add_evaluation_parsers(sub)
    add_ablate_parser(sub)
    return parser


def unrecognised(parser: argparse.ArgumentParser, command: str | None, unknown: Sequence[str]) -> str:
    """argparse's message for ``unknown`` arguments, naming the closest option of ``command`` for a mistyped one."""
    import difflib

    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    own = subparsers.choices.get(command, parser)
    options = [s for p in (own, parser) for a in p._actions for s in a.option_strings]
    hints = []
    for arg in unknown:
        name = arg.split("=", 1)[0]
        close = difflib.get_close_matches(name, options, n=1) if name.startswith("-") else []
        if close:
            hints.append(f"{name}: did you mean {close[0]}?")
    return f"unrecognized arguments: {' '.join(unknown)}" + (f" ({'; '.join(hints)})" if hints else "")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``naspred`` console script."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        parser.error(unrecognised(parser, args.command, unknown))
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
