"""The HTML report: a static site of the attribution graph, written one page at a time.

``write_report(store, folder)`` writes::

    index.html            counts, cue classes, top sources and subjects, a date histogram,
                          every article and entity page, a search box over entity labels
    articles/<key>.html   the stored text, sources / cues / contents / subjects highlighted
                          by displaCy's span renderer, each attribution linked to its entities
    entities/<slug>.html  what it said, what was said about it, its counterparts, a weekly
                          timeline by cue class, labels, titles, GeoNames, resolution rules
    claims/<key>.html     a claim repeated in at least ``min_cluster_articles`` articles:
                          its first appearance, then who repeated it, when, where, and
                          whether with credit to the first source
    network.html          the sources view (source -> subject) drawn by gravis (vis-network)
    assets/               the style sheet and the Vega-Lite runtime (vega-embed bundle)

Choices, measured on the same graph (see the README): the network page uses gravis because
its HTML carries vis-network inline and so works from disk with no network; ipysigma's
standalone export loads require.js and the widget manager from CDNs, and pyvis's loads
Bootstrap from one. Charts are Vega-Lite specs made with Altair and drawn in the browser by
the vega-embed bundle vl-convert ships (written once to ``assets/``): rendering each chart to
SVG in Python (vl-convert) costs about 0.3 s a chart, too slow for thousands of entity pages.

Pages are written as they are built: an article page holds one article, an entity page one
entity, so memory stays bounded by the largest article or entity, plus the lists of names.
"""

from __future__ import annotations

import html
import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import networkx as nx

from claimgraph.errors import ClaimgraphError

try:  # the report's own dependencies: pip install 'claimgraph[report]'
    import altair as alt
    import gravis
    import vl_convert
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup
except ImportError as error:  # pragma: no cover - depends on the installation
    raise ClaimgraphError(f"the HTML report needs {error.name}: "
                          "pip install 'claimgraph[report]'") from error

from claimgraph.extract.doc_attributions import (
    CONTENT_LABEL,
    CUE_LABEL,
    SOURCE_LABEL,
    SPAN_GROUP,
    attribution_spans,
)
from claimgraph.graph import report_data as data
from claimgraph.graph.report_data import (
    ArticleView,
    ClaimLine,
    EntityView,
    Select,
    article_page_name,
    entity_page_name,
)
from claimgraph.graph.spread import cluster_spreads
from claimgraph.graph.store import BaseStore
from claimgraph.records import Attribution, Mention

SUBJECT_LABEL = "SUBJECT"
#: The colours of the four kinds of span, on the article pages and in their legend.
SPAN_COLOURS: dict[str, str] = {
    SOURCE_LABEL: "#4e79a7",
    CUE_LABEL: "#f28e2b",
    CONTENT_LABEL: "#59a14f",
    SUBJECT_LABEL: "#b07aa1",
}
#: The colours of entity types on the network page.
TYPE_COLOURS: dict[str, str] = {
    "person": "#e15759",
    "organization": "#4e79a7",
    "place": "#59a14f",
    "group": "#edc948",
    "other": "#9c755f",
}
EDGE_COLOUR = "#b8b8b8"
DEFAULT_MAX_NODES = 300
#: A repeated claim gets a page from this many articles on.
DEFAULT_MIN_CLUSTER_ARTICLES = 3
_LAYOUT_LIMIT = 500

_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent),
                         autoescape=select_autoescape(["html"]), trim_blocks=True,
                         lstrip_blocks=True)


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """What :func:`write_report` wrote."""

    articles: int
    entity_pages: int
    network_nodes: int
    network_total: int
    #: One line per article whose page could only say what is missing (no stored text).
    problems: tuple[str, ...] = ()
    cluster_pages: int = 0  # repeated claims with a page of their spread


