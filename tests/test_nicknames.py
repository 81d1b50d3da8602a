"""Nicknames and untrusted text (game_rules.nicknames), the room's rules for them
(game_rules.machine) and the cleaning of uploaded file names and deck titles
(server.deck_source)."""

from __future__ import annotations

import unicodedata

import pytest

from game_rules import machine as m
from game_rules import nicknames as nk
from game_rules.model import Round, Settings
from server.deck_source import NAME_MAX, TITLE_MAX, deck_for_room, file_name
from server.protocol import CreateRoom, DeckUpload

NFD_BOB = unicodedata.normalize("NFD", "Bób")
ZALGO = "Z\u0337\u0322\u031ba\u0334\u0358l\u0338\u0321g\u0336o\u0335"
RTL = "\u202e"


# --------------------------------------------------------------------------- clean


@pytest.mark.parametrize(("raw", "stored"), [
    ("Bob", "Bob"),
    ("Ｂｏｂ", "Bob"),  # fullwidth: NFKC
    (NFD_BOB, "Bób"),  # decomposed: composed
    ("  Ana \t  Lee \n", "Ana Lee"),  # whitespace collapsed and trimmed
    ("\u3000Ana\u00a0Lee", "Ana Lee"),  # ideographic and no-break spaces
    ("Ｓ𝐮𝐳𝐲", "Suzy"),  # mathematical bold letters: NFKC
    ("Tiếng Việt", "Tiếng Việt"),  # precomposed letters with two marks
    ("a\u0301\u0302", "á\u0302"),  # two marks on one letter: allowed
    ("👍🏽 Sam", "👍🏽 Sam"),  # emoji with a skin tone
    ("🧑\u200d🚀", "🧑\u200d🚀"),  # a joiner between two emoji
    ("❤\ufe0f", "❤\ufe0f"),  # emoji presentation selector
    ("Иван", "Иван"),  # other scripts are welcome
    ("明美", "明美"),
])
def test_clean_accepts(raw: str, stored: str) -> None:
    assert nk.clean(raw) == stored


@pytest.mark.parametrize(("raw", "code"), [
    ("", "nickname_invalid"),
    ("   \t ", "nickname_invalid"),
    ("x" * 21, "nickname_invalid"),
    ("🇫🇷" * 21, "nickname_invalid"),  # 21 flags
    ("\u0301", "bad_nickname"),  # a lone combining mark
    ("Bob \u0301", "bad_nickname"),  # a mark starting a word
    (ZALGO, "bad_nickname"),
    ("a\u0301\u0302\u0303", "bad_nickname"),  # three marks on one letter
    ("Bob\x07", "bad_nickname"),  # control character
    ("Bob\x00", "bad_nickname"),
    (f"{RTL}boB", "bad_nickname"),  # right-to-left override
    ("Bo\u200bb", "bad_nickname"),  # zero-width space
    ("Bo\u200db", "bad_nickname"),  # a joiner between letters
    ("\u3164", "bad_nickname"),  # Hangul filler: looks empty
    ("\u2800", "bad_nickname"),  # blank braille pattern
    ("Bob\ue000", "bad_nickname"),  # private use
    ("Bob\U000e0041", "bad_nickname"),  # tag character
    ("Bob\u0378", "bad_nickname"),  # unassigned
])
def test_clean_refuses_without_repeating_the_input(raw: str, code: str) -> None:
    with pytest.raises(nk.NicknameError) as caught:
        nk.clean(raw)
    assert caught.value.code == code
    assert raw.strip() not in caught.value.message or not raw.strip()
    assert "Bob" not in caught.value.message


def test_length_counts_what_people_see() -> None:
    assert nk.clean("🇫🇷" * 20) == "🇫🇷" * 20  # 40 code points, 20 flags
    assert nk.clean("é" * 20) == "é" * 20
    assert nk.clean(unicodedata.normalize("NFD", "ệ" * 20)) == "ệ" * 20
    assert nk.clusters("a\u0301b👍🏽🧑\u200d🚀🇫🇷") == ["a\u0301", "b", "👍🏽", "🧑\u200d🚀", "🇫🇷"]


# --------------------------------------------------------------------------- look-alikes


