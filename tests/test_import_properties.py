"""Property tests of the import pipeline (issue 9): decks generated in every format, with
dates of every form (ranges, seasons, comparisons, publication years), historians named in
prompts and answers, asides and long sentences. Whatever the importer accepts is a valid
deck whose event labels and claims obey the rules of `test_import_samples.deck_faults`,
and that plans and plays (`rules_fixtures.assert_plays`).
"""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decks.importers import import_text
from decks.io import DeckError
from game_rules.model import ROUND_KINDS, Settings
from tests.rules_fixtures import assert_plays
from tests.test_import_samples import deck_faults

ALL_KINDS = Settings(rounds=8, round_mix=ROUND_KINDS)

SUBJECTS = ["The council", "The army", "Parliament", "The old king", "Rebels in the north",
            "The new government", "Farmers in the valley", "The central bank",
            "Merchants of the port", "The assembly"]
ACTIONS = ["abolished the salt tax", "signed a treaty with its neighbour",
           "seized the capital", "raised the price of bread", "opened the first railway",
           "banned public meetings", "crushed the revolt in the hills", "moved to the coast",
           "elected a new leader", "printed paper money"]
THINGS = ["the Grain Law", "the Harbour Treaty", "the March Decree", "the Northern Revolt",
          "the Bread Riots", "the First Census"]
NAMES = [("Marsh", "Ellen Marsh"), ("Okafor", "Daniel Okafor"), ("Brandt", "Lena Brandt"),
         ("Ito", "Kenji Ito")]
MONTHS = ["January", "March", "May", "June", "July", "August", "October", "December"]


@st.composite
def dates(draw: st.DrawFn) -> str:
    """A date in one of the forms notes use."""
    year = draw(st.integers(1700, 1990))
    month = draw(st.sampled_from(MONTHS))
    day = draw(st.integers(1, 27))
    return draw(st.sampled_from([
        f"{day} {month} {year}", f"{month} {year}", str(year), f"{year}–{(year + 1) % 100:02d}",
        f"{day}–{day + 1} {month} {year}", f"{day} June–{day} August {year}",
        f"early {year}", f"winter {year}–{(year + 1) % 100:02d}",
        f"between {month} {year} and {month} {year + 2}", f"{month} {day}, {year}",
    ]))


@st.composite
def sentences(draw: st.DrawFn, name: tuple[str, str] | None) -> str:
    """One sentence of an answer: events, comparisons, publications, attributions."""
    subject, action = draw(st.sampled_from(SUBJECTS)), draw(st.sampled_from(ACTIONS))
    other, thing = draw(st.sampled_from(ACTIONS)), draw(st.sampled_from(THINGS))
    date, year = draw(dates()), draw(st.integers(1600, 1990))
    low = subject[0].lower() + subject[1:]
    forms = [
        f"{subject} {action} in {date}.",
        f"On {date}, {low} {action}, and {other.split()[0]} {other.split(' ', 1)[1]} too.",
        f"{subject} {action} ({date}), which {other} within a year.",
        f"It was the worst harvest since {year}.",
        f"Prices were higher than in {year}.",
        f"{subject}—after long delays and much argument—{action} in {date}.",
        f"After {thing} of {date}, {low} {action}, {other}, and waited.",
        f"{subject} {action}; the country was calm.",
        f"{subject}, with the army and the assembly of the northern provinces, {action} and "
        f"{other} in {date} after months of quarrelling over the dues of {thing}.",
        f"{subject} faced three problems: {action}, {other}, and {thing}.",
        f"{subject} and the army and the assembly of the northern provinces of the old kingdom "
        f"{action} for the merchants of the port in the year of the great flood after {thing} "
        f"of {date}.",
        f"{subject} called it “{thing}” in {date}.",
        f"He {action} in {date}.",
        f"This {thing[4:].lower()} {action} in {date}.",
    ]
    if name is not None:
        forms += [
            f"{name[0]} argues that {low} {action} in {date}.",
            f"In her {year} book, {name[1]} shows that {low} {action}.",
            f"He points to {thing} of {date} as proof of a plan.",
            f"According to {name[0]}, {low} {action} because {thing} had failed in {date}.",
            f"{name[0]} treats {thing} as the start of the crisis.",
        ]
    return draw(st.sampled_from(forms))


