"""Indicator facts of a finished dossier: early / on time / late (pure functions, no database).

Two rules are kept side by side (tthc-spec §1.3, §2.6; tthc-2025-update §4):

* **Legal rule** (Circular 01/2018 Art. 13, Index 1: shorter than allowed = early, equal = on
  time, longer = late), compared by **date** as the production reporting convention does:
  ``date(finished) < date(due)`` early, ``=`` on time, ``>`` late (local dates, +07:00).
* **DVCQG 766 rule** (indicator 2.1): on time when ``end ≤ due`` on full timestamps, where
  ``end`` is the end of processing minus the time spent waiting for supplements; a dossier
  closed while still waiting for a supplement is measured at the request time; **more than one
  supplement request counts as late**.

Both are computed against the current due moment (after the one extension, Decree 118/2025
Art. 19(6)) and the legal rule also against the original one (``outcome_vs_original``), because
whether the national portal accepts an extended appointment is unverified [U].
"""

from __future__ import annotations

from datetime import datetime, timedelta

from motcua.worktime.engine import TZ

EARLY, ON_TIME, LATE = "early", "on_time", "late"


def legal_outcome(finished: datetime, due: datetime | None) -> str:
    """Circular 01/2018 Art. 13 by local date; no due moment counts as on time (production rule)."""
    if due is None:
        return ON_TIME
    f, d = finished.astimezone(TZ).date(), due.astimezone(TZ).date()
    if f < d:
        return EARLY
    return ON_TIME if f == d else LATE


def portal_outcome(
    *,
    finished: datetime,
    due: datetime | None,
    paused: timedelta = timedelta(0),
    supplement_count: int = 0,
    pending_supplement_at: datetime | None = None,
) -> str:
    """DVCQG 766 indicator 2.1 (tthc-spec §1.3): ``on_time`` or ``late``."""
    if supplement_count > 1:
        return LATE
    if due is None:
        return ON_TIME
    end = pending_supplement_at if pending_supplement_at is not None else finished - paused
    return ON_TIME if end <= due else LATE


def dossier_outcomes(dossier) -> dict:
    """The outcome columns of a dossier (empty while unfinished or never received) and the facts
    derived from its other columns (``vneid_verified``)."""
    from .models import Status

    # An online applicant signed in with an electronic identity (Decree 69/2024) is VNeID-verified
    # (766 indicator 4.5); at the counter the fact is unknown unless an import or a future screen
    # records it.
    vneid = bool(dossier.applicant_identity_verified) if dossier.applicant_sign_in else dossier.vneid_verified
    if dossier.finished_at is None or dossier.received_at is None:
        return {
            "outcome_legal": "",
            "outcome_portal": "",
            "outcome_vs_original": "",
            "outcome_portal_vs_original": "",
            "vneid_verified": vneid,
        }
    # A dossier closed for an unanswered supplement (Decree 118/2025 Art. 19(5)) stopped being the
    # agency's work at the request: both rules measure it there (766: "thời điểm yêu cầu bổ sung").
    pending = dossier.supplement_requested_at if dossier.status == Status.CLOSED_UNANSWERED else None
    end = pending or dossier.finished_at
    portal = portal_outcome(
        finished=dossier.finished_at,
        due=dossier.due_at,
        paused=timedelta(minutes=dossier.paused_minutes),
        supplement_count=dossier.supplement_count,
        pending_supplement_at=pending,
    )
    # Against the original due moment (profile parameter extension_due=original): only an
    # extended dossier can differ; the same 766 rule, with the original appointment.
    vs_original = portal
    if dossier.extended:
        vs_original = portal_outcome(
            finished=dossier.finished_at,
            due=dossier.original_due_at,
            paused=timedelta(minutes=dossier.paused_minutes),
            supplement_count=dossier.supplement_count,
            pending_supplement_at=pending,
        )
    return {
        "outcome_legal": legal_outcome(end, dossier.due_at),
        "outcome_vs_original": legal_outcome(end, dossier.original_due_at or dossier.due_at),
        "outcome_portal": portal,
        "outcome_portal_vs_original": vs_original,
        "vneid_verified": vneid,
    }
