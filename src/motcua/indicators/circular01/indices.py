"""Circular 01/2018 Art. 13: the nine indices (law text), how this system maps each onto its
facts (the notes appended to the ``rule`` text) and the pure scoring of one index from its counts."""

from __future__ import annotations

from fractions import Fraction

from ..profiles import UNVERIFIED
from .params import EVALUATION_FIELDS

PER_DOSSIER, PER_UNIT = "per_dossier", "per_unit"

# (code, name, basis, rule text of the law)
INDICES: tuple[tuple[str, str, str, str], ...] = (
    (
        "C01_1_TIME",
        "Thời gian giải quyết so với quy định",
        PER_DOSSIER,
        "trước hạn 2, đúng hạn 1, quá hạn 0 (tổng thời gian so với thời hạn theo quy định)",
    ),
    (
        "C01_2_AGENCY_TIME",
        "Thời gian giải quyết của từng cơ quan tham gia",
        PER_DOSSIER,
        "như chỉ số 1, cho phần thời gian của từng cơ quan tham gia giải quyết",
    ),
    (
        "C01_3_CONTACTS",
        "Số lần liên hệ để hoàn thiện hồ sơ",
        PER_DOSSIER,
        "không lần nào 2, một lần 1, hơn một lần 0 (trừ lỗi của người nộp)",
    ),
    (
        "C01_4_AGENCIES",
        "Số cơ quan phải liên hệ",
        PER_DOSSIER,
        "không phải liên hệ 2, chỉ Bộ phận Một cửa (và cơ quan thẩm tra, hội đồng theo luật) 1, hơn một 0",
    ),
    (
        "C01_5_ONE_STOP",
        "Mức độ Bộ phận Một cửa tiếp nhận, thẩm định, phê duyệt, trả kết quả tại chỗ",
        PER_UNIT,
        "2 khi ≥ 20% TTHC (cấp bộ, tỉnh), ≥ 50% (cấp huyện), 100% (cấp xã) giải quyết tại chỗ; "
        "1 khi 100% TTHC đủ điều kiện tiếp nhận và trả tại Bộ phận Một cửa; 0 nếu kém hơn",
    ),
    (
        "C01_6_PUBLICATION",
        "Công khai TTHC",
        PER_DOSSIER,
        "chính xác, đầy đủ, kịp thời bằng cả niêm yết và điện tử 2, một hình thức 1, không 0",
    ),
    (
        "C01_7_ATTITUDE",
        "Thái độ, hành vi của cán bộ",
        PER_DOSSIER,
        "trả trước hạn và không có phản ánh nhũng nhiễu 2, đúng hạn và không có phản ánh 1, "
        "có phản ánh được xác minh 0",
    ),
    (
        "C01_8_PETITIONS",
        "Tiếp nhận, xử lý phản ánh, kiến nghị",
        PER_UNIT,
        "không có PAKN hoặc 100% đúng hạn, không kéo dài 2; ≥ 90% đúng hạn 1; < 90% hoặc có vụ kéo dài 0",
    ),
    (
        "C01_9_ONLINE",
        "Dịch vụ công trực tuyến",
        PER_UNIT,
        "2 khi ≥ 20% TTHC đủ điều kiện có DVCTT mức 3, 4 và ≥ 30% hồ sơ trực tuyến và không hồ sơ "
        "trực tuyến nào quá hạn; 1 khi có DVCTT mức 3, 4, 15–30% hồ sơ trực tuyến và không quá hạn; 0",
    ),
)
INDEX_CODES = tuple(i[0] for i in INDICES)

NO_SOURCE = "chưa có nguồn dữ liệu (không tính)"


def _pct(x: Fraction) -> str:
    return f"{float(x) * 100:g}%"


