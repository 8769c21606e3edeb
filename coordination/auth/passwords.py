"""Password rules: length, not a common or breached password, not the e-mail address's own name.

The list of common passwords ships with the app (common_passwords.txt) so the check needs no
network. To it are added, when the file is first read: keyboard walks along the rows of Swedish
and US keyboards, runs of digits up and down, and repeated characters. A word from the file's
[words] section is refused on its own and with a few digits and punctuation marks around it,
the way people "strengthen" a word (Sommar2024!, stockholm1, 2024hammarby)."""

import re
from functools import lru_cache
from pathlib import Path

from coordination.i18n import lazy_gettext as _l

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200
LIST_FILE = Path(__file__).with_name("common_passwords.txt")
# The shortest local part of an e-mail address that is looked for in the password: "bo" in
# "bo@…" would refuse half of all passwords.
LOCAL_PART_MIN_LENGTH = 3

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "è": "e", "ü": "u", "æ": "a", "ø": "o"})
_LEET = str.maketrans({"@": "a", "4": "a", "3": "e", "0": "o", "$": "s", "5": "s", "7": "t", "1": "i", "!": "i"})
# digits, a separator, the word, a separator, digits, punctuation
_DECORATED = re.compile(r"(?P<before>\d{0,4})[ ._-]?(?P<word>.+?)[ ._-]?(?P<after>\d{0,4})(?P<marks>[^\w\s]{0,3})")

KEYBOARD_ROWS = ("1234567890+", "qwertyuiopå", "asdfghjklöä", "zxcvbnm,.-",  # Swedish
                 "1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./",  # US
                 "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0pö-", "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9-öp0")


def fold(text: str) -> str:
    """Lower case, with å ä ö (and a few other letters) read as their plain Latin ones."""
    return text.casefold().translate(_FOLD)


def _generated() -> set[str]:
    """Keyboard walks, digit runs and repeated characters, 6 to 20 characters long."""
    found: set[str] = set()
    for row in KEYBOARD_ROWS:
        for line in (row, row[::-1]):
            for start in range(len(line)):
                for end in range(start + 6, len(line) + 1):
                    found.add(line[start:end])
    digits = "0123456789" * 3
    for start in range(10):
        for length in range(6, 21):
            run = digits[start:start + length]
            found.update((run, run[::-1]))
    for char in "abcdefghijklmnopqrstuvwxyzåäö0123456789!.*#":
        for length in range(6, 21):
            found.add(char * length)
    for pair in ("12", "123", "1234", "12345", "abc", "qwe", "asd", "zxc", "hej", "ha", "la", "xo"):
        for times in range(2, 8):
            found.add(pair * times)
    return {fold(word) for word in found}


@lru_cache(maxsize=1)
def common_lists() -> tuple[frozenset[str], frozenset[str]]:
    """(refused passwords, refused words), folded; read once per process."""
    passwords: set[str] = set()
    words: set[str] = set()
    section = passwords
    for raw in LIST_FILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line == "[passwords]":
            section = passwords
        elif line == "[words]":
            section = words
        else:
            section.add(fold(line))
    passwords |= _generated()
    return frozenset(passwords), frozenset(words)


def is_common(password: str) -> bool:
    """Whether the password is on the list, or a listed word with digits and marks around it
    (also written with 0 for o, @ for a and the like)."""
    passwords, words = common_lists()
    folded = fold(password)
    if folded in passwords:
        return True
    match = _DECORATED.fullmatch(folded)
    if match is None:
        return False
    word = match.group("word")
    return any(candidate in words or candidate in passwords
               for candidate in {word, word.translate(_LEET), word.translate(_LEET).replace("i", "l")})


def email_local_part(email: str | None) -> str:
    return fold((email or "").strip().rsplit("@", 1)[0]) if email and "@" in email else ""


def check_password_rules(password: str, *, email: str | None = None) -> list:
    """What is wrong with the password as the new password of the account with this e-mail
    address, as messages for the person choosing it; an empty list if nothing is."""
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(_l("The password must be at least %(n)s characters long.", n=PASSWORD_MIN_LENGTH))
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append(_l("The password may be at most %(n)s characters long.", n=PASSWORD_MAX_LENGTH))
        return problems
    if is_common(password):
        problems.append(_l("This password is too common and easy to guess. Choose another one, for example "
                           "a few words that belong together only for you."))
    local = email_local_part(email)
    if len(local) >= LOCAL_PART_MIN_LENGTH and local in fold(password):
        problems.append(_l("The password must not contain the first part of the e-mail address (%(part)s).",
                           part=local))
    return problems
