"""Import bus evacuation problem (BEP) instances (Bish 2011) as evacuate scenarios.

The classic BEP: identical buses start at yards, drive to assembly points where evacuees wait,
carry them to shelters with limited capacity and shuttle back; the aim is to minimise the time
the last evacuee reaches a shelter (the makespan). ``read_bep`` parses the plain-text format of
the public instance sets, ``bep_to_scenario`` writes the same problem in our scenario format
(the mapping is in ``docs/bep.md``), and ``import_bep`` does both and writes a scenario file.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evacuate.bep_schedule import BUS_CLASS, greedy_makespan, greedy_schedule
from evacuate.errors import Issue, ScenarioError
from evacuate.files import atomic_write, read_at_most
from evacuate.scenario import limits
from evacuate.scenario.scenario import Scenario

__all__ = [
    "MAX_LANES",
    "OBJECTIVE",
    "BepInstance",
    "bep_to_scenario",
    "format_bep",
    "greedy_makespan",
    "greedy_schedule",
    "import_bep",
    "parse_bep",
    "read_bep",
]

log = logging.getLogger(__name__)

OBJECTIVE = "min-makespan"
"""The BEP's objective, in the planner's vocabulary."""

MAX_LANES = limits.MAX_NODES // 11
"""Lanes an imported scenario may have (yards x points + points x shelters): each takes up to
11 of the ``limits.MAX_NODES`` values a scenario file may hold, so what is written loads back."""


@dataclass(frozen=True)
class BepInstance:
    """A BEP instance as written in the file (yards, points and shelters in file order)."""

    bus_capacity: int
    yard_buses: tuple[int, ...]
    """Buses at each yard."""
    demand: tuple[int, ...]
    """Evacuees waiting at each assembly point."""
    shelter_capacity: tuple[int, ...]
    yard_point: tuple[tuple[float, ...], ...]
    """``yard_point[y][i]``: distance (= travel time) from yard y to point i."""
    point_shelter: tuple[tuple[float, ...], ...]
    """``point_shelter[i][s]``: distance between point i and shelter s (both ways)."""
    source: str = "<data>"

    @property
    def buses(self) -> int:
        return sum(self.yard_buses)

    @property
    def total_demand(self) -> int:
        return sum(self.demand)

    @property
    def total_capacity(self) -> int:
        return sum(self.shelter_capacity)


class _Tokens:
    """A stream of whitespace-separated tokens that remembers each token's line."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.items: list[tuple[str, int]] = [
            (tok, n) for n, line in enumerate(text.splitlines(), start=1) for tok in line.split()
        ]
        self.pos = 0
        self.issues: list[Issue] = []

    def fail(self, message: str, line: int | None) -> ScenarioError:
        return ScenarioError([*self.issues, Issue(message, file=self.source, line=line)])

    def note(self, message: str, line: int | None) -> None:
        self.issues.append(Issue(message, file=self.source, line=line))

    @property
    def last_line(self) -> int:
        return self.items[-1][1] if self.items else 1

    def peek_line(self) -> int | None:
        return self.items[self.pos][1] if self.pos < len(self.items) else None

    def line_of_previous(self) -> int:
        return self.items[self.pos - 1][1] if self.pos > 0 else 1

    def start_section(self, what: str) -> int:
        """The line a section starts on; it must start on a new line (not after other values)."""
        if self.pos >= len(self.items):
            raise self.fail(f"the file ends early; expected {what}", self.last_line)
        line = self.items[self.pos][1]
        if self.pos > 0 and self.items[self.pos - 1][1] == line:
            raise self.fail(f"{what} must start on a new line; found it after other values", line)
        return line

    def number(self, what: str, *, integer: bool, most: float) -> tuple[float, int]:
        """The next token as a number; past ``most`` (the scenario format's limit for what it
        becomes, ``evacuate.scenario.limits``) it is noted with its line."""
        if self.pos >= len(self.items):
            raise self.fail(f"the file ends early; expected {what}", self.last_line)
        tok, line = self.items[self.pos]
        self.pos += 1
        try:
            value = float(int(tok)) if integer else float(tok)
        except ValueError:
            kind = "an integer" if integer else "a number"
            raise self.fail(f"found {tok!r}; expected {kind}: {what}", line) from None
        if not math.isfinite(value):
            raise self.fail(f"found {tok!r}; expected a finite number: {what}", line)
        if value < 0:
            self.note(f"found {tok}; expected a non-negative number: {what}", line)
        elif value > most:
            self.note(f"found {tok}; expected at most {most:,.0f}: {what}", line)
        return value, line

    def integer(self, what: str, most: float = math.inf) -> tuple[int, int]:
        value, line = self.number(what, integer=True, most=most)
        return int(value), line

    def end_line(self, line: int, what: str) -> None:
        """Nothing more may follow on ``line`` (the next section starts on a new line)."""
        if self.peek_line() == line:
            tok = self.items[self.pos][0]
            raise self.fail(f"found {tok!r} after {what}; expected the end of the line", line)

    def values(
        self,
        count: int,
        what: str,
        start_line: int,
        plural: str,
        *,
        integer: bool,
        most: float,
        announced: bool = True,
    ) -> list[float]:
        """``count`` values of a section that started on ``start_line`` (may wrap onto later
        lines); the next section must start on a new line, so a short or long line is caught."""
        out: list[float] = []
        for k in range(count):
            if self.pos >= len(self.items):
                raise self.fail(
                    _mismatch(count, len(out), plural, announced) + " (the file ends)", start_line
                )
            out.append(self.number(f"{what} {k + 1}", integer=integer, most=most)[0])
        end_line = self.line_of_previous() if count else start_line
        nxt = self.peek_line()
        if nxt is not None and nxt == end_line:
            # the section ends in the middle of a line: its count does not match the file
            if end_line == start_line:
                rest = sum(1 for _, ln in self.items[self.pos :] if ln == end_line)
                given = count + rest
            else:
                given = sum(1 for _, ln in self.items[self.pos - count : self.pos] if ln < end_line)
            raise self.fail(_mismatch(count, given, plural, announced), start_line)
        return out


