"""Frameworks as centres have them, through the CLI, the service and the upload page: several NOS
.docx as one version, --add (refused when a standard would change), the CASE 1.1 export and its
round trip with the real packages, the NOS catalogue named for what it is."""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from framework.parse.combine import parse_files
from portfolio.models import AuditEntry, Criterion, Framework, Standard
from portfolio.services.framework_add import add_standards
from portfolio.services.people import SYSTEM
from tests.nos_files import SFJ_AA1, SFJ_AA2, SFJ_AA3, nos_docx

DATA = Path(__file__).resolve().parents[1] / "data" / "shared" / "external"


def _counts(session: Session) -> tuple[int, int, int, int]:
    return tuple(  # type: ignore[return-value]
        session.exec(select(func.count()).select_from(m)).one()
        for m in (Framework, Standard, Criterion, AuditEntry)
    )


def _write(tmp_path: Path, *nos) -> list[str]:
    paths = []
    for n in nos:
        path = tmp_path / f"{n.urn}.docx"
        path.write_bytes(nos_docx(n))
        paths.append(str(path))
    return paths


def _criteria(session: Session, code: str) -> dict[str, list[tuple[int, str]]]:
    fw = session.exec(select(Framework).where(Framework.code == code)).one()
    rows = session.exec(
        select(Standard.code, Criterion.id, Criterion.code)
        .join(Criterion, Criterion.standard_id == Standard.id)
        .where(Standard.framework_id == fw.id)
    ).all()
    out: dict[str, list[tuple[int, str]]] = {}
    for std, cid, ccode in rows:
        out.setdefault(std, []).append((cid, ccode))
    return out


def test_cli_imports_several_docx_as_one_version_then_adds_one(cli, tmp_path, session) -> None:
    r = cli("framework", "import", *_write(tmp_path, SFJ_AA1, SFJ_AA2))
    assert r.exit_code == 0, r.output
    assert "Imported SFJCJAA version 3: 2 standards, 18 criteria." in r.output
    before = _criteria(session, "SFJCJAA")
    assert sorted(before) == ["SFJCJAA1", "SFJCJAA2"]
    # a third standard: without --add it would be another framework's content, so refused
    third = _write(tmp_path, SFJ_AA3)
    r = cli("framework", "import", *third)
    assert r.exit_code == 1 and "--add" in r.output
    r = cli("framework", "import", *third, "--add", "--dry-run")
    assert r.exit_code == 0 and "this would add 1 standard, 5 criteria" in r.output
    assert sorted(_criteria(session, "SFJCJAA")) == ["SFJCJAA1", "SFJCJAA2"]
    r = cli("framework", "import", *_write(tmp_path, SFJ_AA1, SFJ_AA3), "--add")
    assert r.exit_code == 0, r.output
    assert "Added 1 standard, 5 criteria to SFJCJAA version 3." in r.output
    after = _criteria(session, "SFJCJAA")
    assert sorted(after) == ["SFJCJAA1", "SFJCJAA2", "SFJCJAA3"]
    # what was loaded keeps its rows (and so everything recorded against them)
    assert {k: after[k] for k in before} == before
    fw = session.exec(select(Framework).where(Framework.code == "SFJCJAA")).one()
    positions = session.exec(
        select(Standard.code, Standard.position).where(Standard.framework_id == fw.id)
    ).all()
    assert sorted(positions, key=lambda p: p[1]) == [
        ("SFJCJAA1", 1),
        ("SFJCJAA2", 2),
        ("SFJCJAA3", 3),
    ]
    # the hash follows the content: all three files together are now "unchanged"
    r = cli("framework", "import", *_write(tmp_path, SFJ_AA1, SFJ_AA2, SFJ_AA3))
    assert "nothing changed" in r.output
    r = cli("framework", "import", *third, "--add")
    assert "already has these standards, unchanged; nothing added" in r.output


def test_add_that_would_change_a_standard_is_refused_and_writes_nothing(
    cli, tmp_path, session
) -> None:
    cli("framework", "import", *_write(tmp_path, SFJ_AA1))
    before = _counts(session)
    changed = copy.deepcopy(SFJ_AA1)
    changed.performance[1] = "check the information is accurate, complete and current"
    r = cli("framework", "import", *_write(tmp_path, changed, SFJ_AA2), "--add")
    assert r.exit_code == 1
    assert "Nothing added to SFJCJAA version 3: a standard it already has would change" in r.output
    assert "~ SFJCJAA1 P2:" in r.output and "accurate, complete and current" in r.output
    assert _counts(session) == before


def test_add_is_for_administrators_and_needs_a_loaded_framework(session, make_person) -> None:
    from portfolio.errors import NotFound, PermissionDenied
    from tests.conftest import actor_of

    spec = parse_files([("a.docx", nos_docx(SFJ_AA1))])
    with pytest.raises(NotFound, match="SFJCJAA"):
        add_standards(session, actor=SYSTEM, spec=spec)
    with pytest.raises(PermissionDenied):
        add_standards(session, actor=actor_of(make_person("assessor")), spec=spec)