def _mapping_notes(params: dict) -> dict[str, list[str]]:
    """The system's mapping of each index onto its facts: what the ``rule`` text adds."""
    ext = params["extension_due"]
    ext_note = (
        f"hồ sơ gia hạn đo theo hạn {'hiện hành' if ext == 'current' else 'ban đầu'} "
        f"(extension_due={ext}) {UNVERIFIED}"
    )
    pop = "hồ sơ kết thúc xử lý trong kỳ, trừ hồ sơ rút hoặc dừng theo đề nghị của người nộp"
    remote = ", ".join(params["remote_channels"])
    lv = params["on_the_spot_min"]
    return {
        "C01_1_TIME": [pop, "so sánh theo ngày (outcome_legal)", ext_note],
        "C01_2_AGENCY_TIME": (
            [
                pop,
                "chưa ghi nhận thời hạn của từng cơ quan: hồ sơ một cơ quan giải quyết tính như chỉ số 1, "
                f"hồ sơ liên thông không tính (index2_single_agency) {UNVERIFIED}",
                ext_note,
            ]
            if params["index2_single_agency"]
            else [NO_SOURCE + ": thời hạn của từng cơ quan tham gia"]
        ),
        "C01_3_CONTACTS": [
            pop,
            "số lần yêu cầu bổ sung khi tiếp nhận (nhật ký) và khi thẩm định (supplement_count); "
            f"chưa ghi nhận lỗi của người nộp nên mọi lần đều tính {UNVERIFIED}",
        ],
        "C01_4_AGENCIES": [
            pop,
            f"theo kênh nộp: {remote} → 2, tại quầy → 1; chưa ghi nhận cơ quan phải liên hệ thêm nên "
            f"không có điểm 0 (remote_channels) {UNVERIFIED}",
        ],
        "C01_5_ONE_STOP": [
            f"ngưỡng tỉnh {_pct(lv['province'])}, huyện {_pct(lv['district'])}, xã {_pct(lv['commune'])} "
            "(on_the_spot_min)",
        ],
        "C01_6_PUBLICATION": [],
        "C01_7_ATTITUDE": (
            [
                pop,
                "giả định không có phản ánh nhũng nhiễu: trước hạn 2, đúng hạn 1, quá hạn 0 "
                f"(assume_no_complaints) {UNVERIFIED}",
                ext_note,
            ]
            if params["assume_no_complaints"]
            else [NO_SOURCE + ": phản ánh về thái độ, nhũng nhiễu của cán bộ"]
        ),
        "C01_8_PETITIONS": _petition_notes(params, pop),
        **{code: _evaluation_notes(code, pop) for code in params["from_evaluations"]},
        "C01_9_ONLINE": [
            f"ngưỡng {_pct(params['online_tthc_min'])} TTHC, {_pct(params['online_dossier_full'])} / "
            f"{_pct(params['online_dossier_partial'])} hồ sơ",
            "mức 3, 4 = DVCTT một phần, toàn trình; mọi TTHC thuộc thẩm quyền coi là đủ điều kiện; "
            f"'quá hạn' = hồ sơ trực tuyến kết thúc quá hạn trong kỳ hoặc còn mở đã quá hạn cuối kỳ {UNVERIFIED}",
        ],
    }


def _petition_notes(params: dict, pop: str) -> list[str]:
    threshold = f"ngưỡng {_pct(params['petitions_on_time_min'])} (petitions_on_time_min)"
    if not params["index8_petitions"]:
        return [NO_SOURCE + ": PAKN (index8_petitions=False)", threshold]
    prolonged = (
        "mọi PAKN không đúng hạn"
        if params["petitions_prolonged"] == "late"
        else "PAKN còn mở đã quá hạn trả lời tại cuối kỳ"
    )
    closed = "tính là không đúng hạn" if params["petitions_closed_unanswered"] == "late" else "không tính"
    return [
        pop,
        "PAKN gắn với các hồ sơ đó (phản ánh, kiến nghị trên hệ thống), tiếp nhận trước cuối kỳ; "
        "đúng hạn = đã trả lời trước cuối kỳ, trong hạn trả lời; PAKN còn mở chưa đến hạn không tính; "
        f"PAKN không gắn hồ sơ không tính (index8_petitions) {UNVERIFIED}",
        f"vụ việc kéo dài = {prolonged} (petitions_prolonged) {UNVERIFIED}",
        "PAKN đóng mà không trả lời (rút, không thuộc thẩm quyền) "
        f"{closed} (petitions_closed_unanswered) {UNVERIFIED}",
        "chỉ tính hồ sơ biết được có hay không có PAKN (tiếp nhận trên hệ thống, hoặc nhập kèm đánh "
        "giá); có hồ sơ như vậy mà không có PAKN → 2; không có hồ sơ nào như vậy, hoặc có hồ sơ ghi "
        f"nhận có PAKN mà không có bản ghi PAKN → không tính {UNVERIFIED}",
        threshold,
    ]


def _evaluation_notes(code: str, pop: str) -> list[str]:
    letter = {"time_score": "a", "contacts_score": "c", "agencies_score": "b", "publicity_score": "d"}
    field = EVALUATION_FIELDS[code]
    notes = [
        f"từ phiếu đánh giá của người nộp (tiêu chí {letter.get(field, 'đ')}) trên {pop}, đã được đánh giá; "
        "hồ sơ chưa đánh giá không tính (from_evaluations)"
    ]
    if code == "C01_7_ATTITUDE":
        notes.append(
            "thang của phiếu (lịch sự, tận tình 2 / bình thường 1 / gây phiền hà, sách nhiễu 0) thay cho "
            f"'trước hạn và không bị phản ánh 2 / đúng hạn 1 / có phản ánh 0' {UNVERIFIED}"
        )
    if code == "C01_6_PUBLICATION":
        notes.append(
            "thang của phiếu (chính xác, đầy đủ, kịp thời 2 / chưa đầy đủ 1 / không công khai 0) thay cho "
            f"'niêm yết và điện tử 2 / một hình thức 1' {UNVERIFIED}"
        )
    return notes