def _mismatch(count: int, given: int, plural: str, announced: bool) -> str:
    if announced:
        return f"{count} {plural} announced, {given} given"
    return f"expected {count} {plural}, found {given}"


def parse_bep(text: str, source: str = "<string>") -> BepInstance:
    """Parse BEP text (see ``read_bep``); raises ``ScenarioError`` naming the line at fault."""
    tk = _Tokens(text, source)
    if not tk.items:
        raise tk.fail("the file is empty; expected a BEP instance ('buses capacity' first)", 1)

    # line 1: buses capacity
    l1 = tk.start_section("the bus line 'buses capacity'")
    buses, _ = tk.integer("number of buses")
    capacity, _ = tk.integer("bus capacity", limits.MAX_CAPACITY)
    if capacity == 0:
        tk.note("bus capacity is 0; expected at least 1", l1)
    tk.end_line(l1, "'buses capacity'")

    # line 2: yards, then buses at each yard
    l2 = tk.start_section("the yard line 'yards buses_at_yard_1 ...'")
    n_yards, _ = tk.integer("number of yards")
    if n_yards <= 0:
        raise tk.fail(f"{n_yards} yards; expected at least one yard", l2)
    yard_buses = [
        int(v)
        for v in tk.values(
            n_yards, "buses at yard", l2, "yard bus counts", integer=True, most=limits.MAX_VEHICLES
        )
    ]
    if sum(yard_buses) != buses:
        tk.note(
            f"buses at the yards sum to {sum(yard_buses)}, but line {l1} announces {buses} buses",
            l2,
        )

    # line 3: points total_demand, then each point's demand
    l3 = tk.start_section("the point line 'points total_demand demand_1 ...'")
    n_points, _ = tk.integer("number of assembly points")
    total_demand, _ = tk.integer("total demand")
    if n_points <= 0:
        raise tk.fail(f"{n_points} assembly points; expected at least one", l3)
    demand = [
        int(v)
        for v in tk.values(
            n_points, "demand of point", l3, "point demands", integer=True, most=limits.MAX_PEOPLE
        )
    ]
    if sum(demand) != total_demand:
        tk.note(
            f"point demands sum to {sum(demand)}, but the total announced is {total_demand}", l3
        )

    # line 4: shelters total_capacity, then each shelter's capacity
    l4 = tk.start_section("the shelter line 'shelters total_capacity capacity_1 ...'")
    n_shelters, _ = tk.integer("number of shelters")
    total_capacity, _ = tk.integer("total shelter capacity")
    if n_shelters <= 0:
        raise tk.fail(f"{n_shelters} shelters; expected at least one", l4)
    cap = [
        int(v)
        for v in tk.values(
            n_shelters,
            "capacity of shelter",
            l4,
            "shelter capacities",
            integer=True,
            most=limits.MAX_PEOPLE,
        )
    ]
    if sum(cap) != total_capacity:
        tk.note(
            f"shelter capacities sum to {sum(cap)}, but the total announced is {total_capacity}", l4
        )
    lanes = n_yards * n_points + n_points * n_shelters
    if lanes > MAX_LANES:
        tk.note(
            f"{n_yards:,} yards, {n_points:,} points and {n_shelters:,} shelters make {lanes:,}"
            f" lanes (yard to point, point to shelter); expected at most {MAX_LANES:,}, what a"
            " scenario file holds",
            l4,
        )

    # one row per yard: index, then its distance to each point
    yard_point: list[tuple[float, ...]] = []
    for y in range(1, n_yards + 1):
        line = tk.start_section(f"the row of yard {y} ('{y}' then {n_points} distances)")
        index, _ = tk.integer(f"yard index (expected {y})")
        if index != y:
            raise tk.fail(f"found yard index {index}; expected the row of yard {y}", line)
        row = tk.values(
            n_points,
            f"distance from yard {y} to point",
            line,
            f"distances from yard {y} (one per point)",
            integer=False,
            most=limits.MAX_TIME,
            announced=False,
        )
        yard_point.append(tuple(row))

    # one row per point: index, then its distance to each shelter
    point_shelter: list[tuple[float, ...]] = []
    for i in range(1, n_points + 1):
        line = tk.start_section(f"the row of point {i} ('{i}' then {n_shelters} distances)")
        index, _ = tk.integer(f"point index (expected {i})")
        if index != i:
            raise tk.fail(f"found point index {index}; expected the row of point {i}", line)
        row = tk.values(
            n_shelters,
            f"distance from point {i} to shelter",
            line,
            f"distances from point {i} (one per shelter)",
            integer=False,
            most=limits.MAX_TIME,
            announced=False,
        )
        point_shelter.append(tuple(row))

    if tk.pos < len(tk.items):
        tok, line = tk.items[tk.pos]
        raise tk.fail(f"found {tok!r} after the last point row; expected the end of the file", line)
    if tk.issues:
        raise ScenarioError(tk.issues)
    return BepInstance(
        bus_capacity=capacity,
        yard_buses=tuple(yard_buses),
        demand=tuple(demand),
        shelter_capacity=tuple(cap),
        yard_point=tuple(yard_point),
        point_shelter=tuple(point_shelter),
        source=source,
    )


