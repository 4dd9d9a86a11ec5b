"""Personal data with a shape: found by pattern, then validated where a format or check digit exists.

Pure functions of text. Each ``find_*`` yields ``(kind, start, end)`` with character offsets into the
text it was given; overlaps between kinds are settled by ``portfolio.privacy.scan``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

Span = tuple[str, int, int]

# --- e-mail addresses ---------------------------------------------------------------------------
EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b"
)


def find_emails(text: str) -> Iterator[Span]:
    for m in EMAIL.finditer(text):
        yield ("email", m.start(), m.end())


# --- National Insurance numbers -----------------------------------------------------------------
# HMRC: the first letter is not D, F, I, Q, U or V; the second is not D, F, I, O, Q, U or V;
# the prefixes BG, GB, KN, NK, NT, TN and ZZ are not allocated; six digits; suffix A, B, C or D.
NI = re.compile(
    r"(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])"
    r"[ ]?(\d{2})[ ]?(\d{2})[ ]?(\d{2})[ ]?([A-D])(?![A-Za-z0-9])"
)
NI_EXCLUDED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def valid_ni(prefix: str) -> bool:
    """Whether a two-letter prefix can start a National Insurance number (letters already checked)."""
    return prefix.upper() not in NI_EXCLUDED_PREFIXES


def find_ni_numbers(text: str) -> Iterator[Span]:
    for m in NI.finditer(text):
        if valid_ni(m.group(1)):
            yield ("ni_number", m.start(), m.end())


# --- NHS numbers ---------------------------------------------------------------------------------
# Ten digits (written 3-3-4 or run together); the tenth is a modulus-11 check digit. A number
# starting with 0 is read as a telephone number instead.
NHS = re.compile(r"(?<![\d+])([1-9]\d{2})([ -]?)(\d{3})\2(\d{4})(?!\d)")


def nhs_check_ok(digits: str) -> bool:
    """The NHS modulus-11 check: weights 10..2 over the first nine digits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def find_nhs_numbers(text: str) -> Iterator[Span]:
    for m in NHS.finditer(text):
        if nhs_check_ok(m.group(1) + m.group(3) + m.group(4)):
            yield ("nhs_number", m.start(), m.end())


# --- UK telephone numbers ------------------------------------------------------------------------
# A run of digits, spaces, hyphens and brackets that starts 0 or +44; valid when the national
# number (after the 0) has 9 or 10 digits and starts 1, 2, 3, 7 or 8 (landline, non-geographic,
# mobile, free and shared-cost numbers).
PHONE = re.compile(r"(?<![\w+])(?:\+44[ ]?(?:\(0\)[ ]?)?|\(?0)\d(?:[\d()]|[ -](?=[\d(])){7,16}")


def phone_digits_ok(raw: str) -> bool:
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+44"):
        digits = digits[2:]
        if raw.replace(" ", "").startswith("+44(0)"):
            digits = digits[1:]
    elif digits.startswith("0"):
        digits = digits[1:]
    else:
        return False
    return len(digits) in (9, 10) and digits[0] in "12378"


def find_phones(text: str) -> Iterator[Span]:
    for m in PHONE.finditer(text):
        raw = m.group(0)
        end = m.end()
        # a closing bracket belongs to the number only when one opened inside it
        while raw and (raw[-1] in "( -" or (raw[-1] == ")" and raw.count(")") > raw.count("("))):
            raw, end = raw[:-1], end - 1
        if end < len(text) and text[end].isdigit():
            continue  # longer run of digits: something else
        if phone_digits_ok(raw):
            yield ("phone", m.start(), end)


# --- postcodes -----------------------------------------------------------------------------------
# The Royal Mail pattern: outward code A9, A99, AA9, AA99, A9A or AA9A with the letters each
# position allows, a space (optional), inward code 9AA (no C, I, K, M, O or V).
POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])("
    r"GIR ?0AA|"
    r"(?:[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPSTUW]|[A-HK-Y]\d[ABEHMNPRV-Y]))"
    r" ?\d[ABD-HJLNP-UW-Z]{2}"
    r")(?![A-Za-z0-9])"
)


