"""Finding personal data and secrets in one piece of text, and masking what was found.

`find_sensitive` is pure: text in, `Hit`s out (kind, label, offsets, the text as written and a
canonical form), nothing read and nothing reported. Candidates come from one linear regex pass
and are confirmed by check digits from python-stdnum (Luhn, IBAN mod-97, Norwegian mod-11,
Spanish check letters); phone numbers come from phonenumbers' `PhoneNumberMatcher` with the
portfolio's regions, run only on text that still holds 7 or more digits once dates, months,
times, URLs, versions and record IDs are blanked out. Example e-mail domains (RFC 2606) and the
published fictional phone ranges (Ofcom's drama numbers, North America's 555-01xx) are never
hits. `guard` decides what to report.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers
from stdnum import iban, luhn
from stdnum.es import dni, nie
from stdnum.no import fodselsnummer

#: Kinds a hit can have; `privacy.allow` entries name them in `kind:`.
KINDS = ("card", "national-id", "iban", "email", "phone", "secret")

_SECRETS = {
    "privkey": "private key",
    "aws": "AWS access key",
    "github": "GitHub token",
    "slack": "Slack token",
    "slackhook": "Slack webhook URL",
    "jwt": "JSON Web Token",
    "google": "Google API key",
    "stripe": "Stripe secret key",
}
_PASSWORD_NAMES = r"password|passwd|pwd|passord|contrase(?:ñ|n)a|pass_?phrase"
_SECRET_NAMES = (
    r"client[_-]?secret|secret[_-]?(?:key|access[_-]?key)?|api[_-]?key|"
    r"access[_-]?token|auth[_-]?token|bearer[_-]?token"
)
_PATTERN = re.compile(
    r"(?P<privkey>-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----)"
    r"|(?P<aws>(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9]))"
    r"|(?P<github>(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_\w{22,255}))"
    r"|(?P<slack>(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,250})"
    r"|(?P<slackhook>https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_+-]{20,250})"
    r"|(?P<jwt>(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)"
    r"|(?P<google>(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-]))"
    r"|(?P<stripe>(?<![A-Za-z0-9])[sr]k_live_[0-9A-Za-z]{16,250})"
    rf"|(?P<assign>(?<![A-Za-z0-9])(?i:(?P<password>{_PASSWORD_NAMES})|{_SECRET_NAMES})"
    r"[\"']?[ \t]{0,4}[:=][ \t]{0,4}"
    r"(?P<assigned>\"[^\"\n]{1,200}\"|'[^'\n]{1,200}'|[^\s'\"]{1,200}))"
    r"|(?P<email>(?<![\w.%+-])[\w.%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)"
    r"{1,8}[A-Za-z]{2,24}(?![\w-]))"
    r"|(?P<iban>(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?"
    r"(?![A-Za-z0-9]))"
    r"|(?P<nie>(?<![\w-])[XYZ][ -]?[0-9]{7}[ -]?[A-Z](?![\w-]))"
    r"|(?P<dni>(?<![\w-])[0-9]{8}[ -]?[A-Z](?![\w-]))"
    # card numbers: 13-19 digits, together or in groups of four (or 4-6-5), never part of a
    # longer run of digit groups
    r"|(?P<card>(?<![0-9])(?<![0-9][ -])(?:[0-9]{13,19}"
    r"|[0-9]{4}(?P<s1>[ -])[0-9]{4}(?P=s1)[0-9]{4}(?P=s1)[0-9]{1,4}(?:(?P=s1)[0-9]{1,3})?"
    r"|[0-9]{4}(?P<s2>[ -])[0-9]{6}(?P=s2)[0-9]{4,5})(?![0-9])(?![ -][0-9]{4}(?![0-9])))"
    r"|(?P<fnr>(?<![0-9])(?<![0-9][ -])[0-9]{6}[ -]?[0-9]{5}(?![0-9])(?![ -][0-9]))"
)
#: Where a phone number may be: digits and the separators people write between them.
_PHONE_RUN = re.compile(r"(?<![\w+])(?:\+|\(\+?)?[0-9][0-9 ().\-/]{5,30}[0-9]")
_SEPARATORS = re.compile(r"[\s()-]")
_DIGITS = str.maketrans("", "", "0123456789")
#: Digits that are not phone numbers: dates, months, times, URLs, versions, IDs like EV-001.
_NOT_PHONE = re.compile(
    r"https?://\S+|www\.\S+"
    r"|\b[0-9]{4}-[0-9]{2}(?:-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?)?\b"
    r"|\b[0-9]{1,2}[./-][0-9]{1,2}[./-](?:[0-9]{4}|[0-9]{2})\b"
    r"|\b[0-9]{4}/[0-9]{2}(?:/[0-9]{2})?\b"
    r"|\b(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])\b"
    r"|\b[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?\b"
    r"|\b(?:19|20)[0-9]{2} ?[–-] ?(?:19|20)?[0-9]{2}\b"
    r"|\bv?[0-9]+(?:\.[0-9]+){2,}\b"
    r"|\b[A-Za-z]+[A-Za-z0-9]*-[0-9]+(?:-[0-9]+)*\b"
)
_PLACEHOLDER = re.compile(r"[*x.#-]+|<[^>]*>|\{\{.*\}\}|\$\{.*\}|%\(.*\)s|\[redacted\]", re.I)
_WORDS_ONLY = re.compile(r"[A-Za-z]+(?:[-_][A-Za-z]+)*")
_EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
_EXAMPLE_TLDS = ("example", "test", "invalid", "localhost")
#: Fictional numbers: Ofcom's drama ranges (national number prefixes) and NANP 555-01xx.
_FICTIONAL_GB = (
    "1134960", "1144960", "1154960", "1164960", "1174960", "1184960", "1214960", "1314960",
    "1414960", "1514960", "1614960", "2079460", "2896496", "2920180", "1632960", "7700900",
    "8081570", "9098790", "3069990",
)  # fmt: skip


@dataclass(frozen=True)
class Hit:
    """One identifier or secret found in a text, at `start:end` of that text."""

    kind: str  # one of KINDS
    label: str  # what a person calls it: "card number", "Spanish NIE" ...
    start: int
    end: int
    text: str  # as written
    canonical: str  # digits, E.164, lower-case address ...: what allowlist values match too

    @property
    def masked(self) -> str:
        return mask(self.canonical if self.kind != "secret" else self.text)


def mask(value: str) -> str:
    """All but the last 4 characters as '*' (fewer than 4 shown for short values)."""
    keep = 4 if len(value) >= 12 else len(value) // 3
    return "*" * (len(value) - keep) + value[len(value) - keep :]


def compact(value: str) -> str:
    """The value without spaces, dashes and brackets, lower-cased: how values are compared."""
    return _SEPARATORS.sub("", value).casefold()


def digit_count(text: str) -> int:
    return len(text) - len(text.translate(_DIGITS))


def _card(text: str) -> str | None:
    digits = re.sub(r"[ -]", "", text)
    # issuer ranges start 2-6; 0, 1, 7, 8 and 9 prefixes are rarely payment cards
    if digits[0] in "23456" and luhn.is_valid(digits):
        return digits
    return None


def _secret_value(value: str) -> bool:
    """Whether the right-hand side of `password: ...` looks like a real credential."""
    if len(value) < 8 or _PLACEHOLDER.fullmatch(value) or value.lower().startswith("http"):
        return False
    if _WORDS_ONLY.fullmatch(value):  # prose such as "password: see-the-vault"
        return False
    return not _NOT_PHONE.fullmatch(value)


def _example_address(address: str) -> bool:
    """An address at a domain reserved for examples (RFC 2606)."""
    domain = address.rpartition("@")[2].lower()
    return (
        domain in _EXAMPLE_DOMAINS
        or domain.endswith(tuple("." + d for d in _EXAMPLE_DOMAINS))
        or domain.rpartition(".")[2] in _EXAMPLE_TLDS
    )


def _classify(match: re.Match[str]) -> Hit | None:
    """The hit a regex candidate is, once its check digits agree; None for a near miss."""
    group = match.lastgroup or ""
    text = match.group()
    start, end = match.span()
    if group in _SECRETS:
        return Hit("secret", _SECRETS[group], start, end, text, text)
    if group == "assign":
        value, vstart = match.group("assigned"), match.start("assigned")
        if value[0] in "'\"":
            value, vstart = value[1:-1], vstart + 1
        else:
            value = value.rstrip(").,;:]}>")  # prose punctuation after the value
        if not _secret_value(value):
            return None
        label = "password" if match.group("password") else "secret or API key"
        return Hit("secret", label, vstart, vstart + len(value), value, value)
    if group == "email":
        if _example_address(text):
            return None
        return Hit("email", "e-mail address", start, end, text, text.lower())
    plain = compact(text).upper()
    if group == "iban" and iban.is_valid(plain):
        return Hit("iban", "IBAN", start, end, text, plain)
    if group == "nie" and nie.is_valid(plain):
        return Hit("national-id", "Spanish NIE", start, end, text, plain)
    if group == "dni" and dni.is_valid(plain):
        return Hit("national-id", "Spanish DNI", start, end, text, plain)
    if group == "card":
        digits = _card(text)
        return None if digits is None else Hit("card", "card number", start, end, text, digits)
    if group == "fnr" and fodselsnummer.is_valid(plain):
        label = "Norwegian D-number" if plain[0] in "4567" else "Norwegian national identity number"
        return Hit("national-id", label, start, end, text, plain)
    return None


def _fictional(number: phonenumbers.PhoneNumber) -> bool:
    national = str(number.national_number)
    if number.country_code == 44:
        return national.startswith(_FICTIONAL_GB)
    return number.country_code == 1 and national[3:8] == "55501"


def _written_as_phone(raw: str, number: phonenumbers.PhoneNumber) -> bool:
    """A bare run of digits counts only as the national number, or with a trunk '0' or '00'.

    So `15108695077` (a fødselsnummer with a bad check digit, or a ticket number) is not read
    as a US number with its trunk '1', while `07400123456` and `41234567` still are numbers.
    """
    if not raw.isdigit():
        return True
    national = str(number.national_number)
    return raw == national or raw == "0" + national or raw.startswith("00")


def _phones(text: str, regions: Iterable[str], taken: list[tuple[int, int]]) -> list[Hit]:
    """Phone numbers in runs of digits and separators, once other hits and dates are blanked.

    `PhoneNumberMatcher` reads only those runs (joined by ' ; ', which no number crosses), so
    its cost follows the digits in the text, not its length.
    """
    pieces, last = [], 0
    for start, end in taken:
        pieces += [text[last:start], " " * (end - start)]
        last = end
    blanked = _NOT_PHONE.sub(lambda m: " " * len(m.group()), "".join([*pieces, text[last:]]))
    runs = [r.span() for r in _PHONE_RUN.finditer(blanked) if digit_count(r.group()) >= 7]
    if not runs:
        return []
    starts = list(itertools.accumulate((end - start + 3 for start, end in runs), initial=0))
    joined = " ; ".join(blanked[start:end] for start, end in runs)
    hits: dict[tuple[int, int], Hit] = {}
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(
            joined, region, leniency=phonenumbers.Leniency.VALID
        ):
            number = match.number
            if (
                len(str(number.national_number)) < 7
                or _fictional(number)
                or not _written_as_phone(match.raw_string, number)
            ):
                continue
            index = bisect.bisect_right(starts, match.start) - 1
            offset = runs[index][0] + match.start - starts[index]
            span = (offset, offset + len(match.raw_string))
            if span not in hits:
                e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                hits[span] = Hit("phone", "phone number", *span, match.raw_string, e164)
    return list(hits.values())


def find_sensitive(text: str, regions: Iterable[str] = ("GB", "US")) -> list[Hit]:
    """Every identifier and secret in `text`, in order; phone numbers for `regions`."""
    hits: list[Hit] = []
    position = 0
    while (match := _PATTERN.search(text, position)) is not None:
        hit = _classify(match)
        if hit is None:
            position = match.start() + 1  # a near miss: something else may start inside it
            continue
        hits.append(hit)
        position = match.end()
    if digit_count(text) >= 7:
        hits += _phones(text, regions, [(h.start, h.end) for h in hits])
        hits.sort(key=lambda h: h.start)
    return hits
