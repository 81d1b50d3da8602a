"""How a deck's cards fall into groups for match and sort rounds, without ambiguity.

Categories first (the historian of each card); a deck without two categories groups by
its cards' tags instead (`tag_groups`). A text shown in two groups could go in either, so
it is left out of both; match's term variant leaves out cards whose prompt or text
another card shares.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from game_rules.model import Card, Deck
from game_rules.rounds.texts import norm

Texted = tuple[Card, str]  # a card and the text players read for it


def tag_groups(deck: Deck) -> dict[str, list[Card]]:
    """Cards grouped by tag, in deck order, each card in one group at most.

    Tags every tagged card carries tell nothing and are ignored. The others may be several
    ways of grouping at once ("soviet"/"american" beside "people"/"satellites"), so the
    groups are one family of tags: a card joins the group of the one family tag it has,
    and a card with two of them joins none. The family placing the most cards wins: grown
    from each tag in turn by adding, most used first, every tag that places more cards."""
    tagged = [set(c.tags) for c in deck.cards if c.tags]
    everywhere = set.intersection(*tagged) if tagged else set()
    tags_of = [(card, [t for t in dict.fromkeys(card.tags) if t not in everywhere])
               for card in deck.cards]
    uses = Counter(t for _, tags in tags_of for t in tags)
    ranked = sorted(uses, key=lambda t: (-uses[t], t))

    def placed(family: set[str]) -> list[tuple[Card, str]]:
        out = []
        for card, tags in tags_of:
            mine = [t for t in tags if t in family]
            if len(mine) == 1:
                out.append((card, mine[0]))
        return out

    best: list[tuple[Card, str]] = []
    for seed in ranked:
        family = {seed}
        for tag in ranked:
            if tag not in family and len(placed(family | {tag})) > len(placed(family)):
                family.add(tag)
        found = placed(family)
        if len({t for _, t in found}) >= 2 and len(found) > len(best):
            best = found
    groups: dict[str, list[Card]] = {}
    for card, tag in best:
        groups.setdefault(tag, []).append(card)
    return groups


def texted_groups(groups: dict[str, list[Card]],
                  text: Callable[[Card], str]) -> dict[str, tuple[Texted, ...]]:
    """`groups` with each card's text; a text found in two groups is dropped from both, a
    text repeated within one group kept once; empty groups are left out."""
    owners: dict[str, set[str]] = {}
    for name, cards in groups.items():
        for card in cards:
            owners.setdefault(norm(text(card)), set()).add(name)
    out: dict[str, list[Texted]] = {}
    for name, cards in groups.items():
        seen: set[str] = set()
        for card in cards:
            t = text(card)
            if len(owners[norm(t)]) == 1 and norm(t) not in seen:
                seen.add(norm(t))
                out.setdefault(name, []).append((card, t))
    return {name: tuple(texted) for name, texted in out.items()}


def sort_groups(deck: Deck,
                text: Callable[[Card], str]) -> tuple[str, dict[str, tuple[Texted, ...]]]:
    """What a sort round's buckets are called (the deck's category noun, or "group" for
    tags) and its groups: categories when two of them have texts, else tags."""
    by_category = texted_groups(deck.categories(), text)
    if len(by_category) >= 2:
        return deck.category_noun, by_category
    return "group", texted_groups(tag_groups(deck), text)


def term_pairs(deck: Deck, text: Callable[[Card], str]) -> tuple[Texted, ...]:
    """Cards for matching prompt -> text: one per (prompt, text), and none whose prompt or
    text another card shares, or whose text is its prompt."""
    unique: dict[tuple[str, str], Texted] = {}
    for card in deck.cards:
        t = text(card)
        if norm(t) != norm(card.prompt):
            unique.setdefault((norm(card.prompt), norm(t)), (card, t))
    prompts = Counter(p for p, _ in unique)
    texts = Counter(t for _, t in unique)
    return tuple(v for (p, t), v in unique.items() if prompts[p] == 1 and texts[t] == 1)
