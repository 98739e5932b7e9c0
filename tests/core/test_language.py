import pytest

pytestmark = pytest.mark.korean


@pytest.mark.django_db
def test_the_shop_is_korean_whatever_the_browser_says(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "ko"
    assert '<html lang="ko">' in response.content.decode()


@pytest.mark.django_db
def test_english_when_chosen_with_the_switcher(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert '<html lang="en">' in response.content.decode()
    assert response["Content-Language"] == "en"
