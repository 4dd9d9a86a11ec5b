"""The hand-built thesaurus of supported-employment practice, read from its data file.

The vocabulary is data, kept in ``mappings/engine/data/thesaurus.txt`` (its head explains the
format): one concept per entry, ``name: phrase; phrase; ...``, continued on indented lines, ``#``
comments; a leading ``~`` marks a weak concept (half weight); ``_domain`` lists markers of
evidence about supported employment at all and ``_not`` blocking phrases, neither a concept.
:mod:`mappings.engine.analyse` stems the phrases and tags text with the concepts they express.
"""

from __future__ import annotations

from importlib import resources


def parse_thesaurus(table: str) -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """Read the ``name: phrase; phrase`` table into concepts and the set of weak concept names."""
    entries: list[str] = []
    for line in table.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[:1].isspace() and entries:
            entries[-1] += " " + line.strip()
        else:
            entries.append(line.strip())
    concepts: dict[str, tuple[str, ...]] = {}
    weak: set[str] = set()
    for entry in entries:
        name, _, body = entry.partition(":")
        name = name.strip()
        if name.startswith("~"):
            name = name[1:]
            weak.add(name)
        phrases = tuple(p.strip() for p in body.split(";") if p.strip())
        concepts[name] = concepts.get(name, ()) + phrases
    return concepts, frozenset(weak)


def read_thesaurus() -> str:
    """The text of the thesaurus table shipped with the package."""
    return resources.files("mappings.engine").joinpath("data", "thesaurus.txt").read_text("utf-8")


THESAURUS = read_thesaurus()
CONCEPTS, WEAK_CONCEPTS = parse_thesaurus(THESAURUS)
