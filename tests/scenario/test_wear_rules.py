"""Validation of parking stands, sortie limits and rest (issue 10 items 4 and 8): one broken
file per rule (in tests/data/broken_wear), each reported with its path, line and message."""

from __future__ import annotations

from pathlib import Path

import yaml

import evacuate
from evacuate.scenario import schema
from tests.scenario.broken import Expected, broken_file_tests

BROKEN = Path(__file__).parent.parent / "data" / "broken_wear"

# file stem -> (path, line, message fragment)
EXPECTED: Expected = {
    "stands_unknown_class": (
        "places[0].stands",
        8,
        "unknown class 'helicoptr' (did you mean 'helicopter'?)",
    ),
    "stock_over_stands": (
        "fleet.stock[0].count",
        23,
        "found 23 vehicles in stock at roof, which has 2 stand(s); expected at most",
    ),
    "negative_stands": ("places[0].stands.helicopter", 8, "found -1; expected at least 0"),
    "stands_below_zero": (
        "places[0].stands",
        8,
        "found -2; expected a whole number >= 0, or {class id: whole number >= 0}",
    ),
    "rest_without_for": ("fleet.classes[0].rest.for", 20, "missing; this field is required"),
    "rest_after_zero": ("fleet.classes[0].rest.after", 20, "expected a number above 0"),
    "fractional_sorties": ("fleet.classes[0].max_sorties", 20, "found 2.5"),
}


test_every_broken_file_has_expectations, test_broken_file_reports_path_line_and_message = (
    broken_file_tests(BROKEN, EXPECTED)
)


def test_the_schema_knows_stands_sorties_and_rest() -> None:
    """The JSON Schema has ``stands`` (a number or per class), ``max_sorties`` and ``rest``
    with its ``after`` and ``for``."""
    text = str(schema.json_schema())
    for name in ("'stands'", "'max_sorties'", "'rest'", "'after'", "'for'"):
        assert name in text


def test_stands_sorties_and_rest_round_trip() -> None:
    """A scenario with all three loads, and writes back (``for``, not ``rest_for``) to an
    equal scenario."""
    data = yaml.safe_load((BROKEN / "stock_over_stands.yaml").read_text())
    data["fleet"]["stock"][0]["place"] = "ship"
    data["places"][0]["stands"] = {"helicopter": 2}
    data["fleet"]["classes"][0]["max_sorties"] = 6
    data["fleet"]["classes"][0]["rest"] = {"after": 12, "for": 8}
    s = evacuate.scenario.from_dict(data)
    back = s.to_data()
    assert back["fleet"]["classes"][0]["rest"] == {"after": 12.0, "for": 8.0}
    assert evacuate.scenario.from_dict(back) == s
    assert s.places[0].stands == {"helicopter": 2}
