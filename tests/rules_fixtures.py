"""Small synthetic decks and deck strategies for the round, plan and scoring tests."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from game_rules.model import Card, Deck, Event, Round, Settings

HISTORIANS: dict[str, tuple[str, ...]] = {
    "Fitzpatrick": ("Sheila Fitzpatrick",),
    "Kotkin": (),
    "Lewin": ("Moshe Lewin",),
    "Conquest": ("Robert Conquest",),
}

_CLAIMS = {
    "Fitzpatrick": [
        "Fitzpatrick calls the plan a revolution from above lived as a war.",
        "Sheila Fitzpatrick sees upward mobility as the regime's social base.",
        "Fitzpatrick's reading stresses everyday survival over ideology.",
    ],
    "Kotkin": [
        "Kotkin argues Magnitogorsk was a laboratory of a new civilisation.",
        "Speaking Bolshevik meant learning the regime's language, says Kotkin.",
        "Kotkin's workers bargained within the system rather than resisting it.",
    ],
    "Lewin": [
        "Lewin describes a quicksand society where planning bred chaos.",
        "Moshe Lewin contrasts Lenin's last struggle with Stalin's course.",
        "Lewin's peasants were crushed by collectivisation's violence.",
    ],
    "Conquest": [
        "Conquest counts the Terror's victims in the millions.",
        "Robert Conquest's harvest of sorrow blames the famine on policy.",
        "Conquest sees Stalin's personal will behind the purges.",
    ],
}


def _cid(cat: str, i: int) -> str:
    return f"card-{cat.lower()}-{i}"


def history_deck() -> Deck:
    """4 historians x 3 cards (claims naming their historian), 6 comparable dated events
    from distinct cards plus 2 events overlapping others."""
    cards = [
        Card(
            id=_cid(cat, i),
            prompt=f"{cat}: question {i} about the 1930s?",
            answer=f"A long answer number {i} by {cat}, " + "with many words " * 12,
            category=cat,
            claim=claim,
            aliases=HISTORIANS[cat],
        )
        for cat, claims in _CLAIMS.items()
        for i, claim in enumerate(claims)
    ]
    cards.append(Card(id="card-plain", prompt="Uncategorised?", answer="A plain answer."))
    spans = [
        ("ev-a", "Fourteenth Party Congress", "1925-12-18", "1925-12-31", _cid("Lewin", 0)),
        ("ev-b", "Shakhty Trial", "1928-05-18", "1928-07-06", _cid("Fitzpatrick", 0)),
        ("ev-c", "First Five-Year Plan", "1928-10-01", "1932-12-31", _cid("Lewin", 1)),
        ("ev-d", "Congress of Victors", "1934-01-26", "1934-02-10", _cid("Kotkin", 0)),
        ("ev-e", "Kirov murdered", "1934-12-01", "1934-12-01", _cid("Conquest", 0)),
        ("ev-f", "Great Terror", "1936-08-01", "1938-11-30", _cid("Conquest", 1)),
        # These overlap ev-c and ev-f respectively: never asked against them.
        ("ev-g", "Kazakh famine", "1930-01-01", "1933-12-31", _cid("Kotkin", 1)),
        ("ev-h", "Bukharin trial", "1938-03-02", "1938-03-13", _cid("Conquest", 2)),
    ]
    events = [Event(id=i, label=lab, start=s, end=e, card_id=c) for i, lab, s, e, c in spans]
    return Deck(title="Synthetic history", cards=tuple(cards), events=tuple(events),
                category_noun="historian")


def one_category_deck() -> Deck:
    cards = tuple(
        Card(id=f"k{i}", prompt=f"Q{i}?", answer=f"Answer {i}.", category="Kotkin",
             claim=f"Claim number {i}.")
        for i in range(6)
    )
    return Deck(title="One historian", cards=cards)


def tiny_deck() -> Deck:
    """Three cards, two categories, events that all overlap: only match and sort work."""
    cards = (
        Card(id="t1", prompt="Q1?", answer="A1.", category="Lewin", claim="Lewin one."),
        Card(id="t2", prompt="Q2?", answer="A2.", category="Kotkin", claim="Kotkin two."),
        Card(id="t3", prompt="Q3?", answer="A3.", category="Kotkin", claim="Kotkin three."),
    )
    events = tuple(
        Event(id=f"o{i}", label=f"Overlap {i}", start="1930-01-01", end=f"193{i + 1}-06-30",
              card_id="t1")
        for i in range(4)
    )
    return Deck(title="Tiny", cards=cards, events=events)


_WORDS = ["plan", "terror", "famine", "party", "state", "peasants", "workers", "steel",
          "purge", "grain", "kulak", "trial", "society", "power", "the", "of", "was"]
_NAMES = ["Fitzpatrick", "Kotkin", "Lewin", "Conquest", "Davies", "Ed"]


@st.composite
def decks(draw: st.DrawFn) -> Deck:
    """Random small decks: 0-6 categories (some names also used in claims), 1-18 cards,
    0-10 events with random, sometimes overlapping spans and repeated labels."""
    cats = draw(st.lists(st.sampled_from(_NAMES), max_size=6, unique=True))
    n_cards = draw(st.integers(1, 18))
    cards: list[Card] = []
    for i in range(n_cards):
        category = draw(st.sampled_from([None, *cats])) if cats else None
        words = draw(st.lists(st.sampled_from(_WORDS + _NAMES), min_size=1, max_size=8))
        claim = " ".join(words).capitalize() + "." if draw(st.booleans()) else None
        answer = " ".join(draw(st.lists(st.sampled_from(_WORDS + _NAMES), min_size=1,
                                        max_size=40)))
        aliases = (f"Prof {category}",) if category and draw(st.booleans()) else ()
        cards.append(Card(id=f"card{i}", prompt=f"Question {i}?", answer=answer,
                          category=category, claim=claim, aliases=aliases))
    events: list[Event] = []
    for j in range(draw(st.integers(0, 10))):
        year = draw(st.integers(1900, 1960))
        length = draw(st.integers(0, 4))
        label = draw(st.sampled_from(["Congress", "Trial", "Famine", f"Event {j}"]))
        events.append(Event(id=f"event{j}", label=label, start=f"{year}-01-01",
                            end=f"{year + length}-12-31",
                            card_id=cards[draw(st.integers(0, n_cards - 1))].id))
    return Deck(title="Random", cards=tuple(cards), events=tuple(events))


def random_event(rng: random.Random, state: Any, plan: Sequence[Any]) -> Any:
    """A plausible next event of a quiz-only game in `state` (joins, drops, answers, kicks,
    deadlines, added time, every host action), for the tests that play random games."""
    from game_rules import machine as m

    pids = list(state.players)
    roll = rng.random()
    if roll < 0.25 or not pids:
        return m.PlayerJoin(f"p{rng.randint(0, 25)}", rng.choice("ABCDEFGH") * 2)
    if roll < 0.4:
        return m.PlayerConnection(rng.choice(pids), rng.random() < 0.5)
    if roll < 0.7 and state.phase == "open":
        options = plan[state.round_index].key["options"]
        return m.SubmitAnswer(rng.choice(pids), state.round_index, {"choice": rng.choice(options)})
    if roll < 0.75:
        return m.HostKick(rng.choice(pids))
    if roll < 0.8:
        return m.DeadlineReached(state.round_index)
    if roll < 0.83:
        return m.HostAddTime(5000)
    return m.HostAction(rng.choice(["start", "next", "next", "skip", "pause", "resume", "lock",
                                    "unlock", "end"]))


# Text a player must never read: a "[placeholder]" or an ellipsis.
PLACEHOLDER = re.compile(r"\[[^\]]*\]|…|\.\.\.")


def right_and_wrong(rnd: Round) -> tuple[dict[str, Any], dict[str, Any]]:
    key = rnd.key
    if rnd.kind == "quiz":
        other = next(i for i in key["options"] if i != key["correct"])
        return {"choice": key["correct"]}, {"choice": other}
    if rnd.kind == "match":
        lefts, rights = list(key["pairs"]), list(key["pairs"].values())
        return {"pairs": key["pairs"]}, {"pairs": dict(zip(lefts, rights[1:] + rights[:1],
                                                           strict=True))}
    if rnd.kind == "sort":
        buckets = sorted(set(key["placement"].values()))
        moved = {i: buckets[(buckets.index(b) + 1) % len(buckets)]
                 for i, b in key["placement"].items()}
        return {"placement": key["placement"]}, {"placement": moved}
    return {"order": key["order"]}, {"order": key["order"][::-1]}


CLOZE_BLANK = "[...]"


def assert_plays(deck: Deck, settings: Settings, seeds: range = range(3), *,
                 check_texts: bool = True) -> list[Round]:
    """Plan `deck` with each seed and check every round: the key grades as perfect, a wrong
    answer does not, and (with `check_texts`, for decks whose own text has none) no text a
    player reads holds a placeholder or an ellipsis. A deck that can carry no kind of the
    mix must say so (ValueError). The rounds played."""
    from game_rules import rounds
    from game_rules.plan import make_plan, plan_report

    if not plan_report(deck, settings).kinds:
        try:
            make_plan(deck, settings, 0)
        except ValueError:
            return []
        raise AssertionError("a deck with no kind to play made a plan")
    played = []
    for seed in seeds:
        for rnd in make_plan(deck, settings, seed):
            right, wrong = right_and_wrong(rnd)
            n = rounds.size(rnd.kind, rnd.key)
            assert rounds.grade(rnd.kind, rnd.key, right) == rounds.Grade(1.0, True, n, n)
            assert not rounds.grade(rnd.kind, rnd.key, wrong).perfect
            pub = rnd.public
            texts = [pub["prompt"], *(x["text"] for f in ("options", "left", "right",
                                                         "buckets", "items")
                                      for x in pub.get(f, []))]
            # (A cloze card's blank, "[...]", is what its prompt asks.)
            for text in texts if check_texts else ():
                assert not PLACEHOLDER.search(text.replace(CLOZE_BLANK, "")), (rnd.kind, text)
            played.append(rnd)
    return played