def test_cli_bad_inputs_name_the_file_and_write_nothing(cli, tmp_path, session) -> None:
    before = _counts(session)
    catalogue = DATA / "nos" / "PublishedNos Details.xlsx"
    r = cli("framework", "import", str(catalogue))
    assert r.exit_code != 0
    assert "NOS catalogue" in r.output and "not a .docx" not in r.output
    dup = _write(tmp_path, SFJ_AA1)
    r = cli("framework", "import", dup[0], dup[0])
    assert r.exit_code != 0 and "also in SFJCJAA1.docx" in r.output
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    r = cli("framework", "import", dup[0], str(broken))
    assert r.exit_code != 0 and "broken.docx" in r.output
    r = cli("framework", "import", dup[0], "--add", "--new-version")
    assert r.exit_code != 0 and "do not go together" in r.output
    assert _counts(session) == before


@pytest.mark.parametrize("name", ["SmartLevelFramework.json", "opensalt-framework"])
def test_cli_case_round_trip_keeps_the_identifiers(cli, tmp_path, name) -> None:
    source = next((DATA / "case" / "packages").glob(f"{name}*"))
    original = json.loads(source.read_text("utf-8"))
    r = cli("framework", "import", str(source))
    assert r.exit_code == 0, r.output
    code = re.search(r"Imported (\S+) version", r.output).group(1)
    out = tmp_path / "out.json"
    r = cli("framework", "export", code, "--format", "case", "-o", str(out))
    assert r.exit_code == 0, r.output
    package = json.loads(out.read_text("utf-8"))
    assert package["CFDocument"]["identifier"] == original["CFDocument"]["identifier"]
    assert {i["identifier"]: i["uri"] for i in package["CFItems"]} == {
        i["identifier"]: i["uri"] for i in original["CFItems"]
    }
    assert {a["identifier"] for a in package["CFAssociations"]} == {
        a["identifier"] for a in original["CFAssociations"]
    }
    # the export is the same each time; read back, only the CASE version (now 1.1) differs
    again = tmp_path / "again.json"
    cli("framework", "export", code, "--format", "case", "-o", str(again))
    assert again.read_bytes() == out.read_bytes()
    back = cli("framework", "import", str(out), "--dry-run").output
    assert "(only ordering or metadata differs)" in back


def test_cli_case_export_of_a_nos_framework_is_stable(cli, tmp_path) -> None:
    outs = []
    for n in range(2):
        out = tmp_path / f"se{n}.json"
        r = cli("framework", "export", "SE", "--format", "case", "-o", str(out))
        assert r.exit_code == 0, r.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    package = json.loads(outs[0])
    assert len(package["CFItems"]) == 8 + 188
    r = cli("framework", "export", "SE04", "--format", "case", "-o", str(tmp_path / "x.json"))
    assert r.exit_code != 0 and "whole framework" in r.output


# ---------------------------------------------------------------- upload page


def _upload(client, files: list[tuple[bytes, str]], **fields):
    form = {"file": [(io.BytesIO(d), n) for d, n in files], "fmt": "auto", **fields}
    return client.post("/frameworks/upload", data=form, content_type="multipart/form-data")


def _token(page: str) -> str:
    match = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', page)
    assert match, page
    return match.group(1)


def test_upload_page_takes_several_docx_then_adds_one(client, auth, session) -> None:
    auth.login("admin")
    files = [(nos_docx(n), f"{n.urn}.docx") for n in (SFJ_AA1, SFJ_AA2)]
    page = _upload(client, files).get_data(as_text=True)
    assert (
        "A check only, nothing saved yet: this would import SFJCJAA version 3: 2 standards, 18 criteria."
        in page
    )
    assert "SFJCJAA1.docx, SFJCJAA2.docx" in page
    done = client.post("/frameworks/upload/confirm", data={"token": _token(page)})
    assert done.status_code == 302
    assert sorted(_criteria(session, "SFJCJAA")) == ["SFJCJAA1", "SFJCJAA2"]
    page = _upload(client, [(nos_docx(SFJ_AA3), "c.docx")], add="y").get_data(as_text=True)
    assert (
        "A check only, nothing saved yet: this would add 1 standard, 5 criteria to SFJCJAA version 3."
        in page
    )
    done = client.post("/frameworks/upload/confirm", data={"token": _token(page)})
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Added 1 standard, 5 criteria to SFJCJAA version 3." in shown
    assert sorted(_criteria(session, "SFJCJAA")) == ["SFJCJAA1", "SFJCJAA2", "SFJCJAA3"]
    changed = copy.deepcopy(SFJ_AA3)
    changed.knowledge.append("how to close an intervention")
    page = _upload(client, [(nos_docx(changed), "c2.docx")], add="y").get_data(as_text=True)
    assert "a standard it already has would change" in page
    assert "+ SFJCJAA3 K3 added" in page and 'name="token"' not in page


