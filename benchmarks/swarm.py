"""Client processes of a benchmark: many measuring players in one asyncio loop each.

The coordinator (`benchmarks.run`) starts a few of these processes (`Pool`) and drives them
over a pipe. A player speaks the protocol (docs/protocol.md): hello, join, then one answer
per round after a short think time, found with the `cardcade bots` solver
(`server.bot_solver`). It notes the wall-clock time (`time.time_ns()`, comparable between
processes of one machine) at which each round-open `room` frame and each reveal arrives,
and the time from each answer to its `ack`. A baseline client (the bare `websockets`
server) is the same player that only listens: the same receive loop and frame handling.

Frames are bytes; most of them are `room` views repeated after each
answer, so a player reads only `type`, `phase` and `round_index` at the start of a frame
and parses the whole JSON only when the phase or round changes (and for `me`, `ack`,
`error`, which are few).

Commands (coordinator -> process), each a tuple:

- `("join", room, url, first_index, count, opts)` -> `("joined", room, summary)`
- `("listen", group, url, count, opts)` -> `("joined", group, summary)`: baseline clients
- `("create", url, count, settings, opts)` -> `("created", "", summary)`: hosts that create
  rooms and stay connected, reading nothing but what comes (the idle rooms scenario)
- `("collect",)` -> `("results", data)`, then every socket is dropped
- `("quit",)`

Pushed by the process: `("phase", room, phase, round, seen)` once every live player of
`room` here has seen that phase of that round, and `("live", room, live)` when a player's
connection is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import multiprocessing
import multiprocessing.connection
import os
import random
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.frames import DATA_OPCODES, Frame
from websockets.protocol import Event

from benchmarks.stack import progress
from server.bot_solver import Solution, Solver, load_rules_deck, spoil

ANSWER_ERRORS = frozenset({"wrong_round", "round_closed", "paused", "already_answered",
                           "invalid_answer", "unknown_player"})


# ---------------------------------------------------------------------- receive times


class TimedConnection(ClientConnection):
    """A client connection that notes when each message came off the socket, before this
    process parsed it or its tasks got round to reading it.

    `data_received` only stamps the chunk and queues it; the chunks are parsed by websockets
    one loop step later. So when a broadcast makes many sockets of a process readable at
    once, each is stamped within microseconds of the others, instead of after every frame
    read before it was parsed. `recv_timed` gives a message with the stamp of the chunk
    that completed it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chunk_ns = 0
        self.arrivals: deque[int] = deque()
        self.chunks: list[tuple[int, bytes]] = []

    def data_received(self, data: bytes) -> None:
        if not self.chunks:
            self.loop.call_soon(self.parse_chunks)
        self.chunks.append((time.time_ns(), data))

    def parse_chunks(self) -> None:
        chunks, self.chunks = self.chunks, []
        for stamp, data in chunks:
            self.chunk_ns = stamp
            super().data_received(data)

    def eof_received(self) -> None:
        self.parse_chunks()
        super().eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.parse_chunks()
        super().connection_lost(exc)

    def process_event(self, event: Event) -> None:
        if isinstance(event, Frame) and event.fin and event.opcode in DATA_OPCODES:
            self.arrivals.append(self.chunk_ns)
        super().process_event(event)

    async def recv_timed(self) -> tuple[bytes, int]:
        """The next message (as bytes) and when it arrived (`time.time_ns()`)."""
        raw = await self.recv(decode=False)
        return raw, self.arrivals.popleft() if self.arrivals else time.time_ns()


def open_ws(url: str) -> Any:
    """`connect(...)` as every client of the suite connects: no compression, no size limit,
    no client pings (the server sends them), receive times noted."""
    return connect(url, max_size=None, compression=None, ping_interval=None, close_timeout=2,
                   open_timeout=None, create_connection=TimedConnection)


def connect_error(exc: BaseException) -> str:
    """A failed connection in a few words: the error, and its cause if it has one (an
    `InvalidMessage` is a handshake the server closed or never answered)."""
    why = f"connect: {type(exc).__name__}"
    cause = exc.__cause__ or exc.__context__
    if cause is not None:
        why += f" ({type(cause).__name__}: {str(cause)[:60]})"
    elif str(exc):
        why += f" ({str(exc)[:60]})"
    return why


# ---------------------------------------------------------------------- frame scanning


