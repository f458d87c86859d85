"""Where a cue's content can hang in a dependency parse: the *frames* of a verb.

A frame names how the content attaches to the cue word: ``ccomp`` ("said that ..."),
``xcomp`` ("vowed to ..."), ``dobj`` ("denied the report"), ``prep:about`` ("talked about
..."), ``to-clause`` ("called on countries to follow"), ``advcl:before`` (“If …,” Trump
said), and the *head* frames, where the cue hangs off its content: ``head:parataxis`` ("At one
point, she said, she was considering …"). The cue lexicon is learned per
(lemma, frame), because a verb is a cue in one frame and not in another ("told AFP that" vs
"told a story").
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Token

CLAUSAL_DEPS = frozenset({"ccomp", "xcomp"})
OBJECT_DEPS = frozenset({"dobj"})
PREPOSITION_OBJECT_DEPS = frozenset({"pobj", "pcomp"})
VERB_POS = frozenset({"VERB", "AUX"})
# Parts of speech a cue word may have: verbs and nouns ("the claim that …"); the span
# tables count the neighbours of gold cues headed by these.
CUE_POS = VERB_POS | {"NOUN"}
# And adjectives, taken into a cue with their copula ("has been critical of …", "is
# confident that …"): the words the rules propose as cues.
CANDIDATE_POS = CUE_POS | {"ADJ"}
# A noun cue's clause: "the claim that …" (acl), "his decision to …"; its frames are
# prefixed, as a noun and a verb of one lemma differ ("calls for" and "called for").
NOUN_CLAUSAL_DEPS = frozenset({"acl", "ccomp"})
NOUN_FRAME_PREFIX = "noun:"
# How a parenthetical cue hangs off the clause it reports ("X, analysts said, has …").
HEAD_FRAME_DEPS = frozenset({"parataxis", "ccomp", "advcl"})


def is_head_frame(frame: str) -> bool:
    """Return whether ``frame`` has the content above the cue (it then leaves the cue out)."""
    return frame.startswith("head:")


def complement_frames(cue: Token) -> Iterator[tuple[str, Token]]:
    """Yield ``(frame, head of the content)`` for each place a content can hang off ``cue``.

    ``prep`` frames yield the object of the preposition; ``to-clause`` yields an adverbial
    clause introduced by "to" ("called on Y to ..."), ``advcl:before`` one that comes before
    the cue ("“If …,” Trump said"); a cue with none of these may have a ``head:<dep>`` frame:
    the clause it hangs off. A noun's frames are its clauses and prepositions, prefixed
    ``noun:`` ("noun:acl:that", "noun:prep:of"; a clause frame says how the clause is built).
    """
    if cue.pos_ == "NOUN":  # "the claim that …", "criticism of …", "his decision to …"
        for frame, head in _own_frames(cue, clausal=NOUN_CLAUSAL_DEPS):
            if frame in NOUN_CLAUSAL_DEPS:
                frame += _clause_kind(head)
            yield NOUN_FRAME_PREFIX + frame, head
        return
    found = False
    for frame, head in _own_frames(cue):
        found = True
        yield frame, head
    # A cue with no complement of its own may report the clause it hangs off.
    if not found and cue.dep_ in HEAD_FRAME_DEPS and cue.head.pos_ in VERB_POS:
        yield f"head:{cue.dep_}", cue.head


def _own_frames(cue: Token, clausal: frozenset[str] = CLAUSAL_DEPS,
                ) -> Iterator[tuple[str, Token]]:
    for child in cue.children:
        if child.dep_ in clausal or child.dep_ in OBJECT_DEPS:
            yield child.dep_, child
        elif child.dep_ == "prep":
            objects = [grandchild for grandchild in child.children
                       if grandchild.dep_ in PREPOSITION_OBJECT_DEPS]
            if objects:
                yield f"prep:{child.lower_}", objects[0]
        elif child.dep_ == "advcl":
            if any(grand.tag_ == "TO" for grand in child.children):
                yield "to-clause", child
            elif child.i < cue.i:
                yield "advcl:before", child


def _clause_kind(head: Token) -> str:
    """Return how a noun's clause is built: ":that" ("the claim that …"), ":to" ("his
    decision to …"), ":ing" ("a statement affirming …"), ":ed" ("a statement posted …")."""
    if any(child.dep_ == "mark" and child.lower_ == "that" for child in head.children):
        return ":that"
    if any(child.tag_ == "TO" for child in head.children):
        return ":to"
    return {"VBG": ":ing", "VBN": ":ed"}.get(head.tag_, "")