def read_bep(path: str | Path) -> BepInstance:
    """Read a BEP instance file: whitespace-separated numbers, indices from 1.

    Line 1 ``buses capacity``; line 2 ``yards`` and the buses at each yard; line 3 ``points
    total_demand`` and each point's demand; line 4 ``shelters total_capacity`` and each
    shelter's capacity; then per yard ``index`` and its distance to each point; then per point
    ``index`` and its distance to each shelter. Blank lines are ignored and a section may wrap
    onto following lines, but each section starts on a new line.
    """
    source = str(path)
    try:
        raw = read_at_most(path, limits.MAX_FILE_BYTES)
        if raw is None:
            size = f"{limits.MAX_FILE_BYTES // 2**20} MiB"
            message = f"the file is larger than {size} (the limit for an instance)"
            raise ScenarioError([Issue(message, file=source)])
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        raise ScenarioError(
            [Issue(f"cannot read the file: {exc.strerror or exc}", file=source)]
        ) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError([Issue(f"not UTF-8 text (byte {exc.start})", file=source)]) from None
    return parse_bep(text, source)


def format_bep(inst: BepInstance) -> str:
    """The instance in the text format ``parse_bep`` reads (one section a line)."""

    def row(values: Any) -> str:
        return " ".join(str(_num(float(v))) for v in values)

    lines = [
        f"{inst.buses} {inst.bus_capacity}",
        f"{len(inst.yard_buses)} {row(inst.yard_buses)}",
        f"{len(inst.demand)} {inst.total_demand} {row(inst.demand)}",
        f"{len(inst.shelter_capacity)} {inst.total_capacity} {row(inst.shelter_capacity)}",
        "",
        *(f"{y + 1} {row(d)}" for y, d in enumerate(inst.yard_point)),
        "",
        *(f"{i + 1} {row(d)}" for i, d in enumerate(inst.point_shelter)),
    ]
    return "\n".join(lines) + "\n"


