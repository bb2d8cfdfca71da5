"""One focused test per body-extraction heuristic, on small handwritten pages."""

from __future__ import annotations

import pytest

from tui_reader.core.errors import ExtractError
from tui_reader.core.extract import extract
from tui_reader.core.extract.boilerplate import is_furniture_line
from tui_reader.core.extract.clean import furniture_strength
from tui_reader.core.extract.filters import refine
from tui_reader.core.models import Article, Block, Span

PROSE = [
    "The river rose through the night, and by morning the lower town was under water, "
    "with boats moving slowly along the streets where cars had been parked the day before.",
    "Officials said the levee had held for most of its length, but a section near the old "
    "mill gave way shortly after three o'clock, sending a wall of water toward the houses.",
    "Residents who had ignored the evacuation order waited on rooftops, waving sheets at the "
    "helicopters that circled overhead, while volunteers ferried the elderly to high ground.",
    "By evening the water had begun to fall, leaving behind a layer of mud, broken fences, "
    "and the question of why the warnings had come so late to the people who needed them.",
]


def page(body: str, head: str = "<title>Flood</title>") -> str:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"


def paragraphs(texts: list[str] | None = None) -> str:
    return "".join(f"<p>{t}</p>" for t in (texts or PROSE))


def article(extra_inside: str = "", extra_outside: str = "") -> str:
    return page(f"<article>{paragraphs()}{extra_inside}</article>{extra_outside}")


def body_text(html: str, url: str | None = "https://news.example/story") -> str:
    return extract(html, url).text


def test_prose_paragraphs_are_the_body_in_order() -> None:
    text = body_text(article())
    assert text == "\n\n".join(PROSE)


def test_scripts_and_styles_are_dropped() -> None:
    extra = "<script>var tracking = 'SCRIPTTEXT';</script><style>.x{color:red}</style>"
    text = body_text(article(extra_inside=extra))
    assert "SCRIPTTEXT" not in text
    assert "color" not in text


@pytest.mark.parametrize(
    "hidden",
    [
        "<div hidden><p>HIDDEN TEXT that is long enough to look like a real paragraph.</p></div>",
        '<div aria-hidden="true"><p>HIDDEN TEXT that is long enough to be prose.</p></div>',
        '<div style="color: red; DISPLAY: none"><p>HIDDEN TEXT long enough for prose.</p></div>',
        '<p style="visibility:hidden">HIDDEN TEXT long enough to look like prose here.</p>',
    ],
)
def test_hidden_elements_are_dropped(hidden: str) -> None:
    text = body_text(article(extra_inside=hidden))
    assert "HIDDEN TEXT" not in text
    assert PROSE[0] in text


def test_navigation_and_menus_are_dropped() -> None:
    nav = '<nav><ul><li><a href="/a">World news and more</a></li></ul></nav>'
    menu = '<div role="navigation"><p>MENU: Politics, Business, Sport and Culture today</p></div>'
    text = body_text(page(nav + menu + f"<article>{paragraphs()}</article>"))
    assert "World news" not in text
    assert "MENU" not in text


@pytest.mark.parametrize(
    "furniture",
    [
        '<div class="share-bar"><p>SHARE on every social network you can think of today</p></div>',
        '<div class="newsletter-signup"><p>NEWSLETTER: the best stories in your inbox, daily</p>'
        "</div>",
        '<section id="comments"><p>COMMENT: I completely disagree with this article, because '
        "the river never floods in November.</p></section>",
        '<div class="related-stories"><p>RELATED: Another flood story from last year, '
        "told at length by a different reporter.</p></div>",
        '<div class="cookie-consent"><p>COOKIES: we use cookies to improve your experience '
        "on this site.</p></div>",
        '<div class="ad-slot"><p>ADVERTISEMENT copy for a product nobody asked about.</p></div>',
        '<div class="author-bio"><p>AUTHOR: Jane Doe has covered rivers for twenty years at '
        "this paper.</p></div>",
    ],
)
def test_named_furniture_inside_the_article_is_dropped(furniture: str) -> None:
    text = body_text(article(extra_inside=furniture))
    for marker in ("SHARE", "NEWSLETTER", "COMMENT", "RELATED", "COOKIES", "ADVERT", "AUTHOR"):
        assert marker not in text
    assert PROSE[-1] in text


