"""A framework's own vocabulary: imported with it, kept with its version, read by the engine."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from mappings.assessment.suggestions import build_engine, framework_key
from mappings.engine.analyse import terms
from portfolio.models import Framework

DATA = Path(__file__).resolve().parents[1] / "mappings" / "data"


def _framework(session, code: str) -> Framework | None:
    session.expire_all()
    return session.exec(select(Framework).where(Framework.code == code)).first()


def test_the_sample_comes_with_its_vocabulary_and_the_engine_reads_it(session, sample_framework):
    assert "prompting_fading" in sample_framework.extra["vocabulary"]
    engine = build_engine(session, [sample_framework.id])
    assert "#prompting_fading" in terms("I was fading my prompts", engine._tagger)


def test_import_with_a_vocabulary_keeps_it_and_a_new_one_replaces_it(cli, session, tmp_path):
    table = tmp_path / "words.txt"
    table.write_text("# ours\ndelegation: hand over; handed over\n_domain: my team\n")
    r = cli(
        "framework", "import", str(DATA / "management-leadership.csv"), "--vocabulary", str(table)
    )
    assert r.exit_code == 0, r.output
    fw = _framework(session, "MLNOS")
    assert fw is not None and fw.extra["vocabulary"].startswith("# ours")
    engine = build_engine(session, [fw.id])
    assert "#delegation" in terms("I handed over the rota to Sam", engine._tagger)
    # the same file again without one changes nothing; with another, only the vocabulary changes
    r = cli("framework", "import", str(DATA / "management-leadership.csv"))
    assert r.exit_code == 0 and "nothing changed" in r.output, r.output
    key = framework_key(session, [fw.id])
    table.write_text("coaching: coached\n")
    r = cli(
        "framework", "import", str(DATA / "management-leadership.csv"), "--vocabulary", str(table)
    )
    assert r.exit_code == 0 and "vocabulary for suggestions was replaced" in r.output, r.output
    again = _framework(session, "MLNOS")
    assert again is not None and again.id == fw.id and again.content_hash == fw.content_hash
    assert again.extra["vocabulary"] == "coaching: coached\n"
    # engines and stored suggestions made with the old table are for another key: made again
    assert framework_key(session, [fw.id]) != key
    assert framework_key(session, [fw.id])[0][1].startswith(fw.content_hash + "+")
    assert "#coaching" in terms("I coached Sam", build_engine(session, [fw.id])._tagger)


def test_a_bad_vocabulary_is_refused_with_its_line_and_nothing_is_imported(cli, session, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("fine: a; b\nthis line has no colon\n")
    r = cli(
        "framework", "import", str(DATA / "management-leadership.csv"), "--vocabulary", str(bad)
    )
    assert r.exit_code != 0 and "line 2" in r.output and "bad.txt" in r.output
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing but a comment\n")
    r = cli(
        "framework", "import", str(DATA / "management-leadership.csv"), "--vocabulary", str(empty)
    )
    assert r.exit_code != 0 and "no concepts" in r.output
    assert _framework(session, "MLNOS") is None


def test_the_json_export_carries_the_vocabulary_and_the_csv_does_not(cli, tmp_path, session):
    from framework.export_json import framework_from_json

    out = tmp_path / "se.json"
    r = cli("framework", "export", "SE", "--format", "json", "-o", str(out))
    assert r.exit_code == 0, r.output
    spec = framework_from_json(out.read_bytes(), "se.json")
    assert "prompting_fading" in spec.vocabulary
    r = cli("framework", "export", "SE", "--format", "csv", "-o", str(tmp_path / "se.csv"))
    assert "prompting_fading" not in (tmp_path / "se.csv").read_text()
