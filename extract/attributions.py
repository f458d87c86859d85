"""Rules that find attributions in a parsed Doc: small, pure functions over Docs and Tokens.

:func:`find_attributions` runs them in order:

1. reported speech: a cue word with its content in a frame the cue lexicon trusts
   ("X said that ...", "X vowed to ...", "X told Y that ...", "X called on Y to ...");
2. "according to X": the clause the phrase attaches to is the content;
3. quotations: a quotation that no attribution covers yet takes the cue word of its
   sentence ("“…,” the ministry stated."); one that a content touches widens the content to
   the whole quotation, across sentences if it runs over several.

An attribution whose cue lies inside another's content is dropped (the corpus convention:
the outer attribution wins).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from claimgraph.extract.frames import VERB_POS, complement_frames
from claimgraph.extract.lexicon import CueLexicon
from claimgraph.extract.quotes import QUOTE_MARKS, Quotation, find_quotations
from claimgraph.extract.subjects import subject_mentions
from spacy.tokens import Doc, Span, Token

from claimgraph.records import Attribution, Mention, QuoteType

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
# How a cue with no subject of its own borrows one: "…, adding that …", "… and vowed to …".
INHERITING_DEPS = frozenset({"conj", "advcl", "xcomp", "ccomp"})
# Nested clauses that are attributions of their own and so leave the outer content.
INDEPENDENT_CLAUSE_DEPS = frozenset({"conj", "advcl", "parataxis"})
CUE_ATTACHMENTS = frozenset({"prt", "neg"})
TRAILING_JUNK = frozenset({"cc", "punct", "mark"})


@dataclass(frozen=True, slots=True)
class CueCandidate:
    """A cue word, the frame of its content and the head token of that content."""

    cue: Token
    frame: str
    content_head: Token
    precision: float


def find_attributions(
    doc: Doc,
    *,
    lexicon: CueLexicon,
    min_precision: float = 0.3,
    unseen_clause_precision: float = 0.35,
) -> list[Attribution]:
    """Return the attributions of a parsed ``doc``, ordered by cue position.

    ``lexicon`` scores (lemma, frame) pairs; a pair scoring below ``min_precision`` is not a
    cue. A verb the lexicon has never seen with a "that"-clause scores
    ``unseen_clause_precision`` (speech and belief verbs the corpus happened to miss).
    """
    candidates = cue_candidates(doc, lexicon=lexicon, min_precision=min_precision,
                                unseen_clause_precision=unseen_clause_precision)
    cue_tokens = {candidate.cue.i for candidate in candidates}
    found = [_verbal_attribution(candidate, cue_tokens) for candidate in candidates]
    found.extend(according_to_attributions(doc))
    quotations = find_quotations(doc.text)
    found = widen_to_quotations(doc, found, quotations)
    found.extend(quotation_attributions(doc, quotations, found, lexicon=lexicon))
    found = drop_nested(found)
    return sorted((_with_subjects(doc, attribution) for attribution in found),
                  key=lambda attribution: attribution.cue.start)


def cue_candidates(
    doc: Doc, *, lexicon: CueLexicon, min_precision: float, unseen_clause_precision: float,
) -> list[CueCandidate]:
    """Return the best-scoring frame of every verb the lexicon takes for a cue."""
    candidates = []
    for token in doc:
        if token.pos_ not in VERB_POS and token.dep_ != "ROOT":
            continue
        best: CueCandidate | None = None
        for frame, content_head in complement_frames(token):
            score = lexicon.precision(token.lemma_, frame)
            if score == 0 and frame == "ccomp" and _has_that_clause(content_head):
                score = unseen_clause_precision
            if score >= min_precision and (best is None or score > best.precision):
                best = CueCandidate(token, frame, content_head, score)
        if best is not None:
            candidates.append(best)
    return candidates


def according_to_attributions(doc: Doc) -> Iterator[Attribution]:
    """Yield "according to X" attributions: X is the source, the clause around is content."""
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
        content_tokens = [t for t in clause_root.subtree if t.i not in phrase]
        content = _contiguous_around(content_tokens, anchor=clause_root, doc=doc)
        if content is None:
            continue
        yield Attribution(
            cue=_mention(doc, token.i, to.i + 1),
            content=content,
            source=_subtree_mention(source_head),
            quote_type=_quote_type_of(doc, content),
            cue_lemma="according to",
            rule="according-to",
        )


def widen_to_quotations(
    doc: Doc, attributions: Iterable[Attribution], quotations: list[Quotation],
) -> list[Attribution]:
    """Widen each content that overlaps a quotation so that it takes the whole quotation.

    A quotation that holds the cue (“A,” he said, “B.”) is not widened over: its content
    already ends at the cue.
    """
    widened = []
    for attribution in attributions:
        start, end = attribution.content.start, attribution.content.end
        for quote in quotations:
            overlaps = quote.start < end and start < quote.end
            if overlaps and not quote.start <= attribution.cue.start < quote.end:
                start, end = min(start, quote.start), max(end, quote.end)
        if (start, end) != (attribution.content.start, attribution.content.end):
            content = _char_mention(doc, start, end)
            attribution = replace(attribution, content=content,
                                  quote_type=_quote_type_of(doc, content))
        widened.append(attribution)
    return widened


def quotation_attributions(
    doc: Doc, quotations: list[Quotation], found: list[Attribution], *, lexicon: CueLexicon,
) -> Iterator[Attribution]:
    """Yield attributions for quotations no content covers, taking the cue of the sentence.

    The cue is the verb, outside the quotation, of the sentence where the quotation ends
    (“…,” the ministry stated.) or else where it starts (He said: “…”), whose lemma the
    lexicon knows as a cue in any frame.
    """
    covered = [(attribution.content.start, attribution.content.end) for attribution in found]
    for quote in quotations:
        if any(start < quote.end and quote.start < end for start, end in covered):
            continue
        cue = _sentence_cue(doc, quote, lexicon)
        if cue is None:
            continue
        content = _char_mention(doc, quote.start, quote.end)
        yield Attribution(
            cue=_cue_mention(cue),
            content=content,
            source=_source_mention(cue),
            quote_type="direct",
            cue_lemma=cue.lemma_.lower(),
            rule="quotation",
            confidence=lexicon.lemma_precision(cue.lemma_),
        )


def drop_nested(attributions: list[Attribution]) -> list[Attribution]:
    """Drop attributions whose cue lies inside another attribution's content."""
    def inside(attribution: Attribution, other: Attribution) -> bool:
        return other is not attribution and any(
            start <= attribution.cue.start < end for start, end in other.content.pieces())

    kept = [attribution for attribution in attributions
            if not any(inside(attribution, other) for other in attributions)]
    # Two rules may find the same cue: keep the first (verbal rules come first).
    unique: dict[tuple[int, int], Attribution] = {}
    for attribution in kept:
        unique.setdefault((attribution.cue.start, attribution.cue.end), attribution)
    return list(unique.values())


