"""PostgreSQL's text search configuration for the websites' mixed-language content: `egov`.

One index holds pages in Kazakh, Russian, English and Tajik, and Wagtail's backend applies one
configuration to all of them, so `egov` sends each kind of word to what can reduce it to a stem:

- Cyrillic words to the Kazakh Hunspell dictionary (Debian's `hunspell-kk`, installed as an ispell
  dictionary of PostgreSQL: docs/deploy/postgresql-kazakh.sh), which knows Kazakh endings
  (тұрғындары → тұрғын); words it does not know go on to Russian stemming (Russian pages);
- Latin words to English stemming.

Without the dictionary files on the database server, Cyrillic words go to Russian stemming alone,
and `install` may be run again once they are there (`manage.py install_search_configuration`).
Changing the configuration changes the index's words: run `manage.py update_index` afterwards.
"""

from __future__ import annotations

from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

CONFIGURATION = "egov"
KAZAKH = "egov_kazakh"
CYRILLIC_TOKENS = "word, hword, hword_part"
LATIN_TOKENS = "asciiword, asciihword, hword_asciipart"


EXISTS = {
    "configuration": "SELECT 1 FROM pg_ts_config WHERE cfgname = %s",
    "dictionary": "SELECT 1 FROM pg_ts_dict WHERE dictname = %s",
}


def _exists(connection: BaseDatabaseWrapper, kind: str, name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(EXISTS[kind], [name])
        return cursor.fetchone() is not None


def install(connection: BaseDatabaseWrapper) -> bool:
    """Create or refresh the configuration; True when Kazakh words get the Hunspell dictionary."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        if not _exists(connection, "configuration", CONFIGURATION):
            cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIGURATION} (COPY = simple)")
        cursor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {CONFIGURATION} "
            f"ALTER MAPPING FOR {LATIN_TOKENS} WITH english_stem"
        )
    kazakh = _exists(connection, "dictionary", KAZAKH)
    if not kazakh:
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TEXT SEARCH DICTIONARY {KAZAKH} "
                    "(TEMPLATE = ispell, DictFile = kazakh, AffFile = kazakh)"
                )
            kazakh = True
        except DatabaseError:  # the dictionary files are not on this server
            kazakh = False
    chain = f"{KAZAKH}, russian_stem" if kazakh else "russian_stem"
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {CONFIGURATION} "
            f"ALTER MAPPING FOR {CYRILLIC_TOKENS} WITH {chain}"
        )
    return kazakh
