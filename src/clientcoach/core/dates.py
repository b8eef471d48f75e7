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


def _weekday(word: str) -> int | None:
    """The weekday (0 is Monday) a name or its first three letters say: "fri", "ven"."""
    for names in (_WEEKDAYS, _WEEKDAYS_FR):
        for number, name in enumerate(names):
            if word == name or word == name[:3]:
                return number
    return None


_DAYS_FROM_TODAY = {
    "today": 0,
    "tomorrow": 1,
    "yesterday": -1,
    "day after tomorrow": 2,
    "the day after tomorrow": 2,
    "day before yesterday": -2,
    "the day before yesterday": -2,
    "aujourd'hui": 0,
    "aujourd\u2019hui": 0,  # typographic apostrophe, as French keyboards often give
    "auj": 0,
    "demain": 1,
    "hier": -1,
    "après-demain": 2,
    "apres-demain": 2,
    "après demain": 2,
    "avant-hier": -2,
    "avant hier": -2,
}

# Month names and the abbreviations calendars print, English and French, with or
# without accents: "15 Dec", "15 décembre", "déc. 15". Only read beside a day number,
# so "mar" (March) never meets "mar" (mardi).
_MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan", "janvier", "janv"),
            ("february", "feb", "février", "fevrier", "févr", "fevr", "fév", "fev"),
            ("march", "mar", "mars"),
            ("april", "apr", "avril", "avr"),
            ("may", "mai"),
            ("june", "jun", "juin"),
            ("july", "jul", "juillet", "juil"),
            ("august", "aug", "août", "aout"),
            ("september", "sep", "sept", "septembre"),
            ("october", "oct", "octobre"),
            ("november", "nov", "novembre"),
            ("december", "dec", "décembre", "decembre", "déc"),
        ),
        start=1,
    )
    for name in names
}
# "15 december", "fri 15 dec 2026", "le 1er décembre", "15th of december";
# "december 15", "dec. 15th, 2026".
_LEAD = r"(?:(?!(?:le|the|on)\s)(?P<weekday>[^\W\d_]+),?\s+)?(?:(?:le|the|on)\s+)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
_DAY_MONTH = re.compile(
    rf"^{_LEAD}(?P<day>\d{{1,2}})(?:st|nd|rd|th|er|e)?\s+(?:of\s+)?(?P<month>[^\W\d_]+)\.?{_YEAR}$"
)
_MONTH_DAY = re.compile(
    rf"^{_LEAD}(?P<month>[^\W\d_]+)\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?{_YEAR}$"
)
# 15/12, 15/12/2026, 15.12.26: day first in French; in English whichever order the
# numbers allow (15/12, 12/15), and an order they do not settle is asked for.
_NUMERIC = re.compile(r"^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{4}|\d{2}))?$")
# +3d / -2w / +2m, or in French +3j (jours) / +2s (semaines) / +2m (mois).
_RELATIVE = re.compile(r"^([+-])(\d{1,4})\s*([dwjsm])$")
# Units in words, singular and plural, English and French: their length in days; a
# month (0 here) is a calendar month, counted by :func:`_months_on`.
_UNITS = {"day": 1, "days": 1, "jour": 1, "jours": 1, "week": 7, "weeks": 7}
_UNITS |= {"semaine": 7, "semaines": 7, "month": 0, "months": 0, "mois": 0}
# Counts in words too, up to twelve (months run that far), English and French.
_WORDS = {"a": 1, "an": 1, "one": 1, "un": 1, "une": 1, "two": 2, "deux": 2, "three": 3}
_WORDS |= {"trois": 3, "four": 4, "quatre": 4, "five": 5, "cinq": 5, "six": 6, "seven": 7}
_WORDS |= {"sept": 7, "eight": 8, "huit": 8, "nine": 9, "neuf": 9, "ten": 10, "dix": 10}
_WORDS |= {"eleven": 11, "onze": 11, "twelve": 12, "douze": 12}
_COUNT = r"(\d{1,4}|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + ")"
_UNIT = "(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + ")"
# "in 3 days", "dans 2 semaines"; "3 days ago", "il y a 2 jours".
_AHEAD = re.compile(rf"^(?:in|dans)\s+{_COUNT}\s+{_UNIT}$")
_AGO = re.compile(rf"^(?:{_COUNT}\s+{_UNIT}\s+ago|il\s+y\s+a\s+{_COUNT}\s+{_UNIT})$")
# "next friday", "friday next", "vendredi prochain"; "last friday", "vendredi dernier".
_NEXT_WORDS = ("next ", "this ", "ce ", " prochain", " next")
_LAST_WORDS = ("last ", " dernier")
_END_OF_MONTH = {"end of month", "end of the month", "fin du mois", "fin de mois", "eom"}
_END_OF_WEEK = {"end of week", "end of the week", "fin de semaine", "fin de la semaine", "eow"}
# "next week" and "next month": the same day a week or a calendar month on.
_NEXT_UNIT = {"next week": "week", "semaine prochaine": "week", "la semaine prochaine": "week"}
_NEXT_UNIT |= {"next month": "month", "mois prochain": "month", "le mois prochain": "month"}


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _WORDS[word]