def test_long_comment_section_does_not_win_over_a_shorter_article() -> None:
    comments = "".join(
        f"<div class='comment'><p>COMMENT {i}: {PROSE[i % 4]}</p></div>" for i in range(12)
    )
    html = page(
        f"<div class='story'>{paragraphs(PROSE[:3])}</div>"
        f"<div id='comments' class='comments-area'>{comments}</div>"
    )
    text = body_text(html)
    assert "COMMENT" not in text
    assert PROSE[0] in text


def test_prose_container_beats_link_lists() -> None:
    links = "".join(
        f'<li><a href="/story/{i}">A headline about something else entirely, number {i}</a></li>'
        for i in range(40)
    )
    html = page(f"<div class='wrap'><ul>{links}</ul><div class='x'>{paragraphs()}</div></div>")
    text = body_text(html)
    assert "headline about something" not in text
    assert text.startswith(PROSE[0])


def test_article_split_by_an_ad_is_kept_whole() -> None:
    html = page(
        "<div class='main'>"
        f"<div class='part'>{paragraphs(PROSE[:2])}</div>"
        "<div class='x'><a href='/buy'>Buy now</a></div>"
        f"<div class='part'>{paragraphs(PROSE[2:])}</div>"
        "</div>"
        "<div class='other'><a href='/1'>Other</a> <a href='/2'>Links</a></div>"
    )
    assert body_text(html) == "\n\n".join(PROSE)


def test_link_heavy_list_inside_the_article_is_dropped() -> None:
    teasers = "<ul>" + "".join(
        f'<li><a href="/t/{i}">Teaser headline number {i} about a different story</a></li>'
        for i in range(5)
    )
    text = body_text(article(extra_inside=teasers + "</ul>"))
    assert "Teaser headline" not in text


def test_content_list_with_few_links_is_kept() -> None:
    items = (
        "<ul><li>Sandbags at the school gym</li><li>Water at the <a href='/h'>hall</a></li></ul>"
    )
    text = body_text(article(extra_inside=items))
    assert "Sandbags at the school gym" in text


def test_paragraph_that_is_all_link_is_dropped() -> None:
    more = '<p><a href="/other">Read more: the drought that came before the flood</a></p>'
    assert "drought" not in body_text(article(extra_inside=more))


@pytest.mark.parametrize(
    "line", ["Advertisement", "Share this article", "Read more", "Related Stories", "ADVERTISING"]
)
def test_stock_furniture_lines_are_dropped(line: str) -> None:
    html = page(f"<article><p>{line}</p>{paragraphs()}<p>{line}</p></article>")
    assert body_text(html) == "\n\n".join(PROSE)


def test_furniture_line_detection_leaves_prose_alone() -> None:
    assert is_furniture_line("Share this article")
    assert is_furniture_line("We use cookies to improve your experience.")
    assert not is_furniture_line(PROSE[0])
    assert not is_furniture_line("Share prices fell sharply on Tuesday after the announcement.")


def test_title_and_byline_repeated_at_the_top_are_dropped() -> None:
    head = '<title>Flood</title><meta property="og:title" content="The river rose overnight">'
    html = page(
        f"<article><h1>The river rose overnight</h1><p>By Jane Doe</p>{paragraphs()}</article>",
        head=head,
    )
    result = extract(html, "https://news.example/story")
    assert result.title == "The river rose overnight"
    assert result.text == "\n\n".join(PROSE)


