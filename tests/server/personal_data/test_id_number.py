"""Chinese resident ID numbers: validation, parts, and making valid demo numbers."""

from __future__ import annotations

from datetime import date

import pytest

from server.personal_data.id_number import (
    InvalidIdNumber,
    birth_date,
    check_character,
    make_id_number,
    sex,
    validate_id_number,
)

# The example of GB 11643-1999 (a woman born 1949-12-31); check character X.
EXAMPLE = "11010519491231002X"
# Other valid numbers; their check characters were worked out by hand with MOD 11-2.
VALID = ["110105199001011232", "440304198512310011", "110105200002290021", EXAMPLE]


class TestCheckCharacter:
    @pytest.mark.parametrize("number", VALID)
    def test_known_numbers(self, number: str) -> None:
        assert check_character(number[:17]) == number[17]

    @pytest.mark.parametrize("first17", ["1101051949123100", "1101051949123100２", "x" * 17])
    def test_needs_17_ascii_digits(self, first17: str) -> None:
        with pytest.raises(ValueError):
            check_character(first17)


class TestValidValues:
    @pytest.mark.parametrize("number", VALID)
    def test_accepted_unchanged(self, number: str) -> None:
        assert validate_id_number(number) == number

    def test_lower_case_x_accepted_and_upper_cased(self) -> None:
        assert validate_id_number(EXAMPLE.lower()) == EXAMPLE

    def test_whitespace_and_full_width_digits_normalised(self) -> None:
        assert validate_id_number(" １１０１０５１９４９１２３１００２ｘ\n") == EXAMPLE

    def test_born_today_accepted(self) -> None:
        number = make_id_number("110105", date(2024, 5, 6), 1)
        assert validate_id_number(number, today=date(2024, 5, 6)) == number


class TestInvalidValues:
    @pytest.mark.parametrize("value", ["", "1101051949123100", EXAMPLE + "0"])
    def test_wrong_length(self, value: str) -> None:
        with pytest.raises(InvalidIdNumber, match=f"长度应为18位，实际为{len(value)}位"):
            validate_id_number(value)

    def test_old_15_digit_number_gets_a_hint(self) -> None:
        with pytest.raises(InvalidIdNumber, match="15位旧号码"):
            validate_id_number("110105491231002")

    def test_letter_among_the_first_17(self) -> None:
        with pytest.raises(InvalidIdNumber, match="前17位应全部为数字"):
            validate_id_number("1101051949123100X2")

    def test_bad_check_position_character(self) -> None:
        with pytest.raises(InvalidIdNumber, match="第18位"):
            validate_id_number("11010519491231002Y")

    def test_wrong_check_character(self) -> None:
        with pytest.raises(InvalidIdNumber, match="校验码错误：第18位应为X，实际为3"):
            validate_id_number("110105194912310023")

    def test_single_digit_typo_caught(self) -> None:
        typo = "11010519491231003X"  # sequence 002 mistyped as 003
        with pytest.raises(InvalidIdNumber, match="校验码错误"):
            validate_id_number(typo)

    @pytest.mark.parametrize("birth", ["19900230", "19901301", "19900000", "20230229"])
    def test_impossible_birth_date(self, birth: str) -> None:
        first17 = f"110105{birth}123"
        number = first17 + check_character(first17)  # right check character, bad date
        with pytest.raises(InvalidIdNumber, match=f"出生日期无效：{birth}不是存在的日期"):
            validate_id_number(number)

    def test_birth_date_in_the_future(self) -> None:
        number = make_id_number("110105", date(2030, 1, 1), 123)
        with pytest.raises(InvalidIdNumber, match="出生日期无效：20300101晚于今天"):
            validate_id_number(number, today=date(2029, 12, 31))

    def test_birth_date_before_1900(self) -> None:
        number = make_id_number("110105", date(1899, 12, 31), 123)
        with pytest.raises(InvalidIdNumber, match="早于1900年"):
            validate_id_number(number)

    def test_is_a_value_error(self) -> None:
        with pytest.raises(ValueError):
            validate_id_number("123")


class TestParts:
    def test_birth_date(self) -> None:
        assert birth_date(EXAMPLE) == date(1949, 12, 31)
        assert birth_date("110105200002290021") == date(2000, 2, 29)

    def test_sex_from_the_17th_digit(self) -> None:
        assert sex(EXAMPLE) == "female"  # 17th digit 2
        assert sex("440304198512310011") == "male"  # 17th digit 1

    def test_parts_of_an_invalid_number_refused(self) -> None:
        with pytest.raises(InvalidIdNumber):
            birth_date("110105194912310023")
        with pytest.raises(InvalidIdNumber):
            sex("110105194912310023")


class TestMakeIdNumber:
    def test_reproduces_the_standard_example(self) -> None:
        assert make_id_number("110105", date(1949, 12, 31), 2) == EXAMPLE

    @pytest.mark.parametrize("seq", [0, 1, 2, 57, 998, 999])
    def test_valid_with_the_given_parts(self, seq: int) -> None:
        number = make_id_number("320583", date(1988, 7, 15), seq)
        assert validate_id_number(number) == number
        assert number.startswith("32058319880715")
        assert number[14:17] == f"{seq:03d}"
        assert birth_date(number) == date(1988, 7, 15)
        assert sex(number) == ("male" if seq % 2 else "female")

    @pytest.mark.parametrize(
        ("region", "seq"),
        [("11010", 1), ("1101051", 1), ("11010a", 1), ("110105", -1), ("110105", 1000)],
    )
    def test_bad_parts_refused(self, region: str, seq: int) -> None:
        with pytest.raises(ValueError):
            make_id_number(region, date(1990, 1, 1), seq)
