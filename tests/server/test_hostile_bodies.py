"""Hostile JSON bodies on the API: numbers JSON has no room for (NaN, infinities, 1e308,
-0.0, integers past 64 bits), lone surrogates, wrong types, in every body field and option.
Each is refused with a 4xx and a JSON reason, never a 500. Before, a refusal that echoed a
NaN or an infinity (``"input": NaN``) could not be sent (500), and scenario text holding a
lone surrogate crashed the YAML reader."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server.conftest import TINY

VALUES: list[Any] = [
    float("nan"), float("inf"), -float("inf"), 1e308, -0.0, 2**64, -(2**70), "\ud800",
    "nan", "inf", "", None, [], {}, True, "x" * 300,
]  # fmt: skip
OPTIONS = ["time_limit", "seed", "runs", "samples", "budget", "defend", "target", "per",
           "travel_cv", "breakdowns", "plan_time", "variant", "policy", "sampler"]  # fmt: skip


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    where=st.sampled_from(["validate", "upload", "job"]),
    field=st.sampled_from(["name", "text", "kind", "scenario", "options", *OPTIONS]),
    value=st.sampled_from(VALUES),
    kind=st.sampled_from(["plan", "simulate", "report", "sabotage", "sweep"]),
)
def test_hostile_values_in_a_body_are_refused_not_a_500(
    client: TestClient, where: str, field: str, value: Any, kind: str
) -> None:
    """A 4xx with a JSON reason (or the usual answer when the value is fine); never a 500."""
    if where == "job":
        sid = client.post("/api/scenarios", json={"name": "t.yaml", "text": TINY}).json()["id"]
        body: dict[str, Any] = {"kind": kind, "scenario": sid, "options": {"time_limit": 1}}
        if field in ("kind", "scenario", "options"):
            body[field] = value
        else:
            body["options"] = {field: value}
        path = "/api/jobs"
    else:
        body = {"name": "t.yaml", "text": TINY}
        body[field if field in ("name", "text") else "text"] = value
        path = "/api/scenarios/validate" if where == "validate" else "/api/scenarios"
    raw = json.dumps(body, allow_nan=True).encode("utf-8")
    response = client.post(path, content=raw, headers={"content-type": "application/json"})
    assert response.status_code < 500, (body, response.text[:500])
    answer = response.json()
    if response.status_code == 202:
        client.post(f"/api/jobs/{answer['id']}/cancel")
    elif response.status_code >= 400:
        assert "detail" in answer or answer.get("valid") is False, answer


def test_a_lone_surrogate_in_scenario_text_is_refused_at_its_line(client: TestClient) -> None:
    """Text is only text when it can be written as UTF-8: the loader names the line."""
    text = TINY.replace("name:", "name: \ud800 #", 1)
    raw = json.dumps({"name": "t.yaml", "text": text}).encode("ascii")  # "\\ud800" escaped
    headers = {"content-type": "application/json"}
    answer = client.post("/api/scenarios/validate", content=raw, headers=headers).json()
    assert answer["valid"] is False
    (issue,) = answer["issues"]
    assert issue["message"] == "not UTF-8 text: a lone surrogate U+D800"
    assert issue["line"] == TINY[: TINY.index("name:")].count("\n") + 1
