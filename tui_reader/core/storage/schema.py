"""The store's schema and its migrations, versioned by ``PRAGMA user_version``.

Each migration is a list of SQL statements applied in one transaction, and bumps
``user_version`` to its position in :data:`MIGRATIONS` (1-based). A store at version N gets
migrations N+1.. applied in order; a store newer than this code is refused rather than
guessed at.

Times are stored as UTC epoch seconds (REAL). ``articles.sort_date`` is the date the lists
are ordered by: the entry's own date when it has one, else when it was fetched, so that every
row has one and the list indexes can serve ``ORDER BY`` directly.
"""

from __future__ import annotations

V1: tuple[str, ...] = (
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        site_url TEXT,
        kind TEXT NOT NULL DEFAULT 'feed' CHECK (kind IN ('feed', 'saved')),
        etag TEXT,
        last_modified TEXT,
        last_refresh REAL,
        last_error TEXT,
        created REAL NOT NULL
    )
    """,
    """
    CREATE TABLE feed_tags (
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (feed_id, tag)
    )
    """,
    "CREATE INDEX feed_tags_by_tag ON feed_tags(tag)",
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        guid TEXT NOT NULL,
        url TEXT,
        title TEXT NOT NULL DEFAULT '',
        author TEXT,
        published REAL,
        updated REAL,
        sort_date REAL NOT NULL,
        fetched_at REAL NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        summary_only INTEGER NOT NULL DEFAULT 0,
        position REAL NOT NULL DEFAULT 0,
        article_json TEXT NOT NULL,
        feed_summary_html TEXT,
        page_error TEXT,
        UNIQUE (feed_id, guid)
    )
    """,
    "CREATE INDEX articles_by_date ON articles(sort_date)",
    "CREATE INDEX articles_by_read ON articles(read, sort_date)",
    "CREATE INDEX articles_by_feed ON articles(feed_id, sort_date)",
    "CREATE INDEX articles_by_star ON articles(starred, sort_date)",
    "CREATE INDEX articles_by_url ON articles(url)",
    """
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    """,
)

