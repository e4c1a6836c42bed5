"""The zero-cost proxies by name, with what each needs: ``evaluate("jacov", net, batch)``.

Names follow NAS-Bench-Suite-Zero (the ``proxy:<name>`` columns of naspred's benchmarks): ``synflow`` is
the natural log of synflow, as NAS-Bench-Suite-Zero reports it; ``synflow_raw`` is the sum itself.
``params`` and ``flops`` are in millions.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import torch
from torch import nn

from naspred.errors import InvalidInputError, UnknownNameError
from naspred.featurizers.zerocost import counts, jacobian, saliency
from naspred.featurizers.zerocost import synflow as synflow_module


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


def _shape_only(fn: Callable[..., float]) -> Callable[..., float]:
    def call(net: nn.Module, data: Any, *, input_shape: Sequence[int], seed: int, device: Any, inplace: bool) -> float:
        return fn(net, input_shape, device=device, inplace=inplace)

    return call


def _data(fn: Callable[..., float]) -> Callable[..., float]:
    def call(net: nn.Module, data: Any, *, input_shape: Sequence[int], seed: int, device: Any, inplace: bool) -> float:
        return fn(net, data, seed=seed, device=device, inplace=inplace)

    return call


def _params(net: nn.Module, data: Any, *, input_shape: Sequence[int], seed: int, device: Any, inplace: bool) -> float:
    return counts.params(net)


def _flops(net: nn.Module, data: Any, *, input_shape: Sequence[int], seed: int, device: Any, inplace: bool) -> float:
    return counts.flops(net, input_shape, device=device)


PROXIES = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            ProxySpec("synflow", "log of synflow (Tanaka et al. 2020), as NAS-Bench-Suite-Zero reports it", False,
                      False, _shape_only(synflow_module.log_synflow)),
            ProxySpec("synflow_raw", "synflow, sum |theta * dR/dtheta| (Tanaka et al. 2020)", False, False,
                      _shape_only(synflow_module.synflow)),
            ProxySpec("params", "parameters (millions)", False, False, _params, modifies=False),
            ProxySpec("flops", "FLOPs of one input (millions), NAS-Bench-Suite-Zero's count", False, False, _flops,
                      modifies=False),
            ProxySpec("jacov", "Jacobian covariance (Mellor et al. 2021, v1)", True, False, _data(jacobian.jacov)),
            ProxySpec("nwot", "log-determinant of the ReLU-code kernel (Mellor et al. 2021, v2)", True, False,
                      _data(jacobian.nwot)),
            ProxySpec("snip", "sum |theta * dL/dtheta| (Lee et al. 2019)", True, True, _data(saliency.snip)),
            ProxySpec("grasp", "sum -theta * Hg (Wang et al. 2020)", True, True, _data(saliency.grasp)),
            ProxySpec("fisher", "channel Fisher information (Turner et al. 2020)", True, True, _data(saliency.fisher)),
            ProxySpec("grad_norm", "sum of the layers' gradient norms", True, True, _data(saliency.grad_norm)),
        )
    }
)


def names() -> list[str]:
    """Names of the proxies computed on a live network."""
    return list(PROXIES)


def spec(name: str) -> ProxySpec:
    """The :class:`ProxySpec` of ``name``."""
    try:
        return PROXIES[name]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(name), names(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UnknownNameError(f"unknown zero-cost proxy {name!r}{hint}; expected one of {names()}") from None


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
