#!/bin/sh
# On the PostgreSQL server, as root: Debian's Kazakh Hunspell dictionary as an ispell dictionary of
# PostgreSQL (files "kazakh.affix" and "kazakh.dict" in its tsearch_data folder, without the byte
# order mark PostgreSQL would read as text). Then, on the application side:
#   python manage.py install_search_configuration && python manage.py update_index
set -eu
[ -f /usr/share/hunspell/kk_KZ.dic ] || { apt-get update -qq && apt-get install -y -qq hunspell-kk >/dev/null; }
for folder in /usr/share/postgresql/*/tsearch_data; do
    sed '1s/^\xEF\xBB\xBF//' /usr/share/hunspell/kk_KZ.aff > "$folder/kazakh.affix"
    sed '1s/^\xEF\xBB\xBF//' /usr/share/hunspell/kk_KZ.dic > "$folder/kazakh.dict"
done
