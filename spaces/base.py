"""The search-space contract shared by every space in naspred.

A search space turns architectures into text and back, validates them, samples them uniformly,
enumerates them where the space is finite, mutates them, and maps each to a canonical key that is
equal for isomorphic cells and for cells that differ only in dead branches.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Container, Hashable, Iterator, Sequence
from dataclasses import dataclass
from operator import index as as_index
from typing import Any

import numpy as np

from naspred.errors import InvalidArchitectureError


@dataclass(frozen=True)
class LabeledDAG:
    """A node-labelled directed acyclic graph: the form GCN encodings and path counting read.

    ``adjacency[i, j] == 1`` means an edge i -> j, with i < j (topological order); node 0 is the input,
    the last node the output. ``node_ops`` names the operation of each node (``"input"`` and ``"output"``
    for the two ends). Edge-labelled cells (NAS-Bench-201) are turned into this form by making each
    operation a node, as NASLib does for its GCN encodings.
    """

    adjacency: np.ndarray
    node_ops: tuple[str, ...]


class SearchSpace(ABC):
    """A NAS search space. Subclasses are stateless: no data is loaded when they are created."""

    #: short registry name, e.g. ``"nb201"``; taken from ``arch_type.SPACE`` where the architecture class names it
    name: str
    #: the architecture class of this space; ``validate`` rejects any other type
    arch_type: type
    #: what one architecture is called in messages
    description: str = "architecture"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        space = getattr(cls.__dict__.get("arch_type"), "SPACE", None)
        if space:
            cls.name = space

    @abstractmethod
    def parse(self, text: str) -> Any:
        """Read an architecture from the space's text notation(s)."""

    @abstractmethod
    def format(self, arch: Any) -> str:
        """Write an architecture in the space's main text notation; ``parse(format(a)) == a``."""

    def validate(self, arch: Any) -> Any:
        """Return ``arch`` if it belongs to this space, else raise :class:`InvalidArchitectureError`."""
        if isinstance(arch, self.arch_type):
            return arch
        name = self.arch_type.__name__
        hint = f"; read text with {type(self).__name__}().parse" if isinstance(arch, str) else ""
        raise InvalidArchitectureError(
            f"expected {_article(name)} {name} ({self.description}), got {type(arch).__name__}: {arch!r}{hint}"
        )

    def _text(self, text: Any) -> str:
        """``text`` stripped, for ``parse``; :class:`InvalidArchitectureError` if it is not a string."""
        if not isinstance(text, str):
            raise InvalidArchitectureError(f"expected a {self.description} as text, got {type(text).__name__}")
        return text.strip()

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> Any:
        """Draw one architecture uniformly at random."""

    @abstractmethod
    def mutate(self, arch: Any, rng: np.random.Generator) -> Any:
        """Return a random neighbour of ``arch`` (different from it, inside the space)."""

    @abstractmethod
    def neighbours(self, arch: Any) -> list[Any]:
        """All architectures one mutation away from ``arch``."""

    @abstractmethod
    def canonical(self, arch: Any) -> Hashable:
        """A key equal for isomorphic architectures and those that differ only in dead branches."""

    @abstractmethod
    def to_graph(self, arch: Any) -> LabeledDAG:
        """The node-labelled DAG of ``arch``."""

    @property
    def size(self) -> int | None:
        """Number of architectures in the space, or ``None`` where it is not finite or not counted."""
        return None

    def enumerate(self) -> Iterator[Any]:
        """Every architecture of a finite space, in a fixed order."""
        raise NotImplementedError(f"search space {self.name!r} is too large to enumerate")

    def contains(self, arch: Any) -> bool:
        """Whether ``arch`` belongs to this space."""
        try:
            self.validate(arch)
        except InvalidArchitectureError:
            return False
        return True

    def sample_many(self, n: int, rng: np.random.Generator) -> list[Any]:
        """Draw ``n`` architectures uniformly (with replacement)."""
        return [self.sample(rng) for _ in range(n)]

    def sample_distinct(
        self, n: int, rng: np.random.Generator, *, exclude: Container[Hashable] = frozenset(),
        max_draws: int | None = None,
    ) -> list[Any]:
        """Up to ``n`` architectures of distinct canonical forms, none of them in ``exclude`` (canonical keys), drawn
        uniformly one at a time; fewer only when ``max_draws`` draws (default: no limit) do not find ``n``."""
        out: list[Any] = []
        keys: set[Hashable] = set()
        draws = 0
        while len(out) < n and (max_draws is None or draws < max_draws):
            draws += 1
            arch = self.sample(rng)
            key = self.canonical(arch)
            if key not in keys and key not in exclude:
                keys.add(key)
                out.append(arch)
        return out

    def validate_many(self, archs: Sequence[Any]) -> list[Any]:
        """Validate each architecture; the error names the position of the first bad one."""
        out = []
        for i, arch in enumerate(archs):
            try:
                out.append(self.validate(arch))
            except InvalidArchitectureError as err:
                raise InvalidArchitectureError(f"architecture at position {i}: {err}") from err
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def integer_key(value: Any, what: str, limit: int) -> int:
    """``value`` as an integer in ``0..limit - 1`` (an architecture's id or key), else an error naming ``what``."""
    try:
        number = as_index(value)
    except TypeError:
        number = None
    if number is None or isinstance(value, (bool, np.bool_)):
        raise InvalidArchitectureError(
            f"a {what} is an integer 0..{limit - 1}, got {type(value).__name__} {value!r}"
        ) from None
    if not 0 <= number < limit:
        raise InvalidArchitectureError(f"{what} {number} is outside 0..{limit - 1}")
    return number


def _article(name: str) -> str:
    """The article of a class name that starts with an acronym read letter by letter (an NB101Arch, a DARTSArch)."""
    return "an" if name[:1] in "AEFHILMNORSX" else "a"
