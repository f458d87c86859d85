"""Rules that find attributions in a parsed Doc: small, pure functions over Docs and Tokens.

:func:`find_attributions` runs them in order:

1. reported speech: a cue word with its content in a frame the cue lexicon finds plausible
   and the cue classifier (or, without one, the lexicon) accepts ("X said that ...", "X
   vowed to ...", "X told Y that ...", "X called on Y to ...", "X, analysts said, has ...",
   "the mayor's statement that ...", "raised questions about ...", "X has been critical of
   ..."); all the clausal complements of the cue make up the content, in pieces when the cue
   interrupts it (“A,” he said, “B.”);
2. "according to X": the clause the phrase attaches to is the content (both sides of it);
3. colon cues: "PENCE: Well, ..." and headlines such as "Poll: Voters ..."; signature
   cues: “…” ― Carla Sanchez;
4. quotations: a quotation that no attribution covers yet takes the cue word of its
   sentence ("“…,” the ministry stated."); one that a content touches widens the content to
   the whole quotation, across sentences if it runs over several; a quotation that opens
   the sentence right after a quoted content, with nothing else in its sentence, goes on
   that content (“A,” he said. “B.”).

Cues grow over their verb group ("has also said") and verbal contents take or leave the
phrases at their edges ("called him a liar") as learned from the corpus (see
:mod:`claimgraph.extract.cue_spans` and :mod:`claimgraph.extract.content_spans`); raising
verbs ("X seems to …") put their subject in the content and have no source. An attribution
whose cue lies inside another's content is dropped (the corpus convention: the outer
attribution wins). Last, a learned ranker may move the edges of verbal cues and contents to
nearby phrase boundaries (see :mod:`claimgraph.extract.boundaries`).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache

from spacy.tokens import Doc, Span, Token

from claimgraph.extract.boundaries import BoundaryRanker, EdgePlacer, ParseIndex, place_edges
from claimgraph.extract.colons import COLON_RULE, colon_attributions
from claimgraph.extract.content_spans import ContentEdges
from claimgraph.extract.cue_classifier import CueScorer
from claimgraph.extract.cue_spans import CueEdges
from claimgraph.extract.frames import (
    CANDIDATE_POS,
    NOUN_FRAME_PREFIX,
    VERB_POS,
    complement_frames,
    is_head_frame,
)
from claimgraph.extract.lexicon import CueLexicon
from claimgraph.extract.quotes import Quotation, find_quotations
from claimgraph.extract.signatures import signature_attributions
from claimgraph.extract.spans import (
    QUOTING,
    char_mention,
    doc_text,
    mention_tokens,
    paragraph_range,
    pieces_mention,
    quote_type_of,
    token_mention,
    tokens_mention,
)
from claimgraph.extract.subjects import subject_mentions
from claimgraph.records import Attribution, Mention

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
PASSIVE_DEPS = frozenset({"nsubjpass", "auxpass"})
# How a cue with no subject of its own borrows one: "…, adding that …", "… and vowed to …".
INHERITING_DEPS = frozenset({"conj", "advcl", "xcomp", "ccomp"})
# "X said A, while Y said B": a clause so introduced is an attribution of its own.
CONTRAST_MARKS = frozenset({"while", "whereas"})
# "… that it stood by Baku and called on countries to follow it": a coordinated verb this
# reliably a cue starts an attribution of its own, even where the parse nests it.
CONJ_CUE_PRECISION = 0.8
CUE_ATTACHMENTS = frozenset({"prt", "neg"})
# Every character a quotation mark is made of.
QUOTE_CHARACTERS = frozenset("“”\"'`«»„")
# Verbs whose subject is part of the content, not its source: "X seems to", "X is expected to".
RAISING_LEMMAS = frozenset({"seem", "appear"})
PASSIVE_RAISING_LEMMAS = frozenset({"expect"})
# Noun cues are rarer and their attributions harder to get right: they need a surer lexicon.
NOUN_MIN_PRECISION = 0.7
# Prepositions that bring in the source of a noun cue ("criticism from X", "support among X").
NOUN_SOURCE_PREPOSITIONS = frozenset({"from", "by", "among"})
# The least lexicon precision of a pair the cue classifier scores (rarer pairs are no cue).
CANDIDATE_PRECISION = 0.1
#: Clauses hanging from a source that the corpus leaves out when a comma sets them off.
SOURCE_TRIMMED_CLAUSES = frozenset({"relcl", "acl", "advcl"})
#: Punctuation that sets off a clause from the noun it describes.
CLAUSE_OPENERS = frozenset({",", "—", "―", "--", "("})
DASHES = frozenset({"—", "―", "--"})
NON_RESTRICTIVE_PRONOUNS = frozenset({"who", "which", "whose", "whom"})
PARTICIPIAL_DEPS = frozenset({"acl", "advcl"})
NEGATIONS = frozenset({"not", "never", "n't", "n’t", "no"})


@dataclass(frozen=True, slots=True)
class CueCandidate:
    """A cue word, the frame of its content and the head token of that content."""

    cue: Token
    frame: str
    content_head: Token
    precision: float


@cache
def default_edges() -> CueEdges:
    """The cue-edge counts shipped with claimgraph (read once)."""
    return CueEdges.load()


@cache
def default_content_edges() -> ContentEdges:
    """The content-edge counts shipped with claimgraph (read once)."""
    return ContentEdges.load()


def find_attributions(
    doc: Doc,
    *,
    lexicon: CueLexicon,
    edges: CueEdges | None = None,
    content_edges: ContentEdges | None = None,
    min_precision: float = 0.4,
    unseen_clause_precision: float = 0.45,
    continue_quotations: bool = True,
    classifier: CueScorer | None = None,
    boundaries: BoundaryRanker | None = None,
    span_model: EdgePlacer | None = None,
) -> list[Attribution]:
    """Return the attributions of a parsed ``doc``, ordered by cue position.

    ``lexicon`` scores (lemma, frame) pairs; a pair scoring below ``min_precision`` is not a
    cue. A verb the lexicon has never seen with a "that"-clause scores
    ``unseen_clause_precision`` (speech and belief verbs the corpus happened to miss).
    ``edges`` says how far a cue reaches beyond its verb, ``content_edges`` which phrases
    at the edges of a verbal content belong to it (default: the counts shipped).
    ``continue_quotations`` lets a quotation in the next sentence go on a quoted content.
    With a ``classifier``, a pair the lexicon finds plausible is a cue when the classifier's
    probability reaches ``min_precision`` (see :func:`cue_candidates`). With a
    ``boundaries`` ranker, the edges of verbal cues and contents are placed last (see
    :mod:`claimgraph.extract.boundaries`); with a ``span_model`` (see
    :mod:`claimgraph.extract.span_model`), after that.
    """
    edges = edges if edges is not None else default_edges()
    quotations = find_quotations(doc_text(doc))
    candidates = cue_candidates(doc, lexicon=lexicon, min_precision=min_precision,
                                unseen_clause_precision=unseen_clause_precision,
                                classifier=classifier, quotations=quotations)
    cue_tokens = {candidate.cue.i: candidate.precision for candidate in candidates}
    content_edges = content_edges if content_edges is not None else default_content_edges()
    found = [verbal_attribution(candidate, cue_tokens, edges, content_edges)
             for candidate in candidates]
    found.extend(according_to_attributions(doc))
    found.extend(colon_attributions(doc, found))
    found.extend(signature_attributions(doc, quotations, found))
    found = widen_to_quotations(doc, found, quotations)
    if continue_quotations:
        found = continue_into_quotations(doc, found, quotations)
    found.extend(quotation_attributions(doc, quotations, found, lexicon=lexicon, edges=edges))
    if continue_quotations:  # the quotations just attributed may go on too
        found = continue_into_quotations(doc, found, quotations)
    found = drop_nested(found)
    parse = ParseIndex.of(doc) if boundaries is not None or span_model is not None else None
    if boundaries is not None:
        found = place_edges(doc, found, boundaries, parse)
    if span_model is not None:
        found = span_model.place(doc, found, parse)
    entities = doc.ents
    return sorted((_with_subjects(doc, attribution, entities) for attribution in found),
                  key=lambda attribution: attribution.cue.start)


def cue_candidates(
    doc: Doc, *, lexicon: CueLexicon, min_precision: float, unseen_clause_precision: float,
    classifier: CueScorer | None = None, quotations: list[Quotation] | None = None,
) -> list[CueCandidate]:
    """Return the best-scoring frame of every word the lexicon takes for a cue.

    A pair's score is its lexicon precision; with a ``classifier``, pairs whose precision
    reaches :data:`CANDIDATE_PRECISION` are scored by the classifier instead (``quotations``
    tell it which words are quoted). Scores below ``min_precision`` are no cue.
    """
    quotations = quotations or []
    candidates = []
    for token in doc:
        if token.pos_ not in CANDIDATE_POS and token.dep_ != "ROOT":
            continue
        best: CueCandidate | None = None
        best_rank = 0.0
        for frame, content_head in complement_frames(token):
            # The lexicon ranks a word's frames ("called on countries to follow": the
            # to-clause); the classifier, where there is one, says whether it is a cue at all.
            rank = score = lexicon.precision(token.lemma_, frame)
            if score == 0 and frame == "ccomp" and _has_that_clause(content_head):
                rank = score = unseen_clause_precision
            if classifier is not None and score >= CANDIDATE_PRECISION:
                quoted = any(quote.start < token.idx < quote.end for quote in quotations)
                score = classifier.score(token, frame, content_head, in_quotation=quoted)
            floor = max(min_precision, NOUN_MIN_PRECISION) \
                if frame.startswith(NOUN_FRAME_PREFIX) else min_precision
            if score >= floor and (best is None or rank > best_rank):
                best, best_rank = CueCandidate(token, frame, content_head, score), rank
        if best is not None:
            candidates.append(best)
    # "expressed concern about X": the noun's frame is the attribution, not the verb's.
    light_verbs = {(light.i, candidate.cue.i) for candidate in candidates
                   if (light := _light_verb(candidate.cue)) is not None}
    # "said that he did not know": a clause that is a cue's content reports nothing above it.
    cue_words = {candidate.cue.i for candidate in candidates}
    return [candidate for candidate in candidates
            if (candidate.cue.i, candidate.content_head.i) not in light_verbs
            and not (is_head_frame(candidate.frame) and candidate.content_head.i in cue_words)]


def verbal_attribution(candidate: CueCandidate, cue_tokens: dict[int, float],
                       edges: CueEdges, content_edges: ContentEdges) -> Attribution:
    """Build the attribution of a cue candidate: content, source and the grown cue."""
    cue = candidate.cue
    doc = cue.doc
    heads = [candidate.content_head]
    if candidate.frame == "ccomp":  # “A,” he said, “B.”: every clausal complement is content
        heads += [child for child in cue.children
                  if child.dep_ == "ccomp" and child != candidate.content_head
                  and _same_paragraph(doc, cue, child)]
    paragraph = _paragraph_tokens(cue)
    shaped = content_edges.shape(cue, candidate.frame, candidate.content_head)
    nested = {token.i for head in heads for token in head.subtree} - {
        token.i for head in heads for token in _without_nested_clauses(head, cue_tokens)}
    others = {token.i for head in heads[1:] for token in head.subtree}
    content_tokens = (shaped | others) - nested
    if is_head_frame(candidate.frame):  # "X, analysts said, has …": the cue's own words leave
        content_tokens -= {token.i for token in cue.subtree}
    raised = _raised_subject(cue, candidate.frame)
    if candidate.frame == "xcomp":
        # "X seems to …", "X is expected to …": the subject belongs to what is attributed
        # (to no one); "told his advisers to …": so does the object.
        extra = raised or next((child for child in cue.children if child.dep_ == "dobj"
                                and child.i < candidate.content_head.i), None)
        if extra is not None:
            content_tokens |= {token.i for token in extra.subtree}
    content_tokens &= paragraph
    content_tokens -= _trailing_asides(doc, content_tokens)
    gap_tokens = {token.i for token in cue.subtree} - content_tokens
    content = tokens_mention(doc, content_tokens, anchor=candidate.content_head.i,
                             gap_tokens=gap_tokens)
    if content is None:  # nothing left but punctuation: fall back to the whole subtree
        content = _subtree_mention(candidate.content_head)
    light = _light_verb(cue)
    source = None if raised is not None else _source_mention(light or cue, cue_tokens)
    blocked = mention_tokens(doc, [content, source])
    core = _cue_core(cue, candidate.frame)
    if light is not None:  # "raised questions about": the verb, the noun and what is between
        core = list(doc[light.i:max(token.i for token in core) + 1])
    cue_start, cue_end = edges.grow(core, blocked)
    return Attribution(
        cue=token_mention(doc, cue_start, cue_end),
        content=content,
        source=source,
        quote_type=quote_type_of(content),
        cue_lemma=cue.lemma_.lower(),
        negated=is_negated(cue),
        rule=f"verb:{candidate.frame}",
        confidence=round(candidate.precision, 3),
    )


def _light_verb(cue: Token) -> Token | None:
    """Return the verb a noun cue is the object of ("raised questions about", "made several
    statements") or an adjective cue the complement of ("has been critical of", "is
    confident that"): the corpus takes it into the cue, and its subject is the source. A noun
    with a possessor has its own source ("believed the senator's suggestion")."""
    if cue.head.pos_ not in VERB_POS or cue.head.i >= cue.i:
        return None
    if cue.pos_ == "NOUN" and cue.dep_ == "dobj" \
            and not any(child.dep_ == "poss" for child in cue.children):
        return cue.head
    if cue.pos_ == "ADJ" and cue.dep_ == "acomp":
        return cue.head
    return None


def _raised_subject(cue: Token, frame: str) -> Token | None:
    """Return the subject of a raising cue ("Melania seems to have vanished", "the court is
    expected to rule"): it is part of the content, and the attribution has no source."""
    if frame != "xcomp":
        return None
    lemma = cue.lemma_.lower()
    for child in cue.children:
        if (child.dep_ == "nsubj" and lemma in RAISING_LEMMAS) or (
                child.dep_ == "nsubjpass" and lemma in PASSIVE_RAISING_LEMMAS):
            return child
    return None


def is_negated(cue: Token) -> bool:
    """Return whether a "not", "never" or "n't" negates the cue verb ("did not say")."""
    return any(child.dep_ == "neg" or child.lower_ in NEGATIONS
               for child in cue.children if child.i < cue.i or child.dep_ == "neg")


def according_to_attributions(doc: Doc) -> Iterator[Attribution]:
    """Yield "according to X" attributions: X is the source, the clause around is content."""
    if "according" not in doc_text(doc).lower():  # most docs: skip the walk over every token
        return
    for token in doc:
        if token.lower_ != "according":
            continue
        to = next((child for child in token.children if child.lower_ == "to"), None)
        source_head = next((child for child in to.children if child.dep_ == "pobj"), None) \
            if to is not None else None
        if source_head is None:
            continue
        phrase = {descendant.i for descendant in token.subtree}
        clause_root = token.head if token.head != token else token.sent.root
        content_tokens = {t.i for t in clause_root.subtree if t.i not in phrase}
        content = tokens_mention(doc, content_tokens, anchor=clause_root.i, gap_tokens=phrase)
        if content is None:
            continue
        yield Attribution(
            cue=token_mention(doc, token.i, to.i + 1),
            content=content,
            source=_subtree_mention(source_head),
            quote_type=quote_type_of(content),
            cue_lemma="according to",
            rule="according-to",
        )


def widen_to_quotations(
    doc: Doc, attributions: Iterable[Attribution], quotations: list[Quotation],
) -> list[Attribution]:
    """Widen each content piece that overlaps a quotation to take the whole quotation.

    A quotation that holds the cue (“A,” he said, “B.”) is not widened over: its content
    already ends at the cue.
    """
    widened = []
    for attribution in attributions:
        pieces = []
        for start, end in attribution.content.pieces():
            for quote in quotations:
                overlaps = quote.start < end and start < quote.end
                if overlaps and not quote.start <= attribution.cue.start < quote.end:
                    start, end = min(start, quote.start), max(end, quote.end)
            pieces.append((start, end))
        if tuple(pieces) != attribution.content.pieces():
            content = pieces_mention(doc, pieces)
            attribution = replace(attribution, content=content,
                                  quote_type=quote_type_of(content))
        widened.append(attribution)
    return widened


def quotation_attributions(
    doc: Doc, quotations: list[Quotation], found: list[Attribution], *, lexicon: CueLexicon,
    edges: CueEdges,
) -> list[Attribution]:
    """Return attributions for quotations no content covers, taking the cue of the sentence.

    The cue is the verb, outside the quotation, of the sentence where the quotation ends
    (“…,” the ministry stated.) or else where it starts (He said: “…”), whose lemma the
    lexicon knows as a cue in any frame. Quotations taking the same cue (“A,” he said,
    “B.”) are the pieces of one content.
    """
    # An attribution whose cue is inside the quotation is nested in it and covers nothing.
    covered = [(*piece, attribution.cue.start) for attribution in found
               for piece in attribution.content.pieces()]
    by_cue: dict[int, list[Quotation]] = {}
    for quote in quotations:
        if any(start < quote.end and quote.start < end and not quote.start <= cue < quote.end
               for start, end, cue in covered):
            continue
        cue = _sentence_cue(doc, quote, lexicon)
        if cue is not None:
            by_cue.setdefault(cue.i, []).append(quote)
    made = []
    for cue_index, quotes in by_cue.items():
        cue = doc[cue_index]
        content = pieces_mention(doc, [(quote.start, quote.end) for quote in quotes])
        source = _source_mention(cue)
        cue_start, cue_end = edges.grow(_cue_core(cue), mention_tokens(doc, [content, source]))
        made.append(Attribution(
            cue=token_mention(doc, cue_start, cue_end),
            content=content,
            source=source,
            quote_type="direct",
            cue_lemma=cue.lemma_.lower(),
            negated=is_negated(cue),
            rule="quotation",
            confidence=lexicon.lemma_precision(cue.lemma_),
        ))
    return made


def continue_into_quotations(
    doc: Doc, attributions: list[Attribution], quotations: list[Quotation],
) -> list[Attribution]:
    """Add to each quoted content the quotations that go on right after its sentence.

    “A,” he said. “B.” — a quotation that starts the next sentence (in the same paragraph)
    and is all of its sentence, and that no other attribution claims, continues the content.
    """
    # Pieces of text taken by an attribution, with its cue: an attribution whose cue is
    # inside the quotation is nested in it and claims nothing.
    claimed = [(*piece, attribution.cue.start) for attribution in attributions
               for mention in (attribution.content, attribution.cue)
               for piece in mention.pieces()]
    result = []
    for attribution in attributions:
        if not any(mark in attribution.content.text for mark in QUOTING):
            result.append(attribution)
            continue
        pieces = list(attribution.content.pieces())
        end = max(mention.end for mention in
                  (attribution.content, attribution.cue, attribution.source) if mention)
        while (quote := _next_quotation(doc, end, quotations, claimed)) is not None:
            pieces.append((quote.start, quote.end))
            claimed.append((quote.start, quote.end, attribution.cue.start))
            end = quote.end
        if len(pieces) > len(attribution.content.pieces()):
            content = pieces_mention(doc, pieces)
            attribution = replace(attribution, content=content,
                                  quote_type=quote_type_of(content))
        result.append(attribution)
    return result


def drop_nested(attributions: list[Attribution]) -> list[Attribution]:
    """Drop attributions whose cue lies inside another attribution's content; of two
    attributions each inside the other, keep the one with the shorter content."""
    def inside(attribution: Attribution, other: Attribution) -> bool:
        # A colon inside a content ("…, as he put it: 'X'") introduces a quotation of its own.
        return other is not attribution and attribution.rule != COLON_RULE and any(
            start <= attribution.cue.start < end for start, end in other.content.pieces())

    def dropped(attribution: Attribution, other: Attribution) -> bool:
        if not inside(attribution, other):
            return False
        # Each inside the other ("X demeaned women, according to insiders"): the one with
        # the narrower content stays (before, both went).
        return not inside(other, attribution) or _content_length(other) < _content_length(
            attribution)

    kept = [attribution for attribution in attributions
            if not any(dropped(attribution, other) for other in attributions)]
    # Two rules may find the same cue: keep the first (verbal rules come first).
    unique: dict[int, Attribution] = {}
    for attribution in kept:
        unique.setdefault(attribution.cue.start, attribution)
    return list(unique.values())


# --- building blocks -------------------------------------------------------------------


def _content_length(attribution: Attribution) -> int:
    return sum(end - start for start, end in attribution.content.pieces())


def _cue_core(cue: Token, frame: str = "") -> list[Token]:
    """Return the cue word with its particle or negation ("pointed out") and, for a
    prepositional frame, its preposition ("called for"): the tokens a cue grows from."""
    tokens = [cue] + [child for child in cue.children if child.dep_ in CUE_ATTACHMENTS
                      and abs(child.i - cue.i) <= 2]
    frame = frame.removeprefix(NOUN_FRAME_PREFIX)
    if frame.startswith("prep:"):
        tokens += [child for child in cue.children
                   if child.dep_ == "prep" and child.lower_ == frame[5:]]
    elif frame == "to-clause":
        tokens += [child for child in cue.children if child.dep_ == "prep" and child.i > cue.i
                   and child.i - cue.i <= 1]
    first = min(token.i for token in tokens)
    last = max(token.i for token in tokens)
    # Keep the cue contiguous: drop attachments separated from the verb by other words.
    if last - first + 1 != len(tokens):
        return [cue]
    return sorted(tokens, key=lambda token: token.i)


def _without_nested_clauses(content_head: Token, cue_tokens: dict[int, float]) -> list[Token]:
    """Return the content subtree minus clauses that are attributions of their own.

    "… caused by Turkish support, while Ankara affirmed that …": a "while"/"whereas" clause
    with its own subject and cue leaves the content of "considered"; so does a coordinated
    verb that is almost always a cue ("… and called on countries to …"). Other nested cues
    stay in: the corpus leaves attributions nested in a content unannotated.
    """
    excluded: set[int] = set()
    for token in content_head.subtree:
        if token.i in cue_tokens and token != content_head and (
                _is_contrasting_clause(token)
                or token.dep_ == "conj" and cue_tokens[token.i] >= CONJ_CUE_PRECISION):
            excluded.update(descendant.i for descendant in token.subtree)
    return [token for token in content_head.subtree if token.i not in excluded]


def _is_contrasting_clause(token: Token) -> bool:
    children = list(token.children)
    return (token.dep_ == "advcl"
            and any(child.dep_ in SUBJECT_DEPS for child in children)
            and any(child.dep_ == "mark" and child.lower_ in CONTRAST_MARKS for child in children))


def _source_mention(cue: Token, cue_words: Container[int] = ()) -> Mention | None:
    """Return the source of ``cue``: its subject, the agent of a passive, or a borrowed one;
    for a noun, its possessor ("Trump's claim") or a "from"/"by"/"among" object.
    ``cue_words`` (token indices of other cues) tells which clauses of a subject are
    attributions of their own and leave the source (see :func:`_source_trimmings`)."""
    if cue.pos_ == "NOUN":
        return _noun_source(cue)
    for _ in range(4):  # follow at most a few "… and vowed", "…, adding" links upwards
        agent = next((child for child in cue.children if child.dep_ == "agent"), None)
        if agent is not None:
            agent_object = next((c for c in agent.children if c.dep_ == "pobj"), None)
            if agent_object is not None:
                return _subtree_mention(agent_object, outside=cue, cue_words=cue_words)
        if _is_passive(cue):  # "X was accused of", "Asked about Y, X said": no one speaks
            return None
        subject = next((child for child in cue.children if child.dep_ in SUBJECT_DEPS), None)
        if subject is not None:
            return _subtree_mention(subject, outside=cue, cue_words=cue_words)
        if cue.dep_ == "relcl" or cue.dep_ == "acl":
            return _subtree_mention(cue.head, outside=cue)
        if cue.dep_ not in INHERITING_DEPS or cue.head == cue:
            return None
        cue = cue.head
    return None


def _is_passive(verb: Token) -> bool:
    """Return whether ``verb`` is passive without an agent: it has a passive subject or
    auxiliary ("was asked"), or is a bare past participle heading a clause ("Asked about
    …, she said")."""
    if any(child.dep_ in PASSIVE_DEPS for child in verb.children):
        return True
    return verb.tag_ == "VBN" and verb.dep_ in PARTICIPIAL_DEPS and not any(
        child.dep_ == "aux" for child in verb.children)


def _noun_source(cue: Token) -> Mention | None:
    for child in cue.children:
        if child.dep_ == "poss":
            return _subtree_mention(child)
        if child.dep_ == "prep" and child.lower_ in NOUN_SOURCE_PREPOSITIONS:
            source = next((grand for grand in child.children if grand.dep_ == "pobj"), None)
            if source is not None:
                return _subtree_mention(source)
    return None


def _sentence_cue(doc: Doc, quote: Quotation, lexicon: CueLexicon) -> Token | None:
    # The last word inside the closing mark, as the mark may open the parse's next sentence;
    # then the first word after the quotation (“I’m honored!” she said.: the parse makes
    # "she said." a sentence of its own).
    text = doc_text(doc)
    for position in (_last_inside(text, quote), quote.start, _next_word(text, quote.end)):
        token = _token_at(doc, position) if position is not None else None
        if token is None:
            continue
        for candidate in token.sent:
            inside = quote.start <= candidate.idx < quote.end
            if (not inside and candidate.pos_ == "VERB"
                    and lexicon.lemma_precision(candidate.lemma_) >= 0.3):
                return candidate
    return None


def _next_word(text: str, position: int) -> int | None:
    """Return the position of the first non-space character at or after ``position`` in
    its paragraph, or None at the paragraph's end."""
    while position < len(text) and text[position] in " \t":
        position += 1
    return position if position < len(text) and text[position] != "\n" else None


def _next_quotation(doc: Doc, end: int, quotations: list[Quotation],
                    claimed: list[tuple[int, int, int]]) -> Quotation | None:
    """Return the quotation that opens the sentence after the one holding ``end - 1`` and
    fills its sentence, unless it is claimed or a paragraph break comes first."""
    token = _token_at(doc, end - 1)
    if token is None:
        return None
    text = doc_text(doc)
    sentence_end = max(token.sent.end_char, end)
    # The parse may end the sentence after the next quotation's opening mark (… said. ''B'').
    while sentence_end > end and (text[sentence_end - 1] in QUOTE_CHARACTERS
                                  or text[sentence_end - 1].isspace()):
        sentence_end -= 1
    quote = next((quote for quote in quotations if quote.start >= sentence_end), None)
    if quote is None or doc_text(doc)[sentence_end:quote.start].strip() or \
            "\n" in doc_text(doc)[end:quote.start]:
        return None
    if any(start < quote.end and quote.start < stop and not quote.start <= cue < quote.end
           for start, stop, cue in claimed):
        return None
    # The sentence holding the quotation's last word ends with the quotation.
    last = _token_at(doc, _last_inside(doc_text(doc), quote))
    if last is None:
        return None
    # A paragraph break ends the sentence, whatever the parse says (a headline may follow).
    paragraph_end = doc_text(doc).find("\n", quote.end)
    closing = last.sent.end_char if paragraph_end < 0 else min(last.sent.end_char,
                                                                paragraph_end)
    if doc_text(doc)[quote.end:closing].strip().strip(".,;:!?\"”’'"):
        return None
    return quote


def _paragraph_tokens(token: Token) -> set[int]:
    """Return the indices of the tokens in ``token``'s paragraph."""
    return set(range(*paragraph_range(token.doc, token.i, token.i + 1)))


def _same_paragraph(doc: Doc, one: Token, other: Token) -> bool:
    """Return whether no paragraph break lies between two tokens' subtrees (a parse may
    join a sentence to the next paragraph's)."""
    first = min(one.left_edge.i, other.left_edge.i)
    last = max(one.right_edge.i, other.right_edge.i)
    return "\n" not in doc[first:last + 1].text


def _last_inside(text: str, quote: Quotation) -> int:
    """Return the position of the last character before the quotation's closing mark."""
    position = quote.end - 1
    while position > quote.start and text[position] in QUOTE_CHARACTERS:
        position -= 1
    return position


def _token_at(doc: Doc, position: int) -> Token | None:
    span = doc.char_span(position, position + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def _subtree_mention(head: Token, *, outside: Token | None = None,
                     cue_words: Container[int] | None = None) -> Mention:
    """Return the subtree of ``head`` as a mention, minus the branch that holds ``outside``
    ("the Armenian side, which reported …": the source stops before "which"), within the
    paragraph of ``head``. With ``cue_words`` (for a source), the clauses PolNeAR leaves out
    of a source are left out too (see :func:`_source_trimmings`)."""
    excluded: set[int] = set()
    if outside is not None and head.is_ancestor(outside):
        branch = next(child for child in head.children
                      if child == outside or child.is_ancestor(outside))
        excluded = {token.i for token in branch.subtree}
    if cue_words is not None:
        excluded |= _source_trimmings(head, cue_words)
    # A parse may run a sentence over a paragraph break (a headline glued to the lead).
    tokens = {token.i for token in head.subtree if token.i not in excluded}
    if head.left_edge.i < head.i and "\n" in doc_text(head.doc)[head.left_edge.idx:head.idx] \
            or "\n" in doc_text(head.doc)[head.idx:head.right_edge.idx]:
        tokens &= _paragraph_tokens(head)
    mention = tokens_mention(head.doc, tokens, anchor=head.i)
    if mention is None:
        return token_mention(head.doc, head.i, head.i + 1)
    # A source is one stretch of text: keep the piece that holds the head.
    start, end = next(((start, end) for start, end in mention.pieces()
                       if start <= head.idx < end), mention.pieces()[0])
    return char_mention(head.doc, start, end)


def _source_trimmings(head: Token, cue_words: Container[int]) -> set[int]:
    """Return the tokens of a source's subtree that the corpus leaves out of the source: a
    clause set off by a comma that holds a cue of its own ("Mr. Kamin, who emphasized that
    …, said": "who emphasized" is another attribution), and a participial phrase set off by
    a comma ("Trump, speaking to a veterans group, said"). Other relative clauses stay, as
    the corpus mostly keeps them ("Joseph, who has four children,")."""
    excluded: set[int] = set()
    for token in head.subtree:
        if token.i in excluded or token == head or token.dep_ not in SOURCE_TRIMMED_CLAUSES:
            continue
        previous = token.left_edge.nbor(-1) if token.left_edge.i > 0 else None
        if previous is None or previous.text not in CLAUSE_OPENERS:
            continue
        participial = token.dep_ in PARTICIPIAL_DEPS and token.tag_ == "VBG"
        if participial or any(descendant.i in cue_words for descendant in token.subtree):
            excluded.update(descendant.i for descendant in token.subtree)
            excluded.add(previous.i)
    return excluded


def _trailing_asides(doc: Doc, content_tokens: set[int]) -> set[int]:
    """Return the tokens of the aside that ends a verbal content, which the corpus leaves
    out: a non-restrictive relative clause ("the health of Donald Trump, who is 70"), a
    participial clause ("…, contradicting the police's claim") set off by a comma, or
    whatever follows a dash ("… ― probably not exactly what Graham had in mind")."""
    if not content_tokens:
        return set()
    first, last = min(content_tokens), max(content_tokens)
    for start in sorted(content_tokens):
        # The content's own punctuation may have been left out of its tokens.
        opener = doc[start - 1].text if start - 1 > first else ""
        if opener not in CLAUSE_OPENERS:
            continue
        phrase = doc[start]  # the largest phrase that starts here
        while phrase.head != phrase and phrase.head.left_edge.i == start:
            phrase = phrase.head
        if opener in DASHES:  # whatever follows a dash, unless a quotation
            aside = not doc[start].is_quote
        else:  # a clause that runs to the content's end
            aside = opener == "," and phrase.right_edge.i >= last and (
                phrase.dep_ == "relcl" and doc[start].lower_ in NON_RESTRICTIVE_PRONOUNS
                or phrase.dep_ in PARTICIPIAL_DEPS and phrase.tag_ == "VBG"
                and start == phrase.i)
        if aside:
            return set(range(start - 1, last + 1))
    return set()


def _has_that_clause(content_head: Token) -> bool:
    return any(child.dep_ == "mark" and child.lower_ in {"that", "whether", "if"}
               for child in content_head.children)


def _with_subjects(doc: Doc, attribution: Attribution,
                   entities: tuple[Span, ...]) -> Attribution:
    return replace(attribution,
                   subjects=tuple(subject_mentions(doc, attribution.content, entities)))
