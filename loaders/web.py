"""Fetch web pages politely: one :class:`Fetcher` per batch of inputs.

requests (with urllib3's ``Retry``) does the HTTP; this module adds what a crawler owes the
sites it reads: a descriptive User-Agent, a timeout, a bounded number of retries (with
back-off, honouring ``Retry-After``) on connection errors and 429/5xx answers, a delay
between two requests to the same host (the longer of ours and the site's ``Crawl-delay``),
and robots.txt, read once per host with the standard library's parser.

robots.txt follows RFC 9309: a 4xx answer means everything may be fetched, an unreachable
file or a 5xx answer means nothing may (the error says which). A failed fetch raises
:class:`InputError` naming the URL; the caller reports it and goes on with the batch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from claimgraph.errors import InputError


def _user_agent() -> str:
    try:
        release = version("claimgraph")
    except PackageNotFoundError:
        release = "0+unknown"
    return (f"claimgraph/{release} (news attribution extractor; "
            "+https://w3id.org/claimgraph)")


#: The User-Agent sent with every request unless another is set.
USER_AGENT = _user_agent()
#: The product token matched against robots.txt groups.
ROBOTS_AGENT = "claimgraph"


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """How pages are fetched: User-Agent, timeout (seconds), retries, per-host delay."""

    user_agent: str = USER_AGENT
    timeout: float = 20.0
    retries: int = 2
    delay: float = 1.0  # seconds between two requests to the same host
    robots: bool = True  # respect robots.txt


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page: the URL asked for, the URL answered (after redirects), the body."""

    url: str
    final_url: str
    body: bytes
    content_type: str  # the media type without parameters, lower case ("text/html")
    retrieved: str  # ISO 8601 UTC date-time of the answer (its Date header, else now)


@dataclass(slots=True)
class Fetcher:
    """Fetches pages with :class:`FetchSettings`; keeps a session and robots.txt per host."""

    settings: FetchSettings = field(default_factory=FetchSettings)
    _session: requests.Session | None = None
    _robots: dict[str, RobotFileParser | str | None] = field(default_factory=dict)
    _last_request: dict[str, float] = field(default_factory=dict)

    def fetch(self, url: str) -> Page:
        """Return the page at ``url``. Raises :class:`InputError` naming the URL when it is
        not an http(s) URL, robots.txt forbids it, or the fetch fails (HTTP error status,
        timeout, connection error) after the retries."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(f"{url}: not an http(s) URL")
        robots = self._robots_for(parts.scheme, parts.netloc) if self.settings.robots else None
        if isinstance(robots, str):
            raise InputError(f"{url}: not fetched: {robots}")
        if robots is not None and not robots.can_fetch(ROBOTS_AGENT, url):
            raise InputError(f"{url}: robots.txt of {parts.netloc} forbids fetching it")
        response = self._get(url, parts.netloc, robots)
        if response.status_code >= 400:
            raise InputError(f"{url}: HTTP {response.status_code} {response.reason}".rstrip())
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        return Page(url=url, final_url=response.url, body=response.content,
                    content_type=content_type, retrieved=_answer_time(response))

    def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def _get(self, url: str, host: str, robots: RobotFileParser | None) -> requests.Response:
        delay = self.settings.delay
        if robots is not None:
            delay = max(delay, float(robots.crawl_delay(ROBOTS_AGENT) or 0))
        wait = self._last_request.get(host, -delay) + delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        try:
            return self.session.get(url, timeout=self.settings.timeout)
        except requests.exceptions.RequestException as error:
            if _timed_out(error):
                raise InputError(f"{url}: timed out after {self.settings.timeout:g} s "
                                 f"({self.settings.retries} retries)") from None
            raise InputError(f"{url}: cannot fetch ({_reason(error)})") from None
        finally:
            self._last_request[host] = time.monotonic()

    @property
    def session(self) -> requests.Session:
        """The HTTP session, made on first use with the User-Agent and the retry policy."""
        if self._session is None:
            session = requests.Session()
            session.headers["User-Agent"] = self.settings.user_agent
            retry = Retry(total=self.settings.retries, backoff_factor=0.5,
                          status_forcelist=(429, 500, 502, 503, 504),
                          allowed_methods=("GET", "HEAD"), raise_on_status=False)
            adapter = HTTPAdapter(max_retries=retry)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._session = session
        return self._session

    def _robots_for(self, scheme: str, host: str) -> RobotFileParser | str | None:
        """Return the host's robots.txt rules: None when there are none (everything
        allowed), a reason when it could not be read (nothing allowed, RFC 9309)."""
        key = f"{scheme}://{host}"
        if key not in self._robots:
            self._robots[key] = self._read_robots(f"{key}/robots.txt", host)
        return self._robots[key]

    def _read_robots(self, robots_url: str, host: str) -> RobotFileParser | str | None:
        try:
            response = self._get(robots_url, host, None)
        except InputError as error:
            return f"robots.txt unreachable ({str(error).split(': ', 1)[-1]})"
        if 400 <= response.status_code < 500:
            return None
        if response.status_code >= 500:
            return f"robots.txt answered HTTP {response.status_code}"
        rules = RobotFileParser(robots_url)
        rules.parse(response.text.splitlines())
        return rules


def _answer_time(response: requests.Response) -> str:
    """Return when the server answered (its Date header), else now, as ISO 8601 UTC."""
    try:
        moment = parsedate_to_datetime(response.headers["Date"])
    except (KeyError, TypeError, ValueError):
        moment = datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _timed_out(error: requests.exceptions.RequestException) -> bool:
    """Return whether a fetch failed by timing out (after retries, urllib3 wraps it)."""
    if isinstance(error, requests.exceptions.Timeout):
        return True
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, urllib3.exceptions.TimeoutError)


def _reason(error: requests.exceptions.RequestException) -> str:
    """Return the innermost reason of a requests error, briefly."""
    reason: BaseException = error
    while reason.args and isinstance(reason.args[0], BaseException):
        reason = reason.args[0]
    if getattr(reason, "reason", None) is not None:
        reason = reason.reason
    return str(reason).split(": ", 1)[-1] if ": " in str(reason) else str(reason)
