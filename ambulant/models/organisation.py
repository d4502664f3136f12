"""Organisations: who employs staff and owns bases (a municipality, a hospital trust, a specialist
team of a hospital trust), so a visit can ask for staff of one of them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import field_validator
from sqlmodel import AutoString, Field, SQLModel

from ambulant.models.ranges import FORBID_EXTRA, Id


class OrganisationKind(StrEnum):
    MUNICIPALITY = "municipality"
    HOSPITAL_TRUST = "hospital_trust"
    SPECIALIST_TEAM = "specialist_team"


class OrganisationBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    kind: OrganisationKind = Field(sa_type=AutoString, max_length=20)
    municipality_code: str | None = Field(
        default=None,
        foreign_key="municipality.code",
        max_length=8,
        description="For a municipality: its code (kommunenummer).",
    )
    parent_id: Id | None = Field(
        default=None,
        foreign_key="organisation.id",
        description="The organisation this one is part of (a specialist team's hospital trust): "
        "its staff count as staff of the parent too.",
    )

    @field_validator("name")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()


class Organisation(OrganisationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class OrganisationCreate(OrganisationBase):
    model_config = FORBID_EXTRA

    # Something besides spaces: the name is stripped before it is stored.
    name: str = Field(min_length=1, max_length=200, schema_extra={"pattern": r"\S"})


class OrganisationPublic(OrganisationBase):
    id: int


# What `check_part_organisations` enforces, said in the OpenAPI document of a visit and a care
# plan: organisation_id or part_organisation_ids, and one part per staff member (staff_count, 1
# when left out).
PART_ORGANISATIONS_SCHEMA: list[dict[str, Any]] = [
    {
        "if": {
            "required": ["organisation_id"],
            "properties": {"organisation_id": {"type": "integer"}},
        },
        "then": {"properties": {"part_organisation_ids": {"maxItems": 0}}},
    },
    {
        "if": {"properties": {"staff_count": {"const": 1}}},
        "then": {"properties": {"part_organisation_ids": {"maxItems": 1}}},
    },
    {
        "if": {"required": ["staff_count"], "properties": {"staff_count": {"const": 2}}},
        "then": {
            "properties": {
                "part_organisation_ids": {
                    "anyOf": [{"maxItems": 0}, {"minItems": 2, "maxItems": 2}]
                }
            }
        },
    },
]


def check_part_organisations(
    organisation_id: int | None, part_organisation_ids: list[int | None], staff_count: int
) -> None:
    """One way of saying it: an organisation for the whole visit, or one entry per part."""
    if not part_organisation_ids:
        return
    if organisation_id is not None:
        raise ValueError("give organisation_id or part_organisation_ids, not both")
    if len(part_organisation_ids) != staff_count:
        raise ValueError(
            f"part_organisation_ids needs one entry per staff member ({staff_count}), "
            f"got {len(part_organisation_ids)}"
        )
