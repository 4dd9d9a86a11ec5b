"""Framework pages: browsing for every role, search, downloads, and the admin upload flow."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from demo.accounts import sample_framework_text
from framework.parse import parse
from framework.parse.case import parse_case
from portfolio.models import AuditEntry, Criterion, Framework
from portfolio.services.frameworks import import_framework
from tests.conftest import actor_of

CSV_HEADER = "framework_code,framework_title,standard_code,standard_title,kind,criterion_code,"
CSV = (
    CSV_HEADER + "criterion_text\n"
    "TWEB,Web test units,TW01,Plan support,P,P1,Agree a support plan with the job seeker\n"
    "TWEB,,TW01,,P,P2,Carry out a task analysis of the job\n"
    "TWEB,,TW01,,K,K1,How to review a support plan\n"
    "TWEB,,TW02,Review support,performance,P1,Review progress with the employer\n"
)


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def _pending(app) -> list[Path]:
    folder = Path(app.instance_path) / "framework-uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def _upload(client, data: bytes, filename: str, **fields):
    form = {"file": (io.BytesIO(data), filename), "fmt": "auto", **fields}
    return client.post("/frameworks/upload", data=form, content_type="multipart/form-data")


def _deep_case(depth: int) -> bytes:
    """A CASE package whose items hang from each other in one chain ``depth`` long."""
    node = {"identifier": "doc", "uri": "u:doc", "title": "Deep"}
    items = [
        {"identifier": f"i{n}", "uri": f"u:i{n}", "fullStatement": f"I{n}"} for n in range(depth)
    ]
    links = [
        {
            "identifier": f"a{n}",
            "associationType": "isChildOf",
            "originNodeURI": {"identifier": f"i{n}"},
            "destinationNodeURI": {"identifier": f"i{n - 1}" if n else "doc"},
        }
        for n in range(depth)
    ]
    return json.dumps({"CFDocument": node, "CFItems": items, "CFAssociations": links}).encode()


def _json_without_text() -> bytes:
    criterion = {"kind": "performance", "code": "P1", "position": 1}
    standard = {"code": "S1", "title": "S", "criteria": [criterion]}
    document = {"format": "competence-framework", "format_version": 1, "code": "OURS"}
    return json.dumps(document | {"title": "Ours", "standards": [standard]}).encode()


def _token(page: str) -> str:
    match = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', page)
    assert match, page
    return match.group(1)


@pytest.mark.parametrize("role", ["learner", "assessor", "iqa", "admin"])
def test_every_role_browses_frameworks(client, auth, sample_framework, role) -> None:
    auth.login(role)
    fid = sample_framework.id
    index = client.get("/frameworks").get_data(as_text=True)
    assert f'href="/frameworks/{fid}"' in index and "Supported Employment" in index
    assert ("Upload a framework" in index) == (role == "admin")
    show = client.get(f"/frameworks/{fid}").get_data(as_text=True)
    assert f'href="/frameworks/{fid}/standards/SE04"' in show
    assert "Functional process" in show and "Glossary" in show and "Values" in show
    std = client.get(f"/frameworks/{fid}/standards/SE07")
    assert std.status_code == 200
    page = std.get_data(as_text=True)
    assert "Performance criteria" in page and "Knowledge and understanding" in page
    assert "task analysis" in page and "Metadata" in page
    assert client.get(f"/frameworks/{fid}/standards/NOPE").status_code == 404
    assert client.get("/frameworks/999999").status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, sample_framework) -> None:
    fid = sample_framework.id
    for url in (
        "/frameworks",
        f"/frameworks/{fid}",
        f"/frameworks/{fid}/standards/SE01",
        "/frameworks/search?q=task",
        f"/frameworks/{fid}/download/json",
        "/frameworks/upload",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    response = client.post("/frameworks/upload/confirm", data={"token": "0" * 32})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["learner", "assessor", "iqa"])
def test_upload_is_for_admins_only(client, auth, session, role) -> None:
    auth.login(role)
    before = _count(session, Framework)
    assert client.get("/frameworks/upload").status_code == 403
    assert _upload(client, CSV.encode(), "units.csv").status_code == 403
    confirm = client.post("/frameworks/upload/confirm", data={"token": "0" * 32, "confirm": "1"})
    assert confirm.status_code == 403
    assert _count(session, Framework) == before


def test_search_finds_task_analysis_case_insensitively(client, auth, sample_framework) -> None:
    auth.login("learner")
    for query in ("task analysis", "TASK Analysis"):
        page = client.get("/frameworks/search", query_string={"q": query}).get_data(as_text=True)
        assert "SE07" in page and "conduct a task analysis" in page
        assert '<th scope="row">P3</th>' in page


def test_search_is_limited_and_escapes_wildcards(client, auth, sample_framework) -> None:
    auth.login("assessor")
    page = client.get("/frameworks/search?q=the").get_data(as_text=True)
    assert page.count('<th scope="row">') == 100 and "refine the search" in page
    assert "No criteria contain" in client.get("/frameworks/search?q=%25_%25").get_data(
        as_text=True
    )
    assert "criteria contain" not in client.get("/frameworks/search?q=").get_data(as_text=True)


@pytest.mark.parametrize(
    "url,fmt,kind",
    [
        ("/frameworks/{fid}/download/json", "json", "application/json"),
        ("/frameworks/{fid}/download/csv", "csv", "text/csv"),
        ("/frameworks/{fid}/standards/SE04/download/docx", "docx", "wordprocessingml"),
    ],
)
def test_downloads_are_attachments(client, auth, sample_framework, url, fmt, kind) -> None:
    auth.login("iqa")
    response = client.get(url.format(fid=sample_framework.id))
    assert response.status_code == 200
    assert kind in response.headers["Content-Type"]
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Disposition"].endswith(f'.{fmt}"')
    assert len(response.data) > 100
    assert client.get(f"/frameworks/{sample_framework.id}/download/exe").status_code == 404


def test_standard_download_is_of_its_own_framework(
    client, auth, session, sample_framework, make_person
) -> None:
    """Two frameworks may both have an SE04 at version 1: each page downloads its own."""

    csv = (
        CSV_HEADER + "criterion_text\n"
        "OTHER,Another suite,SE04,Other standard,P,P1,Only in the other suite\n"
    ).encode()
    spec = parse(csv, "other.csv")
    spec.version = sample_framework.version
    other = import_framework(session, actor=actor_of(make_person("admin")), spec=spec)
    session.commit()
    other_id = session.exec(select(Framework.id).where(Framework.code == "OTHER")).one()
    assert other.status == "created"
    auth.login("learner")
    mine = client.get(f"/frameworks/{sample_framework.id}/standards/SE04/download/csv")
    theirs = client.get(f"/frameworks/{other_id}/standards/SE04/download/csv")
    assert "Only in the other suite" not in mine.get_data(as_text=True)
    assert "Only in the other suite" in theirs.get_data(as_text=True)
    assert client.get(f"/frameworks/{other_id}/standards/SE01/download/csv").status_code == 404


@pytest.mark.parametrize(
    "data,filename,fragment",
    [
        (b"", "empty.txt", "empty.txt"),
        (b"just some words\nno framework here\n", "notes.txt", "unrecognised framework format"),
        (b'{"CFDocument": 1', "broken.json", "broken.json"),
        (CSV_HEADER.encode() + b"\nX,Y,Z,W,nonsense,P1,text\n", "bad.csv", "line"),
        (_deep_case(100), "deep.json", "levels deep"),
        (_json_without_text(), "ours.json", "a criterion needs its text"),
        # a centre's CSV: a version that is no version number, a quote never closed, a cell
        # beyond the header's columns; each was read without a word (or said misleadingly)
        (
            b"version," + CSV_HEADER.encode() + b"criterion_text\n-1,X,Y,Z,W,P,P1,text\n",
            "version.csv",
            "line 2: version “-1” is not a version number",
        ),
        (
            CSV_HEADER.encode() + b'criterion_text\nX,Y,"Z,W,P,P1,text\nX,Y,Z,W,P,P2,t\n',
            "quote.csv",
            "line 2: a quote (&#34;) opened on line 2 is never closed",
        ),
        (
            CSV_HEADER.encode() + b"criterion_text\nX,Y,Z,W,P,P1,text,more\n",
            "extra.csv",
            "line 2: this row has 8 cells but the header names 7 columns",
        ),
    ],
)
def test_broken_upload_shows_the_error_and_writes_nothing(
    client, auth, session, app, data, filename, fragment
) -> None:
    auth.login("admin")
    before = (_count(session, Framework), _count(session, Criterion), _count(session, AuditEntry))
    response = _upload(client, data, filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "could not be read" in page and fragment in page and "Nothing was imported" in page
    assert (
        _count(session, Framework),
        _count(session, Criterion),
        _count(session, AuditEntry),
    ) == before
    assert _pending(app) == []


def _csv_with(*, title="Web test units", standard="TW03", criterion="P1") -> bytes:
    row = f"TWEB,{title},{standard},Extra standard,P,{criterion},Do the extra thing\n"
    return (CSV_HEADER + "criterion_text\n" + row).encode()


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (_csv_with(title="T" * 600), "at most 500 characters"),
        (_csv_with(standard="S" * 70), "at most 64 characters"),
        (_csv_with(criterion="C" * 40), "at most 32 characters"),
    ],
)
@pytest.mark.parametrize("add", [False, True])
def test_a_value_too_long_to_store_is_refused_by_the_preview(
    client, auth, session, app, data, said, add
) -> None:
    """The preview says what the import would refuse (it never offers to import a file that
    cannot be stored), beside the file; adding standards checks their criteria as well."""
    auth.login("admin")
    if add:
        import_framework(
            session,
            actor=actor_of(auth.make_person("admin")),
            spec=parse(CSV.encode(), "units.csv"),
        )
        session.commit()
        if "500" in said:
            return  # adding standards keeps the loaded framework's title
    before = (_count(session, Framework), _count(session, Criterion), _count(session, AuditEntry))
    response = _upload(client, data, "long.csv", **({"add": "y"} if add else {}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page
    error = re.search(r'id="file-error">(.*?)</p>', page, re.S)
    assert error and "too long" in error.group(1) and said in error.group(1), page
    assert "Nothing was imported" in page and 'name="token"' not in page
    assert _pending(app) == []
    after = (_count(session, Framework), _count(session, Criterion), _count(session, AuditEntry))
    assert after == before


def test_a_csv_whose_cells_are_separated_by_semicolons_previews_as_with_commas(
    client, auth
) -> None:
    """Excel set to French or German saves "CSV" with semicolons: it said the file had none of
    the columns."""
    auth.login("admin")
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(csv.reader(io.StringIO(CSV)))
    preview = _upload(client, out.getvalue().encode(), "units.csv")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page
    assert "this would import TWEB version 1: 2 standards, 4 criteria." in page


def test_preview_then_confirm_imports(client, auth, session, app) -> None:
    auth.login("admin")
    preview = _upload(client, CSV.encode(), "units.csv")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert (
        "A check only, nothing saved yet: this would import TWEB version 1: 2 standards, 4 criteria."
        in page
    )
    assert "Dry run" not in page
    assert "Plan support" in page and "Review support" in page
    assert session.exec(select(Framework).where(Framework.code == "TWEB")).first() is None
    token = _token(page)
    assert {p.name for p in _pending(app)} == {f"{token}.bin", f"{token}.json"}
    done = client.post("/frameworks/upload/confirm", data={"token": token, "confirm": "Import"})
    assert done.status_code == 302
    fw = session.exec(select(Framework).where(Framework.code == "TWEB")).one()
    assert done.headers["Location"] == f"/frameworks/{fw.id}"
    assert _pending(app) == []
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Imported TWEB version 1: 2 standards, 4 criteria." in shown
    entry = session.exec(select(AuditEntry).where(AuditEntry.subject_id == fw.id)).all()
    assert any(e.action == "framework.import" for e in entry)
    # the token is spent
    again = client.post("/frameworks/upload/confirm", data={"token": token, "confirm": "Import"})
    assert again.status_code == 302 and again.headers["Location"] == "/frameworks/upload"
    # the same content again is unchanged, and nothing is offered to confirm
    same = _upload(client, CSV.encode(), "units-again.csv").get_data(as_text=True)
    assert "already loaded with identical content; nothing changed" in same
    assert 'name="token"' not in same and _pending(app) == []


def test_reupload_of_the_sample_says_unchanged(client, auth, sample_framework, app) -> None:
    auth.login("admin")
    page = _upload(client, sample_framework_text().encode(), "se.txt").get_data(as_text=True)
    assert "SE version 1 is already loaded with identical content; nothing changed." in page
    assert 'name="token"' not in page


def test_changed_content_needs_a_new_version_and_shows_the_diff(
    client, auth, session, sample_framework, app
) -> None:
    auth.login("admin")
    changed = sample_framework_text().replace(
        "conduct a task analysis", "carry out a careful task analysis"
    )
    refused = _upload(client, changed.encode(), "se.txt").get_data(as_text=True)
    assert "different content" in refused and "SE07 P3" in refused
    # the page's own tick boxes, not the command line's options
    assert "tick “Import changed content as a new version”" in refused
    assert "--new-version" not in refused and "--add" not in refused
    assert 'name="token"' not in refused
    preview = _upload(client, changed.encode(), "se.txt", new_version="y").get_data(as_text=True)
    assert "as a new version" in preview and "SE07 P3" in preview
    done = client.post("/frameworks/upload/confirm", data={"token": _token(preview)})
    assert done.status_code == 302
    versions = session.exec(select(Framework.version).where(Framework.code == "SE")).all()
    assert sorted(versions) == ["1", "2"]


def test_cancel_and_forged_tokens_import_nothing(client, auth, session, app) -> None:
    auth.login("admin")
    before = _count(session, Framework)
    token = _token(_upload(client, CSV.encode(), "units.csv").get_data(as_text=True))
    for forged in ("../../etc/passwd", "A" * 32, "0" * 32):
        r = client.post("/frameworks/upload/confirm", data={"token": forged, "confirm": "Import"})
        assert r.status_code == 302 and r.headers["Location"] == "/frameworks/upload"
    cancel = client.post("/frameworks/upload/confirm", data={"token": token, "cancel": "Cancel"})
    assert cancel.status_code == 302
    assert _pending(app) == [] and _count(session, Framework) == before


def test_another_admin_cannot_confirm_my_upload(client, auth, session, app, make_person) -> None:
    auth.login("admin")
    token = _token(_upload(client, CSV.encode(), "units.csv").get_data(as_text=True))
    auth.logout()
    auth.login("admin")
    before = _count(session, Framework)
    r = client.post("/frameworks/upload/confirm", data={"token": token, "confirm": "Import"})
    assert r.headers["Location"] == "/frameworks/upload"
    assert _count(session, Framework) == before


def test_upload_form_refuses_a_post_without_csrf_token(engine, connection, tmp_path, make_person):
    from delivery.web.app import create_app
    from tests.conftest import PASSWORD, _session_on

    app = create_app(
        {
            "ENGINE": engine,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    app.extensions["portfolio"].session_factory = lambda: _session_on(connection)
    client = app.test_client()
    admin = make_person("admin")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text)
    assert token
    client.post("/login", data={"email": admin.email, "password": PASSWORD,
                                "csrf_token": token.group(1)})  # fmt: skip
    assert _upload(client, CSV.encode(), "units.csv").status_code == 400
    assert client.post("/frameworks/upload/confirm", data={"token": "0" * 32}).status_code == 400


def test_the_previewed_standards_stack_on_a_phone(client, auth) -> None:
    """The preview's table of standards is stacked at 375 px like the framework page's, each cell
    led by its column's name: five columns side by side made the page 574 px wide."""
    auth.login("admin")
    page = _upload(client, CSV.encode(), "units.csv").get_data(as_text=True)
    table = page.split("Standards in the uploaded file")[0].rsplit("<table", 1)[1]
    assert table.startswith(' class="stack"')
    body = page.split("Standards in the uploaded file")[1].split("</table>")[0]
    for label in ("Title", "Performance", "Knowledge", "Assessment"):
        assert f'<td data-label="{label}">' in body, label


