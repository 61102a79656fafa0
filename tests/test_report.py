"""`ledger report`: the review document in HTML, PDF (printed by a real Chromium), DOCX and
Markdown, in Swedish first, with hostile case text inert in every format."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.conftest import EXAMPLES, LILLA_ENTRIES

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz `dot`")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo")
CASES = {"NK-LH": "lilla-hjartat.jsonl", "AS-2020": "astorp.jsonl"}
# A4 in PostScript points, either way up.
A4 = {(595, 842), (842, 595)}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("report") / "r.db")
    files = [str(EXAMPLES / name) for name in CASES.values()]
    result = CliRunner().invoke(cli, ["--db", path, "import", "-q", *files])
    assert result.exit_code == 0, result.output
    return path


def run(db: str, *args: str, user: str = "granskare A", env: dict | None = None):
    result = CliRunner().invoke(
        cli, ["--db", db, "--user", user, *args], env={"LEDGER_LANG": None, **(env or {})}
    )
    return result


def sources(db: str, case: str) -> list[str]:
    """Every chronology entry's source text, from the ledger's own JSON."""
    import orjson

    result = run(db, "timeline", case, "--format", "json")
    assert result.exit_code == 0, result.output
    entries = orjson.loads(result.stdout_bytes)["entries"]
    return [e["source"] for e in entries if e["source"] and e["type"] != "EntryCorrected"]


def squeeze(text: str) -> str:
    """Text with every run of white space (line and column breaks) as one space, and words
    hyphenated at a line end joined again."""
    return re.sub(r"\s+", " ", re.sub(r"-\n(?=\w)", "", text)).strip()


# ---- the document and its words ----


def test_the_html_report_is_swedish_self_contained_and_names_its_read(db: str, tmp_path) -> None:
    out = tmp_path / "nk.html"
    result = run(db, "--purpose", "lex Sarah 2024:3", "report", "NK-LH", "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    for heading in (
        "Händelseförlopp",
        "Beslut och kännedom vid beslut",
        "Iakttagelser",
        "Tillämpliga bestämmelser vid tidpunkten",
    ):
        assert heading in page
    assert "granskare A" in page and "lex Sarah 2024:3" in page
    # the ledger state it was made from, and the access record this read wrote
    assert f"{LILLA_ENTRIES} poster i ärendet" in page and "trädrot" in page
    log = run(db, "access-log", "NK-LH", "--format", "json")
    assert '"command": "report"' in log.output and "lex Sarah 2024:3" in log.output
    # nothing fetched from anywhere: no external URL in any src/href, no script
    assert not re.search(r'(src|href)="(?!#)', page)
    assert "<script" not in page.lower() and "@import" not in page
    assert page.count("<svg") >= 3  # timeline pages and the decisions diagram, inline


def test_english_on_request(db: str, tmp_path) -> None:
    out = tmp_path / "nk.md"
    assert (
        run(db, "report", "NK-LH", "--format", "md", "--lang", "en", "-o", str(out)).exit_code == 0
    )
    text = out.read_text("utf-8")
    assert "## 1\\. Chronology" in text or "## 1. Chronology" in text
    assert "Decisions and what was known" in text and "Händelseförlopp" not in text


def test_as_known_at_leaves_out_what_was_not_yet_known(db: str, tmp_path) -> None:
    out = tmp_path / "nk.md"
    result = run(
        db, "report", "NK-LH", "--format", "md", "--as-known-at", "2019-12-31", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "känt vid utgången av 2019-12-31" in text
    # the IVO decision of 2020-10-13 is not in a chronology as known at the end of 2019
    assert "IVO found several very serious" not in text
    assert "The child died" not in text


def test_the_decisions_part_shows_who_decided_and_what_was_known(db: str, tmp_path) -> None:
    out = tmp_path / "nk.md"
    assert run(db, "report", "NK-LH", "--format", "md", "-o", str(out)).exit_code == 0
    text = out.read_text("utf-8")
    decisions = text.split("## 2", 1)[1].split("## 3")[0]
    assert "på uppdrag av Socialnämnden" in decisions
    assert "Obesvarade förfrågningar" in decisions
    assert "Fanns på annat håll, blev känt senare" in decisions
    # the BVC request still possibly unanswered at the protection assessments
    assert "#17 (bvc-request)" in decisions and "möjligen besvarad" in decisions
    # only the authority's decisions: the courts' are in the chronology
    assert "Kammarrätten i Jönköping" not in decisions.split("#### ")[0]


def test_findings_by_area_with_the_law_at_the_time_and_judgements(db: str, tmp_path) -> None:
    out = tmp_path / "nk.md"
    assert run(db, "report", "NK-LH", "--format", "md", "-o", str(out)).exit_code == 0
    text = out.read_text("utf-8")
    findings = text.split("Iakttagelser", 1)[1].split("Tillämpliga bestämmelser", 1)[0]
    assert "### Orosanmälningar" in findings and "SoL (2001:453) 11 kap" in findings
    assert "Registrerade bedömningar och vad reglerna säger" in findings
    appendix = text.split("Tillämpliga bestämmelser vid tidpunkten", 1)[1]
    # the case ended in 2021: the old SoL is cited, never its 2025 successor
    assert "SoL (2001:453)" in appendix and "2025:400) 20 kap" not in appendix


def test_a_finding_s_law_and_deadline_read_in_swedish(db: str, tmp_path) -> None:
    """A rule citing no paragraph names its source in the reader's language, and a deadline
    is not said twice ("senast senast vid utgången")."""
    out = tmp_path / "nk.md"
    assert run(db, "report", "NK-LH", "--format", "md", "-o", str(out)).exit_code == 0
    findings = squeeze(out.read_text("utf-8").split("Iakttagelser", 1)[1])
    assert "åtgärdens eget slutdatum, annars lokal riktlinje" in findings
    assert "the measure's own due date" not in findings
    assert "frist: senast vid utgången av" in findings and "senast senast" not in findings


def test_the_judgements_table_says_each_findings_status_in_words(db: str, tmp_path) -> None:
    """'decision-without-basis (no_record)' was a code in a Swedish document."""
    out = tmp_path / "nk.md"
    assert run(db, "report", "NK-LH", "--format", "md", "-o", str(out)).exit_code == 0
    table = out.read_text("utf-8").split("Registrerade bedömningar och vad reglerna säger", 1)[1]
    table = table.split("Tillämpliga bestämmelser", 1)[0]
    assert "ej dokumenterat i granskade handlingar" in table
    for code in ("no_record", "no\\_record", "(breach)", "(warning)", "(undetermined)"):
        assert code not in table, code


def test_lex_sarah_template_has_the_regulations_parts_and_places_to_write(
    db: str, tmp_path
) -> None:
    out = tmp_path / "ls.md"
    result = run(db, "report", "NK-LH", "--template", "lex-sarah", "--format", "md", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    parts = [
        "Vad som hänt och vilka konsekvenser det fått för barnet",
        "När och var det hänt",
        "Hur det uppmärksammats",
        "Orsaker",
        "Tidigare liknande händelser",
        "Risk för upprepning",
        "Åtgärder med datum",
        "Beslut om att avsluta utredningen",
    ]
    positions = [text.find(p) for p in parts]
    assert all(p >= 0 for p in positions[:2]), positions
    assert text.count("**Att skriva:**") == len(parts)
    assert (
        "Barnet dog i föräldrarnas hem" in text.split("När och var")[0]
    )  # pre-filled from the ledger
    assert "Lex Sarah-utredning: NK\\-LH" in text or "Lex Sarah-utredning: NK-LH" in text


def test_output_is_the_same_apart_from_the_generation_time(db: str, tmp_path) -> None:
    pages = []
    for n in (1, 2):
        out = tmp_path / f"nk{n}.html"
        assert run(db, "report", "NK-LH", "-o", str(out)).exit_code == 0
        pages.append(out.read_text("utf-8"))
    generated = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(svensk tid\)|nr \d+ i ärendets")
    first, second = (generated.sub("…", p) for p in pages)
    assert first == second
    assert pages[0] != pages[1]  # the generation time and the access record do differ


def test_bad_input_is_one_line_and_writes_nothing(db: str, tmp_path) -> None:
    out = tmp_path / "x.pdf"
    for args in (
        ["report", "NO-SUCH", "-o", str(out)],
        ["report", "NK-LH", "--as-known-at", "yesterday-ish", "-o", str(out)],
        ["report", "NK-LH", "--format", "pdf"],  # a binary format needs -o
    ):
        result = run(db, *args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.lower().startswith("error: ") and result.output.count("\n") == 1
        assert "Traceback" not in result.output
    assert not out.exists()


# ---- hostile text stays inert ----

HOSTILE = (
    '<script>alert(1)</script><img src=x onerror=alert(2)> ]]> "quoted" &amp; '
    '=HYPERLINK("http://evil.example") [link](http://evil.example) # heading | cell '
    "\x1b[31mred\x1b[0m **bold** `code`"
)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    import orjson

    folder = tmp_path_factory.mktemp("hostile")
    lines = [
        {
            "case": "EVIL-1",
            "ref": "open",
            "type": "NoteRecorded",
            "occurred": "2019-01",
            "agency": "Socialtjänsten <b>X</b>",
            "text": HOSTILE,
            "summary": HOSTILE,
            "source": HOSTILE,
        },
        {
            "case": "EVIL-1",
            "type": "NoteRecorded",
            "occurred": "2019-02",
            "agency": "Socialtjänsten <b>X</b>",
            "actor": "<svg onload=alert(3)>",
            "text": HOSTILE,
            "summary": HOSTILE,
            "source": "journal </style><script>alert(4)</script>",
        },
    ]
    data = folder / "evil.jsonl"
    data.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    path = str(folder / "evil.db")
    result = CliRunner().invoke(cli, ["--db", path, "import", "-q", str(data)])
    assert result.exit_code == 0, result.output
    return path


def test_hostile_text_is_inert_in_html(hostile_db: str, tmp_path) -> None:
    out = tmp_path / "evil.html"
    result = run(
        hostile_db, "--purpose", "<script>p()</script>", "report", "EVIL-1", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    lowered = page.lower()
    assert "<script" not in lowered and "<img" not in lowered
    assert "<svg onload" not in lowered and "</style><" not in lowered and "<b>x" not in lowered
    assert "\x1b" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_hostile_text_is_inert_in_markdown(hostile_db: str, tmp_path) -> None:
    out = tmp_path / "evil.md"
    assert run(hostile_db, "report", "EVIL-1", "--format", "md", "-o", str(out)).exit_code == 0
    text = out.read_text("utf-8")
    assert "<script" not in text.lower() and "<img" not in text.lower()
    assert not re.search(r"(?<!\\)\]\(http", text)  # no live link
    assert "\\[link\\]" in text and "\\| cell" in text and "\x1b" not in text
    assert not re.search(r"^# heading", text, re.M)


def test_hostile_text_is_inert_in_docx(hostile_db: str, tmp_path) -> None:
    docx = pytest.importorskip("docx")
    out = tmp_path / "evil.docx"
    assert run(hostile_db, "report", "EVIL-1", "--format", "docx", "-o", str(out)).exit_code == 0
    text = docx_text(docx.Document(str(out)))
    assert "<script>alert(1)</script>" in text  # shown as the words they are
    assert "\x1b" not in text
    with __import__("zipfile").ZipFile(out) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    assert "<script>" not in xml and "&lt;script&gt;" in xml


# ---- DOCX and Markdown read back ----


def docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("case", sorted(CASES))
def test_docx_holds_every_source_on_a4(db: str, tmp_path, case: str) -> None:
    docx = pytest.importorskip("docx")
    from docx.shared import Mm

    out = tmp_path / f"{case}.docx"
    result = run(db, "report", case, "--format", "docx", "-o", str(out))
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    text = squeeze(docx_text(document))
    for source in sources(db, case):
        assert squeeze(source) in text, source
    for section in document.sections:
        size = sorted((round(section.page_width / Mm(1)), round(section.page_height / Mm(1))))
        assert size == [210, 297]
    assert "Händelseförlopp" in text and len(document.inline_shapes) >= 2


@pytest.mark.parametrize("case", sorted(CASES))
def test_markdown_holds_every_source(db: str, tmp_path, case: str) -> None:
    out = tmp_path / f"{case}.md"
    assert run(db, "report", case, "--format", "md", "-o", str(out)).exit_code == 0
    text = out.read_text("utf-8")
    plain = squeeze(re.sub(r"\\(.)", r"\1", text).replace("&amp;", "&").replace("<br>", " "))
    for source in sources(db, case):
        assert squeeze(source) in plain, source
    assert "data:image/svg+xml;base64," in text


# ---- printed by a real browser ----


@pytest.mark.skipif(CHROMIUM is None or not POPPLER, reason="needs chromium and poppler-utils")
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_html_report_prints_to_a4_in_chromium(db: str, tmp_path: Path, case: str) -> None:
    """The HTML opened by headless Chromium and printed: A4 pages, a sane page count, and
    every chronology entry's source on a page."""
    html_file = tmp_path / f"{case}.html"
    assert run(db, "report", case, "-o", str(html_file)).exit_code == 0
    pdf = tmp_path / f"{case}.pdf"
    from projections.report.pdf import print_command

    subprocess.run(
        print_command(CHROMIUM, tmp_path / "profile", html_file, pdf),
        check=True,
        capture_output=True,
        timeout=180,
    )
    check_pdf(pdf, sources(db, case), case)


