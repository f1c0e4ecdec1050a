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
* Index 5 (end-to-end handling at the one-stop unit) has no fact source yet: not computable
  (``None``), never 0; :func:`evaluate` scores it when a caller supplies counts.
* Index 8 (PAKN, per unit) is read from the PAKN (``feedback.Petition``) linked to the
  population's dossiers (``index8_petitions``): received before the period end; on time =
  answered before the end within the answer deadline; a PAKN still open and not yet due is left
  out; one open past its deadline at the end is late and a prolonged case
  (``petitions_prolonged='open_overdue'``; ``'late'`` makes every late one prolonged); one closed
  without an answer is left out (``petitions_closed_unanswered``). PAKN not linked to a dossier
  (about a regulation or procedure) are not counted.
  "No PAKN" scores 2 under the law, so it is claimed only where the absence is a recorded fact:
  a dossier's PAKN fact is known when it was received on this system (PAKN are filed through the
  feedback app, which sets ``Dossier.petition``) or imported with its evaluation (``evaluated``,
  the import's ``{satisfied, petition}``); other dossiers are left out (``unknown``). No dossier
  with a known fact → not computable (never 2 by default, never 0); a dossier flagged
  ``petition`` with no PAKN record here (imported) → not computable, as its handling is unknown.
* Index 9 maps the old levels 3/4 to partial/full online service and treats every TTHC within
  competence as eligible.

Not computable is never 0. The total adds only computable indices (``max_total`` = 2 × their
number). ``classification`` is the Art. 15 class and is given only when all nine indices are
computable; ``classification_prorated`` classifies ``total × 18 / max_total`` and is labelled as
an estimate (tạm tính) [chưa xác minh], never as the legal class.

The package, by responsibility (every public name is re-exported here):

* ``params``: constants, the Art. 15 classes, :data:`DEFAULT_PARAMS` and :func:`get_params`;
* ``indices``: the nine indices (law text), the mapping notes added to each ``rule`` and the pure
  scoring of one index from its counts;
* ``scoring``: :func:`evaluate` (pure, over counts), :func:`classify`, :func:`rank_reports`,
  :func:`compare_reports`;
* ``counts``: :func:`circular01_counts` reads the counts for a scope and period (one aggregate
  query over dossiers, one over their evaluations, plus :func:`selectors.indicator_counts` for the
  catalogue figures); :func:`circular01_report` and :func:`rank_units` put them together;
* ``render``: the text tables and the ``motcua indicators --profile circular01-2018`` command.

Sums and boundaries use exact fractions, so a total of exactly 15 is xuất sắc.
"""

from __future__ import annotations

from ..profiles import UNVERIFIED
from .counts import circular01_counts, circular01_report, rank_units
from .indices import (
    INDEX_CODES,
    INDICES,
    NO_SOURCE,
    PER_DOSSIER,
    PER_UNIT,
    score_one_stop,
    score_online,
    score_per_dossier,
    score_petitions,
)
from .params import (
    CLASSES,
    DEFAULT_PARAMS,
    EVALUATION_FIELDS,
    INDEX_MAX,
    NOMINAL_MAX_TOTAL,
    PROFILE_CODE,
    PROFILE_NAME,
    RATIO_DIGITS,
    SCORE_DIGITS,
    get_params,
)
from .render import render_comparison, render_ranking, render_table, run_command
from .scoring import classify, compare_reports, evaluate, rank_reports

__all__ = [
    "CLASSES",
    "DEFAULT_PARAMS",
    "EVALUATION_FIELDS",
    "INDEX_CODES",
    "INDEX_MAX",
    "INDICES",
    "NOMINAL_MAX_TOTAL",
    "NO_SOURCE",
    "PER_DOSSIER",
    "PER_UNIT",
    "PROFILE_CODE",
    "PROFILE_NAME",
    "RATIO_DIGITS",
    "SCORE_DIGITS",
    "UNVERIFIED",
    "circular01_counts",
    "circular01_report",
    "classify",
    "compare_reports",
    "evaluate",
    "get_params",
    "rank_reports",
    "rank_units",
    "render_comparison",
    "render_ranking",
    "render_table",
    "run_command",
    "score_one_stop",
    "score_online",
    "score_per_dossier",
    "score_petitions",
]
