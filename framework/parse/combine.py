"""Several framework files read as one framework: NOS are published one standard per file.

``parse_files([(name, bytes), ...])`` reads every file (each with :func:`framework.parse.parse`)
and puts their standards, in the order given, into one framework version:

* the framework takes the code, title, version and metadata of the first file (``--code`` and
  ``--title`` set others); files from different suites are combined with a warning saying so;
* a standard code found in two files is an error naming both, as is a file that is itself a
  CASE package or a suite with its own functional map (import those on their own);
* warnings are kept, each with the name of its file.

Any failure names its file; nothing is returned unless every file was read.
"""

from __future__ import annotations

from framework.parse import parse
from framework.spec import FrameworkFormatError, FrameworkSpec

MAX_FILES = 200


def parse_files(
    files: list[tuple[str, bytes]],
    fmt: str = "auto",
    *,
    code: str | None = None,
    title: str | None = None,
    strict: bool = False,
) -> FrameworkSpec:
    """One framework from one or several files (see the module docstring)."""
    if not files:
        raise FrameworkFormatError("no file given")
    if len(files) > MAX_FILES:
        raise FrameworkFormatError(f"too many files ({len(files)}; at most {MAX_FILES} at once)")
    if len(files) == 1:
        name, data = files[0]
        return parse(data, name, fmt, code=code, title=title, strict=strict)
    specs = [(name, parse(data, name, fmt, strict=strict)) for name, data in files]
    return combine(specs, code=code, title=title)


def combine(
    specs: list[tuple[str, FrameworkSpec]], *, code: str | None = None, title: str | None = None
) -> FrameworkSpec:
    """The standards of several frameworks (each read from the named file) as one framework."""
    first_name, first = specs[0]
    owner: dict[str, str] = {}
    standards = []
    warnings: list[str] = []
    for name, spec in specs:
        if spec.case or spec.stages:
            kind = "a CASE package" if spec.case else "a suite with its own functional map"
            raise FrameworkFormatError(
                f"this is {kind}; import it on its own, not together with other files",
                source=name,
                place="file",
            )
        for standard in spec.standards:
            if standard.code in owner:
                raise FrameworkFormatError(
                    f"standard {standard.code} is also in {owner[standard.code]}; "
                    "give each standard once",
                    source=name,
                    place=standard.code,
                )
            owner[standard.code] = name
            standards.append(standard)
        warnings += [f"{name}: {w}" for w in spec.warnings]
    suites = {s.metadata.get("suite", "") for _, s in specs} - {""}
    if len(suites) > 1 and not title:
        warnings.append(
            f"the files come from {len(suites)} suites; the framework takes the title of "
            f"{first_name} (“{first.title}”)"
        )
    return FrameworkSpec(
        code=code or first.code,
        title=title or first.title,
        urn=first.urn,
        version=first.version,
        overview=first.overview,
        source_format=first.source_format,
        standards=standards,
        metadata=dict(first.metadata),
        warnings=warnings,
    )