@pytest.mark.skipif(CHROMIUM is None or not POPPLER, reason="needs chromium and poppler-utils")
def test_report_format_pdf_writes_the_same(db: str, tmp_path: Path) -> None:
    pdf = tmp_path / "as.pdf"
    result = run(db, "report", "AS-2020", "--format", "pdf", "-o", str(pdf))
    assert result.exit_code == 0, result.output
    check_pdf(pdf, sources(db, "AS-2020"), "AS-2020")


def check_pdf(pdf: Path, expected_sources: list[str], case: str) -> None:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    sizes = {
        (round(float(w)), round(float(h)))
        for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    }
    assert sizes and sizes <= A4, sizes
    assert (842, 595) in sizes  # the diagrams lie on landscape pages
    bounds = {"NK-LH": (12, 45), "AS-2020": (4, 20)}[case]
    assert bounds[0] <= pages <= bounds[1], pages
    # -raw keeps each table cell's lines together; line breaks (inside a word too, where a
    # long one wraps) are left out of the comparison.
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    unbroken = re.sub(r"\s+", "", text)
    for source in expected_sources:
        assert re.sub(r"\s+", "", source) in unbroken, source
    assert "Händelseförlopp" in text


def test_pdf_without_chromium_says_so_and_reads_nothing(db: str, tmp_path, monkeypatch) -> None:
    import projections.report.pdf as pdf

    monkeypatch.setattr(pdf, "BROWSERS", ("no-such-browser-here",))
    before = run(db, "access-log", "AS-2020", "--format", "json").output.count('"seq"')
    result = run(db, "report", "AS-2020", "--format", "pdf", "-o", str(tmp_path / "x.pdf"))
    assert result.exit_code == 2 and "chromium" in result.output.lower()
    after = run(db, "access-log", "AS-2020", "--format", "json").output.count('"seq"')
    assert after == before + 1  # only the access-log read itself; no report read logged
    assert not (tmp_path / "x.pdf").exists()


