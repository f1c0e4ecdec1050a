"""``motcua token``: personal API tokens.

motcua token create USERNAME [--name N]   # prints only the secret (shown once)
motcua token revoke PREFIX                # the first 8 characters of the secret
motcua token list [USERNAME]
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from motcua.accounts.models import ApiToken
from motcua.accounts.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Mã truy cập API cá nhân / personal API tokens: create USERNAME [--name N] | revoke PREFIX | list"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Tạo mã; chỉ in mã bí mật (hiện một lần)")
        create.add_argument("username")
        create.add_argument("--name", default="cli", help="Tên để nhận biết mã (mặc định: cli)")
        revoke = sub.add_parser("revoke", help="Thu hồi mã theo tiền tố (8 ký tự đầu)")
        revoke.add_argument("prefix")
        listing = sub.add_parser("list", help="Liệt kê mã (tiền tố, tên, người dùng, trạng thái)")
        listing.add_argument("username", nargs="?")

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, *, username: str, name: str, **_):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"Không có người dùng {username!r} / no user named {username!r}") from None
        if not user.is_active:
            raise CommandError(f"Người dùng {username!r} đã bị khóa / user {username!r} is inactive")
        try:
            _, secret = api_token_create(user=user, name=name)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(secret)

    def _revoke(self, *, prefix: str, **_):
        tokens = list(ApiToken.objects.filter(prefix=prefix.strip(), revoked_at__isnull=True))
        if not tokens:
            raise CommandError(
                f"Không có mã đang hiệu lực với tiền tố {prefix!r} / no active token {prefix!r}"
            )
        if len(tokens) > 1:
            raise CommandError(
                f"Nhiều mã cùng tiền tố {prefix!r}; thu hồi trong trang quản trị / "
                f"several tokens share prefix {prefix!r}; revoke them in the admin"
            )
        token = api_token_revoke(token=tokens[0])
        self.stdout.write(f"{token.prefix} revoked {token.revoked_at.isoformat()}")

    def _list(self, *, username: str | None, **_):
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
        if username:
            tokens = tokens.filter(user__username=username)
        for t in tokens:
            state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "-"
            self.stdout.write(f"{t.prefix}\t{t.user.get_username()}\t{t.name}\t{state}\tlast used {used}")
