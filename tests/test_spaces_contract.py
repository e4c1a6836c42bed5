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

#: text that each space refuses to parse, with what the error says (None: not checked)
BAD_TEXT: dict[str, list[tuple[str, str | None]]] = {
    "nb201": [
        ("", None),
        ("nonsense", None),
        ("|none~0|+|none~0|none~1|", None),
        ("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", None),
        ("(4, 0, 3, 1, 4, 3", None),
        ("(a, b, c, d, e, f)", None),
        ("none~0|+|none~0|none~1|+|none~0|none~1|none~2|", None),
    ],
    "nbgraph": [
        ("", None),
        ("link=0,1,2 ops=gcn,gcn,gcn,gcn", None),
        ("link=0,1,2,3", None),
        ("ops=gcn link=0", None),
        ("link=0,a,2,3 ops=gcn,gcn,gcn,gcn", None),
        ("([0, 1, 2, 3], ['gcn'])", None),
        ("([0, 1, 2, 3]", None),
        ("12345", None),
    ],
    "darts": [
        ("Genotype(normal=", "unreadable Genotype"),
        ("(((0, 3),), ((0, 3),))", "normal cell has 1"),
        ("((0, 1), (1, 2), (0, 3))", "two cells"),
        ("sep_conv_3x3", "not a DARTS architecture"),
    ],
    "nb101": [
        ("00005c142e6f48ac74fdcf73e3439874", "module hash"),
        ("conv3x3", "not a NAS-Bench-101 cell"),
        ('{"matrix": [[0, 1], [0, 0]]}', 'exactly the keys "matrix" and "ops"'),
        ('{"matrix": [[0, 1], [0, 0]], "ops": ["input", "output"]', "not valid JSON"),
        ("(0, 1, 0, 0, 0)", r"5 integers; expected n\*n \+ n"),
        ("(0, 1, 0, 0, 0, 7)", "op code 7"),
        ("(0, 1, 0, 0, 1, 0)", "first op is 'output'"),
    ],
    "tnb101-macro": [
        ("12345", "module code 5 is unknown"),
        ("123", "3 modules; expected 4 to 6"),
        ("1234123", "7 modules; expected 4 to 6"),
        ("1122", "downsamples 0 times"),
        ("3333", "doubles the channels 0 times"),
        ("333342", "downsamples 5 times"),
        ("224431", "doubles the channels 4 times"),
        ("64-41414-1_02_333", "micro space"),
        ("32-1234-basic", "base channels 32"),
        ("(1, 2, 0, 4, 0, 0)", "zero padding"),
        ("(1, 2, 3, 4)", "expected 6 codes"),
        ("12a4", "digits 1..4"),
        ("a-b", "not a TransNAS-Bench-101 macro architecture"),
    ],
}


@pytest.mark.parametrize(
    ("name", "text", "message"), [(name, *case) for name, cases in BAD_TEXT.items() for case in cases]
)
def test_bad_text_is_refused(name, text, message):
    with pytest.raises(InvalidArchitectureError, match=message):
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
