"""Run an awaitable eagerly, up to its first real wait, to learn whether its result is already there.

The SSE response uses it to gather chunks that are ready without waiting for any that is not: it starts producing
the next chunk in its own task, and if that has to wait (for the upstream), it sends what it has and only then
waits, by resuming the same production where it stopped. Resuming hands the task exactly what `await` would have
(the future to wait on, the value or exception it is woken with), so contextvars, cancellation and the asyncio
task machinery behave as if the awaitable had been awaited from the start. The pipeline uses the same steps to start
two store calls in one event-loop turn (`finish`, `drop`), so that their commands leave in one write.
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Steps = Generator[Any, Any, T]  # what `awaitable.__await__()` returns


@dataclass(slots=True)
class Ready(Generic[T]):
    value: T


@dataclass(slots=True)
class Pending(Generic[T]):
    """An awaitable stopped at its first wait: `waiting` is what it yielded to the task (usually a future)."""

    steps: Steps[T]
    waiting: Any


def first_step(steps: Steps[T]) -> Ready[T] | Pending[T]:
    """Run `steps` until it finishes (Ready) or would wait (Pending). Its exceptions propagate."""
    try:
        waiting = steps.send(None)
    except StopIteration as done:
        return Ready(done.value)
    return Pending(steps, waiting)


@types.coroutine
def resume(pending: Pending[T]) -> Generator[Any, Any, T]:
    """Await the rest of a pending awaitable, as `yield from` would have from its start."""
    steps, waiting = pending.steps, pending.waiting
    while True:
        try:
            sent = yield waiting
        except GeneratorExit:
            steps.close()
            raise
        except BaseException as exc:  # noqa: BLE001 - thrown into the task (cancellation): the awaitable's to handle
            try:
                waiting = steps.throw(exc)
            except StopIteration as done:
                result: T = done.value
                return result
        else:
            try:
                waiting = steps.send(sent)
            except StopIteration as done:
                result = done.value
                return result


async def cancel(pending: Pending[Any]) -> None:
    """Cancel a pending awaitable as `Task.cancel` would, and let it run to its end: its `finally` blocks may
    await (a stream that settles). Whatever it ends with, value or exception, is dropped."""
    if isinstance(pending.waiting, asyncio.Future):
        pending.waiting.cancel()
    try:
        waiting = pending.steps.throw(asyncio.CancelledError())
        await resume(Pending(pending.steps, waiting))
    except (Exception, asyncio.CancelledError):  # noqa: BLE001 - it ended: that is all this waits for
        return


async def finish(step: Ready[T] | Pending[T]) -> T:
    """The result of a step started with `first_step`, awaiting the rest when it was pending."""
    if isinstance(step, Ready):
        return step.value
    return await resume(step)


async def drop(step: Ready[Any] | Pending[Any] | None) -> None:
    """Abandon a started step: a pending one is cancelled and run to its end (see `cancel`)."""
    if isinstance(step, Pending):
        await cancel(step)
