"""The HTML report: the files and links of the site, an empty store, the caps, the CLI and
the server, and the pages as headless Chromium shows them (Debian's chromium driven by
Playwright; those tests skip where either is absent)."""

from __future__ import annotations

import io
import os
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import SEED_ARTICLE
from sample_attributions import RUN, sample_attributions, sample_document

from claimgraph.cli import main
from claimgraph.graph.report import SPAN_COLOURS, write_report
from claimgraph.graph.server import EndpointOptions, serving
from claimgraph.graph.store import Store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
#: Where the browser test writes the README's screenshots, when this variable names a folder.
SCREENSHOTS = os.environ.get("CLAIMGRAPH_SCREENSHOTS")


class _Links(HTMLParser):
    """Collect the href and src attributes of a page, with whether each is rel=external."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, bool]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name) is not None:
                self.links.append((values[name], values.get("rel") == "external"))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def page_links(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def assert_links_resolve(site: Path) -> int:
    """Check that every link of every page is a file of the site (or a rel=external link
    to the web: GeoNames, the article's original); return how many links were checked."""
    checked = 0
    for page in site.rglob("*.html"):
        for link, external in page_links(page).links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https"):
                assert external, f"{page.relative_to(site)}: {link} leaves the site"
                continue
            assert not parts.scheme and not parts.netloc, f"{page}: {link}"
            if not parts.path:  # a fragment of the same page
                continue
            target = (page.parent / parts.path).resolve()
            assert target.is_file(), f"{page.relative_to(site)}: {link} is not a file"
            assert target.is_relative_to(site.resolve()), f"{page}: {link} leaves the site"
            checked += 1
    return checked


@pytest.fixture(scope="module")
def site(dated_store, tmp_path_factory) -> Path:
    """The report of the example article and (where ../shared has it) the seed article."""
    folder = tmp_path_factory.mktemp("report") / "site"
    write_report(dated_store, folder)
    return folder


def seed_page(site: Path) -> Path:
    if not SEED_ARTICLE.is_file():
        pytest.skip(f"{SEED_ARTICLE} is absent")
    for page in (site / "articles").glob("*.html"):
        if "Pashinyan" in page.read_text(encoding="utf-8"):
            return page
    raise AssertionError("no article page holds the seed article")


# ---------------------------------------------------------------- files and links


def test_every_link_resolves_to_a_file_of_the_site(site: Path) -> None:
    assert (site / "index.html").is_file() and (site / "network.html").is_file()
    assert (site / "assets" / "vega-embed.js").stat().st_size > 100_000
    assert assert_links_resolve(site) > 20
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="entities/turkey.html"' in index or not SEED_ARTICLE.is_file()
    assert "harbour" in index.lower()


def test_article_page_is_displacy_spans_with_entity_links(site: Path) -> None:
    page = seed_page(site).read_text(encoding="utf-8")
    # displaCy's span renderer, the four colours, and kb links to the entity pages
    assert 'class="spans"' in page
    for colour in SPAN_COLOURS.values():
        assert f"background: {colour}" in page
    assert 'href="../entities/nikol-pashinyan.html"' in page
    assert re.search(r'<td class="cue">considered <span class="type">belief</span>', page)


def test_entity_page_has_labels_geonames_and_resolution_rules(site: Path) -> None:
    seed_page(site)
    page = (site / "entities" / "turkey.html").read_text(encoding="utf-8")
    assert "https://sws.geonames.org/298795/" in page
    assert "Ankara" in page  # an alternative label
    assert "capital metonymy" in page  # the rule that made "Ankara" Turkey
    assert "vegaEmbed" in page and '"timeUnit": "yearweek"' in page  # the weekly timeline
    pashinyan = (site / "entities" / "nikol-pashinyan.html").read_text(encoding="utf-8")
    assert "Armenian Prime Minister" in pashinyan  # the title


def test_empty_store_gives_a_site_that_says_so(tmp_path: Path) -> None:
    with Store.open(tmp_path / "empty") as store:
        summary = write_report(store, tmp_path / "site")
    assert (summary.articles, summary.entity_pages, summary.network_nodes) == (0, 0, 0)
    index = " ".join(page_links(tmp_path / "site" / "index.html").text)
    assert "holds no articles yet" in index
    network = " ".join(page_links(tmp_path / "site" / "network.html").text)
    assert "no network to draw" in network
    assert_links_resolve(tmp_path / "site")


def test_min_claims_and_max_nodes_cut_pages_and_network(dated_store, tmp_path: Path) -> None:
    full = write_report(dated_store, tmp_path / "full")
    cut = write_report(dated_store, tmp_path / "cut", min_claims=3, max_nodes=4)
    assert 0 < cut.entity_pages < full.entity_pages
    assert cut.network_nodes == 4 < cut.network_total == full.network_total
    note = (tmp_path / "cut" / "network.html").read_text(encoding="utf-8")
    assert f"Showing the 4 entities in most claims, out of {cut.network_total}" in note
    index = (tmp_path / "cut" / "index.html").read_text(encoding="utf-8")
    assert "in fewer than 3 claims have no page of their own" in index
    assert_links_resolve(tmp_path / "cut")  # no link to a page that was not written


def test_cli_report_and_a_missing_store(tmp_path: Path, capsys) -> None:
    with Store.open(tmp_path / "store") as store:
        store.add_article(sample_document(), sample_attributions(), RUN)
    assert main(["report", "--store", str(tmp_path / "store"), "-o", str(tmp_path / "site")]) == 0
    assert "1 article pages" in capsys.readouterr().err
    assert (tmp_path / "site" / "entities" / "nikol-pashinyan.html").is_file()
    assert main(["report", "--store", str(tmp_path / "nothing"), "-o",
                 str(tmp_path / "site2")]) == 2
    assert "no claimgraph store there" in capsys.readouterr().err
    assert not (tmp_path / "nothing").exists()


def test_an_article_stored_without_its_text_gets_a_page_saying_so(tmp_path: Path,
                                                                    capsys) -> None:
    with Store.open(tmp_path / "store") as store:
        store.add_article(sample_document(), sample_attributions(), RUN)
        store.update("DELETE WHERE { GRAPH ?article { ?article nif:isString ?text } }")
    site = tmp_path / "site"
    assert main(["report", "--store", str(tmp_path / "store"), "-o", str(site)]) == 1
    assert "no article text stored for" in capsys.readouterr().err
    [page] = (site / "articles").glob("*.html")
    assert "This article cannot be shown" in page.read_text(encoding="utf-8")
    # the entity pages are still written, and still link to the article's page
    assert (site / "entities" / "nikol-pashinyan.html").is_file()
    assert_links_resolve(site)


def test_report_of_a_remote_store_has_the_same_pages(tmp_path: Path) -> None:
    from claimgraph.graph.remote import RemoteStore

    path = tmp_path / "store"
    with Store.open(path) as store:
        store.add_article(sample_document(), sample_attributions(), RUN)
        write_report(store, tmp_path / "local")
    with serving(path, EndpointOptions(access_log=False)) as url, RemoteStore(url) as remote:
        write_report(remote, tmp_path / "remote")
    for folder in ("articles", "entities"):
        local = sorted(path.name for path in (tmp_path / "local" / folder).iterdir())
        assert local == sorted(path.name for path in (tmp_path / "remote" / folder).iterdir())
    turkey = (tmp_path / "remote" / "entities" / "turkey.html").read_text(encoding="utf-8")
    assert "Nikol Pashinyan" in turkey  # said about Turkey, read through SPARQL over HTTP


def test_server_serves_the_report_next_to_the_endpoint(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with Store.open(path) as store:
        store.add_article(sample_document(), sample_attributions(), RUN)
        write_report(store, tmp_path / "site")
    with serving(path, EndpointOptions(report_dir=tmp_path / "site")) as url:
        with urllib.request.urlopen(f"{url}/report/") as response:
            assert "Attributions: who says what" in response.read().decode()
        with urllib.request.urlopen(f"{url}/report/entities/nikol-pashinyan.html") as response:
            assert "Nikol Pashinyan" in response.read().decode()
        query = urllib.parse.quote("ASK { ?s ?p ?o }")
        with urllib.request.urlopen(f"{url}/query?query={query}&format=json") as response:
            assert b'"boolean"' in response.read()


# ---------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)")
    with playwright_api.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                  args=CHROMIUM_ARGS)
        except playwright_api.Error as error:
            pytest.skip(f"{CHROMIUM} does not start: {error.message.splitlines()[0]}")
        yield chromium
        chromium.close()


class Visit:
    """A page opened in Chromium, with the JavaScript errors it logged."""

    def __init__(self, browser, path: Path) -> None:
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1000, "height": 700})
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: self.errors.append(message.text)
                     if message.type == "error" else None)
        self.go(path)

    def go(self, path: Path) -> None:
        """Open another page in the same tab, forgetting the errors of the last one."""
        self.errors.clear()
        self.page.goto(path.resolve().as_uri(), wait_until="load")

    def screenshot(self, name: str) -> None:
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            self.page.evaluate("window.scrollTo(0, 0)")
            self.page.screenshot(path=str(Path(SCREENSHOTS) / name))

    def close(self) -> None:
        self.page.close()


