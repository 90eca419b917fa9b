"""Serve the application with uvicorn: safe defaults first.

Binds 127.0.0.1 unless told otherwise. On any other address a token is required on every API
call: the one given, or a fresh random one (the caller shows it to the person starting the
server). Jobs get a memory ceiling and a wall-clock safety stop; at most ``max_jobs`` run.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from pathlib import Path

from evacuate.server.app import MAX_UPLOAD, create_app
from evacuate.server.jobs import Limits

__all__ = ["default_data_dir", "is_local", "serve", "token_for"]

log = logging.getLogger(__name__)


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/evacuate/server`` (``~/.local/share/evacuate/server``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "evacuate" / "server"


def is_local(host: str) -> bool:
    """Whether ``host`` is a loopback address (only this machine can connect)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def token_for(host: str, token: str | None) -> str | None:
    """The token the server will require: ``token`` if given; on a non-loopback ``host``
    without one, a fresh random token; else none."""
    if token:
        return token
    return None if is_local(host) else secrets.token_urlsafe(24)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    data_dir: str | Path | None = None,
    store: str | None = None,
    token: str | None = None,
    limits: Limits | None = None,
    max_upload: int = MAX_UPLOAD,
) -> None:
    """Run the server until interrupted (``token`` as from ``token_for``)."""
    import uvicorn

    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    app = create_app(folder, store=store, token=token, limits=limits, max_upload=max_upload)
    app.state.runner.warm()  # the pool's workers import the library before the first job
    log.info("serving %s on %s:%d", folder, host, port)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True)