@pytest.mark.parametrize("other", ["Bob", "bob", "BOB", "Вob", "ВОВ", "Ｂｏｂ"])
def test_look_alikes_share_a_key(other: str) -> None:
    assert set(nk.name_keys(nk.clean(other))) & set(nk.name_keys("Bob"))


@pytest.mark.parametrize(("a", "b"), [("Ian", "ian"), ("Ian", "lan"), ("Player 1", "Player l"),
                                      ("paypal", "pаypаl"), ("Bób", NFD_BOB)])
def test_more_look_alikes(a: str, b: str) -> None:
    assert set(nk.name_keys(nk.clean(a))) & set(nk.name_keys(nk.clean(b)))


@pytest.mark.parametrize(("a", "b"), [("Bob", "Bób"), ("Bob", "Rob"), ("вob", "Bob"),
                                      ("Player 1", "Player 2"), ("Anna", "Ana")])
def test_different_names_stay_different(a: str, b: str) -> None:
    assert not set(nk.name_keys(a)) & set(nk.name_keys(b))


def test_skeleton_follows_tr39() -> None:
    assert nk.skeleton("Вob") == "bob"  # Cyrillic capital ve -> B, then case-folded
    assert nk.skeleton("paypal") == nk.skeleton("раураl")  # Cyrillic р, а, у
    assert nk.skeleton("m") == "rn"  # prototypes may be longer
    assert nk.skeleton("Bo\u200bb") == "bob"  # invisible characters do not count
    assert nk.skeleton(NFD_BOB) == nk.skeleton("Bób") == unicodedata.normalize("NFD", "bób")


def test_numbered_players_stay_distinct() -> None:
    """Bots and tests name players "Player 0" ... "Player 9999": no two collide."""
    keys = [k for i in range(10_000) for k in nk.name_keys(f"Player {i}")]
    assert len(set(keys)) == len(keys)


# --------------------------------------------------------------------------- word filter


@pytest.mark.parametrize("name", ["fuck", "Shit", "FuckFace", "f u c k", "f.u.c.k", "sh1t",
                                  "$h!t", "Ѕhіt", "fück", "ｃｕｎｔ", "Mother Fucker", "Big Ass"])
def test_word_filter_blocks(name: str) -> None:
    assert nk.is_blocked(name)


@pytest.mark.parametrize("name", ["Bob", "Scunthorpe", "Cockburn", "Sussex", "Analyst",
                                  "assassin", "Shiitake", "Dickens", "Hancock", "Ana L",
                                  "Player 455", "Bot 8008", "Len", "Wang", "Organ", "Phuong",
                                  "Bich Ngoc", "Fukuda", "Dikshit", "Aryan"])
def test_word_filter_lets_through(name: str) -> None:
    assert not nk.is_blocked(name)


def test_no_numbered_player_is_blocked() -> None:
    assert not [i for i in range(10_000) if nk.is_blocked(f"Player {i}")]


# --------------------------------------------------------------------------- the room


PLAN = (Round("quiz", {"prompt": "?"}, {"choice": "a"}, 20_000, 1000),)


def _join(state: m.RoomState, pid: str, nickname: str, **settings: bool) -> tuple[
        m.RoomState, list[m.Effect]]:
    return m.apply(m.Game(Settings(**settings), PLAN), state, m.PlayerJoin(pid, nickname), 0)


def _refusal(effects: list[m.Effect]) -> m.Rejected:
    assert len(effects) == 1 and isinstance(effects[0], m.Rejected), effects
    return effects[0]


@pytest.mark.parametrize("other", ["bob", "Ｂｏｂ", "Вob", " BOB "])
def test_room_refuses_a_look_alike(other: str) -> None:
    state, _ = _join(m.RoomState(), "p1", "Bob")
    after, effects = _join(state, "p2", other)
    assert after is state
    refused = _refusal(effects)
    assert refused.code == "nickname_taken" and other.strip() not in refused.message


def test_room_stores_the_clean_nickname_and_rebuilds_its_index() -> None:
    state, _ = _join(m.RoomState(), "p1", NFD_BOB)
    assert state.players["p1"].nickname == "Bób"
    _, effects = _join(state, "p2", "Bób")
    assert _refusal(effects).code == "nickname_taken"
    loaded = m.RoomState.model_validate_json(state.model_dump_json())
    assert loaded.names == state.names
    _, effects = _join(loaded, "p2", "Bób")
    assert _refusal(effects).code == "nickname_taken"


