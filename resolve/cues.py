"""Cue meaning: what a cue says about its content (its class), negation and hedging.

The classes and hedge words are data, in ``cue_meaning.tsv`` (its header documents each
class). Negation and hedging are read off the parse: a ``neg`` dependent of the cue word
("does *not* announce", "*never* said"), and hedge words that modify the cue ("*reportedly*
said") or the head of its content ("it *could* be").
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

from spacy.tokens import Span, Token

from claimgraph.extract.frames import complement_frames
from claimgraph.records import Attribution

MEANING_FILE = "cue_meaning.tsv"
UNKNOWN_CLASS = "other"
HEDGE = "hedge"
HEDGE_DEPS = frozenset({"aux", "advmod"})
#: Inflection endings after which the rule lemmatizer may strip an "e" that belongs to the
#: stem ("hoped", "hoping", "hopes": "hop" where the cue word is "hope").
E_STEM_ENDINGS = ("ed", "ing", "es")
#: How many words before the cue a negation of the cue word can stand ("did *not* say").
NEGATION_REACH = 3
#: Verbs that mean "not do" (negated, they cancel out: "could not resist pointing out").
NEGATIVE_IMPLICATIVES = frozenset({"resist", "miss", "fail", "hesitate", "tire", "refrain",
                                   "stop"})
#: Words that negate a cue as its subject: "*No one* could have envisioned".
NEGATIVE_WORDS = frozenset({"nobody", "nothing", "none"})
#: Verbs whose object noun carries a cue's meaning: "sounded a *call* for", "issued a
#: *warning*", "made the *case*".
LIGHT_VERBS = frozenset({"sound", "issue", "make", "give", "voice", "raise", "lodge",
                         "express", "put"})


@dataclass(frozen=True, slots=True)
class CueMeaning:
    """What the cue of one attribution means."""

    cue_class: str
    negated: bool
    hedges: tuple[str, ...] = ()
    lemma: str = ""


@dataclass(slots=True)
class CueClasses:
    """Cue class per (lemma, frame), with "*" for any frame, and the hedge words."""

    classes: dict[tuple[str, str], str] = field(default_factory=dict)
    hedges: frozenset[str] = frozenset()
    lemmas: frozenset[str] = field(init=False, default=frozenset())  # listed in some frame

    def __post_init__(self) -> None:
        self.lemmas = frozenset(lemma for lemma, _ in self.classes)

    @classmethod
    def load(cls, path: str | Path | None = None) -> CueClasses:
        """Read a cue meaning TSV (class, lemma, frame); the shipped one by default."""
        if path is None:
            text = files("claimgraph.resolve").joinpath(MEANING_FILE).read_text("utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        rows = csv.DictReader((line for line in text.splitlines()
                               if line and not line.startswith("#")), delimiter="\t")
        classes: dict[tuple[str, str], str] = {}
        hedges = set()
        for row in rows:
            if row["class"] == HEDGE:
                hedges.add(row["lemma"])
            else:
                classes[(row["lemma"], row["frame"])] = row["class"]
        return cls(classes, frozenset(hedges))

    def cue_class(self, lemma: str, frame: str = "") -> str:
        """Return the class of a cue lemma in a frame ("other" for a lemma not listed)."""
        lemma = lemma.lower()
        return self.classes.get((lemma, frame)) or self.classes.get((lemma, "*"), UNKNOWN_CLASS)

    def meaning(self, attribution: Attribution, cue: Span, content: Span | None) -> CueMeaning:
        """Return the class, negation and hedges of an attribution whose cue and content
        are the Doc spans ``cue`` and ``content``."""
        head = self._cue_word(cue)
        lemma = attribution.cue_lemma or head.lemma_.lower()
        if not self.is_listed(lemma) and self.is_listed(self.lemma(head)):
            lemma = self.lemma(head)  # "hoped": hope, where the tagger says "hop"
        phrasal = self._phrasal(head, cue)
        if phrasal:
            lemma = phrasal  # "goes after", "voted against": the verb with its particle
        if attribution.rule.startswith("verb:"):
            frame = attribution.rule.removeprefix("verb:")
        else:  # no rule says it (an annotated corpus): read it off the parse
            frame = _frame(head, content) if content is not None else ""
        negated = attribution.negated or _is_negated(head, cue)
        hedge_words = [child for child in head.children if self._is_hedge(child)]
        if content is not None:
            hedge_words += [child for child in content.root.children
                            if self._is_hedge(child) and child.i >= content.start]
        hedges = tuple(dict.fromkeys(token.lower_ for token in hedge_words))
        return CueMeaning(self.cue_class(lemma, frame), negated, hedges, lemma)

    def is_listed(self, lemma: str) -> bool:
        """Whether ``lemma`` has a class of its own (in any frame)."""
        return lemma in self.lemmas

    def lemma(self, token: Token) -> str:
        """Return the lemma of a cue word, checked against the listed cue lemmas: where the
        tagger's lemma is not listed but the word is an inflection of a listed lemma ending
        in "e" ("hoped", "hoping": hope, not "hop"), that lemma."""
        lemma = token.lemma_.lower()
        if self.is_listed(lemma):
            return lemma
        word = token.lower_
        for ending in E_STEM_ENDINGS:
            if word.endswith(ending):
                stem = word.removesuffix(ending)
                candidate = stem + "e"
                if self.is_listed(candidate) and lemma in (stem, stem.removesuffix("e")):
                    return candidate
        if token.is_title and word.endswith("s") and self.is_listed(word[:-1]):
            return word[:-1]  # a headline's "Sums Up", tagged as a name: sum
        return lemma

    def _cue_word(self, cue: Span) -> Token:
        """Return the word of a cue phrase that carries its meaning: its head if listed,
        else the first one listed ("*unleashed* a series of tweets *saying*"),
        but the noun of a light verb ("sounded a *call* for", "issued a *warning*"), else
        the cue's main word."""
        listed = [token for token in cue
                  if self.cue_class(self.lemma(token)) != UNKNOWN_CLASS and token.pos_ != "AUX"]
        if not listed:
            return _cue_head(cue)
        # The cue's own head when it is listed ("an aggressive - some say unrealistic -
        # *pledge*"), else the first listed word; a preposition ("In this poll, ...") only
        # when nothing else is listed.
        first = min(listed, key=lambda token: (token != cue.root, token.pos_ == "ADP",
                                               token.i))
        if first.lemma_.lower() in LIGHT_VERBS:
            nouns = [token for token in listed[1:] if token.head == first
                     and token.dep_ in {"dobj", "obj"} and token.pos_ == "NOUN"]
            if nouns:
                return nouns[0]
        return first

    def _phrasal(self, word: Token, cue: Span) -> str:
        """Return the listed lemma of a cue word with its particle or preposition inside
        the cue ("go after", "vote against"), or ""."""
        # A headline's "Goes After" may be tagged as a name, with the word as its lemma.
        stems = dict.fromkeys((self.lemma(word), word.lower_.removesuffix("es"),
                               word.lower_.removesuffix("s")))
        for child in word.children:
            if child.dep_ in {"prt", "prep"} and cue.start <= child.i < cue.end:
                for stem in stems:
                    if self.is_listed(f"{stem} {child.lower_}"):
                        return f"{stem} {child.lower_}"
        return ""

    def _is_hedge(self, token: Token) -> bool:
        return token.dep_ in HEDGE_DEPS and token.lemma_.lower() in self.hedges


