def test_admin_login_page_is_chinese(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_persona_id_numbers_are_valid(personas):
    from onevisit.validators import clean_id_number

    for name in ("citizen", "other_citizen"):
        assert clean_id_number(personas[name].id_number) == personas[name].id_number
