"""What every registered search space does alike: write and read back its architectures, and refuse what is not
one of them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from naspred.errors import InvalidArchitectureError
from naspred.spaces import get, names

#: one architecture of each space, drawn with a fixed seed
SAMPLES = {name: get(name).sample(np.random.default_rng(0)) for name in names()}

#: text that each space refuses to parse (besides the cases of its own module, which check the messages)
MALFORMED = {
    "nb201": [
        "",
        "nonsense",
        "|none~0|+|none~0|none~1|",
        "|none~1|+|none~0|none~1|+|none~0|none~1|none~2|",
        "(4, 0, 3, 1, 4, 3",
        "(a, b, c, d, e, f)",
        "none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
    ],
    "nbgraph": [
        "",
        "link=0,1,2 ops=gcn,gcn,gcn,gcn",
        "link=0,1,2,3",
        "ops=gcn link=0",
        "link=0,a,2,3 ops=gcn,gcn,gcn,gcn",
        "([0, 1, 2, 3], ['gcn'])",
        "([0, 1, 2, 3]",
        "12345",
    ],
}


@pytest.mark.parametrize(("name", "text"), [(name, text) for name, texts in MALFORMED.items() for text in texts])
def test_malformed_text_is_refused(name, text):
    with pytest.raises(InvalidArchitectureError):
        get(name).parse(text)


@pytest.mark.parametrize("name", names())
def test_arch_of_another_space_is_rejected(name):
    """Architectures of the other spaces, the space's own text and a plain tuple: ``validate`` names the expected
    type, ``format`` raises too, ``contains`` is False."""
    space = get(name)
    others = [arch for other, arch in SAMPLES.items() if other != name]
    others += [space.format(SAMPLES[name]), (1, 2, 3, 4), ([[0, 1], [0, 0]], ["input", "output"])]
    for other in others:
        with pytest.raises(InvalidArchitectureError, match=f"expected an? {space.arch_type.__name__}"):
            space.validate(other)
        with pytest.raises(InvalidArchitectureError):
            space.format(other)
        assert not space.contains(other)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(names()), st.integers(0, 2**32 - 1))
def test_format_then_parse_round_trips(name, seed):
    space = get(name)
    arch = space.sample(np.random.default_rng(seed))
    assert space.parse(space.format(arch)) == arch
