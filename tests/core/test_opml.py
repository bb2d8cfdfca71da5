"""OPML import (folders and categories as tags, hostile input) and export (round trip)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tui_reader.core.errors import FeedError
from tui_reader.core.models import FeedInfo
from tui_reader.core.opml import OpmlOutline, parse_opml, write_opml

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="Tech">
      <outline text="Python" title="Python">
        <outline type="rss" text="Planet Python" xmlUrl="https://planetpython.org/rss20.xml"
                 htmlUrl="https://planetpython.org/"/>
      </outline>
      <outline type="rss" title="LWN" text="ignored" xmlUrl="https://lwn.net/headlines/rss"
               category="/Linux/Kernel,News"/>
    </outline>
    <outline type="rss" text="Top level" xmlurl="http://top.example.org/feed"/>
    <outline text="News">
      <outline type="rss" text="LWN again" xmlUrl="https://lwn.net/headlines/rss"/>
    </outline>
  </body>
</opml>
"""


def test_nested_folders_and_categories_become_path_tags() -> None:
    outlines = parse_opml(NESTED)
    assert outlines == [
        OpmlOutline(
            url="https://planetpython.org/rss20.xml",
            title="Planet Python",
            site_url="https://planetpython.org/",
            tags=("Tech/Python",),
        ),
        # Listed twice: once, with the tags of both places ("News" not repeated).
        OpmlOutline(
            url="https://lwn.net/headlines/rss",
            title="LWN",
            site_url=None,
            tags=("Tech", "Linux/Kernel", "News"),
        ),
        OpmlOutline(
            url="http://top.example.org/feed",
            title="Top level",
            site_url=None,
            tags=(),
        ),
    ]


def test_missing_and_non_http_xml_urls_are_skipped() -> None:
    data = b"""<opml version="1.0"><body>
      <outline text="no url"/>
      <outline text="empty" xmlUrl=""/>
      <outline text="file" xmlUrl="file:///etc/passwd"/>
      <outline text="js" xmlUrl="javascript:alert(1)"/>
      <outline text="relative" xmlUrl="/feed.xml"/>
      <outline text="ok" xmlUrl="https://ok.example.org/feed" htmlUrl="javascript:x()"/>
    </body></opml>"""
    outlines = parse_opml(data)
    assert [(o.url, o.title, o.site_url) for o in outlines] == [
        ("https://ok.example.org/feed", "ok", None)
    ]


def test_title_falls_back_to_the_url_and_text_is_cleaned() -> None:
    data = (
        b'<opml version="2.0"><body><outline text="Fol\x1b[31mder&#10;name">'
        b'<outline xmlUrl="https://a.example.org/f"/>'
        b'<outline title="  Spaced \t out  " xmlUrl="https://b.example.org/f"/>'
        b"</outline></body></opml>"
    )
    # \x1b is not legal XML; use a character that is but must still be cleaned.
    data = data.replace(b"\x1b[31m", "\u202e".encode())
    first, second = parse_opml(data)
    assert first.title == "https://a.example.org/f"
    assert first.tags == ("Folder name",)
    assert second.title == "Spaced out"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not xml at all",
        b"<html><body><p>hi</p></body></html>",
        b'<rss version="2.0"><channel/></rss>',
        b'<opml version="2.0"><head/></opml>',
        b"<opml><body><outline xmlUrl='https://x.org/f'></body></opml>",
        b"\xff\xfe\x00garbage",
        b'<?xml version="1.0" encoding="no-such-codec"?><opml><body/></opml>',
    ],
)
def test_garbage_is_a_feed_error(data: bytes) -> None:
    with pytest.raises(FeedError) as info:
        parse_opml(data)
    assert str(info.value).startswith("OPML: ")
    assert "\n" not in str(info.value)


def test_entity_declarations_are_refused() -> None:
    data = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://x.org/f"/></body></opml>"""
    with pytest.raises(FeedError, match="entity declarations are not allowed"):
        parse_opml(data)


def test_deep_nesting_does_not_crash() -> None:
    depth = 5000
    data = (
        b'<opml version="2.0"><body>'
        + b'<outline text="f">' * depth
        + b'<outline xmlUrl="https://deep.example.org/f"/>'
        + b"</outline>" * depth
        + b"</body></opml>"
    )
    (outline,) = parse_opml(data)
    assert outline.url == "https://deep.example.org/f"
    assert outline.tags == ("/".join(["f"] * 16),)


def test_empty_subscription_list() -> None:
    assert parse_opml(b'<opml version="2.0"><head/><body/></opml>') == []


FEEDS = [
    FeedInfo(
        id=1,
        url="https://planetpython.org/rss20.xml",
        title="Planet Python",
        site_url="https://planetpython.org/",
        tags=("Tech", "Python"),
    ),
    FeedInfo(id=2, url="https://lwn.net/headlines/rss?a=1&b=2", title='LWN "<news>" & more'),
    FeedInfo(id=3, url="https://blog.example.org/feed", title="Blog", tags=("Personal",)),
    FeedInfo(id=4, url="https://saved.invalid/", title="Saved pages", kind="saved"),
    FeedInfo(id=5, url="https://x.example.org/f", title="X", tags=("tech", "Misc")),
]


def test_write_opml_structure_and_escaping() -> None:
    text = write_opml(FEEDS, title="Mine & yours")
    root = ET.fromstring(text.encode())
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "Mine & yours"
    body = root.find("body")
    assert body is not None
    top = list(body)
    # Folders sorted by name (case-insensitively), then feeds without tags.
    assert [o.get("text") for o in top] == ["Personal", "Tech", "tech", 'LWN "<news>" & more']
    tech = top[1]
    assert [o.get("xmlUrl") for o in tech] == ["https://planetpython.org/rss20.xml"]
    assert tech[0].get("category") == "Tech,Python"
    assert tech[0].get("type") == "rss"
    assert top[3].get("xmlUrl") == "https://lwn.net/headlines/rss?a=1&b=2"
    assert "saved.invalid" not in text
    assert "&amp;b=2" in text  # escaped in the file itself


def test_round_trip_keeps_urls_titles_sites_and_tags() -> None:
    feeds = [f for f in FEEDS if f.kind == "feed"]
    outlines = parse_opml(write_opml(feeds).encode("utf-8"))
    assert sorted((o.url, o.title, o.site_url, o.tags) for o in outlines) == sorted(
        (f.url, f.title, f.site_url, f.tags) for f in feeds
    )


def test_path_tags_are_exported_as_nested_folders_and_read_back() -> None:
    feeds = [
        FeedInfo(id=1, url="https://a.example/f", title="A", tags=("News/Tech",)),
        FeedInfo(id=2, url="https://b.example/f", title="B", tags=("News",)),
    ]
    document = write_opml(feeds)
    body = ET.fromstring(document).find("body")
    assert body is not None
    (news,) = body.findall("outline")
    assert news.get("text") == "News"
    tech = next(o for o in news.findall("outline") if o.get("text") == "Tech")
    assert [o.get("xmlUrl") for o in tech.findall("outline")] == ["https://a.example/f"]
    again = {o.url: o.tags for o in parse_opml(document.encode())}
    assert again == {"https://a.example/f": ("News/Tech",), "https://b.example/f": ("News",)}
