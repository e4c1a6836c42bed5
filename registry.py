"""One registry shape for everything naspred finds by name: predictors, featurizers, search spaces, search
strategies, benchmarks, file formats, artifacts and proxies.

An :class:`Entry` names its target lazily as ``"module:attr"`` (imported on first use, so importing naspred
loads no model and no data) or holds the object itself (what a user registers from a script), with a
one-line description, the parameters it is built with (``defaults``, which a caller may override) and the
parameters it fixes (``fixed``, which a caller may not: a preset such as ``synflow`` is ``ZeroCost`` with
``proxy="synflow"`` fixed), plus free-form ``meta`` a registry's users read (a benchmark's artifacts).
:class:`Registry` maps names to entries, builds them with the parameters checked, and names the closest
registered names when one is mistyped. After syne-tune's recipe registry (one dict of named recipes).
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from naspred.errors import InvalidInputError, UnknownNameError

T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    """A registered name: its target (``"module:attr"`` or the object), description and parameters."""

    name: str
    target: Any
    description: str = ""
    defaults: Mapping[str, Any] = field(default_factory=dict)
    fixed: Mapping[str, Any] = field(default_factory=dict)
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidInputError(f"a registry entry needs a non-empty name, got {self.name!r}")
        if isinstance(self.target, str) and self.target.count(":") != 1:
            raise InvalidInputError(f"entry {self.name!r}: target must be 'module:attr', got {self.target!r}")
        clash = sorted(set(self.defaults) & set(self.fixed))
        if clash:
            raise InvalidInputError(f"entry {self.name!r}: {clash} are both defaults and fixed; give each once")
        for attr in ("defaults", "fixed", "meta"):
            object.__setattr__(self, attr, MappingProxyType(dict(getattr(self, attr))))

    def load(self) -> Any:
        """The target itself (imported on first use when given as ``"module:attr"``)."""
        if not isinstance(self.target, str):
            return self.target
        module, attr = self.target.split(":")
        obj: Any = import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
        return obj

    def accepted(self) -> list[str] | None:
        """The parameters a caller may pass: the target's own, less the fixed ones (None: any, for a target
        that takes ``**kwargs`` or has no signature to read)."""
        try:
            params = inspect.signature(self.load()).parameters
        except (TypeError, ValueError):  # a builtin without a signature
            return None
        if any(p.kind is p.VAR_KEYWORD for p in params.values()):
            return None
        return [n for n in params if n not in self.fixed]

    def build(self, kind: str, params: Mapping[str, Any], check: bool = False) -> Any:
        """``target(**defaults, **params, **fixed)``; unknown or fixed parameters are refused by name. With
        ``check``, a target that declares its parameters (``validate_params``) checks them now."""
        fixed = sorted(set(params) & set(self.fixed))
        if fixed:
            raise InvalidInputError(
                f"{kind} {self.name!r} fixes {', '.join(f'{k}={self.fixed[k]!r}' for k in fixed)}; "
                f"build {self.load().__name__} itself to choose {fixed}"
            )
        accepted = self.accepted()
        unknown = [] if accepted is None else sorted(set(params) - set(accepted))
        if unknown:
            raise InvalidInputError(f"{kind} {self.name!r} has no parameter {unknown}; its parameters are {accepted}")
        built = self.load()(**{**self.defaults, **params, **self.fixed})
        if check and callable(getattr(built, "validate_params", None)):
            built.validate_params()
        return built


class Registry(Generic[T]):
    """Names -> :class:`Entry`, for one ``kind`` of thing ("predictor", "search space", ...)."""

    def __init__(self, kind: str, entries: Iterable[Entry] = ()) -> None:
        self.kind = kind
        self._entries: dict[str, Entry] = {}
        for entry in entries:
            self.add(entry)

    def add(self, entry: Entry, replace: bool = False) -> Entry:
        """Register ``entry``; a name already taken is refused unless ``replace``."""
        if entry.name in self._entries and not replace:
            raise InvalidInputError(f"{self.kind} {entry.name!r} is already registered; pass replace=True to replace it")
        self._entries[entry.name] = entry
        return entry

    def register(
        self,
        name: str,
        target: Any,
        description: str = "",
        *,
        defaults: Mapping[str, Any] | None = None,
        fixed: Mapping[str, Any] | None = None,
        meta: Mapping[str, Any] | None = None,
        replace: bool = False,
    ) -> Entry:
        """Register ``target`` (``"module:attr"`` or the object) as ``name``; returns the entry."""
        return self.add(Entry(name, target, description, defaults or {}, fixed or {}, meta or {}), replace=replace)

    def unregister(self, name: str) -> Entry:
        """Remove ``name``; returns its entry."""
        entry = self.entry(name)
        del self._entries[name]
        return entry

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._entries)

    def entry(self, name: str) -> Entry:
        """The entry of ``name``; an unknown name raises :class:`UnknownNameError` naming the closest ones."""
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            pass
        close = difflib.get_close_matches(str(name), self._entries, n=3) if isinstance(name, str) else []
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        raise UnknownNameError(f"unknown {self.kind} {name!r}{hint}; expected one of {self.names()}")

    def load(self, name: str) -> Any:
        """The target registered as ``name`` (a class or function), not built."""
        return self.entry(name).load()

    def build(self, name: str, check: bool = False, **params: Any) -> T:
        """A new object registered as ``name``, built with its defaults updated by ``params``."""
        return self.entry(name).build(self.kind, params, check=check)

    def describe(self, name: str) -> str:
        """One line on what ``name`` is."""
        return self.entry(name).description

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries[n] for n in self.names())

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {len(self)} entries)"
