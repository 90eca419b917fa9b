"""Label placement: packed rows never overlap; map labels placed clear take no one's room."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evacuate.report import ReportRun
from evacuate.report.curve import ASSUMED_PLOT_PX, event_badges, zoom_top
from evacuate.report.data import RunSeries, analyse
from evacuate.report.labels import pack_rows, place_labels, unique_titles, wrap
from evacuate.report.series import Mark
from evacuate.simulation.result import SimResult

_spans = st.lists(
    st.tuples(st.floats(0, 1000), st.floats(1, 300)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=30,
)


def _apart(a: tuple[float, float], b: tuple[float, float], gap: float) -> bool:
    return a[1] + gap <= b[0] or b[1] + gap <= a[0]


@given(_spans)
def test_spans_in_one_row_never_touch(spans: list[tuple[float, float]]) -> None:
    rows = pack_rows(spans, gap=4)
    for i in range(len(spans)):
        for j in range(i):
            if rows[i] == rows[j]:
                assert _apart(spans[i], spans[j], 4)
    # first fit: a span goes to a new row only when every earlier row is blocked
    assert all(r <= max(rows[:k], default=-1) + 1 for k, r in enumerate(rows))


@given(st.lists(st.floats(0, 100), max_size=12).map(sorted))
def test_event_badges_never_touch(times: list[float]) -> None:
    """Badges of distinct times in one row keep a gap on the narrowest plot allowed."""
    events = [Mark(t, f"event {k}", "event") for k, t in enumerate(times)]
    badges = event_badges(events, 0.0, 100.0)
    assert sum(len(text.split(", ")) for text, _, _ in badges) == len(events)
    boxes = []
    for text, t, row in badges:
        w = 12 + 7.5 * len(text)
        x = t / 100 * ASSUMED_PLOT_PX
        boxes.append((row, (x - w / 2, x + w / 2)))
    for i, (ri, a) in enumerate(boxes):
        for rj, b in boxes[:i]:
            if ri == rj:
                assert _apart(a, b, 4)


_points = st.lists(
    st.tuples(st.floats(0, 400), st.floats(0, 300), st.floats(2, 15), st.floats(10, 120)),
    min_size=1,
    max_size=15,
)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


@given(_points)
def test_labels_placed_clear_overlap_nothing(
    points: list[tuple[float, float, float, float]],
) -> None:
    placed = place_labels(
        [(x, y) for x, y, _, _ in points], [r for *_, r, _ in points], [(w, 12) for *_, w in points]
    )
    markers = [(x - r, y - r, x + r, y + r) for x, y, r, _ in points]
    for i, p in enumerate(placed):
        if not p.clear:
            continue
        assert not any(_overlap(p.box, m) for j, m in enumerate(markers) if j != i)
        assert not any(_overlap(p.box, q.box) for q in placed[:i])


def test_two_close_places_get_different_sides() -> None:
    """Romulus and Remus, a few pixels apart: both names readable, neither on the other."""
    placed = place_labels([(100, 100), (104, 100)], [12, 6], [(50, 14), (45, 14)])
    assert all(p.clear for p in placed)
    assert not _overlap(placed[0].box, placed[1].box)


def test_titles_made_unique_and_wrapped_whole() -> None:
    assert unique_titles(["A", "B", "A"], ["a1", "b", "a2"]) == ["A (a1)", "B", "A (a2)"]
    text = "Romulan inner colonies (aggregate of the outer worlds)"
    assert wrap(text, 20).replace("<br>", " ") == text


def test_zoom_on_the_runs_that_rescued_fewest(tiny_result: SimResult) -> None:
    """A zoomed panel on the runs below the first 5x jump in rescued; its top holds them and
    their bounds below the next run."""

    def runs(*pairs: tuple[int, float | None]) -> list[RunSeries]:
        return [
            analyse(
                ReportRun(
                    **{
                        **ReportRun.from_sim(f"r{k}", tiny_result).__dict__,
                        "rescued": v,
                        "bound": b,
                    }
                )
            )
            for k, (v, b) in enumerate(pairs)
        ]

    assert zoom_top(runs((900, 900.0), (800, 1000.0))) is None  # one scale reads them all
    assert zoom_top(runs((15, 23.0), (29, 45.0))) is None  # all low: nothing to zoom from
    assert zoom_top(runs((900, 900.0), (15, 23.0), (29, 45.0))) == pytest.approx(1.1 * 45)
    # a weak bound (900) on a low run does not stretch the zoom
    assert zoom_top(runs((900, 900.0), (15, 900.0))) == pytest.approx(1.1 * 15)
    # the Romulan case: 15 M and 29 M, then 156 M and 900 M: the zoom is on the first two
    romulan = runs((15, 22.9), (900, 900.0), (29, 45.4), (156, 310.0))
    assert zoom_top(romulan) == pytest.approx(1.1 * 45.4)
