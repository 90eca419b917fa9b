"""One broken file per validation rule: the two tests every folder of them gets.

A module with a folder of broken files and a table ``file stem -> (field path, line, message
fragment)`` binds the tests under their names, so pytest collects them there::

    test_every_broken_file_has_expectations, test_broken_file_reports_path_line_and_message = (
        broken_file_tests(FOLDER, EXPECTED)
    )
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import evacuate
from evacuate import ScenarioError

__all__ = ["Expected", "broken_file_tests"]

Expected = dict[str, tuple[str, int, str]]
"""file stem -> (field path, line, message fragment)"""


def broken_file_tests(
    folder: Path, expected: Expected
) -> tuple[Callable[[], None], Callable[[str], None]]:
    """The table covers the folder exactly; each file is refused at its path and line."""

    def test_every_broken_file_has_expectations() -> None:
        """Each file in the folder is in the table, and each entry has a file."""
        assert {p.stem for p in folder.glob("*.yaml")} == set(expected)

    @pytest.mark.parametrize("stem", sorted(expected))
    def test_broken_file_reports_path_line_and_message(stem: str) -> None:
        """The file is refused with the field path, the line and what was expected."""
        with pytest.raises(ScenarioError) as info:
            evacuate.load(folder / f"{stem}.yaml")
        path, line, fragment = expected[stem]
        hits = [i for i in info.value.issues if i.path == path and i.line == line]
        assert any(fragment in i.message for i in hits), str(info.value)

    return test_every_broken_file_has_expectations, test_broken_file_reports_path_line_and_message
