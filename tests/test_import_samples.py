"""Issue 9, the import side: four sample decks of the shapes teachers bring (an Anki export
of "When was X?" cards with HTML and tags, a Quizlet term list without categories, a Knowt
page on four historians with dates inside long answers, a CSV with a date column), imported
with default options: counts, events and their labels, claims and tags.

`deck_faults` states the rules for every label and claim of a deck; the property tests in
test_import_properties.py use it too.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from decks.importers import import_file
from decks.importers.claims import claim_problem, date_lead, flatten
from decks.model import DeckFile
from decks.timeline import author_names, find_dates, label_key, sentences, without_asides
from server.cli import main
from server.deck_source import deck_for_room
from server.protocol import CreateRoom

SAMPLES = Path(__file__).parent / "samples"
ANKI = SAMPLES / "anki-french-revolution-html.txt"
QUIZLET = SAMPLES / "quizlet-cell-biology.txt"
KNOWT = SAMPLES / "knowt-origins-first-world-war.txt"
CSV = SAMPLES / "csv-space-race-dates.csv"

PRONOUNS = {"he", "she", "it", "they", "we", "i", "you", "him", "her", "them", "his", "its",
            "their", "this", "these", "those", "that", "which", "who", "whose"}
# Where a whole clause may end in the answer: punctuation, a conjunction, a relative
# pronoun, a participle, a list or the end of the text; and, for the last-resort rewrite,
# before a trailing prepositional phrase, a "that"-clause or a second verb ("and waited").
_CLAUSE_END = re.compile(
    r"^\s*(?:$|[.;:!?,—)\"”]|[(\[]|(?:and|but|or|so|yet|which|who|whom|whose|where|when|while|"
    r"whereas|although|though|because|since|until|unless|if|whenever|including|such as|"
    r"rather than|as well as|in order to|that|than)\b|(?:in|of|by|on|at|for|to|from|with|"
    r"through|under|during|after|before|against|without|despite|as|into|over|within|among|"
    r"between|towards|via|amid|across|throughout)\b|(?:and|or)\s+(?:[a-z]+ly\s+)?[a-z]+ed\b|"
    r"[a-z]+ing\b)"
)


# --- the rules, for any imported deck --------------------------------------------------

def _words(text: str) -> list[str]:
    return re.findall(r"[\w’'-]+", text.casefold())


def label_faults(deck: DeckFile) -> list[str]:
    """Every way the deck's event labels break the rules of issue 9."""
    faults: list[str] = []
    cards = {c.id: c for c in deck.cards}
    keys = Counter(label_key(e.label) for e in deck.events)
    for event in deck.events:
        label, where = event.label, f"{event.date_text!r} {event.label!r}"
        years = range(int(event.start[:4]), int((event.end or event.start)[:4]) + 1)
        if len(label) > 80:
            faults.append(f"{where}: longer than 80")
        if "…" in label or "..." in label:
            faults.append(f"{where}: ellipsis")
        if any(re.search(rf"(?<!\d){y}(?!\d)", label) for y in years):
            faults.append(f"{where}: its own year")
        if re.search(r"(?<![\d,.])\d{1,2}\s?[–-]\s?\d{1,2}(?![\d,.])", label):
            faults.append(f"{where}: a leftover day range")
        if _words(label)[:1] and _words(label)[0] in PRONOUNS:
            faults.append(f"{where}: opens with a pronoun")
        if keys[label_key(label)] > 1:
            faults.append(f"{where}: not unique")
        card = cards[event.card]
        text = set(_words(f"{card.prompt} {card.answer}"))
        content = [w for w in _words(label) if len(w) > 4]
        taken = [w for w in content if w in text or w[:5] in {t[:5] for t in text}]
        if len(taken) < 0.6 * len(content):
            faults.append(f"{where}: not taken from its card")
    return faults


def _whole_clause(claim: str, answer: str, rewrites: list[str]) -> bool:
    """Is `claim` made of the answer's words in order (apart from the documented
    rewrites), ending where a clause of the answer ends?"""
    text = flatten(answer)
    if claim in (text, without_asides(text), *sentences(text)):
        return True
    body = claim.rstrip(".")
    for phrase in rewrites:
        body = re.sub(re.escape(phrase) + r"(?:['’]s)?", " ", body, flags=re.I)
    words, source = _words(body), _words(text)
    if not words:  # no words at all ("<br>"): a piece of the answer as it stands
        return body.strip() in text
    position = 0
    for word in words:  # a subsequence of the answer's words
        try:
            position = source.index(word, position) + 1
        except ValueError:
            return False
    tail = r"\W+".join(map(re.escape, words[-3:]))
    for version in (text, without_asides(text)):  # asides ("(1929–32)", "[sic]") may go
        if any(_CLAUSE_END.match(version[m.end():]) for m in re.finditer(tail, version, re.I)):
            return True
    return False


