"""Every sign-in (portal, officers' /dang-nhap/, admin, OpenID Connect) records its method in the
session; dossiers filed online copy it (``services.sign_in_info``)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from motcua.accounts.services import sign_in_record


@receiver(user_logged_in, dispatch_uid="motcua.accounts.sign_in_record")
def _record_sign_in(sender, request, user, **kwargs) -> None:
    sign_in_record(request=request, user=user)