def test_trailing_heading_without_content_is_dropped() -> None:
    text = body_text(article(extra_inside="<h2>More from the newsroom</h2>"))
    assert "More from" not in text


def _first(result: Article, kind: str) -> Block:
    for block in result.blocks:
        for inner in block.walk():
            if inner.kind == kind:
                return inner
    raise AssertionError(f"no {kind} block")


def test_links_are_absolute_and_unsafe_schemes_lose_only_the_link() -> None:
    html = article(
        extra_inside=(
            '<p>See <a href="/reports/levee">the levee report</a> and '
            '<a href="javascript:alert(1)">this trick</a> for the full details of the night.</p>'
        )
    )
    result = extract(html, "https://news.example/story")
    spans = result.blocks[-1].spans
    hrefs = {span.text: span.href for span in spans}
    assert hrefs["the levee report"] == "https://news.example/reports/levee"
    assert any("this trick" in span.text and span.href is None for span in spans)
    assert "javascript" not in repr(result.blocks)


def test_inline_styles_become_spans() -> None:
    html = article(
        extra_inside="<p>The <em>old</em> mill, the <strong>new</strong> dam and the "
        "<code>gauge-7</code> sensor were all checked by the engineers that night.</p>"
    )
    spans = extract(html).blocks[-1].spans
    styles = {span.text: span.style for span in spans if span.style}
    assert styles == {"old": "em", "new": "strong", "gauge-7": "code"}


def test_structure_headings_lists_quotes_code_tables_figures_rules() -> None:
    html = article(
        extra_inside=(
            "<h2>What happened</h2>"
            "<ol><li>Rain<ul><li>Heavy</li><li>Long</li></ul></li><li>Levee breach</li></ol>"
            "<blockquote><p>We had no warning at all, none, said a resident of the town.</p>"
            "</blockquote>"
            '<pre><code class="language-python">'
            "level = 7\nif level &gt; 5:\n    alarm()</code></pre>"
            "<table><thead><tr><th>Hour</th><th>Level</th></tr></thead>"
            "<tbody><tr><td>3am</td><td>7 m</td></tr></tbody></table>"
            '<figure><img src="/img/flood.jpg" alt="Flooded street">'
            "<figcaption>Main Street at dawn.</figcaption></figure>"
            "<hr>"
            f"<p>{PROSE[0]}</p>"
        )
    )
    result = extract(html, "https://news.example/story")
    heading = _first(result, "heading")
    assert (heading.text, heading.level) == ("What happened", 2)
    outer = _first(result, "list")
    assert outer.ordered
    assert outer.children[0].inline_text == "Rain"
    nested = outer.children[0].children[0]
    assert nested.kind == "list" and not nested.ordered
    assert [item.text for item in nested.children] == ["Heavy", "Long"]
    assert _first(result, "quote").text.startswith("We had no warning")
    code = _first(result, "code")
    assert code.code == "level = 7\nif level > 5:\n    alarm()"
    assert code.language == "python"
    table = _first(result, "table")
    assert table.rows == (("Hour", "Level"), ("3am", "7 m"))
    assert table.header_rows == 1
    figure = _first(result, "figure")
    assert figure.src == "https://news.example/img/flood.jpg"
    assert figure.alt == "Flooded street"
    assert figure.inline_text == "Main Street at dawn."
    assert _first(result, "rule").kind == "rule"


def test_line_breaks_inside_a_paragraph_survive() -> None:
    html = article(extra_inside="<p>First line of the address<br>Second line of it here</p>")
    assert "First line of the address\nSecond line of it here" in body_text(html)


def test_control_characters_never_reach_the_output() -> None:
    html = article(
        extra_inside="<p>Water \x1b]52;c;aGk=\x07level \x1b[31mrose\u202e again, then fell "
        "back to where it was before the storm.</p>"
    )
    result = extract(html)
    for char in ("\x1b", "\x07", "\u202e"):
        assert char not in result.text
        assert char not in repr(result.blocks)
    assert "Water level rose again" in result.text


