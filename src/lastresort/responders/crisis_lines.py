"""Crisis resources by locale: a small table of data, shown whenever a reply offers support.

Sources (checked when the table was written; re-check them before relying on a number):

* International: https://findahelpline.com (directory of free, confidential helplines by country).
* US: https://988lifeline.org (988 Suicide & Crisis Lifeline, call or text 988); emergency 911.
* UK and Ireland: https://www.samaritans.org (116 123, free, 24/7); emergency 999 or 112.
* Canada: https://988.ca (9-8-8 Suicide Crisis Helpline, call or text 9-8-8); emergency 911.
* Australia: https://www.lifeline.org.au (13 11 14); emergency 000.
* Spain: https://www.sanidad.gob.es (Línea 024, atención a la conducta suicida); emergency 112.
* France: https://3114.fr (numéro national de prévention du suicide); emergency 112.
* Germany: https://www.telefonseelsorge.de (0800 111 0 111 / 0800 111 0 222); emergency 112.

A national line only works in its own country, so a locale whose region is not in the table (``es-MX``,
``de-AT``) gets the international directory rather than another country's number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["AFTER_NATIONAL", "INTERNATIONAL", "UNKNOWN_LOCALE", "CrisisLine", "resources_for"]


@dataclass(frozen=True)
class CrisisLine:
    """One resource: who to contact, how, and a short note (hours, cost, when to use it)."""

    name: str
    contact: str
    note: str
    emergency: bool = False  # an emergency number rather than a support line: listed first for risk to others


FIND_A_HELPLINE = CrisisLine(
    "Find A Helpline", "findahelpline.com", "lists free, confidential lines in many countries"
)
LOCAL_EMERGENCY = CrisisLine(
    "Emergency services",
    "your local emergency number",
    "if you or anyone else is in immediate danger, call it now",
    emergency=True,
)

_IMMEDIATE = "if you or anyone else is in immediate danger"

US_988 = CrisisLine("988 Suicide & Crisis Lifeline", "call or text 988", "free, confidential, 24/7")
SAMARITANS = CrisisLine("Samaritans", "call 116 123", "free, confidential, 24/7")
CANADA_988 = CrisisLine("9-8-8 Suicide Crisis Helpline", "call or text 9-8-8", "free, 24/7, English and French")
LIFELINE_AU = CrisisLine("Lifeline", "call 13 11 14", "24/7 crisis support")
SPAIN_024 = CrisisLine("Línea 024", "call 024", "free, confidential, 24/7")
FRANCE_3114 = CrisisLine("3114", "call 3114", "national suicide-prevention line, free, 24/7")
TELEFONSEELSORGE = CrisisLine(
    "TelefonSeelsorge", "call 0800 111 0 111 or 0800 111 0 222", "free, anonymous, 24/7"
)


def _emergency(number: str) -> CrisisLine:
    return CrisisLine("Emergency services", number, _IMMEDIATE, emergency=True)


#: The international fallback: the whole of it for an unknown locale.
INTERNATIONAL: tuple[CrisisLine, ...] = (FIND_A_HELPLINE, LOCAL_EMERGENCY)

#: Shown after a known country's lines. Its own emergency number is already listed, so only the directory.
AFTER_NATIONAL: tuple[CrisisLine, ...] = (FIND_A_HELPLINE,)

#: No usable locale: the international directory first (it fits anyone), then the lines most people reach.
UNKNOWN_LOCALE: tuple[CrisisLine, ...] = (*INTERNATIONAL, US_988, SAMARITANS, CANADA_988, LIFELINE_AU)

_BY_REGION: Mapping[str, tuple[CrisisLine, ...]] = MappingProxyType({
    "US": (US_988, _emergency("911")),
    "GB": (SAMARITANS, _emergency("999 or 112")),
    "IE": (SAMARITANS, _emergency("112 or 999")),
    "CA": (CANADA_988, _emergency("911")),
    "AU": (LIFELINE_AU, _emergency("000")),
    "ES": (SPAIN_024, _emergency("112")),
    "FR": (FRANCE_3114, _emergency("112")),
    "DE": (TELEFONSEELSORGE, _emergency("112")),
})

#: Common ways of writing a region that are not its ISO 3166 code.
_REGION_ALIASES: Mapping[str, str] = MappingProxyType({"UK": "GB"})

#: A bare language tag ("es") stands for the country where it is mostly used; "en" is too spread out to guess.
_BY_LANGUAGE: Mapping[str, str] = MappingProxyType({"es": "ES", "fr": "FR", "de": "DE"})


def _parse(locale: str) -> tuple[str, str]:
    """``(language, region)`` from "en-US", "en_GB.UTF-8", "zh-Hant-TW" and the like; "" where absent."""
    tag = locale.strip().split(".", 1)[0].split("@", 1)[0].replace("_", "-")
    parts = tag.split("-")
    language = parts[0].lower()
    region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isascii() and p.isalpha()), "")
    return language, _REGION_ALIASES.get(region, region)


def resources_for(locale: str | None) -> tuple[CrisisLine, ...]:
    """Crisis resources for ``locale``: its country's lines, then :data:`AFTER_NATIONAL`.

    The region decides when there is one; a bare language is looked up as its main country. Anything else
    (``None``, "", "C", garbage, an unlisted country) gets :data:`UNKNOWN_LOCALE`. Never raises on a string.
    """
    if not locale:
        return UNKNOWN_LOCALE
    language, region = _parse(locale)
    country = region if region else _BY_LANGUAGE.get(language, "")
    national = _BY_REGION.get(country)
    return national + AFTER_NATIONAL if national else UNKNOWN_LOCALE