def test_the_search_box_does_not_suggest_the_samples_words(client, auth) -> None:
    """The search box suggested "task analysis", a supported-employment term that finds nothing in
    a centre's management standards."""
    auth.login("learner")
    for url in ("/frameworks", "/frameworks/search?q=zzzz"):
        page = client.get(url).get_data(as_text=True)
        assert "task analysis" not in page, url
        assert 'placeholder="words from a criterion"' in page, url


def test_a_lenient_case_preview_groups_its_warnings(client, auth) -> None:
    """A real OpenSALT package gave 59 warning lines of JSON pointers, timestamps and Python
    values; the preview groups them by kind, each said in words."""
    auth.login("admin")
    folder = Path(__file__).parents[1] / "data/shared/external/case/packages"
    path = next(folder.glob("opensalt-framework-*.json"))
    page = _upload(client, path.read_bytes(), path.name).get_data(as_text=True)
    warnings = page.split('<ul class="warnings">')[1].split("</ul>")[0]
    assert warnings.count("<li>") == 5
    assert "“lastChangeDateTime” in CFItems[…] is not a date and time (in 16 places)" in warnings
    assert "2017-05-25" not in warnings and "None" not in warnings and "&#39;" not in warnings


def test_a_case_frameworks_facts_are_in_words(client, auth, session) -> None:
    """The facts of an imported OpenSALT package are in words on its page: "Other
    associations: exactMatchOf: 16, isRelatedTo: 2" and "Case version" were CASE's field names."""
    folder = Path(__file__).parents[1] / "data/shared/external/case/packages"
    path = next(folder.glob("opensalt-framework-*.json"))
    admin = auth.login("admin")
    spec = parse_case(path.read_bytes(), source=path.name)
    framework_id = import_framework(session, actor=actor_of(admin), spec=spec).framework_id
    session.commit()
    page = client.get(f"/frameworks/{framework_id}").get_data(as_text=True)
    facts = page.split("About this framework")[1]
    assert "CASE version" in facts and "Last changed" in facts
    assert "exact match of: 16" in facts and "related to: 2" in facts
    for code in ("exactMatchOf", "isRelatedTo", "date time", "Case version", "Other associations"):
        assert code not in facts, code


