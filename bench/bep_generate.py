"""Generated bus evacuation problem (BEP) instances in the published text format.

The published random sets grow as ``BEP-1-P-S-B``: one yard, P points, P shelters and
P // 2 + 1 buses of one seat (2-2-2, 3-3-2, 4-4-3, 5-5-3, 6-6-4), with distances and shelter
capacities drawn in 1..10 and demands in 1..5. ``random_bep`` draws instances of that shape
at any size, with several yards if asked; ``with_fleet`` gives an instance (Valparaiso) another
fleet, spread evenly over its yards as the published 10- and 50-bus files do. Nothing here is
fitted to the published instances: they only fix the shape and the ranges.

Usage: ``python -m bench.bep_generate OUT [--sets 7,8,10] [--shapes 20-10-15,30-15-25]
[--yards 1,2] [--count 5] [--capacity 1] [--seed 0] [--valparaiso FILE --fleets 5,15,...]``,
then ``python -m bench.bep OUT``. A shape ``P-S-B`` has P points, S shelters and B buses
(spread over the yards); with fewer shelters than points, their room is drawn from a range
stretched to keep the published sets' mean room per point.
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from evacuate.bep import BepInstance, format_bep, read_bep

__all__ = ["main", "random_bep", "set_shape", "with_fleet"]


def set_shape(points: int) -> tuple[int, int]:
    """Shelters and buses of random set ``points`` (the published sets' rule)."""
    return points, points // 2 + 1


def _spread(total: int, parts: int) -> tuple[int, ...]:
    """``total`` split over ``parts`` as evenly as possible, the first parts taking more."""
    each, extra = divmod(total, parts)
    return tuple(each + (k < extra) for k in range(parts))


def random_bep(
    seed: int,
    points: int,
    *,
    yards: int = 1,
    shelters: int | None = None,
    buses: int | None = None,
    capacity: int = 1,
    distance: tuple[int, int] = (1, 10),
    demand: tuple[int, int] = (1, 5),
    room: tuple[int, int] = (1, 10),
) -> BepInstance:
    """A random instance of the published sets' shape (``set_shape``) and ranges.

    Shelter capacities are drawn again until they hold everyone (the BEP has no solution
    otherwise). The same arguments give the same instance."""
    rng = random.Random(f"bep-{seed}-{yards}-{points}-{shelters}-{buses}-{capacity}")
    s_default, b_default = set_shape(points)
    n_s = s_default if shelters is None else shelters
    n_b = b_default if buses is None else buses
    if n_s < 1 or n_b < 1 or yards < 1 or points < 1:
        raise ValueError("a BEP instance needs at least one yard, point, shelter and bus")
    dem = tuple(rng.randint(*demand) for _ in range(points))
    people = sum(dem)
    low, high = room
    # the published sets have as many shelters as points, so their room (mean 5.5 against a
    # demand of mean 3) holds everyone with room to spare; with fewer shelters than points
    # the room's range is stretched to keep that mean room per point (no change otherwise)
    high = max(high, math.ceil((low + high) * points / n_s) - low)
    for _ in range(10_000):
        caps = tuple(rng.randint(low, high) for _ in range(n_s))
        if sum(caps) >= people:
            break
    else:
        raise ValueError(f"{n_s} shelters of room {low}..{high} never hold {people} people")

    def dist() -> float:
        return float(rng.randint(*distance))

    return BepInstance(
        bus_capacity=capacity,
        yard_buses=_spread(n_b, yards),
        demand=dem,
        shelter_capacity=caps,
        yard_point=tuple(tuple(dist() for _ in range(points)) for _ in range(yards)),
        point_shelter=tuple(tuple(dist() for _ in range(n_s)) for _ in range(points)),
        source=f"random_bep({seed}, {points}, yards={yards})",
    )


def with_fleet(instance: BepInstance, buses: int) -> BepInstance:
    """The instance with ``buses`` buses spread evenly over its yards."""
    return replace(instance, yard_buses=_spread(buses, len(instance.yard_buses)))


def _name(inst: BepInstance, tag: str) -> str:
    y, p, s = len(inst.yard_buses), len(inst.demand), len(inst.shelter_capacity)
    return f"BEP-{y}-{p}-{s}-{inst.buses}-{tag}"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bep_generate", description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--sets", default="7,8,10", help="points per random set (comma list)")
    ap.add_argument("--yards", default="1", help="yards per random set (comma list)")
    ap.add_argument("--count", type=int, default=5, help="instances per set")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--shapes",
        default="",
        help="further random sets as POINTS-SHELTERS-BUSES (comma list, e.g. 20-10-15); "
        "each with every --yards",
    )
    ap.add_argument("--capacity", type=int, default=1, help="seats per bus")
    ap.add_argument("--valparaiso", type=Path, default=None, help="an instance to refleet")
    ap.add_argument(
        "--fleets", default="5,15,20,25,30,40,60,75,100", help="fleet sizes for --valparaiso"
    )
    args = ap.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    shapes: list[tuple[int, int | None, int | None]] = [
        (int(x), None, None) for x in args.sets.split(",") if x
    ]
    for spec in (x for x in args.shapes.split(",") if x):
        p, s, b = (int(v) for v in spec.split("-"))
        shapes.append((p, s, b))
    for yards in (int(x) for x in args.yards.split(",") if x):
        for points, shelters, buses in shapes:
            for k in range(1, args.count + 1):
                inst = random_bep(
                    args.seed * 1000 + k,
                    points,
                    yards=yards,
                    shelters=shelters,
                    buses=buses,
                    capacity=args.capacity,
                )
                (out / f"{_name(inst, f'g{args.seed}i{k}')}.txt").write_text(format_bep(inst))
                written += 1
    if args.valparaiso is not None:
        base = read_bep(args.valparaiso)
        for n in (int(x) for x in args.fleets.split(",") if x):
            name = f"{args.valparaiso.stem.rsplit('-', 1)[0]}-{n}.txt"
            (out / name).write_text(format_bep(with_fleet(base, n)))
            written += 1
    print(f"wrote {written} instances to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
