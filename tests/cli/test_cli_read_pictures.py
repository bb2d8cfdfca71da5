"""``tui-reader read`` shows where the pictures stand: ``[image: alt]`` as text and
``![alt](url)`` as markdown (the installed command, in a subprocess, on a local file)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli_read import cli  # noqa: F401 - the fixture
from tests.picturemaker import story_page


def page(tmp_path: Path) -> Path:
    path = tmp_path / "story.html"
    path.write_bytes(
        story_page(
            "Salt pans",
            [
                ("https://pics.example/pans.jpg", "Salt pans at low tide"),
                ("https://pics.example/rake.jpg", ""),
                ("javascript:alert(1)", "A worker with a rake"),
                ("data:image/png;base64,iVBORw0KGgo=", "A heap of grey salt"),
            ],
        )
    )
    return path


def test_text_shows_each_picture_by_its_alt_text_with_its_caption(cli, tmp_path) -> None:  # noqa: F811
    result = cli("read", str(page(tmp_path)), "--format", "text")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[image: Salt pans at low tide]\nCaption 0" in out
    assert "[image]\nCaption 1" in out
    # Refused sources: no address anywhere, the description stays.
    assert "[image: A worker with a rake]\nCaption 2" in out
    assert "[image: A heap of grey salt]\nCaption 3" in out
    assert "javascript:" not in out and "data:" not in out
    # In place: after the first paragraph, before the next.
    assert out.index("The tide came in") < out.index("[image: Salt pans") < out.index("Paragraph 0")


def test_markdown_shows_pictures_as_images(cli, tmp_path) -> None:  # noqa: F811
    result = cli("read", str(page(tmp_path)), "--format", "markdown")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "![Salt pans at low tide](https://pics.example/pans.jpg)" in out
    assert "![](https://pics.example/rake.jpg)" in out
    assert "\\[image: A worker with a rake\\]" in out
    assert "javascript:" not in out and "data:" not in out


def test_text_shows_pictures_in_a_gallery_list_and_in_a_quote() -> None:
    from tui_reader.cli.read import reading_text
    from tui_reader.core.models import Article, Block, Span

    def picture(alt: str, caption: str) -> Block:
        return Block("figure", spans=(Span(caption),), src="https://pics.example/p.jpg", alt=alt)

    gallery = Block(
        "list",
        children=(
            Block("item", children=(picture("Pans", "The pans at dawn"),)),
            Block("item", spans=(Span("Second:"),), children=(picture("Rake", "A rake"),)),
        ),
    )
    quote = Block("quote", children=(picture("Heap", "A heap"),))
    text = reading_text(Article(blocks=(gallery, quote)))
    assert text == (
        "[image: Pans]\nThe pans at dawn\nSecond:\n[image: Rake]\nA rake\n\n[image: Heap]\nA heap"
    )
