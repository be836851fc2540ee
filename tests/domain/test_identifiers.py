"""Behaviour of Russian requisite and identity document validators."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.identifiers import (
    InvalidIdentifier,
    make_birth_certificate,
    make_inn10,
    make_inn12,
    make_kpp,
    make_ogrn,
    make_okato,
    make_okpo,
    make_oktmo,
    make_passport,
    make_phone,
    make_snils,
    validate_birth_certificate,
    validate_inn,
    validate_kpp,
    validate_ogrn,
    validate_okato,
    validate_okopf,
    validate_okpo,
    validate_oktmo,
    validate_passport,
    validate_phone,
    validate_snils,
)

seeds = st.integers(min_value=0, max_value=2**64)
shifts = st.integers(min_value=1, max_value=9)


def _flip_last_digit(value: str, shift: int) -> str:
    return value[:-1] + str((int(value[-1]) + shift) % 10)


# --- InvalidIdentifier -----------------------------------------------------------------


def test_invalid_identifier_is_a_value_error_carrying_field_and_message() -> None:
    error = InvalidIdentifier("inn", "ИНН check digit is wrong")
    assert isinstance(error, ValueError)
    assert error.field == "inn"
    assert error.message == "ИНН check digit is wrong"


# --- ИНН -------------------------------------------------------------------------------


@pytest.mark.parametrize("inn", ["7707083893", "7830002293", "500100732259"])
def test_real_inn_is_accepted(inn: str) -> None:
    assert validate_inn(inn) == inn


def test_inn_surrounding_whitespace_is_stripped() -> None:
    assert validate_inn("  7707083893\n") == "7707083893"


def test_inn_with_wrong_check_digit_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_inn("7707083894", field="school_inn")
    assert caught.value.field == "school_inn"
    assert "check digit" in caught.value.message


@pytest.mark.parametrize("inn", ["500100732258", "500100732249"])
def test_twelve_digit_inn_with_either_check_digit_wrong_is_refused(inn: str) -> None:
    with pytest.raises(InvalidIdentifier, match="check digit"):
        validate_inn(inn)


@pytest.mark.parametrize("inn", ["770708389", "77070838931", "5001007322591", ""])
def test_inn_of_wrong_length_is_refused(inn: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_inn(inn)
    assert caught.value.field == "inn"
    assert "10 or 12" in caught.value.message


@pytest.mark.parametrize("inn", ["77070838A3", "7707-08389", "７７０７０８３８９３"])
def test_inn_with_non_digits_is_refused(inn: str) -> None:
    with pytest.raises(InvalidIdentifier, match="only digits"):
        validate_inn(inn)


# --- ОГРН / ОГРНИП --------------------------------------------------------------------


@pytest.mark.parametrize("ogrn", ["1027700132195", "1027739642281"])
def test_real_ogrn_is_accepted(ogrn: str) -> None:
    assert validate_ogrn(f" {ogrn} ") == ogrn


def test_ogrnip_of_fifteen_digits_is_checked_modulo_thirteen() -> None:
    body = "30450011600015"
    check = str(int(body) % 13 % 10)
    assert validate_ogrn(body + check) == body + check
    with pytest.raises(InvalidIdentifier, match="check digit"):
        validate_ogrn(body + str((int(check) + 1) % 10))


def test_ogrn_with_wrong_check_digit_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_ogrn("1027700132196", field="founder_ogrn")
    assert caught.value.field == "founder_ogrn"
    assert "check digit" in caught.value.message


@pytest.mark.parametrize("ogrn", ["102770013219", "10277001321951", "1027700132195123"])
def test_ogrn_of_wrong_length_is_refused(ogrn: str) -> None:
    with pytest.raises(InvalidIdentifier, match="13 or 15"):
        validate_ogrn(ogrn)


def test_ogrn_with_non_digits_is_refused() -> None:
    with pytest.raises(InvalidIdentifier, match="only digits"):
        validate_ogrn("1O27700132195")


# --- ОКПО -----------------------------------------------------------------------------


def test_real_okpo_is_accepted() -> None:
    assert validate_okpo("00032537") == "00032537"


def test_okpo_remainder_ten_is_recomputed_with_weights_shifted_by_two() -> None:
    # 3*7 = 21 -> 10 (mod 11); again with weights 3..9: 3*9 = 27 -> 5.
    assert validate_okpo("00000035") == "00000035"
    with pytest.raises(InvalidIdentifier, match="check digit"):
        validate_okpo("00000030")


def test_okpo_remainder_ten_twice_means_check_digit_zero() -> None:
    # 2*5 + 8*6 + 1*7 = 65 -> 10; 2*7 + 8*8 + 1*9 = 87 -> 10; so the check digit is 0.
    assert validate_okpo("00002810") == "00002810"


def test_ten_digit_okpo_uses_cyclic_weights() -> None:
    # 6*9 = 54 -> 10; shifted weights wrap round to 1 at the ninth digit: 6*1 = 6.
    assert validate_okpo("0000000066") == "0000000066"
    assert validate_okpo("0000000019") == "0000000019"


def test_okpo_with_wrong_check_digit_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_okpo("00032538", field="org_okpo")
    assert caught.value.field == "org_okpo"
    assert "check digit" in caught.value.message


@pytest.mark.parametrize("okpo", ["0003253", "000325370", "00032537000"])
def test_okpo_of_wrong_length_is_refused(okpo: str) -> None:
    with pytest.raises(InvalidIdentifier, match="8 or 10"):
        validate_okpo(okpo)


# --- КПП, ОКАТО, ОКТМО, ОКОПФ ---------------------------------------------------------


@pytest.mark.parametrize("kpp", ["773601001", "7736AB001", " 502401001 "])
def test_kpp_with_digits_or_capital_latin_in_the_reason_part_is_accepted(kpp: str) -> None:
    assert validate_kpp(kpp) == kpp.strip()


@pytest.mark.parametrize("kpp", ["7736ab001", "7736АБ001", "77360100A", "A73601001"])
def test_kpp_with_letters_outside_the_reason_part_or_not_capital_latin_is_refused(
    kpp: str,
) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_kpp(kpp)
    assert caught.value.field == "kpp"


@pytest.mark.parametrize("kpp", ["77360100", "7736010011"])
def test_kpp_of_wrong_length_is_refused(kpp: str) -> None:
    with pytest.raises(InvalidIdentifier, match="9 characters"):
        validate_kpp(kpp)


@pytest.mark.parametrize("okato", ["45", "45286", "45286560", "45286560000"])
def test_okato_of_two_five_eight_or_eleven_digits_is_accepted(okato: str) -> None:
    assert validate_okato(okato) == okato


@pytest.mark.parametrize("okato", ["4", "452", "452865600", "4528656000"])
def test_okato_of_other_lengths_is_refused(okato: str) -> None:
    with pytest.raises(InvalidIdentifier, match="2 or 5 or 8 or 11"):
        validate_okato(okato)


@pytest.mark.parametrize("oktmo", ["45375000", "45375000001"])
def test_oktmo_of_eight_or_eleven_digits_is_accepted(oktmo: str) -> None:
    assert validate_oktmo(oktmo) == oktmo


@pytest.mark.parametrize("oktmo", ["4537500", "453750000", "4537500A"])
def test_oktmo_of_other_length_or_with_non_digits_is_refused(oktmo: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_oktmo(oktmo, field="school_oktmo")
    assert caught.value.field == "school_oktmo"


def test_okopf_of_five_digits_is_accepted_and_other_input_refused() -> None:
    assert validate_okopf(" 75403 ") == "75403"
    for bad in ("7540", "754033", "754O3"):
        with pytest.raises(InvalidIdentifier):
            validate_okopf(bad)


# --- СНИЛС ----------------------------------------------------------------------------


@pytest.mark.parametrize("snils", ["112-233-445 95", "11223344595", "112-233-445-95"])
def test_snils_in_any_accepted_format_is_normalised_to_eleven_digits(snils: str) -> None:
    assert validate_snils(snils) == "11223344595"


@pytest.mark.parametrize(
    ("snils", "reason"),
    [
        ("001-326-679 00", "sum is exactly 100"),
        ("001-508-816 00", "sum is exactly 101"),
        ("017-996-174 00", "sum is 201, which is 100 modulo 101"),
        ("002-894-641 49", "sum is 150, which is 49 modulo 101"),
        ("999-999-999 01", "sum is 405, which is 1 modulo 101"),
    ],
)
def test_snils_check_number_edge_cases_are_accepted(snils: str, reason: str) -> None:
    assert len(validate_snils(snils)) == 11, reason


def test_snils_up_to_001_001_998_is_accepted_without_check() -> None:
    assert validate_snils("001-001-998 42") == "00100199842"
    with pytest.raises(InvalidIdentifier, match="check number"):
        validate_snils("001-001-999 42")


def test_snils_with_wrong_check_number_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_snils("112-233-445 96", field="student_snils")
    assert caught.value.field == "student_snils"
    assert "check number" in caught.value.message


@pytest.mark.parametrize(
    "snils", ["112-233-445 9", "1122334459", "112233445955", "112 233 445 95", "112-233-44A 95"]
)
def test_snils_of_wrong_shape_is_refused(snils: str) -> None:
    with pytest.raises(InvalidIdentifier, match="11 digits"):
        validate_snils(snils)


# --- Phone ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone", ["+7 (495) 123-45-67", "8 495 1234567", "+74951234567", " 8(495)123-45-67 "]
)
def test_phone_in_common_formats_is_normalised_to_plus_seven(phone: str) -> None:
    assert validate_phone(phone) == "+74951234567"


@pytest.mark.parametrize(
    ("phone", "fragment"),
    [
        ("+7 495 123-45-6", "11 digits"),
        ("+7 495 123-45-678", "11 digits"),
        ("+8 495 123-45-67", "+7 or 8"),
        ("+1 495 123-45-67", "+7 or 8"),
        ("5 495 123-45-67", "+7 or 8"),
        ("+7 495 123-45-6x", "only digits"),
        ("", "11 digits"),
    ],
)
def test_malformed_phone_is_refused_with_reason(phone: str, fragment: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_phone(phone, field="parent_phone")
    assert caught.value.field == "parent_phone"
    assert fragment in caught.value.message


# --- Passport and birth certificate ---------------------------------------------------


def test_passport_series_spaces_are_removed() -> None:
    assert validate_passport("45 06", " 123456 ") == ("4506", "123456")


@pytest.mark.parametrize(
    ("series", "number", "fragment"),
    [
        ("450", "123456", "series"),
        ("45066", "123456", "series"),
        ("45O6", "123456", "series"),
        ("4506", "12345", "number"),
        ("4506", "1234567", "number"),
        ("4506", "12345A", "number"),
    ],
)
def test_malformed_passport_is_refused_naming_the_bad_part(
    series: str, number: str, fragment: str
) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_passport(series, number)
    assert caught.value.field == "passport"
    assert fragment in caught.value.message


@pytest.mark.parametrize(
    ("series", "expected"),
    [("IV-МЮ", "IV-МЮ"), ("ii-аг", "II-АГ"), (" XII-ЁЖ ", "XII-ЁЖ"), ("LXXIV-ВА", "LXXIV-ВА")],
)
def test_birth_certificate_series_is_normalised_to_upper_case(series: str, expected: str) -> None:
    assert validate_birth_certificate(series, "123456") == (expected, "123456")


@pytest.mark.parametrize(
    "series",
    [
        "IV МЮ",  # no hyphen
        "IV-MY",  # Latin letters after the hyphen
        "ІV-МЮ",  # Cyrillic-Ukrainian І instead of Latin I
        "ХI-МЮ",  # Cyrillic Х instead of Latin X
        "IIII-МЮ",  # not a Roman numeral
        "VV-МЮ",  # not a Roman numeral
        "-МЮ",  # no numeral
        "IV-М",  # one letter
        "IV-МЮЯ",  # three letters
    ],
)
def test_malformed_birth_certificate_series_is_refused(series: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_birth_certificate(series, "123456", field="child_document")
    assert caught.value.field == "child_document"
    assert "series" in caught.value.message


def test_birth_certificate_number_must_be_six_digits() -> None:
    with pytest.raises(InvalidIdentifier, match="number"):
        validate_birth_certificate("IV-МЮ", "12345")


# --- Generators -----------------------------------------------------------------------

GENERATED_STRINGS: list[tuple[Callable[[random.Random], str], Callable[[str], str]]] = [
    (make_inn10, validate_inn),
    (make_inn12, validate_inn),
    (make_ogrn, validate_ogrn),
    (make_okpo, validate_okpo),
    (make_kpp, validate_kpp),
    (make_oktmo, validate_oktmo),
    (make_okato, validate_okato),
    (make_phone, validate_phone),
]


@given(seed=seeds)
def test_every_generated_string_identifier_validates_unchanged(seed: int) -> None:
    for make, validate in GENERATED_STRINGS:
        value = make(random.Random(seed))
        assert validate(value) == value, make.__name__


@given(seed=seeds)
def test_generated_snils_is_formatted_above_the_unchecked_range_and_validates(seed: int) -> None:
    snils = make_snils(random.Random(seed))
    assert len(snils) == 14 and snils[3] == snils[7] == "-" and snils[11] == " "
    digits = validate_snils(snils)
    assert int(digits[:9]) > 1_001_998


@given(seed=seeds)
def test_generated_documents_validate_unchanged(seed: int) -> None:
    passport = make_passport(random.Random(seed))
    assert validate_passport(*passport) == passport
    certificate = make_birth_certificate(random.Random(seed))
    assert validate_birth_certificate(*certificate) == certificate


@given(seed=seeds)
def test_generators_are_deterministic_for_a_given_seed(seed: int) -> None:
    makers: list[Callable[[random.Random], object]] = [
        *(make for make, _ in GENERATED_STRINGS),
        make_snils,
        make_passport,
        make_birth_certificate,
    ]
    for make in makers:
        assert make(random.Random(seed)) == make(random.Random(seed))


@given(seed=seeds, shift=shifts)
def test_flipping_last_digit_of_generated_inn_makes_it_invalid(seed: int, shift: int) -> None:
    rng = random.Random(seed)
    for inn in (make_inn10(rng), make_inn12(rng)):
        with pytest.raises(InvalidIdentifier, match="check digit"):
            validate_inn(_flip_last_digit(inn, shift))


@given(seed=seeds, shift=shifts)
def test_flipping_last_digit_of_generated_ogrn_makes_it_invalid(seed: int, shift: int) -> None:
    ogrn = make_ogrn(random.Random(seed))
    with pytest.raises(InvalidIdentifier, match="check digit"):
        validate_ogrn(_flip_last_digit(ogrn, shift))


@given(seed=seeds, shift=shifts)
def test_flipping_last_digit_of_generated_snils_makes_it_invalid(seed: int, shift: int) -> None:
    snils = make_snils(random.Random(seed))
    with pytest.raises(InvalidIdentifier, match="check number"):
        validate_snils(_flip_last_digit(snils, shift))
