"""The quotation scanner: curly, straight and doubled-apostrophe marks, paragraphs, strays."""

from __future__ import annotations

from claimgraph.extract.quotes import find_quotations


def quoted(text: str) -> list[str]:
    return [text[quote.start:quote.end] for quote in find_quotations(text)]


def test_curly_and_straight_quotations() -> None:
    text = 'He said “we will win” and she said "they will lose" today.'
    assert quoted(text) == ["“we will win”", '"they will lose"']


def test_doubled_apostrophes_are_quotation_marks_but_apostrophes_are_not() -> None:
    text = "''It's the mayor's plan,'' he said of the ''Buffett rule''."
    assert quoted(text) == ["''It's the mayor's plan,''", "''Buffett rule''"]


def test_quotation_carried_over_paragraphs_that_reopen_it() -> None:
    text = "“First paragraph goes on.\n\n“Second paragraph ends it,” he said."
    [quote] = find_quotations(text)
    assert text[quote.start:quote.end] == text[:text.index("” he") + 1]
    assert quote.closed


def test_unclosed_quotation_ends_with_its_paragraph() -> None:
    text = "He called it “a disaster.\n\nLater “a success” was the word."
    first, second = find_quotations(text)
    assert text[first.start:first.end] == "“a disaster."
    assert not first.closed
    assert text[second.start:second.end] == "“a success”"


def test_second_opening_mark_ends_an_unclosed_quotation() -> None:
    text = "He said “we will win and then “they will lose” in May."
    assert quoted(text) == ["“we will win and then", "“they will lose”"]


def test_scare_quotes_of_a_letter_or_two_are_dropped() -> None:
    assert quoted("Plan “B” was chosen over “the first plan”.") == ["“the first plan”"]
