"""Evaluation of the one-stop mechanism under Circular 01/2018/TT-VPCP Arts. 13–15 (legacy profile
``circular01-2018``): nine indices scored 2, 1 or 0, averaged over dossiers, summed to a total out
of 18, and the agency classified xuất sắc / tốt / khá / trung bình / yếu.

Sources: tthc-spec §2.7 [V S20] for the nine indices, Art. 14 (which are per dossier, which per
unit) and Art. 15 (score of an index = sum over dossiers ÷ number of dossiers; agencies ≥ 15
xuất sắc, 12 to < 15 tốt, 9 to < 12 khá, 6 to < 9 trung bình, < 6 yếu). tthc-2025-update §2.10:
Decree 118/2025 has **no 2/1/0 scale** and Circular 03/2025 does not cover evaluation, so this
scale has no confirmed 2025 successor [U]; it is kept as a legacy profile beside Decision 766,
which is the operative agency evaluation.

What the law says is verified; how this system's facts are mapped onto it is not. Every mapping
choice is a parameter (:data:`DEFAULT_PARAMS`), and each affected index's ``rule`` text says
"[chưa xác minh / unverified]":

* Index 1 uses the stored legal outcome (``outcome_legal``: early 2, on time 1, late 0, by local
  date), or the outcome against the original appointment (``extension_due='original'``).
* Index 2 (each agency's share of the time): per-agency time budgets are not recorded; a dossier
  handled by one agency (not ``is_group``) is scored as index 1 (``index2_single_agency``); group
  dossiers are left out and counted in ``details``.
* Index 3 (contacts to complete the dossier): supplement requests at reception (action log) plus
  during appraisal (``supplement_count``); the "unless the applicant was at fault" exception is
  not recorded, so every request counts.
* Index 4 (agencies contacted): by channel — online, postal and at-home dossiers score 2, counter
  dossiers 1 (``remote_channels``); extra agencies contacted are not recorded, so 0 never shows.
* Indices 6 (publication) and 7 (staff attitude) are read from the applicants' evaluation forms
  (``feedback.Evaluation``, items d and đ, 2/1/0 each; Art. 14 collects them from the
  applicants) over the evaluated dossiers of the population (``from_evaluations``, which may
  also take indices 1, 3 and 4); no evaluation → not computable. Without the forms, index 7 can
  be scored from the time outcome under ``assume_no_complaints``.
* Indices 5 (end-to-end handling at the one-stop unit) and 8 (PAKN) have no fact source yet:
  not computable (``None``), never 0; :func:`evaluate` scores them when a caller supplies counts.
* Index 9 maps the old levels 3/4 to partial/full online service and treats every TTHC within
  competence as eligible.

Not computable is never 0. The total adds only computable indices (``max_total`` = 2 × their
number). ``classification`` is the Art. 15 class and is given only when all nine indices are
computable; ``classification_prorated`` classifies ``total × 18 / max_total`` and is labelled as
an estimate (tạm tính) [chưa xác minh], never as the legal class.

The scoring (:func:`evaluate`) is pure, over counts; :func:`circular01_counts` reads the counts for
a scope and period (one aggregate query over dossiers, one over their evaluations, plus
:func:`selectors.indicator_counts` for the catalogue figures); :func:`circular01_report` and :func:`rank_units` put them together.
Sums and boundaries use exact fractions, so a total of exactly 15 is xuất sắc.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from fractions import Fraction

from django.apps import apps
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from motcua.dossiers.models import Channel, Dossier, DossierAction, Status, StopInitiator

from .periods import Period, parse_period
from .profiles import UNVERIFIED, get_profile
from .selectors import Scope, indicator_counts, resolve_scope

PROFILE_CODE = "circular01-2018"
PROFILE_NAME = "Thông tư 01/2018/TT-VPCP Điều 13–15 (9 chỉ số, xếp loại cơ quan)"
INDEX_MAX = 2
NOMINAL_MAX_TOTAL = 18
RATIO_DIGITS = 4
SCORE_DIGITS = 2

# Art. 15: agency classes, highest first; a total ≥ the lower bound gets the class.
CLASSES: tuple[tuple[str, str], ...] = (
    ("xuat_sac", "Xuất sắc"),
    ("tot", "Tốt"),
    ("kha", "Khá"),
    ("trung_binh", "Trung bình"),
    ("yeu", "Yếu"),
)

DEFAULT_PARAMS: dict = {
    # Lower bounds of xuất sắc, tốt, khá, trung bình (Art. 15 [V S20]; no 2025 successor [U]).
    "thresholds": (15, 12, 9, 6),
    # The estimated class (prorated total) only with at least this many computable indices [U].
    "prorate_min_indices": 5,
    # tthc-2025-update §4: an extended dossier against its current or original due moment [U].
    "extension_due": "current",
    # Index 2: a single-agency dossier scored as index 1 [U].
    "index2_single_agency": True,
    # Index 4: channels on which the applicant contacted no agency (2 points) [U].
    "remote_channels": ("online", "postal", "at_home"),
    # Index 7: no complaint source; True scores it from the time outcome [U] (only when index 7
    # is not read from the citizens' evaluations).
    "assume_no_complaints": False,
    # Indices read from the citizens' evaluation forms (feedback.Evaluation, Decree 61 Art. 31 /
    # Decree 118 Art. 33 items, 2/1/0 each) instead of the system's facts (Art. 14: indices 1, 3,
    # 4, 6, 7 are collected from the applicants). Default: the two with no fact source.
    "from_evaluations": ("C01_6_PUBLICATION", "C01_7_ATTITUDE"),
    # Index 5 [V S20]: share of listed TTHC handled end to end for 2 points, by level.
    "on_the_spot_min": {"province": Fraction(1, 5), "district": Fraction(1, 2), "commune": Fraction(1)},
    # Index 8 [V S20]: 1 point at ≥ 90% on time.
    "petitions_on_time_min": Fraction(9, 10),
    # Index 9 [V S20]: ≥ 20% TTHC online and ≥ 30% dossiers online for 2; 15% for 1.
    "online_tthc_min": Fraction(1, 5),
    "online_dossier_full": Fraction(3, 10),
    "online_dossier_partial": Fraction(3, 20),
}


# Index → the evaluation form's item (feedback.models.CRITERIA: a, c, b, d, đ).
EVALUATION_FIELDS = {
    "C01_1_TIME": "time_score",
    "C01_3_CONTACTS": "contacts_score",
    "C01_4_AGENCIES": "agencies_score",
    "C01_6_PUBLICATION": "publicity_score",
    "C01_7_ATTITUDE": "conduct_score",
}


def get_params(**overrides) -> dict:
    """:data:`DEFAULT_PARAMS` with ``overrides`` (unknown keys → KeyError, bad values → ValueError)."""
    unknown = set(overrides) - set(DEFAULT_PARAMS)
    if unknown:
        raise KeyError(f"Tham số không hợp lệ: {', '.join(sorted(unknown))}")
    params = {**DEFAULT_PARAMS, **overrides}
    if params["extension_due"] not in ("current", "original"):
        raise ValueError("extension_due phải là 'current' hoặc 'original'")
    t = tuple(params["thresholds"])
    if len(t) != 4 or any(a <= b for a, b in zip(t, t[1:], strict=False)):
        raise ValueError("thresholds: bốn ngưỡng giảm dần (xuất sắc, tốt, khá, trung bình)")
    params["thresholds"] = t
    params["from_evaluations"] = tuple(params["from_evaluations"])
    if not set(params["from_evaluations"]) <= set(EVALUATION_FIELDS):
        raise ValueError("from_evaluations: chỉ các chỉ số " + ", ".join(EVALUATION_FIELDS))
    if params["assume_no_complaints"] and "C01_7_ATTITUDE" in params["from_evaluations"]:
        raise ValueError("assume_no_complaints: bỏ C01_7_ATTITUDE khỏi from_evaluations trước")
    return params


# ---------------------------------------------------------------------------------------------
# The nine indices
# ---------------------------------------------------------------------------------------------

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
        "C01_8_PETITIONS": [f"ngưỡng {_pct(params['petitions_on_time_min'])} (petitions_on_time_min)"],
        **{code: _evaluation_notes(code, pop) for code in params["from_evaluations"]},
        "C01_9_ONLINE": [
            f"ngưỡng {_pct(params['online_tthc_min'])} TTHC, {_pct(params['online_dossier_full'])} / "
            f"{_pct(params['online_dossier_partial'])} hồ sơ",
            "mức 3, 4 = DVCTT một phần, toàn trình; mọi TTHC thuộc thẩm quyền coi là đủ điều kiện; "
            f"'quá hạn' = hồ sơ trực tuyến kết thúc quá hạn trong kỳ hoặc còn mở đã quá hạn cuối kỳ {UNVERIFIED}",
        ],
    }


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
    """Index 8 from ``{total, on_time, prolonged}``; no PAKN at all is 2 points (the law's rule)."""
    if not entry or entry.get("total") is None or entry.get("on_time") is None:
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


def classify(total, thresholds=DEFAULT_PARAMS["thresholds"]) -> tuple[str, str] | None:
    """Art. 15 agency class of a total out of 18: (code, Vietnamese name); None for None."""
    if total is None:
        return None
    for (code, name), bound in zip(CLASSES, thresholds, strict=False):
        if total >= bound:
            return code, name
    return CLASSES[-1]


def _round(x, digits: int) -> float | None:
    return None if x is None else round(float(x), digits)


def evaluate(
    counts: Mapping, *, params: Mapping | None = None, unit: str = "province", period: str = ""
) -> dict:
    """The Circular 01/2018 evaluation of one unit and period from ``counts`` (pure).

    ``counts`` maps each index code to its facts (``None`` or missing: no fact source):
    per-dossier indices (1, 2, 3, 4, 6, 7) ``{2: a, 1: b, 0: c}`` (dossiers scoring 2, 1, 0;
    ``details`` may add keys), index 5 ``{tthc, on_the_spot, received_returned, level}``, index 8
    ``{total, on_time, prolonged}``, index 9 ``{tthc, online_tthc, received, online, online_late}``.
    """
    params = get_params(**dict(params or {}))
    notes = _mapping_notes(params)
    rows = []
    total = Fraction(0)
    computable = 0
    for code, name, basis, law in INDICES:
        entry = counts.get(code)
        if basis == PER_DOSSIER:
            num, den, score = score_per_dossier(entry)
            ratio = score
            extra = "không có hồ sơ trong kỳ (không tính)" if den == 0 else None
        else:
            fn = {"C01_5_ONE_STOP": score_one_stop, "C01_8_PETITIONS": score_petitions}.get(
                code, score_online
            )
            num, den, ratio, score = fn(entry, params)
            extra = "mẫu số 0 (không tính)" if den == 0 and score is None else None
        rule = f"Điều 13 TT 01/2018 [đã xác minh S20]: {law}; chấm {'theo từng hồ sơ, điểm = tổng điểm ÷ số hồ sơ' if basis == PER_DOSSIER else 'theo đơn vị'}"
        for note in notes[code]:
            rule += f"; {note}"
        if entry is None and NO_SOURCE not in rule:
            rule += f"; {NO_SOURCE}"
        if extra:
            rule += f"; {extra}"
        elif score is None and entry is not None:
            rule += "; mẫu số 0: không có TTHC thuộc thẩm quyền hoặc hồ sơ trong kỳ (không tính)"
        details = {}
        if isinstance(entry, Mapping):
            details = {str(k): (float(v) if isinstance(v, Fraction) else v) for k, v in entry.items()}
        if score is not None:
            total += score
            computable += 1
        rows.append(
            {
                "code": code,
                "name": name,
                "numerator": num,
                "denominator": den,
                "ratio": _round(ratio, RATIO_DIGITS),
                "score": _round(score, SCORE_DIGITS),
                "max_score": INDEX_MAX,
                "rule": rule,
                "basis": basis,
                "details": details,
            }
        )
    max_total = INDEX_MAX * computable
    complete = computable == len(INDICES)
    strict = classify(total, params["thresholds"]) if complete else None
    prorated = total * NOMINAL_MAX_TOTAL / max_total if max_total else None
    estimate = (
        classify(prorated, params["thresholds"]) if computable >= params["prorate_min_indices"] else None
    )
    return {
        "profile": PROFILE_CODE,
        "name": PROFILE_NAME,
        "unit": unit,
        "period": period,
        "total": _round(total, SCORE_DIGITS) if computable else None,
        "max_total": float(max_total),
        "nominal_max_total": float(NOMINAL_MAX_TOTAL),
        "not_computable": len(INDICES) - computable,
        "classification": strict[0] if strict else None,
        "classification_name": strict[1] if strict else None,
        "prorated_total": _round(prorated, SCORE_DIGITS),
        "classification_prorated": estimate[0] if estimate else None,
        "classification_prorated_name": estimate[1] if estimate else None,
        "classification_rule": (
            "Điều 15 TT 01/2018 [đã xác minh S20]: xuất sắc ≥ {0}; tốt {1} đến < {0}; khá {2} đến < {1}; "
            "trung bình {3} đến < {2}; yếu < {3} (thresholds); xếp loại chỉ khi tính được đủ 9 chỉ số; "
            "'tạm tính' = tổng × 18 ÷ tối đa các chỉ số tính được, khi tính được ≥ {5} chỉ số "
            "(prorate_min_indices) {4}; thang điểm này không có văn bản "
            "thay thế năm 2025 (tthc-2025-update §2.10) {4}"
        ).format(*(f"{float(t):g}" for t in params["thresholds"]), UNVERIFIED, params["prorate_min_indices"]),
        "params": _params_out(params),
        "indices": rows,
    }


def _params_out(params: dict) -> dict:
    def conv(v):
        if isinstance(v, Fraction):
            return float(v)
        if isinstance(v, tuple):
            return [conv(x) for x in v]
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        return v

    return {k: conv(v) for k, v in params.items()}


def rank_reports(reports: list[dict]) -> list[dict]:
    """Rank evaluations: by the Art. 15 total when all nine indices are computable for everyone,
    else by the prorated total (share of the points each could be scored on); units with nothing
    computable come last without a rank. Ties share nothing: then by total, then by unit code."""

    def key(r):
        p = r["prorated_total"]
        return (p is None, -(p or 0), -(r["total"] or 0), r["unit"])

    rows = [
        {
            "unit": r["unit"],
            "name": r.get("unit_name", r["unit"]),
            "total": r["total"],
            "max_total": r["max_total"],
            "prorated_total": r["prorated_total"],
            "not_computable": r["not_computable"],
            "classification": r["classification"],
            "classification_prorated": r["classification_prorated"],
        }
        for r in sorted(reports, key=key)
    ]
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank if row["prorated_total"] is not None else None
    return rows


# ---------------------------------------------------------------------------------------------
# Reading the counts (database)
# ---------------------------------------------------------------------------------------------


def circular01_counts(
    scope: Scope, period: Period, params: Mapping | None = None, *, procedure: str | None = None
) -> dict:
    """The counts :func:`evaluate` needs for ``scope`` (``selectors.Scope``) and ``period``.

    One aggregate query over dossiers (the per-dossier indices and index 9's late online
    dossiers) plus :func:`motcua.indicators.selectors.indicator_counts` for index 9's TTHC and
    dossier shares (ONLINE_TTHC; ONLINE_DOSSIER without the e-result condition).
    """
    params = get_params(**dict(params or {}))
    start, end = period.start, period.end
    outcome = "outcome_legal" if params["extension_due"] == "current" else "outcome_vs_original"
    due = "due_at" if params["extension_due"] == "current" else "original_due_at"
    population = Q(received_at__isnull=False, finished_at__gte=start, finished_at__lt=end) & ~(
        Q(status=Status.WITHDRAWN) | Q(status=Status.STOPPED, stop_initiator=StopInitiator.APPLICANT)
    )
    early, on_time, late = (Q(**{outcome: v}) for v in ("early", "on_time", "late"))
    single = Q(is_group=False)
    remote = Q(channel__in=list(params["remote_channels"]))
    at_reception = (
        DossierAction.objects.filter(
            dossier_id=OuterRef("pk"),
            action="request_supplement",
            to_status=Status.SUPPLEMENT_AT_RECEPTION,
        )
        .order_by()
        .values("dossier_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    online = Q(channel=Channel.ONLINE)
    finished_late = Q(received_at__isnull=False, finished_at__gte=start, finished_at__lt=end) & late
    open_overdue = (
        Q(received_at__isnull=False, received_at__lt=end)
        & (Q(finished_at__isnull=True) | Q(finished_at__gte=end))
        & Q(**{f"{due}__lt": end})
    )

    qs = Dossier.objects.filter(scope.dossier_q())
    if procedure:
        qs = qs.filter(procedure_version__procedure__code=procedure)
    evaluated = _evaluation_counts(qs.filter(population), params["from_evaluations"])
    qs = qs.annotate(
        contacts=Coalesce(Subquery(at_reception, output_field=IntegerField()), Value(0))
        + F("supplement_count")
    )
    c = qs.aggregate(
        t2=Count("pk", filter=population & early),
        t1=Count("pk", filter=population & on_time),
        t0=Count("pk", filter=population & late),
        a2=Count("pk", filter=population & single & early),
        a1=Count("pk", filter=population & single & on_time),
        a0=Count("pk", filter=population & single & late),
        group=Count("pk", filter=population & ~single),
        c2=Count("pk", filter=population & Q(contacts=0)),
        c1=Count("pk", filter=population & Q(contacts=1)),
        c0=Count("pk", filter=population & Q(contacts__gt=1)),
        g2=Count("pk", filter=population & remote),
        g1=Count("pk", filter=population & ~remote),
        online_late=Count("pk", filter=online & (finished_late | open_overdue)),
    )
    base = indicator_counts(
        scope, period, get_profile("dvcqg-2026", online_requires_e_result=False), procedure=procedure
    )
    tthc, dossiers = base.get("ONLINE_TTHC") or {}, base.get("ONLINE_DOSSIER") or {}
    time = {2: c["t2"], 1: c["t1"], 0: c["t0"]}
    counts = {
        "C01_1_TIME": time,
        "C01_2_AGENCY_TIME": (
            {2: c["a2"], 1: c["a1"], 0: c["a0"], "group_excluded": c["group"]}
            if params["index2_single_agency"]
            else None
        ),
        "C01_3_CONTACTS": {2: c["c2"], 1: c["c1"], 0: c["c0"]},
        "C01_4_AGENCIES": {2: c["g2"], 1: c["g1"], 0: 0},
        "C01_5_ONE_STOP": None,
        "C01_6_PUBLICATION": None,
        "C01_7_ATTITUDE": dict(time) if params["assume_no_complaints"] else None,  # unless evaluated
        "C01_8_PETITIONS": None,
        "C01_9_ONLINE": {
            "tthc": tthc.get("denominator"),
            "online_tthc": tthc.get("numerator"),
            "received": dossiers.get("denominator"),
            "online": dossiers.get("numerator"),
            "online_late": c["online_late"],
        },
    }
    counts.update(evaluated)
    return counts


def _evaluation_counts(dossiers, codes: tuple[str, ...]) -> dict:
    """Per-index 2/1/0 distributions from the citizens' evaluations of ``dossiers`` (one query);
    ``None`` per index when the evaluation app is not installed."""
    if not codes:
        return {}
    if not apps.is_installed("motcua.feedback"):
        return dict.fromkeys(codes)
    from motcua.feedback.models import Evaluation

    agg = Evaluation.objects.filter(dossier__in=dossiers.values("pk")).aggregate(
        **{
            f"{code}__{p}": Count("pk", filter=Q(**{EVALUATION_FIELDS[code]: p}))
            for code in codes
            for p in (2, 1, 0)
        }
    )
    return {code: {p: agg[f"{code}__{p}"] for p in (2, 1, 0)} for code in codes}


def circular01_report(
    scope: Scope, period: Period | str, params: Mapping | None = None, *, procedure: str | None = None
) -> dict:
    """The evaluation of ``scope`` for ``period`` (a :class:`periods.Period` or its label)."""
    if isinstance(period, str):
        period = parse_period(period)
    params = get_params(**dict(params or {}))
    counts = circular01_counts(scope, period, params, procedure=procedure)
    report = evaluate(counts, params=params, unit=scope.label, period=period.label)
    report["unit_name"] = scope.agency.name if getattr(scope, "agency", None) else "Toàn tỉnh"
    if procedure:
        report["procedure"] = procedure
    return report


def rank_units(scopes: list[Scope], period: Period | str, params: Mapping | None = None) -> list[dict]:
    """Units ranked by their Circular 01/2018 evaluation (see :func:`rank_reports`)."""
    if isinstance(period, str):
        period = parse_period(period)
    return rank_reports([circular01_report(s, period, params) for s in scopes])


def render_table(report: dict) -> str:
    """The evaluation as a Vietnamese text table (``motcua indicators --format table``)."""

    def num(x):
        if x is None:
            return "—"
        return f"{x:.2f}".rstrip("0").rstrip(".") if isinstance(x, float) else str(x)

    lines = [
        f"Đánh giá theo {PROFILE_NAME} — đơn vị {report['unit']} — kỳ {report['period']}",
        f"Tổng điểm: {num(report['total'])} / {num(report['max_total'])} (tối đa 18; "
        f"{report['not_computable']} chỉ số không tính được)",
        f"Xếp loại: {report['classification_name'] or '— (chưa đủ 9 chỉ số)'}; "
        f"tạm tính: {report['classification_prorated_name'] or '—'} "
        f"({num(report['prorated_total'])} / 18) {UNVERIFIED}",
        "",
        f"{'Chỉ số':<62} {'Tử số':>8} {'Mẫu số':>8} {'Tỷ lệ':>8} {'Điểm':>6} {'Tối đa':>6}",
    ]
    for i in report["indices"]:
        name = f"{i['code']} {i['name']}"
        if len(name) > 62:
            name = name[:61] + "…"
        lines.append(
            f"{name:<62} {num(i['numerator']):>8} {num(i['denominator']):>8} {num(i['ratio']):>8} "
            f"{num(i['score']):>6} {i['max_score']:>6}"
        )
    lines.append("")
    lines.append(
        "— : không tính được (chưa có nguồn dữ liệu hoặc mẫu số 0); quy tắc từng chỉ số: --format json"
    )
    return "\n".join(lines)


def compare_reports(current: dict, previous: dict) -> dict:
    """Cùng kỳ: the change in total, per index and in class between two evaluations; a change is
    None when either side is not computable, ``comparable`` False when the computable indices differ."""

    def delta(a, b):
        return None if a is None or b is None else round(a - b, SCORE_DIGITS)

    prev = {i["code"]: i for i in previous["indices"]}

    def computable(r):
        return {i["code"] for i in r["indices"] if i["score"] is not None}

    return {
        "profile": PROFILE_CODE,
        "unit": current["unit"],
        "period": current["period"],
        "previous_period": previous["period"],
        "total": current["total"],
        "previous_total": previous["total"],
        "change": delta(current["total"], previous["total"]),
        "prorated_change": delta(current["prorated_total"], previous["prorated_total"]),
        "classification_prorated": current["classification_prorated"],
        "previous_classification_prorated": previous["classification_prorated"],
        "comparable": computable(current) == computable(previous),
        "indices": [
            {
                "code": i["code"],
                "score": i["score"],
                "previous_score": prev[i["code"]]["score"],
                "change": delta(i["score"], prev[i["code"]]["score"]),
            }
            for i in current["indices"]
        ],
        "current": current,
        "previous": previous,
    }


def render_comparison(cmp: dict) -> str:
    def num(x):
        return "—" if x is None else f"{x:g}"

    lines = [f"Cùng kỳ: {cmp['period']} so với {cmp['previous_period']}"]
    for i in cmp["indices"]:
        change = "—" if i["change"] is None else f"{i['change']:+.2f}"
        lines.append(f"{i['code']:<22} {num(i['score']):>6} {num(i['previous_score']):>6} {change:>7}")
    change = "—" if cmp["change"] is None else f"{cmp['change']:+.2f}"
    lines.append(f"{'Tổng':<22} {num(cmp['total']):>6} {num(cmp['previous_total']):>6} {change:>7}")
    if not cmp["comparable"]:
        lines.append("* hai kỳ không tính được cùng các chỉ số: thay đổi chỉ mang tính tham khảo")
    return "\n".join(lines)


def render_ranking(rows: list[dict], period: str) -> str:
    lines = [
        f"Xếp hạng theo TT 01/2018 — kỳ {period}",
        f"{'Hạng':>4} {'Đơn vị':<22} {'Tổng':>6} {'Tạm tính/18':>11} {'Xếp loại':<12}",
    ]
    for r in rows:
        cls = r["classification"] or (
            f"({r['classification_prorated']})" if r["classification_prorated"] else "—"
        )
        lines.append(
            f"{r['rank'] or '—':>4} {r['unit']:<22} {r['total'] if r['total'] is not None else '—':>6} "
            f"{r['prorated_total'] if r['prorated_total'] is not None else '—':>11} {cls:<12}"
        )
    return "\n".join(lines)


def run_command(
    stdout,
    *,
    units: str,
    period: Period,
    fmt: str,
    extension_due: str,
    procedure: str | None,
    compare: bool = False,
) -> None:
    """``motcua indicators --profile circular01-2018``: one unit's evaluation, or a ranking when
    ``--unit`` lists several codes separated by commas."""
    params = {"extension_due": extension_due}
    codes = [c.strip() for c in units.split(",") if c.strip()]
    scopes = [resolve_scope(c) for c in codes]
    if len(scopes) > 1:
        rows = rank_units(scopes, period, params)
        out = {"profile": PROFILE_CODE, "period": period.label, "ranking": rows}
        stdout.write(
            json.dumps(out, ensure_ascii=False, indent=2)
            if fmt == "json"
            else render_ranking(rows, period.label)
        )
        return
    report = circular01_report(scopes[0], period, params, procedure=procedure)
    if compare:
        previous = circular01_report(scopes[0], period.previous_year(), params, procedure=procedure)
        cmp = compare_reports(report, previous)
        if fmt == "json":
            stdout.write(json.dumps(cmp, ensure_ascii=False, indent=2))
        else:
            stdout.write(render_table(report) + "\n\n" + render_comparison(cmp))
        return
    stdout.write(json.dumps(report, ensure_ascii=False, indent=2) if fmt == "json" else render_table(report))