def _without_appended_date(deck: DeckFile, card_id: str, answer: str) -> str:
    """The answer as the source gave it: without the "(date)" a date column appended."""
    for event in deck.events:
        if event.card == card_id and answer.endswith(f" ({event.date_text})"):
            return answer.removesuffix(f" ({event.date_text})")
    return answer


def claim_faults(deck: DeckFile) -> list[str]:
    """Every way the deck's claims break the rules of issue 9 (a claim on every card)."""
    faults: list[str] = []
    names = author_names(deck)
    noun = deck.category_noun
    rewrites = [f"this {noun}", f"another {noun}"]
    for card in deck.cards:
        claim, where = card.claim, f"card {card.id}"
        if not claim:
            faults.append(f"{where}: no claim")
            continue
        if len(claim) > 140:
            faults.append(f"{where}: claim longer than 140")
        if "…" in claim or "..." in claim or "[" in claim:
            faults.append(f"{where}: ellipsis or placeholder in {claim!r}")
        if any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", claim) for n in names):
            faults.append(f"{where}: names an author: {claim!r}")
        if not _whole_clause(claim, card.answer, rewrites):
            faults.append(f"{where}: not a whole clause of the answer: {claim!r}")
        short = flatten(_without_appended_date(deck, card.id, card.answer))
        lead = date_lead(short)
        if lead is not None and claim != lead:
            faults.append(f"{where}: an answer opening with a date has it as claim: {claim!r}")
        elif lead is None and claim_problem(short) is None and \
                not any(n in short for n in names) and claim != short:
            faults.append(f"{where}: a short answer is its own claim: {claim!r} != {short!r}")
    return faults


def deck_faults(deck: DeckFile) -> list[str]:
    """What is wrong with an imported deck: the model's checks, then the label and claim
    rules."""
    DeckFile.model_validate(deck.model_dump())
    return label_faults(deck) + claim_faults(deck)


def labels(deck: DeckFile) -> dict[str, str]:
    return {e.date_text: e.label for e in deck.events}


# --- Anki: "When was X?" -> date, HTML, tags --------------------------------------------

def test_anki_when_cards_become_statements() -> None:
    deck, warnings = import_file(ANKI)
    assert warnings == []
    assert (len(deck.cards), len(deck.categories), len(deck.events)) == (13, 0, 13)
    assert deck.title == "French Revolution"
    assert labels(deck) == {
        "5 May 1789": "The Estates-General opened at Versailles",
        "20 June 1789": "The Third Estate swore the Tennis Court Oath",
        "14 July 1789": "The Bastille was stormed",
        "4 August 1789": "The National Assembly abolished feudal privileges",
        "26 August 1789": "The Declaration of the Rights of Man and of the Citizen was adopted",
        "5–6 October 1789": "The women of Paris marched on Versailles",
        "July 1790": "The Civil Constitution of the Clergy was passed",
        "20–21 June 1791": "The royal family tried to escape to Varennes",
        "1792": "France declared war on Austria",
        "21 September 1792": "The monarchy was abolished",
        "21 January 1793": "Louis XVI was executed",
        "27 July 1794": "Robespierre was overthrown",
        "9–10 November 1799": "Napoleon seized power",
    }
    assert deck_faults(deck) == []


def test_anki_ranges_comparisons_tags_and_claims() -> None:
    deck, _ = import_file(ANKI)
    events = {e.date_text: e for e in deck.events}
    varennes = events["20–21 June 1791"]
    assert (varennes.start, varennes.end, varennes.precision) == ("1791-06-20", "1791-06-21",
                                                                  "day")
    assert "1614" not in {e.start for e in deck.events}  # "the first meeting ... since 1614"
    assert [c.tags for c in deck.cards[:3]] == [
        ["1789", "assemblies"], ["1789", "assemblies"], ["1789", "paris", "violence"]]
    assert deck.cards[11].tags == ["1794", "violence"]  # Anki's own "marked" is dropped
    bastille = deck.cards[2]
    assert (bastille.prompt, bastille.claim) == ("When was the Bastille stormed?", "14 July 1789")
    assert deck.cards[0].claim == "5 May 1789"  # not "5 May 1789. It was the first meeting ..."
    assert deck.cards[0].answer.startswith("5 May 1789\nIt was the first meeting")
    assert all("<" not in c.prompt + c.answer for c in deck.cards)