def write_report(store: BaseStore, folder: str | Path, *, min_claims: int = 1,
                 max_nodes: int = DEFAULT_MAX_NODES,
                 min_cluster_articles: int = DEFAULT_MIN_CLUSTER_ARTICLES) -> ReportSummary:
    """Write the report of ``store`` (on disk or remote) into ``folder``.

    Entity pages are written for entities in at least ``min_claims`` claims (as source or
    subject); the network shows at most ``max_nodes`` entities, those in most claims, and
    says so when it leaves some out. A claim repeated in at least ``min_cluster_articles``
    articles (see :mod:`claimgraph.graph.spread`) gets a page of its spread. An article
    stored without its text gets a page saying so, and a line in the summary's
    ``problems``. Returns what was written.
    """
    select: Select = store.select
    site = Path(folder)
    for sub in ("articles", "entities", "claims", "assets"):
        (site / sub).mkdir(parents=True, exist_ok=True)
    _write_assets(site / "assets")
    overview = data.overview(select)
    articles = data.article_summaries(select)
    entities = data.entity_summaries(select)
    paged = {entity.iri for entity in entities if entity.claims >= min_claims}
    nlp = _tokenizer()
    problems = []
    for article in articles:
        page = site / "articles" / f"{article_page_name(article.iri)}.html"
        try:
            view = data.article_view(select, article.iri)
        except LookupError as error:  # a graph without its text: say so on its page
            problems.append(str(error))
            _write(page, _render("report_article.html", root="../", missing=str(error),
                                 article=ArticleView(article.iri, article.title, "")))
            continue
        _write(page, _article_page(view, nlp, paged))
    for entity in entities:
        if entity.iri in paged:
            view_ = data.entity_view(select, entity.iri)
            _write(site / "entities" / f"{entity_page_name(entity.iri)}.html",
                   _entity_page(view_, paged))
    spreads = cluster_spreads(store, min_articles=min_cluster_articles)
    for spread in spreads:
        _write(site / "claims" / f"{cluster_page_name(spread.iri)}.html", _render(
            "report_cluster.html", root="../", cluster=spread,
            article_href=lambda iri: _article_href(iri, "../"),
            entity_href=_entity_href(paged, "../")))
    shown, total = _write_network(store, site / "network.html", paged, max_nodes)
    dates = [{"date": article.date} for article in articles if article.date]
    _write(site / "index.html", _render(
        "report_index.html", root="", overview=overview, articles=articles,
        entities=[entity for entity in entities if entity.iri in paged],
        unpaged=len(entities) - len(paged), min_claims=min_claims,
        chart=_chart_spec(_with_records(_histogram_spec(), dates)) if dates else None,
        article_href=_article_href, entity_href=_entity_href(paged, ""), clusters=spreads,
        min_cluster_articles=min_cluster_articles,
        cluster_href=lambda iri: f"claims/{cluster_page_name(iri)}.html"))
    return ReportSummary(len(articles), len(paged), shown, total, tuple(problems),
                         len(spreads))


def cluster_page_name(iri: str) -> str:
    """Return the file name (without ``.html``) of a claim cluster's page."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _render(template: str, **values: Any) -> str:
    return _TEMPLATES.get_template(template).render(colours=SPAN_COLOURS, **values)


def _write_assets(assets: Path) -> None:
    shutil.copyfile(Path(__file__).with_name("report.css"), assets / "report.css")
    shutil.copyfile(vega_bundle(), assets / "vega-embed.js")


def vega_bundle() -> Path:
    """Return the vega-embed bundle of the installed vl-convert, made once (it takes ~9 s)
    and kept in the user's cache folder."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "claimgraph"
    bundle = cache / f"vega-embed-{version('vl-convert-python')}.js"
    if not bundle.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        partial = bundle.with_suffix(f".{os.getpid()}.part")
        partial.write_text(vl_convert.javascript_bundle(), encoding="utf-8")
        partial.replace(bundle)  # whole or absent, even with two reports at once
    return bundle


def _article_href(iri: str, root: str = "") -> str:
    return f"{root}articles/{article_page_name(iri)}.html"


def _entity_href(paged: set[str], root: str) -> Callable[[str], str]:
    """Return a function giving an entity page's link, or "" where no page was written."""
    def href(iri: str) -> str:
        return f"{root}entities/{entity_page_name(iri)}.html" if iri in paged else ""
    return href


# ---------------------------------------------------------------- article pages


def _tokenizer():
    import spacy

    return spacy.blank("en")


