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

The table is configurable: :meth:`CrisisTable.from_mapping` reads the ``[crisis_resources]`` table of the
policy file (see ``docs/policy.md``), adding or replacing countries on top of :data:`DEFAULT_TABLE`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

__all__ = ["AFTER_NATIONAL", "DEFAULT_TABLE", "INTERNATIONAL", "UNKNOWN_LOCALE", "CrisisLine", "CrisisTable",
           "resources_for"]


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
    return language, region


@dataclass(frozen=True, kw_only=True)
class CrisisTable:
    """Crisis resources by country, with the fallbacks for a bare language or an unknown locale."""

    regions: Mapping[str, tuple[CrisisLine, ...]] = field(default_factory=lambda: _BY_REGION)
    languages: Mapping[str, str] = field(default_factory=lambda: _BY_LANGUAGE)
    aliases: Mapping[str, str] = field(default_factory=lambda: _REGION_ALIASES)
    after_national: tuple[CrisisLine, ...] = AFTER_NATIONAL
    unknown_locale: tuple[CrisisLine, ...] = UNKNOWN_LOCALE

    def resources_for(self, locale: str | None) -> tuple[CrisisLine, ...]:
        """Crisis resources for ``locale``: its country's lines, then ``after_national``.

        The region decides when there is one; a bare language is looked up as its main country. Anything else
        (``None``, "", "C", garbage, an unlisted country) gets ``unknown_locale``. Never raises on a string.
        """
        if not locale:
            return self.unknown_locale
        language, region = _parse(locale)
        region = self.aliases.get(region, region)
        country = region if region else self.languages.get(language, "")
        national = self.regions.get(country)
        return national + self.after_national if national else self.unknown_locale

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], base: CrisisTable | None = None) -> CrisisTable:
        """A table from plain values (the ``[crisis_resources]`` TOML table), on top of ``base`` (default: the
        built-in table) unless ``replace = true``. Raises ``ValueError`` naming what is wrong."""
        known = {"replace", "regions", "languages", "after_national", "unknown_locale"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"crisis_resources: unknown key(s) {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(known))}")
        if not isinstance(data.get("replace", False), bool):
            raise ValueError("crisis_resources.replace must be true or false")
        fresh = CrisisTable(regions={}, languages={}, after_national=(), unknown_locale=())
        table = fresh if data.get("replace") else (base or DEFAULT_TABLE)
        regions = dict(table.regions)
        raw_regions = data.get("regions", {})
        if not isinstance(raw_regions, Mapping):
            raise ValueError("crisis_resources.regions must be a table of country code = [lines]")
        for code, lines in raw_regions.items():
            if not (isinstance(code, str) and len(code) == 2 and code.isascii() and code.isalpha()):
                raise ValueError(f"crisis_resources.regions: {code!r} is not a two-letter country code")
            regions[code.upper()] = _lines(lines, f"crisis_resources.regions.{code}")
        languages = dict(table.languages)
        raw_languages = data.get("languages", {})
        if not isinstance(raw_languages, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in raw_languages.items()
        ):
            raise ValueError("crisis_resources.languages must map a language tag to a country code, e.g. it = \"IT\"")
        languages.update({k.lower(): v.upper() for k, v in raw_languages.items()})
        table = replace(table, regions=MappingProxyType(regions), languages=MappingProxyType(languages))
        if "after_national" in data:
            table = replace(table, after_national=_lines(data["after_national"], "crisis_resources.after_national"))
        if "unknown_locale" in data:
            table = replace(table, unknown_locale=_lines(data["unknown_locale"], "crisis_resources.unknown_locale"))
        if not table.unknown_locale:
            raise ValueError("crisis_resources.unknown_locale must list at least one resource")
        return table


def _lines(raw: object, where: str) -> tuple[CrisisLine, ...]:
    if not isinstance(raw, list | tuple):
        raise ValueError(f"{where} must be a list of {{name, contact, note, emergency}} tables")
    lines = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise ValueError(f"{where}[{i}] must be a table with name, contact and note")
        extra = sorted(set(item) - {"name", "contact", "note", "emergency"})
        missing = [k for k in ("name", "contact") if not isinstance(item.get(k), str) or not item[k].strip()]
        if extra or missing:
            raise ValueError(f"{where}[{i}]: " + "; ".join(
                ([f"unknown key(s) {', '.join(extra)}"] if extra else [])
                + ([f"{', '.join(missing)} must be non-empty text"] if missing else [])))
        if not isinstance(item.get("note", ""), str) or not isinstance(item.get("emergency", False), bool):
            raise ValueError(f"{where}[{i}]: note must be text and emergency true or false")
        lines.append(CrisisLine(item["name"], item["contact"], item.get("note", ""), item.get("emergency", False)))
    return tuple(lines)


#: The built-in table (the sources are listed at the top of this module).
DEFAULT_TABLE = CrisisTable()


def resources_for(locale: str | None) -> tuple[CrisisLine, ...]:
    """Crisis resources for ``locale`` from :data:`DEFAULT_TABLE` (see :meth:`CrisisTable.resources_for`)."""
    return DEFAULT_TABLE.resources_for(locale)
