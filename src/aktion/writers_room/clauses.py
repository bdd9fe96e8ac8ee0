"""An action sentence as tokens, cut into clauses: the unit who-does-what is read in.

"Mara ducks, then drives her elbow into his throat" is two clauses sharing a subject;
"Vex and Kade trade jabs" is one clause with two subjects; "a right hand that Lena
parries" opens a clause about the right hand. Clauses are cut at punctuation, at
subordinators (then, as, before...) and at "and" only where a new verb follows one
already said, so coordinated names stay together. Every step is a single pass over
the tokens: a megabyte-long paragraph reads in time proportional to its length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .forms import verb_lemma, verb_tags
from .names import NameMatcher
from .verbs import VerbTable

_TOKEN = re.compile(r"[A-Za-z0-9][\w'’\-]*|#\d+|--+|[—–…]|[^\w\s]")

PRONOUNS = {  # word -> (gender or number, case); "her" is settled by what follows it
    "he": ("m", "subj"), "him": ("m", "obj"), "his": ("m", "poss"), "himself": ("m", "refl"),
    "she": ("f", "subj"), "her": ("f", "obj"), "hers": ("f", "obj"), "herself": ("f", "refl"),
    "they": ("p", "subj"), "them": ("p", "obj"), "their": ("p", "poss"),
    "themselves": ("p", "refl"), "themself": ("n", "refl"),
    "it": ("i", "obj"), "its": ("i", "poss"), "itself": ("i", "refl"),
}
DETERMINERS = {"a", "an", "the", "this", "that", "these", "those", "another", "some", "each",
               "every", "no", "any", "one", "my", "your", "our"}
PREPOSITIONS = {"at", "into", "against", "through", "onto", "on", "in", "to", "across", "over",
                "under", "with", "by", "from", "toward", "towards", "for", "off", "around",
                "behind", "past", "inside", "beneath", "below", "above", "along", "out", "up",
                "down", "upon", "between", "near", "like", "of", "about", "without", "within",
                "via", "underneath", "atop", "amid", "among", "beside", "outside", "away"}
ADVERBS = {"again", "back", "away", "aside", "out", "up", "down", "off", "hard", "fast",
           "twice", "first", "sideways", "forward", "forwards", "backward", "backwards",
           "together", "apart", "clear", "free", "open", "shut", "too", "also", "just",
           "still", "even", "only", "then", "now", "barely", "nearly", "almost", "straight",
           "square", "flush", "once", "both", "instead", "finally", "suddenly", "already",
           "immediately", "wild", "low", "high", "home", "inside", "overhead", "around",
           "over", "in", "so", "very", "all", "here", "there", "somehow", "at", "last",
           "more", "simultaneously"}
SUBORDINATORS = {"then", "but", "as", "while", "before", "after", "until", "when",
                 "whereupon", "because", "though", "although", "till", "whilst", "yet"}
RELATIVES = {"that", "which", "who"}
# subordinators that are also prepositions: "after he falls" and "chases after her"
_PREPOSITIONAL = {"as", "after", "before", "until", "till"}
_BREAKS = {",", ";", ":", "--", "—", "–", "…", "!", "?", "(", ")", '"', "“", "”", "[", "]"}
_MAX_PAREN = 40  # tokens: an unclosed "(" does not swallow the rest of a long paragraph


@dataclass(slots=True)
class Token:
    text: str
    low: str
    start: int
    end: int
    who: str | None = None  # the cast id a name (or "the guard") refers to
    poss: bool = False  # "Kade's", "his"
    pron: str | None = None  # m, f, p (they), n (singular they), i (it)
    case: str | None = None  # subj, obj, poss, refl
    punct: bool = False


@dataclass
class Clause:
    tokens: list[Token]
    lead: str | None = None  # the word that opened it: "then", "and", "as", "that"...
    mark: str | None = None  # the punctuation before it: ",", ":", ";", "--"...


def tokenize(text: str, matcher: NameMatcher) -> list[Token]:
    """Words, marks and names (one token each, ``THUG #1`` too), parentheses left out."""
    names = matcher.find(text)
    out: list[Token] = []
    k = 0
    for m in _TOKEN.finditer(text):
        a, z = m.start(), m.end()
        while k < len(names) and names[k][1] <= a:
            k += 1
        if k < len(names) and names[k][0] <= a < names[k][1]:
            na, nz = names[k][0], names[k][1]
            if out and out[-1].start == na and out[-1].who is not None:
                continue  # the rest of a multi-word name
            said = text[na:nz]
            poss = said.lower().endswith(("'s", "’s", "s'"))
            # A group name ("two THUGS") names each member at one place: read it as
            # "thug 1 and thug 2", so the clause has them all as its subject or object.
            group = [n[2] for n in names[k:] if (n[0], n[1]) == (na, nz)]
            for i, member in enumerate(group):
                if i:
                    out.append(Token("and", "and", na, na))
                out.append(Token(said, said.lower(), na, nz, who=member, poss=poss))
            continue
        word = m.group(0)
        low = word.lower()
        tok = Token(word, low, a, z, punct=not word[0].isalnum() and word[0] != "#")
        if low in PRONOUNS:
            tok.pron, tok.case = PRONOUNS[low]
            tok.poss = tok.case == "poss"
        elif low.endswith(("'s", "’s")):
            tok.poss = True
        out.append(tok)
    return _drop_parentheses(out) if "(" in text else out


def _drop_parentheses(tokens: list[Token]) -> list[Token]:
    """``KADE (40s), broad...``: an aside in brackets is not part of the action."""
    out: list[Token] = []
    k = 0
    while k < len(tokens):
        if tokens[k].text == "(":
            end = next((j for j in range(k + 1, min(len(tokens), k + _MAX_PAREN))
                        if tokens[j].text == ")"), None)
            if end is not None:
                k = end + 1
                continue
        out.append(tokens[k])
        k += 1
    return out


_INFLECTED = frozenset({"VBZ", "VBD", "VBN", "VBG"})
_QUANTIFIERS = {"all", "many", "several", "some", "few", "both", "two", "three", "four"}
_PLURAL = {"they", "we", "you", "i", "both", "all", "each"}
_BARE_AFTER = {"to", "not", "n't", "can", "could", "would", "will", "might", "must", "should",
               "may", "shall", "do", "does", "did", "cannot", "then"}


def verbish(tok: Token, prev: Token | None, table: VerbTable, plural: bool = False) -> bool:
    """Could ``tok`` be the verb of a clause here? Not after a determiner or a possessive,
    not a name, a pronoun or a small word; a bare form ("trade", "vest") only after a
    plural subject ("Vex and Kade trade") or a modal ("can draw")."""
    if tok.punct or tok.who or tok.pron or tok.low in DETERMINERS or tok.low in PREPOSITIONS:
        return False
    if tok.low in ADVERBS or tok.low in SUBORDINATORS or tok.low in ("and", "or", "not"):
        return False
    if prev is not None and (prev.poss or prev.low in DETERMINERS or prev.low.isdigit()
                             or prev.low == "her"):
        return False
    known = table.lemma(tok.low)
    tags = table.tags.get(tok.low, frozenset()) if known else verb_tags(tok.low)
    if not tags:
        return False
    if tags & _INFLECTED:
        return not (prev is not None and prev.low in _QUANTIFIERS and "VBZ" in tags)
    return plural or prev is not None and (prev.low in _PLURAL or prev.low in _BARE_AFTER)


def _opens_clause(tokens: list[Token], k: int, table: VerbTable) -> bool:
    """Does a new verb phrase, or a subject and its verb, start at ``k``? ("and slams
    him", "and she ducks", "and Ortiz's hook misses", "and the guard swings")"""
    j = k
    while j < len(tokens) and tokens[j].low in ADVERBS and tokens[j].low not in ("so",):
        j += 1
    if j >= len(tokens):
        return False
    tok = tokens[j]
    if verbish(tok, None, table):
        return bool((table.tags.get(tok.low) or verb_tags(tok.low)) & _INFLECTED)
    if tok.who and not tok.poss or (tok.pron and tok.case == "subj") or tok.low == "it":
        nxt = j + 1
    elif tok.poss or tok.low in DETERMINERS or tok.low == "her":
        nxt = j + 1
        while nxt < len(tokens) and nxt - j <= 3 and not tokens[nxt].punct and (
                not verbish(tokens[nxt], tokens[nxt - 1], table)):
            nxt += 1
    else:
        return False
    while nxt < len(tokens) and tokens[nxt].low in ADVERBS:
        nxt += 1
    return nxt < len(tokens) and verbish(tokens[nxt], None if tok.who else tokens[nxt - 1],
                                         table, plural=tok.low == "they")


def _opener(tokens: list[Token], k: int, open_: bool, has_verb: bool, table: VerbTable
            ) -> str | None:
    """The word that opens a new clause at ``k``, if it does: a subordinator, an "and"
    before a new verb, a "that" before a verb or a subject."""
    low = tokens[k].low
    if low in _PREPOSITIONAL:  # "after he falls" opens a clause, "chases after her" does not
        return low if _opens_clause(tokens, k + 1, table) else None
    if low in SUBORDINATORS:
        return low
    if low in ("and", "or") and (not open_ or has_verb and _opens_clause(tokens, k + 1, table)):
        return low
    if low in RELATIVES and open_ and _opens_clause(tokens, k + 1, table):
        return "that"
    return None


_ONGOING = {"be", "keep", "start", "begin", "continue", "stop", "go", "come", "spend", "quit"}


def _goes_on(tokens: list[Token], k: int, table: VerbTable) -> bool:
    """A move in -ing after a finished clause is a clause of its own: "comes off the wall
    swinging", "comes up throwing elbows" (not "keeps walking", "the spinning kick")."""
    tok, prev = tokens[k], tokens[k - 1]
    verb = table.lemma(tok.low)
    if verb is None or "VBG" not in table.tags.get(tok.low, frozenset()):
        return False
    sense = table.sense(verb)
    if not (sense.move or sense.deliver) or prev.poss or prev.low in DETERMINERS:
        return False
    if tok.low in table.phrase_words:
        return False  # the end of a phrase: "sends him sprawling"
    return verb_lemma(prev.low) not in _ONGOING and prev.low not in ("and", "or")


def split_clauses(tokens: list[Token], table: VerbTable) -> list[Clause]:
    """The clauses of a sentence, in order, each with the word or mark that opened it."""
    clauses: list[Clause] = []
    current: list[Token] = []
    lead: str | None = None
    mark: str | None = None
    has_verb = False
    for k, tok in enumerate(tokens):
        if tok.punct:
            if tok.text in _BREAKS:
                if current:
                    clauses.append(Clause(current, lead, mark))
                    current, lead, has_verb = [], None, False
                mark = tok.text
            continue
        opens = _opener(tokens, k, bool(current), has_verb, table)
        if opens is not None:
            if current:
                clauses.append(Clause(current, lead, mark))
                current, has_verb, mark, lead = [], False, None, None
            lead = opens if lead is None or opens != "and" else lead
            continue
        if has_verb and current and _goes_on(tokens, k, table):
            clauses.append(Clause(current, lead, mark))  # "comes off the wall swinging"
            current, has_verb, mark, lead = [], False, None, "and"
        if not has_verb and verbish(tok, current[-1] if current else None, table):
            has_verb = True
        current.append(tok)
    if current:
        clauses.append(Clause(current, lead, mark))
    return clauses