# For each token displaCy drew, its text and the labels of the span bars under it, known
# by their colours (the legend gives the colour of each label as the browser computes it).
_TOKEN_LABELS = """() => {
  const labels = {};
  for (const key of document.querySelectorAll(".legend .key")) {
    labels[getComputedStyle(key).backgroundColor] = key.dataset.label;
  }
  return [...document.querySelectorAll("#text .spans > span")].map((token) => {
    const bars = [...token.children].filter((bar) => bar.getBoundingClientRect().height > 0);
    return [token.firstChild.textContent.trim(),
            [...new Set(bars.map((bar) => labels[getComputedStyle(bar).backgroundColor]))]];
  });
}"""


def test_article_page_highlights_the_pashinyan_attribution(browser, site: Path) -> None:
    visit = Visit(browser, seed_page(site))
    tokens = visit.page.evaluate(_TOKEN_LABELS)
    words = [word for word, _ in tokens]
    start = words.index("Pashinyan")
    labels = {word: set(found) for word, found in tokens[start - 1:start + 12]}
    assert "SOURCE" in labels["Nikol"] and "SOURCE" in labels["Pashinyan"]
    assert "CUE" in labels["considered"]
    assert "CONTENT" in labels["renewed"] and "CONTENT" in labels["fighting"]
    assert "SUBJECT" in labels["Nagorno"]  # a subject inside the content
    # the attribution's row links its source to the entity page
    row = visit.page.locator("#claims tr", has_text="considered")
    assert row.locator("td.source a").get_attribute("href") == \
        "../entities/nikol-pashinyan.html"
    visit.screenshot("report-article.png")
    assert visit.errors == []
    visit.close()