# --- Quizlet: terms and definitions, no categories --------------------------------------

def test_quizlet_cell_biology() -> None:
    deck, warnings = import_file(QUIZLET)
    assert warnings == []
    assert (len(deck.cards), len(deck.categories), len(deck.events)) == (15, 0, 2)
    assert deck.category_noun == "category"
    assert labels(deck) == {
        "1838–39": "Schleiden and Schwann proposed that all living things are made of cells",
        "1855": "Virchow added that every cell comes from an existing cell",
    }  # "his 1665 book Micrographia" is a publication year
    claims = {c.prompt: c.claim for c in deck.cards}
    assert claims["Nucleus"] == "The organelle that holds the cell's DNA; it is wrapped in a " \
        "double membrane, the nuclear envelope."
    assert claims["Cytoskeleton"] == ("A network of protein fibres that gives the cell its "
                                      "shape, holds organelles in place and moves vesicles "
                                      "around the cytoplasm.")
    assert claims["Cell wall"] == ("A tough layer outside the membrane of plant, fungal and "
                                   "bacterial cells that gives support and stops the cell from "
                                   "bursting.")
    assert claims["Ribosome"] == deck.cards[3].answer  # short enough already
    assert all(c.tags == [] for c in deck.cards)
    assert deck_faults(deck) == []


# --- Knowt: four historians, dates inside long answers ---------------------------------

def test_knowt_historians_counts_and_names() -> None:
    deck, warnings = import_file(KNOWT)
    assert warnings == []
    assert len(deck.cards) == 12
    assert Counter(c.category for c in deck.cards) == {
        "Fischer": 3, "Clark": 3, "Joll": 3, "Taylor": 3}
    assert deck.category_noun == "historian"
    assert {c.name: c.aliases for c in deck.categories} == {
        "Fischer": ["Fritz Fischer"], "Clark": ["Christopher Clark"], "Joll": ["James Joll"],
        "Taylor": ["A. J. P. Taylor"]}
    assert len(deck.events) == 18
    assert deck_faults(deck) == []


def test_knowt_labels_ranges_and_non_events() -> None:
    deck, _ = import_file(KNOWT)
    events = {e.date_text: e for e in deck.events}
    assert labels(deck)["9 September 1914"] == "The September Programme"  # "He points to ..."
    assert labels(deck)["October 1908"] == "Austria-Hungary annexed Bosnia-Herzegovina"
    assert labels(deck)["1905"] == "Germany's Schlieffen Plan required a march through Belgium"
    assert labels(deck)["1914"] == ("Leaders went to war because of beliefs they never needed "
                                    "to state")  # "In a 1968 lecture, Joll argued that ..."
    # Time told relative to another sentence is left out of a label.
    assert labels(deck)["30 July 1914"] == ("Russia ordered general mobilisation, the first "
                                            "great power to do so")  # "Russia then ordered"
    assert labels(deck)["2 August 1914"] == ("German troops crossed into Luxembourg and into "
                                             "Belgium")  # "... two days later"
    crisis = events["28 June–4 August 1914"]
    assert (crisis.start, crisis.end, crisis.precision) == ("1914-06-28", "1914-08-04", "day")
    assert crisis.label == "The crisis ran from the assassination in Sarajevo to Britain's entry"
    visit = events["20–23 July 1914"]
    assert (visit.start, visit.end) == ("1914-07-20", "1914-07-23")
    # publication years and comparisons are not events
    years = {e.start[:4] for e in deck.events}
    assert years.isdisjoint({"1961", "1969", "1984", "2012", "1954", "1870", "1945", "1968"})
    names = author_names(deck)
    assert not any(n in e.label for e in deck.events for n in names)


def test_knowt_claims_rewrite_the_historian() -> None:
    deck, _ = import_file(KNOWT)
    claims = [c.claim for c in deck.cards]
    assert claims[0] == "Germany's leaders deliberately sought a war of conquest."
    assert claims[3] == "This historian rejects the search for a single culprit."
    assert claims[6] == "Leaders went to war in 1914 because of beliefs they never needed to state."
    assert not any("[" in (c or "") for c in claims)


