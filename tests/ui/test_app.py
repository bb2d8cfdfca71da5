"""Pilot tests of the reader app against a real store: every key, and its effect."""

from __future__ import annotations

import logging
import webbrowser

import pytest
from textual.command import CommandPalette

from tui_reader.core.errors import StorageError
from tui_reader.core.library import Library
from tui_reader.ui.screens.help import HelpScreen
from tui_reader.ui.screens.links import LinksScreen
from tui_reader.ui.widgets.article_list import ArticleList
from tui_reader.ui.widgets.feed_tree import FeedTree
from tui_reader.ui.widgets.reader_pane import ReaderPane

from .conftest import open_with_config
from .contrast import contrast
from .helpers import main_screen, make_app, press, screen_text, settle, wait_until

WIDE = (160, 48)
NARROW = (80, 24)


def titles_in_store(library: Library, view: str = "all") -> list[str]:
    return [a.title for a in library.articles(view=view, limit=1000)]  # type: ignore[arg-type]


async def test_startup_lists_articles_newest_first(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Rust 2.0 released" in text
        lines = text.splitlines()
        rust = next(i for i, line in enumerate(lines) if "Rust 2.0" in line)
        elections = next(i for i, line in enumerate(lines) if "Elections" in line)
        assert rust < elections  # newest first
        assert "1h" in lines[rust]  # age from the injected clock
        assert "Tech Daily" in lines[rust]
        assert "online" in text
        # The footer is mounted just after the first frame.
        assert await wait_until(pilot, lambda: "Search" in screen_text(app).splitlines()[-1])
        footer = screen_text(app).splitlines()[-1]
        assert "Search" in footer and "Refresh" in footer and "Help" in footer
        assert isinstance(app.focused, ArticleList)
        tree_text = text
        assert "All 12" in tree_text and "Unread 12" in tree_text
        assert "#tech" in tree_text and "Miscellany" in tree_text


async def test_j_k_arrows_g_G_move_the_cursor(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        await press(pilot, "j", "j")
        assert articles.cursor == 2
        await press(pilot, "k")
        assert articles.cursor == 1
        await press(pilot, "down", "down", "up")
        assert articles.cursor == 2
        await press(pilot, "G")
        assert articles.cursor == 11
        await press(pilot, "g")
        assert articles.cursor == 0
        await press(pilot, "end")
        assert articles.cursor == 11
        await press(pilot, "home")
        assert articles.cursor == 0
        await press(pilot, "pagedown")
        assert articles.cursor > 5
        await press(pilot, "pageup")
        assert articles.cursor == 0


async def test_enter_opens_marks_read_and_escape_goes_back(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        first = library.articles(limit=1)[0]
        assert not first.read
        await press(pilot, "enter")
        reader = app.query_one(ReaderPane)
        assert isinstance(app.focused, ReaderPane)
        assert reader.stored is not None and reader.stored.summary.id == first.id
        text = screen_text(app)
        assert "About Rust 2.0" in text
        assert "Read · A. Writer · News Example · news.example · 2026-03-01 · 1 min read" in text
        assert library.article(first.id).summary.read  # mark_read_on_open
        assert "Unread 11" in text
        await press(pilot, "escape")
        assert isinstance(app.focused, ArticleList)
        await press(pilot, "j", "l")
        assert isinstance(app.focused, ReaderPane)
        assert reader.stored is not None and reader.stored.summary.title.startswith("Elections")
        await press(pilot, "h")
        assert isinstance(app.focused, ArticleList)


async def test_mark_read_on_open_can_be_turned_off(data_dir, isolated_dirs) -> None:
    library = open_with_config(data_dir, isolated_dirs, "[reader]\nmark_read_on_open = false\n")
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await press(pilot, "enter")
            assert app.query_one(ReaderPane).stored is not None
            first = library.articles(limit=1)[0]
            assert not first.read
    finally:
        library.close()


async def test_space_b_g_G_page_the_reader(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "enter")  # the 40-paragraph article
        reader = app.query_one(ReaderPane)
        assert reader.stored is not None and "東京" in reader.stored.summary.title
        assert reader.max_scroll_y > 40
        await press(pilot, "space")
        first_page = reader.scroll_y
        assert first_page >= 15
        await press(pilot, "pagedown")
        assert reader.scroll_y > first_page
        await press(pilot, "b")
        assert reader.scroll_y == first_page
        await press(pilot, "G")
        assert reader.scroll_y == reader.max_scroll_y
        await press(pilot, "g")
        assert reader.scroll_y == 0
        await press(pilot, "j", "j", "down")
        assert reader.scroll_y == 3
        await press(pilot, "k")
        assert reader.scroll_y == 2


async def test_J_K_step_through_articles_while_reading(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        titles = titles_in_store(library)
        await press(pilot, "enter")
        reader = app.query_one(ReaderPane)
        await press(pilot, "J")
        assert reader.stored is not None and reader.stored.summary.title == titles[1]
        await press(pilot, "J")
        assert reader.stored.summary.title == titles[2]
        await press(pilot, "K")
        assert reader.stored.summary.title == titles[1]
        assert app.query_one(ArticleList).cursor == 1
        assert isinstance(app.focused, ReaderPane)


async def test_n_N_go_to_unread(library: Library) -> None:
    ids = [a.id for a in library.articles(limit=100)]
    for article_id in ids[:4]:
        library.set_read(article_id, True)
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        await press(pilot, "n")
        assert articles.cursor == 4
        await press(pilot, "n")
        assert articles.cursor == 5
        await press(pilot, "N", "N")
        assert articles.cursor == 4  # no unread before row 4
        # In the reader, n opens the next unread article.
        await press(pilot, "enter", "n")
        reader = app.query_one(ReaderPane)
        assert reader.stored is not None and reader.stored.summary.id == ids[5]


async def test_tab_switches_panes(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, ArticleList)
        await press(pilot, "tab")
        assert isinstance(app.focused, ReaderPane)
        await press(pilot, "tab")
        assert isinstance(app.focused, FeedTree)
        await press(pilot, "tab")
        assert isinstance(app.focused, ArticleList)
        await press(pilot, "shift+tab")
        assert isinstance(app.focused, FeedTree)


async def test_selecting_a_feed_in_the_tree_filters_the_list(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await press(pilot, "h")  # list -> tree
        tree = app.query_one(FeedTree)
        assert isinstance(app.focused, FeedTree)
        # Move to the "Miscellany" feed (after All, Unread, Starred and the tag folders).
        for _ in range(20):
            node = tree.cursor_node
            if node is not None and node.data is not None and node.data.title == "Miscellany":
                break
            await press(pilot, "j")
        await press(pilot, "enter")
        articles = app.query_one(ArticleList)
        assert isinstance(app.focused, ArticleList)
        assert articles.count == 5
        assert "Miscellany · all · 5 articles" in screen_text(app)


async def test_m_and_s_toggle_flags_in_the_store(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        first = library.articles(limit=1)[0]
        await press(pilot, "m")
        assert library.article(first.id).summary.read
        await press(pilot, "m")
        assert not library.article(first.id).summary.read
        await press(pilot, "s")
        assert library.article(first.id).summary.starred
        assert "★" in screen_text(app).splitlines()[0]
        assert "Starred 1" in screen_text(app)
        # In the reader, the keys act on the article being read.
        await press(pilot, "j", "enter", "s")
        second = library.articles(limit=2)[1]
        assert library.article(second.id).summary.starred
        await press(pilot, "m")
        assert not library.article(second.id).summary.read


async def test_f_cycles_unread_starred_all(library: Library) -> None:
    first = library.articles(limit=1)[0]
    library.set_starred(first.id, True)
    library.set_read(first.id, True)
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        assert articles.count == 12
        await press(pilot, "f")
        assert articles.count == 11
        assert "Unread · 11 articles" in screen_text(app)
        await press(pilot, "f")
        assert articles.count == 1
        assert "Starred · 1 article" in screen_text(app)
        await press(pilot, "f")
        assert articles.count == 12


async def test_slash_searches_and_enter_opens_the_first_result(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        await pilot.press(*"kernel")
        await press(pilot, "enter")
        articles = app.query_one(ArticleList)
        assert isinstance(app.focused, ArticleList)
        assert articles.count == 1 and articles.cursor == 0
        assert "search: kernel" in screen_text(app)
        await press(pilot, "enter")
        reader = app.query_one(ReaderPane)
        assert reader.stored is not None and reader.stored.summary.title.startswith("Kernel")
        # Escape in the reader goes back to the results, a second Escape leaves the search.
        await press(pilot, "escape", "escape")
        assert articles.count == 12


async def test_o_opens_http_urls_in_the_browser_only(library: Library, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    feed_id = library.feeds()[0].id
    from .conftest import NOW, record

    evil = record(99, "Evil link", url="javascript:alert(1)", published=NOW)
    library.store.upsert_articles(feed_id, [evil])
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        top = library.articles(limit=1)[0]
        assert top.title == "Evil link"
        await press(pilot, "o")
        assert opened == []
        assert any("no http(s) link" in n.message for n in app._notifications)
        await press(pilot, "j", "o")
        assert opened == ["https://news.example/0"]


async def test_y_copies_the_url(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "y")
        assert app.clipboard == "https://news.example/1"
        await press(pilot, "enter", "J", "y")
        assert app.clipboard == "https://news.example/2"


async def test_L_lists_links_and_refuses_javascript(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "L")
        assert isinstance(app.screen, LinksScreen)
        urls = [url for _, url in app.screen.links]
        assert "https://links.example/a" in urls
        text = screen_text(app)
        assert "https://links.example/a" in text
        await press(pilot, "escape")
        assert not isinstance(app.screen, LinksScreen)
        # A javascript: link, however it got there, is never followed.
        main_screen(app).follow_link("javascript:alert(1)")
        await settle(pilot)
        assert any("Only http(s) links" in n.message for n in app._notifications)


async def test_theme_toggle_is_remembered(library: Library, data_dir) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await press(pilot, "t")
        assert app.theme == "textual-light"
        assert library.get_setting("theme") == "light"
    again = make_app(library, theme=library.get_setting("theme"))
    async with again.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert again.theme == "textual-light"


async def test_help_lists_every_key_with_remaps(data_dir, isolated_dirs) -> None:
    keys = '[keys]\nrefresh = "x,f5"\ntoggle_star = "asterisk"\n'
    library = open_with_config(data_dir, isolated_dirs, keys)
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await press(pilot, "question_mark")
            assert isinstance(app.screen, HelpScreen)
            text = screen_text(app)
            for expected in ("Refresh all feeds", "x F5", "Full-text search", "Toggle the star",
                             "Next unread article", "Copy the article's URL", "Quit"):  # fmt: skip
                assert expected in text, expected
            await press(pilot, "escape")
            # The remapped key works, the old one does not.
            first = library.articles(limit=1)[0]
            await press(pilot, "s")
            assert not library.article(first.id).summary.starred
            await press(pilot, "asterisk")
            assert library.article(first.id).summary.starred
    finally:
        library.close()


async def test_an_unknown_binding_id_in_config_is_reported(data_dir, isolated_dirs) -> None:
    library = open_with_config(data_dir, isolated_dirs, '[keys]\nrefresh = "x"\nrefrsh = "z"\n')
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            messages = [str(n.message) for n in app._notifications]
            assert any("refrsh" in m for m in messages), messages
            assert not any("refresh," in m or "named refresh" in m for m in messages)
    finally:
        library.close()


async def test_ctrl_p_opens_the_command_palette(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"toggle star")
        await settle(pilot)
        await press(pilot, "enter")
        first = library.articles(limit=1)[0]
        assert library.article(first.id).summary.starred


async def test_q_quits_and_saves_the_position(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "enter", "space", "space")
        reader = app.query_one(ReaderPane)
        assert reader.stored is not None
        article_id = reader.stored.summary.id
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert not app.is_running
    assert library.article(article_id).position > 0


async def test_reading_position_is_restored(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "enter", "space", "space")
        reader = app.query_one(ReaderPane)
        assert reader.stored is not None
        article_id = reader.stored.summary.id
        scrolled = reader.scroll_y
        assert scrolled > 10
        await press(pilot, "escape")
        saved = library.article(article_id).position
        assert 0 < saved < 1
        await press(pilot, "g", "enter")  # another article starts at the top
        assert reader.scroll_y == 0
        await press(pilot, "escape", "j", "j", "enter")
        assert reader.stored is not None and reader.stored.summary.id == article_id
        # The scroll happens after the laid-out article is first drawn: wait for that frame.
        await wait_until(pilot, lambda: reader.scroll_y == scrolled)
        assert reader.scroll_y == scrolled


async def test_narrow_reader_takes_the_screen(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.has_class("-narrow")
        assert not app.query_one(FeedTree).display or app.query_one(FeedTree).region.width == 0
        await press(pilot, "enter")
        reader = app.query_one(ReaderPane)
        assert reader.region.width == 80
        assert app.query_one(ArticleList).region.width == 0
        assert "About Rust 2.0" in screen_text(app)
        await press(pilot, "escape")
        assert app.query_one(ArticleList).region.width == 80
        assert reader.region.width == 0
        await press(pilot, "escape")  # back again: the feeds
        assert isinstance(app.focused, FeedTree)
        assert app.query_one(FeedTree).region.width == 80


async def test_wide_panes_are_side_by_side(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        tree = app.query_one(FeedTree).region
        articles = app.query_one(ArticleList).region
        reader = app.query_one(ReaderPane).region
        assert tree.width and articles.width and reader.width
        assert tree.x < articles.x < reader.x


async def test_markup_in_titles_is_shown_literally(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[@click=app.quit]x[/] and [" in text
        articles = app.query_one(ArticleList)
        index = titles_in_store(library).index("[@click=app.quit]x[/] and [bold red]not bold[/]")
        articles.move_cursor(index)
        await press(pilot, "enter")
        assert app.is_running
        assert "[@click=app.quit]x[/] and [bold red]not bold[/]" in screen_text(app)
        await pilot.click(ReaderPane, offset=(3, 0))
        await settle(pilot)
        assert app.is_running


async def test_cjk_and_emoji_titles_keep_columns_aligned(library: Library) -> None:
    from rich.cells import cell_len

    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        lines = screen_text(app).splitlines()
        rows = [line for line in lines if "●" in line]
        assert any("東京" in row for row in rows)
        # The feed column starts at the same cell on every row.
        starts = set()
        for row in rows:
            feed = next(f for f in ("Tech Daily", "World News", "Miscellany") if f in row[30:])
            list_part = row[: row.rindex(feed)]
            starts.add(cell_len(list_part))
        assert len(starts) == 1, starts
        assert articles.region.width > 0


async def test_summary_only_articles_are_labelled(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        index = titles_in_store(library).index("A summary only article")
        app.query_one(ArticleList).move_cursor(index)
        await press(pilot, "enter")
        assert "feed summary only" in screen_text(app)
        await press(pilot, "J")
        assert "feed summary only" not in screen_text(app)


async def test_storage_failure_is_one_notification_and_a_log_line(
    library: Library, monkeypatch, isolated_dirs, caplog
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise StorageError("the disk is full")

    monkeypatch.setattr(library, "set_starred", broken)
    app = make_app(library)
    with caplog.at_level(logging.ERROR, logger="tui_reader"):
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await press(pilot, "s")
            messages = [n.message for n in app._notifications]
            assert "Could not change the article: the disk is full" in messages
            assert app.is_running
            await press(pilot, "e")
            assert "the disk is full" in screen_text(app)
    assert "the disk is full" in caplog.text


async def test_offline_refresh_says_offline(data_dir) -> None:
    from .conftest import fill_store, standard_spec

    fill_store(data_dir, standard_spec())
    library = Library.open(data_dir, offline=True)
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            assert "offline" in screen_text(app).splitlines()[-2]
            await press(pilot, "r")
            assert any("Offline" in n.message for n in app._notifications)
            assert "offline, not refreshing" in screen_text(app)
    finally:
        library.close()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_mouse_click_selects_and_double_click_opens(library: Library, size) -> None:
    app = make_app(library)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        await pilot.click(ArticleList, offset=(5, 2))
        await settle(pilot)
        assert articles.cursor == 2
        await pilot.click(ArticleList, offset=(5, 2), times=2)
        await settle(pilot)
        reader = app.query_one(ReaderPane)
        assert reader.stored is not None
        assert reader.stored.summary.title == titles_in_store(library)[2]


async def test_no_color_still_shows_the_cursor(library: Library, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(library)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert app.no_color
        await press(pilot, "j")
        strips = app.screen._compositor.render_strips()
        cursor_row = next(s for s in strips if "Elections" in "".join(seg.text for seg in s))
        title = next(seg for seg in cursor_row if "Elections" in seg.text)
        other_row = next(s for s in strips if "Kernel" in "".join(seg.text for seg in s))
        other = next(seg for seg in other_row if "Kernel" in seg.text)
        assert title.style is not None and other.style is not None
        assert title.style.bgcolor is not None and other.style.bgcolor is not None
        # Greys only, yet the cursor row stands out from the others by its background.
        assert title.style.bgcolor.is_system_defined is False
        cursor_bg = title.style.bgcolor.get_truecolor()
        other_bg = other.style.bgcolor.get_truecolor()
        assert len({cursor_bg.red, cursor_bg.green, cursor_bg.blue}) == 1
        assert contrast(tuple(cursor_bg), tuple(other_bg)) >= 3


async def test_preloaded_startup_shows_titles_in_the_first_frame(library: Library) -> None:
    from tui_reader.ui.app import preload

    startup = preload(library)
    assert startup is not None and startup.count == 12
    app = make_app(library, startup=startup)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        # The rows come from the preloaded data, the tree's counts from a worker.
        assert "Rust 2.0 released" in screen_text(app)
        assert app.startup is None
        await settle(pilot)
        assert "All 12" in screen_text(app)
        await press(pilot, "enter")
        assert app.query_one(ReaderPane).stored is not None


async def test_a_theme_named_in_config_is_used(library: Library) -> None:
    app = make_app(library, theme="nord")
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        await press(pilot, "t")
        assert app.theme == "textual-light"


async def test_errors_reach_the_log_file(library: Library, isolated_dirs, monkeypatch) -> None:
    from tui_reader.core import paths
    from tui_reader.ui.app import setup_logging

    log_file = paths.log_path()
    setup_logging(log_file)

    def broken(*args: object, **kwargs: object) -> None:
        raise StorageError("attempt to write a readonly database")

    monkeypatch.setattr(library, "set_read", broken)
    app = make_app(library, log_file=log_file)
    try:
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await press(pilot, "m")
            assert app.is_running
    finally:
        import logging as _logging

        root = _logging.getLogger("tui_reader")
        for handler in list(root.handlers):
            if getattr(handler, "baseFilename", None) == str(log_file):
                handler.close()
                root.removeHandler(handler)
    text = log_file.read_text(encoding="utf-8")
    assert "Could not change the article: attempt to write a readonly database" in text
    assert str(log_file).startswith(str(isolated_dirs))


async def test_article_opens_even_when_marking_it_read_fails(library: Library, monkeypatch) -> None:
    def read_only(*args: object, **kwargs: object) -> None:
        raise StorageError("the store is read-only")

    monkeypatch.setattr(library, "set_read", read_only)
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        reader = app.query_one(ReaderPane)
        assert reader.stored is not None and "About Rust 2.0" in screen_text(app)
        messages = [n.message for n in app._notifications]
        assert "Could not mark the article read: the store is read-only" in messages
