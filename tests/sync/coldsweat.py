"""A real Fever server for tests: coldsweat on 127.0.0.1 with its own SQLite file.

coldsweat pins an older Flask and urllib3 than this project uses, so it gets a virtual
environment of its own, built once and kept under ``~/.cache/tui-reader-tests/`` (or
``$TUI_READER_TEST_CACHE``) keyed by its pinned version. The session fixture then

1. serves generated Atom feeds from a :class:`~tests.httpserver.LocalServer`,
2. runs ``flask --app coldsweat setup`` (the user), ``import OPML EMAIL -f`` (subscribe and
   fetch at once) against a temporary SQLite database (``FLASK_DATABASE_URL``),
3. starts ``flask --app coldsweat run`` on a free port and waits for its Fever endpoint.

Bind the fixtures in a test module (``coldsweat = tests.sync.coldsweat.coldsweat``, the same
for ``fever_server``, which also clears every read and saved mark before the test). The server
is shared by the session: :meth:`ColdsweatServer.publish` adds entries for good, so tests count
entries through :meth:`ColdsweatServer.entries` rather than assume a number.

Nothing here reaches the internet: coldsweat's own requests for favicons and feeds go to the
local server, and any other request it might make goes through a proxy address on which
nothing listens.

When the package index cannot be reached or coldsweat does not install, the fixtures skip
with a one-line reason.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import httpx
import pytest

from tests.httpserver import LocalServer

COLDSWEAT_VERSION = "0.10.2"
# coldsweat's dependencies at the versions it was tested with here, so the cached environment
# is the same on every machine.
COLDSWEAT_REQUIREMENTS = [
    f"coldsweat=={COLDSWEAT_VERSION}",
    "blinker==1.9.0",
    "certifi==2026.10.19.post1",
    "charset-normalizer==3.5.3",
    "click==8.5.1",
    "feedparser==6.0.14",
    "feedparser-sgmllib==2.1.0",
    "Flask==3.0.3",
    "Flask-CDN==1.5.3",
    "Flask-Login==0.6.3",
    "idna==3.20",
    "itsdangerous==2.2.0",
    "Jinja2==3.1.6",
    "MarkupSafe==2.1.5",
    "peewee==3.19.0",
    "requests==2.34.2",
    "tomli==2.5.0",
    "urllib3==1.26.20",
    "Werkzeug==3.1.9",
]

USER = "reader@example.com"
# coldsweat wants twelve characters at least.
PASSWORD = "correct horse battery staple"
# A 1x1 PNG, so coldsweat finds its favicons on the local server.
_ICON = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass(frozen=True)
class FeedSpec:
    """One feed served to coldsweat: ``count`` entries ``step`` apart, the newest ``newest`` ago."""

    slug: str
    title: str
    folder: str | None
    count: int
    newest: timedelta
    step: timedelta = timedelta(hours=1)
    titles: dict[int, str] = field(default_factory=dict)


#: What the server is subscribed to: 60 recent entries in a folder (more than one Fever page),
#: 8 entries from months ago outside any folder, and a feed with hostile titles.
FEEDS = (
    FeedSpec("old", "Old news", None, 8, timedelta(days=120), timedelta(days=1)),
    FeedSpec("alpha", "Alpha", "News", 60, timedelta(hours=1)),
    FeedSpec(
        "hostile",
        "Hostile",
        "News",
        2,
        timedelta(hours=2),
        titles={
            0: "\x1b]0;pwned\x07\x1b[31mred [bold]markup[/bold]",
            1: "<b>tags</b> & [link=file:///etc/passwd]x[/link]",
        },
    ),
)


def atom_feed(spec: FeedSpec, base: str, now: datetime, added: int = 0) -> bytes:
    """An Atom document for ``spec``, its entries newest first.

    ``added`` entries published after the others come first (what :meth:`ColdsweatServer.
    publish` adds), numbered on from ``spec.count``.
    """
    entries = []
    for index in [*range(spec.count + added - 1, spec.count - 1, -1), *range(spec.count)]:
        if index >= spec.count:
            published = now + timedelta(minutes=index - spec.count + 1)
        else:
            published = now - spec.newest - spec.step * index
        title = spec.titles.get(index, f"{spec.title} story {index}")
        link = f"{base}/{spec.slug}/{index}.html"
        entries.append(
            "<entry>"
            f"<id>urn:tui-reader-test:{spec.slug}:{index}</id>"
            f"<title>{escape(title)}</title>"
            f"<link rel='alternate' href={quoteattr(link)}/>"
            f"<updated>{published.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>"
            f"<author><name>Writer {index}</name></author>"
            f"<content type='html'>{escape(f'<p>Body of {title}</p>')}</content>"
            "</entry>"
        )
    document = (
        "<?xml version='1.0' encoding='utf-8'?>"
        "<feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<id>urn:tui-reader-test:{spec.slug}</id><title>{escape(spec.title)}</title>"
        f"<link rel='alternate' href='{base}/{spec.slug}/'/>"
        f"<icon>{base}/icon.png</icon>"
        f"<updated>{now.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>" + "".join(entries) + "</feed>"
    )
    return document.encode()


def opml(feeds: tuple[FeedSpec, ...], base: str) -> str:
    """An OPML file subscribing to ``feeds``, grouped by folder."""

    def outline(spec: FeedSpec) -> str:
        url = quoteattr(f"{base}/{spec.slug}.xml")
        return f"<outline type='rss' text={quoteattr(spec.title)} xmlUrl={url}/>"

    body = [outline(spec) for spec in feeds if spec.folder is None]
    for folder in dict.fromkeys(spec.folder for spec in feeds if spec.folder):
        inner = "".join(outline(spec) for spec in feeds if spec.folder == folder)
        name = quoteattr(folder)
        body.append(f"<outline text={name} title={name}>{inner}</outline>")
    return (
        "<?xml version='1.0'?><opml version='1.0'><head><title>test</title></head>"
        f"<body>{''.join(body)}</body></opml>"
    )


# --- the environment --------------------------------------------------------------------


def cache_root() -> Path:
    configured = os.environ.get("TUI_READER_TEST_CACHE")
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "tui-reader-tests"


def coldsweat_venv() -> Path:
    """The cached environment with coldsweat in it, built on first use; skips if it cannot be."""
    key = hashlib.sha256("\n".join(COLDSWEAT_REQUIREMENTS).encode()).hexdigest()[:12]
    venv = cache_root() / f"coldsweat-{COLDSWEAT_VERSION}-{key}"
    ready = venv / ".ready"
    if ready.exists():
        return venv
    venv.parent.mkdir(parents=True, exist_ok=True)
    # Two test runs at once must not build into the same directory.
    with open(venv.parent / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ready.exists():
            return venv
        made = subprocess.run(
            [sys.executable, "-m", "venv", "--clear", str(venv)], capture_output=True, text=True
        )
        if made.returncode != 0:
            last = (made.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"no virtual environment for coldsweat could be made: {last[:200]}")
        install = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
             "--disable-pip-version-check", *COLDSWEAT_REQUIREMENTS],
            capture_output=True, text=True, timeout=600, env=_unguarded_env(),
        )  # fmt: skip
        if install.returncode != 0:
            last = (install.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"coldsweat {COLDSWEAT_VERSION} could not be installed: {last[:200]}")
        ready.write_text(COLDSWEAT_VERSION)
    return venv


def _unguarded_env() -> dict[str, str]:
    """The environment without the session's network guard (``tests/netguard``), for pip:
    installing the server is setting up the test, as installing the project is, and the
    package index is not on the loopback. The server itself runs guarded."""
    env = dict(os.environ)
    guard = str(Path(__file__).resolve().parent.parent / "netguard")
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != guard]
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(paths)
    else:
        env.pop("PYTHONPATH", None)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the server ---------------------------------------------------------------------------


class ColdsweatServer:
    """A running coldsweat: its Fever URL and account, and ways to act on it from outside."""

    def __init__(self, venv: Path, workdir: Path, feeds: LocalServer) -> None:
        self.venv = venv
        self.workdir = workdir
        self.feeds = feeds
        self.db_path = workdir / "coldsweat.db"
        self.port = free_port()
        self.user = USER
        self.password = PASSWORD
        self.log_path = workdir / "coldsweat.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._specs: dict[str, FeedSpec] = {}
        self._added: dict[str, int] = {}
        self._now = datetime.now(UTC).replace(microsecond=0)

    @property
    def url(self) -> str:
        """The Fever endpoint (what a user puts in ``[sync] url``)."""
        return f"http://127.0.0.1:{self.port}/fever/"

    @property
    def api_key(self) -> str:
        return hashlib.md5(f"{self.user}:{self.password}".encode()).hexdigest()

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
        env.update(
            FLASK_DATABASE_URL=f"sqlite:///{self.db_path}",
            FLASK_SECRET_KEY="tests only",
            # Local feeds go direct; anything else would go to a port nothing listens on.
            NO_PROXY="127.0.0.1,localhost",
            HTTP_PROXY="http://127.0.0.1:9",
            HTTPS_PROXY="http://127.0.0.1:9",
        )
        return env

    def flask(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run one ``flask --app coldsweat`` command; fail the test with its output if it fails."""
        done = subprocess.run(
            [str(self.venv / "bin" / "flask"), "--app", "coldsweat", *args],
            env=self.env(), cwd=self.workdir, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"coldsweat {args[0]} failed: {done.stderr[-2000:]}")
        return done

    def populate(self, feeds: tuple[FeedSpec, ...] = FEEDS) -> None:
        """Create the user, subscribe to ``feeds`` and fetch them (coldsweat's own commands)."""
        self.feeds.add("/icon.png", _ICON, content_type="image/png")
        for spec in feeds:
            self._specs[spec.slug] = spec
            self._serve(spec.slug)
        base = self.feeds.url("").rstrip("/")
        opml_path = self.workdir / "subscriptions.opml"
        opml_path.write_text(opml(feeds, base), encoding="utf-8")
        self.flask("setup", self.user, "-p", self.password)
        self.flask("import", str(opml_path), self.user, "-f")

    def _serve(self, slug: str) -> None:
        base = self.feeds.url("").rstrip("/")
        body = atom_feed(self._specs[slug], base, self._now, self._added.get(slug, 0))
        self.feeds.add(f"/{slug}.xml", body, content_type="application/atom+xml")

    def publish(self, slug: str, count: int = 1) -> list[str]:
        """Add ``count`` entries to feed ``slug`` and have coldsweat fetch them; their new ids.

        coldsweat skips a feed checked in the last three minutes, so the feeds' check times
        are cleared first (in its database, as an admin could), then ``flask fetch`` runs.
        """
        before = {entry[0] for entry in self.entries()}
        self._added[slug] = self._added.get(slug, 0) + count
        self._serve(slug)
        with contextlib.closing(sqlite3.connect(self.db_path)) as db, db:
            db.execute("UPDATE feeds SET last_checked_on = NULL, last_updated_on = NULL, etag = ''")
        self.flask("fetch")
        return sorted((e[0] for e in self.entries() if e[0] not in before), key=int)

    def start(self) -> None:
        """Start (or start again) on the same port and database; wait until it answers."""
        if self._process is not None:
            return
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child writes to it until stopped
        self._process = subprocess.Popen(
            [str(self.venv / "bin" / "flask"), "--app", "coldsweat", "run",
             "--host", "127.0.0.1", "--port", str(self.port), "--no-reload", "--no-debugger"],
            env=self.env(), cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                raise RuntimeError(f"coldsweat exited: {self.log_path.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if self.fever().get("auth") == 1:
                    return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("coldsweat did not answer within 60 seconds")

    def stop(self) -> None:
        """Stop the server (the database stays); a stopped server refuses connections."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self._process is not None

    # --- acting on the server as another client would -------------------------------------

    def fever(self, query: str = "", **form: str) -> dict[str, Any]:
        """One Fever request made with another client (``query`` like ``"items&with_ids=1"``)."""
        url = f"http://127.0.0.1:{self.port}/fever/?api" + (f"&{query}" if query else "")
        response = httpx.post(url, data={"api_key": self.api_key, **form}, timeout=10)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    def set_read(self, item_id: str, read: bool = True) -> None:
        self.fever(mark="item", id=item_id, **{"as": "read" if read else "unread"})

    def set_saved(self, item_id: str, saved: bool = True) -> None:
        self.fever(mark="item", id=item_id, **{"as": "saved" if saved else "unsaved"})

    def state(self, item_id: str) -> tuple[bool, bool]:
        """``(read, saved)`` of one item, as the server reports it."""
        items = self.fever(f"items&with_ids={item_id}")["items"]
        if not items:
            raise KeyError(item_id)
        return bool(items[0]["is_read"]), bool(items[0]["is_saved"])

    # --- reading the database directly ---------------------------------------------------

    def entries(self) -> list[tuple[str, str, str, datetime]]:
        """``(item id, feed title, entry title, published)`` of every stored entry, by id."""
        with contextlib.closing(sqlite3.connect(self.db_path)) as db:
            rows = db.execute(
                "SELECT e.id, f.title, e.title, e.published_on FROM entries e"
                " JOIN feeds f ON f.id = e.feed_id ORDER BY e.id"
            ).fetchall()
        return [
            (str(row[0]), row[1], row[2], datetime.fromisoformat(row[3]).replace(tzinfo=UTC))
            for row in rows
        ]

    def ids_of(self, feed_title: str) -> set[str]:
        return {entry[0] for entry in self.entries() if entry[1] == feed_title}

    def clear_marks(self) -> None:
        """Make every item unread and unsaved (straight in the database, as an admin would)."""
        with contextlib.closing(sqlite3.connect(self.db_path)) as db, db:
            db.execute("DELETE FROM read")
            db.execute("DELETE FROM saved")


@pytest.fixture(scope="session")
def coldsweat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ColdsweatServer]:
    """A running coldsweat subscribed to :data:`FEEDS`, shared by the whole session."""
    venv = coldsweat_venv()
    workdir = tmp_path_factory.mktemp("coldsweat")
    with LocalServer() as feeds:
        server = ColdsweatServer(venv, workdir, feeds)
        server.populate()
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def fever_server(coldsweat: ColdsweatServer) -> ColdsweatServer:
    """The session's coldsweat, running, with no item read or saved."""
    coldsweat.start()
    coldsweat.clear_marks()
    return coldsweat