def test_turkey_page_lists_affirmed_about_azerbaijan(browser, site: Path) -> None:
    seed_page(site)
    visit = Visit(browser, site / "entities" / "turkey.html")
    rows = visit.page.locator("#said tbody tr")
    found = [(rows.nth(i).locator("td.cue").inner_text(),
              rows.nth(i).locator("td.counterparts").inner_text())
             for i in range(rows.count())]
    assert any(cue == "affirmed" and "Azerbaijan" in about for cue, about in found), found
    # the timeline chart drawn by vega-embed, as SVG marks
    visit.page.wait_for_selector("#timeline svg .mark-rect path", timeout=10_000)
    visit.screenshot("report-entity.png")
    assert visit.errors == []
    visit.close()


def test_network_page_draws_a_canvas_and_search_filters(browser, site: Path) -> None:
    from PIL import Image

    visit = Visit(browser, site / "network.html")
    canvas = visit.page.locator("#network canvas").first
    canvas.wait_for(timeout=10_000)
    visit.page.wait_for_timeout(1500)  # let the layout settle
    image = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 1
    visit.screenshot("report-network.png")
    _assert_search_filters(visit.page, "be")  # Belgium, Robert Weber
    assert visit.errors == []
    visit.close()


def _assert_search_filters(page, typed: str) -> None:
    """Typing in the search box shows exactly the listed entities whose label holds it."""
    every = page.locator("#entities li").all_inner_texts()
    expected = [label for label in every if typed in label.lower()]
    assert 0 < len(expected) < len(every), (typed, every)
    page.fill("#search", typed)
    assert page.locator("#entities li:visible").all_inner_texts() == expected


def test_no_page_logs_a_javascript_error(browser, site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 5
    visit = Visit(browser, site / "index.html")
    for path in pages:
        visit.go(path)
        if path.parent == site and path.name == "index.html":
            _assert_search_filters(visit.page, "be")
        assert visit.errors == [], f"{path.relative_to(site)}: {visit.errors}"
    visit.close()