def test_taxonomy_classes_do_not_make_the_post_furniture() -> None:
    html = page(
        f'<div class="post tag-comments category-advertising">{paragraphs()}</div>'
        '<div class="sidebar"><p>Sidebar blurb that is long enough to be prose, really.</p></div>'
    )
    text = body_text(html)
    assert text == "\n\n".join(PROSE)


def test_furniture_name_with_content_word_is_a_wrapper() -> None:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(
        '<div class="content-with-sidebar"></div><div class="sidebar"></div>'
        '<div class="comments-area"></div><body class="single-post"></body>'
    )
    strengths = [furniture_strength(node) for node in tree.css("div")]
    assert strengths == [0, 1, 2]
    assert tree.body is not None and furniture_strength(tree.body) == 0


def test_div_text_without_paragraph_tags_is_found() -> None:
    html = page(
        "<div class='nav'><a href='/'>Home</a></div>"
        f"<div class='story'>{'<br><br>'.join(PROSE)}</div>"
    )
    text = body_text(html)
    for sentence in PROSE:
        assert sentence in text


@pytest.mark.parametrize(
    "html",
    [
        "",
        b"",
        bytes(range(256)) * 50,
        "<div>" * 10_000 + "<p>" + " ".join(PROSE) + "</p>" + "</div>" * 10_000,
        "<blockquote><ul><li>" * 4_000 + "deep text",
        "<b><i>" * 10_000 + "deep inline text",
        "<table><tr><td>" * 3_000 + "deep table text",
    ],
    ids=["empty", "empty-bytes", "binary", "deep-div", "deep-lists", "deep-inline", "deep-table"],
)
def test_hostile_inputs_return_an_article(html: str | bytes) -> None:
    result = extract(html)
    assert isinstance(result, Article)
    assert "\x00" not in result.text


def test_deep_nesting_keeps_the_text() -> None:
    html = "<div>" * 10_000 + "<p>" + PROSE[0] + "</p>" + "</div>" * 10_000
    assert extract(html).text == PROSE[0]


def test_non_html_input_raises_extract_error() -> None:
    with pytest.raises(ExtractError):
        extract(12345)  # type: ignore[arg-type]


def test_bytes_are_decoded_by_their_declared_charset() -> None:
    html = (
        '<html><head><meta charset="windows-1252"></head><body><article>'
        + paragraphs([PROSE[0] + " Caf\xe9 cr\xe8me."])
        + "</article></body></html>"
    ).encode("cp1252")
    assert "Café crème." in extract(html).text


def test_furniture_named_page_wrapper_holding_the_story_is_not_furniture() -> None:
    # Whole pages sit inside oddly named wrappers; holding the headline and most of the
    # prose makes them wrappers, not furniture.
    html = page(
        '<div class="advertisement-off-canvas-pusher"><h1>Flood</h1>'
        f'<div class="story">{paragraphs()}</div>'
        '<div class="x"><a href="/1">Elsewhere</a></div></div>'
    )
    assert body_text(html) == "\n\n".join(PROSE)


def test_sidebar_named_layout_wrapper_still_lets_the_post_win() -> None:
    html = page(
        '<div class="container has-sidebar">'
        f'<div class="post">{paragraphs()}</div>'
        '<div class="comments"><p>COMMENT: I think the levee report is wrong, frankly, '
        "and so does everybody on my street.</p></div></div>"
    )
    text = body_text(html)
    assert text.startswith(PROSE[0])
    assert "COMMENT" not in text


def test_file_name_alt_text_is_dropped() -> None:
    html = article(extra_inside='<img src="/a.jpg" alt="flood-photo-2019_03"><p>After.</p>')
    figure = _first(extract(html, "https://news.example/"), "figure")
    assert figure.src == "https://news.example/a.jpg"
    assert figure.alt == ""


