"""A signed-in person acts for a company by its 统一社会信用代码; the header says so."""

from onevisit.validators import make_credit_code

CODE = make_credit_code("91331100MA2A00001")


def test_anonymous_person_is_sent_to_sign_in(client, db):
    response = client.get("/acting-for/")
    assert response.status_code == 302 and response["Location"].startswith("/signin/?next=")
    client.post("/acting-for/", {"credit_code": CODE, "company_name": "丽水某某餐饮有限公司"})
    assert "portal.acting_for" not in client.session


def test_valid_credit_code_is_kept_in_session_and_shown(signed_in):
    response = signed_in.post("/acting-for/", {"credit_code": CODE.lower(), "company_name": "丽水某某餐饮有限公司"})
    assert response.status_code == 302
    assert signed_in.session["portal.acting_for"] == {"credit_code": CODE, "name": "丽水某某餐饮有限公司"}
    page = signed_in.get("/").content.decode()
    assert f"代表 丽水某某餐饮有限公司（{CODE}）" in page

    signed_in.post("/acting-for/", {"action": "stop"})
    assert "portal.acting_for" not in signed_in.session
    assert "代表 丽水某某餐饮有限公司" not in signed_in.get("/").content.decode()


def test_invalid_credit_code_is_refused_next_to_the_field(signed_in):
    bad = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
    response = signed_in.post("/acting-for/", {"credit_code": bad, "company_name": "某公司"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-credit_code"' in page and "统一社会信用代码校验位不正确" in page
    assert "portal.acting_for" not in signed_in.session
