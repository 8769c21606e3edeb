"""Rebuild the catalogs: extract every message from code and templates, write the Swedish
catalog from sv_messages.SV, compile. `python -m coordination.translations.build [--check]`;
--check only reports messages without Swedish and exits 1 if there are any."""

import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def extract() -> Catalog:
    pot = HERE / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", str(HERE / "babel.cfg"),
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "--no-location", "--sort-output",
                    "--omit-header", "."], cwd=ROOT, check=True)
    with pot.open("rb") as handle:
        return read_po(handle)


def key(message_id) -> str:
    """SV is keyed by the singular form; a plural's Swedish is a (singular, plural) pair."""
    return message_id[0] if isinstance(message_id, (tuple, list)) else message_id


def missing(template: Catalog) -> list:
    from coordination.translations.sv_messages import SV

    return [m.id for m in template if m.id and key(m.id) not in SV]


def build() -> None:
    from coordination.translations.sv_messages import SV

    template = extract()
    catalog = Catalog(locale="sv", project="Samordning", charset="utf-8")
    for message in template:
        if message.id:
            catalog.add(message.id, SV.get(key(message.id), ""))
    target = HERE / "sv" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with (target / "messages.po").open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)


if __name__ == "__main__":
    if "--check" in sys.argv:
        absent = missing(extract())
        for message_id in absent:
            print(f"no Swedish for: {message_id!r}")
        sys.exit(1 if absent else 0)
    build()
