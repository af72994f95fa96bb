def test_seed_reaches_the_queue(seed, editor, auth, client):
    auth.login(editor)
    page = client.get("/queue").get_data(as_text=True)
    assert "Kaja Kallas" in page
