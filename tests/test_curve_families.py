"""The learning-curve families of Domhan et al. (IJCAI 2015): their formulas against the math module and fixed
values, their admissible (rising) parametrisations, and their maximum-likelihood fits to noise-free curves."""

from __future__ import annotations

import math

import numpy as np
import pytest
from naspred.predictors import (
    curve_families,
    curve_fit,
    curve_posterior,
    lc_extrapolation,
)
from naspred.predictors.lc_extrapolation import (
    CURVE_FAMILIES,
    CurveBatch,
    curve_family,
    fit_families,
)


def _formula(name, x, p):
    """The families written out with the math module, one epoch at a time."""
    if name == "pow3":
        c, a, al = p
        return c - a * x**-al
    if name == "pow4":
        c, a, b, al = p
        return c - (a * x + b) ** -al
    if name == "log_power":
        a, b, c = p
        return a / (1 + (x / math.exp(b)) ** c)
    if name == "weibull":
        al, be, k, d = p
        return al - (al - be) * math.exp(-((k * x) ** d))
    if name == "mmf":
        al, be, k, d = p
        return al - (al - be) / (1 + (k * x) ** d)
    if name == "janoschek":
        al, be, k, d = p
        return al - (al - be) * math.exp(-k * x**d)
    if name == "ilog2":
        c, a = p
        return c - a / math.log(x + 1)
    if name == "dr_hill_zero_background":
        th, eta, k = p
        return th * x**eta / (k**eta + x**eta)
    if name == "log_log_linear":
        a, b = p
        return math.log(a * math.log(x) + b)
    if name == "exp4":
        c, a, b, al = p
        return c - math.exp(-a * x**al + b)
    if name == "vap":
        a, b, c = p
        return math.exp(a + b / x + c * math.log(x))
    raise AssertionError(name)


PARAMS = {
    "pow3": (0.9, 0.5, 0.7),
    "pow4": (0.9, 0.3, 0.2, 0.8),
    "log_power": (0.88, 1.5, -0.9),
    "weibull": (0.9, 0.2, 0.05, 0.8),
    "mmf": (0.9, 0.1, 0.1, 1.2),
    "janoschek": (0.9, 0.15, 0.3, 0.6),
    "ilog2": (0.95, 0.4),
    "dr_hill_zero_background": (0.9, 0.9, 3.0),
    "log_log_linear": (0.3, 1.5),
    "exp4": (0.9, 0.4, -0.5, 0.6),
    "vap": (-0.2, -0.6, 0.02),
}


@pytest.mark.parametrize("name", CURVE_FAMILIES)
def test_curve_families_match_their_formulas_and_rise(name):
    family = curve_family(name)
    theta = np.array(PARAMS[name])
    x = np.arange(1, 101, dtype=np.float64)
    expected = [_formula(name, float(v), PARAMS[name]) for v in x]
    np.testing.assert_allclose(family(x, theta), expected, rtol=1e-12)
    assert family.admissible(theta, 100.0)
    np.testing.assert_allclose(family.natural(family.free(theta, 100.0), 100.0), theta, rtol=1e-10, atol=1e-12)
    # every unconstrained point maps to an admissible curve that does not fall on [1, 100]
    u = np.random.default_rng(1).normal(scale=1.5, size=(500, family.n_params))
    thetas = family.natural(u, 100.0)
    assert family.admissible(thetas, 100.0).all()
    with np.errstate(all="ignore"):
        values = family(x, thetas)
    finite = np.isfinite(values).all(axis=1)
    assert finite.mean() > 0.5
    assert (np.diff(values[finite], axis=1) >= -1e-9 * np.maximum(1, np.abs(values[finite, 1:]))).all()


