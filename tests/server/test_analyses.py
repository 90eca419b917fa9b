"""Sabotage and sweep jobs over the API: the library's analyses run in a worker, their results
land in the run store (kinds ``sabotage`` and ``sweep``, a sweep with its samples), and the
result carries the report's own sections for the page to draw."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import evacuate
from evacuate.sabotage import sabotage
from evacuate.sweep.run import load_sweep
from tests.server.conftest import upload, wait_job
from tests.sweep.conftest import TINY as SWEEP_TINY

DATA = Path(__file__).resolve().parents[1] / "data"
SABOTAGE_TINY = (DATA / "sabotage" / "tiny.yaml").read_text(encoding="utf-8")


def _figure(result: dict[str, Any], section: str) -> dict[str, Any]:
    sec = next(s for s in result["sections"] if s["id"] == section)
    assert sec["figures"], sec
    fig: dict[str, Any] = sec["figures"][0]
    return fig


@pytest.mark.slow
def test_sabotage_job_is_the_library_analysis(client: TestClient) -> None:
    """A budget-1 sabotage job gives what ``evacuate.sabotage`` gives in this process, stores a
    run of kind sabotage with its files, and draws the damage curve from those figures."""
    sid = upload(client, SABOTAGE_TINY, "tiny.yaml")
    r = client.post(
        "/api/jobs",
        json={"kind": "sabotage", "scenario": sid, "options": {"budget": 1, "time_limit": 10}},
    )
    assert r.status_code == 202, r.text
    job = wait_job(client, r.json()["id"], timeout=300)
    assert job["state"] == "done", job
    result = client.get(f"/api/jobs/{job['id']}/result").json()
    expected = sabotage(evacuate.loads(SABOTAGE_TINY), budget=1, time_limit=10).to_data()
    assert result["sabotage"]["curve"] == expected["curve"]
    assert result["sabotage"]["ranked"] == expected["ranked"]
    run = client.get(f"/api/runs/{job['run_id']}").json()
    assert run["kind"] == "sabotage" and run["status"] == "finished"
    assert "sabotage.json" in run["artifacts"]
    assert run["headline"]["damage_low"] == expected["curve"][-1]["attack"]["damage_low"]
    # the damage-budget curve: one point per budget, the worst attack's achieved damage
    line = _figure(result, "sabotage-curve")["data"][1]
    assert line["x"] == [0.0, 1.0]
    assert line["y"] == [row["attack"]["damage_low"] for row in expected["curve"]]
    # the targets on the map: the places the options hit, named
    hit = _figure(result, "sabotage-attacks")["data"][1]
    assert sorted(hit["text"]) == ["depot", "far", "near", "town"]
    ranked = next(s for s in result["sections"] if s["id"] == "sabotage-attacks")["html"]
    assert ranked.count("<tr>") == 1 + min(20, len(expected["ranked"]))


@pytest.mark.slow
def test_sweep_job_is_stored_as_a_sweep(client: TestClient) -> None:
    """A sweep job stores a run of kind sweep whose samples ``load_sweep`` reads back, and
    draws the report's fan chart (5-95 % band) and outcome sections."""
    sid = upload(client, SWEEP_TINY, "tiny_sweep.yaml")
    r = client.post(
        "/api/jobs",
        json={
            "kind": "sweep",
            "scenario": sid,
            "options": {"samples": 4, "seed": 3, "plan_time": 600, "target": "90%"},
        },
    )
    assert r.status_code == 202, r.text
    job = wait_job(client, r.json()["id"], timeout=300)
    assert job["state"] == "done", job
    result = client.get(f"/api/jobs/{job['id']}/result").json()
    assert "samples" not in result  # they are the run's children in the store
    records = client.app.state.records  # type: ignore[attr-defined]
    stored = load_sweep(records.store, job["run_id"])
    assert len(stored.results) == 4
    assert stored.settings["samples"] == 4 and stored.settings["seed"] == 3
    assert all(x.status == "finished" for x in stored.results)
    assert [r.kind for r in records.runs()] == ["sweep"]  # samples are not listed on their own
    fan = _figure(result, "sweep-fan")
    assert [t["name"] for t in fan["data"]] == ["base 5-95%", "base 25-75%", "base median"]
    analysis = stored.analyse(target_share=0.9)[0]
    assert result["headline"]["p_target"] == analysis.p_target
    assert "PRIM" in next(s for s in result["sections"] if s["id"] == "sweep-outcomes")["html"]


def test_analysis_options_are_checked_before_queueing(client: TestClient) -> None:
    """Bad sabotage and sweep options are refused with the field named; nothing is queued."""
    for kind, options, field in (
        ("sabotage", {"budget": -1}, "budget"),
        ("sabotage", {"radius": 3}, "radius"),
        ("sweep", {"target": "lots"}, "target"),
        ("sweep", {"target": "0%"}, "above 0%"),
        ("sweep", {"sampler": "grid"}, "sampler"),
        ("sweep", {"samples": 0}, "samples"),
    ):
        r = client.post("/api/jobs", json={"kind": kind, "options": options})
        assert r.status_code == 422, (kind, options, r.text)
        assert field in r.text
    assert client.get("/api/jobs").json() == []


def test_launch_panel_lists_analysis_options_from_the_registry(client: TestClient) -> None:
    """The sabotage and sweep forms use the registry's names, defaults and help."""
    opts = client.get("/api/options").json()
    sab = {o["name"]: o for o in opts["sabotage"]}
    assert sab["budget"]["flag"] == "--budget"
    assert sab["budget"]["help"] == evacuate.OPTIONS["budget"].describe()
    swp = {o["name"]: o for o in opts["sweep"]}
    assert swp["sampler"]["choices"] == list(evacuate.OPTIONS["sampler"].choices)
    assert swp["samples"]["default"] == evacuate.OPTIONS["samples"].default
    assert swp["target"]["type"] == "string"