def test_repeated_caption_text_appears_once() -> None:
    caption = "Boats on Main Street after the levee broke, early on Tuesday morning."
    html = article(
        extra_inside=f'<figure><img src="/b.jpg"><figcaption>{caption}</figcaption></figure>'
        f"<p>{caption}</p>"
    )
    blocks = extract(html, "https://news.example/story").blocks
    assert [b.text for b in blocks].count(caption) == 1
    assert [b.kind for b in blocks if b.text == caption] == ["figure"]


def test_text_leaves_figures_out_but_blocks_and_markdown_keep_them() -> None:
    caption = "Boats on Main Street after the levee broke, early on Tuesday morning."
    html = article(
        extra_inside=f'<figure><img src="/b.jpg"><figcaption>{caption}</figcaption></figure>'
    )
    result = extract(html, "https://news.example/story")
    assert caption not in result.text
    assert _first(result, "figure").text == caption
    assert caption in result.markdown


@pytest.mark.parametrize("line", ["Image 2 of 5", "Caption", "Close", "Explore further"])
def test_gallery_and_widget_labels_are_furniture(line: str) -> None:
    assert is_furniture_line(line)


def test_articles_nested_in_an_article_are_teasers() -> None:
    teasers = "".join(
        f"<article class='card'><p>{PROSE[i % 4]} Teaser {i}.</p></article>" for i in range(4)
    )
    html = page(
        f"<div class='main'><article class='story'>{paragraphs(PROSE[:2])}</article>"
        f"<article class='more'><h3>You may also like</h3>{teasers}</article></div>"
    )
    text = body_text(html)
    assert "Teaser" not in text
    assert text == "\n\n".join(PROSE[:2])


def test_single_nested_article_is_the_body_not_a_teaser() -> None:
    html = page(f"<article class='page'><article class='post'>{paragraphs()}</article></article>")
    assert body_text(html) == "\n\n".join(PROSE)


def test_share_button_labels_are_furniture() -> None:
    assert is_furniture_line("Facebook Twitter Google+ Whatsapp")
    assert is_furniture_line("paul.reporter@news.example")
    assert not is_furniture_line("Twitter said on Monday it would stop the practice.")


def test_double_line_break_ends_a_paragraph() -> None:
    html = page(f"<div class='story'>{PROSE[0]}<br><br>{PROSE[1]}<br>{PROSE[2]}</div>")
    blocks = extract(html).blocks
    assert [b.text for b in blocks] == [PROSE[0], f"{PROSE[1]}\n{PROSE[2]}"]


def test_permalink_anchors_and_edit_links_are_dropped() -> None:
    html = article(
        extra_inside='<h2>Aftermath<a class="headerlink" href="#aftermath">¶</a></h2>'
        '<span class="mw-editsection">[edit]</span>'
        "<p>Insurers began counting the cost of the damage to the lower town.</p>"
    )
    text = body_text(html)
    assert "\n\nAftermath\n\n" in text
    assert "¶" not in text and "[edit]" not in text


def test_ornament_paragraphs_are_dropped() -> None:
    assert body_text(article(extra_inside="<p>■</p><p>* * *</p>")) == "\n\n".join(PROSE)


def test_title_reused_below_the_first_paragraph_is_kept() -> None:
    head = '<meta property="og:title" content="Bean soup">'
    html = page(f"<article><p>{PROSE[0]}</p><h2>Bean soup</h2><p>{PROSE[1]}</p></article>", head)
    assert body_text(html) == f"{PROSE[0]}\n\nBean soup\n\n{PROSE[1]}"


def test_short_tail_after_a_closing_rule_is_a_footer() -> None:
    html = article(extra_inside="<hr><p><a href='/'>Home</a> | Contact the webmaster</p>")
    assert body_text(html) == "\n\n".join(PROSE)


def test_heading_with_header_in_its_class_is_kept() -> None:
    html = article(extra_inside='<h3 class="recipe-header">Ingredients</h3><p>Beans.</p>')
    assert "Ingredients" in body_text(html)