def test_room_word_filter_is_a_setting() -> None:
    _, effects = _join(m.RoomState(), "p1", "Shit Happens")
    refused = _refusal(effects)
    assert refused.code == "nickname_blocked" and "Shit" not in refused.message
    state, effects = _join(m.RoomState(), "p1", "Shit Happens", name_filter=False)
    assert state.players["p1"].nickname == "Shit Happens"


def test_kicked_nickname_stays_out_in_any_disguise() -> None:
    state, _ = _join(m.RoomState(), "p1", "Bob")
    game = m.Game(Settings(), PLAN)
    state, _ = m.apply(game, state, m.HostKick("p1"), 1)
    _, effects = _join(state, "p2", "Вob")
    assert _refusal(effects).code == "kicked"
    old = state.model_copy(update={"banned_nicknames": ["ann"]})  # a room kept from before
    _, effects = _join(old, "p3", "Ann")
    assert _refusal(effects).code == "kicked"


# --------------------------------------------------------------------------- titles


def test_plain_text() -> None:
    assert nk.plain_text("<b>Soviet</b> <script>x()</script>history", 80) == "Soviet x() history"
    assert nk.plain_text("My\x07 deck\u202e\u200b\tof\ncards", 80) == "My deck of cards"
    assert nk.plain_text("1 < 2 > 0", 80) == "1 2 0"
    assert nk.plain_text(ZALGO, 80) == unicodedata.normalize("NFKC", "Z\u0337\u0322a\u0334\u0358"
                                                                     "l\u0338\u0321g\u0336o\u0335")
    assert nk.plain_text("\u0301 start", 80) == "start"
    assert nk.plain_text("ｆｕｌｌ", 80) == "full"
    long = nk.plain_text("word " * 40, 80)
    assert len(long) <= 80 and long.endswith("word…")
    assert nk.plain_text("x" * 200, 80) == "x" * 79 + "…"
    assert nk.plain_text("\x07\u200b<>", 80) == ""


@pytest.mark.parametrize(("raw", "clean"), [
    ("soviet.csv", "soviet.csv"),
    ("C:\\Users\\me\\decks\\soviet.toml", "soviet.toml"),
    ("/etc/passwd", "passwd"),
    ("<img src=x onerror=alert(1)>.csv", "upload.csv"),
    ("<b>My deck</b>.csv", "My deck.csv"),
    ("a\x07b\u202e c.txt", "ab c.txt"),
    ("deck.<b>", "deck."),
    (".csv", "upload.csv"),
])
def test_file_name(raw: str, clean: str) -> None:
    assert file_name(raw) == clean


def test_file_name_is_capped_and_keeps_its_extension() -> None:
    name = file_name("x" * 190 + ".csv")
    assert name.endswith("….csv") and len(name) == NAME_MAX + len(".csv")


CARDS = "term,definition\nNucleus,Holds the DNA\nRibosome,Builds proteins\n"


def _upload(filename: str, text: str = CARDS) -> CreateRoom:
    return CreateRoom(type="create_room", upload=DeckUpload(filename=filename, text=text))


@pytest.mark.parametrize(("filename", "title"), [
    ("cell-biology_2.csv", "Cell biology 2"),
    ("<script>alert(1)</script>cells.csv", "Alert(1) cells"),
    ("cells\x07\u202e\u200b.csv", "Cells"),
    ("a" * 150 + ".csv", "A" + "a" * 58 + "..."),  # the name is cut to 60 with "…" (NFKC: ...)
])
def test_upload_title_from_file_name_is_clean(filename: str, title: str) -> None:
    deck = deck_for_room(_upload(filename))
    assert deck.title == title and len(deck.title) <= TITLE_MAX
    assert deck.source == file_name(filename)


def test_title_inside_an_upload_is_clean_too() -> None:
    toml = ('title = "<b>Cells</b>\\u0007 \\u202e' + "x" * 150 + '"\n'
            '[[cards]]\nid = "a"\nprompt = "P?"\nanswer = "A"\n')
    deck = deck_for_room(_upload("deck.toml", toml))
    assert deck.title.startswith("Cells x") and len(deck.title) == TITLE_MAX
    assert "<" not in deck.title and "\x07" not in deck.title and RTL not in deck.title
