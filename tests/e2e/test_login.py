import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_sign_in_page_is_vietnamese(login, page, django_user_model):
    django_user_model.objects.create_user("canbo", password="MotCua@2026", full_name="Trần Thị Bích")
    login("canbo")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_text("Trần Thị Bích").is_visible()