def _months_on(day: date, months: int) -> date:
    """The same day ``months`` calendar months on (or back), or the month's last day when
    it is shorter: a month after 31 January is 28 or 29 February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise OverflowError
    first_of_next = date(year + (month == 11), (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(day.day, (first_of_next - timedelta(days=1)).day))


def _moved(today: date, count: int, unit: str) -> date:
    """``today`` moved by ``count`` (negative: back) of ``unit`` (a word of :data:`_UNITS`)."""
    days = _UNITS[unit]
    return today + timedelta(days=count * days) if days else _months_on(today, count)


def _phrase(text: str, today: date) -> date | None:
    """The day a phrase in words names, or None when it is not one of them."""
    text = " ".join(text.replace("\u2019", "'").split())
    if text in _END_OF_MONTH:
        first_of_next = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        return first_of_next - timedelta(days=1)
    if text in _END_OF_WEEK:  # the working week's end: this Friday, or today if it is one
        return today + timedelta(days=(4 - today.weekday()) % 7)
    if text in _NEXT_UNIT:
        return _moved(today, 1, _NEXT_UNIT[text])
    match = _AHEAD.match(text)
    if match:
        return _moved(today, _count(match.group(1)), match.group(2))
    match = _AGO.match(text)
    if match:
        count, unit = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
        return _moved(today, -_count(count), unit)
    for words, step in ((_NEXT_WORDS, 1), (_LAST_WORDS, -1)):
        for word in words:
            if text.startswith(word) or text.endswith(word):
                day = text.removeprefix(word) if text.startswith(word) else text.removesuffix(word)
                weekday = _weekday(day)
                if weekday is not None:
                    # The next (or last) such day, never today.
                    gap = (weekday - today.weekday()) * step % 7 or 7
                    return today + timedelta(days=step * gap)
    return None


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
    """A date from ISO text, today/tomorrow/yesterday, a weekday (next or last), a phrase
    ("in 3 days", "2 weeks ago", "in 2 months", "end of month", and their French forms),
    a day and its month ("15 dec", "15/12"), or +3d / -2w / +2m, relative to ``today``;
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
    weekday = _weekday(text)
    if weekday is not None:
        # The next such day, never today: "friday" said on a Friday means next week.
        ahead = (weekday - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    match = _RELATIVE.match(text)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        if match.group(3) == "m":
            return _months_on(today, sign * int(match.group(2)))
        amount = int(match.group(2)) * (7 if match.group(3) in "ws" else 1)
        return today + timedelta(days=sign * amount)
    phrased = _phrase(text, today)
    if phrased is not None:
        return phrased
    named = _calendar_day(text, raw, today)
    if named is not None:
        return named
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AnswerError(
            _(
                "{raw!r} is not a date; use YYYY-MM-DD, 15 Dec, today, friday, next friday, "
                "in 3 days, 2 weeks ago, in 2 months, end of month, +3d, +2w or +2m"
            ).format(raw=raw)
        ) from None


def _calendar_day(text: str, raw: str, today: date) -> date | None:
    """The day a date written with its month's name or in numbers names ("15 dec",
    "15/12/2026"); None when ``text`` is neither. Without a year, the nearest such day
    to ``today``: "15 December" said on 3 January is last month's."""
    import unicodedata

    text = unicodedata.normalize("NFC", text)
    numeric = _NUMERIC.match(text)
    if numeric is not None:
        day, month = _numeric_order(int(numeric.group(1)), int(numeric.group(2)), raw)
        year = numeric.group(3)
        weekday = None
    else:
        found = _DAY_MONTH.match(text) or _MONTH_DAY.match(text)
        if found is None or found.group("month").removesuffix(".") not in _MONTH_NAMES:
            return None
        day, month = int(found.group("day")), _MONTH_NAMES[found.group("month")]
        year, weekday = found.group("year"), found.group("weekday")
        if weekday is not None and _weekday(weekday) is None:
            return None
    if year is not None:
        years = [int(year) + (2000 if len(year) == 2 else 0)]
    else:
        years = [today.year, today.year + 1, today.year - 1]
    candidates = []
    for candidate in years:
        try:
            candidates.append(date(candidate, month, day))
        except ValueError:
            continue  # 29 February of a year that has none, or 31 April
    if not candidates:
        raise AnswerError(_("{raw!r} is not a day of the calendar").format(raw=raw))
    chosen = bounded(min(candidates, key=lambda d: abs((d - today).days)))
    if weekday is not None and _weekday(weekday) != chosen.weekday():
        raise AnswerError(
            _("{raw!r}: that day is a {weekday}").format(
                raw=raw, weekday=_(_DAY_NAMES[chosen.weekday()])
            )
        )
    return chosen


def _numeric_order(first: int, second: int, raw: str) -> tuple[int, int]:
    """(day, month) of a date in numbers: day first in French, as written there; in
    English, the order the numbers allow, and an AnswerError when both orders could be
    meant (05/12)."""
    from clientcoach.i18n import language

    if language() == "fr" or first > 12 or first == second:
        return first, second
    if second > 12:
        return second, first
    raise AnswerError(
        _("{raw!r} could be {one} or {other}; write it as YYYY-MM-DD or as 5 Dec").format(
            raw=raw,
            one=f"{first} {_(MONTHS[second - 1])}",
            other=f"{second} {_(MONTHS[first - 1])}",
        )
    )


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


def day_range(since: str | None, until: str | None, today: date) -> tuple[date | None, date | None]:
    """``--since`` and ``--until`` as typed (None where not given); a range that ends
    before it starts is refused, the same way by every command that takes one."""
    start = day_option("--since", since, today)
    end = day_option("--until", until, today)
    if start is not None and end is not None and start > end:
        from clientcoach.errors import UsageError

        raise UsageError(
            _("--since {start} is after --until {end}").format(start=start, end=end),
            _("swap the dates"),
        )
    return start, end