def article_doc(view: ArticleView, nlp: Any, paged: set[str] = frozenset()):
    """Return the article's text as a spaCy Doc whose ``doc.spans["attribution"]`` holds
    each attribution's SOURCE, CUE and CONTENT spans and a SUBJECT span per subject
    mention; sources and subjects that have an entity page carry its name as ``kb_id``."""
    doc = nlp.make_doc(view.text)
    attributions = []
    for claim in view.claims:
        parts = {role: claim.first(role) for role in (SOURCE_LABEL, CUE_LABEL, CONTENT_LABEL)}
        if parts[CUE_LABEL] is None or parts[CONTENT_LABEL] is None:
            continue
        attributions.append(Attribution(
            cue=_mention(view.text, parts[CUE_LABEL]),
            content=_mention(view.text, parts[CONTENT_LABEL]),
            source=_mention(view.text, parts[SOURCE_LABEL]) if parts[SOURCE_LABEL] else None))
    spans = list(attribution_spans(doc, attributions))
    sources = {(span.start, span.end): span.entity for claim in view.claims
               for span in claim.spans if span.role == SOURCE_LABEL and span.entity}
    for span in spans:
        entity = sources.get((span.start_char, span.end_char), "")
        if span.label_ == SOURCE_LABEL and entity in paged:
            span.kb_id_ = entity_page_name(entity)
    for index, claim in enumerate(view.claims):
        for subject in claim.spans:
            if subject.role != SUBJECT_LABEL:
                continue
            span = doc.char_span(subject.start, subject.end, label=SUBJECT_LABEL,
                                 alignment_mode="expand", span_id=f"attribution-{index}")
            if span is not None and len(span):
                if subject.entity in paged:
                    span.kb_id_ = entity_page_name(subject.entity)
                spans.append(span)
    doc.spans[SPAN_GROUP] = spans
    return doc


def _mention(text: str, span: data.SpanRef) -> Mention:
    return Mention(span.start, span.end, text[span.start:span.end])


def _article_page(view: ArticleView, nlp: Any, paged: set[str]) -> str:
    from spacy import displacy

    doc = article_doc(view, nlp, paged)
    marked = displacy.render(doc, style="span", page=False, options={
        "spans_key": SPAN_GROUP, "colors": SPAN_COLOURS,
        "kb_url_template": "../entities/{}.html"})
    return _render("report_article.html", root="../", article=view, marked=Markup(marked),
                   entity_href=_entity_href(paged, "../"))


# ---------------------------------------------------------------- entity pages


@dataclass(slots=True)
class _ClaimRow:
    line: ClaimLine
    counterparts: list[tuple[str, str]]


def _claim_rows(lines: Iterable[ClaimLine]) -> list[_ClaimRow]:
    """Fold the lines of one claim (one per counterpart) into one row."""
    rows: dict[str, _ClaimRow] = {}
    for line in lines:
        row = rows.setdefault(line.claim, _ClaimRow(line, []))
        if line.counterpart and (line.counterpart, line.counterpart_label) not in \
                row.counterparts:
            row.counterparts.append((line.counterpart, line.counterpart_label or
                                     entity_page_name(line.counterpart)))
    return list(rows.values())


def _entity_page(view: EntityView, paged: set[str]) -> str:
    records = list(data.weekly_counts(view.said + view.said_about))
    return _render(
        "report_entity.html", root="../", entity=view,
        said=_claim_rows(view.said), said_about=_claim_rows(view.said_about),
        talks_about=view.counterparts(view.said), talked_about_by=view.counterparts(
            view.said_about),
        chart=_chart_spec(_with_records(_timeline_spec(), records)) if records else None,
        article_href=lambda iri: _article_href(iri, "../"),
        entity_href=_entity_href(paged, "../"))


#: The name the chart specs give their data; each page supplies the records under it.
_CHART_DATA = "records"


@cache
def _timeline_spec() -> str:
    """Return the Vega-Lite spec (JSON) of claims per week by cue class, without its data.

    Altair validates a spec against the Vega-Lite schema as it makes it (~40 ms): it is made
    once, and each page adds its own records (:func:`_with_records`)."""
    chart = alt.Chart(alt.NamedData(name=_CHART_DATA)).mark_bar().encode(
        # Weeks as ordered bands: a single week still gets a bar, not the whole axis.
        x=alt.X("yearweek(date):O", title="week of", axis=alt.Axis(format="%Y-%m-%d")),
        y=alt.Y("count():Q", title="claims"),
        color=alt.Color("cue_class:N", title="cue class"),
        tooltip=[alt.Tooltip("yearweek(date):O", title="week of", format="%Y-%m-%d"),
                 alt.Tooltip("cue_class:N", title="cue class"),
                 alt.Tooltip("count():Q", title="claims")],
    ).properties(height=160, title="Claims per week, by cue class")
    return json.dumps(chart.to_dict())


