"""Word lists that match in any case, written as case-sensitive patterns: the same matches, found faster.

Under ``re.IGNORECASE``, ``re`` lowers every character it compares and cannot skip ahead to the first
characters of a pattern, so searching a window of 30 characters for one of thirty keywords cost about
10 µs. ``re`` matches a literal in any case one character at a time (no ``ss`` for ``ß``), so the same
words with each character written as the class of its case variants (``[kKK]``) match exactly the same
strings; factored by common prefixes, ``re`` tries a handful of branches at a place instead of every word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# Characters that re's IGNORECASE matches with a letter beyond its str.lower and str.upper: the Kelvin
# sign, long s, capital sharp s and the Turkish dotted and dotless i (re compares simple case mappings).
# test_casing checks every code point against re for each character of the word lists.
_OTHER_CASES = {"i": "İı", "k": "\u212a", "s": "ſ", "ß": "ẞ"}

_Trie = dict[str, "_Trie"]


def case_variants(char: str) -> str:
    """Every character that ``re.IGNORECASE`` matches with ``char``, in code point order (so that all
    of them give the same string)."""
    variants = {char}
    for other in (char.lower(), char.upper(), *_OTHER_CASES.get(char.lower(), "")):
        if len(other) == 1:
            variants.add(other)
    return "".join(sorted(variants))


def any_case(words: Iterable[str]) -> str:
    """A group that matches what ``(?i:word|word|...)`` matches, without ``IGNORECASE``.

    Only whether and where it can match is kept, not which word an alternation prefers: for patterns
    that are searched for whether they match at all.
    """
    return factored(words, _variant_class)


def factored(words: Iterable[str], render: Callable[[str], str] = re.escape) -> str:
    """The alternation of ``words`` factored by common prefixes (``werk(?:e)?``): it matches the same strings,
    and re tries a handful of branches at a place instead of every word.

    Args:
        words: Literal strings.
        render: The pattern of one character.
    """
    tree: _Trie = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(render(char), {})
        node[""] = {}
    return f"(?:{_branches(tree)})"


def _variant_class(char: str) -> str:
    variants = case_variants(char)
    return re.escape(variants) if len(variants) == 1 else f"[{re.escape(variants)}]"


def _branches(node: _Trie) -> str:
    parts = [char + _branches(child) for char, child in sorted(node.items()) if char]
    if not parts:
        return ""
    if len(parts) == 1 and "" not in node:
        return parts[0]
    return f"(?:{'|'.join(parts)})" + ("?" if "" in node else "")