def test_credit_inside_a_caption_stays_with_the_caption() -> None:
    html = article(
        extra_inside='<figure><img src="/c.jpg"><figcaption>Salt pans. '
        '<span class="photo-credit">Photo: A. Person</span></figcaption></figure>'
    )
    assert _first(extract(html), "figure").inline_text == "Salt pans. Photo: A. Person"


def test_document_url_is_sanitized() -> None:
    assert extract(article(), "javascript:alert(1)").url is None
    assert extract(article(), "https://news.example/a").url == "https://news.example/a"


def test_headline_and_excerpt_teaser_lists_are_dropped() -> None:
    items = "".join(
        f'<li><a href="/s/{i}">Other headline {i}</a> <span>{PROSE[i % 4][:120]}...</span></li>'
        for i in range(6)
    )
    html = page(
        f"<div class='left'><div class='ticker'><ul>{items}</ul></div>"
        f"<div class='story'>{paragraphs()}</div></div>"
    )
    text = body_text(html)
    assert "Other headline" not in text
    assert text == "\n\n".join(PROSE)


def test_ellipsis_excerpts_do_not_count_as_prose() -> None:
    from selectolax.lexbor import LexborHTMLParser

    from tui_reader.core.extract.score import find_body

    excerpts = "".join(f"<div class='card'>{PROSE[i % 4][:150]}...</div>" for i in range(8))
    tree = LexborHTMLParser(
        page(f"<div id='teasers'>{excerpts}</div><div id='story'>{paragraphs(PROSE[:2])}</div>")
    )
    assert tree.body is not None
    assert find_body(tree.body).attrs.get("id") == "story"


def test_caption_boxes_become_figures_and_repeat_captions_are_dropped() -> None:
    caption = "Rescue boats on Main Street, Tuesday."
    box = (
        f'<div class="wp-caption"><img src="/d.jpg" alt="">'
        f'<p class="wp-caption-text">{caption}</p></div>'
    )
    html = article(extra_inside=box + f"<p>{PROSE[0][:40]} more.</p>" + box)
    result = extract(html, "https://news.example/")
    figures = [b for b in result.blocks if b.kind == "figure"]
    assert figures[0].src == "https://news.example/d.jpg"
    assert figures[0].inline_text == caption
    assert [b.text for b in result.blocks].count(caption) == 1


def test_repeated_lines_that_are_not_captions_are_kept() -> None:
    plan = "".join(
        f"<h3>Day {day}</h3><p>Breakfast: oats, berries and a cup of green tea.</p>"
        for day in range(1, 4)
    )
    text = body_text(article(extra_inside=plan))
    assert text.count("Breakfast: oats, berries and a cup of green tea.") == 3


def test_embedded_posts_are_content_not_social_furniture() -> None:
    embed = (
        '<div class="social-media-embed"><blockquote><p>The levee is gone, the whole '
        "street is under water right now, stay away from the river.</p></blockquote></div>"
    )
    assert "The levee is gone" in body_text(article(extra_inside=embed))


def test_widget_control_labels_are_furniture() -> None:
    assert is_furniture_line("Caption Close")
    assert is_furniture_line("Expand · Gallery")
    assert not is_furniture_line("Close the gallery doors before the water rises.")


def test_caption_made_of_control_labels_is_dropped() -> None:
    html = article(
        extra_inside='<div class="captionlink"><p class="open">Caption</p>'
        '<p class="close">Close</p></div>'
    )
    assert body_text(html) == "\n\n".join(PROSE)


def test_hidden_checks_look_at_the_declaration_not_just_the_word() -> None:
    shown = (
        '<p style="text-decoration: none; overflow: hidden">SHOWN paragraph that is long '
        "enough to be prose in this story.</p>"
    )
    hidden = '<p aria-hidden="true" style="width: 10px">HIDDEN paragraph, long enough too.</p>'
    text = body_text(article(extra_inside=shown + hidden))
    assert "SHOWN paragraph" in text
    assert "HIDDEN paragraph" not in text


