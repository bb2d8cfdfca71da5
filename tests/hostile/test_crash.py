"""Crashes, full disks, read-only stores and concurrent processes: nothing committed is lost.

Complements ``tests/integration/test_processes.py`` (SIGKILL during a refresh; one ``fetch``
next to one writer). Each scenario ends with the same checks: ``PRAGMA integrity_check`` is
``ok``, everything committed before is still there, and the app starts on the store and shows
its list.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.hostile.clirun import cli_env
from tests.hostile.corpus import big_opml
from tests.hostile.payloads import assert_clean
from tests.hostile.storecheck import DB_NAME, ReadOnlyConnection, integrity
from tests.httpserver import LocalServer
from tui_reader.core.config import Config
from tui_reader.core.errors import StorageError
from tui_reader.core.library import Library
from tui_reader.core.models import Article, Block, Span
from tui_reader.core.storage import ArticleRecord, Store

ROOT = Path(__file__).resolve().parents[2]


def make_store(data: Path, feeds: int = 5, per_feed: int = 100) -> dict[str, int]:
    """A store with ``feeds`` x ``per_feed`` articles; returns guid -> id."""
    store = Store.open(data / DB_NAME)
    try:
        for f in range(feeds):
            # Port 9 (discard) on loopback: a refresh of these fails at once, offline.
            feed_id, _ = store.add_feed(f"http://127.0.0.1:9/feed/{f}", title=f"Feed {f}")
            records = [
                ArticleRecord(
                    guid=f"f{f}-a{i}",
                    url=f"https://crash.example/{f}/{i}",
                    title=f"Article {f}/{i}",
                    article=Article(
                        title=f"Article {f}/{i}",
                        blocks=(Block("paragraph", spans=(Span(f"Body of {f}/{i}. " * 20),)),),
                    ),
                )
                for i in range(per_feed)
            ]
            store.upsert_articles(feed_id, records)
    finally:
        store.close()
    conn = sqlite3.connect(data / DB_NAME)
    try:
        return dict(conn.execute("SELECT guid, id FROM articles"))
    finally:
        conn.close()


def snapshot(data: Path) -> dict[str, tuple[int, int]]:
    """guid -> (read, starred) of every article, read without writing."""
    conn = sqlite3.connect(f"file:{data / DB_NAME}?mode=ro", uri=True, timeout=10)
    try:
        return {g: (r, s) for g, r, s in conn.execute("SELECT guid, read, starred FROM articles")}
    finally:
        conn.close()


def spawn(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=ROOT,
        env=env or cli_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def screen_text(app: object) -> str:
    strips = app.screen._compositor.render_strips()  # type: ignore[attr-defined]
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def reap(proc: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    """Make sure ``proc`` is gone and its pipes are closed."""
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def app_starts_and_lists(data: Path) -> str:
    """The app opens the store and shows its article list (Pilot, headless)."""
    import asyncio

    from tui_reader.ui.app import ReaderApp

    async def run() -> str:
        library = Library.open(data, config=Config())
        try:
            total = library.count_articles()
            newest = [a.title for a in library.articles(limit=5)]
            app = ReaderApp(library)
            async with app.run_test(size=(140, 40)) as pilot:
                for _ in range(3):
                    await pilot.pause()
                    await app.workers.wait_for_complete()
                await pilot.pause()
                text = screen_text(app)
                assert app.is_running
                # The status line gives the view's total (the tree counts unread articles).
                assert f"All · {total} article" in text, text
                for title in newest:
                    assert title[:30] in text, (title, text)
                return text
        finally:
            library.close()

    return asyncio.run(run())


def assert_after_crash(data: Path, before: dict[str, int]) -> None:
    assert integrity(data) == "ok"
    conn = sqlite3.connect(data / DB_NAME)
    try:
        after = dict(conn.execute("SELECT guid, id FROM articles"))
    finally:
        conn.close()
    missing = set(before) - set(after)
    assert not missing, f"{len(missing)} articles lost"
    app_starts_and_lists(data)


# --- SIGKILL while marking articles read --------------------------------------------------

MARKER = """
    import sys
    from tui_reader.core.config import Config
    from tui_reader.core.library import Library

    lib = Library.open(sys.argv[1], config=Config())
    ids = [int(x) for x in sys.argv[2].split(",")]
    batch = int(sys.argv[3])
    round_ = 0
    while True:
        value = round_ % 2 == 0
        for start in range(0, len(ids), batch):
            chunk = ids[start:start + batch]
            if start // batch % 2:
                lib.mark_all_read(chunk) if value else [lib.set_read(i, False) for i in chunk]
            else:
                for i in chunk:
                    lib.set_read(i, value)
            print(f"{start} {int(value)}", flush=True)
        round_ += 1
