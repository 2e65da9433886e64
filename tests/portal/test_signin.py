"""The demo identity provider end to end through Django's test client."""

import re
from datetime import timedelta

from django.utils import timezone

from onevisit.accounts.models import User
from onevisit.notifications.models import Channel, Notification
from onevisit.portal.models import SignInCode
from onevisit.validators import make_id_number

ID = make_id_number("33010219850505123")
OTHER_ID = make_id_number("33010219900909456")


def _request_code(client, id_number=ID, name="王五", phone="", ip="10.0.0.1"):
    return client.post(
        "/signin/", {"id_number": id_number, "name": name, "phone": phone}, REMOTE_ADDR=ip
    )


def _last_code(id_number=ID) -> str:
    n = Notification.objects.filter(template="signin_code").order_by("-pk").first()
    assert n is not None and n.channel == Channel.SMS
    return re.search(r"验证码是 (\d{6})", n.body).group(1)


def test_first_sign_in_creates_the_person_and_shows_the_name(client, db):
    assert client.get("/signin/").status_code == 200
    response = _request_code(client, phone="13912345678")
    assert response.status_code == 302 and response["Location"] == "/signin/code/"
    page = client.get("/signin/code/").content.decode()
    assert "139****5678" in page

    code = _last_code()
    row = SignInCode.objects.get()
    assert code not in row.code_hash  # only a keyed hash is stored
    assert row.expires_at - row.created_at == timedelta(minutes=5)

    response = client.post("/signin/code/", {"code": code})
    assert response.status_code == 302
    user = User.objects.get(id_number=ID)
    assert user.real_name == "王五" and user.phone == "13912345678" and not user.has_usable_password()
    assert "王五" in client.get("/").content.decode()


def test_second_sign_in_reuses_the_user_and_next_is_kept_only_when_local(client, db):
    User.objects.create_user(username="old", real_name="王五", id_number=ID)
    client.post("/signin/?next=/search/", {"id_number": ID, "name": "王五", "next": "/search/"})
    response = client.post("/signin/code/", {"code": _last_code()})
    assert response["Location"] == "/search/"
    assert User.objects.filter(id_number=ID).count() == 1

    client.post("/signout/")
    client.post("/signin/", {"id_number": ID, "name": "王五", "next": "https://evil.example/"})
    response = client.post("/signin/code/", {"code": _last_code()})
    assert response["Location"] == "/"


def test_invalid_id_number_is_refused_next_to_the_field(client, db):
    bad = ID[:-1] + ("0" if ID[-1] != "0" else "1")
    response = _request_code(client, id_number=bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-id_number"' in page and "身份证号校验位不正确" in page
    assert 'aria-invalid="true"' in page
    assert not SignInCode.objects.exists() and not Notification.objects.exists()

    response = _request_code(client, name="")
    assert "请填写姓名" in response.content.decode()


def test_name_must_match_a_known_person(client, db):
    User.objects.create_user(username="known", real_name="赵六", id_number=ID)
    response = _request_code(client, name="王五")
    assert response.status_code == 400
    assert "姓名与身份证号不一致" in response.content.decode()
    assert not Notification.objects.exists()


def test_wrong_codes_lock_the_code_after_five_attempts(client, db):
    _request_code(client)
    code = _last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        response = client.post("/signin/code/", {"code": wrong})
        assert response.status_code == 400
        assert f"验证码不正确，还可再试 {left} 次" in response.content.decode()
    response = client.post("/signin/code/", {"code": wrong})
    assert "验证码错误次数过多" in response.content.decode()
    response = client.post("/signin/code/", {"code": code})  # even the right code is spent now
    assert response.status_code == 400 and "验证码错误次数过多，已失效，请重新获取" in response.content.decode()
    assert not User.objects.filter(id_number=ID).exists()
    assert SignInCode.objects.get().failed_attempts == 5


def test_expired_code_is_refused(client, db):
    _request_code(client)
    code = _last_code()
    SignInCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post("/signin/code/", {"code": code})
    assert response.status_code == 400 and "验证码已过期，请重新获取" in response.content.decode()
    assert not User.objects.filter(id_number=ID).exists()


def test_only_the_newest_code_counts(client, db):
    _request_code(client)
    first = _last_code()
    _request_code(client)
    second = _last_code()
    if first != second:
        assert client.post("/signin/code/", {"code": first}).status_code == 400
    assert client.post("/signin/code/", {"code": second}).status_code == 302


def test_codes_are_rate_limited_per_id_number(client, db):
    for _ in range(5):
        assert _request_code(client).status_code == 302
    response = _request_code(client)
    assert response.status_code == 400
    page = response.content.decode()
    assert "该身份证号获取验证码过于频繁，请 10 分钟后再试" in page
    assert SignInCode.objects.count() == 5
    # Another person is not held up by it.
    assert _request_code(client, id_number=OTHER_ID, ip="10.0.0.2").status_code == 302


def test_codes_are_rate_limited_per_address(client, db, settings):
    settings.ONEVISIT_SIGNIN_CODES_PER_IP = 2
    ids = [make_id_number(f"3301021986010{i}123") for i in (1, 2, 3)]
    assert _request_code(client, id_number=ids[0]).status_code == 302
    assert _request_code(client, id_number=ids[1]).status_code == 302
    response = _request_code(client, id_number=ids[2])
    assert "本设备获取验证码过于频繁" in response.content.decode()
    assert _request_code(client, id_number=ids[2], ip="10.9.9.9").status_code == 302


def test_code_page_without_a_pending_request_goes_back_to_sign_in(client, db):
    assert client.get("/signin/code/")["Location"] == "/signin/"


def test_demo_provider_can_be_switched_off(client, db, settings):
    settings.ONEVISIT_DEMO_SIGNIN = False
    response = _request_code(client)
    assert "获取验证码" not in response.content.decode()
    assert not SignInCode.objects.exists()

