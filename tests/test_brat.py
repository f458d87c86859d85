"""Tests for claimgraph.loaders.brat: the PolNeAR corpus and small hand-made brat folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimgraph.errors import InputError
from claimgraph.loaders import load_brat_corpus
from claimgraph.loaders.brat import read_annotations
from claimgraph.records import Attribution, Document

POLNEAR = Path(__file__).resolve().parents[1].parent / "shared" / "polnear"
needs_polnear = pytest.mark.skipif(not (POLNEAR / "dev").is_dir(),
                                   reason="PolNeAR corpus not found at ../shared/polnear")


@pytest.fixture(scope="module")
def polnear_dev() -> tuple[dict[str, tuple[Document, list[Attribution]]], list[str]]:
    if not (POLNEAR / "dev").is_dir():
        pytest.skip("PolNeAR corpus not found at ../shared/polnear")
    errors: list[InputError] = []
    corpus = {document.id: (document, attributions)
              for document, attributions in load_brat_corpus(POLNEAR, "dev",
                                                             on_error=errors.append)}
    return corpus, [str(error) for error in errors]


def by_cue(attributions: list[Attribution], cue: str) -> list[Attribution]:
    return [attribution for attribution in attributions if attribution.cue.text == cue]


@needs_polnear
def test_dev_has_84_documents_and_2192_attributions(polnear_dev) -> None:
    corpus, errors = polnear_dev
    assert len(corpus) == 84
    # The README's 2,320 counts every annotator's file (94 files: two articles have six
    # annotators each); with one annotator per article there are 2,193 events, one of
    # which has neither cue nor content and is skipped.
    assert sum(len(attributions) for _, attributions in corpus.values()) == 2192
    assert len(errors) == 1
    assert errors[0].endswith("breitbart_2016-10-03_the-latest-trump-s-leaked-taxes-_ef2d.ann"
                              ":104: E21 has no content; attribution skipped")


@needs_polnear
def test_every_gold_span_is_the_article_slice(polnear_dev) -> None:
    corpus, _ = polnear_dev
    for document, attributions in corpus.values():
        for attribution in attributions:
            assert attribution.rule == "gold"
            for mention in (attribution.source, attribution.cue, attribution.content):
                if mention is None:
                    continue
                assert mention.text == document.text[mention.start:mention.end]
                assert all(mention.start <= start < end <= mention.end
                           for start, end in mention.pieces())


@needs_polnear
def test_metadata_comes_from_the_corpus_root(polnear_dev) -> None:
    corpus, _ = polnear_dev
    document, attributions = corpus["breitbart_2016-09-12_stealth-over-health-hillary-clin"]
    assert document.title == ("Stealth Over Health: Hillary Clinton Was Headed to ER But "
                              "Diverted to Avoid Bad Optics")
    assert document.publisher == "breitbart"
    assert document.date == "2016-09-12"
    first = attributions[0]
    assert (first.source.text, first.cue.text) == ("The New York Post", "reports")
    assert first.content.text.startswith("that Hillary Clinton’s team avoided")
    assert first.quote_type == "indirect"


@needs_polnear
def test_discontinuous_quotation_has_its_pieces(polnear_dev) -> None:
    corpus, _ = polnear_dev
    document, attributions = corpus["breitbart_2016-09-15_pat-caddell-democrat-voters-worr"]
    [said] = [a for a in by_cue(attributions, "said") if a.content.start == 1078]
    content = said.content
    assert content.parts == ((1078, 1135), (1186, 1277))
    assert (content.start, content.end) == (1078, 1277)
    assert document.text[1078:1135] == "“This is in their heads. This is in their consciousness,”"
    assert said.quote_type == "direct"
    assert said.source.text == "Caddell"


@needs_polnear
def test_pieces_given_out_of_order_are_sorted(polnear_dev) -> None:
    # The .ann file lists "209 236;91 186": the Mention spans from 91 to 236.
    corpus, _ = polnear_dev
    _, attributions = corpus["breitbart_2016-09-20_poll-wealthy-voters-abandon-repu"]
    [shows] = by_cue(attributions, "shows")
    assert shows.source.text == "A\xa0Bloomberg poll"  # a no-break space, as in the article
    assert shows.content.parts == ((91, 186), (209, 236))
    assert (shows.content.start, shows.content.end) == (91, 236)


@needs_polnear
def test_attribution_without_source(polnear_dev) -> None:
    corpus, _ = polnear_dev
    _, attributions = corpus["breitbart_2016-09-28_mary-j-blige-sings-to-hillary-cl"]
    [ridicule] = by_cue(attributions, "has faced ridicule online")
    assert ridicule.source is None
    assert ridicule.content.text == "The clip"
    no_source = sum(attribution.source is None
                    for _, items in polnear_dev[0].values() for attribution in items)
    assert no_source == 126


@needs_polnear
def test_split_folder_alone_finds_metadata_one_level_up() -> None:
    # GOLD_DIR may name the split folder itself; metadata.tsv sits in its parent.
    document, attributions = next(iter(load_brat_corpus(POLNEAR / "dev")))
    assert document.id == "breitbart_2016-09-12_stealth-over-health-hillary-clin"
    assert document.publisher == "breitbart"
    assert len(attributions) == 6


@needs_polnear
def test_first_listed_annotator_is_used(polnear_dev) -> None:
    corpus, _ = polnear_dev
    # metadata.tsv lists 4b22|4e07|5fec|6b86|d473|ef2d for this article, all with files.
    _, attributions = corpus["politico_2016-09-08_flynn-says-trump-absolutely-righ"]
    assert {a.extra["annotation"].rsplit(":", 1)[0].rsplit("_", 1)[1]
            for a in attributions} == {"4b22.ann"}


# --- hand-made brat folders ----------------------------------------------------------------

ARTICLE = ("“We will not give up,” the minister said on Monday, “not one village.”\n"
           "Officials denied the report.\nIt was claimed that talks stalled.\n")


def write_corpus(root: Path, annotations: dict[str, str], text: str = ARTICLE) -> None:
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    (root / "text" / "story.txt").write_text(text, encoding="utf-8", newline="")
    for name, content in annotations.items():
        (root / "attributions" / name).write_text(content, encoding="utf-8", newline="")


def span(text: str, start: int, end: int) -> str:
    return f"{start} {end}\t{text[start:end]}"


def test_plain_folder_without_metadata(tmp_path: Path) -> None:
    minister = ARTICLE.index("the minister")
    said = ARTICLE.index("said")
    officials = ARTICLE.index("Officials")
    denied = ARTICLE.index("denied")
    claimed = ARTICLE.index("claimed")
    ann = "\n".join([
        # a quotation in two pieces, with its Content2 line after the event (forward ref)
        f"T1\tContent 0 22;{said + 16} {ARTICLE.index('”', said) + 1}\t"
        f"{ARTICLE[0:22]} {ARTICLE[said + 16:ARTICLE.index('”', said) + 1]}",
        f"T2\tSource {span(ARTICLE, minister, minister + 12)}",
        f"T3\tCue {span(ARTICLE, said, said + 4)}",
        f"T4\tAttribution {span(ARTICLE, said, said + 4)}",
        "E1\tAttribution:T4 Content:T1 Cue:T3 Source:T2",
        f"T5\tSource {span(ARTICLE, officials, officials + 9)}",
        f"T6\tCue {span(ARTICLE, denied, denied + 6)}",
        f"T7\tAttribution {span(ARTICLE, denied, denied + 6)}",
        f"T8\tContent {span(ARTICLE, denied + 7, denied + 17)}",
        "E2\tAttribution:T7 Source:T5 Cue:T6 Content:T8",
        # no source; the trigger stands in for the missing Cue line
        f"T9\tAttribution-no-source {span(ARTICLE, claimed, claimed + 7)}",
        "E3\tAttribution-no-source:T9 Content2:T10",
        f"T10\tContent {span(ARTICLE, claimed + 8, ARTICLE.index('stalled') + 7)}",
        "#1\tAnnotatorNotes T9\tpassive",
    ]) + "\n"
    write_corpus(tmp_path, {"story_b.ann": ann, "story_a.ann": "T1\tDiscard 0 2\t“W\n"})

    errors: list[InputError] = []
    [(document, attributions)] = load_brat_corpus(tmp_path, on_error=errors.append)

    assert errors == []
    assert document.id == "story" and document.metadata() == {}
    # No metadata: the first .ann file by name (story_a) is used, and it has no attributions.
    assert attributions == []
    attributions, errors = read_annotations(tmp_path / "attributions" / "story_b.ann", document)
    assert errors == []
    quote, denial, claim = attributions
    assert quote.source.text == "the minister"
    assert quote.quote_type == "direct"
    assert quote.content.parts == ((0, 22), (said + 16, ARTICLE.index("”", said) + 1))
    assert denial.content.text == "the report"
    assert denial.quote_type == "indirect"
    assert claim.source is None
    assert claim.cue.text == "claimed"
    assert claim.content.text == "that talks stalled"


def test_mismatched_and_multiline_spans(tmp_path: Path) -> None:
    text = "He said: “First.\nSecond.” She wrote it.\n"
    ann = "\n".join([
        "T1\tSource 0 2\tHe",
        "T2\tCue 3 7\tsaid",
        # the span covers the newline: its text runs over to the next line of the file
        "T3\tContent 9 25\t“First.",
        "Second.”",
        "T4\tAttribution 3 7\tsaid",
        "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3",
        "T5\tSource 26 29\tShe",
        "T6\tCue 30 35\twrote",
        "T7\tContent 36 38\tIT",  # wrong text: the article has "it"
        "T8\tAttribution 30 35\twrote",
        "E2\tAttribution:T8 Source:T5 Cue:T6 Content:T7",
        "E3\tAttribution:T99 Cue:T6",
    ])
    write_corpus(tmp_path, {"story.ann": ann}, text=text)
    document = Document(id="story", text=text)

    attributions, errors = read_annotations(tmp_path / "attributions" / "story.ann", document)

    [attribution] = attributions
    assert attribution.content.text == "“First.\nSecond.”"
    assert attribution.quote_type == "direct"
    ann_path = tmp_path / "attributions" / "story.ann"
    assert [str(error) for error in errors] == [
        f"{ann_path}:9: span text 'IT' does not match the article at 36 38 ('it'); skipped",
        f"{ann_path}:11: E2 refers to T7, which was skipped; attribution skipped",
        f"{ann_path}:12: E3 refers to T99, which does not exist; attribution skipped",
    ]


def test_not_a_corpus_names_the_splits(tmp_path: Path) -> None:
    write_corpus(tmp_path / "dev", {})
    with pytest.raises(InputError, match=r"not a brat corpus.*choose a split: dev"):
        list(load_brat_corpus(tmp_path))


def test_article_without_annotation_is_reported_and_skipped(tmp_path: Path) -> None:
    write_corpus(tmp_path, {})
    errors: list[InputError] = []

    assert list(load_brat_corpus(tmp_path, on_error=errors.append)) == []
    assert [str(error) for error in errors] == [
        f"{tmp_path / 'text' / 'story.txt'}: no annotation file in attributions/; "
        "article skipped"]