def test_absolute_and_relative_links_resolve_alike() -> None:
    html = article(
        extra_inside='<p>See <a href="https://other.example/x?a=1#f">the source</a> and '
        '<a href="../y">the archive</a> and <a href="HTTPS://Other.example/z">this</a>.</p>'
    )
    hrefs = [s.href for s in extract(html, "https://news.example/a/b").blocks[-1].spans if s.href]
    assert hrefs == [
        "https://other.example/x?a=1#f",
        "https://news.example/y",
        "https://Other.example/z",
    ]


@pytest.mark.parametrize(
    ("style", "text", "dropped"),
    [
        # A chart's label: placed on both axes, in per cent of the picture.
        ("top:12.5%;left:3%;width:40px", "Average monthly bill", True),
        ("bottom:30.2%; right: 8.8%", "Rates approved in March 2023", True),
        ("TOP: 4%; LEFT: 2%", "Average monthly bill", True),
        # Margins are not positions; one axis alone places nothing on a picture.
        ("margin-top:2%;margin-left:5%", "Average monthly bill", False),
        ("top:12%;width:40px", "Average monthly bill", False),
        # Offsets in pixels lay out a page, not a picture.
        ("top:12px;left:30px", "Average monthly bill", False),
        # Prose is no label, wherever it is placed.
        ("top:10%;left:5%", PROSE[0], False),
    ],
)
def test_labels_laid_over_a_picture_are_dropped(style: str, text: str, dropped: bool) -> None:
    graphic = (
        '<div class="artboard"><img src="https://news.example/chart.png">'
        f'<div style="{style}"><p>{text}</p></div></div>'
    )
    html = page(f"<article>{paragraphs(PROSE[:2])}{graphic}{paragraphs(PROSE[2:])}</article>")
    text_out = body_text(html)
    assert PROSE[3] in text_out
    assert (text not in text_out) is dropped


def test_a_placed_element_holding_a_picture_is_kept() -> None:
    graphic = (
        '<div style="top:5%;left:5%"><img src="https://news.example/inset.png" alt="Inset">'
        "<p>Inset map</p></div>"
    )
    html = page(f"<article>{paragraphs(PROSE[:2])}{graphic}{paragraphs(PROSE[2:])}</article>")
    article = extract(html, "https://news.example/story")
    assert any(block.src == "https://news.example/inset.png" for block in article.blocks)


def test_a_placed_container_is_not_removed_from_under_itself() -> None:
    # The chosen container itself may carry such a style: it is the story, not a label.
    html = page(f'<div style="top:0%;left:0%"><p>{PROSE[0][:70]}</p></div>')
    assert body_text(html) == PROSE[0][:70]


# --- pagers: numbers counting up ------------------------------------------------------


def _para(text: str) -> Block:
    return Block("paragraph", spans=(Span(text),))


def _texts(blocks: list[Block]) -> list[str]:
    return [block.text for block in blocks]


STORY = "The council met on Tuesday night and voted to keep the library open on Sundays."


@pytest.mark.parametrize("numbers", [["1", "2", "3"], ["4", "5", "6", "7"], [" 9 ", "10", "11"]])
def test_a_run_of_numbers_counting_up_is_a_pager(numbers: list[str]) -> None:
    blocks = [_para(STORY), *(_para(n) for n in numbers), _para(STORY + " Again.")]
    assert _texts(refine(blocks)) == [STORY, STORY + " Again."]


