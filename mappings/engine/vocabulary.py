"""A framework's own vocabulary: optional data a centre may write for its suite, never code.

The engine needs nothing but the framework to work; a vocabulary adds what its authors know of the
field. It is a text table, shipped beside a framework file and imported with it (``portfolio
framework import FILE --vocabulary VOCAB.txt``; the sample's is
``demo/data/supported-employment-vocabulary.txt``), in this format (docs/vocabulary.md):

* one concept per entry, ``name: phrase; phrase; ...``, continued on indented lines; ``#`` comments;
  a name written again adds its phrases to the earlier ones;
* a leading ``~`` marks a weak concept (half weight);
* ``_domain`` lists markers of evidence about the field at all (they add to the markers the engine
  finds in the framework's own wording);
* ``_not`` lists blocking phrases: false friends in context that hide the concept phrases inside
  them.

Criteria and evidence are tagged with the concepts their words express (:mod:`mappings.engine.analyse`),
so the two meet on a concept when they share no word. Pure: text in, data out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mappings.engine.analyse import ConceptTagger


class VocabularyError(ValueError):
    """A vocabulary table that cannot be read; the message says where."""


@dataclass(frozen=True)
class Vocabulary:
    concepts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    weak: frozenset[str] = frozenset()
    domain: tuple[str, ...] = ()
    blockers: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.concepts or self.domain)

    @classmethod
    def parse(cls, table: str) -> Vocabulary:
        """Read the ``name: phrase; phrase`` table (see the module's docstring)."""
        entries: list[tuple[int, str]] = []
        for number, line in enumerate(table.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line[:1].isspace() and entries:
                entries[-1] = (entries[-1][0], entries[-1][1] + " " + line.strip())
            else:
                entries.append((number, line.strip()))
        concepts: dict[str, tuple[str, ...]] = {}
        weak: set[str] = set()
        for number, entry in entries:
            name, colon, body = entry.partition(":")
            name = name.strip()
            if not colon or not name.lstrip("~"):
                raise VocabularyError(
                    f"line {number}: expected `name: phrase; phrase; ...`, found “{entry[:60]}”"
                )
            if name.startswith("~"):
                name = name[1:]
                weak.add(name)
            phrases = tuple(p.strip() for p in body.split(";") if p.strip())
            concepts[name] = concepts.get(name, ()) + phrases
        domain = concepts.pop("_domain", ())
        blockers = concepts.pop("_not", ())
        concepts = {k: v for k, v in concepts.items() if not k.startswith("_")}
        return cls(concepts, frozenset(weak & set(concepts)), domain, blockers)

    @cached_property
    def tagger(self) -> ConceptTagger:
        """Tags text with this vocabulary's concepts."""
        from mappings.engine.analyse import ConceptTagger

        return ConceptTagger(self.concepts, self.blockers, self.weak)

    @cached_property
    def domain_tagger(self) -> ConceptTagger:
        """Finds this vocabulary's markers of the field."""
        from mappings.engine.analyse import ConceptTagger

        return ConceptTagger({"_domain": self.domain})


NO_VOCABULARY = Vocabulary()
