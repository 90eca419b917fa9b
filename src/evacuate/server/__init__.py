"""``evacuate serve``: mission control in the browser, over an HTTP API.

``create_app`` builds the FastAPI application (API under ``/api``, the page at ``/``); jobs run
in worker processes (``jobs``), never in the web server's process; what the server keeps lives
in one data folder (``records``). See docs/server.md.
"""

from evacuate.server.app import create_app
from evacuate.server.jobs import Limits

__all__ = ["Limits", "create_app"]