"""


BATCH = 25


@pytest.mark.parametrize("kill_after", [7, 33, 101])
def test_sigkill_while_marking_read(tmp_path: Path, kill_after: int) -> None:
    data = tmp_path / "data"
    guids = make_store(data, feeds=4, per_feed=100)
    before = dict(guids)
    ids = sorted(guids.values())
    proc = spawn(MARKER, str(data), ",".join(map(str, ids)), str(BATCH))
    confirmed: dict[int, int] = {}  # batch start -> the value last known to be committed
    last = (-BATCH, 0)
    assert proc.stdout is not None
    try:
        for _ in range(kill_after):
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else "marker died"
            start, value = map(int, line.split())
            confirmed[start] = value
            last = (start, value)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        # The marker ran on while we read: what it reported before dying is in the pipe.
        for line in proc.stdout.read().splitlines():
            start, value = map(int, line.split())
            confirmed[start] = value
            last = (start, value)
    finally:
        reap(proc)
    assert proc.returncode == -signal.SIGKILL
    read_by_id = {guids[g]: r for g, (r, _) in snapshot(data).items()}
    # The batch after the last one reported may have been cut short by the kill.
    in_flight = (last[0] + BATCH) % len(ids)
    in_flight_value = last[1] if in_flight else 1 - last[1]
    for start in range(0, len(ids), BATCH):
        values = {read_by_id[i] for i in ids[start : start + BATCH]}
        if start == in_flight:
            if start // BATCH % 2 and in_flight_value == 1:
                # mark_all_read is one transaction: all of the batch or none of it.
                assert len(values) == 1, f"batch {start} half written"
            continue
        # Every reported batch holds exactly what was reported; the others are untouched.
        assert values == {confirmed.get(start, 0)}, (start, values, confirmed.get(start))
    assert_after_crash(data, before)


# --- SIGKILL during an OPML import ----------------------------------------------------------


@pytest.mark.slow
def test_sigkill_during_opml_import(tmp_path: Path) -> None:
    data = tmp_path / "data"
    before = make_store(data, feeds=2, per_feed=50)
    opml = tmp_path / "big.opml"
    opml.write_bytes(big_opml(20_000))
    env = cli_env(tmp_path)
    env["TUI_READER_DATA_DIR"] = str(data)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui_reader", "import-opml", str(opml)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        imported = 0
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            conn = sqlite3.connect(f"file:{data / DB_NAME}?mode=ro", uri=True, timeout=10)
            try:
                imported = conn.execute(
                    "SELECT count(*) FROM feeds WHERE url LIKE 'https://good.example/feed/%'"
                ).fetchone()[0]
            finally:
                conn.close()
            if imported >= 200:
                break
        if proc.poll() is not None:
            pytest.skip("the import finished before it could be interrupted")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        reap(proc)
    assert imported >= 200
    assert_after_crash(data, before)
    # Importing again finishes the job: nothing duplicated, nothing missing, titles clean.
    rerun = subprocess.run(
        [sys.executable, "-m", "tui_reader", "import-opml", str(opml)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert rerun.returncode == 0, rerun.stderr
    conn = sqlite3.connect(data / DB_NAME)
    try:
        urls = [r[0] for r in conn.execute("SELECT url FROM feeds")]
        titles = [r[0] for r in conn.execute("SELECT title FROM feeds")]
    finally:
        conn.close()
    assert len([u for u in urls if u.startswith("https://good.example/feed/")]) == 20_000
    assert len(urls) == len(set(urls))
    for title in titles:
        assert_clean(title, "feed title")


# --- two fetch processes and a writer at once -----------------------------------------------

WRITER = """
    import sys, time
    from pathlib import Path
    from tui_reader.core.config import Config
    from tui_reader.core.library import Library

    lib = Library.open(sys.argv[1], config=Config())
    stop = Path(sys.argv[2])
    ids = [a.id for a in lib.articles(limit=50)]
    n = 0
    while not stop.exists() or n < 20:
        for article_id in ids:
            lib.set_read(article_id, n % 2 == 0)
        lib.set_setting("writer", str(n))
        n += 1
    print(n)