def scan(raw: bytes, key: bytes, start: int = 0) -> bytes | None:
    """The value of the first `"key": value` at or after `start`, as raw bytes (a string
    without its quotes); None when absent. Enough for the flat top of a server frame."""
    at = raw.find(b'"' + key + b'"', start)
    if at < 0:
        return None
    i = at + len(key) + 2
    n = len(raw)
    while i < n and raw[i] in b" :\t":
        i += 1
    if i < n and raw[i] == 0x22:  # a string
        end = raw.find(b'"', i + 1)
        return raw[i + 1:end] if end > 0 else None
    end = i
    while end < n and raw[end] not in b",}] \t\n":
        end += 1
    return raw[i:end]


def frame_kind(raw: bytes) -> bytes | None:
    return scan(raw, b"type")


def room_moment(raw: bytes) -> tuple[str, int] | None:
    """(phase, round_index) of a `room` frame, read without parsing it."""
    phase = scan(raw, b"phase")
    index = scan(raw, b"round_index")
    if phase is None or index is None:
        return None
    try:
        return phase.decode(), int(index)
    except ValueError:
        return None


# ---------------------------------------------------------------------- players


@dataclass
class RoomTrack:
    """What one process knows of a room: its players here and the moments they saw."""

    code: str
    answering: bool
    players: list[Player] = field(default_factory=list)
    live: int = 0
    seen: Counter[tuple[str, int]] = field(default_factory=Counter)
    reported: set[tuple[str, int]] = field(default_factory=set)
    solutions: dict[int, tuple[dict[str, Any], Solution]] = field(default_factory=dict)
    open_bytes: dict[int, int] = field(default_factory=dict)
    publics: dict[int, Any] = field(default_factory=dict)


class Player:
    __slots__ = ("ack_ms", "acks", "alive", "answered_rounds", "index", "moment", "open_ns",
                 "pending", "points", "refused", "reveal_ns", "room", "score", "score_seq",
                 "sent_ns", "ws")

    def __init__(self, index: int, room: RoomTrack) -> None:
        self.index = index
        self.room = room
        self.ws: TimedConnection | None = None
        self.alive = False
        self.moment: tuple[str, int] | None = None
        self.open_ns: dict[int, int] = {}
        self.reveal_ns: dict[int, int] = {}
        self.sent_ns: dict[int, int] = {}
        self.ack_ms: dict[int, float] = {}
        self.acks: Counter[int] = Counter()
        self.refused: dict[int, str] = {}
        self.pending: int | None = None  # the round of the answer awaiting its ack
        self.answered_rounds: set[int] = set()
        self.points: dict[int, int] = {}
        self.score = 0
        self.score_seq = -1


@dataclass
class Options:
    think_min: float = 0.2
    think_max: float = 2.0
    accuracy: float = 0.7
    join_concurrency: int = 100
    join_timeout: float = 60.0
    deck: str = "soviet-union-1928-41"
    nickname: str = "Player "  # "P155" reads as a swear word to the nickname filter


