"""Legs a road engine has answered, so a replan does not ask again for what it already knows."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from ambulant.timeutil import AwareDateTime, now

# A composite key of integers: none of them autoincrements.
KEY = {"autoincrement": False}


class TravelLeg(SQLModel, table=True):
    """One leg from one rounded point to another, for one provider and version of its data.

    Points are stored as 1e-5 degrees (about a metre) in integers, so equality is exact on every
    database; `data_version` changes when the road data is rebuilt, which retires old legs.
    """

    provider: str = Field(primary_key=True, max_length=40)
    data_version: str = Field(primary_key=True, max_length=120)
    from_lat_e5: int = Field(primary_key=True, sa_column_kwargs=KEY)
    from_lon_e5: int = Field(primary_key=True, sa_column_kwargs=KEY)
    to_lat_e5: int = Field(primary_key=True, sa_column_kwargs=KEY)
    to_lon_e5: int = Field(primary_key=True, sa_column_kwargs=KEY)
    # None: the engine found no road for this leg in this data (an island without a ferry in
    # the data, a point far from any road); it is estimated when read, without asking again.
    duration_s: int | None = None
    distance_m: int | None = None
    created_at: dt.datetime = Field(default_factory=now, sa_type=AwareDateTime)
