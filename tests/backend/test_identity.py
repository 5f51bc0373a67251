import pytest

from backend.accounts.identity import nik_problem, normalize_phone


@pytest.mark.parametrize("raw, expected", [
    ("081234567890", "+6281234567890"),
    ("0812-3456-7890", "+6281234567890"),
    ("+62 812 3456 7890", "+6281234567890"),
    ("6281234567890", "+6281234567890"),
    ("0341 512345", "+62341512345"),      # a Batu/Malang landline is a valid number too
    ("12", None),
    ("", None),
    ("not a phone", None),
])
def test_phone_normalised_to_e164(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("nik, problem", [
    ("3579011203850001", None),           # Kota Batu, born 12-03-1985, man
    ("3579015203850001", None),           # same date, woman (day + 40)
    ("3579012902000001", None),           # 29 Feb 2000
    ("3579013002000001", "birth date"),   # 30 Feb
    ("3579011213850001", "birth month"),
    ("0079011203850001", "province code"),
    ("3500011203850001", "regency or district code"),
    ("3579011203850000", "serial number"),
    ("357901120385000", "16 digits"),
])
def test_nik_structure(nik, problem):
    assert nik_problem(nik) == problem
