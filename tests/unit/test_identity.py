"""Tests for app.identity. Check digits in the examples were computed by hand with the Luhn rule."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.identity import (
    IdKind,
    InvalidPatientId,
    PatientId,
    luhn_check_digit,
    make_personnummer,
    parse_patient_id,
)

TODAY = date(2025, 6, 15)


def _message(text: str, today: date = TODAY) -> str:
    with pytest.raises(InvalidPatientId) as info:
        parse_patient_id(text, today=today)
    assert info.value.field == "Personnummer"
    return str(info.value)


@pytest.mark.parametrize(
    ("nine", "check"),
    [
        ("811218987", 6),
        ("121212121", 2),
        ("701063239", 1),  # samordningsnummer, day 03 + 60
        ("000229123", 5),
        ("000229124", 3),
        ("240229123", 7),
    ],
)
def test_luhn_check_digit_hand_computed(nine: str, check: int) -> None:
    assert luhn_check_digit(nine) == check


@pytest.mark.parametrize("bad", ["", "12345678", "1234567890", "12345678a", "١٢٣٤٥٦٧٨٩"])
def test_luhn_rejects_anything_but_nine_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="nine digits"):
        luhn_check_digit(bad)


@pytest.mark.parametrize(
    "text", ["811218-9876", "8112189876", "19811218-9876", "198112189876", "  19811218-9876 "]
)
def test_all_written_forms_normalise_to_twelve_digits(text: str) -> None:
    pid = parse_patient_id(text, today=TODAY)
    assert pid == PatientId(
        value="198112189876", kind=IdKind.PERSONNUMMER, birth_date=date(1981, 12, 18), sex="M"
    )
    assert pid.display() == "19811218-9876"


def test_skatteverket_example_number() -> None:
    pid = parse_patient_id("19121212-1212", today=TODAY)
    assert pid.value == "191212121212"
    assert pid.birth_date == date(1912, 12, 12)


def test_sex_from_second_last_digit() -> None:
    assert parse_patient_id("20000229-1235", today=TODAY).sex == "M"
    assert parse_patient_id("20000229-1243", today=TODAY).sex == "K"


def test_wrong_check_digit() -> None:
    assert _message("811218-9875") == "Personnummer: kontrollsiffran stämmer inte."
    assert _message("19121212-1213") == "Personnummer: kontrollsiffran stämmer inte."


def test_ten_digits_with_minus_means_under_hundred() -> None:
    assert parse_patient_id("121212-1212", today=TODAY).value == "201212121212"


def test_ten_digits_with_plus_means_hundred_or_older() -> None:
    pid = parse_patient_id("121212+1212", today=TODAY)
    assert pid.value == "191212121212"
    assert pid.display() == "19121212-1212"


def test_plus_applies_from_the_start_of_the_year_the_person_turns_hundred() -> None:
    # Born 1925-12-12: not yet 100 on TODAY, but Skatteverket already writes "+" this year.
    number = make_personnummer(date(1925, 12, 12), 123)
    assert parse_patient_id(f"{number[2:8]}+{number[8:]}", today=TODAY).birth_date == date(1925, 12, 12)


def test_ten_digits_with_minus_for_a_date_later_this_year_is_in_the_future() -> None:
    number = make_personnummer(date(2025, 12, 12), 123)
    assert _message(f"{number[2:8]}-{number[8:]}") == (
        "Personnummer: födelsedatumet 20251212 ligger i framtiden."
    )


def test_samordningsnummer() -> None:
    pid = parse_patient_id("701063-2391", today=TODAY)
    assert pid.kind is IdKind.SAMORDNINGSNUMMER
    assert pid.value == "197010632391"
    assert pid.birth_date == date(1970, 10, 3)
    assert pid.sex == "M"
    assert pid.display() == "19701063-2391"


@pytest.mark.parametrize("day", [61, 75, 91])
def test_samordningsnummer_day_range(day: int) -> None:
    number = make_personnummer(date(1990, 1, day - 60), 456, samordning=True)
    assert number[6:8] == f"{day:02d}"
    pid = parse_patient_id(number, today=TODAY)
    assert pid.kind is IdKind.SAMORDNINGSNUMMER
    assert pid.birth_date == date(1990, 1, day - 60)


def test_samordningsnummer_with_impossible_day() -> None:
    assert _message("19900291-0000") == (
        "Personnummer: datumet 19900231 i samordningsnumret finns inte (dagen minus 60)."
    )
    assert "finns inte" in _message("19900192-0000")


def test_leap_day_in_leap_years() -> None:
    assert parse_patient_id("20000229-1235", today=TODAY).birth_date == date(2000, 2, 29)
    assert parse_patient_id("20240229-1237", today=TODAY).birth_date == date(2024, 2, 29)
    assert parse_patient_id("000229-1235", today=TODAY).birth_date == date(2000, 2, 29)


@pytest.mark.parametrize("text", ["20010229-1234", "19000229-1234", "20230229-1234"])
def test_leap_day_in_non_leap_years(text: str) -> None:
    assert _message(text) == f"Personnummer: datumet {text[:8]} finns inte."


def test_impossible_dates() -> None:
    assert _message("20230230-1234") == "Personnummer: datumet 20230230 finns inte."
    assert _message("20231301-1234") == "Personnummer: datumet 20231301 finns inte."
    assert _message("20230100-1234") == "Personnummer: datumet 20230100 finns inte."
    assert _message("20230160-1234") == "Personnummer: datumet 20230160 finns inte."


def test_future_birth_date() -> None:
    number = make_personnummer(date(2030, 1, 1), 1)
    assert _message(number) == "Personnummer: födelsedatumet 20300101 ligger i framtiden."
    assert _message(make_personnummer(date(2025, 6, 16), 1)) == (
        "Personnummer: födelsedatumet 20250616 ligger i framtiden."
    )


def test_born_today_is_accepted() -> None:
    assert parse_patient_id(make_personnummer(TODAY, 1), today=TODAY).birth_date == TODAY


def test_today_defaults_to_the_real_date() -> None:
    assert parse_patient_id("19121212-1212").value == "191212121212"


FORMAT_MESSAGE = "Personnummer: ska ha 10 eller 12 siffror, till exempel 19121212-1212."


@pytest.mark.parametrize(
    "text",
    [
        "12345",
        "1912121212120",
        "19121212--1212",
        "1912-1212-1212",
        "19121212 1212",
        "811218/9876",
        "١٩١٢١٢١٢١٢١٢",  # Arabic-Indic digits pass str.isdigit() but are not a personnummer
        "-",
    ],
)
def test_garbage_is_rejected_with_format_message(text: str) -> None:
    assert _message(text) == FORMAT_MESSAGE


def test_empty_input() -> None:
    assert _message("   ") == "Personnummer: fyll i ett personnummer, till exempel 19121212-1212."


def test_error_is_a_value_error_with_message_as_str() -> None:
    with pytest.raises(ValueError, match="kontrollsiffran"):
        parse_patient_id("811218-9875", today=TODAY)


def test_reservnummer() -> None:
    pid = parse_patient_id("19800101RA12", today=TODAY)
    assert pid == PatientId(
        value="19800101RA12", kind=IdKind.RESERVNUMMER, birth_date=date(1980, 1, 1), sex=None
    )
    assert pid.display() == "19800101-RA12"


def test_reservnummer_is_normalised_to_upper_case_without_separator() -> None:
    assert parse_patient_id("19800101-ra12", today=TODAY).value == "19800101RA12"
    assert parse_patient_id("20000229-XXXX", today=TODAY).value == "20000229XXXX"


@pytest.mark.parametrize("text", ["19800101-R1", "800101-RA12", "19800101-RA123", "19800101-RÅ12", "ABC"])
def test_malformed_reservnummer(text: str) -> None:
    assert "reservnummer" in _message(text)


def test_reservnummer_needs_real_past_date() -> None:
    assert _message("19810229-RA12") == "Personnummer: datumet 19810229 finns inte."
    assert _message("20300101-RA12") == "Personnummer: födelsedatumet 20300101 ligger i framtiden."


def test_make_personnummer_validates_serial() -> None:
    with pytest.raises(ValueError, match="serial"):
        make_personnummer(date(1980, 1, 1), 1000)
    with pytest.raises(ValueError, match="serial"):
        make_personnummer(date(1980, 1, 1), -1)


def test_make_personnummer_known_value() -> None:
    assert make_personnummer(date(1981, 12, 18), 987) == "198112189876"
    assert make_personnummer(date(1970, 10, 3), 239, samordning=True) == "197010632391"


PROPERTY_TODAY = date(2025, 12, 31)


@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=PROPERTY_TODAY),
    serial=st.integers(min_value=0, max_value=999),
    samordning=st.booleans(),
)
def test_make_personnummer_round_trips(birth: date, serial: int, samordning: bool) -> None:
    value = make_personnummer(birth, serial, samordning=samordning)
    pid = parse_patient_id(value, today=PROPERTY_TODAY)
    assert pid.value == value
    assert pid.birth_date == birth
    assert pid.kind is (IdKind.SAMORDNINGSNUMMER if samordning else IdKind.PERSONNUMMER)
    assert pid.sex == ("M" if serial % 2 else "K")

    # The ten-digit form, with the separator Skatteverket would use this year, resolves to the same id.
    separator = "+" if PROPERTY_TODAY.year - birth.year >= 100 else "-"
    assert parse_patient_id(f"{value[2:8]}{separator}{value[8:]}", today=PROPERTY_TODAY).value == value
