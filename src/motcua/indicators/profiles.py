"""Scoring profiles of the Decision 766 index, as data (tthc-spec §1.1–1.5).

A profile is a versioned set of groups and sub-indicators; each sub-indicator says how its ratio
is turned into points (``score = min(max, max · ratio / full_at)``: ``full_at = 1`` is linear,
``0.8`` means "full points at ≥ 80%"), what happens when its denominator is 0, on which scopes it
applies, and which rules are unverified.

* ``dvcqg-2026`` (default): the national portal's six display groups 18/20/12/10/18/22 with the
  formulas of the DVCQG calculation document and the reverse-engineered scores (spec §1.2–1.3).
* ``qd766-2022``: the Decision's own five groups 18/20/22/22/18 (spec §1.1). The Decision gives
  no formulas, so the sub-indicators are the same as ``dvcqg-2026``, regrouped (online services
  and online payment form the Decision's group 4, 22 points).

Parameters that the spec marks unverified [U] are profile parameters (:func:`get_profile`), and
each affected indicator's ``rule`` text carries the flag "[chưa xác minh]".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

UNVERIFIED = "[chưa xác minh / unverified]"

# Scope kinds (selectors.Scope.kind).
PROVINCE, AGENCY, ONE_STOP, COMMUNE = "province", "agency", "one_stop", "commune"
ALL_SCOPES = frozenset({PROVINCE, AGENCY, ONE_STOP, COMMUNE})
PROVINCE_ONLY = frozenset({PROVINCE})

# When the denominator is 0: ``none`` (not computable) or ``full`` (the portal gives full points,
# e.g. "6 if there are no PAKN").
EMPTY_NONE, EMPTY_FULL = "none", "full"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    max_score: float
    numerator: str
    denominator: str
    period_date: str
    full_at: float = 1.0
    when_empty: str = EMPTY_NONE
    scopes: frozenset[str] = ALL_SCOPES
    times_ratio_of: str | None = None
    notes: tuple[str, ...] = ()

    def rule(self) -> str:
        if self.full_at >= 1:
            scoring = f"điểm = {self.max_score:g} × tỷ lệ"
        else:
            scoring = (
                f"điểm = min({self.max_score:g}, {self.max_score:g} × tỷ lệ / {self.full_at:.0%}) "
                f"(đủ điểm khi ≥ {self.full_at:.0%})"
            )
        parts = [f"{self.numerator} ÷ {self.denominator}"]
        if self.times_ratio_of:
            parts.append(f"× tỷ lệ {self.times_ratio_of}")
        text = " ".join(parts) + f"; {scoring}; kỳ theo {self.period_date}"
        if self.when_empty == EMPTY_FULL:
            text += f"; mẫu số 0 → {self.max_score:g} điểm"
        if self.scopes != ALL_SCOPES:
            text += "; chỉ áp dụng cho: " + ", ".join(sorted(self.scopes))
        for note in self.notes:
            text += f"; {note}"
        return text


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    max_score: float
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Profile:
    code: str
    name: str
    groups: tuple[Group, ...]
    params: dict = field(default_factory=dict)

    @property
    def max_total(self) -> float:
        return sum(g.max_score for g in self.groups)

    def indicators(self) -> list[Indicator]:
        return [i for g in self.groups for i in g.indicators]

    def indicator(self, code: str) -> Indicator:
        for i in self.indicators():
            if i.code == code:
                return i
        raise KeyError(code)


DEFAULT_PARAMS: dict = {
    # tthc-2025-update §4: Decree 118 Art. 19(6) changes the due moment ("current"); at least one
    # production system keeps the original appointment synced ("original").
    "extension_due": "current",
    # §1.3 3.3: online dossiers of paper-result TTHC count only with an e-result, and the ratio
    # is multiplied by the sync ratio (DOSSIER_SYNC).
    "online_requires_e_result": True,
    "online_times_sync_ratio": True,
    # §1.3 4.2, open question Q3: the document says full at ≥ 80%, the fit says linear.
    "digitized_full_at": 1.0,
    # §1.2: the 2026 workbook says rows 6, 8, 9, 16, 17 do not apply to communes; the mapping of
    # those rows to codes is not published. These are the publication indicators (computed only
    # for the province, spec §1.3 1.2).
    "commune_not_applicable": ("PUBLISH_ON_TIME", "PUBLIC_UPDATE_ON_TIME", "PUBLIC_CONTENT_FULL"),
    # "By business policy the commune gets full points for non-applicable criteria" [U]:
    # "none" shows them as not computable, "full" gives the full points.
    "not_applicable_policy": "none",
}


def _indicators(params: dict) -> dict[str, Indicator]:
    ext = params["extension_due"]
    ext_note = (
        f"hồ sơ gia hạn đo theo hạn {'hiện hành (NĐ 118 Đ.19(6))' if ext == 'current' else 'ban đầu'}"
        f" — tham số extension_due={ext} {UNVERIFIED}"
    )
    dig_full = params["digitized_full_at"]
    online_num = "hồ sơ tiếp nhận trực tuyến (KenhThucHien=2)"
    if params["online_requires_e_result"]:
        online_num += " có kết quả điện tử nếu TTHC yêu cầu kết quả giấy"
    items = [
        # Group 1. Publicity and transparency (18): linear.
        Indicator(
            "PUBLISH_ON_TIME",
            "Tỷ lệ TTHC công bố đúng hạn",
            6,
            "TTHC có QĐCB ký ≤ ngày hiệu lực căn cứ − 5 ngày làm việc (một TTHC trễ một lần = trễ cả kỳ)",
            "TTHC được công bố trong kỳ",
            "ngày ký QĐCB",
            scopes=PROVINCE_ONLY,
        ),
        Indicator(
            "PUBLIC_UPDATE_ON_TIME",
            "Tỷ lệ TTHC được cập nhật, công khai đúng hạn",
            4,
            "TTHC công khai trên CSDL quốc gia ≤ ngày ký QĐCB + 5 ngày làm việc",
            "TTHC có QĐCB ký trong kỳ (đã hoặc chưa công khai)",
            "ngày ký QĐCB",
            scopes=PROVINCE_ONLY,
            notes=(
                f"TTHC chờ công khai tính theo ngày ký trong kỳ, không theo 'cuối kỳ + 5 ngày' {UNVERIFIED}",
            ),
        ),
        Indicator(
            "PUBLIC_CONTENT_FULL",
            "Tỷ lệ TTHC công khai đầy đủ các bộ phận tạo thành",
            2,
            "TTHC đang hiệu lực có đủ tên, trình tự, cách thức (căn cứ), thành phần, thời hạn, đối tượng, cơ quan",
            "TTHC đang hiệu lực",
            "thời điểm cuối kỳ (không theo kỳ)",
            scopes=PROVINCE_ONLY,
        ),
        Indicator(
            "DOSSIER_SYNC",
            "Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG",
            6,
            "hồ sơ đã đồng bộ",
            "hồ sơ tiếp nhận trong kỳ",
            "ngày tiếp nhận",
            notes=(f"mẫu số là số của hệ thống này, không lấy max(DVCQG, BCQG) {UNVERIFIED}",),
        ),
        # Group 2. Progress (20).
        Indicator(
            "ON_TIME",
            "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn",
            20,
            "hồ sơ kết thúc xử lý trong kỳ đúng hạn (trừ thời gian chờ bổ sung; bổ sung > 1 lần = quá hạn)"
            " + hồ sơ còn xử lý cuối kỳ chưa quá hạn (đang chờ bổ sung: tính tại thời điểm yêu cầu)",
            "hồ sơ kết thúc xử lý trong kỳ + hồ sơ đã tiếp nhận còn xử lý cuối kỳ",
            "ngày kết thúc xử lý (hồ sơ còn mở: cuối kỳ)",
            notes=(ext_note,),
        ),
        # Group 3a. Online public services (12): 2 + 4 + 6.
        Indicator(
            "ONLINE_TTHC",
            "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến",
            2,
            "TTHC có DVCTT một phần hoặc toàn trình",
            "TTHC thuộc thẩm quyền",
            "phiên bản hiệu lực cuối kỳ",
            full_at=0.8,
        ),
        Indicator(
            "ONLINE_SERVICE_USED",
            "Tỷ lệ DVCTT có phát sinh hồ sơ trực tuyến",
            4,
            "DVCTT có ≥ 1 hồ sơ trực tuyến tiếp nhận trong kỳ",
            "DVCTT (TTHC có mức độ trực tuyến)",
            "ngày tiếp nhận",
        ),
        Indicator(
            "ONLINE_DOSSIER",
            "Tỷ lệ hồ sơ trực tuyến",
            6,
            online_num,
            "hồ sơ tiếp nhận trong kỳ",
            "ngày tiếp nhận",
            full_at=0.5,
            times_ratio_of="DOSSIER_SYNC" if params["online_times_sync_ratio"] else None,
        ),
        # Group 3b. Online payment (10): 6 + 2 + 2.
        Indicator(
            "PAYMENT_DOSSIER",
            "Tỷ lệ hồ sơ thanh toán trực tuyến",
            6,
            "hồ sơ đã thanh toán trực tuyến",
            "hồ sơ của TTHC có phí, lệ phí",
            "ngày tiếp nhận",
            notes=(f"chưa trừ hồ sơ có mọi khoản phí = 0 (chưa có dữ liệu phí theo hồ sơ) {UNVERIFIED}",),
        ),
        Indicator(
            "PAYMENT_TTHC_USED",
            "Tỷ lệ TTHC có phí có phát sinh thanh toán trực tuyến",
            2,
            "TTHC có phí có ≥ 1 hồ sơ thanh toán trực tuyến trong kỳ",
            "TTHC có phí, lệ phí",
            "ngày tiếp nhận",
            full_at=0.8,
        ),
        Indicator(
            "PAYMENT_TTHC_INTEGRATED",
            "Tỷ lệ TTHC có phí được tích hợp thanh toán trực tuyến",
            2,
            "TTHC có phí có ≥ 1 hồ sơ đã đồng bộ trong kỳ",
            "TTHC có phí, lệ phí",
            "ngày tiếp nhận",
            full_at=0.8,
            notes=(
                f"ngưỡng 80% của hệ số C là giả định; 'hồ sơ có dữ liệu phí' xấp xỉ bằng hồ sơ đã đồng bộ {UNVERIFIED}",
            ),
        ),
        # Group 4. Satisfaction (18): 6 + 6 + 6.
        Indicator(
            "DOSSIER_RECEIVING_SATISFACTION",
            "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC",
            6,
            "hồ sơ kết thúc − hồ sơ quá hạn − hồ sơ có PAKN hoặc đánh giá không hài lòng",
            "hồ sơ kết thúc xử lý trong kỳ",
            "ngày kết thúc xử lý",
            full_at=0.9,
            notes=("Cổng DVCQG cho 0 điểm khi mẫu số 0; ở đây là không tính được (null)",),
        ),
        Indicator(
            "PETITION_PROCESSING_ON_TIME",
            "Tỷ lệ PAKN được xử lý đúng hạn",
            6,
            "PAKN xử lý đúng hạn",
            "PAKN tiếp nhận hoặc xử lý trong kỳ",
            "ngày PAKN",
            when_empty=EMPTY_FULL,
        ),
        Indicator(
            "PETITION_HANDLING_SATISFACTION",
            "Tỷ lệ hài lòng về xử lý PAKN",
            6,
            "PAKN − không hài lòng, quá hạn hoặc khiếu nại lại",
            "PAKN tiếp nhận lần đầu trong kỳ",
            "ngày PAKN",
            when_empty=EMPTY_FULL,
        ),
        # Group 5. Digitization (22): 6 + 4 + 2 + 2 + 4 + 2 + 2.
        Indicator(
            "ORIGINAL_RESULT_AVAILABLE",
            "Tỷ lệ hồ sơ có kết quả điện tử",
            6,
            "hồ sơ có kết quả điện tử",
            "hồ sơ kết thúc của TTHC yêu cầu kết quả giấy",
            "ngày kết thúc xử lý",
            notes=(f"ngày xếp kỳ (kết thúc xử lý) {UNVERIFIED}",),
        ),
        Indicator(
            "SO_HOA_GIAY_TO_GIAI_QUYET",
            "Tỷ lệ hồ sơ được số hóa",
            4,
            "hồ sơ có thành phần số hóa và có kết quả điện tử nếu TTHC yêu cầu kết quả giấy",
            "hồ sơ tiếp nhận trong kỳ",
            "ngày tiếp nhận",
            full_at=dig_full,
            notes=(
                f"tài liệu: đủ điểm ở 80%, khớp số liệu: tuyến tính — tham số digitized_full_at={dig_full:g} {UNVERIFIED}",
            ),
        ),
        Indicator(
            "ELECTRONIC_CERTIFIED_COPY",
            "Tỷ lệ chứng thực bản sao điện tử từ bản chính",
            2,
            "bản sao điện tử được chứng thực",
            "yêu cầu chứng thực",
            "ngày tiếp nhận",
            notes=(f"công thức chưa công bố {UNVERIFIED}",),
        ),
        Indicator(
            "REUSED_DIGITIZED_DATA",
            "Tỷ lệ hồ sơ tái sử dụng dữ liệu số hóa",
            2,
            "hồ sơ có ≥ 1 thành phần tái sử dụng dữ liệu số hóa",
            "hồ sơ tiếp nhận trong kỳ",
            "ngày tiếp nhận",
            full_at=0.8,
        ),
        Indicator(
            "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
            "Tỷ lệ hồ sơ kết nối kho dữ liệu cá nhân trên Cổng DVCQG",
            4,
            "hồ sơ lấy thành phần từ kho hoặc đẩy kết quả vào kho",
            "hồ sơ tiếp nhận trong kỳ",
            "ngày tiếp nhận",
            notes=(f"hệ số điểm chưa rõ, giả định tuyến tính {UNVERIFIED}",),
        ),
        Indicator(
            "CITIZEN_DATA_CONNECTED_DOSSIER",
            "Tỷ lệ hồ sơ khai thác dữ liệu dân cư",
            2,
            "hồ sơ xác thực VNeID, lấy từ kho hoặc có MaCSDL dân cư",
            "hồ sơ tiếp nhận trong kỳ",
            "ngày tiếp nhận",
            notes=(f"tuyến tính (giả định) {UNVERIFIED}",),
        ),
        Indicator(
            "CITIZEN_DATA_CONNECTED_FORMALITY",
            "Tỷ lệ TTHC khai thác dữ liệu dân cư",
            2,
            "TTHC có ≥ 1 hồ sơ khai thác dữ liệu dân cư",
            "TTHC cho công dân",
            "ngày tiếp nhận",
            notes=(f"tuyến tính (giả định) {UNVERIFIED}",),
        ),
    ]
    not_applicable = set(params["commune_not_applicable"])
    out = {}
    for ind in items:
        if ind.code in not_applicable and COMMUNE in ind.scopes:
            ind = replace(ind, scopes=ind.scopes - {COMMUNE})
        out[ind.code] = ind
    return out


def _dvcqg_2026(params: dict) -> Profile:
    i = _indicators(params)

    def g(code, name, mx, codes):
        return Group(code, name, mx, tuple(i[c] for c in codes))

    return Profile(
        "dvcqg-2026",
        "Cổng DVCQG 2026 (6 nhóm hiển thị)",
        (
            g(
                "TRANSPARENCY",
                "Công khai, minh bạch",
                18,
                ["PUBLISH_ON_TIME", "PUBLIC_UPDATE_ON_TIME", "PUBLIC_CONTENT_FULL", "DOSSIER_SYNC"],
            ),
            g("PROGRESS", "Tiến độ giải quyết", 20, ["ON_TIME"]),
            g(
                "ONLINE_SERVICE",
                "Dịch vụ công trực tuyến",
                12,
                ["ONLINE_TTHC", "ONLINE_SERVICE_USED", "ONLINE_DOSSIER"],
            ),
            g(
                "ONLINE_PAYMENT",
                "Thanh toán trực tuyến",
                10,
                ["PAYMENT_DOSSIER", "PAYMENT_TTHC_USED", "PAYMENT_TTHC_INTEGRATED"],
            ),
            g(
                "SATISFACTION",
                "Mức độ hài lòng",
                18,
                [
                    "DOSSIER_RECEIVING_SATISFACTION",
                    "PETITION_PROCESSING_ON_TIME",
                    "PETITION_HANDLING_SATISFACTION",
                ],
            ),
            g("DIGITIZATION", "Số hóa hồ sơ", 22, [c for c in i if c in _DIGITIZATION]),
        ),
        dict(params),
    )


_DIGITIZATION = (
    "ORIGINAL_RESULT_AVAILABLE",
    "SO_HOA_GIAY_TO_GIAI_QUYET",
    "ELECTRONIC_CERTIFIED_COPY",
    "REUSED_DIGITIZED_DATA",
    "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
    "CITIZEN_DATA_CONNECTED_DOSSIER",
    "CITIZEN_DATA_CONNECTED_FORMALITY",
)


def _qd766_2022(params: dict) -> Profile:
    base = {g.code: g for g in _dvcqg_2026(params).groups}
    online = base["ONLINE_SERVICE"].indicators + base["ONLINE_PAYMENT"].indicators
    return Profile(
        "qd766-2022",
        "Quyết định 766/QĐ-TTg (5 nhóm)",
        (
            Group("TRANSPARENCY", "Công khai, minh bạch", 18, base["TRANSPARENCY"].indicators),
            Group("PROGRESS", "Tiến độ, kết quả giải quyết", 20, base["PROGRESS"].indicators),
            Group("DIGITIZATION", "Số hóa hồ sơ", 22, base["DIGITIZATION"].indicators),
            Group("ONLINE", "Cung cấp dịch vụ trực tuyến", 22, online),
            Group("SATISFACTION", "Mức độ hài lòng", 18, base["SATISFACTION"].indicators),
        ),
        dict(params),
    )


PROFILES = {"dvcqg-2026": _dvcqg_2026, "qd766-2022": _qd766_2022}
DEFAULT_PROFILE = "dvcqg-2026"


def get_profile(code: str = DEFAULT_PROFILE, **params) -> Profile:
    """The profile ``code`` with ``params`` overriding :data:`DEFAULT_PARAMS` (unknown → KeyError)."""
    if code not in PROFILES:
        raise KeyError(f"Không có bộ tiêu chí {code!r}; có: {', '.join(PROFILES)}")
    unknown = set(params) - set(DEFAULT_PARAMS)
    if unknown:
        raise KeyError(f"Tham số không hợp lệ: {', '.join(sorted(unknown))}")
    merged = {**DEFAULT_PARAMS, **params}
    if merged["extension_due"] not in ("current", "original"):
        raise ValueError("extension_due phải là 'current' hoặc 'original'")
    return PROFILES[code](merged)
