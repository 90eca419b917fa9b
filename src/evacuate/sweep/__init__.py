"""Robustness sweeps: thousands of what-ifs, on local processes or a Dask cluster, stored as
they finish.

A scenario's ``uncertainties`` section says which numbers vary and how (see
``evacuate.scenario.uncertain`` and docs/sweep.md). ``sweep`` draws samples (``sampling``),
runs plan + simulate for each sample and variant (``tasks``) on an executor (``executors``),
writes each result to the run store (``evacuate.store``) and can resume. ``analysis`` and
``prim`` say what the results mean.

>>> import evacuate
>>> from evacuate.sweep import sweep
>>> scenario = evacuate.load("examples/hurricane_bus.yaml")
>>> result = sweep(scenario, samples=4, plan_time=0.5)      # doctest: +SKIP
>>> result.analyse()[0].p_target                           # doctest: +SKIP
"""

from evacuate.sweep.analysis import VariantAnalysis, analyse
from evacuate.sweep.executors import DaskExecutor, Executor, LocalExecutor, make_executor
from evacuate.sweep.prim import Box, PrimResult, prim
from evacuate.sweep.run import SweepResult, sweep
from evacuate.sweep.sampling import SAMPLERS, Sample, draw
from evacuate.sweep.tasks import BASE, SampleResult, task_seed

__all__ = [
    "BASE",
    "SAMPLERS",
    "Box",
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "PrimResult",
    "Sample",
    "SampleResult",
    "SweepResult",
    "VariantAnalysis",
    "analyse",
    "draw",
    "make_executor",
    "prim",
    "sweep",
    "task_seed",
]