def find_postcodes(text: str) -> Iterator[Span]:
    for m in POSTCODE.finditer(text):
        yield ("postcode", m.start(1), m.end(1))


# --- street addresses ----------------------------------------------------------------------------
STREET_WORDS = (
    "Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Cres|Court|Ct|Place|Pl|"
    "Terrace|Grove|Gardens|Gdns|Park|Hill|Square|Sq|Walk|Row|Mews|View|Rise|Green|Parade|Gate|"
    "Vale|Wharf|Fold|Croft|Brow|Chase|Boulevard"
)
ADDRESS = re.compile(
    r"(?<![\w/£$.,-])(?:(?:Flat|Apartment|Unit)\s+\d{1,4}[A-Za-z]?,?\s+)?"
    r"\d{1,4}[A-Za-z]?(?:-\d{1,4})?,?\s+"
    r"(?:[A-Z][A-Za-z'’-]+\s+){1,3}"
    rf"(?:{STREET_WORDS})\b\.?"
)


def find_addresses(text: str) -> Iterator[Span]:
    for m in ADDRESS.finditer(text):
        end = m.end()
        if text[m.start() : end].endswith(".") and (end == len(text) or text[end] in " \n"):
            end -= 1  # the full stop ends the sentence, not an abbreviation
        yield ("address", m.start(), end)


# --- dates of birth ------------------------------------------------------------------------------
MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DATE = re.compile(
    r"(?<![\w/.-])(?:"
    r"(?:0?[1-9]|[12]\d|3[01])[/.-](?:0?[1-9]|1[0-2])[/.-](?:19|20)?\d{2}"  # 12/03/1985
    r"|(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"  # 1985-03-12
    rf"|(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?(?:\s+of)?\s+{MONTHS}\.?,?\s+(?:19|20)\d{{2}}"
    rf"|{MONTHS}\.?\s+(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
    rf"|{MONTHS}\s+(?:19|20)\d{{2}}"  # March 1995: a date of birth only in its context
    r")(?![\w/])",
    re.IGNORECASE,
)
BIRTH_BEFORE = re.compile(
    r"(?:\bborn\b|\bD\.?O\.?B\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bbirthday\b)"
    r"[^.\n]{0,30}$",
    re.IGNORECASE,
)
AGE_AFTER = re.compile(
    r"^[\s,;(]{0,3}(?:\(?\s*(?:aged?|now)\s+\d{1,3}\b|\d{1,3}\s*(?:years?|yrs?)\s+old\b)",
    re.IGNORECASE,
)
AGE_BEFORE = re.compile(r"\baged?\s+\d{1,3}\b[^.\n]{0,20}$", re.IGNORECASE)


def find_dates_of_birth(text: str) -> Iterator[Span]:
    """A date with "born", "DOB", "date of birth" or "birthday" shortly before it in the same
    sentence, or with an age next to it ("12/03/1985 (aged 39)", "aged 39, born ...")."""
    for m in DATE.finditer(text):
        before = text[max(0, m.start() - 40) : m.start()]
        after = text[m.end() : m.end() + 25]
        if BIRTH_BEFORE.search(before) or AGE_AFTER.search(after) or AGE_BEFORE.search(before):
            yield ("date_of_birth", m.start(), m.end())


FINDERS = (
    find_emails,
    find_phones,
    find_ni_numbers,
    find_nhs_numbers,
    find_postcodes,
    find_addresses,
    find_dates_of_birth,
)


def find_patterns(text: str) -> list[Span]:
    """Every pattern-kind candidate, in finder order (overlaps not yet settled)."""
    return [span for finder in FINDERS for span in finder(text)]
