"""Checks on scanned papers uploaded at the counter (Decree 118/2025 Art. 17(1)(c): every paper
is scanned at reception). The type is read from the content (magic bytes), never from the name
or the browser's Content-Type; the size limit is the setting ``MOTCUA_UPLOAD_MAX_BYTES``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# (magic prefix, MIME type, extension)
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def max_upload_bytes() -> int:
    return int(getattr(settings, "MOTCUA_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(head: bytes) -> tuple[str, str] | None:
    """(MIME type, extension) of a PDF, JPEG or PNG by its first bytes; None for anything else."""
    for magic, mime, ext in SIGNATURES:
        if head.startswith(magic):
            return mime, ext
    return None


def sniff_file(f) -> tuple[str, str] | None:
    f.seek(0)
    head = f.read(16)
    f.seek(0)
    return sniff(head)


def check_scan(f: UploadedFile) -> str:
    """Validate one uploaded scan; returns its MIME type. Raises ValidationError (Vietnamese)."""
    limit = max_upload_bytes()
    if f.size is not None and f.size > limit:
        raise ValidationError(
            "Tệp “%(name)s” quá lớn (tối đa %(mb)s MB).",
            code="file_too_large",
            params={"name": f.name, "mb": f"{limit / 1024 / 1024:g}"},
        )
    if not f.size:
        raise ValidationError("Tệp “%(name)s” rỗng.", code="file_empty", params={"name": f.name})
    kind = sniff_file(f)
    if kind is None:
        raise ValidationError(
            "Tệp “%(name)s” không phải PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp).",
            code="file_type",
            params={"name": f.name},
        )
    mime, ext = kind
    # Store under the extension of the real type, so a served file never lies about itself.
    stem = (f.name or "scan").rsplit(".", 1)[0][:80] or "scan"
    f.name = f"{stem}.{ext}"
    return mime
