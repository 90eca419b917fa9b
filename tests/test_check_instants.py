"""The checker's search for an order of one instant's trips (check/instants.py) against
every interleaving of the groups' events, on tiny instants."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from evacuate.check.instants import _search

Event = tuple[int, int, int]  # (trip, place, change in people there)


def _any_order(seqs: list[list[Event]], have: dict[int, int]) -> bool:
    """Whether some interleaving keeps every place's people at zero or more (exhaustive)."""
    if all(not seq for seq in seqs):
        return True
    for g, seq in enumerate(seqs):
        if seq and have.get(seq[0][1], 0) + seq[0][2] >= 0:
            after = dict(have)
            after[seq[0][1]] = after.get(seq[0][1], 0) + seq[0][2]
            if _any_order([s[1:] if k == g else s for k, s in enumerate(seqs)], after):
                return True
    return False


@st.composite
def _instants(draw: st.DrawFn) -> tuple[list[list[Event]], dict[int, int]]:
    """Up to 3 groups of up to 4 trips between 3 places (each trip a pickup, then maybe
    a delivery), and up to 2 people at each place."""
    seqs: list[list[Event]] = []
    trip = 0
    for _ in range(draw(st.integers(1, 3))):
        seq: list[Event] = []
        for _ in range(draw(st.integers(1, 4))):
            o, d = draw(st.sampled_from([(0, 1), (1, 0), (1, 2), (2, 1), (0, 2), (2, 0)]))
            n = draw(st.integers(1, 2))
            seq.append((trip, o, -n))
            if draw(st.booleans()):
                seq.append((trip, d, n))
            trip += 1
        seqs.append(seq)
    have = {p: draw(st.integers(0, 2)) for p in range(3)}
    return seqs, have


@settings(max_examples=60, deadline=None)
@given(_instants())
def test_the_search_finds_an_order_exactly_when_one_exists(
    case: tuple[list[list[Event]], dict[int, int]],
) -> None:
    """Found (True) or proven absent (False), as the exhaustive enumeration says."""
    seqs, have = case
    found, _ = _search([list(s) for s in seqs], dict(have))
    assert found is _any_order(seqs, have)
