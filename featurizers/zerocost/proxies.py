"""The zero-cost proxies by name, with what each needs: ``evaluate("jacov", net, batch)``.

Names follow NAS-Bench-Suite-Zero (the ``proxy:<name>`` columns of naspred's benchmarks): ``synflow`` is
the natural log of synflow, as NAS-Bench-Suite-Zero reports it; ``synflow_raw`` is the sum itself.
``params`` and ``flops`` are in millions.

The proxies are :data:`PROXIES`, a :class:`naspred.registry.Registry` whose entries name their function lazily
(``"naspred.featurizers.zerocost.jacobian:jacov"``: PyTorch is imported when a proxy is first used) and say in
``meta`` what it needs: ``inputs`` (a data batch; the function is called as
``fn(net, data, seed=..., device=..., inplace=...)``, else as ``fn(net, input_shape, device=..., inplace=...)``),
``targets`` (class targets in the batch) and ``modifies`` (it changes the network it works on). A script adds
a proxy with :func:`register`; ``naspred proxies``, :class:`~naspred.featurizers.zerocost.compute.ProxyComputer`
and live training then compute it.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from naspred.errors import InvalidInputError, UnknownNameError
from naspred.registry import Entry, Registry

if TYPE_CHECKING:
    import torch
    from torch import nn


@dataclass(frozen=True)
class ProxySpec:
    """A proxy: its function, whether it needs inputs (``data``) and class targets, and whether it works on the
    network itself when asked to (``inplace``) rather than on a copy."""

    name: str
    description: str
    needs_inputs: bool
    needs_targets: bool
    function: Callable[..., float]
    modifies: bool = True


def _params(net: nn.Module, input_shape: Sequence[int], *, device: Any, inplace: bool) -> float:
    from naspred.featurizers.zerocost import counts

    return counts.params(net)


def _flops(net: nn.Module, input_shape: Sequence[int], *, device: Any, inplace: bool) -> float:
    from naspred.featurizers.zerocost import counts

    return counts.flops(net, input_shape, device=device)


def _proxy(
    name: str, function: str | Callable[..., float], description: str, inputs: bool, targets: bool = False,
    modifies: bool = True,
) -> Entry:
    return Entry(name, function, description, meta={"inputs": inputs, "targets": targets, "modifies": modifies})


_ZC = "naspred.featurizers.zerocost"

PROXIES: Registry[float] = Registry(
    "zero-cost proxy",
    (
        _proxy("synflow", f"{_ZC}.synflow:log_synflow",
               "log of synflow (Tanaka et al. 2020), as NAS-Bench-Suite-Zero reports it", False),
        _proxy("synflow_raw", f"{_ZC}.synflow:synflow", "synflow, sum |theta * dR/dtheta| (Tanaka et al. 2020)", False),
        _proxy("params", _params, "parameters (millions)", False, modifies=False),
        _proxy("flops", _flops, "FLOPs of one input (millions), NAS-Bench-Suite-Zero's count", False, modifies=False),
        _proxy("jacov", f"{_ZC}.jacobian:jacov", "Jacobian covariance (Mellor et al. 2021, v1)", True),
        _proxy("nwot", f"{_ZC}.jacobian:nwot", "log-determinant of the ReLU-code kernel (Mellor et al. 2021, v2)",
               True),
        _proxy("snip", f"{_ZC}.saliency:snip", "sum |theta * dL/dtheta| (Lee et al. 2019)", True, True),
        _proxy("grasp", f"{_ZC}.saliency:grasp", "sum -theta * Hg (Wang et al. 2020)", True, True),
        _proxy("fisher", f"{_ZC}.saliency:fisher", "channel Fisher information (Turner et al. 2020)", True, True),
        _proxy("grad_norm", f"{_ZC}.saliency:grad_norm", "sum of the layers' gradient norms", True, True),
        _proxy("zen", f"{_ZC}.zen:zen", "Zen-score, log feature change plus BN scales (Lin et al. 2021)", False),
        _proxy("l2_norm", f"{_ZC}.weight_norms:l2_norm", "sum of the layers' weight L2 norms", False,
               modifies=False),
        _proxy("epe_nas", f"{_ZC}.epe_nas:epe_nas", "per-class Jacobian correlation (Lopes et al. 2021)", True, True),
        _proxy("plain", f"{_ZC}.plain:plain", "sum theta * dL/dtheta (NAS-Bench-Suite-Zero's plain)", True, True),
    ),
)


def register(
    name: str,
    function: str | Callable[..., float],
    description: str,
    *,
    needs_inputs: bool,
    needs_targets: bool = False,
    modifies: bool = True,
    replace: bool = False,
) -> Entry:
    """Register a proxy: ``function`` (or its ``"module:function"``) is called as the module docstring says."""
    if not (isinstance(function, str) or callable(function)):
        raise InvalidInputError(f"proxy {name!r}: function must be callable or 'module:function', got {function!r}")
    if needs_targets and not needs_inputs:
        raise InvalidInputError(f"proxy {name!r}: needs_targets=True needs needs_inputs=True (targets come in a batch)")
    return PROXIES.add(_proxy(name, function, description, bool(needs_inputs), bool(needs_targets), bool(modifies)),
                       replace=replace)


def names() -> list[str]:
    """Names of the proxies computed on a live network."""
    return PROXIES.names()


def _call(fn: Callable[..., float], inputs: bool) -> Callable[..., float]:
    """``fn`` called as every proxy is: ``(net, data, *, input_shape, seed, device, inplace)``; a data-free
    proxy gets the seed where it draws something (zen's Gaussian weights and inputs)."""
    seeded = "seed" in inspect.signature(fn).parameters

    def call(net: nn.Module, data: Any, *, input_shape: Sequence[int], seed: int, device: Any, inplace: bool) -> float:
        if inputs:
            return fn(net, data, seed=seed, device=device, inplace=inplace)
        if seeded:
            return fn(net, input_shape, device=device, inplace=inplace, seed=seed)
        return fn(net, input_shape, device=device, inplace=inplace)

    return call


def spec(name: str) -> ProxySpec:
    """The :class:`ProxySpec` of ``name``."""
    if not isinstance(name, str) or name not in PROXIES:
        close = difflib.get_close_matches(str(name), names(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UnknownNameError(f"unknown zero-cost proxy {name!r}{hint}; expected one of {names()}")
    e = PROXIES.entry(name)
    inputs, targets, modifies = (bool(e.meta[k]) for k in ("inputs", "targets", "modifies"))
    return ProxySpec(name, e.description, inputs, targets, _call(e.load(), inputs), modifies)


def parse_names(text: str | Sequence[str]) -> list[str]:
    """Proxy names from ``"synflow,jacov"`` or a list, each checked, none repeated."""
    items = [t.strip() for t in text.split(",")] if isinstance(text, str) else [str(t).strip() for t in text]
    items = [t for t in items if t]
    if not items:
        raise InvalidInputError(f"no proxy named; expected some of {names()}")
    for item in items:
        spec(item)
    if len(set(items)) != len(items):
        raise InvalidInputError(f"a proxy is named twice in {items}")
    return items


def evaluate(
    name: str,
    net: nn.Module,
    data: Any = None,
    *,
    input_shape: Sequence[int] = (3, 32, 32),
    seed: int = 0,
    device: str | torch.device = "cpu",
    inplace: bool = False,
) -> float:
    """The value of proxy ``name`` on ``net``; raises if it needs data that is not given, or is not finite.

    ``net`` is left unchanged unless ``inplace`` (then proxies that change a network work on ``net`` itself).
    """
    proxy = spec(name)
    if proxy.needs_inputs and data is None:
        raise InvalidInputError(
            f"proxy {name!r} needs a data batch ({'inputs and class targets' if proxy.needs_targets else 'inputs'}); "
            "none was given"
        )
    return proxy.function(net, data, input_shape=input_shape, seed=seed, device=device, inplace=inplace)
