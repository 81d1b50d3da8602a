"""What players read: short forms made of whole sentences, names rewritten into words, and
what a text is made of (form, key terms). Issue 9: no "[placeholder]", nothing cut with "…"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from game_rules.masking import refer
from game_rules.model import Card
from game_rules.rounds.texts import (
    MAX_TEXT,
    card_text,
    form,
    key_terms,
    names,
    sentences,
    short_form,
    shown,
)

NAMES = {"Kotkin": "Kotkin", "Lewin": "Lewin", "Moshe Lewin": "Lewin",
         "Fitzpatrick": "Fitzpatrick", "Sheila Fitzpatrick": "Fitzpatrick"}


def test_sentences_keep_initials_and_abbreviations() -> None:
    text = "V. P. Danilov counted. Henry Freyn and Co. of Chicago came in 1927. “Why?” he asked."
    assert sentences(text) == ["V. P. Danilov counted.", "Henry Freyn and Co. of Chicago came "
                               "in 1927.", "“Why?” he asked."]


@pytest.mark.parametrize(
    ("answer", "short"),
    [
        ("Short enough.", "Short enough."),
        # whole sentences that fit
        ("The trial was staged in 1928. " + "It " + "went on and on " * 10 + ".",
         "The trial was staged in 1928."),
        # the first sentence is too long: its first clauses, before a semicolon
        ("Collectivisation was a disaster for the villages; " + "grain " * 30 + "was taken.",
         "Collectivisation was a disaster for the villages."),
        # before a comma that a linking word follows
        ("Stalin wrote the law on socialist property himself, which imposed " + "harsh " * 25
         + "penalties.", "Stalin wrote the law on socialist property himself."),
        # an aside between two dashes is never cut in half: the whole sentence instead
        ("About 381,000 households—at least 1.5 million people—were deported " + "far " * 25
         + "away.", "About 381,000 households—at least 1.5 million people—were deported "
         + "far " * 25 + "away."),
    ],
)
def test_short_form_is_whole_sentences_or_clauses(answer: str, short: str) -> None:
    assert short_form(answer) == short
    assert "…" not in short_form(answer)


@given(st.lists(st.sampled_from(["Kotkin", "argues", "that", "the", "plan", "1929–32", ",",
                                 ";", ".", "—", "(", ")", "“", "”", "V.", "Co.", "Yes."]),
                max_size=80).map(" ".join))
def test_short_form_never_adds_an_ellipsis_and_comes_from_the_text(text: str) -> None:
    out = short_form(text)
    assert "…" not in out
    words = " ".join(text.split())
    assert out.rstrip(".") in words or out == words


def test_card_text_prefers_the_claim() -> None:
    long = "A sentence that is long enough. " * 10
    assert card_text(Card("a", "Q?", long, claim=" Short  claim. ")) == "Short claim."
    assert card_text(Card("b", "Q?", long)) == " ".join(["A sentence that is long enough."] * 3)
    assert len(card_text(Card("b", "Q?", long))) <= MAX_TEXT


def test_refer_rewrites_names_into_words() -> None:
    # Was "[historian]'s city, says [historian]." (game_rules.masking.mask, still there for
    # decks/masking.py): players now read words that do not give the historian away.
    text = "Kotkin’s city, says Moshe Lewin. Lewin agrees; “Kotkin argues"
    assert refer(text, NAMES, "historian", own="Kotkin") == (
        "This historian’s city, says another historian. Another historian agrees; "
        "“this historian argues")
    assert refer("Speaking Bolshevik, says Kotkin.", NAMES, "historian") == (
        "Speaking Bolshevik, says this historian.")
    assert refer("Kotkinson and kotkin stay.", NAMES, "historian") == "Kotkinson and kotkin stay."


def test_shown_uses_the_cards_own_category() -> None:
    cards = [Card("k", "Q?", "A.", category="Kotkin", claim="Unlike Lewin, Kotkin sees a city."),
             Card("l", "Q?", "A.", category="Lewin", aliases=("Moshe Lewin",), claim="x")]
    to_mask = names(cards)
    assert to_mask == {"Kotkin": "Kotkin", "Lewin": "Lewin", "Moshe Lewin": "Lewin"}
    assert shown(cards[0], to_mask, "historian") == (
        "Unlike another historian, this historian sees a city.")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("14 July 1789", "date"), ("July 14, 1789", "date"), ("20–21 June 1791", "date"),
        ("May 1927", "date"), ("1929–32", "date"), ("In 1789.", "date"), ("the 1930s", "date"),
        ("1789-07-14", "date"), ("the 18th century", "date"), ("1792 (in April)", "date"),
        ("21 January 1793. He was guillotined on the Place de la Révolution.", "date"),
        ("On the night of 4 August 1789", "date"),
        ("42", "number"), ("8 minutes", "number"), ("67%", "number"),
        ("about 1.5 million", "number"),
        ("Mercury, a small rocky world", "text"), ("The Bastille is stormed", "text"),
        ("The plan of 1929 was lived as a war on backwardness and spies", "text"),
        ("1929 was the year of the great break", "text"),
    ],
)
def test_form(text: str, kind: str) -> None:
    assert form(text) == kind


def test_key_terms() -> None:
    assert key_terms("How did Kotkin’s workers see the cities of 1930?") == {
        "kotkin", "worker", "see", "citie"}
