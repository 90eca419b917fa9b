"""Seeded random evacuation scenarios of any size, for benchmarks and tests.

The model: a hazard front spreads from the origin of a plane map (km) and reaches threatened
places (within ``R`` km) between about a third and nine tenths of the horizon; some places
have an explicit deadline instead, a later arrival of people, or open late. Havens lie on a ring
outside the hazard's reach, with room for everyone in all but of uneven size (the small ones
fill up); depots lie further out with vehicle stock; optionally a shipyard at the first depot
produces more vehicles over the first half of the horizon. Time is in hours and the horizon
is ``steps`` hours, so with the natural resolution dt = 1 h there are ``steps`` time steps,
and a trip from a threatened place to a near haven takes several steps (about ``steps / 25``,
at least 3, at most 40).
Population is set so that the fleet cannot quite move everyone in time.

``generate(seed, ...)`` returns scenario data (a plain dict in the file format); the same seed
and knobs always give the same data. ``LADDER`` lists sizes from tiny to 50 places x 20,000
vehicles x 1,000 steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["LADDER", "SCALE", "Size", "generate", "ladder"]

R_THREAT = 100.0
"""Radius (km) of the threatened disc; the hazard stops just beyond it."""

# (id, capacity, speed factor, load time factor, unload time factor); times are x tau
_CLASSES = (
    ("bus", 50, 1.0, 0.10, 0.05),
    ("coach", 80, 0.8, 0.15, 0.08),
    ("van", 12, 1.3, 0.05, 0.03),
)


@dataclass(frozen=True)
class Size:
    """One rung of the benchmark ladder: a name and the knobs of ``generate``."""

    name: str
    places: int
    vehicles: int
    steps: int
    classes: int
    havens: int | None = None
    seed: int = 1

    def generate(self) -> dict[str, Any]:
        return generate(
            self.seed,
            places=self.places,
            vehicles=self.vehicles,
            steps=self.steps,
            classes=self.classes,
            havens=self.havens,
        )


LADDER: list[Size] = [
    Size("tiny", places=3, vehicles=6, steps=24, classes=1, havens=2),
    Size("small", places=5, vehicles=40, steps=48, classes=2, havens=3),
    Size("medium", places=10, vehicles=200, steps=120, classes=2, havens=5),
    Size("proto", places=10, vehicles=500, steps=365, classes=2, havens=5),
    Size("large", places=20, vehicles=2_000, steps=500, classes=3, havens=8),
    Size("xlarge", places=50, vehicles=20_000, steps=1_000, classes=3, havens=15),
]
"""Sizes from tiny to the largest; ``proto`` is about the design notes' HiGHS prototype."""

SCALE: list[Size] = [
    Size("scale-200", places=200, vehicles=50_000, steps=1_000, classes=3, havens=50, seed=7),
    Size("scale-500", places=500, vehicles=100_000, steps=1_000, classes=3, havens=100, seed=7),
    Size("scale-1000", places=1_000, vehicles=200_000, steps=1_000, classes=3, havens=200, seed=7),
    Size(
        "scale-10000",
        places=10_000,
        vehicles=1_000_000,
        steps=1_000,
        classes=3,
        havens=1_000,
        seed=7,
    ),
]
"""City-scale rungs (issue 14): a complete plan and a computed bound in 60 s on 2 cores, gap
<= 2% and peak memory <= 4 GB up to 500 places; 10,000 places must plan within memory."""


def ladder(which: str = "small") -> list[Size]:
    """``small``: the rungs a laptop runs in a minute or so; ``full``: all of them;
    ``scale``: the city-scale rungs (``SCALE``); or one rung by name."""
    if which == "full":
        return list(LADDER)
    if which == "small":
        return LADDER[:3]
    if which == "scale":
        return list(SCALE)
    names = {s.name: s for s in LADDER + SCALE}
    if which in names:
        return [names[which]]
    raise ValueError(f"unknown ladder {which!r}; expected small, full or one of {list(names)}")


def _split(rng: np.random.Generator, total: int, n: int, alpha: float = 1.5) -> list[int]:
    """``total`` split into ``n`` non-negative integers (Dirichlet shares, largest remainder)."""
    if n <= 0:
        return []
    share = rng.dirichlet(np.full(n, alpha)) * total
    base = np.floor(share).astype(np.int64)
    rest = int(total - base.sum())
    order = np.argsort(-(share - base), kind="stable")
    base[order[:rest]] += 1
    return [int(x) for x in base]


def _ring(rng: np.random.Generator, n: int, r0: float, r1: float) -> list[tuple[float, float]]:
    """``n`` points uniform by area in the annulus r0 <= r <= r1, rounded to 0.1 km."""
    r = np.sqrt(rng.uniform(r0 * r0, r1 * r1, n))
    a = rng.uniform(0.0, 2 * math.pi, n)
    return [
        (round(float(x), 1), round(float(y), 1))
        for x, y in zip(r * np.cos(a), r * np.sin(a), strict=True)
    ]