def test_a_case_frameworks_identifier_is_only_in_a_detail_for_other_systems(
    client, auth, session
) -> None:
    """The CASE package's UUID was a fact of the page, "Identifier: 9f0c...": it is kept only in
    a collapsed detail for other systems, said in words."""
    folder = Path(__file__).parents[1] / "data/shared/external/case/packages"
    path = next(folder.glob("opensalt-framework-*.json"))
    admin = auth.login("admin")
    spec = parse_case(path.read_bytes(), source=path.name)
    uuid = spec.metadata["identifier"]
    framework_id = import_framework(session, actor=actor_of(admin), spec=spec).framework_id
    session.commit()
    page = client.get(f"/frameworks/{framework_id}").get_data(as_text=True)
    facts = page.split("About this framework")[1].split("</dl>")[0]
    assert uuid not in facts and "Identifier" not in facts
    detail = page.split('<details class="other-systems">')[1].split("</details>")[0]
    assert "<summary>For other systems</summary>" in detail and "open" not in detail.split(">")[0]
    assert f"<code>{uuid}</code>" in detail and "CASE identifier" in detail
    heading = page.split("<h1>")[1].split("</p>")[0]
    assert uuid not in heading and "://" not in heading  # its URI, ending in the UUID
    assert page.count(uuid) == 2 and f"<code>{spec.urn}</code>" in detail


