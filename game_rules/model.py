"""Plain data the round rules work on: a deck as the rules see it, settings, rounds.

`decks` converts its validated files into these types; `game_rules` never reads files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

TeamMode = Literal["off", "random", "host"]
RoundKind = Literal["quiz", "match", "sort", "order"]
ROUND_KINDS: tuple[RoundKind, ...] = ("quiz", "match", "sort", "order")


@dataclass(frozen=True)
class Card:
    """One flashcard. `category` is e.g. the historian; `claim` a short form of the answer."""

    id: str
    prompt: str
    answer: str
    category: str | None = None
    claim: str | None = None
    # Texts that name the category and must be masked when a round asks for it
    # (e.g. "Sheila Fitzpatrick", "Fitzpatrick"); empty means mask just the category name.
    aliases: tuple[str, ...] = ()
    # Free labels from the source deck (Anki/Quizlet tags); sort rounds group by them
    # when a deck has no categories.
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    """A dated event for ordering rounds, spanning the ISO days `start`..`end` (inclusive).

    Two events can be asked against each other only when their spans do not overlap.
    """

    id: str
    label: str
    start: str
    end: str
    card_id: str
    date: str = ""  # the date as players read it at the reveal ("May 1927")

    def before(self, other: Event) -> bool:
        return self.end < other.start


@dataclass(frozen=True)
class Deck:
    title: str
    cards: tuple[Card, ...]
    events: tuple[Event, ...] = ()
    category_noun: str = "category"  # what a category is called in prompts ("historian")

    def categories(self) -> dict[str, list[Card]]:
        """Cards grouped by category, in deck order; uncategorised cards are left out."""
        groups: dict[str, list[Card]] = {}
        for card in self.cards:
            if card.category:
                groups.setdefault(card.category, []).append(card)
        return groups


@dataclass(frozen=True)
class Settings:
    """Game settings chosen by the host. Times in milliseconds."""

    rounds: int = 8
    round_mix: tuple[RoundKind, ...] = ROUND_KINDS
    points: int = 1000
    time_limit_ms: int = 20_000
    speed_scoring: bool = True
    streak_bonus: bool = True
    late_join: bool = True
    max_players: int = 100
    items_per_round: int = 4  # pairs in match, cards in sort, events in order
    name_filter: bool = True  # refuse nicknames with a word of the profanity list
    # Team mode (game_rules/teams.py): "random" teams of `team_size`, placed as players
    # join; "host": `team_count` teams the host fills in the lobby.
    teams: TeamMode = "off"
    team_size: int = 4
    team_count: int = 4


@dataclass(frozen=True)
class Round:
    """One round of a plan: what players see (`public`) and what only the server knows (`key`).

    `public` and `key` are JSON-ready dicts; `public` never contains the key. `cards`
    (never sent to players) names the card each scored item asks, item id -> the card's
    `card_record`, for reports: quiz the correct option, match the left items, sort and
    order the items. Empty in rooms stored before it existed.
    """

    kind: RoundKind
    public: dict[str, Any]
    key: dict[str, Any]
    time_limit_ms: int
    points: int
    cards: dict[str, dict[str, str]] = field(default_factory=dict)


def card_record(card: Card) -> dict[str, str]:
    """What a report needs of a card, JSON-ready: id, prompt, answer, and its category and
    claim when it has them."""
    record = {"id": card.id, "prompt": card.prompt, "answer": card.answer}
    if card.category:
        record["category"] = card.category
    if card.claim:
        record["claim"] = card.claim
    return record