def generate(
    seed: int,
    places: int = 10,
    vehicles: int = 200,
    steps: int = 100,
    classes: int = 2,
    havens: int | None = None,
    *,
    depots: int | None = None,
    shipyard: bool = True,
    explicit_deadlines: float = 0.2,
    late_arrivals: float = 0.15,
    late_opening: float = 0.1,
    pressure: float = 1.6,
    extras: bool = False,
) -> dict[str, Any]:
    """Scenario data for a random instance.

    ``places``: threatened places; ``vehicles``: stock plus the shipyard's total production;
    ``steps``: horizon in hours (dt = 1 h); ``classes``: 1 to 3 vehicle classes; ``havens``:
    default ``max(2, places // 2)``; ``depots``: default ``max(1, places // 8)``.
    ``explicit_deadlines``, ``late_arrivals``, ``late_opening``: fractions of threatened places
    with an explicit deadline, a later arrival of people, an ``open_from``. ``pressure``:
    population over an estimate of what the fleet can move in time (above 1: not everyone).
    ``extras``: also exercise the rarer rules: berths and load/unload rates at some places,
    lanes with windows, and known events (destruction at a depot, a closed haven, a closed lane,
    a moved deadline, stopped production, an operator withdrawn without finishing its trip).
    """
    if places < 1 or vehicles < 1 or steps < 4 or not 1 <= classes <= len(_CLASSES):
        raise ValueError(
            f"need places >= 1, vehicles >= 1, steps >= 4, 1 <= classes <= {len(_CLASSES)}; "
            f"got {places}, {vehicles}, {steps}, {classes}"
        )
    rng = np.random.default_rng(seed)
    n_havens = havens if havens is not None else max(2, places // 2)
    n_depots = depots if depots is not None else max(1, places // 8)
    end = float(steps)
    tau = min(40.0, max(3.0, steps / 25.0))  # steps from a threatened place to a near haven
    speed = R_THREAT / tau  # km/h of the base class

    # hazard: starts at a quarter of the horizon, crosses the threatened disc by 0.85 end
    hz_start = round(0.25 * end, 2)
    hz_speed = R_THREAT / (0.6 * end)

    threat_pos = _ring(rng, places, 0.15 * R_THREAT, R_THREAT)
    haven_pos = _ring(rng, n_havens, 1.4 * R_THREAT, 2.2 * R_THREAT)
    depot_pos = _ring(rng, n_depots, 1.6 * R_THREAT, 2.4 * R_THREAT)

    cls = _CLASSES[:classes]
    cap_mean = float(np.mean([c[1] for c in cls]))
    # people the fleet can move before a mid deadline: approach, then round trips
    usable = max(0.6 * end - 2.0 * tau, 2.5 * tau)
    trips = usable / (2.15 * tau)
    people_total = max(places * 10, int(pressure * vehicles * cap_mean * trips))
    population = _split(rng, people_total, places, alpha=1.5)

    # room for everyone in all, but a third of the havens are small and fill up
    haven_total = int(people_total * 1.1)
    weights = rng.dirichlet(np.full(n_havens, 2.0))
    small = rng.permutation(n_havens)[: max(1, n_havens // 3)]
    weights[small] *= 0.15
    weights /= weights.sum()
    haven_cap = [max(1, int(w * haven_total)) for w in weights]

    place_rows: list[dict[str, Any]] = []
    explicit = rng.random(places) < explicit_deadlines
    late = rng.random(places) < late_arrivals
    opening = rng.random(places) < late_opening
    for i in range(places):
        row: dict[str, Any] = {"id": f"t{i + 1}", "position": list(threat_pos[i])}
        pop = population[i]
        if late[i] and pop >= 10:
            later = pop // 5
            row["population"] = pop - later
            at = round(float(rng.uniform(0.1, 0.35)) * end, 1)
            row["arrivals"] = [{"at": at, "people": later}]
        else:
            row["population"] = pop
        if explicit[i]:
            row["deadline"] = round(float(rng.uniform(0.35, 0.95)) * end, 1)
        if opening[i]:
            row["open_from"] = round(float(rng.uniform(0.0, 0.15)) * end, 1)
        place_rows.append(row)
    for h in range(n_havens):
        place_rows.append(
            {"id": f"h{h + 1}", "position": list(haven_pos[h]), "capacity": haven_cap[h]}
        )
    for d in range(n_depots):
        place_rows.append({"id": f"d{d + 1}", "position": list(depot_pos[d])})

    class_rows = [
        {
            "id": cid,
            "capacity": cap,
            "speed": round(speed * sf, 3),
            "load_time": round(lf * tau, 2),
            "unload_time": round(uf * tau, 2),
        }
        for cid, cap, sf, lf, uf in cls
    ]
    produced = int(0.2 * vehicles) if shipyard and vehicles >= 5 else 0
    in_stock = vehicles - produced
    cells = _split(rng, in_stock, n_depots * classes, alpha=2.0)
    stock_rows: list[dict[str, Any]] = []
    for d in range(n_depots):
        for k, (cid, *_) in enumerate(cls):
            count = cells[d * classes + k]
            if count > 0:
                row = {"id": f"stock_d{d + 1}_{cid}", "class": cid, "place": f"d{d + 1}"}
                row["count"] = count
                if d > 0:
                    row["available_from"] = round(float(rng.uniform(0.0, 0.1)) * end, 1)
                stock_rows.append(row)
    fleet: dict[str, Any] = {"classes": class_rows, "stock": stock_rows}
    if produced:
        build_until = 0.5 * end
        fleet["shipyards"] = [
            {
                "id": "yard",
                "place": "d1",
                "class": cls[0][0],
                "max_total": produced,
                "schedule": [
                    {
                        "start": 0,
                        "end": build_until,
                        "rate": round(produced / build_until * 1.01, 6),
                    }
                ],
            }
        ]

    data_extra: dict[str, Any] = {}
    if extras:
        data_extra = _extras(rng, place_rows, class_rows, fleet, places, n_havens, end)

    knobs = (
        f"seed={seed} places={places} vehicles={vehicles} steps={steps} classes={classes} "
        f"havens={n_havens} depots={n_depots} shipyard={bool(produced)} extras={extras}"
    )
    out: dict[str, Any] = {
        "scenario": {
            "id": f"gen_p{places}_v{vehicles}_s{steps}_c{classes}_seed{seed}"
            + ("_x" if extras else ""),
            "name": f"Generated instance ({places} places, {vehicles} vehicles, {steps} steps)",
            "description": f"bench/generate.py {knobs}",
            "time_unit": "hour",
            "end": end,
        },
        "map": {"kind": "plane", "unit": "km"},
        "hazard": {
            "id": "front",
            "origin": [0.0, 0.0],
            "start": hz_start,
            "speed": round(hz_speed, 6),
            "max_radius": 1.1 * R_THREAT,
        },
        "places": place_rows,
        "fleet": fleet,
    }
    out.update(data_extra)
    return out


def _extras(
    rng: np.random.Generator,
    place_rows: list[dict[str, Any]],
    class_rows: list[dict[str, Any]],
    fleet: dict[str, Any],
    places: int,
    n_havens: int,
    end: float,
) -> dict[str, Any]:
    """Throughput limits, lane windows and known events (modifies the rows in place)."""
    threatened = place_rows[:places]
    havens = place_rows[places : places + n_havens]
    for row in threatened[::3]:
        row["berths"] = int(rng.integers(2, 6))
        row["load_per_hour"] = 5 * int(rng.integers(100, 400))
    for row in havens[::2]:
        row["unload_per_hour"] = 5 * int(rng.integers(200, 800))
        row["berths"] = int(rng.integers(3, 8))
    if len(class_rows) >= 3:
        class_rows[2]["operator"] = "volunteers"
    t1, h1 = threatened[0]["id"], havens[0]["id"]
    lanes = [
        {
            "id": "night_road",
            "from": t1,
            "to": h1,
            "speed_factor": 1.5,
            "periodic": {"every": 24, "open_for": 10, "offset": 20},
        }
    ]
    if len(havens) > 1:
        lanes.append(
            {
                "id": "ferry",
                "from": threatened[-1]["id"],
                "to": havens[1]["id"],
                "windows": [{"start": round(0.05 * end, 1), "end": round(0.6 * end, 1)}],
            }
        )
    depot = next(r["id"] for r in place_rows if r["id"].startswith("d"))
    events: list[dict[str, Any]] = [
        {
            "id": "depot_fire",
            "at": round(0.3 * end, 1),
            "effects": [{"type": "destroy_vehicles", "place": depot, "count": 3}],
        },
        {
            "id": "haven_full_stop",
            "at": round(0.4 * end, 1),
            "effects": [{"type": "close_place", "place": h1, "until": round(0.5 * end, 1)}],
        },
        {
            "id": "bridge_out",
            "at": round(0.2 * end, 1),
            "effects": [{"type": "close_lane", "lane": "night_road", "until": round(0.3 * end, 1)}],
        },
        {
            "id": "early_front",
            "at": round(0.1 * end, 1),
            "effects": [{"type": "move_deadline", "place": t1, "to": round(0.5 * end, 1)}],
        },
    ]
    if fleet.get("shipyards"):
        events.append(
            {
                "id": "strike",
                "at": round(0.3 * end, 1),
                "effects": [{"type": "stop_production", "shipyard": "yard"}],
            }
        )
    if len(class_rows) >= 3:
        events.append(
            {
                "id": "volunteers_leave",
                "at": round(0.7 * end, 1),
                "effects": [
                    {
                        "type": "withdraw_operator",
                        "operator": "volunteers",
                        "finish_current_trip": False,
                    }
                ],
            }
        )
    return {"travel": {"routes": "all", "lanes": lanes}, "events": events}
