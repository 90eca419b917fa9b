"""The HTTP API: scenarios validated with their lines, jobs to a result, runs compared,
artifacts only by their listed names, the token and the upload limit."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

import evacuate
from evacuate.plan.api import plan
from evacuate.server import Limits, create_app
from tests.server.conftest import BROKEN, TINY, upload, wait_job


def test_openapi_is_served(client: TestClient) -> None:
    """The schema lists the scenario, job and run endpoints."""
    paths = client.get("/api/openapi.json").json()["paths"]
    for p in (
        "/api/scenarios",
        "/api/jobs",
        "/api/jobs/{job_id}/events",
        "/api/runs",
        "/api/compare",
    ):
        assert p in paths


def test_broken_scenario_is_refused_with_lines(client: TestClient) -> None:
    """Every problem comes back at once, each with its line and field path, as the CLI says."""
    r = client.post("/api/scenarios", json={"name": "broken.yaml", "text": BROKEN})
    assert r.status_code == 422
    issues = r.json()["issues"]
    by_path = {i["path"]: i["line"] for i in issues}
    assert by_path["places[0].population"] == 8
    assert by_path["fleet.classes[0].load_time"] == 18
    assert all(i["text"].startswith("broken.yaml:") for i in issues)
    assert client.get("/api/scenarios").json()[-1]["id"] == "romulan"  # nothing kept


def test_validate_keeps_nothing(client: TestClient) -> None:
    r = client.post("/api/scenarios/validate", json={"text": TINY})
    assert r.json() == {"valid": True, "issues": []}
    assert [s["id"] for s in client.get("/api/scenarios").json()] == ["romulan"]


def test_upload_show_and_variants(client: TestClient) -> None:
    """An upload is kept under a hash of its text (the same text, the same id)."""
    sid = upload(client)
    assert upload(client) == sid
    v = client.get(f"/api/scenarios/{sid}").json()
    assert {p["id"] for p in v["places"]} == {"town", "shelter", "depot"}
    assert v["map"]["kind"] == "plane"
    assert v["hazard"][-1]["radius"] == 20
    rom = client.get("/api/scenarios/romulan?variant=no_sabotage").json()
    assert rom["variant"] == "no_sabotage"
    assert "no_sabotage" in [
        x["name"] for x in client.get("/api/scenarios/romulan/variants").json()
    ]
    assert client.get("/api/scenarios/romulan?variant=nope").status_code == 404
    assert client.get(f"/api/scenarios/{sid}/source").text == TINY


def test_plan_job_to_a_run(client: TestClient) -> None:
    """A plan job runs in a worker, ends done, and its run has a plan file to download."""
    sid = upload(client)
    job = client.post(
        "/api/jobs", json={"kind": "plan", "scenario": sid, "options": {"time_limit": 2}}
    ).json()
    assert job["state"] in ("queued", "running")
    done = wait_job(client, job["id"])
    assert done["state"] == "done", done
    run = client.get(f"/api/runs/{done['run_id']}").json()
    direct = plan(evacuate.loads(TINY), time_limit=2)  # the library, in this process
    assert run["headline"]["rescued"] == direct.rescued
    assert run["headline"]["bound"] == direct.bound
    assert "plan.csv" in run["artifacts"]
    csv = client.get(f"/api/runs/{run['id']}/artifacts/plan.csv")
    assert csv.status_code == 200 and "group" in csv.text.lower()
    stored = client.app.state.records.store.get_run(run["id"])  # type: ignore[attr-defined]
    assert (stored.kind, stored.status) == ("plan", "finished")
    assert stored.metrics["rescued"] == direct.rescued


def test_simulate_and_compare(client: TestClient) -> None:
    """Two simulations of the tiny scenario compared side by side; the figures are the
    library's own."""
    sid = upload(client)
    ids = []
    for policy in ("replan", "follow"):
        job = client.post(
            "/api/jobs",
            json={"kind": "simulate", "scenario": sid, "options": {"policy": policy}},
        ).json()
        ids.append(job["id"])
    done = [wait_job(client, i) for i in ids]
    assert [d["state"] for d in done] == ["done", "done"], done
    runs = [d["run_id"] for d in done]
    cmp = client.get("/api/compare?runs=" + ",".join(runs)).json()
    assert [h["name"] for h in cmp["headline"]][:2] == ["population", "rescued"]
    rescued = next(h for h in cmp["headline"] if h["name"] == "rescued")
    tiny = evacuate.loads(TINY)
    want = [evacuate.simulate(tiny, policy=p).rescued for p in ("replan", "follow")]
    assert rescued["values"] == want
    assert rescued["differences"] == [0, want[1] - want[0]]
    assert cmp["runs"][0]["curve"]["values"][-1] == want[0]
    assert {p["place"] for p in cmp["places"]} >= {"town", "shelter"}
    events = client.get(f"/api/jobs/{ids[0]}/events")
    assert "event: events" in events.text and "event: end" in events.text
    run = client.get(f"/api/runs/{runs[0]}").json()
    assert "events.jsonl" in run["artifacts"]
    assert run["status"] == "finished" and run["headline"]["rescued"] == want[0]
    series = client.get(f"/api/runs/{runs[0]}/series").json()
    assert series["curve"]["values"][-1] == want[0]