def test_the_document_structure_is_built_once_for_every_format(db: str) -> None:
    """The four formats render one structure: every text of it reaches the Markdown."""
    from datetime import UTC, datetime

    from cli.context import State
    from projections.language import using
    from projections.provenance import LedgerState
    from projections.records import to_records
    from projections.report.build import Generation, build_report
    from projections.report.markdown import to_markdown
    from projections.rules import check

    records = to_records(State(db).ledger().history("AS-2020"))
    with using("sv"):
        document = build_report(
            "AS-2020",
            records,
            check_report=check(records),
            generation=Generation(datetime(2026, 1, 2, tzinfo=UTC), "u", None, 1),
            ledger_state=LedgerState(len(records), 53, b"\0" * 32, None),
            with_diagrams=False,
        )
        markdown = squeeze(re.sub(r"\\(.)", r"\1", to_markdown(document)).replace("<br>", " "))
    for text in document.texts():
        assert squeeze(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")) in (
            markdown
        ), text
    assert [s.anchor for s in document.sections] == [
        "chronology",
        "decisions",
        "findings",
        "provisions",
    ]


def test_the_lex_sarah_template_gives_the_recorded_causes_and_measures(db: str) -> None:
    # The händelseanalys entries of the example (seed 003), not only the rules' findings.
    result = CliRunner().invoke(
        cli, ["--db", db, "report", "NK-LH", "--template", "lex-sarah", "--format", "md"]
    )
    assert result.exit_code == 0, result.output
    causes = result.stdout.split("### Orsaker", 1)[1].split("###", 1)[0]
    assert "kontakten med barnavårdscentralen blivit fördröjd" in causes
    assert "förklarar #17 (bvc-request)" in causes
    measures = result.stdout.split("### Åtgärder med datum", 1)[1].split("###", 1)[0]
    assert "alternativa kontaktvägar" in measures and "ansvarig: ej dokumenterat" in measures


def test_findings_and_judgements_speak_as_the_rest_of_the_ledger(db: str) -> None:
    # A reviewer's document named rules by their ids ("decision-with-outstanding-request"),
    # printed a rule's silence as its code ("not_triggered"), and gave statuses words of their
    # own: "obestämt" where `ledger check` says "kan ej avgöras", "obesvarad" (unanswered)
    # for a deadline that has not passed.
    from projections.codes import status_word
    from projections.language import using
    from projections.report.words import rule_title
    from projections.rules.pack import RULES

    result = run(db, "report", "NK-LH", "--format", "md")
    assert result.exit_code == 0, result.output
    text = result.stdout
    judgements = text.split("### Registrerade bedömningar")[1]
    for rule_ in RULES:
        assert rule_.id not in judgements, rule_.id
    with using("sv"):
        assert rule_title("decision-with-outstanding-request") in judgements
    for code in ("not_triggered", "not_in_force", "ended_by_death", "no_record", "undetermined"):
        assert code.replace("_", "\\_") not in text and code not in text, code
    with using("sv"):
        assert f"({status_word('undetermined')})" in judgements
        assert f"({status_word('not_triggered')})" in judgements
    assert "obestämt" not in text and "obesvarad)" not in text
