"""Article rendering: text joins blocks by one blank line, markdown escapes page text."""

from __future__ import annotations

from datetime import UTC, datetime

from tui_reader.core.markdown import escape
from tui_reader.core.models import Article, Block, Span


def _para(*spans: Span) -> Block:
    return Block("paragraph", spans=spans)


ARTICLE = Article(
    title="A *title*",
    byline="Ann Author",
    published=datetime(2025, 3, 9, 12, 0, tzinfo=UTC),
    blocks=(
        _para(Span("Hello  "), Span("world", href="https://a.example/w"), Span(".")),
        Block("heading", spans=(Span("Section"),), level=1),
        Block(
            "list",
            children=(
                Block("item", spans=(Span("one"),)),
                Block(
                    "item",
                    spans=(Span("two"),),
                    children=(Block("list", children=(Block("item", spans=(Span("nested"),)),)),),
                ),
            ),
        ),
        Block("code", code="print('x')\n", language="python"),
        Block("table", rows=(("h1", "h2"), ("a", "b")), header_rows=1),
        Block("quote", children=(_para(Span("quoted")),)),
        Block("rule"),
    ),
)


def test_text_is_body_only_joined_by_blank_lines() -> None:
    assert ARTICLE.text == (
        "Hello world.\n\nSection\n\none\ntwo\nnested\n\nprint('x')\n\nh1 | h2\na | b\n\nquoted"
    )


def test_captions_are_left_out_of_the_text_wherever_the_figure_sits() -> None:
    def picture(caption: str) -> Block:
        return Block("figure", spans=(Span(caption),), src=f"https://a.example/{caption}.jpg")

    gallery = Block(
        "list",
        children=(
            Block("item", children=(picture("first caption"),)),
            Block("item", spans=(Span("item text"),), children=(picture("second caption"),)),
        ),
    )
    quote = Block("quote", children=(_para(Span("quoted")), picture("quoted caption")))
    article = Article(blocks=(picture("top caption"), _para(Span("Body.")), gallery, quote))
    assert article.text == "Body.\n\nitem text\n\nquoted"
    # The reader still shows them: they stay in the blocks and the markdown.
    for caption in ("top caption", "first caption", "second caption", "quoted caption"):
        assert caption in article.markdown


def test_markdown_structure() -> None:
    md = ARTICLE.markdown
    assert md.startswith("# A \\*title\\*\n\n*Ann Author · 2025-03-09*\n\n")
    assert "Hello world.".replace("world", "[world](https://a.example/w)") in md
    # Body headings sit below the title's level.
    assert "\n## Section\n" in md
    assert "- one\n- two\n  - nested" in md
    assert "```python\nprint('x')\n```" in md
    assert "| h1 | h2 |\n|---|---|\n| a | b |" in md
    assert "> quoted" in md
    assert md.rstrip().endswith("---")


def test_escape_neutralises_markdown_syntax() -> None:
    assert escape("# not a heading") == "\\# not a heading"
    assert escape("1. not a list") == "1\\. not a list"
    assert escape("[link](javascript:x)") == "\\[link\\](javascript:x)"


def test_round_trip_through_dict() -> None:
    again = Article.from_dict(ARTICLE.to_dict())
    assert again == ARTICLE
    assert again.markdown == ARTICLE.markdown
