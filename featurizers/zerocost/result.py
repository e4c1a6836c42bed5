"""The outcome of one proxy on one architecture: a finite value, or missing with the reason."""

from __future__ import annotations

import math
from dataclasses import dataclass

from naspred.errors import NaspredError


class ProxyError(NaspredError, ArithmeticError):
    """A proxy could not be computed: its value is not finite, or its network or data do not allow it."""


@dataclass(frozen=True)
class ProxyResult:
    """``value`` of proxy ``name`` (``None`` when missing, with ``reason``) and the ``seconds`` it took."""

    name: str
    value: float | None
    seconds: float = 0.0
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.value is None and not self.reason:
            raise ProxyError(f"proxy {self.name!r}: a missing value needs a reason")
        if self.value is not None and not math.isfinite(self.value):
            raise ProxyError(f"proxy {self.name!r}: value {self.value} is not finite; record it as missing")

    @property
    def missing(self) -> bool:
        """Whether the proxy has no value."""
        return self.value is None

    @classmethod
    def failed(cls, name: str, reason: str, seconds: float = 0.0) -> ProxyResult:
        """A missing result."""
        return cls(name=name, value=None, seconds=seconds, reason=reason)


def finite(name: str, value: float) -> float:
    """``value`` as a float, or a :class:`ProxyError` naming the proxy if it is NaN or infinite."""
    value = float(value)
    if not math.isfinite(value):
        raise ProxyError(f"proxy {name!r} is not finite ({value})")
    return value
