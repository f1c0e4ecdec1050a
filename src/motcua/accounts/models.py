from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who signs in: an officer (cán bộ) or, later, a citizen (công dân).

    What an officer may do is not stored here but in ``org.StaffAssignment`` (role × unit).
    """

    full_name = models.CharField("họ và tên", max_length=200, blank=True)
    phone = models.CharField("số điện thoại", max_length=20, blank=True)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def __str__(self) -> str:
        return self.full_name or self.get_username()


class ApiToken(models.Model):
    """A personal API token (mã truy cập API cá nhân) for ``Authorization: Bearer <secret>``.

    Only the SHA-256 of the secret is stored; the secret is shown once, when the token is made
    (``accounts.services.api_token_create``). ``prefix`` (the secret's first 8 characters) lets a
    person and an administrator tell tokens apart and revoke one without ever seeing the secret.
    """

    user = models.ForeignKey(
        "accounts.User", verbose_name="người dùng", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("tên", max_length=100, help_text="Để nhận biết, ví dụ: kịch bản đồng bộ.")
    key_hash = models.CharField("băm SHA-256 của mã", max_length=64, unique=True, editable=False)
    prefix = models.CharField("tiền tố", max_length=8, db_index=True, editable=False)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "mã truy cập API"
        verbose_name_plural = "mã truy cập API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
