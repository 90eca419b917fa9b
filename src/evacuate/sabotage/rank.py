"""The ranking of the single attacks: each option at its worst instant found, certified.

The search of budget 1 evaluates only the strikes it cannot prune; the ranking also answers
each option's worst strike (the instant of highest cap where every instant was pruned):
planner calls the search does not need (``ranking_calls``). They do not depend on each
other, nor does the search of the larger budgets depend on them, so ``start`` sets them
running on the worker processes and ``finish`` collects them after that search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evacuate.sabotage.search import Attack, Search, Started

__all__ = ["Ranking", "finish", "rank", "start"]


@dataclass(frozen=True)
class Ranking:
    """The strike chosen to rank each option, and the answers started for them."""

    chosen: tuple[Attack, ...]
    started: Started
    evaluate: bool


def start(search: Search, seen: Sequence[Attack], evaluate: bool = True) -> Ranking:
    """Choose each option's strike to rank (its worst evaluated instant, else its instant of
    highest cap) and start answering those not answered yet. Without ``evaluate``, options
    the search pruned keep only their cap (no planner call)."""
    per: dict[str, Attack] = {}
    for a in seen:
        if len(a.strikes) != 1:
            continue
        o = a.strikes[0].option
        cur = per.get(o)
        if cur is None or (a.evaluated, a.damage_high) > (cur.evaluated, cur.damage_high):
            per[o] = a
    for o in search.options:
        if o not in per:
            keys = [(s,) for s in search.singles if s.option == o]
            if keys:
                per[o] = search.pruned(min(keys, key=lambda k: (-search.cap(k), k)))
    todo = [a.strikes for a in per.values() if not a.evaluated] if evaluate else []
    return Ranking(tuple(per.values()), search.start_many(todo), evaluate)


def finish(search: Search, ranking: Ranking) -> list[Attack]:
    """The ranked single attacks, worst first (pruned ones, with only their cap, last);
    waits for the answers started."""
    search.finish_many(ranking.started)
    ev = ranking.evaluate
    out = [a if a.evaluated or not ev else search.full(a.strikes) for a in ranking.chosen]
    return sorted(out, key=lambda a: (-a.damage_low, -a.damage_high, a.strikes))


def rank(search: Search, seen: Sequence[Attack], evaluate: bool = True) -> list[Attack]:
    """``start`` then ``finish``."""
    return finish(search, start(search, seen, evaluate))
