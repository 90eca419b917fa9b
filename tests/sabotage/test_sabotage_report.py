"""A sabotage analysis stored and drawn: ``sabotage --store``, ``runs list|report`` on it, and
the report's sabotage section from ``sabotage.json`` (``report --sabotage-from``, ``--from``)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import evacuate
from evacuate.cli import app
from evacuate.report.sabotage import sabotage_sections
from evacuate.store import open_store

TINY = Path(__file__).parent.parent / "data" / "sabotage" / "tiny.yaml"
WIDE = {"COLUMNS": "200"}


def test_sabotage_is_stored_listed_and_reported(tmp_path: Path) -> None:
    """``sabotage --store`` records a run of kind sabotage (figures, the damage-budget curve,
    sabotage.json, plans); ``runs list`` shows it; ``runs report`` and ``report --sabotage-from``
    draw its section from what was stored, and ``report --from`` draws it again."""
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    out = tmp_path / "out"
    cli = CliRunner(env=WIDE)
    res = cli.invoke(app, ["sabotage", str(TINY), "--budget", "1", "--store", url, "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "stored run" in res.output
    data = json.loads((out / "sabotage.json").read_text())
    with open_store(url) as st:
        (run,) = st.list_runs(kind="sabotage")
        assert run.status == "finished"
        assert run.metrics["damage_low"] == data["curve"][-1]["attack"]["damage_low"] == 6
        assert run.metrics["proven"] == 1
        assert st.series(run.id)["damage_high"] == [(0.0, 0.0), (1.0, 6.0)]
        names = {a.name for a in run.artifacts}
        assert {"sabotage.json", "plan_budget_0.json", "plan_budget_1.json"} <= names
        stored = next(a for a in run.artifacts if a.name == "sabotage.json")
        assert stored.path is not None and json.loads(stored.path.read_text()) == data
    listed = cli.invoke(app, ["runs", "list", "--store", url])
    assert listed.exit_code == 0, listed.output
    assert "sabotage" in listed.output and run.id[:8] in listed.output

    page = cli.invoke(app, ["runs", "report", run.id, "--store", url, "-o", str(tmp_path / "r")])
    assert page.exit_code == 0, page.output
    text = (tmp_path / "r" / "sabotage.html").read_text()
    assert '<section id="sabotage-curve">' in text and text.count('class="chart"') == 2
    assert "burn_depot" in text

    rep = cli.invoke(
        app,
        [
            "report",
            str(TINY),
            "--sabotage-from",
            str(out / "sabotage.json"),
            "-o",
            str(tmp_path / "p"),
        ],
    )
    assert rep.exit_code == 0, rep.output
    html = (tmp_path / "p" / "report.html").read_text()
    assert '<section id="sabotage-curve">' in html and '<section id="sabotage-attacks">' in html
    results = json.loads((tmp_path / "p" / "results.json").read_text())
    assert results["extras"]["sabotage"] == data
    again = cli.invoke(
        app, ["report", "--from", str(tmp_path / "p" / "results.json"), "-o", str(tmp_path / "q")]
    )
    assert again.exit_code == 0, again.output
    assert '<section id="sabotage-curve">' in (tmp_path / "q" / "report.html").read_text()


def test_sabotage_section_draws_the_stored_figures() -> None:
    """The curve, the ranking and the map show the stored damage, nothing recomputed."""
    s = evacuate.load(TINY)
    data = evacuate.sabotage(s, budget=1, time_limit=10).to_data()
    curve, attacks = sabotage_sections(s, data)
    band, line = curve.figures[0].data
    low = [r["attack"]["damage_low"] for r in data["curve"]]
    high = [r["attack"]["damage_high"] for r in data["curve"]]
    assert list(line.y) == low and list(band.y) == high + low[::-1]
    hit = {p for a in data["ranked"] for p in a["targets"]}
    assert "depot" in hit and hit <= set(attacks.figures[0].data[1].text)
    assert all(a["strikes"][0]["option"] in attacks.html for a in data["ranked"])
    assert "(proven)" in curve.lede


def test_report_refuses_a_file_that_is_not_sabotage_results(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"runs": []}')
    res = CliRunner(env=WIDE).invoke(
        app, ["report", str(TINY), "--sabotage-from", str(bad), "-o", str(tmp_path / "r")]
    )
    assert res.exit_code == 2
    assert "expected the sabotage.json" in res.output and "Traceback" not in res.output


def test_pruned_attacks_and_defences_held_against_the_worst_are_drawn() -> None:
    """Options the search pruned show only their bound ("at most"); each defence struck by the
    worst attack shows the people it saved, as stored."""
    s = evacuate.load(TINY)
    data = evacuate.sabotage(s, budget=1, time_limit=10, rank="caps", hold="follow").to_data()
    pruned = [a for a in data["ranked"] if not a["evaluated"]]
    assert pruned, "the tiny analysis prunes some options"
    assert {h["measures"][0] for h in data["holds"]} == {"guard_depot", "buses_to_town"}
    _, attacks = sabotage_sections(s, data)
    for a in pruned:
        assert f"at most {a['damage_high']:,.0f}" in attacks.html
    for h in data["holds"]:
        assert h["attack"]["evaluated"] is False  # flown on, not replanned
        assert f"at least {h['saved_low']:,.0f}" in attacks.html