@pytest.mark.parametrize(
    "numbers",
    [
        ["1", "2"],  # two numbers: too few to call a pager
        ["1", "3", "5"],  # not counting up by one
        ["3", "2", "1"],  # counting down (a countdown)
        ["1", "2", "3a"],  # not all numbers
        ["2019", "2020", "20211"],  # the last is no page number
        ["١", "٢", "٣"],  # digits of another script: left to the text
    ],
)
def test_numbers_that_are_no_pager_are_kept(numbers: list[str]) -> None:
    blocks = [_para(STORY), *(_para(n) for n in numbers)]
    assert _texts(refine(blocks)) == [STORY, *(n.strip() for n in numbers)]


def test_only_the_counting_run_goes() -> None:
    blocks = [_para(STORY), _para("7"), _para("1"), _para("2"), _para("3"), _para("12")]
    assert _texts(refine(blocks)) == [STORY, "7", "12"]


def test_a_list_of_numbers_counting_up_is_a_pager() -> None:
    items = tuple(Block("item", spans=(Span(str(n)),)) for n in range(1, 5))
    pager = Block("list", children=items, ordered=True)
    steps = Block(
        "list",
        children=tuple(Block("item", spans=(Span(f"{n}. Step {n}"),)) for n in range(1, 4)),
    )
    assert [b.kind for b in refine([_para(STORY), pager, steps])] == ["paragraph", "list"]


# --- teaser grids after the story ------------------------------------------------------

STORY_PARAGRAPHS = "".join(
    f"<p>{STORY} Paragraph {n} goes on about the opening hours and the budget.</p>"
    for n in range(4)
)


def _tiles(hrefs: list[str], text: str = "A line about it.") -> str:
    return "".join(
        f'<div class="tile"><a href="{href}"><img src="/t{n}.jpg" alt="Tile {n}"></a>'
        f'<div class="tile-title"><a href="{href}">Teaser {n}</a></div>'
        f'<div class="tile-text">{text}</div></div>'
        for n, href in enumerate(hrefs)
    )


def _story_with(grid: str, after: str = "") -> Article:
    return extract(
        "<html><head><title>Library stays open</title></head><body><div class='post'>"
        f"<h1>Library stays open</h1>{STORY_PARAGRAPHS}<div class='more'>{grid}</div>{after}"
        "</div></body></html>",
        "https://example.org/library",
    )


PAGES = ["/a/", "/b/", "/c/", "/d/"]


def test_a_teaser_grid_after_the_story_goes() -> None:
    text = _story_with(_tiles(PAGES)).text
    assert "Paragraph 3" in text
    assert "Teaser" not in text and "A line about it" not in text


@pytest.mark.parametrize(
    ("grid", "after"),
    [
        # pictures linking to their own files: a gallery of the story
        (_tiles(["/p1.jpg", "/p2.jpg", "/p3.png", "/p4.jpg?w=800"]), ""),
        # every card links to one page: one item in parts
        (_tiles(["/a/"] * 4), ""),
        # two cards are no grid
        (_tiles(PAGES[:2]), ""),
        # the story goes on after the grid: the grid is part of it
        (_tiles(PAGES), f"<p>{STORY} After the grid, the story goes on. {STORY}</p>"),
        # cards with a paragraph each are no teasers
        (_tiles(PAGES, "A long description. " * 20), ""),
    ],
    ids=["picture-files", "one-target", "two-cards", "prose-after", "long-cards"],
)
def test_grids_that_are_no_trailing_teasers_are_kept(grid: str, after: str) -> None:
    blocks = _story_with(grid, after).blocks
    assert "Tile 0" in [block.alt for block in blocks if block.kind == "figure"]


def test_a_grid_holding_a_quarter_of_the_text_is_kept() -> None:
    # A round-up: the introduction runs long, but the cards are what the post is about.
    cards = _tiles(PAGES, "A soup of leeks and potatoes, ready in half an hour.")
    page = _story_with(cards)
    assert "A soup of leeks" in page.text
    grid_share = (4 * len("A soup of leeks and potatoes, ready in half an hour.")) / len(page.text)
    assert 0.25 <= grid_share < 0.5  # a grid the old rule (under half) would have dropped
