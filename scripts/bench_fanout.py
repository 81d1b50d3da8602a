"""Benchmark: a process's CPU cost to forward one outbox envelope of a room of N players.

Builds the envelope a room's owner publishes after a round closes (room view, host view,
every player's own view) from a real room state, then times what each process does with
it before writing to sockets: today, decode the envelope and forward the frames as they
are; before the outbox (the comparison), parse the envelope into dicts and dump every
view again for its recipients. No sockets: this isolates the encoding work.

    python scripts/bench_fanout.py --players 100 500 2000
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from decks.io import bundled_deck_path, load_deck
from game_rules import machine as m
from game_rules.model import Settings
from game_rules.plan import make_plan
from server import outbox, protocol, views


def closed_room(players: int) -> tuple[m.Game, m.RoomState]:
    """A room of `players` after its first quiz round closed, everyone having answered."""
    settings = Settings(rounds=1, round_mix=("quiz",), max_players=players)
    deck = load_deck(bundled_deck_path("soviet-union-1928-41")).to_rules()
    game = m.Game(settings, tuple(make_plan(deck, settings, seed=1)))
    state = m.RoomState()
    for i in range(players):
        state, _ = m.apply(game, state, m.PlayerJoin(f"p{i:05d}", f"Player {i}"), i)
    state, _ = m.apply(game, state, m.HostAction("start"), players)
    options = game.plan[0].key["options"]
    for i in range(players):
        event = m.SubmitAnswer(f"p{i:05d}", 0, {"choice": options[i % len(options)]})
        state, _ = m.apply(game, state, event, players + 10 + i)
    assert state.phase == "reveal"
    return game, state


def envelope(game: m.Game, state: m.RoomState) -> outbox.Envelope:
    seq = 7
    return outbox.Envelope((), outbox.Views(
        seq=seq,
        room=protocol.encode(views.room_view("ABCDEF", "deck", game, state, seq, 0)),
        host=protocol.encode(views.host_view(state, seq, "http://x/play?room=ABCDEF")),
        me=views.me_views(game, state, seq),
    ))


def forward_encoded(raw: str) -> int:
    """Today: decode, then hand each frame's text to the sockets as it is."""
    env = outbox.Envelope.decode(raw)
    assert env.views is not None
    return len(env.views.room) + len(env.views.host) + sum(map(len, env.views.me.values()))


def old_envelope(raw: str) -> str:
    """The same envelope as the owner published it before the outbox: views as objects."""
    v = json.loads(raw)["v"]
    return json.dumps({"seq": v[0], "room": json.loads(v[1]), "host": json.loads(v[2]),
                       "me": {pid: json.loads(text) for pid, text in v[3].items()}})


def dumps(data: object) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def forward_reencoded(raw_old: str) -> int:
    """Before the outbox: parse the envelope into objects, dump each view for its sockets."""
    env = json.loads(raw_old)
    size = len(dumps(env["room"])) + len(dumps(env["host"]))
    return size + sum(len(dumps(view)) for view in env["me"].values())


def median_ms(fn, raw: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(raw)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, nargs="+", default=[100, 500, 2000])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print(f"outbox fan-out cost per envelope (after a round closes, every view), "
          f"median of {args.repeat}, {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"{'players':>8} {'envelope':>10} {'forward as is':>14} {'parse + dump':>13} "
          f"{'ratio':>6}")
    for n in args.players:
        raw = envelope(*closed_room(n)).encode()
        now = median_ms(forward_encoded, raw, args.repeat)
        before = median_ms(forward_reencoded, old_envelope(raw), args.repeat)
        print(f"{n:>8} {len(raw) / 1024:>7.0f}KiB {now:>12.2f}ms {before:>11.2f}ms "
              f"{before / now:>5.1f}x")


if __name__ == "__main__":
    main()
