"""Upper limits on scenario inputs: file size, nesting, and the range of every number.

Each limit is far beyond any real operation (the Romulan evacuation, the largest on record
anywhere, moves 9e8 people with 1e4 ships) and far below where arithmetic breaks: sums of
people and of vehicles stay exact in 64-bit integers, times and rates stay finite in floats,
and no loop over periods or vehicles can run away. docs/scenario-format.md ("Limits") lists
them; a value past one is a validation error that names the limit.
"""

from __future__ import annotations

__all__ = [
    "MAX_CAPACITY",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_MAGNITUDE",
    "MAX_NODES",
    "MAX_PEOPLE",
    "MAX_SPEED_M_PER_S",
    "MAX_STEPS",
    "MAX_TIME",
    "MAX_VEHICLES",
    "MIN_PERIOD_SECONDS",
    "MIN_POSITIVE",
    "MIN_SPEED_M_PER_S",
]

MAX_FILE_BYTES = 8 * 1024 * 1024
"""A scenario file is at most 8 MiB: the largest example is a few kB and 50,000 places with a
short note each take 7.5 MB; ``/dev/zero`` or a 50 MB file is refused before it is parsed."""

MAX_DEPTH = 64
"""Nesting of mappings and lists: the format itself is at most 7 deep."""

MAX_NODES = 1_000_000
"""Values (mapping keys, values and list items) once YAML aliases are expanded: stops "billion
laughs" alias bombs; 100,000 places with a handful of fields each stay below it."""

MAX_PEOPLE = 10**12
"""People at one place, arriving at once, or held by one haven: 100 times the Earth's
population; a sum over a million places still fits a 64-bit integer."""

MAX_VEHICLES = 10**9
"""Vehicles in one stock entry, one shipyard's total, one destroy count or one group."""

MAX_CAPACITY = 10**9
"""People one vehicle carries (so that capacity x vehicles stays below 2**63)."""

MAX_TIME = 1e9
"""Largest time or duration, in the scenario's time unit (1e9 minutes is 1,900 years)."""

MAX_MAGNITUDE = 1e12
"""Largest distance, coordinate, speed, rate or factor, in the scenario's own units."""

MIN_POSITIVE = 1e-9
"""Smallest rate or speed factor: a smaller one makes times overflow to infinity."""

MIN_SPEED_M_PER_S = 1e-9
"""Slowest speed, whatever the units (a metre in 30 years); slower ones make times overflow."""

MAX_SPEED_M_PER_S = 1e20
"""Fastest speed (3e11 times light: room for any warp drive, not for a travel time to vanish
against the departure time it is added to)."""

MAX_STEPS = 100_000
"""Steps of per-period work: throughput periods in the horizon (when rates, arrivals over time
or walkways count per period), releases of one arrival curve or rate table, entries of one
repeating loading table unrolled over the horizon. 100,000 hours is 11 years; an ``end`` of
``1e9h`` with an arrival curve once made validation run for hours."""

MIN_PERIOD_SECONDS = 1.0
"""Shortest repeat of a periodic window or production period (one second)."""
