"""The objective's weights: the settings' defaults, and what one plan request may override.

Cost units: 1 is one second of driving. A plan stores the weights it was solved with in its
`parameters`, so a coordinator can see why it came out as it did.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

import solver
from ambulant.config import Settings

# Far above any plan's travel cost, far below where the solver's 64-bit sums could overflow.
MAX_PENALTY = 1_000_000_000


# A penalty for leaving a visit out: its bounds are in the OpenAPI document.
Penalty = Annotated[int, Field(ge=0, le=MAX_PENALTY)]


class WeightOverrides(BaseModel):
    """Weights for one plan; those left out come from the settings (AMBULANT_WEIGHT_*)."""

    model_config = ConfigDict(extra="forbid")

    travel_per_s: int | None = Field(default=None, ge=0, le=1_000)
    overtime_per_s: int | None = Field(default=None, ge=0, le=1_000)
    unassigned: tuple[Penalty, Penalty, Penalty, Penalty] | None = Field(
        default=None, description="Leaving a visit out, by priority: urgent, high, normal, low."
    )
    preferred_staff_bonus: int | None = Field(default=None, ge=0, le=1_000_000)
    overqualification_per_level: int | None = Field(default=None, ge=0, le=1_000_000)
    outside_home_municipality: int | None = Field(default=None, ge=0, le=1_000_000)
    workload_per_s: int | None = Field(default=None, ge=0, le=1_000)
    new_staff_per_visit: int | None = Field(default=None, ge=0, le=1_000_000)

    def given(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


def plan_weights(settings: Settings, overrides: Mapping[str, Any] | None = None) -> solver.Weights:
    """The weights of a plan: the settings', with `overrides` (a WeightOverrides dump) on top."""
    weights = solver.Weights(
        travel_per_s=settings.weight_travel_per_s,
        overtime_per_s=settings.weight_overtime_per_s,
        unassigned=settings.weight_unassigned,
        preferred_staff_bonus=settings.weight_preferred_staff_bonus,
        overqualification_per_level=settings.weight_overqualification_per_level,
        outside_home_municipality=settings.weight_outside_home_municipality,
        workload_per_s=settings.weight_workload_per_s,
        new_staff_per_visit=settings.weight_new_staff_per_visit,
    )
    if not overrides:
        return weights
    given = WeightOverrides.model_validate(dict(overrides)).given()
    return dataclasses.replace(weights, **given)


def stored_overrides(parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """The overridable weights a stored plan was solved with (from its `parameters`: the full
    record a solved plan keeps, or a request's overrides before it is solved): what a replan of
    that plan keeps, so that a plan's own weights outlive the request that set them."""
    record = (parameters or {}).get("weights") or {}
    return {name: record[name] for name in WeightOverrides.model_fields if name in record}


def weights_record(weights: solver.Weights) -> dict[str, Any]:
    """The weights as plain JSON, as a plan stores them."""
    record = dataclasses.asdict(weights)
    record["unassigned"] = list(weights.unassigned)
    return record
