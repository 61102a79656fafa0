"""The reader's language: the Swedish catalog is complete and committed compiled, and every
command speaks Swedish unless told `--lang en` or `LEDGER_LANG=en`."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
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
from tests.conftest import EXAMPLES

CATALOG = LOCALE_DIR / "sv" / "LC_MESSAGES" / "ledger.po"
COMPILED = LOCALE_DIR / "sv" / "LC_MESSAGES" / "ledger.mo"
PROJECTIONS = Path(__file__).resolve().parents[1] / "projections"


def sv_catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="sv")


def source_messages() -> set[str | tuple[str, str]]:
    """Every message the read side marks for translation, as `make i18n` extracts it."""
    found: set[str | tuple[str, str]] = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(PROJECTIONS), method_map=[("**.py", "python")]
    ):
        msgid = message if isinstance(message, str) else message[0]
        found.add((context, msgid) if context else msgid)
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
