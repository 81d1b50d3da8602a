"""Short Redis calls made at about the same time by many tasks, sent in one round trip.

Under a storm (9,000 answers into 300 rooms in two seconds, a thousand joins a second) a
process makes many small Redis calls from many tasks at once. On its own each costs
redis-py 90-150 us of CPU (a pooled connection, the retry and timeout wrappers, a write and
a read); as one command of a pipeline about 30 us (`scripts/bench_redis_calls.py`).
`Batched.call` sends a caller's commands at once when nothing is in flight; those made
while something is go together in the next pipeline: a lone call waits for nothing and a
storm shares round trips.

Each caller's commands are sent in order, but not as a transaction: callers must not
need another's commands to be atomic with theirs (a script is atomic on its own).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from server.redis_url import is_cluster


@dataclass(frozen=True)
class Script:
    """A call of a registered script, as one command of a batch."""

    script: AsyncScript
    keys: Sequence[str]
    args: Sequence[Any]


Command = tuple[Any, ...] | Script  # a command's words (as `execute_command` takes them)


class Batched:
    def __init__(self, client: aioredis.Redis):
        self.redis = client
        self.cluster = is_cluster(client)
        self._queue: list[tuple[Sequence[Command], asyncio.Future[list[Any]]]] = []
        self._busy = False  # a call, or a batch, is in flight
        self._writer: asyncio.Task[None] | None = None

    async def call(self, *commands: Command) -> list[Any]:
        """The replies to `commands`, in order (parsed as redis-py parses them). Raises the
        first error among them, or what sending them raised. With nothing in flight the
        commands go at once, as they would without this; else in the next batch."""
        if self._busy:
            done: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
            self._queue.append((commands, done))
            return await done
        self._busy = True
        try:
            return await self._alone(commands)
        finally:
            if self._queue:  # what came meanwhile goes in batches, from a task of its own
                self._writer = asyncio.get_running_loop().create_task(self._write())
            else:
                self._busy = False

    async def _alone(self, commands: Sequence[Command]) -> list[Any]:
        if len(commands) > 1:
            replies = await self._send(list(commands))
            error = next((r for r in replies if isinstance(r, Exception)), None)
            if error is not None:
                raise error
            return replies
        [command] = commands
        if isinstance(command, Script):  # loads the script if Redis does not know it
            return [await command.script(keys=list(command.keys), args=list(command.args))]
        return [await self.redis.execute_command(*command)]

    async def _write(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    replies = await self._send([c for commands, _ in batch for c in commands])
                except BaseException as exc:
                    for _, done in batch:
                        if not done.done():
                            if isinstance(exc, Exception):
                                done.set_exception(exc)
                            else:
                                done.cancel()
                    if not isinstance(exc, Exception):
                        raise
                    continue
                at = 0
                for commands, done in batch:
                    mine, at = replies[at:at + len(commands)], at + len(commands)
                    if done.done():  # its caller was cancelled
                        continue
                    error = next((r for r in mine if isinstance(r, Exception)), None)
                    if error is not None:
                        done.set_exception(error)
                    else:
                        done.set_result(mine)
        finally:
            self._busy = False
            for _, done in self._queue:  # only if this task was cancelled
                done.cancel()
            self._queue = []

    async def _send(self, commands: list[Command]) -> list[Any]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for command in commands:
                if not isinstance(command, Script):
                    pipe.execute_command(*command)
                elif self.cluster:  # a Cluster pipeline refuses EVALSHA
                    pipe.execute_command("EVAL", command.script.script, len(command.keys),
                                         *command.keys, *command.args)
                else:
                    pipe.execute_command("EVALSHA", command.script.sha, len(command.keys),
                                         *command.keys, *command.args)
            replies = list(await pipe.execute(raise_on_error=False))
        # A script Redis does not know (it restarted, or was flushed) did not run: load it
        # and run it again, on its own.
        for i, (command, reply) in enumerate(zip(commands, replies, strict=True)):
            if isinstance(command, Script) and isinstance(reply, NoScriptError):
                try:
                    replies[i] = await command.script(keys=list(command.keys),
                                                      args=list(command.args))
                except Exception as exc:
                    replies[i] = exc
        return replies
