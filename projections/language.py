"""The reader's language: Swedish first, English on request.

Every human word the read side prints goes through the gettext catalog of this package
(`projections/locale/<lang>/LC_MESSAGES/ledger.po`, compiled to the committed `.mo`). Message
ids are English, so English needs no catalog. JSON keys and codes never pass through here: they
are the contract for other tools.

The language is a context variable rather than a parameter of every view function: the words
are chosen where they are written (deep inside tables, rule messages, diagram legends), and the
command line sets it once for the whole command with `using(lang)`.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("sv", "en")
DEFAULT = "sv"
DOMAIN = "ledger"
LOCALE_DIR = Path(__file__).parent / "locale"


class UnknownLanguage(ValueError):
    """A language the ledger has no words for."""


_active: ContextVar[str] = ContextVar("ledger_language", default=DEFAULT)


@cache
def translator(lang: str) -> _gettext.NullTranslations:
    """The translations of `lang` (`sv` or `en`); English is the message ids themselves."""
    if lang not in LANGUAGES:
        raise UnknownLanguage(_unknown(lang))
    if lang == "en":
        return _gettext.NullTranslations()
    # fallback=False: a missing compiled catalog is a packaging bug, not a reason to switch
    # the reader's language silently.
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


def resolve(option: str | None, environment: str | None) -> str:
    """The language asked for: the `--lang` option, else `LEDGER_LANG`, else Swedish."""
    for given in (option, environment):
        if given:
            lang = given.strip().lower()
            if lang not in LANGUAGES:
                raise UnknownLanguage(_unknown(given))
            return lang
    return DEFAULT


def _unknown(given: str) -> str:
    return _("unknown language {given}; choose one of {choices}").format(
        given=repr(given), choices=", ".join(LANGUAGES)
    )


def current() -> str:
    """The language in use."""
    return _active.get()


@contextmanager
def using(lang: str) -> Iterator[str]:
    """Speak `lang` inside the block (the command line wraps each command in it)."""
    translator(lang)  # refuses an unknown language before anything is written
    token = _active.set(lang)
    try:
        yield lang
    finally:
        _active.reset(token)


# The words already looked up, by language: the rules word every finding and explanation
# with the same few hundred messages, and a dictionary lookup is several times cheaper than
# the catalog's `gettext` (its fallback chain). The messages are the program's own, so the
# cache stays small; the bound only guards against a caller passing ever-new text.
_WORDS: dict[str, dict[str, str]] = {}
_WORDS_BOUND = 20_000


def _(message: str) -> str:
    """`message` (English) in the reader's language."""
    lang = _active.get()
    words = _WORDS.get(lang)
    if words is not None:
        found = words.get(message)
        if found is not None:
            return found
    text = translator(lang).gettext(message)
    words = _WORDS.setdefault(lang, {})
    if len(words) < _WORDS_BOUND:
        words[message] = text
    return text


_FORMS: dict[tuple[str, str, str, int], str] = {}


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the reader's language (kept, like `_`)."""
    lang = _active.get()
    key = (lang, singular, plural, n)
    found = _FORMS.get(key)
    if found is None:
        found = translator(lang).ngettext(singular, plural, n)
        if len(_FORMS) < _WORDS_BOUND:
            _FORMS[key] = found
    return found


def pgettext(context: str, message: str) -> str:
    """`message` in the reader's language where the same English word needs different
    translations (a status word, a code's name)."""
    return translator(_active.get()).pgettext(context, message)


def say(text: str) -> str:
    """`text` in the reader's language where the ledger layer wrote it as a `Message` (its
    template from the catalog, its values said in turn); any other text as it is: a case key
    or what a user wrote is never looked up."""
    from ledger.message import Message

    if not isinstance(text, Message):
        return text
    values = {k: say(v) if isinstance(v, Message) else v for k, v in text.values.items()}
    template = _(text.template) if text.context is None else pgettext(text.context, text.template)
    return template.format(**values) if values else template


def N_(message: str) -> str:
    """Marks `message` for extraction where it is only defined (a table of words); it is
    translated where it is shown."""
    return message


def NC_(context: str, message: str) -> str:
    """Marks `message` for extraction with its `context` (where one English word has two
    meanings: "information" the status, "information" the kind of entry); shown with
    `pgettext(context, message)`."""
    return message
