"""Region files: the bundled ones load and validate; broken ones fail naming the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from ambulant.demo.region_spec import (
    RegionFileError,
    RegionSpec,
    available_regions,
    load_region,
    parse_region,
)
from ambulant.errors import InvalidInput, NotFound
from ambulant.models import Team

REGIONS = Path(__file__).resolve().parents[2] / "ambulant" / "demo" / "regions"


def vaernes_text() -> str:
    return (REGIONS / "vaernes.toml").read_text(encoding="utf-8")


def test_bundled_regions_are_listed() -> None:
    """Both shipped regions are found as package data."""
    assert available_regions() == ["drammen", "vaernes"]


@pytest.mark.parametrize("name", ["vaernes", "drammen"])
def test_bundled_region_loads_by_name(name: str) -> None:
    """A bundled region loads by its name and carries its own key."""
    spec = load_region(name)
    assert isinstance(spec, RegionSpec)
    assert spec.region.key == name


def test_vaernes_holds_the_facts_of_the_region() -> None:
    """Værnes: the four municipality codes, a DMS base, an ambulant team serving everyone."""
    spec = load_region("vaernes")
    assert {m.code: m.name for m in spec.municipalities} == {
        "5035": "Stjørdal",
        "5034": "Meråker",
        "5032": "Selbu",
        "5033": "Tydal",
    }
    dms = [b for b in spec.bases if b.kind == "dms"]
    assert len(dms) == 1 and dms[0].municipality == "5035"
    assert {b.municipality for b in spec.bases} == {"5035", "5034", "5032", "5033"}
    ambulant = [p for p in spec.staff if p.team == Team.AMBULANT_TEAM]
    assert 6 <= sum(p.count for p in ambulant) <= 8
    assert all(p.served() == [] and p.base == "dms" for p in ambulant)
    assert all(p.served() == [p.municipality] for p in spec.staff if p not in ambulant)


def test_region_loads_from_a_path(tmp_path: Path) -> None:
    """A region file outside the package loads by path."""
    path = tmp_path / "mine.toml"
    path.write_text(vaernes_text().replace('key = "vaernes"', 'key = "mine"'), encoding="utf-8")
    assert load_region(str(path)).region.key == "mine"


def test_unknown_region_name_lists_the_available_ones() -> None:
    """An unknown name is NotFound, and the message says what exists."""
    with pytest.raises(NotFound, match="available: drammen, vaernes"):
        load_region("atlantis")


def test_missing_region_path_is_not_found(tmp_path: Path) -> None:
    """A path that does not exist is NotFound naming the path."""
    with pytest.raises(NotFound, match=r"nope\.toml"):
        load_region(str(tmp_path / "nope.toml"))


def test_broken_toml_names_the_file() -> None:
    """A TOML syntax error is an InvalidInput naming the source and the parser's complaint."""
    with pytest.raises(RegionFileError, match=r"bad\.toml: not valid TOML") as caught:
        parse_region("[region\nkey = 1", source="bad.toml")
    assert isinstance(caught.value, InvalidInput)


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        pytest.param(
            'base = "selbu"',
            'base = "selbo"',
            "region",
            r"staff\[\d+\]\.base: unknown 'selbo'",
            id="unknown-base",
        ),
        pytest.param(
            'code = "5033"',
            'code = "Tydal"',
            "municipalities.3.code",
            "should match pattern",
            id="bad-code",
        ),
        pytest.param(
            'duration = [10, 15]\nwindow = { kind = "fixed", at = [08:00:00], '
            "tolerance_minutes = 30 }",
            'duration = [10, 75]\nwindow = { kind = "fixed", at = [08:00:00], '
            "tolerance_minutes = 30 }",
            "visit_types.1",
            r"longest duration \(75 min\) does not fit the window \(60 min\)",
            id="duration-longer-than-window",
        ),
        pytest.param(
            "priority = { high = 0.5, normal = 0.5 }",
            "priority = { high = 0.5, normal = 0.6 }",
            "visit_types.1.priority",
            "sum to 1",
            id="priority-shares",
        ),
        pytest.param(
            'skills = ["psychiatric_care"]',
            'skills = ["maternity_care"]',
            "region",
            r"no staff pool serves municipality 5035 on Mon with skills \['maternity_care'\]",
            id="uncoverable-skill",
        ),
        pytest.param(
            'skills = ["insulin"]',
            'skills = ["insulin_pen"]',
            "visit_types.1.skills.0",
            "Input should be",
            id="unknown-skill",
        ),
        pytest.param(
            'patients = { "5035" = 12, "5032" = 2, "5034" = 2, "5033" = 1 }',
            'patients = { "5035" = 12, "5032" = 2, "5034" = 2, "5033" = 9 }',
            "region",
            r"9 patients in 5033, but the municipality has 8",
            id="more-patients-than-exist",
        ),
        pytest.param(
            "[continuity]",
            "[continuity]\nfavourite_colour = 1",
            "continuity.favourite_colour",
            "Extra inputs are not permitted",
            id="typo-in-a-key",
        ),
    ],
)
def test_bad_region_file_names_the_field(old: str, new: str, field: str, message: str) -> None:
    """Each kind of mistake fails with the file, the field's path and what is wrong."""
    text = vaernes_text()
    assert old in text, "the test's anchor must exist in the bundled file"
    with pytest.raises(RegionFileError, match=message) as caught:
        parse_region(text.replace(old, new, 1), source="vaernes-edited.toml")
    assert caught.value.field == field
    assert caught.value.message.startswith("vaernes-edited.toml: invalid region file")


def test_tydal_without_a_nurse_on_weekends_is_refused() -> None:
    """Coverage is checked per weekday: daily insulin in Tydal needs a nurse there every day."""
    text = vaernes_text()
    tydal_nurse = 'municipality = "5033"\nbase = "tydal"\ndiscipline = "registered_nurse"\n'
    assert tydal_nurse in text
    edited = text.replace(tydal_nurse, tydal_nurse + "weekdays = [0, 1, 2, 3, 4]\n", 1)
    with pytest.raises(
        RegionFileError, match=r"municipality 5033 on Sat with skills \['insulin'\]"
    ):
        parse_region(edited)
