"""The local address register: CSV import and look-ups, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from ambulant.errors import InvalidInput
from ambulant.geocoding import AmbiguousAddress, UnknownAddress
from ambulant.geocoding.local_register import (
    LocalRegisterGeocoder,
    import_address_csv,
    parse_query,
)
from ambulant.geocoding.utm import utm_to_latlon
from ambulant.models import Address
from tests.geocoding.register_csv import MERAKER, ROWS, STJORDAL, row, write_register


@pytest.fixture
def register(engine: Engine, tmp_path: Path) -> LocalRegisterGeocoder:
    with Session(engine) as session:
        assert import_address_csv(session, write_register(tmp_path / "adresser.csv")) == 5
        session.commit()
    return LocalRegisterGeocoder(engine)


def count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(Address)).scalar_one())


def test_an_exact_address_gives_its_point(register: LocalRegisterGeocoder) -> None:
    """Case, commas and a detached house letter aside, the register's point is returned."""
    found = register.geocode("KIRKEGATA 3 b")
    assert (found.lat, found.lon) == (63.46912, 10.91703)
    assert found.label == "Kirkegata 3B, 7500 STJØRDAL"
    assert found.source == "local" and found.municipality_code == STJORDAL


def test_an_extra_name_is_optional(register: LocalRegisterGeocoder) -> None:
    """ "Haugen, Fjellvegen 567" is found by its street address alone."""
    assert register.geocode("Fjellvegen 567").label == "Haugen, Fjellvegen 567, 7530 MERÅKER"


def test_the_same_address_in_two_towns_is_ambiguous(register: LocalRegisterGeocoder) -> None:
    """Storgata 1 exists in Stjørdal and Meråker: the error is InvalidInput listing both."""
    with pytest.raises(AmbiguousAddress) as caught:
        register.geocode("Storgata 1")
    error = caught.value
    assert isinstance(error, InvalidInput) and error.field == "address"
    assert error.candidates == ["Storgata 1, 7500 STJØRDAL", "Storgata 1, 7530 MERÅKER"]
    assert "Storgata 1, 7530 MERÅKER" in error.message


@pytest.mark.parametrize(
    ("query", "municipality", "postcode"),
    [
        ("Storgata 1, 7530 Meråker", None, "7530"),
        ("Storgata 1 7500 Stjørdal", None, "7500"),
        ("Storgata 1, Meråker", None, "7530"),
        ("Storgata 1", STJORDAL, "7500"),
    ],
)
def test_postcode_town_or_municipality_settle_it(
    register: LocalRegisterGeocoder, query: str, municipality: str | None, postcode: str
) -> None:
    """A postcode, a town or the patient's municipality picks one of the two."""
    assert register.geocode(query, municipality_code=municipality).postcode == postcode


def test_an_unknown_number_lists_the_street_as_near_misses(
    register: LocalRegisterGeocoder,
) -> None:
    """Kirkegata 4 is not in the register; the error offers the Kirkegata addresses there are."""
    with pytest.raises(UnknownAddress) as caught:
        register.geocode("Kirkegata 4, 7500")
    assert caught.value.field == "address"
    assert caught.value.candidates == ["Kirkegata 3B, 7500 STJØRDAL", "Kirkegata 5, 7500 STJØRDAL"]


def test_an_unknown_street_has_no_candidates(register: LocalRegisterGeocoder) -> None:
    """Nothing alike: the error says so and lists nothing."""
    with pytest.raises(UnknownAddress) as caught:
        register.geocode("Nowhere Road 1")
    assert caught.value.candidates == []


def test_reimport_replaces_the_municipalities_in_the_file(
    engine: Engine, register: LocalRegisterGeocoder, tmp_path: Path
) -> None:
    """A new file for Meråker replaces Meråker's addresses and leaves Stjørdal's."""
    moved = row(
        municipality=MERAKER,
        municipality_name="MERÅKER",
        street="Storgata",
        number="1",
        north="63.41600",
        east="11.74700",
        postcode="7530",
        town="MERÅKER",
    )
    with Session(engine) as session:
        assert import_address_csv(session, write_register(tmp_path / "m.csv", [moved])) == 1
        session.commit()
    assert count(engine) == 4
    assert register.geocode("Storgata 1, 7530").lat == 63.416


def test_the_utm33_variant_is_converted(engine: Engine, tmp_path: Path) -> None:
    """An EPSG:25833 row's Nord/Øst are UTM northing/easting, stored as lat/lon."""
    utm = row(
        municipality=STJORDAL,
        municipality_name="STJØRDAL",
        street="Kirkegata",
        number="7",
        north="7041234.5",
        east="290123.4",
        postcode="7500",
        town="STJØRDAL",
        epsg="25833",
    )
    with Session(engine) as session:
        import_address_csv(session, write_register(tmp_path / "utm.csv", [utm]))
        session.commit()
    found = LocalRegisterGeocoder(engine).geocode("Kirkegata 7")
    assert (found.lat, found.lon) == pytest.approx(utm_to_latlon(290123.4, 7041234.5, 33))
    assert 63.3 < found.lat < 63.6 and 10.7 < found.lon < 11.1  # Stjørdal


def test_a_file_without_the_register_columns_is_refused(session: Session, tmp_path: Path) -> None:
    """A CSV lacking Nord/Øst is named as not a register export."""
    path = tmp_path / "other.csv"
    path.write_text("adresseTekst;postnummer\nKirkegata 3;7500\n", "utf-8")
    with pytest.raises(InvalidInput, match="no column poststed, kommunenummer, nord, øst"):
        import_address_csv(session, path)


def test_a_bad_row_names_its_line_and_nothing_is_kept(engine: Engine, tmp_path: Path) -> None:
    """An unsupported EPSG code on line 3 fails the import before anything is written."""
    bad = row(
        municipality=STJORDAL,
        municipality_name="STJØRDAL",
        street="Kirkegata",
        number="9",
        north="1",
        east="2",
        postcode="7500",
        town="STJØRDAL",
        epsg="3857",
    )
    with Session(engine) as session:
        with pytest.raises(InvalidInput, match=r"line 3: EPSG:3857 is not supported") as caught:
            import_address_csv(session, write_register(tmp_path / "bad.csv", [ROWS[0], bad]))
        assert caught.value.field == "file"
    assert count(engine) == 0


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("Kirkegata 3B, 7500 Stjørdal", ("Kirkegata 3B", "7500", "Stjørdal")),
        ("Kirkegata 3B 7500 Stjørdal", ("Kirkegata 3B", "7500", "Stjørdal")),
        ("Kirkegata 3 B", ("Kirkegata 3 B", None, None)),
        ("Kirkegata 3B, Stjørdal", ("Kirkegata 3B", None, "Stjørdal")),
        ("Kirkegata 3B, 7500", ("Kirkegata 3B", "7500", None)),
    ],
)
def test_queries_split_into_street_postcode_and_town(
    text: str, parsed: tuple[str, str | None, str | None]
) -> None:
    """Street and number, then an optional postcode and town, with or without a comma."""
    assert parse_query(text) == parsed
