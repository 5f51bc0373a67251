"""Indonesian identifiers: phone numbers (E.164) and NIK (16-digit national ID)."""

from __future__ import annotations

import calendar

import phonenumbers

# Province codes (first two NIK digits), Dukcapil: Sumatra 11–19, Java 31–36, Bali/Nusa
# Tenggara 51–53, Kalimantan 61–65, Sulawesi 71–76, Maluku 81–82, Papua 91–97.
PROVINCE_CODES = frozenset(
    [*range(11, 20), *range(31, 37), *range(51, 54), *range(61, 66), *range(71, 77), 81, 82,
     *range(91, 98)]
)


def normalize_phone(raw: str) -> str | None:
    """``0812-3456-7890`` / ``62812…`` / ``+62 812…`` → ``+628123456789``; None if not valid."""
    text = (raw or "").strip()
    if not text:
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and digits.startswith("62"):
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def nik_problem(nik: str) -> str | None:
    """Why ``nik`` cannot be a real NIK, or None when its structure is plausible.

    Structure: PP KK CC DDMMYY SSSS — province, regency, district, birth date (women add 40
    to the day), serial. The checks catch typos and made-up numbers; they cannot prove that
    the number was issued.
    """
    if len(nik) != 16 or not nik.isdigit():
        return "16 digits"
    if int(nik[0:2]) not in PROVINCE_CODES:
        return "province code"
    if nik[2:4] == "00" or nik[4:6] == "00":
        return "regency or district code"
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:
        day -= 40
    if not 1 <= month <= 12:
        return "birth month"
    # Two-digit year: allow Feb 29 if either century makes it a leap year.
    leap = calendar.isleap(2000 + year) or calendar.isleap(1900 + year)
    days_in_month = 29 if month == 2 and leap else calendar.monthrange(2001, month)[1]
    if not 1 <= day <= days_in_month:
        return "birth date"
    if nik[12:16] == "0000":
        return "serial number"
    return None
