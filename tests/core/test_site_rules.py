"""Site rules: matching by host, body and drop selectors, fallback, and config.toml errors."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tui_reader.core.config import Config, load_config
from tui_reader.core.errors import ConfigError
from tui_reader.core.extract import extract
from tui_reader.core.extract.rules import SiteRule, check_selector, normalize_domain, rule_for

PAGE = Path(__file__).resolve().parent.parent / "data" / "whole" / "rules-blog.html"
URL = "https://www.knives.example/2024/05/five-pocket-knives"
STORY = [
    "We carried five pocket knives for a month each, through kitchens, allotments and one "
    "unplanned night on a hillside, and this is what we learned about them.",
    "The cheapest of the five held its edge best, which surprised everybody in the office and "
    "annoyed the person who had bought the most expensive one with their own money.",
    "Only two of the five locked open safely; we would not buy the other three again.",
]


def rules(*items: SiteRule) -> dict[str, SiteRule]:
    return {rule.domain: rule for rule in items}


def paragraphs(url: str, site_rules: dict[str, SiteRule] | None) -> list[str]:
    article = extract(PAGE.read_text("utf-8"), url, rules=site_rules)
    return [block.text for block in article.blocks]


# --- matching -----------------------------------------------------------------------------


def test_a_rule_covers_its_domain_and_every_host_under_it() -> None:
    base = SiteRule("example.org", body="main")
    table = rules(base)
    for url in (
        "https://example.org/a",
        "https://www.example.org/a",
        "http://blog.news.example.org:8080/a",
        "https://EXAMPLE.org./a",
    ):
        assert rule_for(url, table) is base, url
    for url in ("https://notexample.org/a", "https://example.org.evil.test/", "mailto:x@y", ""):
        assert rule_for(url, table) is None, url
    assert rule_for(None, table) is None and rule_for("https://example.org/", None) is None


def test_the_most_specific_domain_wins() -> None:
    broad = SiteRule("example.org", body="main")
    narrow = SiteRule("news.example.org", body="div.story")
    table = rules(broad, narrow)
    assert rule_for("https://news.example.org/x", table) is narrow
    assert rule_for("https://www.news.example.org/x", table) is narrow
    assert rule_for("https://blog.example.org/x", table) is broad


def test_selectors_and_domains_are_checked() -> None:
    assert check_selector("div.post-body > p:not(.ad)") is None
    for bad in ("div[", "", "   ", "..x", "a:nth-child(", 42, "p\x1b[31m"):
        assert check_selector(bad) is not None, bad
    assert normalize_domain(" .WWW.Example.org. ") == "www.example.org"
    assert normalize_domain("bücher.example") == "xn--bcher-kva.example"
    idn = rules(SiteRule("xn--bcher-kva.example", body="main"))
    assert rule_for("https://www.bücher.example/", idn) is not None
    assert rule_for("https://xn--bcher-kva.example/", idn) is not None
    for bad in ("", "https://example.org", "exa mple.org", "user@example.org", "a(b", "a..b"):
        assert normalize_domain(bad) is None


# --- applying -----------------------------------------------------------------------------


def test_without_a_rule_the_heuristics_keep_the_comments() -> None:
    # What the rules below fix: on this page the heuristics take the comments as well.
    assert any("twenty years" in text for text in paragraphs(URL, None))


def test_body_chooses_the_container_and_drop_removes_inside_it() -> None:
    rule = SiteRule("knives.example", body="div.post-body", drop=(".deal",))
    # The share box goes by the usual furniture filters; the deal by the rule.
    assert paragraphs(URL, rules(rule)) == STORY


def test_body_alone_keeps_what_the_filters_keep() -> None:
    rule = SiteRule("knives.example", body="div.post-body")
    texts = paragraphs(URL, rules(rule))
    assert texts[:2] == STORY[:2] and texts[-1] == STORY[-1]
    assert any("KNIVES30" in text for text in texts)  # no drop rule for it
    assert not any("twenty years" in text for text in texts)


def test_drop_works_everywhere_before_the_heuristics() -> None:
    rule = SiteRule("knives.example", drop=(".col-b", ".deal", ".top-banner"))
    texts = paragraphs(URL, rules(rule))
    joined = "\n".join(texts)
    for sentence in STORY:
        assert sentence in joined
    for gone in ("twenty years", "KNIVES30", "Spring sale", "What readers say"):
        assert gone not in joined


def test_a_rule_for_another_site_changes_nothing() -> None:
    other = SiteRule("other.example", body="div.post-body", drop=(".deal",))
    assert paragraphs(URL, rules(other)) == paragraphs(URL, None)


def test_a_body_that_matches_nothing_falls_back_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rule = SiteRule("knives.example", body="div.no-such-thing")
    with caplog.at_level(logging.WARNING, logger="tui_reader.extract"):
        texts = paragraphs(URL, rules(rule))
    assert texts == paragraphs(URL, None)
    (record,) = [r for r in caplog.records if r.name == "tui_reader.extract"]
    message = record.getMessage()
    assert "knives.example" in message and "div.no-such-thing" in message
    assert "matches nothing" in message and "\n" not in message


def test_a_body_without_text_falls_back(caplog: pytest.LogCaptureFixture) -> None:
    # The body matches, but the rule's own drop has emptied it.
    rule = SiteRule("knives.example", body="div.wrap > div.promo", drop=(".promo p",))
    with caplog.at_level(logging.WARNING, logger="tui_reader.extract"):
        texts = paragraphs(URL, rules(rule))
    assert any(STORY[0] in text for text in texts)
    assert any("holds no text" in r.getMessage() for r in caplog.records)


def test_the_canonical_url_picks_the_rule_when_there_is_no_url() -> None:
    html = PAGE.read_text("utf-8").replace(
        "</title>", f'</title><link rel="canonical" href="{URL}">'
    )
    rule = SiteRule("knives.example", body="div.post-body", drop=(".deal",))
    article = extract(html, None, rules=rules(rule))
    assert [block.text for block in article.blocks] == STORY


# --- config.toml --------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_rules_are_read_from_config(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[fetch]\npages = true\n\n[extract."Example.org"]\nbody = "div.post-body"\n'
        'drop = [".share", ".promo"]\n\n[extract]\n"news.example.org" = { drop = "aside" }\n',
    )
    config = load_config(path)
    assert config.rule_errors == ()
    assert config.site_rules == {
        "example.org": SiteRule("example.org", body="div.post-body", drop=(".share", ".promo")),
        "news.example.org": SiteRule("news.example.org", drop=("aside",)),
    }
    assert Config().site_rules == {} and Config().rule_errors == ()


@pytest.mark.parametrize(
    ("toml", "line", "expected"),
    [
        ('[extract."bad.example"]\nbody = "div["\n', 2, "body: 'div[' is not a valid CSS"),
        ('[extract."bad.example"]\ndrop = [".ok", "p:nth-child("]\n', 2, "drop: 'p:nth-child('"),
        ('[extract."bad.example"]\nbdy = "main"\n', 2, "unknown key 'bdy' (known: body, drop)"),
        ('[extract."bad.example"]\n"b(d[y" = "main"\n', 2, "unknown key 'b(d[y'"),
        ('[extract."bad.example"]\ndrop = 3\n', 2, "drop: must be a list of CSS selectors"),
        ('[extract."bad.example"]\nbody = ""\n', 2, "body: '' is empty"),
        ('[extract]\n"bad.example" = "main"\n', 2, "must be a table with body and drop"),
        ('[extract."bad.example"]\n', 1, "has neither body nor drop"),
    ],
)
def test_an_unusable_rule_is_one_line_naming_the_domain(
    tmp_path: Path, toml: str, line: int, expected: str
) -> None:
    good = '[extract."good.example"]\nbody = "main"\n\n'
    path = write(tmp_path, good + toml)
    config = load_config(path)
    (error,) = config.rule_errors
    assert "\n" not in error
    assert error.startswith(f"{path}, line {line + 3}: ")
    assert '[extract."bad.example"]' in error and expected in error
    assert error.endswith("(the rule is ignored)")
    # The other rules still apply.
    assert list(config.site_rules) == ["good.example"]


def test_a_domain_that_is_not_one_is_reported(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[extract."https://x.example/"]\nbody = "main"\n'))
    (error,) = config.rule_errors
    assert "not a domain name" in error and config.site_rules == {}


def test_extract_must_be_a_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="extract"):
        load_config(write(tmp_path, 'extract = "main"\n'))


def test_escape_sequences_in_a_rule_never_reach_the_message(tmp_path: Path) -> None:
    toml = (
        '[extract."evil\\u001b[2J.example"]\nbody = "main"\n\n'
        '[extract."ok.example"]\nbody = "p\\u001b]0;pwned\\u0007"\n'
    )
    config = load_config(write(tmp_path, toml))
    assert len(config.rule_errors) == 2 and config.site_rules == {}
    for error in config.rule_errors:
        assert "\x1b" not in error and "\x07" not in error and "\n" not in error
    assert "not a domain name" in config.rule_errors[0]
    assert "contains control characters" in config.rule_errors[1]
