"""What the site's operators and administrators are told quotes what they typed or what a file
holds in the app's quotes (“…”), as the pages do, never in Python's ('…' from ``!r``):
configuration errors, command-line refusals, archive and file checks, the log."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner, Result
from flask import Flask

from delivery.cli.main import main
from delivery.web import outbox
from delivery.web.api.problems import MissingScope
from delivery.web.context import pending_callbacks
from exports import iqa_report, reports
from framework.export_docx import standard_to_docx
from framework.export_json import framework_from_json, framework_to_json
from framework.spec import FrameworkSpec
from mappings.assessment.evidence_set import evidence_set_hash
from mappings.engine.vocabulary import Vocabulary
from mappings.quality.sampling import SamplingStrategy
from portfolio import config as settings
from portfolio.privacy.scan import centre_identifiers
from portfolio.refs import EvidenceRef
from portfolio.services import mail
from portfolio.services.audit import Head
from portfolio.services.backup import read_manifest


def _said(call: Callable[[], object]) -> str:
    with pytest.raises(Exception) as error:
        call()
    return str(error.value)


def _manifest(members: dict[str, object]) -> zipfile.ZipFile:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zf:
        zf.writestr("manifest.json", json.dumps(
            {"format": "portfolio-backup/1", "backend": "sqlite", "members": members}))  # fmt: skip
    return zipfile.ZipFile(data)


def _framework_with_kind(kind: str) -> str:
    data = json.loads(framework_to_json(FrameworkSpec(code="X", title="X")))
    data["standards"] = [{"code": "U1", "title": "U", "criteria": [
        {"code": "P1", "kind": kind, "text": "t", "position": 0}]}]  # fmt: skip
    return json.dumps(data)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: settings.framework_years("SE=five"), "“SE=five”: write CODE=YEARS"),
        (lambda: Head.parse("12:abc"), "“12:abc” is not a head"),
        (lambda: Head.parse("1:" + "g" * 64), f"“1:{'g' * 64}” is not a head"),
        (lambda: centre_identifiers({"Client Ref": "x"}), "identifier kind “Client Ref”"),
        (lambda: centre_identifiers({"phone": "x"}), "identifier kind “phone” is a built-in"),
        (lambda: centre_identifiers({"ref": "("}), "identifier “ref”: not a regular"),
        (lambda: centre_identifiers({"ref": "x*"}), "identifier “ref”: the pattern matches"),
        (lambda: read_manifest(_manifest({"../etc/passwd": {}})), "lists “../etc/passwd”, which"),
        (lambda: Vocabulary.parse("no colon here"), "found “no colon here”"),
        (lambda: SamplingStrategy.from_dict({"rates": {"odd": 0.5}}), "bad rate “odd”: 0.5"),
        (lambda: reports.render(None, "pdf"), "unknown report format “pdf”"),  # type: ignore[arg-type]
        (lambda: iqa_report.report_for_cycle(None, None, "pdf"), "report format “pdf”"),  # type: ignore[arg-type]
        (lambda: framework_from_json(_framework_with_kind("X")), "unknown kind “X”"),
        (lambda: (_ for _ in ()).throw(MissingScope("admin")), "lacks the scope “admin”"),
    ],
)
def test_values_are_quoted_in_the_apps_quotes(call: Callable[[], object], words: str) -> None:
    said = _said(call)
    assert words in said and "'" not in said.replace("n't", "")


def test_an_unknown_time_zone_is_quoted(tmp_path: Path) -> None:
    conf = settings.from_env({"PORTFOLIO_TIME_ZONE": "Mars/Olympus"})
    conf["INSTANCE_PATH"] = str(tmp_path)
    assert "Unknown time zone “Mars/Olympus” in" in _said(lambda: settings.finish(conf))


def test_command_line_refusals_quote_what_was_typed(cli: Callable[..., Result]) -> None:
    result = cli("privacy", "scan", "--identifier", "ref", input="{}\n")
    assert result.exit_code == 2 and "“ref”: write KIND=REGEX" in result.output
    result = cli("engine", "train", "--suite", "only-one-part")
    assert result.exit_code == 2 and "“only-one-part”: expected FRAMEWORK:ITEMS" in result.output


def test_a_new_versions_differences_quote_the_texts_that_changed() -> None:
    from framework.spec import CriterionSpec, StandardSpec
    from portfolio.services.frameworks import diff_specs

    def spec(title: str, text: str) -> FrameworkSpec:
        criterion = CriterionSpec(code="P1", kind="performance", text=text, position=1)
        return FrameworkSpec(code="X", title=title,
                             standards=[StandardSpec(code="U1", title="U", criteria=[criterion])])  # fmt: skip

    lines = diff_specs(spec("Old's title", "greet people"), spec("New title", "greet everyone"))
    assert "framework title: “Old's title” -> “New title”" in lines
    assert "~ U1 P1: “greet people” -> “greet everyone”" in lines


def test_a_standard_not_in_the_framework_is_quoted() -> None:
    with pytest.raises(KeyError) as error:
        standard_to_docx(FrameworkSpec(code="X", title="X"), "NOPE")
    assert error.value.args == ("no standard “NOPE” in X",)


def test_a_digest_that_is_not_one_is_quoted() -> None:
    said = _said(lambda: evidence_set_hash([(EvidenceRef(12, 3), "not-hex")]))
    assert said == "not a SHA-256 hex digest for “E12v3”: “not-hex”"


def test_a_malformed_database_url_is_quoted() -> None:
    result = CliRunner().invoke(main, ["--db", "not a url", "people", "list"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: Not a database URL: “not a url” (")
    assert "'" not in result.output


def test_an_email_not_sent_is_logged_with_its_subject_quoted(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class AtOnce:  # the sending thread, run here so its log line is caught
        def __init__(self, target: Callable[[], None], **named: object) -> None:
            self.target = target

        def start(self) -> None:
            self.target()

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("the mail server is down")

    monkeypatch.setattr(mail, "send", refuse)
    monkeypatch.setattr(outbox, "threading", SimpleNamespace(Thread=AtOnce))
    with app.test_request_context(), caplog.at_level("ERROR", logger=outbox.log.name):
        outbox.send_all_later([("lou@test.example", "Set your password", "body")])
        for callback in pending_callbacks():
            callback()
    assert [r.getMessage() for r in caplog.records] == [
        "could not send the e-mail “Set your password”"
    ]
