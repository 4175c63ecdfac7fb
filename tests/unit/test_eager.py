"""Eager steps: a ready result without waiting, a pending one finished as `await` would, a cancelled one run to
its end; a head start whose I/O leaves before the caller goes on."""

from __future__ import annotations

import asyncio

import pytest

from gateway.eager import Pending, Ready, cancel, first_step, head_start, resume


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


async def test_a_head_start_runs_to_its_first_wait_and_its_end_of_turn_writes_before_the_caller_goes_on() -> None:
    loop = asyncio.get_running_loop()
    seen: list[str] = []
    reply: asyncio.Future[str] = loop.create_future()

    async def round_trip() -> str:
        seen.append("queued")
        loop.call_soon(seen.append, "written")  # as a client that writes a turn's commands at its end
        return await reply

    rest = await head_start(round_trip())
    seen.append("caller goes on")
    reply.set_result("answer")
    assert await rest == "answer"
    assert seen == ["queued", "written", "caller goes on"]


async def test_a_head_start_that_needs_no_wait_is_ready_without_a_turn() -> None:
    turns: list[str] = []
    asyncio.get_running_loop().call_soon(turns.append, "turn")
    rest = await head_start(_ready())
    assert turns == []  # no turn of the loop was taken
    assert await rest == "now"


async def test_a_head_start_raises_what_the_awaitable_raises() -> None:
    async def refused() -> str:
        await asyncio.sleep(0)
        raise PermissionError("refused")

    rest = await head_start(refused())
    with pytest.raises(PermissionError):
        await rest


async def test_a_head_start_cancelled_during_its_turn_cancels_the_awaitable() -> None:
    seen: list[str] = []
    task = asyncio.ensure_future(head_start(_waits(seen)))
    await asyncio.sleep(0)  # the task is now in head_start's turn
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen == ["cancelled"]
