from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    """Same values as ``dossiers.Sex``, so the profile pre-fills an application as is."""

    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class CitizenIdKind(models.TextChoices):
    """The identity kinds a citizen (công dân) may present (``dossiers.identity.ALLOWED_KINDS``)."""

    CCCD = "cccd", _("Căn cước / Căn cước công dân")
    CMND = "cmnd", _("Chứng minh nhân dân (9 số)")
    PASSPORT = "passport", _("Hộ chiếu")


class User(AbstractUser):
    """A person who signs in: an officer (cán bộ) or a citizen (công dân).

    What an officer may do is not stored here but in ``org.StaffAssignment`` (role × unit).
    A citizen either signs up locally (``username`` is the normalised e-mail, which must be
    verified before filing online) or signs in through OpenID Connect (VNeID or another provider;
    matched by ``oidc_issuer`` + ``oidc_sub``, never by e-mail). The applicant fields below are
    what the apply-online form pre-fills. How the person signed in *this time* is per session
    (``accounts.services.sign_in_info``), not stored here.
    """

    full_name = models.CharField("họ và tên", max_length=200, blank=True)
    phone = models.CharField("số điện thoại", max_length=20, blank=True)

    email_verified = models.BooleanField(
        "đã xác thực thư điện tử", default=False, help_text="Đã mở liên kết xác thực gửi tới địa chỉ thư."
    )
    identity_verified = models.BooleanField(
        "đã xác thực định danh",
        default=False,
        help_text="Đã đăng nhập ít nhất một lần qua nhà cung cấp định danh được tin cậy (VNeID).",
    )
    id_kind = models.CharField(
        "loại giấy tờ", max_length=20, choices=CitizenIdKind.choices, default=CitizenIdKind.CCCD, blank=True
    )
    id_number = models.CharField("số định danh cá nhân", max_length=20, blank=True)
    birth_date = models.DateField("ngày sinh", null=True, blank=True)
    sex = models.CharField("giới tính", max_length=10, choices=Sex.choices, blank=True)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    oidc_issuer = models.CharField("nhà cung cấp định danh (issuer)", max_length=255, blank=True)
    oidc_sub = models.CharField("mã định danh tại nhà cung cấp (sub)", max_length=255, blank=True)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"
        constraints = [
            models.UniqueConstraint(
                fields=["oidc_issuer", "oidc_sub"],
                condition=~Q(oidc_sub=""),
                name="user_oidc_identity_unique",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.get_username()

    @property
    def can_submit_online(self) -> bool:
        """Whether this account may file a dossier online: a verified e-mail address, or an
        account that came from an OpenID Connect provider (the provider authenticated it)."""
        return self.is_active and (self.email_verified or bool(self.oidc_sub))


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
