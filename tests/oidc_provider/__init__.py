"""A real OpenID Connect provider for the tests: django-oauth-toolkit's, mounted under /o/ only
while the ``oidc_provider`` fixture (``tests.oidc_provider.fixtures``) is active."""

# The claim carrying the personal identification number (a provider-specific name, as VNeID's).
IDENTITY_CLAIM = "so_dinh_danh"
