"""Rollups of the dossier facts for the 766 report (issue 6 point 5).

:class:`Rollup` holds counts per (grain, day, receiving unit, resolving agency, procedure version,
channel); :class:`DossierRollupState` is, per dossier, exactly what that dossier currently
contributes, so that any later change (a move between buckets, a new due moment, a finish) is
applied as "minus the old contribution, plus the new one" — see :mod:`motcua.indicators.rollups`.
"""

from django.db import models

# The counters of a rollup row (all "number of dossiers"). Which day a counter is booked on:
#   R = the local day of reception, F = the local day of the end of processing, S = a stop day
#   (see rollups.py). Prefix counters are summed over all days before the period end.
COUNTERS: tuple[str, ...] = (
    # Received in the period (R).
    "received",
    "synced",
    "online",
    "online_e_ok",
    "digitized_e_ok",
    "fee",
    "paid",
    "paid_any",
    "reused",
    "reused_known",
    "store",
    "store_known",
    "citizen",
    "citizen_known",
    # Finished in the period (F).
    "finished",
    "fin_on_time",
    "fin_on_time_orig",
    "paper_finished",
    "paper_e_result",
    "sat_ok",
    "sat_known",
    # Open at the period end (prefix sums; start on R, stop on S).
    "open_stop",
    "oot_start",
    "oot_stop",
    "oot_orig_start",
    "oot_orig_stop",
)


class Grain(models.TextChoices):
    DAY = "D", "Ngày"
    MONTH = "M", "Tháng"


class Rollup(models.Model):
    """Số liệu tổng hợp theo ngày/tháng: counts of dossiers per bucket (no personal data).

    On PostgreSQL, migration 0004 adds the partial covering index ``indicators_rollup_month_open``
    on ``(day) INCLUDE (the bucket's unit/agency/version ids and the "open at the end" counters)
    WHERE grain = 'M'``: the prefix sums of ``selectors.before_sums`` read the whole history of
    month rows as an index-only scan. It is not declared in ``Meta.indexes`` (SQLite has no
    ``INCLUDE``), so Django does not know it: keep the migration's column list in step with
    ``selectors.rollup_columns`` ("before")."""

    grain = models.CharField("mức tổng hợp", max_length=1, choices=Grain.choices)
    day = models.DateField("ngày (đầu tháng với mức tháng)")
    receiving_unit = models.ForeignKey(
        "org.Agency",
        verbose_name="bộ phận tiếp nhận",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    resolving_agency = models.ForeignKey(
        "org.Agency",
        verbose_name="cơ quan giải quyết",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        verbose_name="phiên bản thủ tục",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    channel = models.CharField("kênh nộp", max_length=10)

    received = models.IntegerField(default=0)
    synced = models.IntegerField(default=0)
    online = models.IntegerField(default=0)
    online_e_ok = models.IntegerField(default=0)
    digitized_e_ok = models.IntegerField(default=0)
    fee = models.IntegerField(default=0)
    paid = models.IntegerField(default=0)
    paid_any = models.IntegerField(default=0)
    reused = models.IntegerField(default=0)
    reused_known = models.IntegerField(default=0)
    store = models.IntegerField(default=0)
    store_known = models.IntegerField(default=0)
    citizen = models.IntegerField(default=0)
    citizen_known = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)
    fin_on_time = models.IntegerField(default=0)
    fin_on_time_orig = models.IntegerField(default=0)
    paper_finished = models.IntegerField(default=0)
    paper_e_result = models.IntegerField(default=0)
    sat_ok = models.IntegerField(default=0)
    sat_known = models.IntegerField(default=0)
    open_stop = models.IntegerField(default=0)
    oot_start = models.IntegerField(default=0)
    oot_stop = models.IntegerField(default=0)
    oot_orig_start = models.IntegerField(default=0)
    oot_orig_stop = models.IntegerField(default=0)

    class Meta:
        verbose_name = "số liệu tổng hợp chỉ số"
        verbose_name_plural = "số liệu tổng hợp chỉ số"
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "day", "receiving_unit", "resolving_agency", "procedure_version", "channel"],
                name="indicators_rollup_bucket",
            )
        ]
        # A unit's report reads its own rows (one-stop unit: received; agency: resolved).
        indexes = [
            models.Index(fields=["receiving_unit", "grain", "day"], name="indicators_rollup_receiving"),
            models.Index(fields=["resolving_agency", "grain", "day"], name="indicators_rollup_resolving"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} {self.receiving_unit_id}/{self.resolving_agency_id}/{self.procedure_version_id}"


class DossierRollupState(models.Model):
    """What one dossier currently adds to :class:`Rollup` (its bucket and its days and flags)."""

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name="hồ sơ",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    receiving_unit_id = models.IntegerField()
    resolving_agency_id = models.IntegerField()
    procedure_version_id = models.IntegerField()
    channel = models.CharField(max_length=10)
    received_day = models.DateField(null=True)
    finished_day = models.DateField(null=True)
    open_stop_day = models.DateField(null=True)
    oot_stop_day = models.DateField(null=True)
    oot_orig_stop_day = models.DateField(null=True)
    flags = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "đóng góp của hồ sơ vào số liệu tổng hợp"
        verbose_name_plural = "đóng góp của hồ sơ vào số liệu tổng hợp"

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.received_day}–{self.finished_day}"
