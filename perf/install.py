"""Install size: the quick-start virtual environment, measured in a fresh venv.

Run from the repository root (writes perf/install.md):

    python perf/install.py --extras ,test,docs

For each set of extras (``""`` is the plain quick start) it creates a fresh venv under a temporary folder,
runs the README's quick-start install in it

    pip install torch==2.13.0 [--index-url TORCH_INDEX] && pip install -e ".[EXTRAS]"

from a copy of the working tree, and measures the size of the venv on disk (``du``), the largest
installed distributions and any CUDA (``nvidia-*``, ``triton``) wheels it holds. ``--torch-index`` passes
an index to the torch step (the PyTorch CPU index on an ordinary Linux machine:
https://download.pytorch.org/whl/cpu); without it pip's configured indexes are used.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from report_text import command_block  # perf/report_text.py, beside this script

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CUDA_PREFIXES = ("nvidia-", "nvidia_", "triton", "cupy")

SIZES = """
import importlib.metadata as md, json, os
rows = []
for dist in md.distributions():
    total = 0
    for f in dist.files or []:
        p = f.locate()
        if os.path.isfile(p):
            total += os.path.getsize(p)
    rows.append((dist.metadata["Name"], dist.version, total))
print(json.dumps(rows))
"""


NOTES = """
What the quick start installs, and what was not measured here:

- On an ordinary Linux x86_64 machine `pip install torch==2.13.0` from PyPI resolves the CUDA build of torch
  and about 20 `nvidia-*` wheels (several GB). The quick start therefore installs torch from the PyTorch CPU
  index, `pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu`; run this script with
  `--torch-index https://download.pytorch.org/whl/cpu` to measure that. On the machine measured above that
  index is not reachable; its pip finds `torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl` in a local
  wheel folder, the file name the CPU index serves, so the rows above stand for the CPU install (not
  measured: the download from the CPU index itself). CI keeps `pip install torch==2.13.0` first.
- `xgboost` on Linux x86_64 requires `nvidia-nccl-cu12`, also on machines without a GPU. naspred depends on
  `xgboost-cpu` there instead (the same `xgboost` module). Measured in this machine's development
  environment (installed files of each distribution, as above): `xgboost` 3.2.0 239 MB plus
  `nvidia-nccl-cu12` 2.32.3 491 MB, against `xgboost-cpu` 3.2.0 19 MB: about 710 MB less, which puts the
  former plain install at about 2.3 GB. No other dependency pulls a CUDA wheel (column "CUDA wheels").
- The goal of a quick-start venv under 1.2 GB is not met: torch's CPU build alone is about 760 MB installed,
  pyarrow and scipy another 320 MB, and the bytecode pip compiles at install time (column ".pyc") is counted
  in the venv size. Without that bytecode the plain venv would be about 1.35 GB; under 1.2 GB needs torch
  (with gpytorch and torch-geometric) moved out of the required dependencies.
"""


def du_bytes(path: Path) -> int:
    """Bytes on disk of a folder, as ``du -sb`` counts them."""
    out = subprocess.run(["du", "-sb", str(path)], check=True, capture_output=True, text=True).stdout
    return int(out.split()[0])


def pyc_bytes(path: Path) -> int:
    """Bytes of the compiled bytecode (``*.pyc``) pip wrote at install time."""
    return sum(p.stat().st_size for p in path.rglob("*.pyc"))


def copy_tree(dest: Path) -> Path:
    """Copy the working tree (tracked and untracked, not ignored) so that the install leaves the clone alone."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True, capture_output=True
    ).stdout.decode().split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def measure(extras: str, torch_index: str | None, work: Path) -> dict:
    venv = work / f"venv-{extras or 'plain'}"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = str(venv / "bin" / "python")
    pip = [py, "-m", "pip", "install", "--quiet"]
    start = time.perf_counter()
    torch_cmd = [*pip, "torch==2.13.0"] + (["--index-url", torch_index] if torch_index else [])
    subprocess.run(torch_cmd, check=True)
    target = f".[{extras}]" if extras else "."
    subprocess.run([*pip, "-e", target], check=True, cwd=work / "src")
    seconds = time.perf_counter() - start
    dists = json.loads(subprocess.run([py, "-c", SIZES], check=True, capture_output=True, text=True).stdout)
    dists.sort(key=lambda r: -r[2])
    return {
        "extras": extras,
        "venv_bytes": du_bytes(venv),
        "pyc_bytes": pyc_bytes(venv),
        "seconds": seconds,
        "n_dists": len(dists),
        "largest": dists[:8],
        "cuda": [d for d in dists if d[0].lower().startswith(CUDA_PREFIXES)],
        "torch": next(d[1] for d in dists if d[0].lower() == "torch"),
        "xgboost": [f"{d[0]} {d[1]}" for d in dists if d[0].lower().startswith("xgboost")],
    }


def mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB"


def write_report(rows: list[dict], command: str, torch_index: str | None, out: Path) -> None:
    lines = [
        "# Install size of the quick-start venv",
        "",
        (f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
         f"{platform.system()} ({platform.libc_ver()[0]} {platform.libc_ver()[1]}). Date: {date.today()}."),
        "",
        *command_block(command),
        ("Each row is a fresh `python -m venv` into which the README's quick-start install ran "
         f"(`pip install torch==2.13.0{' --index-url ' + torch_index if torch_index else ''}` then "
         "`pip install -e \".[EXTRAS]\"`); size is `du -sb` of the venv folder (MB = 10^6 bytes)."),
        "",
        "| extras | venv size | of which bytecode (.pyc) | distributions | torch | xgboost | CUDA wheels | install time |",
        "|---|---:|---:|---:|---|---|---|---:|",
    ]
    for r in rows:
        cuda = ", ".join(f"{n} ({mb(b)})" for n, _, b in r["cuda"]) or "none"
        lines.append(
            f"| {r['extras'] or '(none)'} | {mb(r['venv_bytes'])} | {mb(r['pyc_bytes'])} | {r['n_dists']} | {r['torch']} | "
            f"{', '.join(r['xgboost'])} | {cuda} | {r['seconds']:.0f} s |"
        )
    lines += ["", "Largest distributions (installed files):", ""]
    for r in rows:
        big = ", ".join(f"{n} {mb(b)}" for n, _, b in r["largest"])
        lines.append(f"- {r['extras'] or '(none)'}: {big}")
    lines += ["", NOTES.strip()]
    out.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--extras", default=",test", help="comma-separated extras sets; '' is the plain install")
    parser.add_argument("--torch-index", default=None, help="index for the torch step, e.g. the PyTorch CPU index")
    parser.add_argument("--json", default=None, help="also write the raw measurements to this JSON file")
    args = parser.parse_args(argv)
    sets = [e.replace("+", ",") for e in args.extras.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="naspred-install-") as tmp:
        work = Path(tmp)
        copy_tree(work / "src")
        for extras in sets:
            rows.append(measure(extras, args.torch_index, work))
            print(json.dumps({k: rows[-1][k] for k in ("extras", "venv_bytes", "n_dists", "cuda")}), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    command = "python perf/install.py " + " ".join(a if a else "''" for a in (argv if argv is not None else sys.argv[1:]))
    write_report(rows, command.strip(), args.torch_index, HERE / "install.md")


if __name__ == "__main__":
    main()
