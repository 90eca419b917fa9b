"""Same scenario, options and seed: the same plan file, byte for byte, whatever the load.

The planner's searches are budgeted in work units (dispatcher runs, rounds of the bound, LP
solves, MIP nodes, move evaluations); the time limit is only a safety stop. These cases run
their whole budget (none closes its gap early) within the default time limit, twice at once,
with a process that spins on a core beside them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from bench.generate import generate

import evacuate
from evacuate.bep import bep_to_scenario, read_bep
from evacuate.plan.api import plan
from evacuate.plan.dispatch_kernel import compile_kernel
from evacuate.plan.sweep import compile_sweep
from evacuate.planio import write_plan
from evacuate.scenario.load import from_dict

ROOT = Path(__file__).resolve().parents[2]


def _generated() -> evacuate.Scenario:
    # 3 places, 6 vehicles: the dispatcher and the bound leave a gap (1.4%), so the search
    # spends its whole budget (27 dispatcher runs, 2 rounds of the bound)
    return from_dict(generate(4, places=3, vehicles=6, steps=24, classes=1, havens=2))


def _evacuable() -> evacuate.Scenario:
    # as generated, the bound proves at once that not everyone can be rescued (no search);
    # with half the people everyone can, so min makespan bisects on the horizon (12
    # dispatcher runs, 25 LP solves)
    data = generate(2, places=3, vehicles=6, steps=24, classes=1, havens=2)
    for place in data["places"]:
        if place.get("population"):
            place["population"] //= 2
    return from_dict(data)


def _two_yards() -> evacuate.Scenario:
    # a bus evacuation problem whose route search never reaches its lower bound: it spends
    # all its move evaluations
    inst = read_bep(ROOT / "tests" / "data" / "bep" / "two_yards.txt")
    return from_dict(bep_to_scenario(inst, "two_yards"))


def _libya() -> evacuate.Scenario:
    # a real operation whose full budget (8 dispatcher runs, 11 LP solves) takes about 2 s of
    # CPU: with a stop on the wall clock alone, a loaded machine (load 11 on 2 cores) cut it
    # beside a spinning process and the plan differed
    return evacuate.load(ROOT / "examples" / "libya_2011.yaml")


def _hurricane() -> evacuate.Scenario:
    # min makespan: the default 10 s stop cut it beside a spinning process (9.5-12 s of CPU
    # on a loaded machine); 10 relaxations of the lower bound and 4 max-rescued runs
    return evacuate.load(ROOT / "examples" / "hurricane_bus.yaml")


def _xlarge() -> evacuate.Scenario:
    # the ladder's largest rung (60 M cells): 17.7-25 s of CPU before the default budget
    # capped its column generations (plan/budget.py, LEAN_*); now 65 LP solves
    from bench.generate import LADDER

    rung = next(s for s in LADDER if s.name == "xlarge")
    return from_dict(rung.generate(), source="<bench:xlarge>")


def _spinner() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


CASES: dict[str, tuple[Callable[[], evacuate.Scenario], str, int | None]] = {
    "generated": (_generated, "max-rescued", None),
    "evacuable": (_evacuable, "min-makespan", None),
    # 100,000 move evaluations: 0.3 s of CPU, so that even at a load of 10 on 2 cores the
    # default time limit stays far from binding
    "two_yards": (_two_yards, "min-makespan", 100_000),
    "libya": (_libya, "max-rescued", None),
    "hurricane": (_hurricane, "min-makespan", None),
    "xlarge": (_xlarge, "max-rescued", None),
}
"""Case: (scenario, objective, route-search work or None for the default)."""


def plan_case(case: str, out: str) -> dict[str, Any]:
    """Plan ``case`` with seed 3 and the default time limit: its plan file to ``out``, and
    what the search did."""
    make, objective, work = CASES[case]
    result = plan(make(), objective=objective, seed=3, work=work)  # type: ignore[arg-type]
    write_plan(result.plan, Path(out))
    st = result.stats
    done = {"stopped_by_time": bool(st["stopped_by_time"])}
    return done | {"dispatch_runs": st.get("dispatch_runs", 0), "work": st.get("work", 0)}


def serve() -> None:
    """The second planning process: plans each ``[case, out]`` read from stdin (one JSON
    line each) and answers with what the search did (one JSON line)."""
    for line in sys.stdin:
        case, out = json.loads(line)
        print(json.dumps(plan_case(case, out)), flush=True)


@pytest.fixture(scope="module")
def second() -> Iterator[subprocess.Popen[str]]:
    """A second planning process (``serve``) with a process spinning on a core beside it,
    for the whole module: its start-up is paid once, not per case."""
    compile_sweep()  # numba's cache written first: the child loads it, not compiles it too
    compile_kernel()
    code = "from tests.plan.test_determinism import serve; serve()"
    with (
        _spinner() as burner,
        subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        ) as child,
    ):
        try:
            yield child
        finally:  # the context's exit closes the pipes and waits
            child.kill()
            burner.kill()


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_same_seed_same_file_beside_a_cpu_burner(
    tmp_path: Path, case: str, second: subprocess.Popen[str]
) -> None:
    """Two runs with the same seed and the default time limit write identical plan files,
    though a process burns CPU beside the second one; the time limit bound neither.

    The two runs go at the same time (the wall time of about one and a half runs, not two):
    the second in another process, the first in this one, so each shares the machine with
    the other, the burner and whatever else runs (a CI worker's other tests): both run
    busier than on a quiet machine, and differently."""
    first, other = tmp_path / "first.csv", tmp_path / "second.csv"
    assert second.stdin is not None and second.stdout is not None
    second.stdin.write(json.dumps([case, str(other)]) + "\n")
    second.stdin.flush()
    done = plan_case(case, str(first))
    answer = second.stdout.readline()
    while answer and not answer.startswith("{"):  # anything else the child may print
        answer = second.stdout.readline()
    assert answer, "the second planning process ended"
    theirs = json.loads(answer)
    assert not done["stopped_by_time"] and not theirs["stopped_by_time"]
    assert first.read_bytes() == other.read_bytes()
    # the search did its work: more than one dispatcher run, or move evaluations
    assert done["dispatch_runs"] > 1 or done["work"] >= 100_000


def test_a_binding_time_limit_is_said() -> None:
    """A time limit far too short for the budget cuts the search, and the result says so
    (in its stats and in the plan's header); the plan is still whole and feasible."""
    from evacuate.check import check

    scenario = _two_yards()
    result = plan(scenario, objective="min-makespan", time_limit=0.1, work=10**9)
    assert result.stats["stopped_by_time"]
    assert result.plan.meta.get("stopped_by_time") is True
    assert check(scenario, result.plan).feasible


def test_no_wall_clock_in_the_plan_header() -> None:
    """The plan's header holds no seconds: they would differ from run to run."""
    result = plan(evacuate.load(ROOT / "examples" / "airlift.yaml"), time_limit=60)
    assert "seconds" not in result.plan.header()
    assert "seconds" not in (result.plan.header().get("meta") or {})
