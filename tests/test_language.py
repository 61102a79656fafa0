"""The reader's language: the Swedish catalog is complete and committed compiled, and every
command speaks Swedish unless told `--lang en` or `LEDGER_LANG=en`."""

from __future__ import annotations

import io
import re
from pathlib import Path

import orjson
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from cli.main import cli
from projections.language import (
    LOCALE_DIR,
    UnknownLanguage,
    _,
    current,
    ngettext,
    resolve,
    translator,
    using,
)
from projections.vocabulary_view import vocabulary_texts
from tests.conftest import EXAMPLES

CATALOG = LOCALE_DIR / "sv" / "LC_MESSAGES" / "ledger.po"
COMPILED = LOCALE_DIR / "sv" / "LC_MESSAGES" / "ledger.mo"
ROOT = Path(__file__).resolve().parents[1]
# ledger/ too: what it finds wrong it writes as `Message`s, said by the shell (ledger/message.py).
EXTRACTED = (ROOT / "projections", ROOT / "cli", ROOT / "ledger")


def sv_catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="sv")


def source_messages() -> set[str | tuple[str, str]]:
    """Every message the read side marks for translation, as `make i18n` extracts it."""
    found: set[str | tuple[str, str]] = set()
    for directory in EXTRACTED:
        for _filename, _lineno, message, _comments, context in extract_from_dir(
            str(directory),
            method_map=[("**.py", "python")],
            keywords={
                **DEFAULT_KEYWORDS,
                "NC_": ((1, "c"), 2),
                "Message": None,
                "in_context": ((1, "c"), 2),
            },
        ):
            msgid = message if isinstance(message, str) else message[0]
            found.add((context, msgid) if context else msgid)
    # The vocabulary's descriptions and docs, which babel.cfg extracts from ledger/ too.
    found.update(vocabulary_texts())
    return found


def test_the_committed_mo_is_the_compiled_po() -> None:
    compiled = io.BytesIO()
    write_mo(compiled, sv_catalog())
    assert COMPILED.read_bytes() == compiled.getvalue(), "run `make i18n` and commit the .mo"


def test_every_message_in_the_source_is_translated_to_swedish() -> None:
    catalog = sv_catalog()
    translated = set()
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings):
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            translated.add((message.context, msgid) if message.context else msgid)
    missing = source_messages() - translated
    assert not missing, f"untranslated (run `make i18n` and translate): {sorted(map(str, missing))}"


def test_translations_keep_the_named_placeholders() -> None:
    for message in sv_catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"\{(\w*)\}", ids[-1])) | set(re.findall(r"\{(\w*)\}", ids[0]))
        for text in strings:
            assert set(re.findall(r"\{(\w*)\}", text)) <= wanted, (message.id, text)
            assert "" not in wanted, f"positional placeholder in {message.id!r}: name it"


def test_swedish_is_the_default_and_english_is_the_message_id() -> None:
    assert current() == "sv"
    assert _("the end of {point}") == "vid utgången av {point}"
    assert ngettext("{n} entry.", "{n} entries.", 2) == "{n} händelser."
    with using("en"):
        assert current() == "en"
        assert _("the end of {point}") == "the end of {point}"
        assert ngettext("{n} entry.", "{n} entries.", 1) == "{n} entry."
    assert current() == "sv"


def test_the_language_comes_from_the_option_then_the_environment() -> None:
    assert resolve(None, None) == "sv"
    assert resolve(None, "en") == "en"
    assert resolve("sv", "en") == "sv"
    assert resolve(None, "") == "sv"
    with pytest.raises(UnknownLanguage):
        resolve(None, "de")
    with pytest.raises(UnknownLanguage):
        translator("de")


@pytest.fixture
def example_db(tmp_path: Path) -> Path:
    db = tmp_path / "lang.db"
    imported = CliRunner().invoke(
        cli, ["--db", str(db), "import", "-q", str(EXAMPLES / "lilla-hjartat.jsonl")]
    )
    assert imported.exit_code == 0, imported.output
    return db