def test_an_error_message_is_an_alert(client, auth, sample_framework) -> None:
    """An error flash is said at once (role=alert, WCAG 4.1.3), not left in the status region
    with the messages that wait their turn."""
    auth.login("admin")
    spent = client.post("/frameworks/upload/confirm", data={"token": "0" * 32, "confirm": "Import"})
    page = client.get(spent.headers["Location"]).get_data(as_text=True)
    alert = re.search(r'<div role="alert">(.*?)</div>', page, re.S)
    assert alert and "That upload has expired" in alert.group(1)
    status = re.search(r'<div role="status">(.*?)</div>', page, re.S)
    assert status is None or "That upload has expired" not in status.group(1)


def test_a_file_read_as_the_wrong_format_says_what_it_was_read_as_and_what_to_do(
    client, auth
) -> None:
    # an Open Badge (JSON, but not a framework) was read as NOS database JSON: the refusal said
    # only "/URN: record without a URN", leaving the administrator to guess what went wrong
    auth.login("admin")
    badge = b'{"@context": ["https://www.w3.org/2018/credentials/v1"], "type": ["Credential"]}'
    page = _upload(client, badge, "badge.json").get_data(as_text=True)
    assert "read as NOS database JSON (detected from the file)" in page
    assert "choose its format under “Format”" in page
    chosen = _upload(client, badge, "badge.json", fmt="case").get_data(as_text=True)
    assert "read as 1EdTech CASE package (JSON)" in chosen
    assert "detected from the file" not in chosen


