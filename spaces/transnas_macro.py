"""The TransNAS-Bench-101 macro search space (Duan et al., 2021, "TransNAS-Bench-101: Improving
Transferability and Generalizability of Cross-Task Neural Architecture Search", CVPR).

A network stacks 4 to 6 modules of ResNet basic blocks; each module is coded by a digit:
1 = normal, 2 = channels x2, 3 = resolution /2 (downsample), 4 = channels x2 and resolution /2
(TransNASBench README, ``MacroNet`` in ``lib/models/net_infer/net_macro.py``: channels double for
codes 2 and 4, stride 2 for codes 3 and 4). A skeleton downsamples 1 to 4 times and doubles the
channels 1 to 3 times (NASLib's macro sampler draws length 4..6, downsamples 1..4 and doublings 1..3);
these constraints give exactly the 3,256 macro architectures the benchmark reports ("Search space
'macro' contains 3256 architectures", TransNASBench README).

Text notations read by :meth:`TNB101MacroSpace.parse`: the benchmark's arch string
``"64-1234-basic"`` (written by ``format``), the bare skeleton ``"1234"``, and the NASLib /
NAS-Bench-Suite-Zero key of ``zc_transbench101_macro.json``, ``"(1, 2, 3, 4, 0, 0)"`` (six codes,
zero-padded).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from operator import index as as_index
from typing import ClassVar

import numpy as np

from naspred.errors import InvalidArchitectureError
from naspred.spaces.base import LabeledDAG, SearchSpace

#: module code -> name
MODULES: dict[int, str] = {1: "normal", 2: "channel_x2", 3: "downsample", 4: "channel_x2_downsample"}
MIN_MODULES, MAX_MODULES = 4, 6
DOWNSAMPLES = (1, 4)  # inclusive range of modules with code 3 or 4
DOUBLINGS = (1, 3)  # inclusive range of modules with code 2 or 4
BASE_CHANNELS = 64
NUM_ARCHS = 3256


def _problem(modules: tuple[int, ...]) -> str | None:
    if not MIN_MODULES <= len(modules) <= MAX_MODULES:
        return f"skeleton has {len(modules)} modules; expected {MIN_MODULES} to {MAX_MODULES}"
    bad = [m for m in modules if m not in MODULES]
    if bad:
        return f"module code {bad[0]} is unknown; expected one of {sorted(MODULES)} ({MODULES})"
    down = sum(m in (3, 4) for m in modules)
    if not DOWNSAMPLES[0] <= down <= DOWNSAMPLES[1]:
        return f"skeleton downsamples {down} times (codes 3, 4); expected {DOWNSAMPLES[0]} to {DOWNSAMPLES[1]}"
    double = sum(m in (2, 4) for m in modules)
    if not DOUBLINGS[0] <= double <= DOUBLINGS[1]:
        return f"skeleton doubles the channels {double} times (codes 2, 4); expected {DOUBLINGS[0]} to {DOUBLINGS[1]}"
    return None


@dataclass(frozen=True)
class TNB101MacroArch:
    """A TransNAS-Bench-101 macro skeleton: the module codes in order, e.g. ``(1, 2, 3, 4)``."""

    #: the registry name of the space
    SPACE: ClassVar[str] = "tnb101-macro"
    modules: tuple[int, ...]

    def __post_init__(self) -> None:
        if isinstance(self.modules, (str, bytes)):
            raise InvalidArchitectureError(
                f"modules must be a sequence of ints, got the string {self.modules!r}; use TNB101MacroSpace.parse"
            )
        try:
            codes = tuple(as_index(m) for m in self.modules)
        except TypeError:
            raise InvalidArchitectureError(f"module codes must be integers 1..4, got {self.modules!r}") from None
        problem = _problem(codes)
        if problem:
            raise InvalidArchitectureError(problem)
        object.__setattr__(self, "modules", codes)

    @property
    def skeleton(self) -> str:
        return "".join(map(str, self.modules))


def _valid(modules: tuple[int, ...]) -> bool:
    return _problem(modules) is None


def naslib_key(arch: TNB101MacroArch) -> str:
    """The NASLib / NAS-Bench-Suite-Zero key: six module codes, zero-padded."""
    return str(arch.modules + (0,) * (MAX_MODULES - len(arch.modules)))


class TNB101MacroSpace(SearchSpace):
    """TransNAS-Bench-101 macro skeletons (Duan et al., 2021): 3,256 networks of ResNet basic blocks."""

    arch_type = TNB101MacroArch
    description = "TransNAS-Bench-101 macro skeleton"

    def parse(self, text: str) -> TNB101MacroArch:
        """Read ``"64-1234-basic"``, ``"1234"`` or a NASLib key ``"(1, 2, 3, 4, 0, 0)"``."""
        s = self._text(text)
        if s[:1] in "([" and s[-1:] in ")]":
            try:
                codes = [int(t) for t in s[1:-1].replace(" ", "").split(",") if t]
            except ValueError:
                raise InvalidArchitectureError(f"NASLib macro key {text!r} holds a non-integer") from None
            if len(codes) != MAX_MODULES or any(codes[i] == 0 and codes[i + 1] != 0 for i in range(len(codes) - 1)):
                raise InvalidArchitectureError(
                    f"NASLib macro key {text!r}: expected {MAX_MODULES} codes, the modules then zero padding"
                )
            return TNB101MacroArch(tuple(c for c in codes if c != 0))
        parts = s.split("-")
        if len(parts) == 3:
            channels, skeleton, cell = parts
            if cell != "basic":
                raise InvalidArchitectureError(
                    f"{text!r} has the cell {cell!r}; macro architectures use the ResNet basic block "
                    "('basic'); a cell code like '1_02_333' belongs to the TransNAS-Bench-101 micro space"
                )
            if channels != str(BASE_CHANNELS):
                raise InvalidArchitectureError(f"{text!r} has base channels {channels}; the benchmark uses {BASE_CHANNELS}")
        elif len(parts) == 1:
            skeleton = parts[0]
        else:
            raise InvalidArchitectureError(
                f"not a TransNAS-Bench-101 macro architecture: {text!r}; expected '64-1234-basic', '1234' "
                "or '(1, 2, 3, 4, 0, 0)'"
            )
        if not skeleton.isdigit():
            raise InvalidArchitectureError(f"macro skeleton {skeleton!r} must be digits 1..4, e.g. '1234'")
        return TNB101MacroArch(tuple(int(c) for c in skeleton))

    def format(self, arch: TNB101MacroArch) -> str:
        """The benchmark's arch string, e.g. ``"64-1234-basic"``."""
        arch = self.validate(arch)
        return f"{BASE_CHANNELS}-{arch.skeleton}-basic"

    def sample(self, rng: np.random.Generator) -> TNB101MacroArch:
        """Uniform over the 3,256 skeletons: a length drawn with weight 4^length, codes uniformly,
        redrawn until valid. (NASLib's sampler draws length, downsamples and doublings uniformly
        instead, which is not uniform over skeletons.)"""
        weights = [4**n for n in range(MIN_MODULES, MAX_MODULES + 1)]
        while True:
            u = rng.random() * sum(weights)
            n = MIN_MODULES
            for w in weights[:-1]:
                if u < w:
                    break
                u -= w
                n += 1
            modules = tuple(int(m) for m in rng.integers(1, 5, size=n))
            if _valid(modules):
                return TNB101MacroArch(modules)

    def neighbours(self, arch: TNB101MacroArch) -> list[TNB101MacroArch]:
        """Skeletons one module edit away: change one module's code, remove a module or insert one."""
        mods = self.validate(arch).modules
        cands: list[tuple[int, ...]] = []
        for i, m in enumerate(mods):
            cands += [mods[:i] + (c,) + mods[i + 1 :] for c in MODULES if c != m]
            cands.append(mods[:i] + mods[i + 1 :])
        for i in range(len(mods) + 1):
            cands += [mods[:i] + (c,) + mods[i:] for c in MODULES]
        seen = dict.fromkeys(c for c in cands if c != mods and _valid(c))
        return [TNB101MacroArch(c) for c in seen]

    def mutate(self, arch: TNB101MacroArch, rng: np.random.Generator) -> TNB101MacroArch:
        """One neighbour drawn uniformly. (NASLib instead redraws a random permutation after changing
        the length, downsample or doubling count.)"""
        options = self.neighbours(arch)
        return options[int(rng.integers(len(options)))]

    def canonical(self, arch: TNB101MacroArch) -> tuple[int, ...]:
        """The module codes: a chain of modules has no non-trivial isomorphism."""
        return self.validate(arch).modules

    def to_graph(self, arch: TNB101MacroArch) -> LabeledDAG:
        """The chain input -> module 1 -> ... -> module n -> output, nodes labelled by module type."""
        mods = self.validate(arch).modules
        n = len(mods) + 2
        adj = np.zeros((n, n), dtype=np.int64)
        adj[np.arange(n - 1), np.arange(1, n)] = 1
        return LabeledDAG(adjacency=adj, node_ops=("input", *(MODULES[m] for m in mods), "output"))

    @property
    def size(self) -> int:
        """3,256 macro skeletons (TransNASBench README)."""
        return NUM_ARCHS

    def enumerate(self) -> Iterator[TNB101MacroArch]:
        """Every valid skeleton, by length then lexicographically."""
        for n in range(MIN_MODULES, MAX_MODULES + 1):
            for modules in itertools.product(sorted(MODULES), repeat=n):
                if _valid(modules):
                    yield TNB101MacroArch(modules)
