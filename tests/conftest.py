"""Suite-wide settings: on CI, Hypothesis draws the same examples every run (derandomized), so
a landing is judged on the code, not on the luck of the draw; locally it explores at random."""

import logging
import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

# the checks shared between test modules report what differed, as the tests' own asserts do
pytest.register_assert_rewrite("tests.scenario.broken", "tests.simulation.flown")

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI configures the "evacuate" logger (handlers, level); each test gets it back as
    it was, so one command's -v or -q does not leak into the next test."""
    logger = logging.getLogger("evacuate")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)
