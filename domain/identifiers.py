"""Validation and demo generation of Russian requisites and identity documents."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_SNILS_CHECKED_ABOVE = 1_001_998
_DIGITS = re.compile(r"[0-9]+")
_KPP = re.compile(r"[0-9]{4}[0-9A-Z]{2}[0-9]{3}")
_SNILS = re.compile(r"([0-9]{3})-([0-9]{3})-([0-9]{3})[ -]([0-9]{2})|([0-9]{11})")
_PHONE_CHARS = re.compile(r"\+?[0-9 ()\-]+")
_ROMAN = re.compile(r"(?=[IVXLC])C{0,3}(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_BIRTH_SERIES = re.compile(r"([IVXLC]+)-([А-ЯЁ]{2})")
_ROMAN_SAMPLES = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_CYRILLIC_UPPER = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ"


class InvalidIdentifier(ValueError):
    """A requisite or document number failed validation."""

    def __init__(self, field: str, message: str) -> None:
        """Remember which field is wrong and why."""
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _digits(value: str, field: str, label: str, lengths: Sequence[int]) -> str:
    """Strip the value and require it to be ASCII digits of one of the given lengths."""
    text = value.strip()
    allowed = " or ".join(str(n) for n in lengths)
    if not text:
        raise InvalidIdentifier(field, f"{label} is empty, expected {allowed} digits")
    if not _DIGITS.fullmatch(text):
        raise InvalidIdentifier(field, f"{label} must contain only digits 0-9")
    if len(text) not in lengths:
        raise InvalidIdentifier(field, f"{label} must be {allowed} digits long, got {len(text)}")
    return text


def _weighted(digits: str, weights: Sequence[int]) -> int:
    """Sum of digit*weight over the leading digits."""
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False))


def _inn_check(digits: str, weights: Sequence[int]) -> int:
    """ИНН check digit: weighted sum mod 11 mod 10."""
    return _weighted(digits, weights) % 11 % 10


def _ogrn_check(body: str) -> int:
    """ОГРН (mod 11) or ОГРНИП (mod 13) check digit for the body without it."""
    return int(body) % (11 if len(body) == 12 else 13) % 10


def _okpo_check(body: str) -> int:
    """Rosstat check digit for ОКПО body digits."""
    for shift in (0, 2):
        weights = [(i + shift) % 10 + 1 for i in range(len(body))]
        remainder = _weighted(body, weights) % 11
        if remainder < 10:
            return remainder
    return 0


def _snils_check(body: str) -> int:
    """СНИЛС two-digit control number for the first nine digits."""
    total = _weighted(body, range(9, 0, -1))
    if total > 101:
        total %= 101
    return 0 if total in (100, 101) else total


def validate_inn(value: str, field: str = "inn") -> str:
    """Validate a 10-digit (legal entity) or 12-digit (individual) ИНН."""
    inn = _digits(value, field, "ИНН", (10, 12))
    if len(inn) == 10:
        ok = _inn_check(inn, _INN10_WEIGHTS) == int(inn[9])
    else:
        ok = _inn_check(inn, _INN12_WEIGHTS_11) == int(inn[10]) and _inn_check(
            inn, _INN12_WEIGHTS_12
        ) == int(inn[11])
    if not ok:
        raise InvalidIdentifier(field, "ИНН check digit is wrong")
    return inn


def validate_ogrn(value: str, field: str = "ogrn") -> str:
    """Validate a 13-digit ОГРН or a 15-digit ОГРНИП."""
    ogrn = _digits(value, field, "ОГРН", (13, 15))
    if _ogrn_check(ogrn[:-1]) != int(ogrn[-1]):
        raise InvalidIdentifier(field, "ОГРН check digit is wrong")
    return ogrn


def validate_okpo(value: str, field: str = "okpo") -> str:
    """Validate an 8-digit (legal entity) or 10-digit (entrepreneur) ОКПО."""
    okpo = _digits(value, field, "ОКПО", (8, 10))
    if _okpo_check(okpo[:-1]) != int(okpo[-1]):
        raise InvalidIdentifier(field, "ОКПО check digit is wrong")
    return okpo


def validate_kpp(value: str, field: str = "kpp") -> str:
    """Validate a КПП: 4 digits, 2 digits or Latin capitals, 3 digits."""
    kpp = value.strip()
    if len(kpp) != 9:
        raise InvalidIdentifier(field, f"КПП must be 9 characters long, got {len(kpp)}")
    if not _KPP.fullmatch(kpp):
        raise InvalidIdentifier(
            field, "КПП must be 4 digits, 2 digits or capital Latin letters A-Z, 3 digits"
        )
    return kpp


def validate_okato(value: str, field: str = "okato") -> str:
    """Validate an ОКАТО code of 2, 5, 8 or 11 digits."""
    return _digits(value, field, "ОКАТО", (2, 5, 8, 11))


def validate_oktmo(value: str, field: str = "oktmo") -> str:
    """Validate an ОКТМО code of 8 or 11 digits."""
    return _digits(value, field, "ОКТМО", (8, 11))


def validate_okopf(value: str, field: str = "okopf") -> str:
    """Validate an ОКОПФ code of 5 digits."""
    return _digits(value, field, "ОКОПФ", (5,))


def validate_snils(value: str, field: str = "snils") -> str:
    """Validate a СНИЛС and normalise it to 11 digits."""
    text = value.strip()
    match = _SNILS.fullmatch(text)
    if match is None:
        raise InvalidIdentifier(
            field, "СНИЛС must be 11 digits, written as XXX-XXX-XXX YY or XXXXXXXXXXX"
        )
    snils = match.group(5) or "".join(match.group(1, 2, 3, 4))
    body = snils[:9]
    if int(body) > _SNILS_CHECKED_ABOVE and _snils_check(body) != int(snils[9:]):
        raise InvalidIdentifier(field, "СНИЛС check number is wrong")
    return snils


def validate_phone(value: str, field: str = "phone") -> str:
    """Validate a Russian phone number and normalise it to +7XXXXXXXXXX."""
    text = value.strip()
    if not text:
        raise InvalidIdentifier(field, "phone is empty, expected 11 digits starting with +7 or 8")
    if not _PHONE_CHARS.fullmatch(text):
        raise InvalidIdentifier(
            field, "phone may contain only digits, a leading +, spaces, hyphens and brackets"
        )
    digits = re.sub(r"[^0-9]", "", text)
    if len(digits) != 11:
        raise InvalidIdentifier(
            field, f"phone must have 11 digits including the 7 or 8 prefix, got {len(digits)}"
        )
    prefixes = ("7",) if text.startswith("+") else ("7", "8")
    if digits[0] not in prefixes:
        raise InvalidIdentifier(field, "phone must start with +7 or 8")
    return "+7" + digits[1:]


def validate_passport(series: str, number: str, field: str = "passport") -> tuple[str, str]:
    """Validate a Russian internal passport; return (series, number)."""
    clean_series = re.sub(r"\s+", "", series)
    clean_number = number.strip()
    if not re.fullmatch(r"[0-9]{4}", clean_series):
        raise InvalidIdentifier(field, "passport series must be 4 digits")
    if not re.fullmatch(r"[0-9]{6}", clean_number):
        raise InvalidIdentifier(field, "passport number must be 6 digits")
    return clean_series, clean_number


def validate_birth_certificate(
    series: str, number: str, field: str = "birth_certificate"
) -> tuple[str, str]:
    """Validate a Russian birth certificate such as IV-МЮ 123456; return (series, number)."""
    clean_series = series.strip().upper()
    clean_number = number.strip()
    match = _BIRTH_SERIES.fullmatch(clean_series)
    if match is None:
        raise InvalidIdentifier(
            field,
            "birth certificate series must be a Latin Roman numeral, a hyphen"
            " and two Cyrillic letters, e.g. IV-МЮ",
        )
    if not _ROMAN.fullmatch(match.group(1)):
        raise InvalidIdentifier(field, "birth certificate series has an invalid Roman numeral")
    if not re.fullmatch(r"[0-9]{6}", clean_number):
        raise InvalidIdentifier(field, "birth certificate number must be 6 digits")
    return clean_series, clean_number


def _random_digits(rng: random.Random, count: int) -> str:
    """A string of count random decimal digits."""
    return "".join(rng.choice("0123456789") for _ in range(count))


def make_inn10(rng: random.Random) -> str:
    """Generate a valid 10-digit ИНН."""
    body = f"{rng.randint(1, 99):02d}" + _random_digits(rng, 7)
    return body + str(_inn_check(body, _INN10_WEIGHTS))


def make_inn12(rng: random.Random) -> str:
    """Generate a valid 12-digit ИНН."""
    body = f"{rng.randint(1, 99):02d}" + _random_digits(rng, 8)
    body += str(_inn_check(body, _INN12_WEIGHTS_11))
    return body + str(_inn_check(body, _INN12_WEIGHTS_12))


def make_ogrn(rng: random.Random) -> str:
    """Generate a valid 13-digit ОГРН."""
    body = rng.choice("15") + f"{rng.randint(2, 24):02d}" + _random_digits(rng, 9)
    return body + str(_ogrn_check(body))


def make_okpo(rng: random.Random) -> str:
    """Generate a valid 8-digit ОКПО."""
    body = _random_digits(rng, 7)
    return body + str(_okpo_check(body))


def make_snils(rng: random.Random) -> str:
    """Generate a valid СНИЛС formatted as XXX-XXX-XXX YY."""
    body = f"{rng.randint(_SNILS_CHECKED_ABOVE + 1, 999_999_999):09d}"
    return f"{body[:3]}-{body[3:6]}-{body[6:]} {_snils_check(body):02d}"


def make_kpp(rng: random.Random) -> str:
    """Generate a plausible КПП."""
    return f"{rng.randint(101, 9999):04d}" + rng.choice(("01", "43", "45", "AB")) + "001"


def make_oktmo(rng: random.Random) -> str:
    """Generate a plausible 8-digit ОКТМО."""
    return f"{rng.randint(1, 99):02d}" + _random_digits(rng, 6)


def make_okato(rng: random.Random) -> str:
    """Generate a plausible 11-digit ОКАТО."""
    return f"{rng.randint(1, 99):02d}" + _random_digits(rng, 9)


def make_phone(rng: random.Random) -> str:
    """Generate a Russian mobile number in +7XXXXXXXXXX form."""
    return "+79" + _random_digits(rng, 9)


def make_passport(rng: random.Random) -> tuple[str, str]:
    """Generate a passport (series, number) pair."""
    return f"{rng.randint(1, 99):02d}{rng.randint(0, 25):02d}", f"{rng.randint(100000, 999999)}"


def make_birth_certificate(rng: random.Random) -> tuple[str, str]:
    """Generate a birth certificate (series, number) pair."""
    letters = rng.choice(_CYRILLIC_UPPER) + rng.choice(_CYRILLIC_UPPER)
    return f"{rng.choice(_ROMAN_SAMPLES)}-{letters}", f"{rng.randint(100000, 999999)}"
