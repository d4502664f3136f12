"""Official addresses imported from Kartverket's register, so patients' addresses are geocoded
without leaving the system."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Address(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    register_id: str | None = Field(default=None, max_length=40, index=True)  # adresseId
    address_text: str = Field(max_length=300)  # adresseTekst, e.g. "Kirkegata 3B"
    # address_text normalised by ambulant.geocoding.local_register.normalise, for exact look-up.
    search_key: str = Field(max_length=300, index=True)
    postcode: str = Field(max_length=4, index=True)  # postnummer
    post_town: str = Field(max_length=100)  # poststed
    municipality_code: str = Field(max_length=8, index=True)  # kommunenummer
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
