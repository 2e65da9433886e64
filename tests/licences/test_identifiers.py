from hypothesis import given
from hypothesis import strategies as st

from onevisit.licences.identifiers import build_identifier, check_character, parse_identifier
from onevisit.validators import make_credit_code

ISSUER = make_credit_code("11331100MB1000001")


def test_identifier_shape_and_check_character():
    identifier = build_identifier(type_code="YYZZ", issuer_credit_code=ISSUER, serial=12, version=1)
    body, _, check = identifier.rpartition(".")
    assert body == f"1.2.156.3005.2.YYZZ.{ISSUER}.12.1"
    # ISO 7064 MOD 37,36 over the characters without the dots
    from stdnum.iso7064 import mod_37_36

    assert mod_37_36.is_valid(body.replace(".", "") + check)
    parsed = parse_identifier(identifier)
    assert (parsed.type_code, parsed.issuer_credit_code, parsed.serial, parsed.version) == ("YYZZ", ISSUER, 12, 1)


def test_wrong_check_character_or_shape_is_refused():
    identifier = build_identifier(type_code="YYZZ", issuer_credit_code=ISSUER, serial=12, version=1)
    wrong = "0" if identifier[-1] != "0" else "1"
    assert parse_identifier(identifier[:-1] + wrong) is None
    assert parse_identifier(identifier.replace(".12.", ".13.")) is None  # a changed serial breaks the check
    assert parse_identifier("1.2.156.3005.2.YYZZ") is None
    assert parse_identifier("") is None


@given(serial=st.integers(1, 10**12), version=st.integers(1, 999), code=st.from_regex(r"[0-9A-Z]{1,8}", fullmatch=True))
def test_every_built_identifier_parses_and_any_single_substitution_is_caught(serial, version, code):
    identifier = build_identifier(type_code=code, issuer_credit_code=ISSUER, serial=serial, version=version)
    assert parse_identifier(identifier) is not None
    body = identifier.rpartition(".")[0]
    i = len("1.2.156.3005.2.")  # first character of the type code
    swapped = body[:i] + ("A" if body[i] != "A" else "B") + body[i + 1:]
    assert check_character(swapped) != check_character(body)
