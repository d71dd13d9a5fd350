from datetime import date

import pytest

from smartplatform.core.swedish import add_working_days, is_working_day


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 11, 23), 5, date(2026, 11, 30)),  # Monday + 5 = next Monday
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday + 1 skips the weekend
        (date(2026, 11, 28), 0, date(2026, 11, 28)),
        # Christmas eve, day and Boxing day, New Year's eve and day: 23, 28, 29, 30 December
        # and 4 January are the five.
        (date(2026, 12, 22), 5, date(2027, 1, 4)),
        # Easter: Good Friday and Easter Monday.
        (date(2026, 4, 2), 1, date(2026, 4, 7)),
        # Midsummer eve (a Friday) is not worked.
        (date(2026, 6, 18), 1, date(2026, 6, 22)),
    ],
)
def test_working_days_skip_weekends_and_swedish_holidays(
    start: date, count: int, expected: date
) -> None:
    assert add_working_days(start, count) == expected


def test_national_day_and_ascension_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 5, 14))  # Ascension Day, a Thursday
    assert not is_working_day(date(2025, 6, 6))  # National Day, a Friday in 2025
    assert is_working_day(date(2026, 5, 13))


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 1, 1), -1)
