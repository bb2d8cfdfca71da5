"""Extraction quality on the two page sets, when they are present.

The 130 pages of Mozilla Readability's test suite and the article extraction benchmark's
181 pages live outside the repository (in the ``shared`` folder beside it, or wherever
``READABILITY_PAGES`` and ``BENCHMARK_PAGES`` point). Each page's text is scored against its
reference text with the benchmark's token-shingle F1 (``bench/scoring.py``). A test fails
when any page is a complete miss (F1 below 0.2) or empty, or when the mean falls below the
level the extractor keeps.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.scoring import html_text, is_readability, load, score, summary
from tui_reader.core.extract import extract

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(
    os.environ.get("READABILITY_PAGES") or ROOT.parent / "shared" / "readability-test-pages"
)
BENCHMARK = Path(os.environ.get("BENCHMARK_PAGES") or ROOT.parent / "shared" / "aeb")
# The level reached (0.963 when pinned), less a little for harmless drift.
MIN_MEAN_F1 = 0.955
MIN_PAGE_F1 = 0.2
# The benchmark's levels to keep (0.984 and 0.982 when pinned).
MIN_BENCHMARK_F1 = 0.975
MIN_BENCHMARK_PRECISION = 0.965


def test_scoring_counts_shared_four_word_shingles() -> None:
    text = "one two three four five six"
    assert score(text, text).f1 == 1.0
    assert score(text, "seven eight nine ten eleven").f1 == 0.0
    half = score(text, "one two three four five")
    assert half.precision == 1.0 and 0.0 < half.recall < 1.0
    assert summary([score(text, text), score(text, "")])[0] == pytest.approx(2 / 3)


def test_reference_text_keeps_words_of_adjacent_blocks_apart() -> None:
    assert html_text("<p>end</p><p>start</p>").split() == ["end", "start"]
    assert html_text("<div>a<br>b</div><li>c</li>").split() == ["a", "b", "c"]


@pytest.mark.skipif(
    not PAGES.is_dir() or not is_readability(PAGES),
    reason=f"Readability's test pages are not at {PAGES} (set READABILITY_PAGES)",
)
def test_readability_pages_have_no_complete_miss_and_keep_their_mean() -> None:
    scores = {}
    for page in load(PAGES):
        scores[page.key] = score(page.truth, extract(page.html, page.url).text)
    assert len(scores) >= 100
    misses = sorted(key for key, s in scores.items() if s.f1 < MIN_PAGE_F1)
    assert not misses, f"pages below F1 {MIN_PAGE_F1}: {misses}"
    f1, _, _ = summary(list(scores.values()))
    assert f1 >= MIN_MEAN_F1, f"mean F1 {f1:.3f} below {MIN_MEAN_F1}"


@pytest.mark.skipif(
    not (BENCHMARK / "ground-truth.json").is_file(),
    reason=f"the benchmark's pages are not at {BENCHMARK} (set BENCHMARK_PAGES)",
)
def test_benchmark_pages_have_no_miss_and_keep_f1_and_precision() -> None:
    scores = {}
    empty = []
    for page in load(BENCHMARK):
        text = extract(page.html, page.url).text
        if not text.strip():
            empty.append(page.key)
        scores[page.key] = score(page.truth, text)
    assert len(scores) >= 150
    assert not empty, f"empty pages: {empty}"
    misses = sorted(key for key, s in scores.items() if s.f1 < MIN_PAGE_F1)
    assert not misses, f"pages below F1 {MIN_PAGE_F1}: {misses}"
    f1, precision, _ = summary(list(scores.values()))
    assert f1 >= MIN_BENCHMARK_F1, f"mean F1 {f1:.3f} below {MIN_BENCHMARK_F1}"
    assert precision >= MIN_BENCHMARK_PRECISION, (
        f"precision {precision:.3f} below {MIN_BENCHMARK_PRECISION}"
    )