def _frame(word: Token, content: Span) -> str:
    """Return the frame (see :mod:`claimgraph.extract.frames`) in which ``content`` hangs
    off the cue word, or "" when none holds it ("called the decision *a win*": dobj)."""
    for frame, head in complement_frames(word):
        if content.start <= head.i < content.end:
            return frame
    return ""


def _is_negated(word: Token, cue: Span) -> bool:
    """Whether the cue is negated: a negation on the cue word or on a word of the cue it
    depends on ("does *not* announce", "*weren't* too concerned about", "*won't* be able
    to brag about"), "no" on a noun of the cue ("has *no* illusions about", "*no* accepted
    definition of") or its subject ("*No one* expected"). A negation far from the cue is
    a parse's stray link ("“Probably not,” Ms. Moore said"); a negated verb that means
    "not do" ("could not *resist* pointing out", "*never missed* a chance to") cancels out."""
    negated = False
    token = word
    while True:
        negations = [child for child in token.children if child.dep_ == "neg"
                     and cue.start - NEGATION_REACH <= child.i < cue.end]
        if negations and token.lemma_.lower() not in NEGATIVE_IMPLICATIVES:
            negated = True
        if token.head == token or not cue.start <= token.head.i < cue.end:
            break
        token = token.head
    return negated or any(_says_no(child) for child in word.children
                          if child.dep_ in {"nsubj", "nsubjpass"}) or any(
        _says_no(noun) for noun in cue if noun.pos_ == "NOUN") or (
        word.dep_ == "acl" and _says_no(word.head))


def _says_no(token: Token) -> bool:
    """"no one", "nobody", "nothing", or a noun with "no" ("no law", "no way")."""
    return token.lower_ in NEGATIVE_WORDS or any(
        child.dep_ == "det" and child.lower_ == "no" for child in token.children)


def _cue_head(cue: Span) -> Token:
    """Return the cue's main word: its verb, else its noun, else an auxiliary ("has said":
    "said"; "pointed out": "pointed"); a cue of punctuation alone (a colon) is itself."""
    for part_of_speech in ("VERB", "NOUN", "AUX"):
        words = [token for token in cue if token.pos_ == part_of_speech]
        if words:
            return words[0]
    return cue.root


@cache
def shipped_cue_classes() -> CueClasses:
    """Return the cue classes shipped with the package (read once per process)."""
    return CueClasses.load()
