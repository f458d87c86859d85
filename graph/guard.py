"""Which outside requests a SPARQL query or update would make, read before it runs.

pyoxigraph fetches ``SERVICE <iri>`` clauses and ``LOAD <iri>`` operations over HTTP, and has
no switch to forbid them. An endpoint that runs any query it is sent would then fetch any URL
it is told to (server-side request forgery, port scans from the server). :func:`check_sparql`
finds those operations with SPARQL's own lexical rules, without parsing the whole query: it
applies the ``\\u`` escapes SPARQL processes before parsing, removes comments, strings and IRIs
(where the keywords can appear harmlessly), and looks for the keywords as words.

    >>> check_sparql('SELECT * WHERE { SERVICE <http://127.0.0.1:22/> { ?s ?p ?o } }')
    Traceback (most recent call last):
    ...
    claimgraph.graph.guard.OutboundRequestError: SERVICE <http://127.0.0.1:22/> is not allowed ...
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from claimgraph.errors import ClaimgraphError

# SPARQL 1.1 grammar, section 19: escapes, comments, strings, IRIs, prefixed names.
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKENS = re.compile(
    r"""(?P<comment>\#[^\r\n]*)
      | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                   |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<prefix>PREFIX\s+(?P<declared>[A-Za-z][\w.-]*)?:\s*<(?P<namespace>[^>]*)>)
      | (?P<word>[?$_:]?[A-Za-z_][\w.-]*(?::[\w.%-]*)?|:[\w.%-]*)
    """, re.VERBOSE | re.IGNORECASE)


class OutboundRequestError(ClaimgraphError):
    """A query or update would make an HTTP request that was not allowed."""


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    """Which outside requests a query may make.

    ``service_hosts``: hosts ``SERVICE`` may call (``"*"`` for any); empty forbids SERVICE.
    ``allow_load``: whether ``LOAD <url>`` may fetch.
    """

    service_hosts: Collection[str] = ()
    allow_load: bool = False


def check_sparql(sparql: str, policy: OutboundPolicy = OutboundPolicy(),
                 prefixes: Mapping[str, str] | None = None) -> None:
    """Raise :class:`OutboundRequestError` if ``sparql`` makes a request ``policy`` forbids.

    ``prefixes`` are the predeclared ones (a ``SERVICE cg:x`` is expanded with them). A
    ``SERVICE ?variable`` can call any host, so it is allowed only with ``"*"``.
    """
    namespaces = dict(prefixes or {})
    tokens = list(_words(sparql, namespaces))
    for position, word in enumerate(tokens):
        keyword = word.upper()
        if keyword == "LOAD" and not policy.allow_load:
            raise OutboundRequestError(
                "LOAD is not allowed: it would fetch a URL (allow it with --allow-load)")
        if keyword != "SERVICE":
            continue
        target = next((token for token in tokens[position + 1:]
                       if token.upper() != "SILENT"), "")
        _check_service(target, policy, namespaces)


def _words(sparql: str, namespaces: dict[str, str]):
    """Yield the query's words and IRIs (as ``<iri>``), skipping comments and strings.

    PREFIX declarations update ``namespaces`` as they are met.
    """
    text = _ESCAPE.sub(lambda match: chr(int(match.group(1) or match.group(2), 16)), sparql)
    for match in _TOKENS.finditer(text):
        if match.group("prefix"):
            namespaces[match.group("declared") or ""] = match.group("namespace")
        elif match.group("iri") or match.group("word"):
            yield match.group(0)


def _check_service(target: str, policy: OutboundPolicy, namespaces: dict[str, str]) -> None:
    hosts = set(policy.service_hosts)
    if "*" in hosts:
        return
    iri = _expand(target, namespaces)
    shown = f"<{iri}>" if iri else target or "(nothing)"
    host = urllib.parse.urlsplit(iri).hostname if iri else None
    if host is None or host.lower() not in {allowed.lower() for allowed in hosts}:
        allowed = (f"only SERVICE to {', '.join(sorted(hosts))} is allowed" if hosts
                   else "allow it with --allow-service HOST")
        raise OutboundRequestError(f"SERVICE {shown} is not allowed: it would make a request "
                                   f"from this server ({allowed})")


def _expand(target: str, namespaces: dict[str, str]) -> str | None:
    """Return the IRI a SERVICE target names: ``<iri>`` or a prefixed name; else None."""
    if target.startswith("<") and target.endswith(">"):
        return target[1:-1]
    prefix, colon, local = target.partition(":")
    if colon and not prefix.startswith(("?", "$", "_")) and prefix in namespaces:
        return namespaces[prefix] + local
    return None
