"""One error format for the whole API: ``{"code", "message", "message_vi", "field"}`` with a 4xx.

Endpoints raise an ``ApiError`` subclass (``NotFound``, ``Conflict``, ``BadRequest``,
``Forbidden``, ``Unprocessable``); ``register_error_handlers`` also turns ninja's request
validation errors, authentication failures, Django's ``ValidationError`` (from a service's
``full_clean``), ``PermissionDenied`` and ``Http404`` into the same shape. Anything else is a bug:
it is logged and answered with a JSON 500 so that clients never see an HTML page.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    """Every 4xx/5xx body of the API."""

    code: str
    message: str
    message_vi: str
    field: str | None = None


class ApiError(Exception):
    """Base of the errors an endpoint raises on purpose."""

    status = 400
    code = "bad_request"
    message = "Bad request."
    message_vi = "Yêu cầu không hợp lệ."

    def __init__(
        self,
        message: str | None = None,
        message_vi: str | None = None,
        *,
        field: str | None = None,
        code: str | None = None,
    ) -> None:
        self.message = message or type(self).message
        self.message_vi = message_vi or type(self).message_vi
        self.field = field
        self.code = code or type(self).code
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "message_vi": self.message_vi,
            "field": self.field,
        }


class BadRequest(ApiError):
    pass


class Unauthenticated(ApiError):
    status = 401
    code = "unauthenticated"
    message = "Authentication required: send 'Authorization: Bearer <token>' or sign in."
    message_vi = "Cần xác thực: gửi 'Authorization: Bearer <mã>' hoặc đăng nhập."


class Forbidden(ApiError):
    status = 403
    code = "forbidden"
    message = "You are not allowed to do this."
    message_vi = "Bạn không có quyền thực hiện thao tác này."


class NotFound(ApiError):
    status = 404
    code = "not_found"
    message = "Not found."
    message_vi = "Không tìm thấy."


class Conflict(ApiError):
    """The request clashes with the current state (a concurrent action won, a duplicate, a
    transition not allowed from the current status). Nothing was written."""

    status = 409
    code = "conflict"
    message = "The resource changed or is in a state that does not allow this; reload and retry."
    message_vi = "Dữ liệu đã thay đổi hoặc đang ở trạng thái không cho phép thao tác này; tải lại và thử lại."


class Unprocessable(ApiError):
    status = 422
    code = "invalid"
    message = "Invalid value."
    message_vi = "Giá trị không hợp lệ."


# --- ninja / pydantic validation errors ----------------------------------------------------

# Vietnamese for the pydantic error types a client can trigger through query, path or body.
_VI_BY_TYPE = {
    "missing": "Thiếu giá trị bắt buộc.",
    "int_parsing": "Phải là số nguyên.",
    "int_type": "Phải là số nguyên.",
    "int_from_float": "Phải là số nguyên.",
    "float_parsing": "Phải là số.",
    "decimal_parsing": "Phải là số.",
    "bool_parsing": "Phải là true hoặc false.",
    "greater_than_equal": "Giá trị nhỏ hơn mức tối thiểu.",
    "greater_than": "Giá trị nhỏ hơn mức tối thiểu.",
    "less_than_equal": "Giá trị lớn hơn mức tối đa.",
    "less_than": "Giá trị lớn hơn mức tối đa.",
    "date_parsing": "Ngày không hợp lệ (dạng YYYY-MM-DD).",
    "date_from_datetime_parsing": "Ngày không hợp lệ (dạng YYYY-MM-DD).",
    "date_from_datetime_inexact": "Ngày không hợp lệ (dạng YYYY-MM-DD).",
    "datetime_parsing": "Thời điểm không hợp lệ (dạng ISO 8601).",
    "datetime_from_date_parsing": "Thời điểm không hợp lệ (dạng ISO 8601).",
    "enum": "Giá trị không thuộc danh sách cho phép.",
    "literal_error": "Giá trị không thuộc danh sách cho phép.",
    "string_too_long": "Chuỗi quá dài.",
    "string_too_short": "Chuỗi quá ngắn.",
    "string_type": "Phải là chuỗi ký tự.",
    "json_invalid": "Nội dung JSON không hợp lệ.",
    "model_attributes_type": "Nội dung không đúng cấu trúc.",
    "dict_type": "Nội dung phải là một đối tượng JSON.",
}


def _field_of(loc: Any) -> str | None:
    """The innermost named part of a pydantic location, without the source (query, body…)."""
    parts = [p for p in (loc or ())[1:] if isinstance(p, str)]
    return parts[-1] if parts else None


def validation_error_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    first = errors[0] if errors else {}
    kind = str(first.get("type", ""))
    return {
        "code": "invalid" if kind != "missing" else "required",
        "message": str(first.get("msg", "Invalid request.")),
        "message_vi": _VI_BY_TYPE.get(kind, "Giá trị không hợp lệ."),
        "field": _field_of(first.get("loc")),
    }


def _django_validation_body(exc: DjangoValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        field, errs = next(iter(exc.error_dict.items()))
        text = "; ".join(m for e in errs for m in e.messages)
        field = None if field == "__all__" else field
    else:
        field, text = None, "; ".join(exc.messages)
    # Model and service messages are written in Vietnamese (the product's language).
    return {"code": "invalid", "message": f"Invalid data: {text}", "message_vi": text, "field": field}


def register_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ApiError)
    def _api_error(request, exc: ApiError):
        return respond(request, exc.body(), exc.status)

    @api.exception_handler(NinjaValidationError)
    def _ninja_validation(request, exc: NinjaValidationError):
        return respond(request, validation_error_body(exc.errors), 422)

    @api.exception_handler(DjangoValidationError)
    def _django_validation(request, exc: DjangoValidationError):
        return respond(request, _django_validation_body(exc), 422)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return respond(request, Unauthenticated().body(), 401)

    @api.exception_handler(PermissionDenied)
    def _permission_denied(request, exc):
        return respond(request, Forbidden().body(), 403)

    @api.exception_handler(HttpError)
    def _http_error(request, exc: HttpError):
        if exc.status_code == 403:  # ninja's "CSRF check Failed" for session auth
            body = Forbidden(
                f"Forbidden: {exc.message}.",
                "Bị từ chối: thiếu hoặc sai mã CSRF (gửi header X-CSRFToken khi dùng phiên đăng nhập).",
                code="csrf_failed" if "CSRF" in exc.message else "forbidden",
            ).body()
        elif exc.status_code == 429:
            body = ApiError("Too many requests.", "Quá nhiều yêu cầu; thử lại sau.", code="throttled").body()
        else:
            body = ApiError(
                exc.message or "Request refused.", "Yêu cầu bị từ chối.", code="http_error"
            ).body()
        return respond(request, body, exc.status_code)

    @api.exception_handler(Http404)
    def _http_404(request, exc):
        return respond(request, NotFound().body(), 404)

    @api.exception_handler(ObjectDoesNotExist)
    def _does_not_exist(request, exc):
        return respond(request, NotFound().body(), 404)

    @api.exception_handler(DataError)
    def _data_error(request, exc):
        # A value the database cannot take (out of range, bad bytes) that slipped past the
        # schema: the client's input, not a bug, but logged so the schema can be tightened.
        logger.warning("Database refused a value in %s %s: %s", request.method, request.path, exc)
        body = BadRequest(
            "A value in the request cannot be processed.", "Một giá trị trong yêu cầu không xử lý được."
        ).body()
        return respond(request, body, 400)

    @api.exception_handler(Exception)
    def _bug(request, exc):
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        body = {
            "code": "server_error",
            "message": "Internal error; it has been logged.",
            "message_vi": "Lỗi hệ thống; đã được ghi nhận.",
            "field": None,
        }
        return respond(request, body, 500)
