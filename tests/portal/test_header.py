def test_staff_see_their_console_and_citizens_their_cases(client, personas):
    client.force_login(personas["reviewer"])
    page = client.get("/").content.decode()
    assert "工作台" in page and "代表单位办事" not in page and "我的办件" not in page
    client.force_login(personas["citizen"])
    page = client.get("/").content.decode()
    assert "我的办件" in page and "代表单位办事" in page and "工作台" not in page
