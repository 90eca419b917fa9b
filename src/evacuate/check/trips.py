"""Rules on each trip alone: finite times, counts, known classes and places, capacity."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    pass

from evacuate.check.base import CheckerBase


class TripRules(CheckerBase):
    def _check_static(self) -> None:
        out, n = self.out, self.n
        idx = np.arange(n, dtype=np.int64)
        bad = ~self.finite
        out.many(
            "not_finite",
            idx[bad],
            np.ones(int(bad.sum())),
            lambda i, a: (
                f"depart {self.depart[i]} / arrive {self.arrive[i]}; expected finite times"
            ),
        )
        out.many(
            "not_whole",
            self.not_whole,
            np.ones(len(self.not_whole)),
            lambda i, a: (
                f"count {self.plan.trips[i].count!r} / people {self.plan.trips[i].people!r}; "
                "expected whole numbers"
            ),
        )
        m = self.count < 1
        out.many(
            "negative",
            idx[m],
            (1 - self.count[m]).astype(np.float64),
            lambda i, a: f"count is {self.count[i]}; a group has at least 1 vehicle",
        )
        m = self.people < 0
        out.many(
            "negative",
            idx[m],
            (-self.people[m]).astype(np.float64),
            lambda i, a: f"people is {self.people[i]}; expected 0 or more",
        )
        m = ~self.kc
        out.many(
            "unknown_class",
            idx[m],
            np.ones(int(m.sum())),
            lambda i, a: f"no vehicle class '{self._name(i, 'vehicle_class')}' in the scenario",
        )
        m = self.kc & ~self.cenabled[self.cls]
        out.many(
            "disabled_class",
            idx[m],
            np.ones(int(m.sum())),
            lambda i, a: f"vehicle class '{self._name(i, 'vehicle_class')}' is disabled",
        )

        def unknown(i: int, a: float) -> str:
            names = [
                f"'{self._name(i, w)}'"
                for w, k in (("origin", self.o[i]), ("destination", self.d[i]))
                if k < 0
            ]
            return f"no place {' or '.join(names)} in the scenario"

        m = ~self.kp
        out.many("unknown_place", idx[m], np.ones(int(m.sum())), unknown)
        same = self.o_code == self.d_code
        out.many(
            "same_place",
            idx[same],
            np.ones(int(same.sum())),
            lambda i, a: f"origin and destination are both '{self._name(i, 'origin')}'",
        )
        limit = self.count * self.ccap[self.cls]
        m = self.kc & (self.people > limit)
        out.many(
            "capacity",
            idx[m],
            (self.people - limit)[m].astype(np.float64),
            lambda i, a: (
                f"{self.people[i]:,} people on {self.count[i]} x {self._name(i, 'vehicle_class')}"
                f" (capacity {self.ccap[self.cls[i]]:,} each, {limit[i]:,} in all)"
            ),
        )
