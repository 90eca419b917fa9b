"""A sweep whose every sample fails says so and why. Before, its table showed P(target) nan and
quantiles of 0 people over no sample, and nothing said why the samples failed (here a
lognormal storm speed of sigma 1,000: its draws are 0 or past 1.8e308, a speed no scenario
may have)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from evacuate.cli import app

TINY = Path(__file__).resolve().parent.parent / "data" / "valid" / "tiny_plane.yaml"


def test_a_sweep_whose_samples_all_fail_shows_no_figures_and_the_first_reason(
    tmp_path: Path,
) -> None:
    scenario = tmp_path / "wild.yaml"
    scenario.write_text(
        TINY.read_text(encoding="utf-8")
        + "\nuncertainties:\n  - {id: wild, path: hazard.speed, distribution: lognormal,"
        " median: 5 km/h, sigma: 1000}\n",
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app, ["sweep", str(scenario), "-n", "2", "--store", url, "--plan-time", "600"]
    )
    out = " ".join(result.output.split())
    assert result.exit_code == 0, out
    assert "nan" not in out
    assert "2 sample(s) failed; the first:" in out and "hazard.speed" in out
