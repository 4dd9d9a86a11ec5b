"""Our own JSON form of a framework: every field of :class:`FrameworkSpec`, losslessly.

``framework_from_json(framework_to_json(fw)) == fw`` for every framework. The document carries
``"format": "competence-framework"`` and ``"format_version": 1``; reading checks every field's
type and reports the JSON pointer of the first bad one as a :class:`FrameworkFormatError`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from framework._json import load_json
from framework.spec import (
    KINDS,
    CriterionSpec,
    FrameworkFormatError,
    FrameworkSpec,
    GlossaryEntry,
    StageSpec,
    StandardSpec,
    version_problem,
)

FORMAT = "competence-framework"
FORMAT_VERSION = 1


def framework_to_json(fw: FrameworkSpec) -> str:
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, **asdict(fw)}
    if not fw.vocabulary:
        document.pop("vocabulary")  # engine data, written only when the framework has some
    if not fw.case:
        document.pop("case")  # CASE identifiers, written only when the framework has some
    return json.dumps(document, ensure_ascii=False, indent=2)


def framework_from_json(
    text: str | bytes, source: str = "", *, check_version: bool = True
) -> FrameworkSpec:
    """Read our own JSON form. A ``version`` that is not a version number is refused as every
    reader refuses it (:func:`framework.spec.version_problem`); ``check_version=False`` reads
    it as stored, for a framework a database already holds (a bundle's)."""
    document = load_json(text, source)
    reader = _Reader(source)
    obj = reader.obj(document, "")
    if obj.get("format") != FORMAT or obj.get("format_version") != FORMAT_VERSION:
        raise FrameworkFormatError(
            f"not a {FORMAT} v{FORMAT_VERSION} document", source=source, place="/format"
        )
    problem = version_problem(reader.string(obj, "version", "")) if check_version else ""
    if problem:
        raise reader.fail(problem, "/version")
    scalars = {f.name for f in fields(FrameworkSpec)} - {
        "standards",
        "stages",
        "values",
        "glossary",
        "metadata",
        "warnings",
        "case",
    }
    return FrameworkSpec(
        **{name: reader.string(obj, name, "") for name in scalars},
        standards=[
            reader.standard(s, f"/standards/{i}") for i, s in reader.items(obj, "standards", "")
        ],
        stages=[
            StageSpec(
                ref=reader.string(reader.obj(s, p), "ref", p),
                title=reader.string(reader.obj(s, p), "title", p),
                standards=tuple(reader.strings(reader.obj(s, p), "standards", p)),
            )
            for i, s in reader.items(obj, "stages", "")
            for p in [f"/stages/{i}"]
        ],
        values=reader.strings(obj, "values", ""),
        glossary=[
            GlossaryEntry(
                term=reader.string(reader.obj(g, p), "term", p),
                definition=reader.string(reader.obj(g, p), "definition", p),
            )
            for i, g in reader.items(obj, "glossary", "")
            for p in [f"/glossary/{i}"]
        ],
        metadata=reader.mapping(obj, "metadata", ""),
        warnings=reader.strings(obj, "warnings", ""),
        case=reader.json_object(obj, "case", ""),
    )


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, message: str, pointer: str) -> FrameworkFormatError:
        return FrameworkFormatError(message, source=self.source, place=pointer or "/")

    def obj(self, value: object, pointer: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail("expected an object", pointer)
        return value

    def string(self, obj: dict[str, Any], key: str, pointer: str) -> str:
        value = obj.get(key, "")
        if not isinstance(value, str):
            raise self.fail("expected a string", f"{pointer}/{key}")
        return value

    def required(self, obj: dict[str, Any], key: str, pointer: str, message: str) -> str:
        value = self.string(obj, key, pointer)
        if not value.strip():
            raise self.fail(message, f"{pointer}/{key}")
        return value

    def items(self, obj: dict[str, Any], key: str, pointer: str) -> list[tuple[int, Any]]:
        value = obj.get(key, [])
        if not isinstance(value, list):
            raise self.fail("expected a list", f"{pointer}/{key}")
        return list(enumerate(value))

    def strings(self, obj: dict[str, Any], key: str, pointer: str) -> list[str]:
        out = []
        for i, value in self.items(obj, key, pointer):
            if not isinstance(value, str):
                raise self.fail("expected a string", f"{pointer}/{key}/{i}")
            out.append(value)
        return out

    def mapping(self, obj: dict[str, Any], key: str, pointer: str) -> dict[str, str]:
        value = self.obj(obj.get(key, {}), f"{pointer}/{key}")
        for k, v in value.items():
            if not isinstance(v, str):
                raise self.fail("expected a string", f"{pointer}/{key}/{k}")
        return dict(value)

    def json_object(self, obj: dict[str, Any], key: str, pointer: str) -> dict[str, Any]:
        return dict(self.obj(obj.get(key, {}), f"{pointer}/{key}"))

    def standard(self, value: object, pointer: str) -> StandardSpec:
        obj = self.obj(value, pointer)
        scalars = {f.name for f in fields(StandardSpec)} - {"criteria"}
        criteria = []
        for i, c in self.items(obj, "criteria", pointer):
            p = f"{pointer}/criteria/{i}"
            item = self.obj(c, p)
            kind = self.string(item, "kind", p)
            if kind not in KINDS:
                raise self.fail(f"unknown kind “{kind}”", f"{p}/kind")
            position = item.get("position")
            if not isinstance(position, int) or isinstance(position, bool):
                raise self.fail("expected an integer", f"{p}/position")
            criteria.append(
                CriterionSpec(
                    kind=kind,
                    code=self.required(item, "code", p, "a criterion needs its code"),
                    text=self.required(item, "text", p, "a criterion needs its text"),
                    position=position,
                )
            )
        return StandardSpec(**{n: self.string(obj, n, pointer) for n in scalars}, criteria=criteria)