def test_upload_page_names_the_nos_catalogue(client, auth, session) -> None:
    auth.login("admin")
    before = _counts(session)
    data = (DATA / "nos" / "PublishedNos Details.xlsx").read_bytes()
    response = _upload(client, [(data, "PublishedNos Details.xlsx")])
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "NOS catalogue" in page and "no performance criteria" in page
    assert "not a .docx" not in page and "Nothing was imported" in page
    assert _counts(session) == before


def test_framework_page_offers_the_case_download(client, auth, sample_framework) -> None:
    auth.login("learner")
    page = client.get(f"/frameworks/{sample_framework.id}").get_data(as_text=True)
    href = f"/frameworks/{sample_framework.id}/download/case"
    assert href in page and "CASE 1.1" in page
    response = client.get(href)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].endswith('.case.json"')
    package = json.loads(response.get_data())
    assert package["CFDocument"]["caseVersion"] == "1.1"
    assert package["CFDocument"]["title"] == sample_framework.title
    standard = client.get(f"/frameworks/{sample_framework.id}/standards/SE04")
    assert "/download/case" not in standard.get_data(as_text=True)
    assert (
        client.get(f"/frameworks/{sample_framework.id}/standards/SE04/download/case").status_code
        == 404
    )


def test_a_case_framework_loaded_before_ids_were_kept_gets_them_on_reimport(session) -> None:
    from framework.parse import parse
    from portfolio.services.frameworks import import_framework

    data = (DATA / "case" / "packages" / "SmartLevelFramework.json").read_bytes()
    old = parse(data, "smart.json")
    old.case = {}  # as an earlier release loaded it
    first = import_framework(session, actor=SYSTEM, spec=old)
    assert first.status == "created"
    again = import_framework(session, actor=SYSTEM, spec=parse(data, "smart.json"))
    assert again.status == "case_ids" and "CASE identifiers were recorded" in again.message
    fw = session.get(Framework, first.framework_id)
    assert (
        fw.extra["case"]["document"]["identifier"] == json.loads(data)["CFDocument"]["identifier"]
    )
    # the same content is still one framework; later copies never replace the identifiers
    other = parse(data, "smart.json")
    other.case = {**other.case, "document": {**other.case["document"], "identifier": "x"}}
    assert import_framework(session, actor=SYSTEM, spec=other).status == "unchanged"
    assert fw.extra["case"]["document"]["identifier"] != "x"


def test_upload_form_takes_several_files_and_refuses_add_with_new_version(
    client, auth, session
) -> None:
    auth.login("admin")
    form = client.get("/frameworks/upload").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="file"[^>]*multiple', form), form
    assert "Add these standards" in form
    before = _counts(session)
    response = _upload(client, [(nos_docx(SFJ_AA1), "a.docx")], add="y", new_version="y")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "not both" in page
    assert _counts(session) == before


def test_upload_page_does_not_call_the_nos_catalogue_a_word_document(client, auth) -> None:
    # found by a new centre uploading the catalogue: the refusal began "could not be read as NOS
    # as Word (.docx) (detected from the file)" and ended "import those.. If it is ..."
    auth.login("admin")
    data = (DATA / "nos" / "PublishedNos Details.xlsx").read_bytes()
    page = _upload(client, [(data, "PublishedNos Details.xlsx")]).get_data(as_text=True)
    said = _refusal(page)
    assert "NOS catalogue" in said and "Word (.docx)" not in said
    assert said.rstrip().endswith("and import those.")


def test_a_cut_short_spreadsheet_is_called_a_spreadsheet(
    cli, client, auth, session, tmp_path
) -> None:
    # the first 100 kB of the catalogue (a download cut short) was refused as "not a .docx file
    # (not a zip: File is not a zip file)", read as a Word document the centre never chose
    cut = (DATA / "nos" / "PublishedNos Details.xlsx").read_bytes()[:100_000]
    auth.login("admin")
    before = _counts(session)
    page = _upload(client, [(cut, "PublishedNos Details.xlsx")]).get_data(as_text=True)
    assert "an .xlsx spreadsheet that cannot be read" in page and "cut short" in page
    assert ".docx" not in _refusal(page)
    path = tmp_path / "cut.xlsx"
    path.write_bytes(cut)
    r = cli("framework", "import", str(path))
    assert r.exit_code != 0 and "an .xlsx spreadsheet that cannot be read" in r.output
    assert "not a .docx" not in r.output
    assert _counts(session) == before


def _refusal(page: str) -> str:
    """The words of the upload page's refusal of a file."""
    match = re.search(r"The file could not be read[^<]*", page)
    assert match, page
    return match.group(0)