def test_an_upload_without_a_file_says_to_choose_one(client, auth) -> None:
    auth.login("admin")
    response = client.post(
        "/frameworks/upload", data={"fmt": "auto"}, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose the framework file, or its files (one Word document per standard)." in page
    assert "Framework files is required" not in page


def test_an_older_version_links_the_newest(client, auth, session) -> None:
    # found loading version 2 while learners were on version 1: version 1's page did not say a
    # newer one was loaded, and version 2's page said nothing of version 1 either
    from portfolio.services.people import SYSTEM

    def spec(version: str, text: str):
        rows = (
            "framework_code,framework_title,version,standard_code,standard_title,kind,"
            f"criterion_code,criterion_text\nVV,Versions,{version},VV01,Do it,performance,P1,{text}\n"
        )
        return parse(rows.encode(), "vv.csv")

    old = import_framework(session, actor=SYSTEM, spec=spec("1", "Plan the work"))
    new = import_framework(session, actor=SYSTEM, spec=spec("2", "Plan and record the work"))
    auth.login("admin")
    page = client.get(f"/frameworks/{old.framework_id}").get_data(as_text=True)
    assert "A newer version is loaded:" in page
    assert f'<a href="/frameworks/{new.framework_id}">VV version 2</a>' in page
    assert "Learners registered on version 1 stay on it" in page
    newest = client.get(f"/frameworks/{new.framework_id}").get_data(as_text=True)
    assert "A newer version is loaded" not in newest
