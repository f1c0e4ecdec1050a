"""The dossier lifecycle (quy trình giải quyết hồ sơ) as one explicit table (design §3.4).

Each :class:`Transition` names an action, the statuses it may start from, the status it leads to
(``None``: unchanged), who may perform it (``StaffAssignment.Role`` values, ``"applicant"`` or
``"system"``) and the legal basis. ``from_statuses`` containing :data:`NEW` means the action
creates the dossier. An action may have several rows when its target depends on the source
(supplement at reception vs. during appraisal).

Rules that need more than the source status (the 3-working-day window for a supplement during
appraisal, the once-only extension, the 15-day closure …) are checked by the service, named
here in ``rule`` so that ``docs/lifecycle.md`` shows them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import pgettext_lazy

from motcua.errors import ServiceError
from motcua.org.models import StaffAssignment

from .models import NATIONAL_STATUS, Status

Role = StaffAssignment.Role
APPLICANT = "applicant"
SYSTEM = "system"
NEW = "new"  # pseudo source status: the action creates the dossier

RECEIVING = Role.RECEIVING_OFFICER.value
SPECIALIST = Role.SPECIALIST.value
LEADER = Role.UNIT_LEADER.value

# Statuses of a received dossier whose decision is not yet issued: an applicant may ask to stop
# "đến trước khi cơ quan có thẩm quyền ban hành quyết định" (Decree 118/2025 Art. 21(1)).
_BEFORE_DECISION = (
    Status.RECEIVED,
    Status.PROCESSING,
    Status.CONSULTING,
    Status.SUPPLEMENT_REQUESTED,
    Status.FINANCIAL_OBLIGATION,
)
# Statuses in which the resolution clock runs (an extension is meaningful).
_RUNNING = (
    Status.RECEIVED,
    Status.PROCESSING,
    Status.CONSULTING,
    Status.FINANCIAL_OBLIGATION,
    Status.APPROVED,
)


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    from_statuses: tuple[str, ...]
    to_status: str | None
    roles: frozenset[str]
    basis: str
    rule: str = ""

    @property
    def creates(self) -> bool:
        return NEW in self.from_statuses

    @property
    def national_code(self) -> int | None:
        return NATIONAL_STATUS[self.to_status] if self.to_status else None


def _t(action, from_statuses, to_status, roles, basis, rule=""):
    return Transition(
        action=action,
        from_statuses=tuple(str(s) for s in from_statuses),
        to_status=str(to_status) if to_status else None,
        roles=frozenset(roles),
        basis=basis,
        rule=rule,
    )


TABLE: tuple[Transition, ...] = (
    _t(
        "submit_online",
        [NEW],
        Status.SUBMITTED,
        [APPLICANT],
        "NĐ 118/2025 Đ.17(2); NĐ 61/2018 Đ.16",
        "Tiếp nhận hoặc yêu cầu bổ sung trong 08 giờ làm việc (acceptance_due_at).",
    ),
    _t(
        "receive",
        [NEW, Status.SUBMITTED],
        Status.RECEIVED,
        [RECEIVING],
        "NĐ 118/2025 Đ.17(1)(c), 17(2)(b), 17(3); Đ.28 (mã số hồ sơ)",
        "Thời hạn giải quyết tính từ thời điểm tiếp nhận; cấp mã số hồ sơ.",
    ),
    # From NEW: a paper dossier answered at the counter instead of being received, recorded
    # (without a code or a clock) so that the printed form and the statistics exist.
    _t(
        "refuse_at_reception",
        [NEW, Status.SUBMITTED],
        Status.REFUSED,
        [RECEIVING],
        "NĐ 118/2025 Đ.17(1)(c), 17(2)(a) (Phiếu từ chối; Mẫu 03)",
        "Tại quầy: không cấp mã số hồ sơ, không tính thời hạn.",
    ),
    _t(
        "request_supplement",
        [NEW, Status.SUBMITTED],
        Status.SUPPLEMENT_AT_RECEPTION,
        [RECEIVING],
        "NĐ 118/2025 Đ.17(1)(c), 17(2)(a),(c) (Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ; Mẫu 02)",
        "Hướng dẫn một lần, đầy đủ. Tại quầy: không cấp mã số hồ sơ, không tính thời hạn.",
    ),
    _t(
        "request_supplement",
        [Status.RECEIVED, Status.PROCESSING],
        Status.SUPPLEMENT_REQUESTED,
        [RECEIVING, SPECIALIST, LEADER],
        "NĐ 118/2025 Đ.19(5); NĐ 61/2018 Đ.19(4)",
        "Không quá 03 ngày làm việc kể từ ngày tiếp nhận.",
    ),
    _t(
        "supplement_received",
        [Status.SUPPLEMENT_AT_RECEPTION],
        Status.SUBMITTED,
        [APPLICANT, RECEIVING],
        "NĐ 118/2025 Đ.17(2)",
        "Hạn tiếp nhận 08 giờ làm việc tính lại từ lúc bổ sung.",
    ),
    _t(
        "supplement_received",
        [Status.SUPPLEMENT_REQUESTED],
        Status.PROCESSING,
        [APPLICANT, RECEIVING],
        "NĐ 118/2025 Đ.19(5): thời hạn giải quyết được tính lại từ đầu",
        "Hạn mới theo chính sách đã lưu khi tiếp nhận (restart / pause / extend).",
    ),
    _t(
        "forward",
        [Status.RECEIVED, Status.PROCESSING],
        Status.PROCESSING,
        [RECEIVING, SPECIALIST, LEADER],
        "NĐ 118/2025 Đ.18, 19(1)",
        "Sang bước kế tiếp của quy trình nội bộ; hạn bước theo thời gian của bước.",
    ),
    _t(
        "consult",
        [Status.PROCESSING],
        Status.CONSULTING,
        [SPECIALIST, LEADER],
        "NĐ 118/2025 Đ.19(4)",
    ),
    _t(
        "consultation_received",
        [Status.CONSULTING],
        Status.PROCESSING,
        [SPECIALIST, LEADER],
        "NĐ 118/2025 Đ.19(4)",
    ),
    _t(
        "approve",
        [Status.PROCESSING],
        Status.APPROVED,
        [LEADER],
        "NĐ 118/2025 Đ.19(1) (trình phê duyệt)",
    ),
    _t(
        "reject_after_appraisal",
        [Status.PROCESSING, Status.CONSULTING],
        Status.REJECTED,
        [SPECIALIST, LEADER],
        "NĐ 118/2025 Đ.19(3) (Phiếu từ chối giải quyết hồ sơ)",
        "Trong thời hạn giải quyết; kết thúc xử lý.",
    ),
    _t(
        "request_financial_obligation",
        [Status.PROCESSING],
        Status.FINANCIAL_OBLIGATION,
        [SPECIALIST, LEADER, RECEIVING],
        "NĐ 118/2025 Đ.24; NĐ 61/2018 Đ.22",
    ),
    _t(
        "obligation_paid",
        [Status.FINANCIAL_OBLIGATION],
        Status.PROCESSING,
        [APPLICANT, RECEIVING, SYSTEM],
        "NĐ 118/2025 Đ.24",
    ),
    _t(
        "apologize_and_extend",
        _RUNNING,
        None,
        [RECEIVING, LEADER],
        "NĐ 118/2025 Đ.19(6), 12(5) (Phiếu đề nghị gia hạn, văn bản xin lỗi)",
        "Một lần; chậm nhất 01 ngày làm việc trước hạn; hạn mới sau hạn hiện hành; giữ hạn ban đầu.",
    ),
    _t(
        "stop",
        _BEFORE_DECISION,
        Status.STOPPED,
        [APPLICANT, RECEIVING, SPECIALIST, LEADER],
        "NĐ 118/2025 Đ.21 (Mẫu 05 Thông báo dừng giải quyết hồ sơ)",
        "Theo đề nghị của tổ chức, cá nhân đến trước khi ban hành quyết định, hoặc do cơ quan.",
    ),
    _t(
        "withdraw",
        [Status.SUBMITTED, Status.SUPPLEMENT_AT_RECEPTION],
        Status.WITHDRAWN,
        [APPLICANT],
        "NĐ 118/2025 Đ.21(2) (dừng trước khi tiếp nhận)",
    ),
    _t(
        "close_unanswered",
        [Status.SUPPLEMENT_REQUESTED, Status.SUPPLEMENT_AT_RECEPTION],
        Status.CLOSED_UNANSWERED,
        [SYSTEM, RECEIVING],
        "NĐ 118/2025 Đ.19(5)",
        "Sau 15 ngày kể từ khi thông báo bổ sung mà không hoàn thiện.",
    ),
    _t(
        "resolve",
        [Status.APPROVED],
        Status.RESOLVED,
        [LEADER, SPECIALIST],
        "NĐ 118/2025 Đ.19, 22(1)",
        "Có kết quả; thời điểm kết thúc xử lý.",
    ),
    _t(
        "return_result",
        [Status.RESOLVED],
        Status.RETURNED,
        [RECEIVING],
        "NĐ 118/2025 Đ.22",
    ),
)

ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(t.action for t in TABLE))

# Names of the actions as staff see them (buttons, timeline, messages); Vietnamese msgids, with a
# context because some are also status names ("Dừng xử lý") that translate differently.
ACTION_LABELS = {
    "submit_online": pgettext_lazy("lifecycle action", "Nộp trực tuyến"),
    "receive": pgettext_lazy("lifecycle action", "Tiếp nhận hồ sơ"),
    "refuse_at_reception": pgettext_lazy("lifecycle action", "Từ chối tiếp nhận"),
    "request_supplement": pgettext_lazy("lifecycle action", "Yêu cầu bổ sung hồ sơ"),
    "supplement_received": pgettext_lazy("lifecycle action", "Nhận hồ sơ bổ sung"),
    "forward": pgettext_lazy("lifecycle action", "Chuyển bước tiếp theo"),
    "consult": pgettext_lazy("lifecycle action", "Lấy ý kiến"),
    "consultation_received": pgettext_lazy("lifecycle action", "Đã có ý kiến"),
    "approve": pgettext_lazy("lifecycle action", "Phê duyệt"),
    "reject_after_appraisal": pgettext_lazy("lifecycle action", "Từ chối giải quyết"),
    "request_financial_obligation": pgettext_lazy("lifecycle action", "Yêu cầu thực hiện nghĩa vụ tài chính"),
    "obligation_paid": pgettext_lazy("lifecycle action", "Đã thực hiện nghĩa vụ tài chính"),
    "apologize_and_extend": pgettext_lazy("lifecycle action", "Xin lỗi và gia hạn"),
    "stop": pgettext_lazy("lifecycle action", "Dừng xử lý"),
    "withdraw": pgettext_lazy("lifecycle action", "Rút hồ sơ"),
    "close_unanswered": pgettext_lazy("lifecycle action", "Đóng hồ sơ (quá hạn bổ sung)"),
    "resolve": pgettext_lazy("lifecycle action", "Hoàn thành xử lý"),
    "return_result": pgettext_lazy("lifecycle action", "Trả kết quả"),
}


class LifecycleError(ServiceError):
    """A refused action, with a stable code and messages in Vietnamese and English."""


class ConcurrencyError(LifecycleError):
    """The dossier changed since the caller read it (the API answers 409)."""


def transition_for(action: str, from_status: str) -> Transition:
    """The row of ``action`` from ``from_status`` (``NEW`` for creation); LifecycleError if none."""
    if action not in ACTIONS:
        raise LifecycleError(
            "unknown_action", f"Thao tác không tồn tại: {action}.", f"Unknown action: {action}.", "action"
        )
    for row in TABLE:
        if row.action == action and from_status in row.from_statuses:
            return row
    raise LifecycleError(
        "transition_not_allowed",
        f"Không thể thực hiện thao tác {action} khi hồ sơ ở trạng thái {from_status}.",
        f"Action {action} is not allowed from status {from_status}.",
        "status",
    )


def check_roles(row: Transition, roles: Iterable[str]) -> str:
    """The first of ``roles`` allowed to perform ``row`` (recorded as the actor's role)."""
    for role in roles:
        if role in row.roles:
            return role
    raise LifecycleError(
        "role_not_allowed",
        f"Vai trò của bạn không được thực hiện thao tác {row.action}.",
        f"Your role may not perform {row.action}.",
        None,
    )


def allowed_actions(dossier, roles: Iterable[str]) -> list[str]:
    """Actions the holder of ``roles`` may perform on ``dossier`` now, by the table alone
    (time rules such as the 3-working-day window are checked when the action is performed)."""
    roles = set(roles)
    status = dossier.status if dossier is not None else NEW
    return list(
        dict.fromkeys(row.action for row in TABLE if status in row.from_statuses and row.roles & roles)
    )


def lifecycle_markdown() -> str:
    """``docs/lifecycle.md``: the table for lawyers and reviewers (always in Vietnamese)."""
    with translation.override("vi"):
        return _lifecycle_markdown()


def _lifecycle_markdown() -> str:
    labels = {value: str(label) for value, label in Status.choices}
    labels[NEW] = "(mới)"

    def status(s: str | None) -> str:
        return "(giữ nguyên)" if s is None else f"`{s}` {labels[s]}"

    lines = [
        "# Dossier lifecycle (quy trình giải quyết hồ sơ)",
        "",
        "Generated by `motcua lifecycledoc > docs/lifecycle.md` from `motcua.dossiers.lifecycle.TABLE`;",
        "do not edit by hand. National code = DVCQG TrangThaiHoSo of the target status (tthc-spec §2.3);",
        "a stop at the applicant's request is synced as 7 (setting `MOTCUA_APPLICANT_STOP_NATIONAL_STATUS`).",
        "",
        "| Action | From | To | National code | Who | Legal basis | Rule |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in TABLE:
        lines.append(
            "| `{}` | {} | {} | {} | {} | {} | {} |".format(
                row.action,
                "<br>".join(status(s) for s in row.from_statuses),
                status(row.to_status),
                row.national_code if row.national_code is not None else "—",
                ", ".join(sorted(row.roles)),
                row.basis,
                row.rule or "",
            )
        )
    lines += ["", "## Statuses", "", "| Status | Meaning | National code |", "|---|---|---|"]
    for value, label in labels.items():
        if value != NEW:
            lines.append(f"| `{value}` | {label} | {NATIONAL_STATUS[value]} |")
    return "\n".join(lines) + "\n"