def _dist(entry) -> tuple[int, int, int] | None:
    """Per-dossier distribution ``{2: a, 1: b, 0: c}`` → (a, b, c); None if missing."""
    if entry is None:
        return None
    vals = [entry.get(k, entry.get(str(k))) for k in (2, 1, 0)]
    if any(v is None for v in vals):
        return None
    return int(vals[0]), int(vals[1]), int(vals[2])


def score_per_dossier(entry) -> tuple[int | None, int | None, Fraction | None]:
    """Art. 15: (sum of points, number of dossiers, average); average None when no dossier."""
    d = _dist(entry)
    if d is None:
        return None, None, None
    a, b, c = d
    n = a + b + c
    points = 2 * a + b
    return points, n, (Fraction(points, n) if n else None)


def score_one_stop(entry, params: dict) -> tuple[int | None, int | None, Fraction | None, int | None]:
    """Index 5 from ``{tthc, on_the_spot, received_returned, level}`` → (num, den, ratio, score)."""
    if not entry or entry.get("tthc") is None or entry.get("on_the_spot") is None:
        return None, None, None, None
    n, k = int(entry["tthc"]), int(entry["on_the_spot"])
    if n == 0:
        return k, n, None, None
    ratio = Fraction(k, n)
    need = params["on_the_spot_min"].get(
        entry.get("level") or "province", params["on_the_spot_min"]["province"]
    )
    if ratio >= need:
        return k, n, ratio, 2
    returned = entry.get("received_returned")
    if returned is not None and int(returned) >= n:
        return k, n, ratio, 1
    return k, n, ratio, 0


def score_petitions(entry, params: dict) -> tuple[int | None, int | None, Fraction | None, int | None]:
    """Index 8 from ``{total, on_time, prolonged}`` → (on time, total, ratio, score); no PAKN at all
    is 2 points (the law's rule). Not computable when the entry says no dossier's PAKN fact is known
    (``dossiers`` 0) or some dossier has a PAKN whose handling is not recorded (``unrecorded``)."""
    if not entry or entry.get("total") is None or entry.get("on_time") is None:
        return None, None, None, None
    if petitions_not_computable(entry):
        return None, None, None, None
    total, on_time, prolonged = int(entry["total"]), int(entry["on_time"]), int(entry.get("prolonged") or 0)
    if total == 0:
        return on_time, total, None, 2
    ratio = Fraction(on_time, total)
    if prolonged:
        return on_time, total, ratio, 0
    if ratio == 1:
        return on_time, total, ratio, 2
    return on_time, total, ratio, 1 if ratio >= params["petitions_on_time_min"] else 0


def petitions_not_computable(entry) -> str | None:
    """Why index 8's counts cannot be scored (for the ``rule`` text), or None."""
    if not entry:
        return None
    if entry.get("unrecorded"):
        return (
            f"{entry['unrecorded']} hồ sơ được ghi nhận có PAKN nhưng không có bản ghi PAKN trên hệ thống: "
            "không biết xử lý đúng hạn hay không (không tính)"
        )
    if entry.get("dossiers") == 0:
        return "không có hồ sơ nào trong kỳ biết được có hay không có PAKN (không tính)"
    return None


def score_online(entry, params: dict) -> tuple[int | None, int | None, Fraction | None, int | None]:
    """Index 9 from ``{tthc, online_tthc, received, online, online_late}`` → (num, den, ratio, score):
    numerator/denominator are online ÷ received dossiers; not computable without TTHC or dossiers."""
    keys = ("tthc", "online_tthc", "received", "online", "online_late")
    if not entry or any(entry.get(k) is None for k in keys):
        return None, None, None, None
    tthc, online_tthc, received, online, late = (int(entry[k]) for k in keys)
    if tthc == 0 or received == 0:
        return online, received, (Fraction(online, received) if received else None), None
    share_dossiers = Fraction(online, received)
    share_tthc = Fraction(online_tthc, tthc)
    if (
        late == 0
        and share_tthc >= params["online_tthc_min"]
        and share_dossiers >= params["online_dossier_full"]
    ):
        return online, received, share_dossiers, 2
    if late == 0 and online_tthc > 0 and share_dossiers >= params["online_dossier_partial"]:
        return online, received, share_dossiers, 1
    return online, received, share_dossiers, 0