def run(db: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(
        cli, ["--db", str(db), *args], env={"LEDGER_LANG": None, **(env or {})}
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_timeline_speaks_swedish_by_default_and_english_when_asked(example_db: Path) -> None:
    swedish = run(example_db, "timeline", "NK-LH", "--as-known-at", "2019-12-31")
    assert "NK-LH känt vid utgången av 2019-12-31 (svensk tid)" in swedish
    assert "inträffade → känt" in swedish and "händelser." in swedish
    english = run(example_db, "--lang", "en", "timeline", "NK-LH", "--as-known-at", "2019-12-31")
    assert "NK-LH as known at the end of 2019-12-31 (Stockholm)" in english
    assert "occurred → known" in english and "inträffade" not in english
    from_env = run(
        example_db, "timeline", "NK-LH", "--as-known-at", "2019-12-31", env={"LEDGER_LANG": "en"}
    )
    assert from_env == english
    assert (
        run(
            example_db,
            "--lang",
            "sv",
            "timeline",
            "NK-LH",
            "--as-known-at",
            "2019-12-31",
            env={"LEDGER_LANG": "en"},
        )
        == swedish
    )


def test_an_unknown_language_is_a_one_line_error(example_db: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--db", str(example_db), "timeline", "NK-LH"], env={"LEDGER_LANG": "de"}
    )
    assert result.exit_code == 2
    result = CliRunner().invoke(cli, ["--db", str(example_db), "--lang", "de", "timeline", "NK-LH"])
    assert result.exit_code == 2


def test_codes_read_as_words_in_swedish_and_english() -> None:
    from projections.codes import code_words, status_word

    assert code_words("grounds", "lvu_2") == "2 § LVU (hemförhållandena)"
    assert code_words("led_by", "foraldrar") == "föräldrarna"
    assert code_words("led_by", "familjehem") == "familjehemmet"
    assert code_words("setting", "familjehem") == "familjehem"
    assert status_word("no_record") == "ej dokumenterat i granskade handlingar"
    assert status_word("breach") == "brist"
    assert code_words("grounds", "unheard_of") == "unheard_of"  # a code without words stays
    with using("en"):
        assert code_words("grounds", "lvu_2") == "LVU 2 § (conditions at home)"
        assert code_words("led_by", "foraldrar") == "the parents"
        assert status_word("breach") == "breach"


def test_known_speaks_swedish_and_english(example_db: Path) -> None:
    swedish = run(example_db, "known", "NK-LH", "--at", "2019-12-31")
    for words in (
        "LÄGE",
        "var barnet bor: föräldrarna, sedan 2019-04",
        "OBESVARADE BEGÄRANDEN OM UPPGIFTER (1)",
        "till BVC: möjligen besvarad",
        "FAKTA: kända vid tidpunkten",
        "FANNS HOS ANDRA",
    ):
        assert words in swedish
    english = run(example_db, "--lang", "en", "known", "NK-LH", "--at", "2019-12-31")
    for words in ("STATUS", "the child lives: the parents", "PENDING INFORMATION REQUESTS (1)"):
        assert words in english
    assert "LÄGE" not in english and "FAKTA" not in english


def test_decisions_name_codes_in_words(example_db: Path) -> None:
    swedish = run(example_db, "decisions", "NK-LH")
    assert "(14 beslut)" in swedish
    assert "dom om vård enligt LVU — grund: 2 § LVU (hemförhållandena)" in swedish
    assert "skyddsbedömning — inget behov av omedelbart skydd" in swedish
    assert "beslutat av" in swedish and "underlag" in swedish
    assert "lvu_2" not in swedish and "foraldrar" not in swedish
    english = run(example_db, "--lang", "en", "decisions", "NK-LH")
    assert "CareOrdered (dom om vård enligt LVU) — grounds: LVU 2 § (conditions at home)" in english
    assert "no immediate protection needed" in english and "decided by" in english
    # the JSON keeps its codes whatever the language
    doc = orjson.loads(run(example_db, "decisions", "NK-LH", "--format", "json"))
    assert {d["outcome"] for d in doc["decisions"]} >= {"grounds lvu_2"}


def test_gaps_and_cases_speak_swedish_and_english(example_db: Path) -> None:
    swedish = run(example_db, "gaps", "NK-LH")
    assert "BESLUT SOM SAKNADE UPPGIFTER" in swedish and "0–29 dagar, uppskattat" in swedish
    english = run(example_db, "--lang", "en", "gaps", "NK-LH")
    assert "DECISIONS THAT LACKED INFORMATION" in english and "0–29 days, estimated" in english
    cases = run(example_db, "cases")
    assert cases.splitlines()[0].split()[:2] == ["ärende", "antal"]
    assert cases.rstrip().endswith("1 ärende.")
    assert run(example_db, "--lang", "en", "cases").rstrip().endswith("1 case.")


def test_check_speaks_swedish_with_codes_kept_in_json(example_db: Path) -> None:
    swedish = run(example_db, "check", "NK-LH", "--as-known-at", "2020-01-05")
    assert swedish.startswith("NK-LH: regelgranskning, känt vid utgången av 2020-01-05")
    assert "iakttagelser:" in swedish
    # No judgement was made by then: none is shown (rules.md Principle 4); now they are.
    assert "REGISTRERADE BEDÖMNINGAR I EFTERHAND" not in swedish
    assert "REGISTRERADE BEDÖMNINGAR I EFTERHAND" in run(example_db, "check", "NK-LH")
    assert "Skyddsbedömning samma dag" in swedish  # the rule's Swedish title
    english = run(example_db, "--lang", "en", "check", "NK-LH", "--as-known-at", "2020-01-05")
    assert english.startswith("NK-LH: rule check, as known at the end of 2020-01-05")
    assert "Protection assessment the same day" in english
    sv_doc = orjson.loads(run(example_db, "check", "NK-LH", "--format", "json"))
    en_doc = orjson.loads(run(example_db, "--lang", "en", "check", "NK-LH", "--format", "json"))
    # The same findings with the same codes; only the human texts follow the language.
    codes = [(f["rule"], f["status"], f["severity"]) for f in sv_doc["findings"]]
    assert codes == [(f["rule"], f["status"], f["severity"]) for f in en_doc["findings"]]
    assert sv_doc.keys() == en_doc.keys()
    assert {f["status"] for f in sv_doc["findings"]} <= {
        "breach",
        "warning",
        "no_record",
        "undetermined",
        "pending",
        "info",
    }
    sv_reasons = " ".join(f["reason"] or "" for f in sv_doc["findings"])
    en_reasons = " ".join(f["reason"] or "" for f in en_doc["findings"])
    assert "ej dokumenterat i granskade handlingar" in sv_reasons
    assert "not documented in the examined records" in en_reasons
    pairs = zip(sv_doc["findings"], en_doc["findings"], strict=True)
    assert all(f["message"] != g["message"] for f, g in pairs)


def test_check_all_keeps_results_per_language(example_db: Path) -> None:
    swedish = run(example_db, "check", "--all")
    english = run(example_db, "--lang", "en", "check", "--all")
    assert swedish.startswith("regelgranskning av 1 ärende") and "IAKTTAGELSER" in swedish
    assert english.startswith("rule check of 1 case") and "FINDINGS" in english
    # the kept results of one language never answer in the other
    again = run(example_db, "check", "--all")
    assert again.splitlines()[1:] == swedish.splitlines()[1:]
    assert "FINDINGS" not in again


def test_an_unverified_paragraph_says_so_in_the_readers_language() -> None:
    from ledger.legal import NOT_VERIFIED, LegalReference
    from projections.codes import NOT_VERIFIED_WORDS, cited

    assert NOT_VERIFIED_WORDS == NOT_VERIFIED  # one wording, translated here
    ref = LegalReference("SoL", "2025:400", "", "U")
    assert cited(ref) == "SoL (2025:400) (paragrafen inte verifierad)"
    with using("en"):
        assert cited(ref) == ref.cited()


def test_a_message_keeps_its_context_and_an_error_keeps_its_message() -> None:
    """The ledger layer's words in a context (`in_context`) are said from that context, after
    a trip through pickle too (worker processes hand problems back pickled); an error raised
    with a Message (`MessageError`) gives the Message back as its text."""
    import pickle

    from ledger.message import Message, MessageError, in_context
    from projections.language import say

    due = pickle.loads(pickle.dumps(in_context("finding", "due")))
    assert (due, due.context, say(due)) == ("due", "finding", "frist")
    with using("en"):
        assert say(due) == "due"

    class Refused(MessageError, ValueError):
        pass

    said = str(Refused(Message("{reference}: {problem}", reference="#4", problem=due)))
    assert isinstance(said, Message) and said == "#4: due" and say(said) == "#4: frist"
    assert str(Refused("plain", "two")) == "('plain', 'two')"
