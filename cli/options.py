"""Options and output helpers shared by the ``naspred`` subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from naspred.errors import NaspredError

def print_table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    for row in (header, *rows):
        sys.stdout.write("  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip() + "\n")


def numbers(values: Sequence[str] | None, cast: Any) -> list[Any] | None:
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


def add_selectors(parser: argparse.ArgumentParser) -> None:
    """``--dataset`` and ``--space``: which block of a file that holds several datasets, tasks or spaces."""
    parser.add_argument("--dataset", help="dataset or task of a file that holds several (naspred or NASLib name: "
                        "cifar10, cifar100, imagenet16 / ImageNet16-120, class_scene, jigsaw, ...)")
    parser.add_argument("--space", help="search space, where the file does not say (naspred or NASLib name: "
                        "nb201 / nasbench201, nb101, darts / nasbench301, tnb101-micro / transbench101_micro, ...)")


def add_quiet(parser: argparse.ArgumentParser, default: Any = argparse.SUPPRESS) -> None:
    """``-q/--quiet``, before or after the subcommand: no progress bars (they also stay off when the output
    is not a terminal)."""
    parser.add_argument("-q", "--quiet", action="store_true", default=default,
                        help="no progress bars or progress lines (they are also off when output is not a terminal)")
