"""Person names: their canonical form, their parts and the gender they suggest.

"Mr. Donald J. Trump", "Donald Trump" and "Donald John Trump Jr." share the canonical parts
("Donald", "Trump"): honorifics, middle names and initials and generational suffixes are
dropped, so that the key made from them is the same in every article. (The price: two
people who differ only by a middle initial share a key.) A surname keeps its particles
("Bill de Blasio": "de Blasio").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

import gender_guesser.detector
from spacy.lang.en.stop_words import STOP_WORDS

Gender = Literal["male", "female", ""]

# English honorifics and the gender they state ("" when they state none). They are part of
# the language, not of any article.
HONORIFICS: dict[str, Gender] = {
    "mr": "male", "mrs": "female", "ms": "female", "miss": "female", "sir": "male",
    "madam": "female", "dr": "", "prof": "", "sen": "", "rep": "", "gov": "", "rev": "",
}
GENERATIONAL_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
#: Abbreviated titles and the word a description uses ("Sen. Sanders" ... "the senator").
TITLE_ABBREVIATIONS: dict[str, str] = {
    "sen": "senator", "rep": "representative", "gov": "governor", "gen": "general",
    "lt": "lieutenant", "col": "colonel", "pres": "president", "dr": "doctor",
    "prof": "professor", "rev": "reverend", "atty": "attorney",
}


#: Words that name a role, not a bearer: alone (or with each other, "Vice President", "Mr.")
#: they are a title, never a name.
ROLE_WORDS = frozenset({
    *HONORIFICS, *TITLE_ABBREVIATIONS, *TITLE_ABBREVIATIONS.values(),
    "president", "vice", "senator", "congressman", "congresswoman", "minister", "prime",
    "secretary", "chairman", "chairwoman", "chair", "speaker", "mayor", "governor",
    "judge", "justice", "king", "queen", "prince", "pope", "chancellor", "ambassador",
    "sheriff", "chief", "director", "spokesman", "spokeswoman", "candidate", "nominee",
    "leader", "official", "first", "lady", "former", "potus", "madam", "sir",
})


def is_role_or_pronoun(words: list[str]) -> bool:
    """Return whether ``words`` hold no name: only titles and honorifics ("Mr.", "Sen.",
    "Vice President"), pronouns and other function words ("We", "YOU", "who"; spaCy's
    English stop words), in any casing."""
    bare = [_CONTRACTION.sub("", word.lower()).strip(".,'’") for word in words]
    return all(word in ROLE_WORDS or word in STOP_WORDS for word in bare if word)


_CONTRACTION = re.compile(r"['’](s|re|ll|ve|d|m)$")  # "HE'S", "we're"


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name split into what the canonical key keeps."""

    first: str  # "" when only a surname is written ("Trump", "Mr. Trump")
    last: str
    honorific_gender: Gender = ""

    @property
    def is_full(self) -> bool:
        """Return whether the name has both a first name and a surname."""
        return bool(self.first)

    @property
    def label(self) -> str:
        """Return the name as it is shown: "Donald Trump"."""
        return f"{self.first} {self.last}".strip()

    @property
    def key(self) -> str:
        """Return the canonical key of a full name: "donald trump"."""
        return self.label.lower()


def parse_person_name(words: list[str]) -> PersonName | None:
    """Return the parts of a name written as ``words`` (["Mr.", "Donald", "J.", "Trump"]),
    or None when nothing but honorifics and initials is left."""
    gender: Gender = ""
    kept: list[str] = []
    for word in words:
        bare = word.strip(".,").lower()
        if not kept and bare in HONORIFICS:
            gender = gender or HONORIFICS[bare]
        elif bare in GENERATIONAL_SUFFIXES or _is_initial(word) or word in {"'s", "’s"}:
            continue
        else:
            kept.append(word.strip(","))
    if not kept:
        return None
    # A surname takes the lowercase particles before it: "Bill de Blasio", "de Blasio".
    first_of_surname = len(kept) - 1
    while first_of_surname > 0 and kept[first_of_surname - 1].islower():
        first_of_surname -= 1
    surname = " ".join(kept[first_of_surname:])
    if first_of_surname == 0:
        return PersonName("", surname, gender)
    return PersonName(kept[0], surname, gender)


def name_gender(name: PersonName) -> Gender:
    """Return the gender the name states: its honorific's, else its first name's where the
    ``gender-guesser`` data is sure (not "mostly_", not "andy"), else ""."""
    if name.honorific_gender:
        return name.honorific_gender
    return first_name_gender(name.first) if name.first else ""


@lru_cache(maxsize=8192)  # asked of the same few names again and again
def first_name_gender(word: str) -> Gender:
    """Return the gender ``gender-guesser`` gives a first name where it is sure, else ""."""
    guess = _detector().get_gender(word)
    return guess if guess in ("male", "female") else ""


def _is_initial(word: str) -> bool:
    """"J." or "J" (a capital alone) is an initial."""
    bare = word.rstrip(".")
    return len(bare) == 1 and bare.isupper()


@cache
def _detector() -> gender_guesser.detector.Detector:
    return gender_guesser.detector.Detector(case_sensitive=False)


def is_abbreviation(text: str) -> bool:
    """Two or more capitals, with or without periods, and nothing else ("NATO", "U.N.")."""
    bare = text.replace(".", "")
    return len(bare) >= 2 and bare.isalpha() and bare.isupper()


def initials(name: str) -> str:
    """Return the initials of a name's capitalized words: "International Monetary Fund"
    -> "IMF", "Federal Bureau of Investigation" -> "FBI" ("" for a single word)."""
    words = [word for word in name.split() if word[:1].isupper()]
    return "".join(word[0] for word in words) if len(words) >= 2 else ""
