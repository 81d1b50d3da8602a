"""Importers on real-looking samples (tests/samples/), categories and error cases."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from decks.categories import assign_categories, derive_aliases, split_prefix
from decks.importers import detect_format, import_file, import_text
from decks.importers.anki import strip_html
from decks.io import DeckError
from decks.model import card_id

SAMPLES = Path(__file__).parent / "samples"
SEED_NAME = "knowt-soviet-union-1928-41.txt"
REPO = Path(__file__).resolve().parents[1]


def shared_seed() -> Path:
    """The seed as CI places it: <repo>/../shared/seeds/ (skip only if really absent)."""
    path = REPO.parent / "shared" / "seeds" / SEED_NAME
    if not path.is_file():
        pytest.skip(f"no shared seed at {path}")
    return path


# --- Knowt ------------------------------------------------------------------------------

def test_knowt_seed_cards_and_categories() -> None:
    deck, warnings = import_file(SAMPLES / SEED_NAME)
    assert deck.title == "T14 - The Soviet Union, 1928-41"
    assert len(deck.cards) == 99
    assert all(c.prompt and c.answer for c in deck.cards)
    assert Counter(c.category for c in deck.cards) == {
        "Fitzpatrick": 30, "Kotkin": 30, "Lewin": 18, "Khlevniuk": 15, "Cameron": 6}
    assert any("card 79 is empty" in w for w in warnings)
    assert any("160 terms" in w and "100 cards" in w for w in warnings)
    aliases = {c.name: c.aliases for c in deck.categories}
    assert aliases["Fitzpatrick"] == ["Sheila Fitzpatrick"]
    assert aliases["Khlevniuk"] == ["Oleg Khlevniuk"]
    assert aliases["Lewin"] == ["Moshe Lewin"]
    assert aliases["Cameron"] == ["Sarah Cameron"]
    assert aliases["Kotkin"] == []


def test_knowt_seed_prompts_answers_and_ids() -> None:
    deck, _ = import_file(SAMPLES / SEED_NAME)
    first, khlevniuk = deck.cards[0], deck.cards[30]
    assert first.prompt.startswith("How does Sheila Fitzpatrick characterize")
    assert first.answer.startswith("Fitzpatrick describes the First Five-Year Plan")
    assert khlevniuk.prompt.startswith("How does Oleg Khlevniuk situate")  # "Khlevniuk:How"
    # ids hash the original prompt, category prefix included: stable across re-imports
    original = ("Fitzpatrick: How does Sheila Fitzpatrick characterize the First Five-Year "
                "Plan (1929–32), and what language did the Soviet regime use to describe it?")
    assert first.id == card_id(original)
    again, _ = import_file(SAMPLES / SEED_NAME)
    assert [c.id for c in again.cards] == [c.id for c in deck.cards]
    assert deck.cards[-1].answer.endswith("(obratnaia perekochevka).")


def test_knowt_sample_copy_matches_shared_seed() -> None:
    assert shared_seed().read_bytes() == (SAMPLES / SEED_NAME).read_bytes()


def test_knowt_other_topic_multi_paragraph_answers() -> None:
    deck, warnings = import_file(SAMPLES / "knowt-cell-biology.txt")
    assert deck.title == "Unit 3 - Cell Structure and Function"
    assert len(deck.cards) == 9
    assert warnings == [
        "card 5 is empty; skipped",
        "the page announces 12 terms but contains 10 cards (Knowt loads cards as you "
        "scroll: scroll to the end before copying the page)",
    ]
    assert deck.cards[0].answer.count("\n\n") == 1
    both = deck.cards[3].answer.split("\n\n")[2]
    assert both == "Both: cell membrane, cytoplasm, DNA, ribosomes."
    # "Note: ..." on one card of an unprefixed deck is not a category
    assert deck.cards[1].prompt.startswith("Note: why is the cell membrane")
    assert all(c.category is None for c in deck.cards)
    assert deck.categories == []


def test_knowt_status_lines_and_missing_blank_line() -> None:
    text = ("Deck\n\n1\nStill learning\n\nQ one?\nA one.\n\n2\nMastered\n\nQ two?\n\nA two.\n"
            "\n4\nNew cards\n\nQ four?\n\nA four, part one.\n\nPart two.\n")
    deck, warnings = import_text(text, "knowt")
    assert [(c.prompt, c.answer) for c in deck.cards] == [
        ("Q one?", "A one."), ("Q two?", "A two."), ("Q four?", "A four, part one.\n\nPart two.")]
    assert warnings == ["card numbers jump from 2 to 4"]


def test_knowt_prompt_without_answer_is_skipped() -> None:
    deck, warnings = import_text("T\n\n1\nNew cards\n\nA?\n\nB.\n\n2\nNew cards\n\nLonely?\n",
                                 "knowt")
    assert len(deck.cards) == 1
    assert warnings == ["card 2 has no answer; skipped"]


# --- Quizlet ----------------------------------------------------------------------------

def test_quizlet_french_vocab_tabs() -> None:
    deck, warnings = import_file(SAMPLES / "quizlet-french-vocab.txt")
    assert warnings == []
    assert len(deck.cards) == 12
    assert (deck.cards[0].prompt, deck.cards[0].answer) == ("le chat", "the cat")
    assert deck.cards[4].answer == "to be (irregular: je suis, tu es, il est)"
    assert deck.cards[9].prompt == "s'il vous plaît"
    assert deck.title == "Quizlet french vocab"


def test_quizlet_custom_separators() -> None:
    deck, warnings = import_file(SAMPLES / "quizlet-biology-custom-sep.txt", "quizlet",
                                 term_sep=" - ", card_sep=";", title="Biology")
    assert deck.title == "Biology"
    assert [c.prompt for c in deck.cards] == [
        "Photosynthesis", "Osmosis", "Enzyme", "Diffusion", "Active transport", "Mitosis"]
    assert deck.cards[2].answer == "biological catalyst\nmade of protein that speeds up reactions"
    assert deck.cards[4].answer == "movement against a concentration gradient - needs ATP"
    assert warnings == ["card 6 has no term separator ' - '; skipped: 'Homeostasis'"]


def test_quizlet_nothing_matches_separator() -> None:
    with pytest.raises(DeckError, match="no cards found"):
        import_text("one\ntwo\n", "quizlet")


# --- CSV --------------------------------------------------------------------------------

def test_csv_odd_column_order_quoted_newlines_and_dates() -> None:
    deck, warnings = import_file(SAMPLES / "csv-cold-war-odd-order.csv")
    assert warnings == ["ignoring column 'Notes'", "row 9: cannot read the date 'sometime'"]
    assert len(deck.cards) == 7
    cuba = deck.cards[1]
    assert cuba.prompt == "What happened in the Cuban Missile Crisis?"
    assert cuba.answer.startswith("Soviet missiles were discovered in Cuba in October 1962.\n")
    assert cuba.category == "Cuba"
    assert cuba.claim == "Missiles in Cuba, withdrawn after 13 days"
    assert '"Wall" fell.' in deck.cards[3].answer
    assert Counter(c.category for c in deck.cards) == {
        "Berlin": 3, "Cuba": 2, "US policy": 1, "Espionage": 1}
    events = {e.date_text: e for e in deck.events}
    # the date column's five, and "March 1947" proposed from the Truman card's answer
    assert set(events) == {"1948–49", "October 1962", "13 August 1961", "9 November 1989", "1963",
                           "March 1947"}
    assert events["1948–49"].label == "The Berlin Blockade"  # "What was the Berlin Blockade?"
    assert events["9 November 1989"].label == "The Berlin Wall fell"
    assert (events["13 August 1961"].start, events["13 August 1961"].precision) == (
        "1961-08-13", "day")
    assert (events["1948–49"].start, events["1948–49"].end) == ("1948", "1949")
    assert events["October 1962"].card == cuba.id
    assert cuba.answer.count("October 1962") == 1  # already in the text: not appended
    assert deck.cards[0].answer.endswith("(1948–49)")  # not in the text: appended


def test_csv_synonyms_semicolons_and_bom() -> None:
    deck, warnings = import_file(SAMPLES / "csv-arithmetic-semicolon.csv")
    assert warnings == []
    assert [(c.prompt, c.answer, c.category) for c in deck.cards][:2] == [
        ("What is 7 x 8?", "56", "Multiplication"), ("What is 9 x 6?", "54", "Multiplication")]


@pytest.mark.parametrize(("header", "prompt"), [
    ("Term,Definition", "a"), ("QUESTION,ANSWER", "a"), ("back,front", "b"),
    ("Definition,Term,Category", "b"),
])
def test_csv_header_synonyms_any_order(header: str, prompt: str) -> None:
    deck, _ = import_text(f"{header}\na,b,X\n", "csv")
    assert deck.cards[0].prompt == prompt


def test_csv_without_header_is_an_error() -> None:
    with pytest.raises(DeckError, match="not a header"):
        import_file(SAMPLES / "csv-no-header.csv")


def test_csv_header_only() -> None:
    with pytest.raises(DeckError, match="no rows"):
        import_text("prompt,answer\n", "csv")


# --- Anki -------------------------------------------------------------------------------

def test_anki_html_export() -> None:
    deck, warnings = import_file(SAMPLES / "anki-pharmacology-html.txt")
    assert deck.title == "Pharmacology"
    assert warnings == ["note 6 is empty; skipped"]
    prompts = [c.prompt for c in deck.cards]
    assert prompts[:4] == [
        "Penicillin: mechanism of action?",
        "Drug class of metoprolol & its main use?",
        'Antidote for "paracetamol" (acetaminophen) overdose?',
        "Warfarin: what does it interact with?",
    ]
    assert deck.cards[0].answer == ("Inhibits bacterial cell-wall synthesis by binding "
                                    "penicillin-binding proteins (transpeptidases).\nBactericidal.")
    assert "β1-blocker" in deck.cards[1].answer
    assert "dose < 150 mg/kg" in deck.cards[2].answer
    assert deck.cards[3].answer == ('Foods rich in vitamin K (spinach, kale)\n'
                                    'Many antibiotics & "azole" antifungals')
    cloze = deck.cards[4]
    assert cloze.prompt == "[...] is the usual oral treatment for [bacterium] colitis."
    assert cloze.answer == "Vancomycin; Clostridioides difficile\n\nOr fidaxomicin."
    assert all(c.category is None for c in deck.cards)  # two "Drug:" prefixes are not most
    assert all("<" not in c.prompt + c.answer.replace("< 150", "") for c in deck.cards)


def test_anki_comma_separator_and_columns() -> None:
    deck, warnings = import_file(SAMPLES / "anki-french-comma.txt")
    assert warnings == []
    assert [(c.prompt, c.answer) for c in deck.cards] == [
        ("Bonjour", "Hello"),
        ("Comment allez-vous?", "How are you? (formal)"),
        ("À bientôt", "See you soon"),
        ("Il fait beau, non?", "The weather is nice, isn't it?"),
    ]


def test_anki_columns_order_and_plain_text_keeps_markup() -> None:
    text = "#separator:Pipe\n#columns:Back|Front\nanswer <b>1</b>|question 1\n"
    deck, _ = import_text(text)
    assert (deck.cards[0].prompt, deck.cards[0].answer) == ("question 1", "answer <b>1</b>")


def test_strip_html() -> None:
    assert strip_html("a<br>b<br/>c<br />d") == "a\nb\nc\nd"
    assert strip_html("<div>x &amp; y</div><div>z&nbsp;&lt;3</div>") == "x & y\nz <3"
    assert strip_html("<ul><li>one</li><li>two</li></ul>") == "- one\n- two"
    assert strip_html("[sound:a.mp3]<!-- c -->ok") == "ok"
    assert strip_html("<p>one</p><p>two <i>2</i></p>") == "one\n\ntwo 2"


def test_anki_bad_separator() -> None:
    with pytest.raises(DeckError, match="unknown Anki separator"):
        import_text("#separator:weird\na\tb\n", "anki")


# --- detection, errors, ids -------------------------------------------------------------

@pytest.mark.parametrize(("name", "fmt"), [
    (SEED_NAME, "knowt"), ("knowt-cell-biology.txt", "knowt"),
    ("quizlet-french-vocab.txt", "quizlet"), ("csv-cold-war-odd-order.csv", "csv"),
    ("csv-arithmetic-semicolon.csv", "csv"), ("csv-no-header.csv", "csv"),
    ("anki-pharmacology-html.txt", "anki"), ("anki-french-comma.txt", "anki"),
])
def test_detect_format(name: str, fmt: str) -> None:
    path = SAMPLES / name
    assert detect_format(path.read_text(encoding="utf-8-sig"), name) == fmt


def test_undetectable_format() -> None:
    with pytest.raises(DeckError, match="cannot tell the format"):
        import_text("just some prose\nwithout structure\n")


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n")
    for fmt in (None, "knowt", "quizlet", "csv", "anki"):
        with pytest.raises(DeckError, match="empty"):
            import_file(empty, fmt)


def test_wrong_format_name() -> None:
    with pytest.raises(DeckError, match="unknown format 'xml'"):
        import_text("a\tb\n", "xml")


def test_wrong_format_for_content() -> None:
    with pytest.raises(DeckError, match="not a Knowt page"):
        import_file(SAMPLES / "quizlet-french-vocab.txt", "knowt")


def test_duplicate_prompts_get_deterministic_suffixes() -> None:
    text = "same\tone\nother\ttwo\nSame \tthree\nsame\tfour\n"
    deck, warnings = import_text(text, "quizlet")
    base = card_id("same")
    assert [c.id for c in deck.cards] == [base, card_id("other"), f"{base}-2", f"{base}-3"]
    assert len(warnings) == 2


def test_not_utf8_falls_back_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("caf\xe9\tcoffee\n".encode("cp1252"))
    deck, warnings = import_file(path)
    assert deck.cards[0].prompt == "café"
    assert "not UTF-8" in warnings[0]


# --- categories -------------------------------------------------------------------------

def test_split_prefix_shapes() -> None:
    assert split_prefix("Khlevniuk:How does it work?") == ("Khlevniuk", "How does it work?")
    assert split_prefix("Sheila Fitzpatrick: Why?") == ("Sheila Fitzpatrick", "Why?")
    assert split_prefix("In 1930: what happened?") is None
    assert split_prefix("The plan was simple: build steel") is None
    assert split_prefix("What did Stalin mean: socialism in one country?") is None
    assert split_prefix("Note: no") is None
    assert split_prefix("Q: what?") is None
    assert split_prefix("Kotkin:") is None


def test_assign_categories_needs_consistency() -> None:
    prefixed = ["Kotkin: a?", "Kotkin: b?", "Lewin: c?", "Lewin: d?", "plain e?"]
    assert [c for c, _ in assign_categories(prefixed)] == [
        "Kotkin", "Kotkin", "Lewin", "Lewin", None]
    lone_note = ["Note: a?", "b?", "c?", "d?"]
    assert assign_categories(lone_note) == [(None, p) for p in lone_note]
    glossary = ["Apple: a fruit", "Brick: a block", "Cat: an animal"]
    assert assign_categories(glossary) == [(None, p) for p in glossary]


def test_derive_aliases() -> None:
    texts = ["How does Sheila Fitzpatrick see it?", "In Sheila Fitzpatrick’s view, X.",
             "According to historian V. P. Danilov, Y.", "As Stephen Kotkin shows", "Danilov"]
    assert derive_aliases("Fitzpatrick", texts) == ["Sheila Fitzpatrick"]
    assert derive_aliases("Danilov", texts) == ["V. P. Danilov"]
    assert derive_aliases("Kotkin", texts) == ["Stephen Kotkin"]
    assert derive_aliases("Lewin", texts) == []


pieces = st.sampled_from([*"ab:K \t\n,;|\"#<>&", "#separator:tab\n", "#html:true\n",
                          "1\nNew cards\n", "prompt,answer\n", "Kotkin: ", "<br>", "{{c1::x}}",
                          "1930", "\n\n"])


@given(st.lists(pieces, max_size=40).map("".join),
       st.sampled_from([None, "knowt", "quizlet", "csv", "anki"]))
def test_any_input_gives_a_valid_deck_or_a_deck_error(text: str, fmt: str | None) -> None:
    try:
        deck, warnings = import_text(text, fmt)
    except DeckError:
        return
    assert deck.cards and all(isinstance(w, str) for w in warnings)
