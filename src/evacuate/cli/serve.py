"""``evacuate serve``: mission control in the browser (see docs/server.md)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from evacuate.cli.app import command
from evacuate.cli.common import reported_errors, stderr


def _between(low: float, high: float | None = None) -> Callable[[float], float]:
    """A check of a number's range, said in the message rather than as ``[x>=...]`` in help."""

    def check(value: float) -> float:
        if value < low or (high is not None and value > high):
            limit = f"from {low:g} to {high:g}" if high is not None else f"at least {low:g}"
            raise typer.BadParameter(f"found {value:g}; expected {limit}")
        return value

    return check


@command("serve")
def serve_cmd(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="ADDRESS",
            help="Address to listen on; not loopback: a token is required.",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option(
            "--port",
            metavar="PORT",
            callback=_between(1, 65535),
            help="Port to listen on (1-65535).",
        ),
    ] = 8000,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            metavar="FOLDER",
            help="Where scenarios, jobs and the run store live. "
            "Default: ~/.local/share/evacuate/server.",
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            metavar="URL",
            help="Run store URL (e.g. postgresql://user@host/db). "
            "Default: EVACUATE_STORE, else SQLite in the data folder.",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            metavar="TOKEN",
            envvar="EVACUATE_TOKEN",
            help="Required on every API call (default: none on loopback, a random one otherwise).",
        ),
    ] = None,
    max_jobs: Annotated[
        int,
        typer.Option(
            "--max-jobs",
            metavar="N",
            callback=_between(1, 64),
            help="Jobs running at once (1-64); the rest wait in a queue.",
        ),
    ] = 2,
    job_seconds: Annotated[
        float,
        typer.Option(
            "--job-seconds",
            metavar="SECONDS",
            callback=_between(1),
            help="Safety stop of one job (wall clock; at least 1).",
        ),
    ] = 900.0,
    job_memory: Annotated[
        int,
        typer.Option(
            "--job-memory",
            metavar="MIB",
            callback=_between(256),
            help="Memory ceiling of one job's worker process (at least 256).",
        ),
    ] = 4096,
    max_upload: Annotated[
        int,
        typer.Option(
            "--max-upload",
            metavar="BYTES",
            callback=_between(1024),
            help="Largest request body accepted (at least 1024).",
        ),
    ] = 2 * 1024 * 1024,
) -> None:
    """Serve mission control: the page and the HTTP API (jobs run in worker processes)."""
    with reported_errors():
        from evacuate.server import Limits
        from evacuate.server.run import default_data_dir, serve, token_for

        required = token_for(host, token)
        folder = data or default_data_dir()
        url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
        err = stderr()
        err.print(f"evacuate mission control on {url} (data: {folder})")
        if required and not token:
            err.print(f"a token is required off this machine; open {url}?token={required}")
        elif required:
            err.print(f"a token is required: open {url}?token=TOKEN")
        serve(
            host,
            port,
            data_dir=folder,
            store=store or os.environ.get("EVACUATE_STORE"),
            token=required,
            limits=Limits(max_jobs=max_jobs, seconds=job_seconds, memory_mb=job_memory),
            max_upload=max_upload,
        )
