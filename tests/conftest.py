"""Suite-wide settings: on CI, Hypothesis draws the same examples every run (derandomized), so
a landing is judged on the code, not on the luck of the draw; locally it explores at random."""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
