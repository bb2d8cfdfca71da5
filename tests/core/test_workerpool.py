"""The worker pool: real processes, a priority gate, a crash that spares the other tasks."""

from __future__ import annotations

import asyncio

import pytest

from tests.core import workertasks
from tui_reader.core.errors import FeedError
from tui_reader.core.refresh import FINISH, PAGE, PARSE, WorkerPool


@pytest.fixture
def pool():
    pool = WorkerPool(workers=1)
    yield pool
    pool.close()


async def test_waiting_tasks_run_best_priority_first(pool: WorkerPool) -> None:
    order: list[str] = []

    async def task(priority: int, name: str, seconds: float = 0.0) -> None:
        order.append(await pool.run(priority, FeedError, workertasks.pause_then, name, seconds))

    # The first task holds the only process while the others queue up, worst first.
    first = asyncio.create_task(task(PAGE, "busy", 1.0))
    await asyncio.sleep(0.1)
    queued = [
        asyncio.create_task(task(PAGE, "page")),
        asyncio.create_task(task(PARSE, "parse")),
        asyncio.create_task(task(FINISH, "finish")),
        asyncio.create_task(task(PARSE, "parse-2")),
    ]
    await asyncio.gather(first, *queued)
    assert order == ["busy", "finish", "parse", "parse-2", "page"]


async def test_a_crash_fails_its_task_and_the_pool_recovers(pool: WorkerPool) -> None:
    with pytest.raises(FeedError) as info:
        await pool.run(
            PARSE,
            lambda reason: FeedError(f"feed: {reason}"),
            workertasks.prepare_or_crash,
            workertasks.CRASH_MARK,
            "https://example.org/feed",
            None,
            None,
        )
    assert str(info.value) == "feed: the worker process stopped unexpectedly"
    assert await pool.run(PARSE, FeedError, workertasks.pause_then, "again", 0.0) == "again"


async def test_a_closed_pool_refuses_work(pool: WorkerPool) -> None:
    assert await pool.run(PARSE, FeedError, workertasks.pause_then, "ok", 0.0) == "ok"
    pool.close()
    with pytest.raises(Exception, match="shut down"):
        await pool.run(PARSE, FeedError, workertasks.pause_then, "late", 0.0)
