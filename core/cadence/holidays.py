"""Norwegian public holidays (helligdager and 1. and 17. May), computed, never fetched.

Sundays are not listed: they are not working days in the default cadence anyway, and a
cadence that works on Sundays still works on ordinary ones.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache


def easter_sunday(year: int) -> date:
    """Western Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def norwegian_holidays(year: int) -> frozenset[date]:
    """Nyttårsdag, skjærtorsdag, langfredag, 1. and 2. påskedag, 1. mai, 17. mai, Kristi
    himmelfartsdag, 1. and 2. pinsedag, 1. and 2. juledag."""
    easter = easter_sunday(year)
    moving = (-3, -2, 0, 1, 39, 49, 50)
    fixed = (date(year, 1, 1), date(year, 5, 1), date(year, 5, 17))
    christmas = (date(year, 12, 25), date(year, 12, 26))
    return frozenset((*fixed, *(easter + timedelta(days=n) for n in moving), *christmas))
