"""Geocoding from a local copy of Kartverket's address register: patients' addresses stay here.

Import the register's CSV export ("Matrikkelen - Adresse", per municipality or county, from
Geonorge) with `import_address_csv`: semicolon-separated, UTF-8, a header row naming at least
adresseTekst, postnummer, poststed, kommunenummer, Nord, Øst and EPSG-kode. Nord/Øst are latitude
and longitude in the EPSG:4258 (or 4326) variant, and UTM northing/easting in the 25832/25833/
25835 variants. A query is "street and number[, postcode town]"; it must match one address
exactly (case, punctuation and spacing aside), else the error lists the candidates or near misses.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from ambulant.errors import InvalidInput
from ambulant.geocoding.protocol import GeocodedAddress, UnknownAddress, choose, normalise
from ambulant.geocoding.utm import ZONES, utm_to_latlon
from ambulant.models.address import Address

REQUIRED = ("adressetekst", "postnummer", "poststed", "kommunenummer", "nord", "øst")
LATLON_EPSG = {4258, 4326}
BATCH = 5000
NEAR_MISSES = 10


class LocalRegisterGeocoder:
    name = "local"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def geocode(self, address: str, *, municipality_code: str | None = None) -> GeocodedAddress:
        street, postcode, town = parse_query(address)
        key = normalise(street)
        if not key:
            raise InvalidInput("the address is empty", field="address")
        where = _Filter(postcode, town, municipality_code)
        with Session(self.engine) as session:
            query = where(select(Address).where(col(Address.search_key) == key))
            found = session.exec(query.order_by(col(Address.id)).limit(50)).all()
            if not found:
                # Near misses: the same street (the words before the house number), any number.
                name = re.sub(r"( \d+\w*)+$", "", key)
                near = where(select(Address).where(col(Address.search_key).startswith(name + " ")))
                misses = session.exec(near.order_by(col(Address.search_key)).limit(NEAR_MISSES))
                raise UnknownAddress(
                    f"no address in the register matches {address!r}",
                    [_label(a) for a in misses],
                )
        return choose(address, [_geocoded(a) for a in found])


class _Filter:
    def __init__(self, postcode: str | None, town: str | None, municipality: str | None) -> None:
        self.postcode, self.town, self.municipality = postcode, town, municipality

    def __call__(self, query: SelectOfScalar[Address]) -> SelectOfScalar[Address]:
        if self.postcode:
            query = query.where(col(Address.postcode) == self.postcode)
        elif self.town:
            query = query.where(col(Address.post_town) == self.town.upper())
        if self.municipality:
            query = query.where(col(Address.municipality_code) == self.municipality)
        return query


def parse_query(text: str) -> tuple[str, str | None, str | None]:
    """ "Kirkegata 3B, 7500 Stjørdal" -> ("Kirkegata 3B", "7500", "Stjørdal")."""
    street, _, rest = text.partition(",")
    if not rest:  # "Kirkegata 3B 7500 Stjørdal": a four-digit postcode after the number
        match = re.match(r"^(.*?\d+\s*[A-Za-z]?)\s+(\d{4})\b(.*)$", text.strip())
        if match:
            street, rest = match.group(1), match.group(2) + match.group(3)
    rest = rest.strip(" ,")
    postcode = re.match(r"^(\d{4})\b\s*(.*)$", rest)
    if postcode:
        return street.strip(), postcode.group(1), postcode.group(2).strip() or None
    return street.strip(), None, rest or None


def _label(a: Address) -> str:
    return f"{a.address_text}, {a.postcode} {a.post_town}"


def _geocoded(a: Address) -> GeocodedAddress:
    return GeocodedAddress(
        label=_label(a),
        lat=a.lat,
        lon=a.lon,
        source="local",
        postcode=a.postcode,
        municipality_code=a.municipality_code,
        address_text=a.address_text,
    )


def import_address_csv(session: Session, path: Path) -> int:
    """Loads a register CSV, replacing the addresses of the municipalities it covers.

    Returns the number of addresses imported. The caller commits; a bad row raises InvalidInput
    naming its line and nothing of the file is kept.
    """
    rows = list(_read(path))
    municipalities = {r["municipality_code"] for r in rows}
    if municipalities:
        session.execute(
            delete(Address).where(col(Address.municipality_code).in_(sorted(municipalities)))
        )
    for start in range(0, len(rows), BATCH):
        session.execute(insert(Address), rows[start : start + BATCH])
    return len(rows)


def _read(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=";")
        header = [h.strip().casefold() for h in next(reader, [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InvalidInput(
                f"{path.name} is not an address register CSV: no column {', '.join(missing)}",
                field="file",
            )
        at = {name: header.index(name) for name in header}
        for line, cells in enumerate(reader, start=2):
            if not any(cells):
                continue
            try:
                yield _row(cells, at)
            except (ValueError, IndexError) as error:
                raise InvalidInput(f"{path.name} line {line}: {error}", field="file") from error


def _row(cells: list[str], at: dict[str, int]) -> dict[str, Any]:
    def cell(name: str) -> str:
        return cells[at[name]].strip() if name in at else ""

    epsg_text = cell("epsg-kode").upper().removeprefix("EPSG:") or "4258"
    epsg = int(epsg_text)
    # Decimal commas appear in some exports.
    north, east = (float(cell(c).replace(",", ".")) for c in ("nord", "øst"))
    if epsg in LATLON_EPSG:
        lat, lon = north, east
    elif epsg in ZONES:
        lat, lon = utm_to_latlon(east, north, ZONES[epsg])
    else:
        raise ValueError(f"EPSG:{epsg} is not supported (use 4258, 25832, 25833 or 25835)")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"coordinates ({north}, {east}) are outside the world for EPSG:{epsg}")
    text = cell("adressetekst")
    if not text:
        raise ValueError("adresseTekst is empty")
    return {
        "register_id": cell("adresseid") or None,
        "address_text": text,
        # "Haugen, Fjellvegen 567" is found as "Fjellvegen 567": the extra name is optional.
        "search_key": normalise(cell("adressetekstutenadressetilleggsnavn") or text),
        "postcode": cell("postnummer").zfill(4),
        "post_town": cell("poststed").upper(),
        "municipality_code": cell("kommunenummer").zfill(4),
        "lat": lat,
        "lon": lon,
    }