"""


def _serve_feeds(server: LocalServer, feeds: int, items: int) -> list[str]:
    urls = []
    for f in range(feeds):
        entries = "".join(
            f"<item><title>F{f} item {i}</title><link>{server.url(f'/p/{f}/{i}')}</link>"
            f"<guid isPermaLink='false'>two-{f}-{i}</guid>"
            f"<description>text {i}</description></item>"
            for i in range(items)
        )
        server.add(
            f"/two/{f}.xml",
            f"<rss version='2.0'><channel><title>Two {f}</title>{entries}</channel></rss>",
            content_type="application/rss+xml",
            delay=0.05,
        )
        urls.append(server.url(f"/two/{f}.xml"))
    return urls


@pytest.mark.slow
def test_two_fetches_and_a_writer_at_once(http_server: LocalServer, tmp_path: Path) -> None:
    data = tmp_path / "data"
    before = make_store(data, feeds=2, per_feed=50)
    urls = _serve_feeds(http_server, feeds=40, items=5)
    store = Store.open(data / DB_NAME)
    try:
        for url in urls:
            store.add_feed(url)
    finally:
        store.close()
    env = cli_env(tmp_path)
    env["TUI_READER_DATA_DIR"] = str(data)
    stop = tmp_path / "stop"
    writer = spawn(WRITER, str(data), str(stop), env=env)
    fetches = [
        subprocess.Popen(
            [sys.executable, "-m", "tui_reader", "fetch", "--no-pages"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        outputs = [p.communicate(timeout=300) for p in fetches]
    finally:
        stop.touch()
        w_out, w_err = writer.communicate(timeout=120)
    for proc, (_out, err) in zip(fetches, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err and "locked" not in err, err
    assert writer.returncode == 0, w_err
    assert int(w_out) >= 20
    conn = sqlite3.connect(data / DB_NAME)
    try:
        guids = {r[0] for r in conn.execute("SELECT guid FROM articles WHERE guid LIKE 'two-%'")}
    finally:
        conn.close()
    assert len(guids) == 40 * 5, "articles of the two fetches were lost or duplicated"
    assert_after_crash(data, before)


# --- a full disk (a real EFBIG from RLIMIT_FSIZE) -------------------------------------------

FILLER = """
    import resource, signal, sys
    from tui_reader.core.config import Config
    from tui_reader.core.errors import TuiReaderError
    from tui_reader.core.library import Library
    from tui_reader.core.models import Article, Block, Span
    from tui_reader.core.storage import ArticleRecord

    lib = Library.open(sys.argv[1], config=Config())
    # From here on no file may grow past the limit: writes fail with EFBIG, as on a full disk.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    feed_id = lib.feeds()[0].id
    try:
        for n in range(10_000):
            text = f"filler {n} " * 2000
            block = Block("paragraph", spans=(Span(text),))
            article = Article(title=f"Filler {n}", blocks=(block,))
            record = ArticleRecord(guid=f"fill-{n}", url=None, title=article.title, article=article)
            lib.store.upsert_articles(feed_id, [record])
            print(n, flush=True)
    except TuiReaderError as exc:
        print("ERROR", exc, flush=True)
        sys.exit(1)
