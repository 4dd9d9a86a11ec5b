"""Turn text into weighted matching terms: stems, stem bigrams and the concepts of a vocabulary.

A concept term is written ``#name``; a bigram ``a_b``. The same analysis runs over criteria and
evidence so the two meet on the same terms. Concepts come only from a framework's own vocabulary
(:mod:`mappings.engine.vocabulary`); without one, text is stems and bigrams.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from mappings.engine.text import STOPWORDS, stem, words


class ConceptTagger:
    """Finds a vocabulary's phrases (as stem sequences) in a stem sequence."""

    def __init__(
        self,
        concepts: Mapping[str, Sequence[str]],
        blockers: Sequence[str] = (),
        weak: frozenset[str] = frozenset(),
    ) -> None:
        self.weak = weak
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for name, phrases in sorted(concepts.items()):
            for phrase in phrases:
                stems = tuple(stem(w) for w in words(phrase))
                if stems:
                    self._by_first.setdefault(stems[0], []).append((stems, name))
        for entries in self._by_first.values():
            entries.sort(key=lambda e: (-len(e[0]), e[1]))
        self._blockers: dict[str, list[tuple[str, ...]]] = {}
        for phrase in blockers:
            stems = tuple(stem(w) for w in words(phrase))
            if stems:
                self._blockers.setdefault(stems[0], []).append(stems)

    def tag(self, stems: Sequence[str]) -> set[str]:
        """Names of the concepts whose phrases occur in ``stems``."""
        return {name for _phrase, name in self._matches(stems)}

    def tag_phrases(self, stems: Sequence[str]) -> set[tuple[str, ...]]:
        """The distinct phrases (as stem tuples) that occur in ``stems``."""
        return {phrase for phrase, _name in self._matches(stems)}

    def _blocked(self, stems: Sequence[str]) -> list[tuple[int, int]]:
        """Spans of blocking phrases: a false friend in context ("may benefit from").

        A blocking span hides every shorter concept phrase inside it, not one of its own length."""
        n = len(stems)
        spans: list[tuple[int, int]] = []
        for i, s in enumerate(stems):
            for phrase in self._blockers.get(s, ()):
                k = len(phrase)
                if i + k <= n and tuple(stems[i : i + k]) == phrase:
                    spans.append((i, i + k))
        return spans

    def _matches(self, stems: Sequence[str]) -> Iterator[tuple[tuple[str, ...], str]]:
        n = len(stems)
        blocked = self._blocked(stems) if self._blockers else []
        for i, s in enumerate(stems):
            for phrase, name in self._by_first.get(s, ()):
                k = len(phrase)
                if i + k <= n and tuple(stems[i : i + k]) == phrase:
                    if any(a <= i and i + k <= b and k < b - a for a, b in blocked):
                        continue
                    yield phrase, name

    def weight(self, name: str) -> float:
        """A concept's weight: half for a weak one."""
        return 0.5 if name in self.weak else 1.0


NO_CONCEPTS = ConceptTagger({})


def terms(
    text: str, tagger: ConceptTagger = NO_CONCEPTS, *, bigrams: bool = True
) -> dict[str, float]:
    """Binary term weights of ``text``: stems 1, bigrams 1, concepts by the tagger's weight."""
    all_stems = [stem(w) for w in words(text)]
    stems = [
        s for s, w in zip(all_stems, words(text), strict=True) if w not in STOPWORDS and len(w) > 1
    ]
    out: dict[str, float] = dict.fromkeys(stems, 1.0)
    if bigrams:
        for a, b in zip(stems, stems[1:], strict=False):
            out[f"{a}_{b}"] = 1.0
    for name in tagger.tag(all_stems):
        if not name.startswith("_"):
            out["#" + name] = tagger.weight(name)
    return out


def is_key_term(term: str) -> bool:
    """A term that names something on its own: a vocabulary concept, or a pair of words ("risk
    assessment", "job seeker"). The coverage and distinctiveness features count key terms."""
    return term.startswith("#") or "_" in term


def domain_markers(text: str, tagger: ConceptTagger) -> int:
    """How many distinct marker phrases of the tagger occur in ``text``."""
    return len(tagger.tag_phrases([stem(w) for w in words(text)]))
