"""Rooms as the socket side sees them: create one, make sure one is running, where to join.

A connection and the HTTP routes reach the room side only through this: the room's
state (`store`, read only), its inbox (`inbox`, to push input) and its outbox (`outbox`,
for the last views sent);
creating a room builds its plan (an uploaded deck's in a worker process, `Uploads`) and
stores it within the server's cap on rooms; running one asks this process's `Owner` to
take its lease if nobody holds it.
"""

from __future__ import annotations

import contextlib
import secrets

from game_rules.machine import Game
from game_rules.model import Settings
from server import protocol
from server.competitions import NewCompetition
from server.config import Config, join_url, public_url
from server.deck_source import prepare
from server.inbox import Inbox
from server.outbox import Outbox
from server.owner import Owner
from server.room_registry import RoomRegistry
from server.store import Store, normalise_code
from server.uploads import Uploads


class UnknownCompetition(Exception):
    """No competition with that id, or not its host key."""


class Rooms:
    def __init__(self, config: Config, store: Store, inbox: Inbox, outbox: Outbox,
                 registry: RoomRegistry, owner: Owner):
        self.config = config
        self.store = store
        self.inbox = inbox
        self.outbox = outbox
        self.registry = registry
        self.owner = owner
        self.competitions = owner.competitions
        self.uploads = Uploads(config.upload_workers, config.upload_timeout_s)

    @property
    def process_id(self) -> str:
        """This process, as a room's players' connections name it (`PlayerConnection.via`)."""
        return self.owner.leases.owner_id

    @property
    def public_url(self) -> str:
        return public_url(self.config)

    def join_url(self, code: str) -> str:
        return join_url(self.config, code)

    async def prepare_game(self, msg: protocol.CreateRoom | protocol.CreateCompetition
                           ) -> tuple[Game, str, protocol.PlanInfo]:
        """The game `msg`'s deck and settings make: (game, deck title, what the plan made of
        the deck). BadDeck for a deck that cannot make one."""
        s = msg.settings
        settings = Settings(
            rounds=s.rounds, round_mix=tuple(s.round_mix), points=s.points,
            time_limit_ms=s.time_limit_s * 1000, speed_scoring=s.speed_scoring,
            streak_bonus=s.streak_bonus, late_join=s.late_join, max_players=s.max_players,
            items_per_round=s.items_per_round, name_filter=s.name_filter,
            teams=s.teams, team_size=s.team_size, team_count=s.team_count,
        )
        seed = msg.seed if msg.seed is not None else secrets.randbits(32)
        if msg.upload is None:  # a bundled deck: parsed once, its texts cached
            made = prepare(msg, settings, seed)
        else:  # a stranger's file: read in a worker process, within the upload limits
            made = await self.uploads.prepare(msg, settings, seed)
        plan, report = made.plan, made.report
        info = protocol.PlanInfo(
            rounds=len(plan), kinds=list(report.kinds),
            left_out=[protocol.LeftOut(kind=x.kind, reason=x.reason, text=x.sentence)
                      for x in report.left_out])
        return Game(settings, plan), made.title, info

    async def create(self, msg: protocol.CreateRoom) -> tuple[str, str, protocol.PlanInfo]:
        """Store a new room playing the game `msg` chooses (its deck and settings, or its
        competition's); returns (code, host token, what the plan made of the deck).
        BadDeck for a deck that cannot make the game, ServerFull when the server already
        has its maximum of rooms, UnknownCompetition for a wrong competition or host key,
        CompetitionClosed for a closed one."""
        if msg.competition is not None:
            assert msg.host_key is not None
            cid = normalise_code(msg.competition)
            found = await self.competitions.game_for_host(cid, msg.host_key)
            if found is None:
                raise UnknownCompetition(cid)
            game, title, info = found[0], found[1], protocol.PlanInfo.model_validate_json(found[2])
        else:
            cid = None
            game, title, info = await self.prepare_game(msg)
        # A place in the registry first, then the room: a refused room is never created,
        # and racing processes cannot exceed the cap (see server/room_registry.py).
        slot = await self.registry.reserve()
        try:
            code, token = await self.store.create_room(game, title, cid)
            if cid is not None:
                await self.competitions.add_room(cid, code)
        except BaseException:
            with contextlib.suppress(Exception):
                await self.registry.release(slot)
            raise
        await self.registry.confirm(slot, code)
        return code, token, info

    async def create_competition(self, msg: protocol.CreateCompetition
                                 ) -> tuple[NewCompetition, protocol.PlanInfo]:
        """Store a new competition playing the game `msg` chooses. BadDeck as `create`."""
        game, title, info = await self.prepare_game(msg)
        made = await self.competitions.create(game, title, msg.name, info.model_dump_json())
        return made, info

    async def run(self, code: str) -> None:
        """Run the room in this process if no process holds its lease."""
        await self.owner.ensure(code)