class Swarm:
    """One client process: players of one or more rooms, and the pipe to the coordinator."""

    def __init__(self, conn: multiprocessing.connection.Connection, wid: int) -> None:
        self.conn = conn
        self.wid = wid
        self.rng = random.Random(wid * 7919 + 1)
        self.rooms: dict[str, RoomTrack] = {}
        self.errors: Counter[str] = Counter()
        self.solver: Solver | None = None
        self.tasks: set[asyncio.Task[Any]] = set()
        self.opts = Options()
        self.join_sem: asyncio.Semaphore | None = None  # shared by every join command
        self.entered = 0  # players (or baseline clients) in, for the progress lines
        self.ticker: asyncio.Task[None] | None = None
        self.creating = True  # hosts may still begin creating a room
        self.stop = asyncio.Event()

    # ------------------------------------------------------------ the pipe

    def push(self, msg: tuple[Any, ...]) -> None:
        # uvloop's add_reader made the pipe non-blocking: a message bigger than the socket
        # buffer (the results) would be cut short. Sending blocks until the coordinator,
        # which reads at once, has it all.
        os.set_blocking(self.conn.fileno(), True)
        try:
            self.conn.send(msg)
        except (OSError, BrokenPipeError):  # the coordinator is gone
            self.stop.set()

    def on_pipe(self) -> None:
        os.set_blocking(self.conn.fileno(), True)
        try:
            while self.conn.poll():
                self.command(self.conn.recv())
        except (EOFError, OSError):
            self.stop.set()

    def spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def command(self, cmd: tuple[Any, ...]) -> None:
        op = cmd[0]
        if op == "join":
            _, code, url, first, count, opts = cmd
            self.opts = Options(**opts)
            self.spawn(self.join_room(code, url, first, count, answering=True))
        elif op == "listen":
            _, group, url, count, opts = cmd
            self.opts = Options(**opts)
            self.spawn(self.join_room(group, url, 0, count, answering=False))
        elif op == "create":
            _, url, count, settings, opts = cmd
            self.opts = Options(**opts)
            self.spawn(self.create_rooms(url, count, settings))
        elif op == "stop_creating":
            self.creating = False
        elif op == "collect":
            self.push(("results", self.results()))
            self.drop_all()
        elif op == "quit":
            self.stop.set()

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_reader(self.conn.fileno(), self.on_pipe)
        self.ticker = asyncio.create_task(self.tick())
        await self.stop.wait()
        self.ticker.cancel()
        loop.remove_reader(self.conn.fileno())
        self.drop_all()

    async def tick(self) -> None:
        """Tell the coordinator how many players are in, when it changes."""
        told = 0
        while True:
            await asyncio.sleep(1)
            if self.entered != told:
                told = self.entered
                self.push(("progress", told))

    # ------------------------------------------------------------ joining

    async def join_room(self, code: str, url: str, first: int, count: int,
                        answering: bool) -> None:
        room = self.rooms.get(code)
        if room is None:
            room = self.rooms[code] = RoomTrack(code, answering)
        if answering and self.solver is None:
            self.solver = Solver(load_rules_deck(self.opts.deck), random.Random(self.wid))
        if self.join_sem is None:
            self.join_sem = asyncio.Semaphore(self.opts.join_concurrency)
        sem = self.join_sem
        failed: Counter[str] = Counter()
        starts: list[int] = []
        ends: list[int] = []
        latencies: list[float] = []
        players = [Player(first + i, room) for i in range(count)]
        room.players.extend(players)

        async def one(p: Player) -> None:
            async with sem:
                t0 = time.time_ns()
                starts.append(t0)
                try:
                    async with asyncio.timeout(self.opts.join_timeout):
                        why = await self.enter(p, url, code, answering)
                except TimeoutError:
                    why = "timeout"
                except (OSError, InvalidHandshake, InvalidURI, ConnectionClosed) as exc:
                    why = connect_error(exc)
                if why:
                    failed[why] += 1
                    if p.ws is not None:
                        p.ws.transport.abort()
                        p.ws = None
                    return
                t1 = time.time_ns()
                self.entered += 1
                ends.append(t1)
                latencies.append((t1 - t0) / 1e6)
                p.alive = True
                room.live += 1
                self.spawn(self.read(p))

        await asyncio.gather(*(one(p) for p in players))
        self.push(("joined", code, {
            "joined": len(ends), "failed": dict(failed),
            "first_ns": min(starts) if starts else 0, "last_ns": max(ends) if ends else 0,
            "latency_ms": latencies,
        }))
        self.check(room)

    async def enter(self, p: Player, url: str, code: str, answering: bool) -> str:
        """Connect and get into the room; '' on success, else why not."""
        ws = p.ws = await open_ws(url)
        if not answering:  # a baseline client: say which group it listens to
            await ws.send(f"g {code}")
            reply, _ = await ws.recv_timed()
            return "" if reply == b"ok" else f"baseline: {reply!r}"
        await ws.send('{"type":"hello","versions":[1]}')
        raw, _ = await ws.recv_timed()
        if frame_kind(raw) != b"welcome":
            return f"hello: {json.loads(raw).get('code', 'no welcome')}"
        await ws.send(json.dumps({"type": "join", "room": code,
                                  "nickname": f"{self.opts.nickname}{p.index}"}))
        while True:
            raw, _ = await ws.recv_timed()
            kind = frame_kind(raw)
            if kind == b"joined":
                return ""
            if kind == b"error":
                return str(json.loads(raw).get("code", "error"))

    async def create_rooms(self, url: str, count: int, settings: dict[str, Any]) -> None:
        """`count` hosts each create a room and stay connected; a lobby nobody joins."""
        sem = asyncio.Semaphore(self.opts.join_concurrency)
        failed: Counter[str] = Counter()
        messages: dict[str, str] = {}
        starts: list[int] = []
        ends: list[int] = []
        room = self.rooms.setdefault("", RoomTrack("", answering=False))

        async def one(i: int) -> None:
            p = Player(i, room)
            async with sem:
                if not self.creating:
                    failed["not begun (creation stopped)"] += 1
                    return
                starts.append(time.time_ns())
                try:
                    async with asyncio.timeout(self.opts.join_timeout):
                        ws = p.ws = await open_ws(url)
                        await ws.send('{"type":"hello","versions":[1]}')
                        await ws.recv_timed()
                        await ws.send(json.dumps({"type": "create_room", "settings": settings}))
                        while True:
                            raw, _ = await ws.recv_timed()
                            kind = frame_kind(raw)
                            if kind == b"created":
                                break
                            if kind == b"error":
                                err = json.loads(raw)
                                raise LookupError(str(err.get("code")), str(err.get("message")))
                except LookupError as exc:
                    failed[exc.args[0]] += 1
                    messages.setdefault(exc.args[0], exc.args[1])
                except TimeoutError:
                    failed["timeout"] += 1
                except (OSError, InvalidHandshake, InvalidURI, ConnectionClosed) as exc:
                    failed[connect_error(exc)] += 1
                else:
                    ends.append(time.time_ns())
                    self.entered += 1
                    room.players.append(p)
                    self.spawn(self.drain(p))
                    return
                if p.ws is not None:
                    p.ws.transport.abort()
                    p.ws = None

        await asyncio.gather(*(one(i) for i in range(count)))
        self.push(("created", "", {
            "created": len(ends), "failed": dict(failed), "messages": messages,
            "first_ns": min(starts) if starts else 0, "last_ns": max(ends) if ends else 0}))

    async def drain(self, p: Player) -> None:
        """Read and drop whatever a connected host gets (pings are answered meanwhile)."""
        assert p.ws is not None
        with contextlib.suppress(ConnectionClosed):
            while True:
                await p.ws.recv_timed()

    # ------------------------------------------------------------ receiving

    async def read(self, p: Player) -> None:
        ws = p.ws
        assert ws is not None
        why = "closed"
        try:
            while True:
                raw, arrived = await ws.recv_timed()
                try:
                    self.handle(p, raw, arrived)
                except Exception as exc:  # a bug here must show in the report
                    self.errors[f"client bug: {type(exc).__name__}: {exc}"] += 1
        except ConnectionClosed as exc:
            why = f"closed {exc.rcvd.code if exc.rcvd else 'without close frame'}"
        except asyncio.CancelledError:
            return
        finally:
            if p.alive:
                p.alive = False
                p.room.live -= 1
                if not self.stop.is_set():
                    self.errors[f"connection lost ({why})"] += 1
                    self.push(("live", p.room.code, p.room.live))
                    self.check(p.room)

    def handle(self, p: Player, raw: bytes, now: int) -> None:
        kind = frame_kind(raw)
        if kind == b"room":
            moment = room_moment(raw)
            if moment is not None and moment != p.moment:
                p.moment = moment
                self.on_moment(p, moment, raw, now)
        elif kind == b"ack":
            index = int(scan(raw, b"round") or b"-1")
            p.acks[index] += 1
            if p.acks[index] == 1 and index in p.sent_ns:
                p.ack_ms[index] = (now - p.sent_ns[index]) / 1e6
            if p.pending == index:
                p.pending = None
        elif kind == b"me":
            me = json.loads(raw)
            if me["seq"] >= p.score_seq:
                p.score, p.score_seq = me["score"], me["seq"]
            last = me.get("last")
            if last:
                p.points[last["round"]] = last["points"]
        elif kind == b"error":
            code = str(json.loads(raw).get("code"))
            if p.pending is not None and code in ANSWER_ERRORS:
                p.refused[p.pending] = code
                p.pending = None
            else:
                self.errors[f"error {code}"] += 1
        elif kind == b"kicked":
            self.errors["kicked"] += 1

    def on_moment(self, p: Player, moment: tuple[str, int], raw: bytes, now: int) -> None:
        phase, index = moment
        room = p.room
        if phase == "open":
            p.open_ns.setdefault(index, now)
            if index not in room.open_bytes:  # parsed once per round and process: the
                room.open_bytes[index] = len(raw)  # clients are not what is measured
                room.publics[index] = json.loads(raw)["round"]["public"]
            if room.answering and index not in p.answered_rounds:
                p.answered_rounds.add(index)
                self.plan_answer(p, index, room.publics[index])
        elif phase == "reveal":
            p.reveal_ns.setdefault(index, now)
        room.seen[moment] += 1
        if room.seen[moment] >= room.live:
            self.check(room)

    def check(self, room: RoomTrack) -> None:
        for moment, seen in room.seen.items():
            if moment not in room.reported and seen >= room.live:
                room.reported.add(moment)
                self.push(("phase", room.code, moment[0], moment[1], seen))

    # ------------------------------------------------------------ answering

    def plan_answer(self, p: Player, index: int, public: dict[str, Any]) -> None:
        room = p.room
        if index not in room.solutions:
            assert self.solver is not None
            room.solutions[index] = (public, self.solver.solve(public))
        public, solution = room.solutions[index]
        answer = solution.answer
        if solution.solved and self.rng.random() >= self.opts.accuracy:
            answer = spoil(public, answer, self.rng)
        delay = self.rng.uniform(self.opts.think_min, self.opts.think_max)
        text = json.dumps({"type": "answer", "round": index, "answer": answer})
        asyncio.get_running_loop().call_later(
            delay, lambda: self.spawn(self.send_answer(p, index, text)))

    async def send_answer(self, p: Player, index: int, text: str) -> None:
        if not p.alive or p.ws is None:
            return
        p.sent_ns[index] = time.time_ns()
        p.pending = index
        with contextlib.suppress(ConnectionClosed):
            await p.ws.send(text)

    # ------------------------------------------------------------ results

    def results(self) -> dict[str, Any]:
        rooms = {}
        ack_ms: list[float] = []
        sent = acked = dup_acks = no_reply = score_over = score_under = 0
        refused: Counter[str] = Counter()
        for code, room in self.rooms.items():
            rounds = sorted({r for p in room.players for r in p.open_ns})
            rooms[code] = {
                "players": sum(1 for p in room.players if p.open_ns or p.alive),
                "live": room.live,
                "open_ns": {r: [p.open_ns[r] for p in room.players if r in p.open_ns]
                            for r in rounds},
                "reveal_ns": {r: [p.reveal_ns[r] for p in room.players if r in p.reveal_ns]
                              for r in rounds},
                "sent_ns": {r: [p.sent_ns[r] for p in room.players if r in p.sent_ns]
                            for r in rounds},
                "acked": {r: sum(1 for p in room.players if p.acks[r]) for r in rounds},
                "open_bytes": room.open_bytes,
            }
            for p in room.players:
                ack_ms.extend(p.ack_ms.values())
                sent += len(p.sent_ns)
                acked += sum(1 for r in p.sent_ns if p.acks[r])
                dup_acks += sum(n - 1 for n in p.acks.values() if n > 1)
                refused.update(p.refused.values())
                no_reply += sum(1 for r in p.sent_ns if not p.acks[r] and r not in p.refused)
                if room.answering and p.score_seq >= 0:
                    total = sum(p.points.values())
                    score_over += p.score > total
                    score_under += p.score < total
        return {"rooms": rooms, "ack_ms": ack_ms, "sent": sent, "acked": acked,
                "dup_acks": dup_acks, "no_reply": no_reply, "refused": dict(refused),
                "score_over": score_over, "score_under": score_under,
                "errors": dict(self.errors)}

    def drop_all(self) -> None:
        for task in list(self.tasks):
            if task is not self.ticker:
                task.cancel()
        for room in self.rooms.values():
            for p in room.players:
                p.alive = False
                if p.ws is not None:
                    p.ws.transport.abort()
                    p.ws = None
        self.rooms.clear()
        self.errors.clear()
        self.join_sem = None
        self.entered = 0
        self.creating = True


