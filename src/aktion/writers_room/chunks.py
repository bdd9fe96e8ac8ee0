"""Noun phrases of a clause, and what each one is in a fight.

"the soft meat of Kade's ribs", "a flurry of punches", "the butt of her rifle", "his
gun arm": a phrase is classed by its last words against the synonym table: a person,
a strike ("a hook"), a striking limb ("her elbow"), a weapon, a body part (which says
where a blow lands), a set piece, or any other thing. Who the pronouns and possessors
are is left to the reader, which knows who was just referred to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .clauses import ADVERBS, DETERMINERS, PREPOSITIONS, Token
from .introductions import singular_role
from .verbs import VerbTable

_PARTS = {"butt", "stock", "handle", "barrel", "hilt", "pommel", "grip"}  # of a weapon
_VOCABS = [(cls, vocab, cut) for cut in (0, 1) for cls, vocab in (
    ("strike", "nouns"), ("weapon", "weapons"), ("limb", "limbs"), ("body", "hits"))]
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "2": 2, "3": 3, "4": 4}


@dataclass
class NP:
    tokens: list[Token]
    prep: str | None  # the preposition before it ("into", "at"), None for an object
    words: list[str] = field(default_factory=list)  # content words, lower case
    det: str | None = None
    owner: Token | None = None  # "Kade's", "his"
    person: Token | None = None  # a name, a pronoun or "the guard"
    cls: str = "thing"  # person, it, strike, limb, weapon, body, count, thing
    key: str = ""  # the table word it was classed by: "haymaker", "tire iron"
    move: str | None = None  # the strike, limb or weapon's move
    limb: str | None = None  # a limb's move when the words name both ("knee")
    count: int = 1
    zone: str | None = None
    away: bool = False  # "away from", "out of": moving off, not toward

    @property
    def start(self) -> int:
        return self.tokens[0].start

    @property
    def definite(self) -> bool:
        return self.det in ("the", "that", "this", "those", "these")


_ADJECTIVE_BACK = {"kick", "kicks", "fist", "elbow", "hand", "door", "wall", "seat"}


def _content(tokens: list[Token], k: int) -> bool:
    t = tokens[k]
    if t.low == "back" and k + 1 < len(tokens) and tokens[k + 1].low in _ADJECTIVE_BACK:
        return True  # "a back kick", "the back door"
    if t.low.endswith("ly") and len(t.low) > 4:
        return False  # "wildly", "slowly": how, not what
    if t.punct or t.who or t.pron or t.low in DETERMINERS or t.low in ("and", "or"):
        return False
    if t.low in PREPOSITIONS and t.low not in ("back",):
        return False
    if t.low in ADVERBS:  # "the low kick", "a wild haymaker": an adjective before a noun
        return k + 1 < len(tokens) and _content(tokens, k + 1) and t.low not in (
            "again", "twice", "too", "also", "then", "back", "away", "aside", "hard")
    return True


def _starts(tokens: list[Token], k: int) -> bool:
    t = tokens[k]
    return bool(t.who or t.pron or t.poss or t.low in DETERMINERS or t.low in _NUMBERS
                or _content(tokens, k))


def chunk(tokens: list[Token], table: VerbTable, aliases: dict[str, str]) -> list[NP | str]:
    """The phrases of ``tokens`` in order: noun phrases, and the other words as they are.

    ``aliases``: lower-case words that name a cast member after a determiner ("the
    guard", "his minion").
    """
    items: list[NP | str] = []
    prep: str | None = None
    away = False
    k = 0
    n = len(tokens)
    while k < n:
        t = tokens[k]
        if t.low in PREPOSITIONS and k + 1 < n and (
                tokens[k + 1].low in PREPOSITIONS or _starts(tokens, k + 1)):
            away = away or t.low in ("away", "out")
            prep = t.low if t.low not in ("away",) or prep is None else prep
            k += 1
            continue
        if not _starts(tokens, k):
            items.append(t.low)
            prep, away = None, False
            k += 1
            continue
        if t.low in DETERMINERS and k + 1 < n and tokens[k + 1].who:
            k += 1  # "A GUARD", "the Guard": the name is the phrase
            t = tokens[k]
        np = NP([t], prep, away=away)
        prep, away = None, False
        if t.who and not t.poss or (t.pron and t.case != "poss" and not _her_owns(tokens, k)):
            np.person = t
            np.cls = "it" if t.pron == "i" else "person"
            items.append(np)
            k += 1
            continue
        j = k
        if t.poss or (t.pron and t.low == "her"):
            np.owner = t
            j += 1
        elif t.low in DETERMINERS:
            np.det = t.low
            j += 1
        elif t.low in _NUMBERS:
            np.count = _NUMBERS[t.low]
            j += 1
        while j < n and _content(tokens, j):
            np.words.append(tokens[j].low.removesuffix("'s").removesuffix("’s"))
            j += 1
            if tokens[j - 1].poss:  # "the guard's": a possessor ends the phrase
                break
        j = max(j, k + 1)
        np.tokens = tokens[k:j]
        if np.owner is not None and not np.words:
            np.person, np.owner, np.cls = np.owner, None, "person"  # "the win is Kade's"
            items.append(np)
            k = j
            continue
        _classify(np, table, aliases)
        items.append(np)
        k = j
    return _merge_of(items, table)


def _her_owns(tokens: list[Token], k: int) -> bool:
    """"her" owns what follows ("her boot") unless a word of its own follows ("slaps her")."""
    return tokens[k].low == "her" and k + 1 < len(tokens) and _content(tokens, k + 1)


def _classify(np: NP, table: VerbTable, aliases: dict[str, str]) -> None:
    words = np.words
    if not words:
        np.cls = "it" if np.det in ("that", "this", "it") else "thing"
        return
    if np.det is not None or np.owner is not None:
        key = words[-1] if words[-1] in aliases else words[0]
        who = aliases.get(key)
        if who is not None and len(words) <= 2:
            np.cls, np.key = "person", key
            np.person = Token(words[-1], words[-1], np.tokens[-1].start, np.tokens[-1].end,
                              who=who)
            return
    if _unnamed_group(np):  # "the thugs", "the two men": a group no name is given to
        np.cls, np.key = "person", words[-1]
        np.person = Token(words[-1], words[-1], np.tokens[-1].start, np.tokens[-1].end,
                          pron="p", case="obj" if np.prep else "subj")
        return
    if words[-1] in ("times", "time") and np.count > 1:
        np.cls = "count"
        return
    for cls, vocab, cut in _VOCABS:
        if cut >= len(words):
            continue
        key, size = table.lookup(words[:len(words) - cut], getattr(table, vocab))
        if size:
            np.cls, np.key = cls, key
            if cls == "body":
                np.zone = table.hits[key]
                np.limb = table.limbs.get(key)
            elif cls == "limb":
                np.move = np.limb = table.limbs[key]
                np.zone = table.hits.get(key)
            else:
                np.move = getattr(table, vocab)[key]
                np.limb = table.limbs.get(key)
            break
    for w in words[:-1]:
        if w in table.counts:
            np.count = max(np.count, table.counts[w])
    key, size = table.lookup(words, table.set_pieces)
    if np.cls == "thing" and size:
        np.key = key


def _unnamed_group(np: NP) -> bool:
    """"the thugs", "the two men", "these guards": a plural role noun after a determiner
    (or a count) that names no one in the cast reads as "they" does."""
    words = np.words
    if not (np.definite or np.count > 1) or not words or len(words) > 2:
        return False
    if len(words) == 2 and words[0] not in _NUMBERS:
        return False
    _, plural = singular_role(words[-1])
    return plural


def _merge_of(items: list[NP | str], table: VerbTable) -> list[NP | str]:
    """"a flurry of punches", "the butt of her rifle", "the meat of Kade's ribs"."""
    out: list[NP | str] = []
    for item in items:
        prev = out[-1] if out else None
        if isinstance(item, NP) and item.prep == "of" and isinstance(prev, NP):
            head = prev.words[-1] if prev.words else ""
            if head in table.counts and item.cls == "strike":
                item.count, item.prep, item.det = table.counts[head], prev.prep, prev.det
                out[-1] = item
                continue
            if head in _PARTS and item.cls == "weapon":
                item.prep, item.move = prev.prep, "swing"  # the butt of a rifle swings
                out[-1] = item
                continue
            if prev.cls in ("thing", "strike") and item.cls in ("person", "body"):
                item.prep = prev.prep  # the soft meat of Kade's ribs
                out[-1] = item
                continue
            if prev.cls == "strike":
                prev.cls = "thing"  # the hook of the crane
            continue
        if isinstance(item, NP) and item.prep == "from" and item.cls == "person" and (
                isinstance(prev, NP) and prev.cls == "strike" and prev.owner is None):
            prev.owner = item.person  # "a haymaker from Reyes"
            continue
        out.append(item)
    return out
