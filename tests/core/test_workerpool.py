"""The worker pool: real processes, a priority gate, a crash that spares the other tasks."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from tests.core import workertasks
from tui_reader.core.errors import FeedError
from tui_reader.core.parsework import share
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


# --- a parse shared between this process and one worker ----------------------------------


def test_shared_work_meets_in_the_middle_and_keeps_the_order() -> None:
    """This thread works from the front, the helper from the back: every item once, the
    results in the items' order, each side doing a share when both are busy."""
    done_here: list[int] = []
    done_there: list[int] = []
    lock = threading.Lock()

    def here(item: int) -> str:
        time.sleep(0.02)
        done_here.append(item)
        return f"here {item}"

    def slow_square(item: int) -> str:
        time.sleep(0.02)
        with lock:
            done_there.append(item)
        return f"there {item}"

    with ThreadPoolExecutor(1) as other:
        results = share(list(range(10)), here, lambda item: other.submit(slow_square, item))
    assert sorted(done_here + done_there) == list(range(10))
    assert done_here and done_there
    assert done_here == list(range(len(done_here)))  # from the front, in order
    assert done_there == list(range(9, 9 - len(done_there), -1))  # from the back
    assert results == [f"here {i}" if i in done_here else f"there {i}" for i in range(10)]


def test_shared_work_keeps_each_failure_in_its_place() -> None:
    def here(item: int) -> int:
        if item == 1:
            raise ValueError("bad item")
        time.sleep(0.02)
        return item

    class Panic(BaseException):
        """What a native parser raises when it panics: not an Exception."""

    def there(item: int) -> Future[int]:
        time.sleep(0.02)
        future: Future[int] = Future()
        if item == 9:
            future.set_exception(Panic("a panic"))
        else:
            future.set_result(item)
        return future

    results = share(list(range(10)), here, there)
    assert isinstance(results[1], ValueError) and isinstance(results[9], Panic)
    assert [r for i, r in enumerate(results) if i not in (1, 9)] == [0, *range(2, 9)]


def test_a_worker_not_ready_in_time_gets_no_share() -> None:
    """The helper waits for its worker to be ready; this thread does everything if it gets
    there first, and nothing is handed over to a worker that failed to start."""
    handed: list[int] = []

    def there(item: int) -> Future[int]:
        handed.append(item)
        future: Future[int] = Future()
        future.set_result(item)
        return future

    never: Future[bool] = Future()
    assert share(list(range(5)), lambda item: item, there, never) == list(range(5))
    failed: Future[bool] = Future()
    failed.set_exception(RuntimeError("could not start"))
    assert share(list(range(5)), lambda item: item, there, failed) == list(range(5))
    assert handed == []


def test_an_interrupt_here_stops_the_helper_too() -> None:
    handed: list[int] = []

    def here(item: int) -> int:
        if item == 2:
            raise KeyboardInterrupt
        time.sleep(0.02)
        return item

    def there(item: int) -> Future[int]:
        handed.append(item)
        future: Future[int] = Future()
        time.sleep(0.02)
        future.set_result(item)
        return future

    with pytest.raises(KeyboardInterrupt):
        share(list(range(100)), here, there)
    time.sleep(0.1)
    assert 0 < len(handed) < 10  # the helper stopped with this thread


async def test_a_worker_started_for_a_large_feed_parses_a_share_of_it() -> None:
    """``start_one`` starts a real process; what is handed to it once it is ready runs there."""
    pool = WorkerPool(workers=2)
    try:
        assert pool.started_one() is None
        await asyncio.to_thread(pool.start_one)
        started = pool.started_one()
        assert started is not None
        executor, ready = started
        assert await asyncio.wrap_future(ready) is True
        worker = executor.submit(os.getpid).result()
        assert worker != os.getpid()
        # Once ready, every task goes to that same process.
        assert {executor.submit(os.getpid).result() for _ in range(5)} == {worker}
        # Not needed after all (the workers take the whole feed): stopped, its memory freed.
        pool.stop_one()
        assert pool.started_one() is None
        with pytest.raises(ProcessLookupError):
            os.kill(worker, 0)
    finally:
        pool.close()
    assert pool.started_one() is None


def test_shared_results_are_handed_over_in_order_as_soon_as_they_are_in() -> None:
    """``then`` sees every result once, in the items' order, each as soon as it and those
    before it are in: the first ones while the helper is still busy with the last."""
    events: list[str] = []
    lock = threading.Lock()

    def here(item: int) -> int:
        time.sleep(0.03)
        with lock:
            events.append(f"here {item}")
        return item

    def slow(item: int) -> int:
        time.sleep(0.1)
        with lock:
            events.append(f"there {item}")
        return item

    def then(index: int, result: int | BaseException) -> None:
        with lock:
            events.append(f"then {index}")

    with ThreadPoolExecutor(1) as other:
        results = share(list(range(8)), here, lambda item: other.submit(slow, item), then=then)
    assert results == list(range(8))
    handed = [e for e in events if e.startswith("then")]
    assert handed == [f"then {i}" for i in range(8)]
    # The first result was handed over before the helper had finished its first item.
    assert events.index("then 0") < events.index(next(e for e in events if "there" in e))
