"""Finding dates in card text and proposing timeline events."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from decks.importers import import_file, import_text
from decks.model import Card, DeckFile
from decks.timeline import MAX_LABEL, event_id, find_dates, label_for, parse_date, propose_events

SEED = Path(__file__).parent / "samples" / "knowt-soviet-union-1928-41.txt"


@pytest.mark.parametrize(("text", "date_text", "start", "end", "precision"), [
    ("On 29 July 1936, the letter", "29 July 1936", "1936-07-29", None, "day"),
    ("on July 29, 1936 it", "July 29, 1936", "1936-07-29", None, "day"),
    ("article (March 1930) blamed", "March 1930", "1930-03", None, "month"),
    ("exiled in 1927.", "1927", "1927", None, "year"),
    ("harvests in 1927–28.", "1927–28", "1927", "1928", "year"),
    ("harvests in 1927-28.", "1927-28", "1927", "1928", "year"),
    ("Between 1927/8 and 1932, steel", "Between 1927/8 and 1932", "1927", "1932", "year"),
    ("in 1936–7 the", "1936–7", "1936", "1937", "year"),
    ("drive of winter 1929–30, and", "winter 1929–30", "1929-12", "1930-02", "month"),
    ("the winter of 1932–33 was", "winter of 1932–33", "1932-12", "1933-02", "month"),
    ("in spring 1930 the", "spring 1930", "1930-03", "1930-05", "month"),
    ("In early 1933, the", "early 1933", "1933-01", "1933-04", "month"),
    ("rebuilt by late 1932", "late 1932", "1932-09", "1932-12", "month"),
    ("by mid-1933 it", "mid-1933", "1933-05", "1933-08", "month"),
    ("reintroduced by December 1932 to", "December 1932", "1932-12", None, "month"),
    ("between June 1931 and February 1932, more", "between June 1931 and February 1932",
     "1931-06", "1932-02", "month"),
    ("from 1929 to 1935 women", "from 1929 to 1935", "1929", "1935", "year"),
    ("in 1930–31, approximately", "1930–31", "1930", "1931", "year"),
    ("the First Five-Year Plan (1929–32) as", "1929–32", "1929", "1932", "year"),
    ("(c. 1930–31), producing", "1930–31", "1930", "1931", "year"),
    ("during June–August 1932 the", "June–August 1932", "1932-06", "1932-08", "month"),
    ("The Shakhty Trial (1928) accused", "1928", "1928", None, "year"),
    ("the escape of 20–21 June 1791 failed", "20–21 June 1791", "1791-06-20", "1791-06-21", "day"),
    ("on 20-21 June 1791 the", "20-21 June 1791", "1791-06-20", "1791-06-21", "day"),
    ("from 20 to 21 June 1791 the", "20 to 21 June 1791", "1791-06-20", "1791-06-21", "day"),
    ("crisis (28 June–4 August 1914)", "28 June–4 August 1914", "1914-06-28", "1914-08-04",
     "day"),
    ("landed on July 20–21, 1969.", "July 20–21, 1969", "1969-07-20", "1969-07-21", "day"),
    ("ran 28 June 1914 – 4 August 1914.", "28 June 1914 – 4 August 1914", "1914-06-28",
     "1914-08-04", "day"),
    ("the war of 1914 to 1918 was", "1914 to 1918", "1914", "1918", "year"),
    ("Germany since 1871 had", "1871", "1871", None, "year"),
])
def test_find_dates(text: str, date_text: str, start: str, end: str | None,
                    precision: str) -> None:
    [found] = find_dates(text)
    assert (found.text, found.start, found.end, found.precision) == (
        date_text, start, end, precision)
    assert text[found.pos:found.end_pos] == date_text


@pytest.mark.parametrize("text", [
    "Sarah Cameron’s central argument in The Hungry Steppe (2018) regarding",
    "Kotkin's Magnetic Mountain (1995) shows",
    "Magnetic Mountain (1995) argues that",
    "In his 1995 book, Kotkin",
    "first published in 1994 by",
    "Drawing on Lenin’s State and Revolution (1917), the regime",
    "as argued elsewhere (Kotkin 1995) and (Fitzpatrick, 1994, p. 3)",
    "Stalinism in the 1930s and the late 1920s, the mid-1930s",
    "post-1990 archival evidence",
    "over 1500 households; 1200 people",
    "8,000–10,000 residents, 3–4 million deaths, 11,000 refugees, 28.7 million head",
    "on 31 February 1932",
    "the first meeting of the Estates-General since 1614",
    "the worst harvest since 1900 and the largest army since 1870",
    "not seen since 1815; output was higher than in 1913, twice the 1913 levels",
    "compared with 1928, steel rose",
    "Fischer's 1961 book, in her 1999 book, published in 2008, in a 1968 lecture",
    "on 21–20 June 1791",
])
def test_not_events(text: str) -> None:
    assert find_dates(text) == []


def test_several_dates_in_order() -> None:
    text = ("The August 1936 trial targeted Kamenev. A second trial in early 1937 accused "
            "Pyatakov. In June 1937, Tukhachevsky was executed.")
    assert [d.text for d in find_dates(text)] == ["August 1936", "early 1937", "June 1937"]


def test_parse_date() -> None:
    assert parse_date("1936-07-29") == ("1936-07-29", None, "day")
    assert parse_date(" 1930 ") == ("1930", None, "year")
    assert parse_date("winter 1930") == ("1929-12", "1930-02", "month")
    assert parse_date("between 29 July 1936 and 1938") == ("1936-07-29", "1938", "year")
    assert parse_date("between 1938 and 1936") is None
    assert parse_date("sometime") is None
    assert parse_date("1930-13") is None


def test_label_drops_dates_and_stays_short() -> None:
    text = ("The Great Purges began. On 29 July 1936, the Central Committee issued a secret "
            "letter blaming “Trotskyist–Zinovievist” conspirators for Sergei Kirov’s "
            "assassination and declaring vigilance the highest Communist duty. Then more.")
    [mention] = find_dates(text)
    label = label_for(text, mention)
    assert len(label) <= MAX_LABEL
    assert label.startswith("The Central Committee issued a secret letter")
    assert "1936" not in label
    short = "Bazarov warned in February 1929 that the plan would fail."
    assert label_for(short, find_dates(short)[0]) == "Bazarov warned that the plan would fail"
    attributive = "The 1927 war scare emerged from events including the ARCOS raid."
    assert label_for(attributive, find_dates(attributive)[0]) == (
        "The war scare emerged from events including the ARCOS raid")


def test_two_dates_of_one_sentence_get_their_own_clauses() -> None:
    text = ("A first sentence comes here. The army crossed the river on 3 May 1800, and the "
            "navy sailed for Egypt on 9 June 1801.")
    first, second = find_dates(text)
    assert label_for(text, first) == "The army crossed the river"
    assert label_for(text, second) == "The navy sailed for Egypt"


@pytest.mark.parametrize(("text", "label"), [
    ("He points to the September Programme of 9 September 1914 as proof.",
     "The September Programme"),
    ("He resigned in 1930.", None),  # a dangling pronoun: no label
    ("It collapsed in 1917, and nobody noticed.", None),
    ("This narrative culminated in the Party Congress of 1934.",
     "The narrative culminated in the Party Congress"),
    ("Despite this, 1928 produced no usable designs.", None),  # the date is the subject
    ("When Austria annexed Bosnia in October 1908, Russia had to give way.",
     "Austria annexed Bosnia"),
])
def test_labels_never_open_with_a_pronoun(text: str, label: str | None) -> None:
    assert label_for(text, find_dates(text)[0]) == label


def test_label_keeps_abbreviations_in_one_sentence() -> None:
    text = "According to V. P. Danilov, c. 381,000 households were deported in 1930–31."
    label = label_for(text, find_dates(text)[0])
    assert label == "According to V. P. Danilov, c. 381,000 households were deported"


def test_propose_events_on_seed() -> None:
    deck, _ = import_file(SEED, events=False)
    events = propose_events(deck)
    cards = {c.id: c for c in deck.cards}
    assert 60 <= len(events) <= 250
    for event in events:
        card = cards[event.card]
        assert event.date_text in f"{card.prompt}\n{card.answer}"
        assert 1 <= len(event.label) <= MAX_LABEL
        assert event.id == event_id(card.id, event.date_text)
    assert len({e.id for e in events}) == len(events)
    per_card = Counter(e.card for e in events)
    assert max(per_card.values()) <= 8
    assert sum(1 for c in deck.cards if c.id in per_card) >= 50
    by_text = {e.date_text: e for e in events}
    assert (by_text["29 July 1936"].start, by_text["29 July 1936"].precision) == (
        "1936-07-29", "day")
    assert (by_text["winter 1929–30"].start, by_text["winter 1929–30"].end) == (
        "1929-12", "1930-02")
    assert by_text["Between June 1931 and February 1932"].precision == "month"
    assert "2018" not in by_text  # The Hungry Steppe (2018)
    # The events make a valid deck, and proposing again gives the same events.
    DeckFile.model_validate({**deck.model_dump(), "events": [e.model_dump() for e in events]})
    assert propose_events(deck) == events


def test_one_event_per_date_per_card() -> None:
    text = ("Q\tIn 1930 the harvest failed; by 1930 prices had risen, and in March 1930 the "
            "plan was revised.\n")
    deck, _ = import_text("What about 1930?" + text, "quizlet", events=False)
    events = propose_events(deck)
    assert [e.date_text for e in events] == ["1930", "March 1930"]


tokens = st.sampled_from([
    "1930", "1927–28", "1936-7", "1927/8", "29 July 1936", "March 1930", "winter", "early",
    "late", "mid-", "between", "and", "from", "to", "in", "(", ")", ",", ".", " ", "the",
    "Kotkin’s", "Book", "Trial", "1930s", "over", "people", "published", "V.", "c.", "—",
    "\n", "?", "31 February 1931", "June–August", "Sept.",
])


@given(st.lists(tokens, min_size=1, max_size=25).map(" ".join))
def test_any_text_gives_valid_events(text: str) -> None:
    for mention in find_dates(text):
        assert text[mention.pos:mention.end_pos] == mention.text
    deck = DeckFile(title="t", cards=[Card(id="c1", prompt="p", answer=text.strip() or "x")])
    for event in propose_events(deck):  # Event validation runs on construction
        assert event.date_text in deck.cards[0].answer
        assert 1 <= len(event.label) <= MAX_LABEL
        assert event.first_day() <= event.last_day()
