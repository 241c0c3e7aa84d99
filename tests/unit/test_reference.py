"""Tests for app.reference and the TOML files in resources/reference/."""

import re

import pytest

from app.reference import (
    Region,
    activities,
    municipalities,
    region_for_municipality,
    regions,
    specialties,
)

REGION_CODES = {
    "01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13",
    "14", "17", "18", "19", "20", "21", "22", "23", "24", "25",
}  # fmt: skip


def test_twenty_one_regions_with_unique_codes() -> None:
    codes = [region.code for region in regions()]
    assert len(codes) == 21
    assert set(codes) == REGION_CODES
    assert len({region.name for region in regions()}) == 21


def test_region_names() -> None:
    names = {region.code: region.name for region in regions()}
    assert names["01"] == "Region Stockholm"
    assert names["14"] == "Västra Götalandsregionen"
    assert names["23"] == "Region Jämtland Härjedalen"


def test_290_municipalities_with_unique_four_digit_codes() -> None:
    codes = [municipality.code for municipality in municipalities()]
    assert len(codes) == 290
    assert len(set(codes)) == 290
    assert all(re.fullmatch(r"[0-9]{4}", code) for code in codes)
    assert len({municipality.name for municipality in municipalities()}) == 290


def test_every_municipality_belongs_to_an_existing_region() -> None:
    for municipality in municipalities():
        assert municipality.region_code == municipality.code[:2]
        assert municipality.region_code in REGION_CODES, municipality


def test_every_region_has_a_municipality() -> None:
    assert {municipality.region_code for municipality in municipalities()} == REGION_CODES


@pytest.mark.parametrize(
    ("code", "name", "region_name"),
    [
        ("0180", "Stockholm", "Region Stockholm"),
        ("0380", "Uppsala", "Region Uppsala"),
        ("1081", "Ronneby", "Region Blekinge"),
        ("1280", "Malmö", "Region Skåne"),
        ("1480", "Göteborg", "Västra Götalandsregionen"),
        ("0980", "Gotland", "Region Gotland"),
        ("2584", "Kiruna", "Region Norrbotten"),
    ],
)
def test_known_municipalities(code: str, name: str, region_name: str) -> None:
    by_code = {municipality.code: municipality for municipality in municipalities()}
    assert by_code[code].name == name
    assert region_for_municipality(code) == Region(code=code[:2], name=region_name)


def test_region_for_unknown_municipality() -> None:
    with pytest.raises(KeyError):
        region_for_municipality("9999")


def test_specialties_have_unique_three_digit_codes() -> None:
    codes = [specialty.code for specialty in specialties()]
    assert len(codes) >= 35
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[0-9]{3}", code) for code in codes)


def test_only_child_and_adolescent_psychiatry_is_flagged_bup() -> None:
    flagged = [specialty for specialty in specialties() if specialty.bup]
    assert [(specialty.code, specialty.name) for specialty in flagged] == [
        ("960", "Barn- och ungdomspsykiatri")
    ]


def test_activities_have_unique_codes_and_existing_mvo() -> None:
    mvo_codes = {specialty.code for specialty in specialties()}
    codes = [activity.code for activity in activities()]
    assert len(codes) >= 30
    assert len(set(codes)) == len(codes)
    for activity in activities():
        assert activity.mvo_code in mvo_codes, activity
        assert activity.name


def test_loaders_are_cached_tuples() -> None:
    for loader in (regions, municipalities, specialties, activities):
        assert isinstance(loader(), tuple)
        assert loader() is loader()
