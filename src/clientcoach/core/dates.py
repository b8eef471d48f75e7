"""Dates as people type them, and the error an answer that does not fit raises.

Kept apart from the engine so that commands which only filter by date (``history``,
``review``) read ``--since`` without loading the playbook models.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from clientcoach.i18n import _

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "MONTHS",
    "AnswerError",
    "bounded",
    "day_option",
    "long_date",
    "parse_date",
]

# Dates are bounded: far beyond any meeting, and far enough from Python's own limits
# (years 1 and 9999) that a period, a trend window or "+9999w" never overflows.
FIRST_YEAR = 1900
LAST_YEAR = 2999

# Names as written in English; the catalogue gives them in the current language.
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# French words are understood whatever the language, so a French speaker can type them
# in an English session too; none of them means something else in English.
_WEEKDAYS_FR = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
_DAYS_FROM_TODAY = {
    "today": 0,
    "tomorrow": 1,
    "yesterday": -1,
    "aujourd'hui": 0,
    "aujourd\u2019hui": 0,  # typographic apostrophe, as French keyboards often give
    "auj": 0,
    "demain": 1,
    "hier": -1,
}
# +3d / -2w, or in French +3j (jours) / +2s (semaines).
_RELATIVE = re.compile(r"^([+-])(\d{1,4})\s*([dwjs])$")


class AnswerError(ValueError):
    """An answer that does not fit its step; the message says what would."""


def year_error(year: object) -> AnswerError:
    return AnswerError(
        _("{year} is outside the years {first} to {last} this tool reads").format(
            year=f"{year:04d}" if isinstance(year, int) else year, first=FIRST_YEAR, last=LAST_YEAR
        )
    )


def bounded(day: date) -> date:
    """``day`` itself, or AnswerError when its year is outside FIRST_YEAR..LAST_YEAR."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise year_error(day.year)
    return day


def parse_date(raw: object, today: date) -> date:
    """A date from ISO text, today/tomorrow/yesterday, or +3d / -2w relative to ``today``;
    AnswerError past the years :data:`FIRST_YEAR` to :data:`LAST_YEAR`."""
    try:
        return bounded(_parse_date(raw, today))
    except OverflowError:
        raise year_error(f"{raw}") from None


def _parse_date(raw: object, today: date) -> date:
    if isinstance(raw, datetime):
        raise AnswerError(_("give a date without a time of day, e.g. 2026-12-01"))
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        raise AnswerError(_("give a date as YYYY-MM-DD, today, tomorrow or +3d"))
    text = raw.strip().lower()
    if text in _DAYS_FROM_TODAY:
        return today + timedelta(days=_DAYS_FROM_TODAY[text])
    for names in (_WEEKDAYS, _WEEKDAYS_FR):
        if text in names:
            # The next such day, never today: "friday" said on a Friday means next week.
            ahead = (names.index(text) - today.weekday() - 1) % 7 + 1
            return today + timedelta(days=ahead)
    match = _RELATIVE.match(text)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        amount = int(match.group(2)) * (7 if match.group(3) in "ws" else 1)
        return today + timedelta(days=sign * amount)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AnswerError(
            _("{raw!r} is not a date; use YYYY-MM-DD, today, tomorrow, friday, +3d or +2w").format(
                raw=raw
            )
        ) from None


def long_date(day: date) -> str:
    """A date in words, in the current language: "Friday 27 November 2026"."""
    return _("{weekday} {day} {month} {year}").format(
        weekday=_(_DAY_NAMES[day.weekday()]),
        day=day.day,
        month=_(MONTHS[day.month - 1]),
        year=day.year,
    )


def day_option(option: str, raw: str | None, today: date) -> date | None:
    """The day given to an option (``--date``, ``--since``, ``--until``); None if not given.

    The one reader of day options, so every command accepts the same forms and says the
    same thing about a day it cannot read.
    """
    if raw is None:
        return None
    from clientcoach.errors import UsageError

    try:
        return parse_date(raw, today)
    except AnswerError as exc:
        raise UsageError(_("{option}: {reason}").format(option=option, reason=exc)) from None
