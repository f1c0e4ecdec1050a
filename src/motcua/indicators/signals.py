"""Receivers that keep the rollups up to date in the same transaction as each action.

``dossiers.services`` writes a dossier with ``save()`` when it creates it and with a conditional
``UPDATE`` for every later action, and always appends a :class:`DossierAction` row with
``create()`` in the same transaction: ``post_save`` on both models covers every write path of
the services (and of code that saves dossiers directly). :func:`rollup_sync` is idempotent, so a
dossier seen twice in one action costs one state read and no write.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.models import Dossier, DossierAction

from .rollups import clear_version_cache, rollup_forget, rollup_sync


@receiver(pre_save, sender=Dossier, dispatch_uid="indicators_dossier_rules_facts")
def dossier_rules_facts(sender, instance: Dossier, raw=False, **kwargs):
    """At creation, the dossier keeps whether its procedure version required a paper result and
    bore a fee (the rules snapshot, design §3.7); an import or the simulator may set them."""
    if raw or not instance._state.adding:
        return
    if instance.paper_result_required is None or instance.fee_bearing is None:
        version = instance.procedure_version  # cached on the instance by the services
        if instance.paper_result_required is None:
            instance.paper_result_required = version.paper_result_required
        if instance.fee_bearing is None:
            instance.fee_bearing = version.fee_bearing


@receiver(post_save, sender=Dossier, dispatch_uid="indicators_rollup_dossier")
def rollup_on_dossier_save(sender, instance: Dossier, created=False, raw=False, **kwargs):
    if not raw:
        rollup_sync([instance], created=created)


@receiver(post_delete, sender=Dossier, dispatch_uid="indicators_rollup_dossier_delete")
def rollup_on_dossier_delete(sender, instance: Dossier, **kwargs):
    rollup_forget([instance.pk])


@receiver(post_save, sender=DossierAction, dispatch_uid="indicators_rollup_action")
def rollup_on_action(sender, instance: DossierAction, created=False, raw=False, **kwargs):
    if created and not raw:
        rollup_sync([instance.dossier])


@receiver(post_save, sender=ProcedureVersion, dispatch_uid="indicators_version_cache")
@receiver(post_delete, sender=ProcedureVersion, dispatch_uid="indicators_version_cache_delete")
def version_changed(**kwargs):
    clear_version_cache()