# Version 2: full-text search. The FTS table keeps its own copy of the text (so snippet()
# works) keyed by the article id; the storage layer writes it with each article, and a
# trigger removes it with the article, including deletes cascaded from a feed.
V2: tuple[str, ...] = (
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, byline, text, tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        DELETE FROM articles_fts WHERE rowid = old.id;
    END
    """,
    # Rows stored before search existed are indexed from their title and author; their body
    # text is filled in by the storage layer's backfill (it needs the JSON decoded).
    "INSERT INTO articles_fts(rowid, title, byline, text) "
    "SELECT id, title, coalesce(author, ''), '' FROM articles",
    "CREATE INDEX articles_by_feed_read ON articles(feed_id, read)",
    "INSERT OR REPLACE INTO settings(key, value) VALUES ('fts_backfill', '1')",
)

# Version 3: each refresh looks for the feed's articles still waiting for their page; a
# partial index keeps that lookup small however many articles the feed has.
V3: tuple[str, ...] = (
    "CREATE INDEX articles_waiting ON articles(feed_id, sort_date) WHERE summary_only = 1",
)

# Version 4: how often an article's page has failed, so that a page that never works (a
# paywall, a page gone for good) stops being fetched on every refresh.
V4: tuple[str, ...] = (
    "ALTER TABLE articles ADD COLUMN page_attempts INTEGER NOT NULL DEFAULT 0",
    "UPDATE articles SET page_attempts = 1 WHERE page_error IS NOT NULL",
)

# Version 5: search also indexes figure captions and image descriptions, which the body text
# leaves out. The articles stored before are reindexed by the storage layer (it needs the JSON
# decoded), in small batches from the id kept in this setting, so that a big store is never
# locked for long and an interrupted backfill resumes where it stopped.
V5: tuple[str, ...] = (
    "INSERT OR REPLACE INTO settings(key, value) VALUES ('fts_captions_after', '0')",
)

# Version 6: the page each article was cleaned from, compressed, for the reader's whole-page
# view. A table of its own so that lists and searches never read it; it goes with its article
# (retention, feed removal) through the foreign key and, should foreign keys be off on some
# connection, through the trigger.
PAGES: tuple[str, ...] = (
    """
    CREATE TABLE pages (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        url TEXT,
        html_z BLOB NOT NULL,
        chars INTEGER NOT NULL,
        truncated INTEGER NOT NULL DEFAULT 0,
        stored_at REAL NOT NULL
    )
    """,
    """
    CREATE TRIGGER pages_delete AFTER DELETE ON articles BEGIN
        DELETE FROM pages WHERE article_id = old.id;
    END
    """,
)

# Version 7: a title the user gave a feed. Refreshes keep writing the feed's own title to
# ``title``; everything shown uses ``coalesce(user_title, title)``, so a rename survives them.
FEED_USER_TITLE: tuple[str, ...] = ("ALTER TABLE feeds ADD COLUMN user_title TEXT",)


# Version 8: refresh bookkeeping. ``feeds.deferred_until`` is when a server that answered
# ``Retry-After`` wants to be asked again (refreshes skip the feed until then);
# ``articles.listed`` says whether the entry was in the feed's latest document, so retention
# can run on a 304 (when the document is not at hand) without deleting entries the feed still
# lists (they would come back as new). Rows stored before are taken as listed until the next
# full fetch says otherwise.
REFRESH_STATE: tuple[str, ...] = (
    "ALTER TABLE feeds ADD COLUMN deferred_until REAL",
    "ALTER TABLE articles ADD COLUMN listed INTEGER NOT NULL DEFAULT 1",
)

# Version 9: sync with a feed server. ``remote_id`` is the server's id of a feed or article (text,
# in the protocol's canonical form); ``remote_html`` is the body the server stored for an article,
# kept apart from the page we cleaned (``article_json``), which sync never overwrites.
# ``sync_marks`` queues the user's read/starred changes for the server, one row per (item,
# flag): keyed by the server's id rather than the article's, a mark survives the article
# being pruned before it is delivered. ``version`` grows with every change, so a delivery
# drops a row only if nobody changed it while it was being sent. ``sync_state`` holds the
# cursor of incremental pulls and when the last sync ended.
SYNC: tuple[str, ...] = (
    "ALTER TABLE feeds ADD COLUMN remote_id TEXT",
    "ALTER TABLE articles ADD COLUMN remote_id TEXT",
    "ALTER TABLE articles ADD COLUMN remote_html TEXT",
    "CREATE UNIQUE INDEX articles_by_remote ON articles(remote_id) WHERE remote_id IS NOT NULL",
    "CREATE INDEX feeds_by_remote ON feeds(remote_id) WHERE remote_id IS NOT NULL",
    """
    CREATE TABLE sync_marks (
        item_id TEXT NOT NULL,
        flag TEXT NOT NULL CHECK (flag IN ('read', 'starred')),
        value INTEGER NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (item_id, flag)
    )
    """,
    """
    CREATE TABLE sync_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    """,
)

# Version 10: the pictures of articles, kept for offline reading. One row per (article, src):
# the stored file (content-addressed by ``hash``, under the data directory's ``pictures/``)
# or, when there is none, the one-line reason. Rows go with their article as pages do; files
# no row names any more are removed by the pictures module.
ARTICLE_PICTURES: tuple[str, ...] = (
    """
    CREATE TABLE article_pictures (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        src TEXT NOT NULL,
        hash TEXT,
        ext TEXT,
        width INTEGER,
        height INTEGER,
        bytes INTEGER,
        problem TEXT,
        stored_at REAL NOT NULL,
        PRIMARY KEY (article_id, src)
    )
    """,
    "CREATE INDEX article_pictures_by_hash ON article_pictures(hash) WHERE hash IS NOT NULL",
    # A picture another article already has (a site's recurring photo) is not fetched again.
    "CREATE INDEX article_pictures_by_src ON article_pictures(src) WHERE hash IS NOT NULL",
    """
    CREATE TRIGGER article_pictures_delete AFTER DELETE ON articles BEGIN
        DELETE FROM article_pictures WHERE article_id = old.id;
    END
    """,
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    V1,
    V2,
    V3,
    V4,
    V5,
    PAGES,
    FEED_USER_TITLE,
    REFRESH_STATE,
    SYNC,
    ARTICLE_PICTURES,
)
SCHEMA_VERSION = len(MIGRATIONS)