def test_bad_options_and_ids(client: TestClient) -> None:
    """Unknown options, variants, ids and artifact names are refused; no path escapes."""
    bad = client.post("/api/jobs", json={"kind": "plan", "options": {"time_limit": -1}})
    assert bad.status_code == 422
    assert (
        client.post("/api/jobs", json={"kind": "plan", "options": {"nope": 1}}).status_code == 422
    )
    assert (
        client.post("/api/jobs", json={"kind": "plan", "options": {"variant": "x"}}).status_code
        == 422
    )
    assert client.get("/api/scenarios/..%2F..%2Fetc").status_code in (404, 422)
    assert client.get("/api/runs/abc/artifacts/..%2Fjobs").status_code == 404
    assert client.get("/api/runs/abc/artifacts/%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/static/..%2F__init__.py").status_code == 404
    assert client.get("/api/jobs/nosuchjob").status_code == 404


def test_upload_limit(tmp_path: Path) -> None:
    """A body over the limit is refused before it is read."""
    with TestClient(create_app(tmp_path, max_upload=1000)) as c:
        r = c.post("/api/scenarios", json={"text": TINY + "#" * 2000})
        assert r.status_code == 413
        assert c.post("/api/scenarios", json={"text": TINY}).status_code == 201


def test_token(tmp_path: Path) -> None:
    """With a token, every API call needs it (header or query); the page itself does not."""
    with TestClient(create_app(tmp_path, token="s3cret", limits=Limits(max_jobs=1))) as c:
        assert c.get("/api/scenarios").status_code == 401
        assert c.get("/api/scenarios", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = c.get("/api/scenarios", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        assert c.get("/api/scenarios?token=s3cret").status_code == 200
        assert c.get("/").status_code == 200
        assert c.get("/static/plotly.min.js").status_code == 200


def test_page_and_vendored_plotly(client: TestClient) -> None:
    """The page and its scripts come from the server itself: no other host is named."""
    html = client.get("/").text
    assert '<script src="/static/plotly.min.js">' in html
    assert "http" not in html.replace('lang="en"', "")
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000
    assert "plotly" in js.text[:2000].lower()


def test_options_speak_the_cli_vocabulary(client: TestClient) -> None:
    """The launch panel's options carry the registry's help and the command line's flags."""
    from evacuate.options import OPTIONS

    opts = client.get("/api/options").json()
    sim = {o["name"]: o for o in opts["simulate"]}
    assert sim["time_limit"]["flag"] == "--time-limit"
    assert sim["time_limit"]["help"] == OPTIONS["time_limit"].describe()
    assert sim["time_limit"]["default"] == OPTIONS["time_limit"].default
    assert sim["policy"]["choices"] == list(OPTIONS["policy"].choices)
