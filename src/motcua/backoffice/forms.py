"""Forms of the staff pages. They parse and check the shape of input; the rules of reception and
of each action are the services' (design §3.2), whose errors are mapped back onto fields."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Component, ProcedureCase
from motcua.dossiers.identity import IdentityKind, normalise_number, validate_identity
from motcua.dossiers.models import ApplicantType, Channel, Sex
from motcua.worktime.engine import TZ

from .uploads import check_scan

COUNTER_CHANNELS = [(c.value, c.label) for c in (Channel.DIRECT, Channel.POSTAL, Channel.AT_HOME)]
OUTCOMES = [
    ("receive", _("Tiếp nhận hồ sơ")),
    ("request_supplement", _("Yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)")),
    ("refuse", _("Từ chối tiếp nhận (Mẫu 03)")),
]
OUTCOME_ACTIONS = {"request_supplement": "request_supplement", "refuse": "refuse_at_reception"}


def new_token() -> str:
    return uuid.uuid4().hex


def parse_items(text: str) -> list[dict[str, str]]:
    """Supplement items, one a line: ``paper | reason`` (the reason may be omitted)."""
    items = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, _sep, reason = line.partition("|")
        items.append({"name": name.strip(), "reason": reason.strip()})
    return items


class IntakeForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=100)
    applicant_type = forms.ChoiceField(
        label=_("Loại người nộp"), choices=ApplicantType.choices, initial=ApplicantType.CITIZEN
    )
    name = forms.CharField(label=_("Họ tên / tên tổ chức"), max_length=250)
    id_kind = forms.ChoiceField(
        label=_("Loại giấy tờ"), choices=IdentityKind.choices, initial=IdentityKind.CCCD
    )
    id_number = forms.CharField(label=_("Số giấy tờ"), max_length=20)
    birth_date = forms.DateField(
        label=_("Ngày sinh"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = forms.ChoiceField(label=_("Giới tính"), choices=[("", "—"), *Sex.choices], required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=30, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    case = forms.ModelChoiceField(
        label=_("Thủ tục, trường hợp"),
        queryset=ProcedureCase.objects.filter(
            version__valid_to__isnull=True, version__procedure__abolished_on__isnull=True
        ).select_related("version__procedure"),
        widget=forms.HiddenInput,
        error_messages={"required": _("Hãy chọn thủ tục và trường hợp.")},
    )
    channel = forms.ChoiceField(
        label=_("Hình thức nộp"), choices=COUNTER_CHANNELS, initial=Channel.DIRECT, widget=forms.RadioSelect
    )
    commune = forms.CharField(label=_("Xã, phường giải quyết (phi địa giới)"), required=False)
    outcome = forms.ChoiceField(
        label=_("Kết quả tại quầy"), choices=OUTCOMES, initial="receive", widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Lý do"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    items = forms.CharField(
        label=_("Giấy tờ cần bổ sung (mỗi dòng: giấy tờ | lý do)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, files=None, **kwargs):
        super().__init__(*args, files=files, **kwargs)
        self.component_rows: list[dict] = []
        self.component_errors: dict[int, list[str]] = {}
        # Find a returning applicant by number: the page fills the fields from their last dossier.
        self.fields["id_number"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("backoffice:intake_applicant"),
                "hx-trigger": "change",
                "hx-target": "#applicant-fields",
                "hx-swap": "outerHTML",
                "hx-include": "#applicant-fields",
            }
        )

    def clean_id_number(self):
        return normalise_number(self.cleaned_data["id_number"])

    def clean(self):
        data = super().clean()
        if data.get("id_number") and data.get("id_kind"):
            try:
                validate_identity(
                    kind=data["id_kind"],
                    number=data["id_number"],
                    birth_date=data.get("birth_date"),
                    sex=data.get("sex") or None,
                    applicant_type=data.get("applicant_type"),
                )
            except ValidationError as exc:
                for field, errors in exc.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
        case = data.get("case")
        if case is not None:
            self._clean_components(case, data.get("outcome") or "receive")
        return data

    def _clean_components(self, case: ProcedureCase, outcome: str) -> None:
        """Tick, copies and scans of each catalog component (``comp_<id>``, ``orig_<id>``,
        ``copy_<id>``, ``file_<id>`` — several files allowed)."""
        missing = []
        for comp in Component.objects.filter(case=case).order_by("order"):
            ticked = bool(self.data.get(f"comp_{comp.pk}"))
            files = self.files.getlist(f"file_{comp.pk}") if self.files else []
            errors = []
            for f in files:
                try:
                    check_scan(f)
                except ValidationError as exc:
                    errors.extend(exc.messages)
            if errors:
                self.component_errors[comp.pk] = errors
            if comp.mandatory and not ticked:
                missing.append(comp)
            if ticked:
                self.component_rows.append(
                    {
                        "component": comp,
                        "originals": _count(self.data.get(f"orig_{comp.pk}"), comp.originals),
                        "copies": _count(self.data.get(f"copy_{comp.pk}"), comp.copies),
                        "files": files,
                    }
                )
        if self.component_errors:
            self.add_error(None, _("Có tệp quét không hợp lệ; xem ghi chú ở từng thành phần."))
        if missing and outcome == "receive":
            for comp in missing:
                self.component_errors.setdefault(comp.pk, []).append(str(_("Thành phần bắt buộc chưa có.")))
            self.add_error(
                None,
                _(
                    "Còn %(n)s thành phần bắt buộc chưa có: hãy đánh dấu đủ, hoặc chọn yêu cầu bổ sung "
                    "hoặc từ chối tiếp nhận."
                )
                % {"n": len(missing)},
            )

    def applicant(self) -> dict:
        d = self.cleaned_data
        keys = (
            "applicant_type",
            "name",
            "id_kind",
            "id_number",
            "birth_date",
            "sex",
            "phone",
            "email",
            "address",
        )
        return {k: d[k] for k in keys if d.get(k) not in (None, "")}

    def components(self) -> list[dict]:
        """Component dicts for the service: one row per paper, extra rows for extra files."""
        rows = []
        for row in self.component_rows:
            comp, files = row["component"], row["files"] or [None]
            for n, f in enumerate(files, start=1):
                first = n == 1
                rows.append(
                    {
                        "component": comp,
                        "name": comp.name if first else f"{comp.name} (tệp {n})",
                        "originals": row["originals"] if first else 0,
                        "copies": row["copies"] if first else 0,
                        "file": f,
                    }
                )
        return rows


def _count(value, default: int) -> int:
    try:
        return max(0, min(99, int(value)))
    except (TypeError, ValueError):
        return default


# --- dossier actions -------------------------------------------------------------------------


class ActionForm(forms.Form):
    """What every action posts: the version read, a one-time key and a reason."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    token = forms.CharField(widget=forms.HiddenInput, max_length=100)
    reason = forms.CharField(
        label=_("Lý do / ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def payload(self) -> dict:
        return {}


class SupplementForm(ActionForm):
    items = forms.CharField(
        label=_("Giấy tờ cần bổ sung (mỗi dòng: giấy tờ | lý do)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def payload(self) -> dict:
        items = parse_items(self.cleaned_data.get("items", ""))
        return {"items": items} if items else {}


class ExtendForm(ActionForm):
    new_due_date = forms.DateField(
        label=_("Ngày hẹn trả mới"), widget=forms.DateInput(attrs={"type": "date"})
    )
    new_due_time = forms.TimeField(
        label=_("Giờ"), initial=dt.time(16, 30), widget=forms.TimeInput(attrs={"type": "time"})
    )

    def payload(self) -> dict:
        moment = dt.datetime.combine(self.cleaned_data["new_due_date"], self.cleaned_data["new_due_time"], TZ)
        return {"new_due_at": moment.isoformat()}


class ForwardForm(ActionForm):
    assignee = forms.TypedChoiceField(
        label=_("Người xử lý tiếp"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, assignees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("— Không chỉ định —")), *assignees]

    def payload(self) -> dict:
        a = self.cleaned_data.get("assignee")
        return {"assignee_id": a} if a else {}


class StopForm(ActionForm):
    initiator = forms.ChoiceField(
        label=_("Bên đề nghị dừng"),
        choices=[("agency", _("Cơ quan giải quyết")), ("applicant", _("Tổ chức, cá nhân đề nghị"))],
    )

    def payload(self) -> dict:
        return {"initiator": self.cleaned_data["initiator"]}


class ReturnForm(ActionForm):
    """Decree 118/2025 Art. 22: who collected the result, or the postal dispatch."""

    method = forms.ChoiceField(
        label=_("Hình thức trả"),
        choices=[("counter", _("Trực tiếp tại quầy")), ("postal", _("Qua bưu chính công ích"))],
        widget=forms.RadioSelect,
        initial="counter",
    )
    collector_name = forms.CharField(label=_("Người nhận kết quả"), max_length=250, required=False)
    collector_id_number = forms.CharField(label=_("Số giấy tờ người nhận"), max_length=20, required=False)
    relation = forms.ChoiceField(
        label=_("Quan hệ"),
        choices=[("applicant", _("Chính chủ hồ sơ")), ("proxy", _("Người được ủy quyền"))],
        required=False,
    )
    originals_returned = forms.BooleanField(label=_("Đã trả lại bản chính giấy tờ"), required=False)
    postal_tracking = forms.CharField(label=_("Số hiệu bưu gửi"), max_length=60, required=False)

    def clean(self):
        data = super().clean()
        if data.get("method") == "postal":
            if not (data.get("postal_tracking") or "").strip():
                self.add_error("postal_tracking", _("Hãy nhập số hiệu bưu gửi."))
        elif not (data.get("collector_name") or "").strip():
            self.add_error("collector_name", _("Hãy nhập họ tên người nhận kết quả."))
        return data

    def payload(self) -> dict:
        d = self.cleaned_data
        if d["method"] == "postal":
            return {"return_method": "postal", "postal_tracking": d["postal_tracking"].strip()}
        return {
            "return_method": "counter",
            "collector": {
                "name": d["collector_name"].strip(),
                "id_number": d.get("collector_id_number", "").strip(),
                "relation": d.get("relation") or "applicant",
            },
            "originals_returned": bool(d.get("originals_returned")),
        }


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "request_supplement": SupplementForm,
    "apologize_and_extend": ExtendForm,
    "forward": ForwardForm,
    "stop": StopForm,
    "return_result": ReturnForm,
}
