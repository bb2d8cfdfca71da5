"""Load an extraction data set and score predicted article text against it.

Two layouts are understood:

- the article-extraction-benchmark (``ground-truth.json`` plus ``html/<key>.html.gz``);
- Readability's test pages (one folder per page with ``source.html`` and ``expected.html``,
  requested as if from ``http://fakehost/test/page.html``).

The score is the benchmark's: texts are cut into word tokens (``\\w+``), tokens into
overlapping four-word shingles, and each page's true/false positives and false negatives are
counted over shingles and normalised by their sum, so long pages weigh no more than short
ones. Precision and recall are averaged over pages, and F1 is taken from the two averages.
Used by ``bench/extraction.py`` and by the quality test over Readability's pages.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

READABILITY_URL = "http://fakehost/test/page.html"
NGRAM = 4

_TOKEN = re.compile(r"\w+")
# Boundaries of block elements in the reference HTML become line breaks, so words on either
# side of one are never glued into a single token.
_BLOCK_EDGE = re.compile(
    r"<(?=/?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|pre|section|article|"
    r"figure|figcaption|dd|dt|dl|hr|header|footer|aside|main)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a data set: its HTML, the URL it claims, and the reference text."""

    key: str
    html: str
    url: str | None
    truth: str


@dataclass(frozen=True, slots=True)
class Score:
    """Normalised shingle counts of one page."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        if self.tp == self.fp == 0:
            return 0.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        if self.tp == self.fn == 0:
            return 0.0
        return self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + NGRAM]) for i in range(max(1, len(tokens) - NGRAM + 1)))


def score(truth: str, predicted: str) -> Score:
    """Compare a predicted text with the reference text of one page."""
    want = _shingles(truth)
    got = _shingles(predicted)
    want.pop((), None)
    got.pop((), None)
    tp = fp = fn = 0.0
    for key in want.keys() | got.keys():
        a, b = want.get(key, 0), got.get(key, 0)
        tp += min(a, b)
        fp += max(0, b - a)
        fn += max(0, a - b)
    total = tp + fp + fn
    if total:
        return Score(tp / total, fp / total, fn / total)
    return Score(0.0, 0.0, 0.0)


def summary(scores: list[Score]) -> tuple[float, float, float]:
    """Mean precision, mean recall and the F1 of the two, as the benchmark reports them."""
    precisions = [s.precision for s in scores if s.tp + s.fp > 0]
    recalls = [s.recall for s in scores if s.tp + s.fn > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def html_text(html: str) -> str:
    """The visible text of a reference HTML fragment, one line per block."""
    tree = LexborHTMLParser(_BLOCK_EDGE.sub("\n<", html))
    tree.strip_tags(["script", "style", "noscript", "template"])
    root = tree.body or tree.root
    return root.text() if root is not None else ""


def is_readability(path: Path) -> bool:
    """True when ``path`` holds Readability's test pages rather than the benchmark."""
    return not (path / "ground-truth.json").exists() and any(path.glob("*/expected.html"))


def load(path: Path, key_prefix: str | None = None) -> Iterator[Page]:
    """The pages of either data set, sorted by key."""
    if is_readability(path):
        for folder in sorted(p.parent for p in path.glob("*/expected.html")):
            if key_prefix and not folder.name.startswith(key_prefix):
                continue
            html = (folder / "source.html").read_text("utf-8", errors="replace")
            truth = html_text((folder / "expected.html").read_text("utf-8", errors="replace"))
            yield Page(folder.name, html, READABILITY_URL, truth)
        return
    truth_by_key = json.loads((path / "ground-truth.json").read_text("utf-8"))
    for key in sorted(truth_by_key):
        if key_prefix and not key.startswith(key_prefix):
            continue
        with gzip.open(path / "html" / f"{key}.html.gz", "rt", encoding="utf-8") as handle:
            html = handle.read()
        entry = truth_by_key[key]
        yield Page(key, html, entry.get("url"), entry.get("articleBody", ""))
