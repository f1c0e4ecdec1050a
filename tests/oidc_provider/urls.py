"""The product's URLs plus the test identity provider under /o/ (django-oauth-toolkit)."""

from django.urls import include, path
from oauth2_provider import views as oauth2_views

from motcua.urls import urlpatterns as product_urlpatterns

from .views import provider_login

PROVIDER_LOGIN_URL = "/o/dang-nhap/"

provider_patterns = [
    # The provider's own sign-in page (its session lives on the provider's host name).
    path("dang-nhap/", provider_login, name="provider_login"),
    path(
        "authorize/", oauth2_views.AuthorizationView.as_view(login_url=PROVIDER_LOGIN_URL), name="authorize"
    ),
]

urlpatterns = [
    path("o/", include((provider_patterns, "test_provider"))),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    *product_urlpatterns,
]