# pybnn's default parameters of each family (automl/pybnn, lc_extrapolation/curvefunctions.py; log_log_linear has
# none there) and the family's values at epochs 1, 5, 20 and 100, computed once from the formulas as pybnn and
# pylearningcurvepredictor write them (Domhan et al. 2015); ilog2 is evaluated at x + 1, as there.
GOLDEN_EPOCHS = (1.0, 5.0, 20.0, 100.0)
GOLDEN = {
    "pow3": ((0.84, 0.52, 0.01), (0.32, 0.328302089451, 0.335346785796, 0.343403855269)),
    "pow4": ((0.8, 200.0, 0.0, 0.1), (0.211295981348, 0.298812766373, 0.363691171449, 0.428552875706)),
    "log_power": ((0.77, 2.98, -0.51), (0.13820804868, 0.255668440412, 0.38654450767, 0.536003868439)),
    "weibull": ((0.7, 0.1, 0.01, 1.0), (0.10597009975, 0.1292623453, 0.208761548153, 0.479272335297)),
    "mmf": ((0.7, 0.1, 0.01, 5.0), (0.10000000006, 0.1000001875, 0.10019193858, 0.4)),
    "janoschek": ((0.73, 0.07, 0.355, 0.46), (0.267225527482, 0.416459470209, 0.568594920434, 0.695551052426)),
    "ilog2": ((0.78, 0.43), (0.159641132418, 0.540012430583, 0.638762742336, 0.686828001906)),
    "dr_hill_zero_background": (
        (0.77232, 0.586449, 2.460843),
        (0.286499998851, 0.465297064949, 0.597465797441, 0.693359280176),
    ),
    "log_log_linear": ((0.3, 1.5), (0.405465108108, 0.684525809982, 0.874935129205, 1.058328710216)),
    "exp4": ((0.7, 0.8, -0.8, 0.3), (0.498103482005, 0.577117329515, 0.637034280889, 0.681404903544)),
    "vap": ((-0.622028, -0.47005, 0.042322), (0.335518561236, 0.523130999791, 0.595267068977, 0.64932073383)),
}


def test_every_family_keeps_the_formula_of_domhan_et_al():
    """Fixed numbers, not a second copy of the formulas: changing a family's formula or parameter order fails here."""
    assert set(GOLDEN) == set(CURVE_FAMILIES)
    for name, (theta, values) in GOLDEN.items():
        np.testing.assert_allclose(curve_family(name)(GOLDEN_EPOCHS, theta), values, rtol=1e-9, err_msg=name)


def test_extrapolation_pieces_live_in_one_module_per_concept():
    """Families, fitting and posterior each have a module; the predictor's module re-exports them unchanged."""

    assert lc_extrapolation.curve_family is curve_families.curve_family
    assert lc_extrapolation.CURVE_FAMILIES is curve_families.CURVE_FAMILIES
    assert lc_extrapolation.fit_families is curve_fit.fit_families
    assert lc_extrapolation.extrapolate is curve_posterior.extrapolate
    x = np.arange(1, 11, dtype=np.float64)
    fits = curve_fit.fit_families(curve_fit.CurveBatch.of(x, curve_family("pow3")(x, np.array(PARAMS["pow3"])), 100))
    assert isinstance(fits, curve_fit.FamilyFits) and fits.families == tuple(map(curve_family, CURVE_FAMILIES))
    assert fits.admitted[0, CURVE_FAMILIES.index("pow3")]


def test_families_needing_more_epochs_are_left_out_and_noise_free_curves_are_recovered():
    x = np.arange(1, 21, dtype=np.float64)
    truth = {name: curve_family(name)(x, np.array(PARAMS[name])) for name in ("pow3", "mmf", "ilog2")}
    final = {name: curve_family(name)(np.array([100.0]), np.array(PARAMS[name]))[0] for name in truth}
    for name, curve in truth.items():
        fits = fit_families(CurveBatch.of(x, curve, 100, families=(name,)))
        assert fits.admitted[0, 0]
        assert fits.at_final[0, 0] == pytest.approx(final[name], abs=2e-3), name
    short = fit_families(CurveBatch.of(x[:3], truth["pow3"][:3], 100))
    admitted = {f.name for f, ok in zip(short.families, short.admitted[0]) if ok}
    assert admitted <= {"ilog2", "log_log_linear"} and admitted
