"""GB/T 36904-style licence identifiers:

    1.2.156.3005.2.<type code>.<issuer credit code>.<serial>.<version>.<check character>

The check character is ISO 7064 MOD 37,36 (alphabet 0-9A-Z) computed over every preceding character
with the dots removed, e.g. "1.2.156.3005.2.T1.<18>.7.1" -> over "121563005" "2T1" <18> "71".
See docs/decisions/0006-licence-signature.md."""

import re
from dataclasses import dataclass

from stdnum.iso7064 import mod_37_36

PREFIX = "1.2.156.3005.2"
TYPE_CODE_RE = re.compile(r"[0-9A-Z]{1,20}")
_ID_RE = re.compile(
    r"1\.2\.156\.3005\.2\.(?P<type>[0-9A-Z]{1,20})\.(?P<issuer>[0-9A-Z]{18})\.(?P<serial>[1-9][0-9]{0,17})"
    r"\.(?P<version>[1-9][0-9]{0,5})\.(?P<check>[0-9A-Z])"
)


@dataclass(frozen=True)
class ParsedIdentifier:
    type_code: str
    issuer_credit_code: str
    serial: int
    version: int
    check: str


def check_character(body: str) -> str:
    return mod_37_36.calc_check_digit(body.replace(".", "").upper())


def build_identifier(*, type_code: str, issuer_credit_code: str, serial: int, version: int) -> str:
    body = f"{PREFIX}.{type_code}.{issuer_credit_code}.{serial}.{version}"
    return f"{body}.{check_character(body)}"


def parse_identifier(identifier: str) -> ParsedIdentifier | None:
    """The parts of a well-formed identifier whose check character is right, else None."""
    match = _ID_RE.fullmatch((identifier or "").strip().upper())
    if match is None:
        return None
    body, _, check = match.group(0).rpartition(".")
    if check_character(body) != check:
        return None
    return ParsedIdentifier(
        type_code=match["type"], issuer_credit_code=match["issuer"], serial=int(match["serial"]),
        version=int(match["version"]), check=check,
    )