# --- building blocks -------------------------------------------------------------------


def _verbal_attribution(candidate: CueCandidate, cue_tokens: set[int]) -> Attribution:
    doc = candidate.cue.doc
    content_tokens = _without_nested_clauses(candidate.content_head, cue_tokens)
    content = _contiguous_around(content_tokens, anchor=candidate.content_head, doc=doc)
    if content is None:  # nothing left but punctuation: fall back to the whole subtree
        content = _subtree_mention(candidate.content_head)
    return Attribution(
        cue=_cue_mention(candidate.cue, candidate.frame),
        content=content,
        source=_source_mention(candidate.cue),
        quote_type=_quote_type_of(doc, content),
        cue_lemma=candidate.cue.lemma_.lower(),
        rule=f"verb:{candidate.frame}",
        confidence=round(candidate.precision, 3),
    )


def _without_nested_clauses(content_head: Token, cue_tokens: set[int]) -> list[Token]:
    """Return the content subtree minus clauses that are attributions of their own.

    "… caused by Turkish support, while Ankara affirmed that …": the "affirmed" clause is an
    attribution of its own and leaves the content of "considered".
    """
    excluded: set[int] = set()
    for token in content_head.subtree:
        if (token.i in cue_tokens and token != content_head
                and token.dep_ in INDEPENDENT_CLAUSE_DEPS):
            excluded.update(descendant.i for descendant in token.subtree)
    return [token for token in content_head.subtree if token.i not in excluded]