def test_knowt_long_answer_dates_are_found_as_written() -> None:
    deck, _ = import_file(KNOWT)
    texts = "\n".join(c.answer for c in deck.cards)
    found = {m.text: m for m in find_dates(texts)}
    assert (found["28 June–4 August 1914"].start, found["28 June–4 August 1914"].end) == (
        "1914-06-28", "1914-08-04")
    assert "28 June" not in {m.text for m in find_dates(texts)}  # one date, not two


# --- CSV with a date column and tags ----------------------------------------------------

def test_csv_date_column_labels_from_prompts() -> None:
    deck, warnings = import_file(CSV)
    assert warnings == []
    assert (len(deck.cards), len(deck.categories), len(deck.events)) == (10, 0, 10)
    assert labels(deck) == {
        "4 October 1957": "Sputnik 1",
        "3 November 1957": "Laika",
        "29 July 1958": "NASA was founded",
        "12 April 1961": "Yuri Gagarin orbited the Earth",
        "5 May 1961": "Alan Shepard flew into space",
        "25 May 1961": "Kennedy promised Congress",
        "16 June 1963": "The first woman in space",
        "18 March 1965": "Alexei Leonov made the first spacewalk",
        "20–21 July 1969": "Apollo 11 landed on the Moon",
        "July 1975": "The Apollo–Soyuz Test Project",
    }
    apollo = deck.events[8]
    assert (apollo.start, apollo.end, apollo.precision) == ("1969-07-20", "1969-07-21", "day")
    assert deck_faults(deck) == []


def test_csv_tags_and_claims_without_the_appended_date() -> None:
    deck, _ = import_file(CSV)
    assert deck.cards[0].tags == ["satellites", "soviet"]
    assert deck.cards[9].tags == ["missions", "american", "soviet"]  # ";" and "," both split
    sputnik = deck.cards[0]
    assert sputnik.answer.endswith("(4 October 1957)")  # the date must be on its card
    assert sputnik.claim == ("The first artificial satellite, launched by the Soviet Union; it "
                             "circled the Earth every 96 minutes.")


# --- the ways in: command line and upload ----------------------------------------------

def test_cli_proposes_events_unless_told_not_to(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fr.toml"
    assert main(["deck", "import", str(ANKI), "-o", str(out)]) == 0
    assert "13 cards, 0 categories, 13 events" in capsys.readouterr().out
    assert main(["deck", "import", str(ANKI), "--no-events", "-o", str(out)]) == 0
    assert "13 cards, 0 categories, 0 events" in capsys.readouterr().out
    assert main(["deck", "import", str(ANKI), "--events", "-o", str(out)]) == 0  # kept, no-op
    assert "13 events" in capsys.readouterr().out
    # a date column is the teacher's own data: it makes events even with --no-events
    assert main(["deck", "import", str(CSV), "--no-events", "-o", str(out)]) == 0
    assert "10 events" in capsys.readouterr().out


@pytest.mark.parametrize("path", [ANKI, QUIZLET, KNOWT, CSV], ids=lambda p: p.stem)
def test_upload_gets_events_and_claims(path: Path) -> None:
    msg = CreateRoom(type="create_room",
                     upload={"filename": path.name, "text": path.read_text(encoding="utf-8")})
    deck = deck_for_room(msg)
    imported, _ = import_file(path)
    assert deck == imported
    assert deck.events and all(c.claim for c in deck.cards)


def test_the_rules_catch_bad_labels_and_claims() -> None:
    """The checks above can fail: a deck breaking each rule is reported."""
    deck, _ = import_file(ANKI)
    first, second = deck.events[0], deck.events[1]
    bad = deck.model_copy(update={
        "events": [first.model_copy(update={"label": "He opened it on 5 May 1789 …"}),
                   second.model_copy(update={"label": "5–6 The Third Estate swore"}),
                   deck.events[2].model_copy(update={"label": "He opened it on 5 May 1789 …"})],
        "cards": [deck.cards[0].model_copy(update={"claim": "It was the first meeting of the"}),
                  deck.cards[1].model_copy(update={"claim": None}),
                  deck.cards[2].model_copy(update={"claim": "[category] was stormed"}),
                  *deck.cards[3:]],
    })
    faults = " | ".join(deck_faults(bad))
    for rule in ("ellipsis", "its own year", "opens with a pronoun", "not unique",
                 "a leftover day range", "not a whole clause", "no claim", "placeholder"):
        assert rule in faults, rule