def _scenario_id(name: str) -> str:
    ident = re.sub(r"[^A-Za-z0-9_.\-]", "_", name.strip()) or "bep"
    if not re.match(r"[A-Za-z_]", ident):
        ident = "bep_" + ident
    return ident[:100]


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def bep_to_scenario(instance: BepInstance, name: str) -> dict[str, Any]:
    """The instance as scenario data in our file format (see ``docs/bep.md``).

    Yards become depots with bus stock, points places with ``population`` = demand (no
    deadline), shelters havens with ``capacity`` and ``open_from`` after the horizon (no
    loaded trip leaves a shelter: evacuees stay where they are dropped); lanes yard -> point
    (one way) and point <-> shelter (both ways) with ``time`` = distance; ``scenario.end`` is
    a feasible schedule's makespan, so the optimum fits in the horizon. The objective is
    ``OBJECTIVE``.
    """
    inst = instance
    horizon = greedy_makespan(inst)
    end = max(1.0, float(math.ceil(horizon - 1e-9)))
    if end + 1 > limits.MAX_TIME:
        message = (
            f"a simple schedule of this instance ends at {horizon:,.6g} (its distances times the"
            f" loads each bus carries); expected at most {limits.MAX_TIME - 2:,.0f}, the"
            " longest horizon a scenario may have: shorter distances, more buses or more seats"
        )
        raise ScenarioError([Issue(message, file=inst.source)])
    yards = [f"yard_{y + 1}" for y in range(len(inst.yard_buses))]
    points = [f"point_{i + 1}" for i in range(len(inst.demand))]
    shelters = [f"shelter_{s + 1}" for s in range(len(inst.shelter_capacity))]
    places: list[dict[str, Any]] = []
    places += [{"id": y, "name": f"Yard {k + 1}"} for k, y in enumerate(yards)]
    places += [
        {"id": p, "name": f"Assembly point {k + 1}", "population": inst.demand[k]}
        for k, p in enumerate(points)
    ]
    # the BEP drops evacuees at a shelter for good: no loaded trip may leave a shelter within
    # the horizon (else a bus could carry people on its way back to a point and relay them
    # from there, a schedule the BEP does not allow, which can finish earlier)
    sealed = _num(end + 1)
    places += [
        {
            "id": s,
            "name": f"Shelter {k + 1}",
            "capacity": inst.shelter_capacity[k],
            "open_from": sealed,
        }
        for k, s in enumerate(shelters)
    ]
    lanes: list[dict[str, Any]] = []
    for y, yid in enumerate(yards):
        for i, pid in enumerate(points):
            lanes.append(
                {
                    "id": f"{yid}-{pid}",
                    "from": yid,
                    "to": pid,
                    "bidirectional": False,
                    "time": _num(inst.yard_point[y][i]),
                }
            )
    for i, pid in enumerate(points):
        for s, sid in enumerate(shelters):
            lanes.append(
                {
                    "id": f"{pid}-{sid}",
                    "from": pid,
                    "to": sid,
                    "time": _num(inst.point_shelter[i][s]),
                }
            )
    stock = [
        {"id": f"buses_{yid}", "class": BUS_CLASS, "place": yid, "count": n}
        for yid, n in zip(yards, inst.yard_buses, strict=True)
        if n > 0
    ]
    description = (
        f"Bus evacuation problem (Bish 2011) imported from {inst.source}: {inst.buses} buses of "
        f"capacity {inst.bus_capacity} at {len(yards)} yard(s), {inst.total_demand} evacuees at "
        f"{len(points)} assembly point(s), {len(shelters)} shelter(s) holding "
        f"{inst.total_capacity}. Objective: {OBJECTIVE} (minimise when the last evacuee reaches "
        f"a shelter). Times are the instance's distances (unitless, read as minutes); the "
        f"horizon is a greedy schedule's makespan ({_num(horizon)})."
    )
    return {
        "scenario": {
            "id": _scenario_id(name),
            "name": name,
            "description": description,
            "time_unit": "minute",
            "end": _num(end),
        },
        "places": places,
        "travel": {"routes": "lanes", "lanes": lanes},
        "fleet": {
            "classes": [{"id": BUS_CLASS, "name": "Bus", "capacity": inst.bus_capacity}],
            "stock": stock,
        },
    }


def import_bep(src: str | Path, dst: str | Path, name: str | None = None) -> Scenario:
    """Read a BEP file, convert it, validate the scenario and write it to ``dst`` atomically
    (``.json`` gives JSON, anything else YAML). Returns the validated scenario."""
    from evacuate.scenario.load import dumps, from_dict

    instance = read_bep(src)
    data = bep_to_scenario(instance, name or Path(src).stem)
    scenario = from_dict(data, source=str(src))
    text = dumps(scenario, "json" if Path(dst).suffix.lower() == ".json" else "yaml")
    size = len(text.encode("utf-8"))
    if size > limits.MAX_FILE_BYTES:
        message = (
            f"the scenario would take {size / 2**20:.1f} MiB; expected at most"
            f" {limits.MAX_FILE_BYTES // 2**20} MiB, what a scenario file may be: fewer yards,"
            " points or shelters"
        )
        raise ScenarioError([Issue(message, file=str(src))])
    atomic_write(dst, text)
    log.info("imported BEP %s -> %s", src, dst)
    return scenario
