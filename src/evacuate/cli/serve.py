"""``evacuate serve``: mission control in the browser (see docs/server.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from evacuate.cli.app import command
from evacuate.cli.common import reported_errors, stderr
from evacuate.cli.options import option
from evacuate.options import OPTIONS


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
    port: Annotated[int, option("port")] = OPTIONS["port"].default,
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
    max_jobs: Annotated[int, option("max_jobs")] = OPTIONS["max_jobs"].default,
    job_seconds: Annotated[float, option("job_seconds")] = OPTIONS["job_seconds"].default,
    job_memory: Annotated[int, option("job_memory")] = OPTIONS["job_memory"].default,
    max_upload: Annotated[int, option("max_upload")] = OPTIONS["max_upload"].default,
) -> None:
    """Serve mission control: the page and the HTTP API (jobs run in worker processes)."""
    with reported_errors():
        from evacuate.files import check_output
        from evacuate.server import Limits
        from evacuate.server.run import default_data_dir, serve, token_for

        required = token_for(host, token)
        folder = data or default_data_dir()
        # a file, or a place nobody may write: exit 2 now (was an internal error, exit 1)
        check_output(Path(folder).expanduser(), folder=True, flag="--data")
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
