"""Turn text into weighted matching terms: stems, stem bigrams and thesaurus concepts.

A concept term is written ``#name``; a bigram ``a_b``. The same analysis runs over criteria and
evidence so the two meet on the same vocabulary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mappings.text import STOPWORDS, stem, words
from mappings.thesaurus import CONCEPTS, WEAK_CONCEPTS


class ConceptTagger:
    """Finds thesaurus phrases (as stem sequences) in a stem sequence."""

    def __init__(self, concepts: Mapping[str, Sequence[str]] = CONCEPTS) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for name, phrases in sorted(concepts.items()):
            for phrase in phrases:
                stems = tuple(stem(w) for w in words(phrase))
                if stems:
                    self._by_first.setdefault(stems[0], []).append((stems, name))
        for entries in self._by_first.values():
            entries.sort(key=lambda e: (-len(e[0]), e[1]))

    def tag(self, stems: Sequence[str]) -> set[str]:
        found: set[str] = set()
        n = len(stems)
        for i, s in enumerate(stems):
            for phrase, name in self._by_first.get(s, ()):
                k = len(phrase)
                if i + k <= n and tuple(stems[i : i + k]) == phrase:
                    found.add(name)
        return found


DEFAULT_TAGGER = ConceptTagger()


def concept_weight(name: str) -> float:
    return 0.5 if name in WEAK_CONCEPTS else 1.0


def terms(
    text: str, tagger: ConceptTagger = DEFAULT_TAGGER, *, bigrams: bool = True
) -> dict[str, float]:
    """Binary term weights of ``text``: stems 1, bigrams 1, concepts by :func:`concept_weight`."""
    all_stems = [stem(w) for w in words(text)]
    stems = [s for s, w in zip(all_stems, words(text), strict=True) if w not in STOPWORDS and len(w) > 1]
    out: dict[str, float] = dict.fromkeys(stems, 1.0)
    if bigrams:
        for a, b in zip(stems, stems[1:], strict=False):
            out[f"{a}_{b}"] = 1.0
    for name in tagger.tag(all_stems):
        out["#" + name] = concept_weight(name)
    return out
