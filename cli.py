"""The ``naspred`` command.

    naspred data list | download NAME | verify [NAME]
    naspred benchmark list
    naspred benchmark info NAME_OR_PATH [--json]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from naspred.errors import NaspredError

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
    bench = registry.load(args.target, data_home=args.data_home, cache=not args.no_cache)
    info = bench.info()
    if args.json:
        sys.stdout.write(json.dumps(info, indent=2) + "\n")
        return 0
    for key, value in info.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} ({v['epochs']} epochs recorded, last {v['last_epoch']})" for k, v in value.items()) or "none"
        elif isinstance(value, list):
            value = ", ".join(map(str, value)) or "none"
        sys.stdout.write(f"{key:24s}{value}\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``naspred`` command."""
    parser = argparse.ArgumentParser(prog="naspred", description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="the data home: list, download and verify benchmark files")
    data.add_argument("action", choices=("list", "download", "verify"))
    data.add_argument("name", nargs="?", help="artifact name (see `naspred data list`)")
    data.add_argument("--data-home", help="data folder (default: $NASPRED_DATA, else ~/.cache/naspred)")
    data.set_defaults(func=_cmd_data)

    bench = sub.add_parser("benchmark", help="inspect benchmarks")
    bench.add_argument("action", choices=("list", "info"))
    bench.add_argument("target", nargs="?", help="registered name or path of a benchmark file")
    bench.add_argument("--json", action="store_true", help="print the summary as JSON")
    bench.add_argument("--data-home", help="data folder (default: $NASPRED_DATA, else ~/.cache/naspred)")
    bench.add_argument("--no-cache", action="store_true", help="read the source files, not the parquet cache")
    bench.set_defaults(func=_cmd_benchmark)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``naspred`` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
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
