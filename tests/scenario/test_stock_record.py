"""A stock entry's ``record`` (sorties and duty flown before): read, written back, and refused
at its line when half a duty is given or it ends before it begins."""

from __future__ import annotations

import pytest

import evacuate
from evacuate.errors import ScenarioError

TEXT = """scenario: {{id: worn, end: 10}}
places:
  - {{id: town, population: 10}}
  - {{id: haven, capacity: 10}}
travel: {{routes: lanes, lanes: [{{id: road, from: town, to: haven, time: 1}}]}}
fleet:
  classes: [{{id: bus, capacity: 5, max_sorties: 3, rest: {{after: 4, for: 2}}}}]
  stock:
    - {{class: bus, place: haven, count: 1,
       record: {record}}}
"""


def test_a_record_reads_and_writes_back() -> None:
    """sorties, duty_from and last_end read as given and survive to_data."""
    s = evacuate.scenario.loads(TEXT.format(record="{sorties: 2, duty_from: 1, last_end: 3}"))
    rec = s.fleet.stock[0].record
    assert rec is not None and (rec.sorties, rec.duty_from, rec.last_end) == (2, 1.0, 3.0)
    again = evacuate.scenario.from_dict(s.to_data())
    assert again.fleet.stock[0].record == rec


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ("{sorties: 1, duty_from: 1}", "fleet.stock[0].record.last_end"),
        ("{sorties: 1, duty_from: 3, last_end: 1}", "fleet.stock[0].record.last_end"),
        ("{sorties: -1}", "fleet.stock[0].record.sorties"),
    ],
)
def test_a_broken_record_is_refused_at_its_line(record: str, expected: str) -> None:
    """Half a duty, a duty ending before it begins, negative sorties: the field path and
    the line (10) in the message."""
    with pytest.raises(ScenarioError) as err:
        evacuate.scenario.loads(TEXT.format(record=record))
    message = str(err.value)
    assert expected in message and ":10" in message, message
