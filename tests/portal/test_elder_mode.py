"""The elder-friendly mode is a POST that sets a cookie; every later page carries the large-text stylesheet."""


def test_toggle_persists_across_pages_and_turns_off(client, db):
    assert "portal/elder.css" not in client.get("/").content.decode()
    response = client.post("/a11y/elder/", {"elder": "1", "next": "/search/?q=x"})
    assert response.status_code == 302 and response["Location"] == "/search/?q=x"
    assert response.cookies["ov_elder"].value == "1"
    for url in ("/", "/signin/", "/search/?q=公交"):
        page = client.get(url).content.decode()
        assert "portal/elder.css" in page and 'aria-pressed="true"' in page
    client.post("/a11y/elder/", {"elder": "0"})
    assert "portal/elder.css" not in client.get("/").content.decode()


def test_toggle_ignores_foreign_next_and_get(client, db):
    response = client.post("/a11y/elder/", {"elder": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.get("/a11y/elder/").status_code == 405
