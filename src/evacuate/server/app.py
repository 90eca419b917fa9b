"""The HTTP API (``/api``, OpenAPI at ``/api/openapi.json``) and the page (``/``).

Scenarios are uploaded as text and validated by the same loader as the command line, so
errors come back with their line and field path. Jobs are queued to a ``JobRunner`` (worker
processes); their progress and live events stream as server-sent events. Requests name things
only by id (checked against a pattern) and artifact names only from a run's own list.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
import logging
import math
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from sse_starlette.sse import EventSourceResponse
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

import evacuate
from evacuate.errors import ScenarioError
from evacuate.options import OPTIONS
from evacuate.server import views
from evacuate.server.jobs import JobRunner, Limits
from evacuate.server.options import JOB_OPTIONS, describe
from evacuate.server.records import Records, valid_id

__all__ = ["MAX_UPLOAD", "create_app"]

log = logging.getLogger(__name__)

MAX_UPLOAD: int = OPTIONS["max_upload"].default
"""Largest request body accepted (bytes)."""

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


class ScenarioIn(BaseModel):
    name: Annotated[str, Field(max_length=200, description="File name, for messages.")] = (
        "scenario.yaml"
    )
    text: Annotated[str, Field(description="The scenario file's text (YAML or JSON).")]


class JobIn(BaseModel):
    kind: Literal["plan", "simulate", "report", "sabotage", "sweep"]
    scenario: Id = "romulan"
    options: dict[str, Any] = Field(default_factory=dict)


def _static(name: str) -> bytes:
    return resources.files("evacuate.server").joinpath("static", name).read_bytes()


def _plotly_js() -> bytes:
    """plotly.js as shipped inside the plotly package: vendored, no CDN, works offline."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs()).encode("utf-8")


STATIC = {"app.js": "text/javascript", "app.css": "text/css", "plotly.min.js": "text/javascript"}


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as text ("nan", "inf"): JSON has no such numbers, and
    a refusal that echoes one (``"input": NaN``) must still be sent (it was a 500)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


class _Guard(BaseHTTPMiddleware):
    """Body size limit, and the token (when one is set) on every ``/api`` request."""

    def __init__(self, app: Any, token: str | None, max_body: int) -> None:
        super().__init__(app)
        self.token, self.max_body = token, max_body

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        size = request.headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > self.max_body):
            return JSONResponse(
                {"detail": f"request body over the limit of {self.max_body:,} bytes"}, 413
            )
        if self.token and request.url.path.startswith("/api"):
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            given = given or request.query_params.get("token", "")
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return JSONResponse({"detail": "a valid token is required"}, 401)
        return await call_next(request)


