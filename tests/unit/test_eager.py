"""Eager steps: a ready result without waiting, a pending one finished as `await` would, a cancelled one run to
its end; two steps started together, finished or dropped."""

from __future__ import annotations

import asyncio

import pytest

from gateway.eager import Pending, Ready, cancel, drop, finish, first_step, resume


async def _ready() -> str:
    return "now"


async def _waits(seen: list[str]) -> None:
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        seen.append("cancelled")
        raise


async def test_a_result_that_needs_no_wait_is_ready() -> None:
    assert first_step(_ready().__await__()) == Ready("now")


async def test_a_pending_step_resumes_to_its_result() -> None:
    gate = asyncio.Event()

    async def later() -> str:
        await gate.wait()
        return "later"

    step = first_step(later().__await__())
    assert isinstance(step, Pending)
    gate.set()
    assert await resume(step) == "later"


async def test_a_bare_yield_is_passed_to_the_task() -> None:
    async def yields_once() -> str:
        await asyncio.sleep(0)
        return "after a turn"

    step = first_step(yields_once().__await__())
    assert isinstance(step, Pending) and step.waiting is None
    assert await resume(step) == "after a turn"


async def test_an_exception_of_the_step_propagates() -> None:
    gate = asyncio.Event()

    async def fails() -> str:
        await gate.wait()
        raise LookupError("upstream")

    step = first_step(fails().__await__())
    assert isinstance(step, Pending)
    gate.set()
    with pytest.raises(LookupError):
        await resume(step)


async def test_cancelling_the_task_cancels_the_resumed_step() -> None:
    seen: list[str] = []
    async def run() -> None:
        step = first_step(_waits(seen).__await__())
        assert isinstance(step, Pending)
        await resume(step)

    task = asyncio.ensure_future(run())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen == ["cancelled"]


async def test_cancel_runs_the_step_to_its_end_through_awaits_in_finally() -> None:
    seen: list[str] = []

    async def settles() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            await asyncio.sleep(0)
            seen.append("settled")

    step = first_step(settles().__await__())
    assert isinstance(step, Pending)
    await cancel(step)
    assert seen == ["settled"]
    assert step.waiting.cancelled()


async def test_two_steps_started_in_one_turn_both_run_to_their_first_wait_before_either_is_finished() -> None:
    loop = asyncio.get_running_loop()
    seen: list[str] = []
    replies = [loop.create_future(), loop.create_future()]

    async def call(index: int) -> int:
        seen.append(f"queued {index}")
        await replies[index]
        return index

    first, second = first_step(call(0).__await__()), first_step(call(1).__await__())
    assert seen == ["queued 0", "queued 1"]
    for reply in replies:
        reply.set_result(None)
    assert (await finish(first), await finish(second)) == (0, 1)
    assert await finish(first_step(_ready().__await__())) == "now"


async def test_drop_cancels_a_pending_step_and_ignores_a_finished_one() -> None:
    seen: list[str] = []
    pending = first_step(_waits(seen).__await__())
    await drop(pending)
    await drop(first_step(_ready().__await__()))
    await drop(None)
    assert seen == ["cancelled"]
