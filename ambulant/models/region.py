"""Where care happens: municipalities and the bases staff start from."""

from __future__ import annotations

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from ambulant.models.ranges import FORBID_EXTRA, Id


class Municipality(SQLModel, table=True):
    """Keyed by the official municipality number (kommunenummer), e.g. 5035 Stjørdal."""

    code: str = Field(primary_key=True, max_length=8)
    name: str = Field(max_length=100)


class BaseFields(SQLModel):
    """The fields of a base (the place staff start from) that the table and the API share."""

    name: str = Field(min_length=1, max_length=200)
    municipality_code: str = Field(foreign_key="municipality.code", max_length=8)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    kind: str = Field(default="home_care", max_length=40)
    organisation_id: Id | None = Field(
        default=None, foreign_key="organisation.id", description="The organisation owning it."
    )

    @field_validator("name")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()


class Base(BaseFields, table=True):
    """A place staff start and end their day: the district medical centre, a home-care base."""

    id: int | None = Field(default=None, primary_key=True)


class BaseCreate(BaseFields):
    model_config = FORBID_EXTRA


class BasePublic(BaseFields):
    id: int
