"""The options of each job kind, in the command line's words (``--time-limit`` is
``time_limit`` here), checked by pydantic before a job is queued. Defaults and help come from
the one registry (``evacuate.options``) where it has the setting, so the page, the API and the
command line say the same."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

import evacuate.sabotage.api  # noqa: F401  (registers the sabotage settings)
from evacuate.options import OPTIONS

__all__ = [
    "JOB_OPTIONS",
    "PlanOptions",
    "ReportOptions",
    "SabotageOptions",
    "SimulateOptions",
    "SweepOptions",
    "describe",
    "target_of",
]


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanOptions(_Options):
    """``evacuate plan``."""

    variant: Annotated[str | None, Field(description="Apply this what-if variant first.")] = None
    objective: Annotated[
        Literal["max-rescued", "min-makespan"], Field(description="What to optimise.")
    ] = "max-rescued"
    time_limit: Annotated[float, Field(ge=0.1, le=3600, description="Seconds to spend.")] = OPTIONS[
        "time_limit"
    ].default
    seed: Annotated[int, Field(ge=0, le=2**31, description="Seed of the extra restarts.")] = (
        OPTIONS["seed"].default
    )
    hindsight: Annotated[
        bool, Field(description="Treat surprise events as known (what could have been).")
    ] = False


class SimulateOptions(_Options):
    """``evacuate simulate`` (one run)."""

    variant: Annotated[str | None, Field(description="Apply this what-if variant first.")] = None
    policy: Annotated[
        Literal["replan", "follow"], Field(description="At a surprise: replan or follow the plan.")
    ] = "replan"
    seed: Annotated[int, Field(ge=0, le=2**31, description="Seed of the run's noise.")] = 0
    travel_cv: Annotated[
        float | None,
        Field(ge=0, le=5, description="Travel-time noise (coefficient of variation)."),
    ] = None
    breakdowns: Annotated[
        float | None, Field(ge=0, le=1, description="Probability a vehicle breaks down on a trip.")
    ] = None
    time_limit: Annotated[float, Field(ge=0.1, le=3600, description="Seconds for each plan.")] = (
        10.0
    )


class ReportOptions(_Options):
    """``evacuate report``."""

    variants: Annotated[
        list[str] | None,
        Field(max_length=64, description="Variants to compare (default: every variant)."),
    ] = None
    time_limit: Annotated[
        float, Field(ge=0.1, le=3600, description="Seconds per plan (and replan).")
    ] = 10.0
    seed: Annotated[int, Field(ge=0, le=2**31, description="Seed of the simulation's noise.")] = 0


class SabotageOptions(_Options):
    """``evacuate sabotage``."""

    variant: Annotated[str | None, Field(description="Apply this what-if variant first.")] = None
    budget: Annotated[float | None, Field(ge=0, le=1e6, description=OPTIONS["budget"].help)] = (
        OPTIONS["budget"].default
    )
    defend: Annotated[float | None, Field(ge=0, le=1e6, description=OPTIONS["defend"].help)] = (
        OPTIONS["defend"].default
    )
    time_limit: Annotated[float, Field(ge=0.1, le=3600, description="Seconds for each plan.")] = (
        OPTIONS["time_limit"].default
    )
    seed: Annotated[int, Field(ge=0, le=2**31, description="Seed of the planner's restarts.")] = (
        OPTIONS["seed"].default
    )


TARGET = r"^(100(\.0+)?|[0-9]{1,2}(\.[0-9]+)?)%$|^[0-9]{1,15}(\.[0-9]+)?$"
"""A share of the population (``95%``) or a number of people (``16000``)."""


def target_of(text: str) -> tuple[float | None, float | None]:
    """``95%`` -> (None, 0.95); ``16000`` -> (16000, None)."""
    if text.endswith("%"):
        return None, float(text[:-1]) / 100
    return float(text), None


class SweepOptions(_Options):
    """``evacuate sweep`` (in the worker, one process)."""

    samples: Annotated[int, Field(ge=1, le=100_000, description=OPTIONS["samples"].help)] = OPTIONS[
        "samples"
    ].default
    sampler: Annotated[
        Literal["lhs", "sobol", "mc", "factorial"], Field(description=OPTIONS["sampler"].help)
    ] = OPTIONS["sampler"].default
    variants: Annotated[
        list[str] | None,
        Field(max_length=64, description="Run every sample on these variants (default: base)."),
    ] = None
    policy: Annotated[
        Literal["replan", "follow"], Field(description="At a surprise: replan or follow the plan.")
    ] = "replan"
    seed: Annotated[int, Field(ge=0, le=2**31, description="Seed of the samples.")] = OPTIONS[
        "seed"
    ].default
    plan_time: Annotated[float, Field(ge=0.01, le=3600, description=OPTIONS["plan_time"].help)] = (
        OPTIONS["plan_time"].default
    )
    target: Annotated[
        str, Field(pattern=TARGET, max_length=40, description=OPTIONS["target"].help)
    ] = OPTIONS["target"].default

    @field_validator("target")
    @classmethod
    def _share_above_zero(cls, text: str) -> str:
        if target_of(text)[1] == 0:
            raise ValueError("a share of 0% counts every sample a success; expected above 0%")
        return text


JOB_OPTIONS: dict[str, type[_Options]] = {
    "plan": PlanOptions,
    "simulate": SimulateOptions,
    "report": ReportOptions,
    "sabotage": SabotageOptions,
    "sweep": SweepOptions,
}


def describe() -> dict[str, list[dict[str, Any]]]:
    """Each kind's options for the launch panel: name, CLI flag, type, default, choices, help."""
    out: dict[str, list[dict[str, Any]]] = {}
    for kind, model in JOB_OPTIONS.items():
        schema = model.model_json_schema()
        rows = []
        for name, prop in schema["properties"].items():
            info = model.model_fields[name]
            kinds = [p.get("type") for p in prop.get("anyOf", [prop])]
            choices = next((p["enum"] for p in prop.get("anyOf", [prop]) if "enum" in p), None)
            shared = OPTIONS.get(name)
            rows.append(
                {
                    "name": name,
                    "flag": "--" + name.replace("_", "-"),
                    "type": next((k for k in kinds if k and k != "null"), "string"),
                    "default": info.default,
                    "choices": choices,
                    "help": shared.describe() if shared is not None else info.description or "",
                    "minimum": prop.get("minimum"),
                    "maximum": prop.get("maximum"),
                }
            )
        out[kind] = rows
    return out
