"""Hostile plan files at the reader: a valid plan's CSV or JSON text with one cell, header value
or stretch of text replaced by something hostile (NaN, infinities, 1e309, a 5,000-digit number,
-0, hex, underscores, non-ASCII digits, controls, NUL, quotes, separators, a lone surrogate,
JSON of another type). The reader either refuses the file (``PlanFormatError``: the CLI's exit 2,
every problem with its place) or returns a plan the checker then judges without raising."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evacuate
from evacuate.errors import PlanFormatError
from evacuate.planio import read_plan
from tests.strategies import json_values

DATA = Path(__file__).resolve().parent / "data" / "hostile"
SINK = DATA / "kitchen_sink.yaml"
SINK_PLAN = DATA / "kitchen_sink_plan.csv"
WALK = Path(__file__).resolve().parent / "data" / "walkways" / "walk_only.yaml"
WALK_PLAN = DATA / "walk_only_plan.csv"

TOKENS = [
    "", " ", "nan", "NaN", "inf", "-inf", "Infinity", "1e309", "-1e309", "1e-400", "-0",
    "0x10", "1_0", "\u0661", "\uff11", "9" * 5000, "\x00", "\x1b[2J", "\u202e", '"', "a,b",
    "\r", "\n", "+5", "5.", ".5", "true", "null", "[]", "{}", "\u00e9", "7.0", "7.5", "-1",
    str(2**63), str(10**18), str(10**18 + 1), "1e18", "9.999e17", "0", "#",
]  # fmt: skip
"""What replaces a cell or a header value."""


def _check_or_refuse(scenario: Path, path: Path) -> None:
    try:
        plan = read_plan(path)
    except PlanFormatError as exc:
        assert exc.issues and all(i.file == str(path) for i in exc.issues)
        return
    evacuate.check(evacuate.load(scenario), plan)  # a report, whatever it says


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BASES = [(SINK, SINK_PLAN), (WALK, WALK_PLAN)]
HOSTILE = st.sampled_from(TOKENS) | st.text(max_size=6)


@SETTINGS
@given(data=st.data())
def test_a_csv_plan_with_a_hostile_cell_is_refused_or_judged(
    tmp_path: Path, data: st.DataObject
) -> None:
    scenario, plan = data.draw(st.sampled_from(BASES), label="plan")
    lines = plan.read_text(encoding="utf-8").split("\n")
    k = data.draw(st.integers(0, len(lines) - 1), label="line")
    token = data.draw(HOSTILE, label="token")
    if lines[k].startswith("#") and ":" in lines[k]:
        lines[k] = f"{lines[k].split(':', 1)[0]}: {token}"
    else:
        cells = lines[k].split(",")
        cells[data.draw(st.integers(0, len(cells) - 1), label="cell")] = token
        lines[k] = ",".join(cells)
    out = tmp_path / "hostile.csv"
    out.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    _check_or_refuse(scenario, out)


@SETTINGS
@given(data=st.data())
def test_a_json_plan_with_a_hostile_value_is_refused_or_judged(
    tmp_path: Path, data: st.DataObject
) -> None:
    scenario, plan = data.draw(st.sampled_from(BASES), label="plan")
    doc = _as_json(read_plan(plan))
    part = data.draw(st.sampled_from(["trips", "header", "walks"]), label="part")
    value = data.draw(
        json_values | HOSTILE | st.sampled_from([10**400, 2**63, -(2**63), 1e308]), label="value"
    )
    if part == "header":
        key = data.draw(st.sampled_from([*doc["header"], "extra"]), label="key")
        doc["header"][key] = value
    elif doc.get(part):
        row = data.draw(st.sampled_from(doc[part]), label="row")
        row[data.draw(st.sampled_from([*row, "extra"]), label="key")] = value
    else:
        doc[part] = value
    out = tmp_path / "hostile.json"
    out.write_text(json.dumps(doc), encoding="utf-8", errors="surrogatepass")
    _check_or_refuse(scenario, out)


def _as_json(plan: object) -> dict[str, object]:
    from evacuate.planio.json_form import json_text

    loaded: dict[str, object] = json.loads(json_text(plan))  # type: ignore[arg-type]
    return loaded


def test_numbers_in_a_csv_plan_are_plain_ascii(tmp_path: Path) -> None:
    """``3_0`` and other scripts' digits are numbers to Python's int() and float(), not to a
    plan file: refused with the cell's place, where ``30``, ``+30``, ``30.0`` and ``3e1`` are
    read."""
    lines = SINK_PLAN.read_text(encoding="utf-8").split("\n")
    header = lines.index(next(x for x in lines if x.startswith("group,")))
    cells = lines[header + 1].split(",")
    col = lines[header].split(",").index("depart")
    for token, ok in [("1_0", False), ("\u0661", False), ("\uff11", False), ("10", True),
                      ("+10", True), ("10.0", True), ("1e1", True), (".5", True)]:  # fmt: skip
        changed = cells.copy()
        changed[col] = token
        path = tmp_path / "plan.csv"
        path.write_text(
            "\n".join([*lines[: header + 1], ",".join(changed), *lines[header + 2 :]]),
            encoding="utf-8",
        )
        try:
            plan = read_plan(path)
        except PlanFormatError as exc:
            assert not ok, (token, exc.issues)
            assert any(i.line == header + 2 for i in exc.issues), exc.issues
        else:
            assert ok, token
            assert plan.trips[0].depart == float(token)
