"""Build a learning-curve benchmark by training cells for real, resumably, one run per (cell, seed).

Each run trains one cell with ``train_fn(arch, epochs)`` through a
:class:`~naspred.oracles.live.LiveOracle` (which checks the returned curves and measures the wall
time), computes its zero-cost proxies, and appends one JSON line to the results file, flushed to disk
before the next run starts. A run that raises, or returns NaN or curves of the wrong length, is recorded as
a failed line with its error; it never enters the benchmark table. Running again over the same results file
skips every (cell, seed) already recorded, done or failed, and retrains nothing; a last line cut short by an
interruption is dropped and that run is done again.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naspred.errors import DataFileError, InvalidInputError, TrainingError
from naspred.featurizers.zerocost.result import ProxyResult
from naspred.oracles.live import LiveOracle, TrainFn
from naspred.spaces.cells import CellSpace

logger = logging.getLogger(__name__)

#: per-epoch metrics a run's curves must hold to enter the benchmark table
CURVE_METRICS: tuple[str, ...] = ("train_loss", "val_accuracy", "val_loss", "seconds")

ProxyFn = Callable[[Any, int], Mapping[str, ProxyResult]]


def draw_cells(space: CellSpace, n: int, seed: int) -> tuple[list[Any], int]:
    """``n`` cells drawn uniformly with ``seed``, the first drawn of each canonical form, skipping cells whose
    output is disconnected from their input (they output zeros and cannot learn). Returns the cells and the
    number of disconnected draws skipped."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidInputError(f"the number of cells must be a positive integer, got {n!r}")
    rng = np.random.default_rng(seed)
    cells, keys, skipped = [], set(), 0
    for _ in range(200 * n):
        if len(cells) == n:
            break
        arch = space.sample(rng)
        if not space.connected(arch):
            skipped += 1
            continue
        key = space.canonical(arch)
        if key not in keys:
            keys.add(key)
            cells.append(arch)
    if len(cells) < n:
        raise InvalidInputError(f"drew only {len(cells)} of {n} distinct connected cells of space {space.name!r}")
    return cells, skipped


def read_results(path: str | Path) -> list[dict[str, Any]]:
    """The complete lines of a results file (a last line without its newline is ignored)."""
    path = Path(path)
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    rows = []
    for number, line in enumerate(lines[:-1], start=1):  # the part after the last newline is incomplete
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as err:
            raise DataFileError(f"{path}: line {number} is not JSON ({err})") from err
    return rows


def _drop_partial_line(path: Path) -> None:
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        logger.warning("%s: dropping an incomplete last line of %d bytes", path, len(data) - cut)
        with path.open("r+b") as fh:
            fh.truncate(cut)


@dataclass(frozen=True)
class GenerationSummary:
    """What one call of :func:`generate` did: runs trained now, runs found recorded, runs that failed now."""

    trained: int
    skipped: int
    failed: int


def _proxy_fields(results: Mapping[str, ProxyResult]) -> dict[str, Any]:
    return {
        "proxies": {n: r.value for n, r in results.items()},
        "proxy_missing": {n: r.reason for n, r in results.items() if r.missing},
        "proxy_seconds": {n: r.seconds for n, r in results.items()},
    }


def generate(
    space: CellSpace,
    runs: Iterable[tuple[Any, int]],
    train_fn_for_seed: Callable[[int], TrainFn],
    *,
    epochs: int,
    results_path: str | Path,
    proxy_fn: ProxyFn | None = None,
    config: Mapping[str, Any] | None = None,
) -> GenerationSummary:
    """Train every ``(arch, seed)`` of ``runs`` not yet recorded in ``results_path`` for ``epochs`` epochs.

    ``train_fn_for_seed(seed)`` gives the training function of a seed; ``proxy_fn(arch, seed)`` the proxies
    of a cell (optional); ``config`` is recorded on every line.
    """
    path = Path(results_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _drop_partial_line(path)
    done = {(row["arch"], int(row["seed"])) for row in read_results(path)}
    oracles: dict[int, LiveOracle] = {}
    trained = skipped = failed = 0
    runs = list(runs)
    with path.open("a", encoding="utf-8") as out:
        for number, (arch, seed) in enumerate(runs, start=1):
            text = space.format(space.validate(arch))
            if (text, seed) in done:
                skipped += 1
                continue
            logger.info("run %d of %d: training %s seed %d for %d epochs", number, len(runs), text, seed, epochs)
            if seed not in oracles:
                oracles[seed] = LiveOracle(space, train_fn_for_seed(seed), full_epochs=epochs)
            row: dict[str, Any] = {"arch": text, "seed": seed, "epochs": epochs, "canonical": str(space.canonical(arch))}
            cpu = time.process_time()
            try:
                result = oracles[seed].train(arch, epochs)
            except TrainingError as err:
                row.update(status="failed", error=str(err), wall_seconds=oracles[seed].meter.charges[-1].seconds)
                failed += 1
            else:
                row.update(status="ok", error=None, wall_seconds=result.seconds,
                           curves={m: c.values.tolist() for m, c in result.curves.items()})
            row["cpu_seconds"] = time.process_time() - cpu
            if proxy_fn is not None:
                row.update(_proxy_fields(proxy_fn(arch, seed)))
            if config is not None:
                row["config"] = dict(config)
            out.write(json.dumps(row) + "\n")
            out.flush()
            done.add((text, seed))
            trained += 1
            logger.info("%s seed %d: %s in %.2f s", text, seed, row["status"], row["wall_seconds"])
    return GenerationSummary(trained=trained, skipped=skipped, failed=failed)


def benchmark_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The benchmark table of completed runs, one line per (cell, seed, epoch): ``arch``, ``seed``, ``epoch``,
    the curve metrics, and per run ``proxy:<name>`` (empty where missing), ``proxy_seconds:<name>`` (the wall
    time the proxy took) and ``run_cpu_seconds``. Failed
    runs are left out; a completed run without every curve metric is an error."""
    records = []
    for row in rows:
        if row.get("status") != "ok":
            continue
        curves = row["curves"]
        absent = [m for m in CURVE_METRICS if m not in curves]
        if absent:
            raise DataFileError(f"run {row['arch']} seed {row['seed']} has no curve of {absent}; expected {CURVE_METRICS}")
        proxies = row.get("proxies") or {}
        for k in range(int(row["epochs"])):
            rec: dict[str, Any] = {"arch": row["arch"], "seed": int(row["seed"]), "epoch": k + 1}
            rec.update({m: float(curves[m][k]) for m in CURVE_METRICS})
            rec.update({f"proxy:{n}": (np.nan if v is None else float(v)) for n, v in sorted(proxies.items())})
            rec.update({f"proxy_seconds:{n}": float(v) for n, v in sorted((row.get("proxy_seconds") or {}).items())})
            rec["run_cpu_seconds"] = float(row["cpu_seconds"])
            records.append(rec)
    if not records:
        raise DataFileError("no completed run to write a benchmark from")
    return pd.DataFrame.from_records(records)


def write_benchmark(results_path: str | Path, out_path: str | Path) -> pd.DataFrame:
    """Write the benchmark table of a results file (CSV, gzip when the name ends in ``.gz``)."""
    frame = benchmark_frame(read_results(results_path))
    frame.to_csv(out_path, index=False, float_format="%.17g")
    return frame
