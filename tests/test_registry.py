"""naspred.registry: lazy entries, presets with fixed parameters, checked builds and close-name hints."""

from __future__ import annotations

import sys

import pytest

from naspred.errors import InvalidInputError, UnknownNameError
from naspred.registry import Entry, Registry


def make() -> Registry:
    return Registry(
        "predictor",
        [
            Entry("svr", "naspred.predictors.svr:SVR", "nu-SVR"),
            Entry("svr_linear", "naspred.predictors.svr:SVR", "linear nu-SVR", fixed={"kernel": "linear"}),
            Entry("svr_c2", "naspred.predictors.svr:SVR", "nu-SVR with C=2", defaults={"C": 2.0}),
        ],
    )


def test_presets_build_with_defaults_and_fixed_parameters():
    reg = make()
    assert reg.build("svr_linear").kernel == "linear"
    assert reg.build("svr_c2").C == 2.0
    assert reg.build("svr_c2", C=3.0).C == 3.0
    assert "kernel" not in reg.entry("svr_linear").accepted()


def test_bad_builds_name_what_is_wrong():
    reg = make()
    with pytest.raises(InvalidInputError, match=r"'svr_linear' fixes kernel='linear'"):
        reg.build("svr_linear", kernel="rbf")
    with pytest.raises(InvalidInputError, match=r"has no parameter \['foo'\]; its parameters are"):
        reg.build("svr", foo=1)
    with pytest.raises(InvalidInputError, match="C must be a finite number > 0, got -1"):
        reg.build("svr", check=True, C=-1)
    reg.build("svr", C=-1)  # unchecked: stored unchanged until fit


def test_unknown_names_get_the_closest_ones():
    with pytest.raises(UnknownNameError, match=r"unknown predictor 'svrr' \(did you mean 'svr'.*expected one of"):
        make().build("svrr")
    with pytest.raises(UnknownNameError, match="expected one of"):
        make().entry(None)  # type: ignore[arg-type]


def test_register_replace_unregister_and_objects():
    reg = make()
    with pytest.raises(InvalidInputError, match="already registered"):
        reg.register("svr", dict)
    reg.register("d", dict, "a plain dict", defaults={"a": 1})
    assert reg.build("d", b=2) == {"a": 1, "b": 2}  # no signature to read: any parameter goes through
    reg.register("svr", "naspred.predictors.svr:SVR", "again", replace=True)
    assert reg.describe("svr") == "again"
    reg.unregister("d")
    assert "d" not in reg and reg.names() == ["svr", "svr_c2", "svr_linear"]


def test_entries_are_checked_and_lazy():
    with pytest.raises(InvalidInputError, match="module:attr"):
        Entry("x", "no_colon")
    with pytest.raises(InvalidInputError, match="both defaults and fixed"):
        Entry("x", "a:b", defaults={"k": 1}, fixed={"k": 2})
    sys.modules.pop("naspred.predictors.lcsvr", None)
    Registry("predictor", [Entry("lcsvr", "naspred.predictors.lcsvr:LcSVR")])
    assert "naspred.predictors.lcsvr" not in sys.modules