def _contiguous_around(tokens: list[Token], *, anchor: Token, doc: Doc) -> Mention | None:
    """Return the contiguous run of ``tokens`` around ``anchor``, junk trimmed at both ends."""
    indices = sorted(token.i for token in tokens)
    if not indices:
        return None
    keep = set(indices)
    start = end = anchor.i if anchor.i in keep else indices[0]
    while start - 1 in keep:
        start -= 1
    while end + 1 in keep:
        end += 1
    while start <= end and _is_edge_junk(doc[start]):
        start += 1
    while end >= start and _is_edge_junk(doc[end]):
        end -= 1
    if start > end:
        return None
    return _mention(doc, start, end + 1)


def _is_edge_junk(token: Token) -> bool:
    # Quotation marks are content: a direct quotation keeps its marks.
    if token.text in QUOTE_MARKS or any(mark in token.text for mark in "“”"):
        return False
    return token.is_punct or token.is_space or token.dep_ == "cc"


def _source_mention(cue: Token) -> Mention | None:
    """Return the source of ``cue``: its subject, the agent of a passive, or a borrowed one."""
    for _ in range(4):  # follow at most a few "… and vowed", "…, adding" links upwards
        subject = next((child for child in cue.children if child.dep_ in SUBJECT_DEPS), None)
        if subject is not None:
            return _subtree_mention(subject, outside=cue)
        agent = next((child for child in cue.children if child.dep_ == "agent"), None)
        if agent is not None:
            agent_object = next((c for c in agent.children if c.dep_ == "pobj"), None)
            if agent_object is not None:
                return _subtree_mention(agent_object, outside=cue)
        if cue.dep_ == "relcl" or cue.dep_ == "acl":
            return _subtree_mention(cue.head, outside=cue)
        if cue.dep_ not in INHERITING_DEPS or cue.head == cue:
            return None
        cue = cue.head
    return None


def _cue_mention(cue: Token, frame: str = "") -> Mention:
    """Return the cue word with its particle or negation ("pointed out") and, for a
    prepositional frame, its preposition ("called for")."""
    tokens = [cue] + [child for child in cue.children if child.dep_ in CUE_ATTACHMENTS
                      and abs(child.i - cue.i) <= 2]
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
        first = last = cue.i
    return _mention(cue.doc, first, last + 1)


def _sentence_cue(doc: Doc, quote: Quotation, lexicon: CueLexicon) -> Token | None:
    for position in (quote.end - 1, quote.start):
        token = _token_at(doc, position)
        if token is None:
            continue
        for candidate in token.sent:
            inside = quote.start <= candidate.idx < quote.end
            if (not inside and candidate.pos_ in VERB_POS
                    and lexicon.lemma_precision(candidate.lemma_) >= 0.3):
                return candidate
    return None


def _token_at(doc: Doc, position: int) -> Token | None:
    span = doc.char_span(position, position + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def _subtree_mention(head: Token, *, outside: Token | None = None) -> Mention:
    """Return the subtree of ``head`` as a mention, minus the branch that holds ``outside``
    ("the Armenian side, which reported …": the source stops before "which")."""
    excluded: set[int] = set()
    if outside is not None and head.is_ancestor(outside):
        branch = next(child for child in head.children
                      if child == outside or child.is_ancestor(outside))
        excluded = {token.i for token in branch.subtree}
    tokens = [token for token in head.subtree if token.i not in excluded]
    mention = _contiguous_around(tokens, anchor=head, doc=head.doc)
    return mention if mention is not None else _mention(head.doc, head.i, head.i + 1)


def _has_that_clause(content_head: Token) -> bool:
    return any(child.dep_ == "mark" and child.lower_ in {"that", "whether", "if"}
               for child in content_head.children)


def _quote_type_of(doc: Doc, content: Mention) -> QuoteType:
    text = content.text
    marks = sum(text.count(mark) for mark in "“”\"")
    if marks == 0:
        return "indirect"
    if text[0] in "“\"" and text[-1] in "”\"" and marks == 2:
        return "direct"
    return "mixed" if not (text[0] in "“\"" and text[-1] in "”\"") else "direct"


def _with_subjects(doc: Doc, attribution: Attribution) -> Attribution:
    return replace(attribution, subjects=tuple(subject_mentions(doc, attribution.content)))


def _mention(doc: Doc, start_token: int, end_token: int) -> Mention:
    span: Span = doc[start_token:end_token]
    return Mention(span.start_char, span.end_char, span.text)


def _char_mention(doc: Doc, start: int, end: int) -> Mention:
    return Mention(start, end, doc.text[start:end])
