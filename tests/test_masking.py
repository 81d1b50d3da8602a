"""Masking a category's names in displayed text."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from decks.masking import mask as mask_category
from game_rules.masking import mask

ALIASES = ["Sheila Fitzpatrick"]


def test_surname_full_name_and_possessives() -> None:
    text = ("Sheila Fitzpatrick argues X. Fitzpatrick’s view and Fitzpatrick's book; "
            "as Fitzpatrick notes.")
    assert mask(text, ["Fitzpatrick", *ALIASES]) == (
        "[historian] argues X. [historian]’s view and [historian]'s book; as [historian] notes."
    )


def test_deck_wrapper_uses_category_and_aliases() -> None:
    text = "How does Sheila Fitzpatrick characterise the 1930s?"
    masked = mask_category(text, "Fitzpatrick", ALIASES)
    assert masked == "How does [historian] characterise the 1930s?"
    assert mask_category(text, None) == text


def test_other_names_and_longer_words_untouched() -> None:
    text = "Kotkinson met Stalin; V. P. Danilov and Kotkin-style readers, not kotkin."
    assert mask(text, ["Kotkin", "Stephen Kotkin"]) == (
        "Kotkinson met Stalin; V. P. Danilov and [historian]-style readers, not kotkin."
    )


def test_full_name_across_line_break_is_one_placeholder() -> None:
    assert mask("by Oleg\nKhlevniuk.", ["Khlevniuk", "Oleg Khlevniuk"]) == "by [historian]."


def test_custom_placeholder_and_no_names() -> None:
    assert mask("Lewin wrote", ["Lewin"], "[author]") == "[author] wrote"
    assert mask("Lewin wrote", []) == "Lewin wrote"
    assert mask("Lewin wrote", ["", "  "]) == "Lewin wrote"


KNOWN = ["Kotkin", "Lewin", "Sheila Fitzpatrick", "Fitzpatrick", "Cameron"]
names = st.one_of(st.sampled_from(KNOWN),
                  st.from_regex(r"[A-Z][a-z]{2,8}( [A-Z][a-z]{2,8})?", fullmatch=True))
pieces = st.sampled_from([*"abcKLSz ’'.,-_\n", " ", "s", "’s", *KNOWN, "Sheila", "son"])
texts = st.one_of(st.lists(pieces, max_size=30).map("".join), st.text(max_size=40))


def whole_word(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)")


@given(texts, st.lists(names, min_size=1, max_size=3))
def test_text_without_the_names_is_unchanged(text: str, to_mask: list[str]) -> None:
    if not any(whole_word(n).search(text) for n in to_mask):
        assert mask(text, to_mask) == text


@given(texts, st.lists(names, min_size=1, max_size=3))
def test_output_never_contains_a_name_as_a_whole_word(text: str, to_mask: list[str]) -> None:
    out = mask(text, to_mask)
    for name in to_mask:
        assert not whole_word(name).search(out), (name, out)


@given(st.text(), st.lists(names, max_size=3))
def test_masking_is_idempotent(text: str, to_mask: list[str]) -> None:
    once = mask(text, to_mask)
    assert mask(once, to_mask) == once
