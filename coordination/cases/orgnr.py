"""Swedish organisation numbers (organisationsnummer): ten digits, the last a Luhn check digit."""

import re

_FORM = re.compile(r"^([0-9]{6})-?([0-9]{4})$")  # ASCII digits only


class InvalidOrganisationNumber(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "form" or "check_digit"


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_organisation_number(value: str) -> str:
    """`5566778899` or `556677-8899` → `556677-8899`; raises InvalidOrganisationNumber."""
    match = _FORM.match((value or "").strip().replace(" ", ""))
    if not match:
        raise InvalidOrganisationNumber("form")
    digits = match.group(1) + match.group(2)
    if not luhn_ok(digits):
        raise InvalidOrganisationNumber("check_digit")
    return f"{match.group(1)}-{match.group(2)}"
