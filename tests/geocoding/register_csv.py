"""Rows in the layout of Kartverket's address register CSV export (matrikkelenVegadresse.csv)."""

from __future__ import annotations

from pathlib import Path

HEADER = (
    "lokalId;kommunenummer;kommunenavn;adressetype;adressetilleggsnavn;adressetilleggsnavnKilde;"
    "adressekode;adressenavn;nummer;bokstav;gardsnummer;bruksnummer;festenummer;undernummer;"
    "adresseTekst;adresseTekstUtenAdressetilleggsnavn;EPSG-kode;Nord;Øst;postnummer;poststed;"
    "oppdateringsdato;datauttaksdato;adresseId;uuidAdresse;atkomstId;uuidAtkomst;atkomstNord;"
    "atkomstØst;sommeratkomstId;uuidSommeratkomst;sommeratkomstNord;sommeratkomstØst;"
    "vinteratkomstId;uuidVinteratkomst;vinteratkomstNord;vinteratkomstØst"
)


def row(
    *,
    municipality: str,
    municipality_name: str,
    street: str,
    number: str,
    letter: str = "",
    extra_name: str = "",
    north: str,
    east: str,
    postcode: str,
    town: str,
    epsg: str = "4258",
    address_id: str = "",
) -> str:
    text = f"{street} {number}{letter}"
    full = f"{extra_name}, {text}" if extra_name else text
    cells = [
        address_id or f"1{postcode}{number}",
        municipality,
        municipality_name,
        "vegadresse",
        extra_name,
        "",
        "1234",
        street,
        number,
        letter,
        "12",
        "3",
        "0",
        "",
        full,
        text,
        epsg,
        north,
        east,
        postcode,
        town,
        "2026-01-05 10:11:12",
        "2026-11-01 00:00:00",
        address_id or f"9{postcode}{number}",
        "8f0c1e9a-0000-4000-8000-000000000000",
        *[""] * 12,
    ]
    return ";".join(cells)


STJORDAL = "5035"
MERAKER = "5034"

ROWS = [
    row(
        municipality=STJORDAL,
        municipality_name="STJØRDAL",
        street="Kirkegata",
        number="3",
        letter="B",
        north="63.46912",
        east="10.91703",
        postcode="7500",
        town="STJØRDAL",
    ),
    row(
        municipality=STJORDAL,
        municipality_name="STJØRDAL",
        street="Kirkegata",
        number="5",
        north="63.46930",
        east="10.91750",
        postcode="7500",
        town="STJØRDAL",
    ),
    row(
        municipality=STJORDAL,
        municipality_name="STJØRDAL",
        street="Storgata",
        number="1",
        north="63.46800",
        east="10.91400",
        postcode="7500",
        town="STJØRDAL",
    ),
    row(
        municipality=MERAKER,
        municipality_name="MERÅKER",
        street="Storgata",
        number="1",
        north="63.41500",
        east="11.74600",
        postcode="7530",
        town="MERÅKER",
    ),
    row(
        municipality=MERAKER,
        municipality_name="MERÅKER",
        street="Fjellvegen",
        number="567",
        extra_name="Haugen",
        north="63.40100",
        east="11.80200",
        postcode="7530",
        town="MERÅKER",
    ),
]


def write_register(path: Path, rows: list[str] | None = None) -> Path:
    path.write_text("\n".join([HEADER, *(ROWS if rows is None else rows)]) + "\n", "utf-8")
    return path