def worker_main(conn: multiprocessing.connection.Connection, wid: int) -> None:
    """The body of a client process (no cyclic GC: its pauses would show as latency)."""
    gc.disable()
    async def main() -> None:
        await Swarm(conn, wid).serve()

    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())


# ---------------------------------------------------------------------- the coordinator's side


class Pool:
    """Client processes and the coordinator's end of their pipes, read from its loop."""

    def __init__(self, processes: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conns: list[multiprocessing.connection.Connection] = []
        self.procs: list[multiprocessing.process.BaseProcess] = []
        for wid in range(processes):
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=worker_main, args=(theirs, wid), daemon=True,
                               name=f"bench-clients-{wid}")
            proc.start()
            theirs.close()
            self.conns.append(mine)
            self.procs.append(proc)
        self.inbox: asyncio.Queue[tuple[int, tuple[Any, ...]]] = asyncio.Queue()
        self.milestones: dict[tuple[str, str, int], set[int]] = {}
        self.live: dict[tuple[str, int], int] = {}
        self.changed = asyncio.Event()
        self.dead: set[int] = set()
        self.entered: dict[int, int] = {}
        self.replies: dict[int, asyncio.Queue[tuple[Any, ...]]] = {
            wid: asyncio.Queue() for wid in range(processes)}

    def __len__(self) -> int:
        return len(self.conns)

    def attach(self) -> None:
        loop = asyncio.get_running_loop()
        for wid, conn in enumerate(self.conns):
            loop.add_reader(conn.fileno(), self._readable, wid)

    def _readable(self, wid: int) -> None:
        conn = self.conns[wid]
        os.set_blocking(conn.fileno(), True)  # a message is read whole once it begins
        try:
            while conn.poll():
                self._dispatch(wid, conn.recv())
        except (EOFError, OSError):
            asyncio.get_running_loop().remove_reader(conn.fileno())
            self.dead.add(wid)
            self.replies[wid].put_nowait(("dead",))
            self.changed.set()

    def _dispatch(self, wid: int, msg: tuple[Any, ...]) -> None:
        if msg[0] == "phase":
            _, room, phase, index, _seen = msg
            self.milestones.setdefault((room, phase, index), set()).add(wid)
            self.changed.set()
        elif msg[0] == "progress":
            self.entered[wid] = msg[1]
        elif msg[0] == "live":
            self.live[(msg[1], wid)] = msg[2]
            self.changed.set()
        else:
            self.replies[wid].put_nowait(msg)

    def send(self, wid: int, msg: tuple[Any, ...]) -> None:
        os.set_blocking(self.conns[wid].fileno(), True)  # as in Swarm.push
        self.conns[wid].send(msg)

    async def reply(self, wid: int, timeout: float | None = None) -> tuple[Any, ...]:
        async with asyncio.timeout(timeout):
            msg = await self.replies[wid].get()
        if msg[0] == "dead":
            raise RuntimeError(f"client process {wid} died")
        return msg

    def reached(self, room: str, phase: str, index: int, wids: set[int]) -> bool:
        """Every process of `wids` reported that its live players of `room` saw it (a
        process whose players there are all gone counts as done)."""
        got = self.milestones.get((room, phase, index), set())
        return all(w in got or self.live.get((room, w), 1) == 0 for w in wids)

    async def wait_reached(self, room: str, phase: str, index: int, wids: set[int]) -> None:
        waited = 0.0
        while not self.reached(room, phase, index, wids):
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), 15)
            except TimeoutError:
                waited += 15
                got = self.milestones.get((room, phase, index), set())
                progress(f"room {room}: still waiting ({waited:.0f} s) for every player to "
                         f"see {phase} {index}: client processes done {sorted(got)} of "
                         f"{sorted(wids)}, live players {self.live or 'all'}")

    def forget(self) -> None:
        """Drop the milestones of the last scenario."""
        self.milestones.clear()
        self.live.clear()
        self.entered.clear()

    async def replies_with_progress(self, expected: dict[int, int],
                                    what: str) -> list[tuple[int, tuple[Any, ...]]]:
        """`expected[wid]` replies from each process, with a progress line every 15 s."""
        got: list[tuple[int, tuple[Any, ...]]] = []

        async def of(wid: int, n: int) -> None:
            for _ in range(n):
                got.append((wid, await self.reply(wid)))

        task = asyncio.ensure_future(asyncio.gather(*(of(w, n) for w, n in expected.items())))
        try:
            while True:
                done, _ = await asyncio.wait([task], timeout=15)
                if done:
                    task.result()
                    return got
                progress(f"{what}: {sum(self.entered.values()):,} in so far")
        finally:
            task.cancel()

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):
            loop = asyncio.get_running_loop()
            for conn in self.conns:
                with contextlib.suppress(ValueError, OSError):
                    loop.remove_reader(conn.fileno())
        for conn in self.conns:
            with contextlib.suppress(OSError, BrokenPipeError):
                conn.send(("quit",))
        for proc in self.procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
                proc.join(5)