@cache
def _histogram_spec() -> str:
    """Return the Vega-Lite spec (JSON) of articles per week, without its data."""
    chart = alt.Chart(alt.NamedData(name=_CHART_DATA)).mark_bar().encode(
        x=alt.X("yearweek(date):O", title="week of", axis=alt.Axis(format="%Y-%m-%d")),
        y=alt.Y("count():Q", title="articles"),
        tooltip=[alt.Tooltip("yearweek(date):O", title="week of", format="%Y-%m-%d"),
                 alt.Tooltip("count():Q", title="articles")],
    ).properties(height=140, title="Articles per week")
    return json.dumps(chart.to_dict())


def _with_records(spec: str, records: list[dict[str, str]]) -> dict:
    """Return the spec with ``records`` as its data."""
    return {**json.loads(spec), "datasets": {_CHART_DATA: records}}


def _chart_spec(spec: dict) -> Markup:
    """Return a spec as JSON safe to put inside a <script> element."""
    return Markup(json.dumps(spec).replace("</", "<\\/"))


# ---------------------------------------------------------------- the network page


def network_graph(store: BaseStore, paged: set[str], max_nodes: int) -> tuple[nx.DiGraph, int]:
    """Return the sources view ready for drawing, cut to the ``max_nodes`` entities in most
    claims, and the number of entities before the cut."""
    from claimgraph.graph.network import project

    graph = project(store.select, "sources")
    claims = {node: 0.0 for node in graph}
    for source, subject, weight in graph.edges(data="weight", default=1):
        claims[source] += weight
        claims[subject] += weight
    total = graph.number_of_nodes()
    kept = sorted(graph, key=lambda node: (-claims[node], node))[:max_nodes]
    shown = nx.DiGraph(graph.subgraph(kept))
    positions = _layout(shown)
    for node, attributes in shown.nodes(data=True):
        label = attributes.get("label") or entity_page_name(node)
        kind = attributes.get("entity_type") or "other"
        href = f"entities/{entity_page_name(node)}.html" if node in paged else ""
        link = f'<br><a href="{html.escape(href)}">open the page</a>' if href else ""
        attributes.update(
            label=label, size=claims[node],
            color=TYPE_COLOURS.get(kind, TYPE_COLOURS["other"]),
            hover=f"{label} ({kind}, {claims[node]:g} claims)",
            click=f"<b>{html.escape(label)}</b> ({kind}, {claims[node]:g} claims){link}")
        if node in positions:
            attributes["x"], attributes["y"] = positions[node]
    for _source, _subject, attributes in shown.edges(data=True):
        attributes["color"] = EDGE_COLOUR
    return shown, total


def _layout(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Return node positions in pixels from networkx's spring layout, so the page opens
    settled; empty for large graphs (spring layout beyond 500 nodes needs SciPy), which
    vis-network lays out in the browser instead."""
    if not 0 < graph.number_of_nodes() < _LAYOUT_LIMIT:
        return {}
    positions = nx.spring_layout(graph.to_undirected(as_view=True), seed=1,
                                 k=3 / graph.number_of_nodes() ** 0.5)
    size = 60 * graph.number_of_nodes() ** 0.5
    return {node: (float(x) * size, float(y) * size) for node, (x, y) in positions.items()}


def _write_network(store: BaseStore, path: Path, paged: set[str],
                   max_nodes: int) -> tuple[int, int]:
    graph, total = network_graph(store, paged, max_nodes)
    figure = None
    if graph.number_of_nodes():
        figure = Markup(gravis.vis(
            graph, graph_height=600, details_height=80, show_details=True,
            use_node_size_normalization=True, node_size_normalization_min=8,
            node_size_normalization_max=40,
            node_label_data_source="label", edge_size_data_source="weight",
            use_edge_size_normalization=True, show_edge_label=False,
            # Positions computed here (small graphs): show them, do not run the physics.
            layout_algorithm_active=graph.number_of_nodes() >= _LAYOUT_LIMIT,
        ).to_html_partial())
    nodes = [(node, attributes["label"], attributes.get("entity_type") or "other")
             for node, attributes in sorted(graph.nodes(data=True),
                                            key=lambda item: item[1]["label"].casefold())]
    _write(path, _render("report_network.html", root="", figure=figure, nodes=nodes,
                         shown=graph.number_of_nodes(), total=total, type_colours=TYPE_COLOURS,
                         entity_href=_entity_href(paged, "")))
    return graph.number_of_nodes(), total
