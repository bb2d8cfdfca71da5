"""Parse tasks that misbehave, for tests: the worker process imports them by name."""

from __future__ import annotations

import multiprocessing
import os
import time
from typing import Any

from tui_reader.core.parsework import PreparedFeed, prepare_feed

CRASH_MARK = b"<!-- crash the worker -->"


def prepare_or_fail(data: bytes, url: str, *args: Any) -> PreparedFeed:
    """Like ``prepare_feed``, with a bug that shows for URLs containing "bad"."""
    if "bad" in url:
        raise ValueError("parser bug")
    return prepare_feed(data, url, *args)


def prepare_or_crash(data: bytes, url: str, *args: Any) -> PreparedFeed:
    """Like ``prepare_feed``, but the whole worker process dies on a marked document."""
    if CRASH_MARK in data:
        os._exit(70)
    return prepare_feed(data, url, *args)


def pause_then(value: str, seconds: float) -> str:
    """Wait, then answer ``value`` (to see in which order queued tasks run)."""
    time.sleep(seconds)
    return value


def prepare_or_crash_in_a_worker(data: bytes, url: str, *args: Any) -> PreparedFeed:
    """Like ``prepare_or_crash``, but only a worker process dies: the process that started
    it parses the same document as usual."""
    if CRASH_MARK in data and multiprocessing.parent_process() is not None:
        os._exit(70)
    return prepare_feed(data, url, *args)