"""


def test_full_disk_is_a_one_line_error_and_loses_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    before = make_store(data, feeds=3, per_feed=60)
    size = sum(p.stat().st_size for p in data.iterdir())
    proc = spawn(FILLER, str(data), str(size + 2 * 1024 * 1024))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, (out[-500:], err[-2000:])
    assert "Traceback" not in err, err
    errors = [line for line in out.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, out[-500:]
    assert "full" in errors[0] or "disk" in errors[0] or "I/O" in errors[0], errors[0]
    written = [int(x) for x in out.splitlines() if x.isdigit()]
    assert written, "nothing was written before the disk filled up"
    conn = sqlite3.connect(data / DB_NAME)
    try:
        stored = {r[0] for r in conn.execute("SELECT guid FROM articles WHERE guid LIKE 'fill-%'")}
    finally:
        conn.close()
    # Every filler the process reported as written is there: commits before the failure hold.
    assert {f"fill-{n}" for n in written} <= stored
    assert_after_crash(data, before)


def test_full_disk_through_the_cli_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    before = make_store(data, feeds=2, per_feed=20)
    opml = tmp_path / "many.opml"
    opml.write_bytes(big_opml(3000))
    env = cli_env(tmp_path)
    env["TUI_READER_DATA_DIR"] = str(data)
    size = sum(p.stat().st_size for p in data.iterdir())
    limit = size + 64 * 1024

    def limit_size() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run(
        [sys.executable, "-m", "tui_reader", "import-opml", str(opml)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit_size,
    )
    assert proc.returncode == 1, (proc.stdout[-300:], proc.stderr[-2000:])
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tui-reader: error: "), proc.stderr[-2000:]
    assert_clean(lines[0])
    assert_after_crash(data, before)


# --- a read-only store ----------------------------------------------------------------------


def _mount_tmpfs(path: Path, size: str = "8m") -> bool:
    """Mount a small tmpfs at ``path`` (root only); False when this is not possible."""
    if os.geteuid() != 0 or not Path("/bin/mount").exists() and not Path("/usr/bin/mount").exists():
        return False
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
    )
    return done.returncode == 0


def test_read_only_filesystem_is_a_one_line_error(tmp_path: Path) -> None:
    # A real read-only file system: root cannot write there either (chmod would not stop it).
    mount = tmp_path / "ro"
    if not _mount_tmpfs(mount):
        pytest.skip("cannot mount a tmpfs here")
    try:
        data = mount / "data"
        before = make_store(data, feeds=2, per_feed=30)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        env = cli_env(tmp_path)
        env["TUI_READER_DATA_DIR"] = str(data)
        # Reading still works: the store is opened read-only.
        listed = subprocess.run(
            [sys.executable, "-m", "tui_reader", "feeds"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert listed.returncode == 0, listed.stderr
        assert len(listed.stdout.strip().splitlines()) >= 2, listed.stdout
        for args in (["import-opml", str(tmp_path / "x.opml")], ["fetch", "--no-pages"]):
            (tmp_path / "x.opml").write_bytes(big_opml(3))
            proc = subprocess.run(
                [sys.executable, "-m", "tui_reader", *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert "Traceback" not in proc.stderr, proc.stderr
            if proc.returncode != 0:
                lines = proc.stderr.splitlines()
                assert len(lines) == 1 and lines[0].startswith("tui-reader: error:"), lines
                assert_clean(lines[0])
        subprocess.run(["mount", "-o", "remount,rw", str(mount)], check=True)
        assert_after_crash(data, before)
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_read_only_store_injected_is_a_storage_error(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    # Wherever a real read-only mount is not possible: fail every write at the connection.
    data = tmp_path / "data"
    before = make_store(data, feeds=2, per_feed=30)
    library = Library.open(data, config=Config())
    try:
        real_connect = library.store._connect

        library.store.close()
        library.store._closed = False
        monkeypatch.setattr(library.store, "_connect", lambda: ReadOnlyConnection(real_connect()))
        article_id = library.articles(limit=1)[0].id
        with pytest.raises(StorageError) as info:
            library.set_read(article_id)
        message = str(info.value)
        assert "\n" not in message and "read-only" in message
        assert_clean(message)
        # Reading still works.
        assert library.article(article_id).article.title
    finally:
        library.close()
    assert_after_crash(data, before)


def test_real_full_disk_on_a_small_tmpfs(tmp_path: Path) -> None:
    # ENOSPC from a file system that really is full (needs root to mount; skipped otherwise).
    mount = tmp_path / "small"
    if not _mount_tmpfs(mount, "3m"):
        pytest.skip("cannot mount a tmpfs here")
    try:
        data = mount / "data"
        before = make_store(data, feeds=3, per_feed=60)
        proc = spawn(FILLER, str(data), str(10**12))
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 1, (out[-500:], err[-2000:])
        assert "Traceback" not in err, err
        errors = [line for line in out.splitlines() if line.startswith("ERROR")]
        assert len(errors) == 1 and "full" in errors[0], out[-500:]
        written = {f"fill-{n}" for n in (int(x) for x in out.splitlines() if x.isdigit())}
        assert written
        conn = sqlite3.connect(data / DB_NAME)
        try:
            stored = {r[0] for r in conn.execute("SELECT guid FROM articles")}
        finally:
            conn.close()
        assert written <= stored
        assert_after_crash(data, before)
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)