def create_app(
    data_dir: str | Path,
    *,
    store: str | None = None,
    token: str | None = None,
    limits: Limits | None = None,
    max_upload: int = MAX_UPLOAD,
) -> FastAPI:
    """The application over the data folder ``data_dir`` and the run store at ``store`` (a
    SQLAlchemy URL; default: SQLite in the data folder); ``token``: required on ``/api``."""
    records = Records(data_dir, store)
    runner = JobRunner(records, limits)
    app = FastAPI(
        title="evacuate mission control",
        version=evacuate.__version__,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.records, app.state.runner = records, runner
    app.add_middleware(_Guard, token=token, max_body=max_upload)

    @app.exception_handler(RequestValidationError)
    async def refused(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _finite(jsonable_encoder(exc.errors()))}, 422)

    def close() -> None:
        runner.close()
        records.close()

    app.router.add_event_handler("shutdown", close)

    # a kept scenario never changes (its id is its text's hash): parse and lay out once
    @functools.lru_cache(maxsize=64)
    def loaded(ident: str, name: str) -> evacuate.Scenario:
        return evacuate.loads(records.scenario_source(ident), source=name)

    @functools.lru_cache(maxsize=256)
    def view_of(ident: str, name: str, variant: str | None) -> dict[str, Any]:
        return views.scenario_view(loaded(ident, name), variant)

    def scenario_or_404(ident: str) -> evacuate.Scenario:
        rec = records.scenario(ident)
        if rec is None:
            raise HTTPException(404, f"no scenario {ident!r}")
        return loaded(ident, rec.name)

    # ----------------------------------------------------------------- page
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(_static("index.html"))

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in STATIC:
            raise HTTPException(404, "no such file")
        body = _plotly_js() if name == "plotly.min.js" else _static(name)
        return Response(body, media_type=STATIC[name], headers={"Cache-Control": "max-age=3600"})

    # ----------------------------------------------------------------- scenarios
    @app.get("/api/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "version": evacuate.__version__, "running": len(runner.running())}

    @app.get("/api/options")
    def options() -> dict[str, list[dict[str, Any]]]:
        """The options of each job kind, named as on the command line."""
        return describe()

    @app.get("/api/scenarios")
    def list_scenarios() -> list[dict[str, Any]]:
        return [vars(r) for r in records.scenarios()]

    @app.post("/api/scenarios/validate")
    def validate(body: ScenarioIn) -> dict[str, Any]:
        """Check a scenario's text without keeping it: every problem, at its line."""
        try:
            s = evacuate.loads(body.text, source=body.name)
        except ScenarioError as exc:
            return {"valid": False, "issues": [views.issue_json(i) for i in exc.issues]}
        return {"valid": True, "issues": [views.issue_json(i) for i in s.warnings]}

    @app.post("/api/scenarios", status_code=201, responses={422: {"description": "invalid"}})
    def upload(body: ScenarioIn) -> Any:
        """Keep a valid scenario (its id is a hash of its text); an invalid one is refused with
        every problem at its line."""
        try:
            s = evacuate.loads(body.text, source=body.name)
        except ScenarioError as exc:
            return JSONResponse(
                {"valid": False, "issues": [views.issue_json(i) for i in exc.issues]}, 422
            )
        rec = records.add_scenario(body.name, body.text, True)
        return {**vars(rec), "issues": [views.issue_json(i) for i in s.warnings]}

    @app.get("/api/scenarios/{ident}")
    def show_scenario(
        ident: Id, variant: Annotated[str | None, Query(max_length=64)] = None
    ) -> Any:
        """The scenario laid out for the page (optionally with a variant applied)."""
        s = scenario_or_404(ident)
        if variant and variant not in s.variant_names:
            raise HTTPException(
                404, f"no variant {variant!r}; the variants are {list(s.variant_names)}"
            )
        return view_of(ident, s.source or "", variant or None)

    @app.get("/api/scenarios/{ident}/source", response_class=Response)
    def scenario_source(ident: Id) -> Response:
        if records.scenario(ident) is None:
            raise HTTPException(404, f"no scenario {ident!r}")
        return Response(records.scenario_source(ident), media_type="text/plain; charset=utf-8")

    @app.get("/api/scenarios/{ident}/variants")
    def scenario_variants(ident: Id) -> list[dict[str, Any]]:
        s = scenario_or_404(ident)
        return list(view_of(ident, s.source or "", None)["variants"])

    # ----------------------------------------------------------------- jobs
    def job_json(job_id: str) -> dict[str, Any]:
        v = runner.view(job_id)
        if v is None:
            raise HTTPException(404, f"no job {job_id!r}")
        return {**vars(v.record), "queue_position": v.position}

    @app.post("/api/jobs", status_code=202)
    def start_job(body: JobIn) -> dict[str, Any]:
        """Queue a job: ``plan``, ``simulate``, ``report``, ``sabotage`` or ``sweep`` of a
        scenario, with the command line's options."""
        s = scenario_or_404(body.scenario)
        try:
            opts = JOB_OPTIONS[body.kind].model_validate(body.options)
        except ValidationError as exc:
            raise HTTPException(422, _finite(json.loads(exc.json(include_url=False)))) from None
        named = [v for v in (getattr(opts, "variant", None),) if v] + list(
            getattr(opts, "variants", None) or []
        )
        for v in named:
            if v not in s.variant_names:
                raise HTTPException(
                    422, f"no variant {v!r}; the variants are {list(s.variant_names)}"
                )
        rec = runner.submit(body.kind, opts.model_dump(), body.scenario)
        return job_json(rec.id)

    @app.get("/api/jobs")
    def list_jobs() -> list[dict[str, Any]]:
        return [job_json(r.id) for r in records.jobs()]

    @app.get("/api/jobs/{job_id}")
    def show_job(job_id: Id) -> dict[str, Any]:
        return job_json(job_id)

    @app.post("/api/jobs/{job_id}/cancel")
    def cancel_job(job_id: Id) -> dict[str, Any]:
        job_json(job_id)
        runner.cancel(job_id)
        return job_json(job_id)

    @app.get("/api/jobs/{job_id}/result")
    def job_result(job_id: Id) -> dict[str, Any]:
        """The job's result (that of the run it made), once it is done."""
        rec = job_json(job_id)
        result = None if rec["run_id"] is None else records.result(rec["run_id"])
        if result is None:
            raise HTTPException(409, f"job {job_id} has no result ({rec['state']})")
        return result

    @app.get("/api/jobs/{job_id}/events")
    async def job_events(
        request: Request, job_id: Id, start: Annotated[int, Query(ge=0)] = 0
    ) -> EventSourceResponse:
        """Server-sent events: ``state``, ``progress`` and ``events`` (the simulation's log as
        it is written) messages, from ``start`` (or after ``Last-Event-ID``); the stream ends
        when the job does."""
        job_json(job_id)
        last = request.headers.get("last-event-id", "")
        if last.isdigit():  # the browser reconnecting: go on after the last message it had
            start = max(start, int(last) + 1)

        async def feed() -> AsyncIterator[dict[str, str]]:
            at = start
            while True:
                msgs, over = runner.stream(job_id, at)
                for m in msgs:
                    yield {"event": m["type"], "id": str(m["seq"]), "data": json.dumps(m)}
                at += len(msgs)
                if over and not msgs:
                    yield {"event": "end", "data": json.dumps(job_json(job_id))}
                    return
                if await request.is_disconnected():
                    return
                await asyncio.sleep(0.2)

        return EventSourceResponse(feed(), ping=15)

    # ----------------------------------------------------------------- runs
    def result_or_404(run_id: str) -> dict[str, Any]:
        result = records.result(run_id)
        if result is None:
            raise HTTPException(404, f"no run {run_id!r}")
        return result

    @app.get("/api/runs")
    def list_runs() -> list[dict[str, Any]]:
        return [vars(r) for r in records.runs()]

    @app.get("/api/runs/{run_id}")
    def show_run(run_id: Id) -> dict[str, Any]:
        rec = records.run(run_id)
        if rec is None:
            raise HTTPException(404, f"no run {run_id!r}")
        return {**vars(rec), "result": result_or_404(run_id)}

    @app.get("/api/runs/{run_id}/series")
    def run_series(run_id: Id) -> dict[str, Any]:
        """The run's curves: people rescued (and lost) over time."""
        r = result_or_404(run_id)
        return {"curve": r.get("curve"), "lost_curve": r.get("lost_curve")}

    @app.get("/api/runs/{run_id}/artifacts/{name}")
    def artifact(run_id: Id, name: Annotated[str, PathParam(max_length=100)]) -> FileResponse:
        path = records.artifact(run_id, name)
        if path is None:
            raise HTTPException(404, f"run {run_id!r} has no file {name!r}")
        return FileResponse(path, filename=name)

    @app.get("/api/compare")
    def compare_runs(
        runs: Annotated[str, Query(max_length=1000, description="Run ids, comma-separated.")],
    ) -> dict[str, Any]:
        """Runs side by side: headline, curves, per-place table, differences from the first."""
        ids = [r for r in runs.split(",") if r]
        if not ids or len(ids) > 8 or not all(valid_id(r) for r in ids):
            raise HTTPException(422, "give 1 to 8 run ids, comma-separated")
        return views.compare([(r, result_or_404(r)) for r in ids])

    return app