@st.composite
def cards(draw: st.DrawFn, with_names: bool) -> tuple[str | None, str, str, str, list[str]]:
    """(category, prompt, answer, date column, tags) of one card."""
    name = draw(st.sampled_from(NAMES)) if with_names else None
    thing, subject = draw(st.sampled_from(THINGS)), draw(st.sampled_from(SUBJECTS)).lower()
    prompt = draw(st.sampled_from([
        f"When was {thing} signed?", f"When did {subject} seize the capital?",
        f"What was {thing}?", thing[4:].capitalize(),
        f"How does {name[1] if name else 'the book'} explain {thing}?",
    ]))
    answer = " ".join(draw(st.lists(sentences(name), min_size=1, max_size=4)))
    date = draw(st.one_of(st.just(""), dates()))
    tags = draw(st.lists(st.sampled_from(["war", "tax", "law", "towns", "food"]), max_size=3))
    return (name[0] if name else None, prompt, answer, date, tags)


def knowt(deck: list[tuple[str | None, str, str, str, list[str]]]) -> str:
    body = "".join(f"{k}\nNew cards\n\n{f'{c}: ' if c else ''}{p}\n\n{a}\n\n"
                   for k, (c, p, a, _, _) in enumerate(deck, 1))
    return f"Generated deck\n\n{len(deck)} Terms\n\n{body}"


def quizlet(deck: list[tuple[str | None, str, str, str, list[str]]]) -> str:
    return "".join(f"{p}\t{a}\n" for _, p, a, _, _ in deck)


def csv_text(deck: list[tuple[str | None, str, str, str, list[str]]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Question", "Answer", "Historian", "Date", "Tags"])
    for c, p, a, d, t in deck:
        writer.writerow([p, a, c or "", d, "; ".join(t)])
    return out.getvalue()


def anki(deck: list[tuple[str | None, str, str, str, list[str]]]) -> str:
    head = "#separator:tab\n#html:true\n#tags column:3\n"
    return head + "".join(f"{p}\t{a.replace('. ', '.<br>', 1)}\tGen::{' Gen::'.join(t)}\n"
                          for _, p, a, _, t in deck)


FORMATS = {"knowt": knowt, "quizlet": quizlet, "csv": csv_text, "anki": anki}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(FORMATS)), st.booleans().flatmap(
    lambda names: st.lists(cards(names), min_size=2, max_size=8)))
def test_generated_decks_obey_the_rules(fmt: str, deck: list[tuple[str | None, str, str, str,
                                                                   list[str]]]) -> None:
    text = FORMATS[fmt](deck)
    try:
        imported, _ = import_text(text, fmt)
    except DeckError:  # e.g. repeated prompts only; nothing else to check
        return
    assert deck_faults(imported) == []
    assert len(imported.cards) == len(deck)
    assert_plays(imported.to_rules(), ALL_KINDS, range(1))
    if fmt in {"csv", "anki"}:
        assert [c.tags for c in imported.cards] == [list(dict.fromkeys(t)) for *_, t in deck]


pieces = st.sampled_from([*"ab:K \t\n,;|\"#<>&()", "#separator:tab\n", "#html:true\n",
                          "1\nNew cards\n", "prompt,answer,date\n", "Kotkin: ", "<br>",
                          "{{c1::x}}", "1930", "20–21 June 1791", "since 1614", "He argues that ",
                          "When was the treaty signed?", "The army seized the capital",
                          "…", "...", "[x]", "\n\n", "Kotkin argues that ", ", which ", "; "])


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, max_size=40).map("".join),
       st.sampled_from([None, "knowt", "quizlet", "csv", "anki"]))
def test_any_accepted_input_obeys_the_rules(text: str, fmt: str | None) -> None:
    try:
        deck, warnings = import_text(text, fmt)
    except DeckError:
        return
    unclaimed = {f"{c.id}: no claim" for c in deck.cards if not c.claim}
    assert len(unclaimed) == sum("no claim" in w for w in warnings)  # each one is reported
    assert [f for f in deck_faults(deck) if f.removeprefix("card ") not in unclaimed] == []
    # Its own text may hold "…" or "[x]" (the pieces do): it must plan and play all the same.
    assert_plays(deck.to_rules(), ALL_KINDS, range(1), check_texts=False)
