"""The one way every state machine in the shop moves.

A service locks the row (``select_for_update``), then calls ``move``: it checks the
allowed-transition table, saves the status with ``update_fields`` and writes a
``StatusChange`` in the same transaction.
"""

from collections.abc import Mapping

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _

from .exceptions import TransitionNotAllowed
from .models import StatusChange


def can_move(table: Mapping, current, target) -> bool:
    return target in table.get(current, ())


def move(
    obj: models.Model,
    *,
    to,
    table: Mapping,
    actor=None,
    reason: str = "",
    field: str = "status",
    extra_update_fields: tuple[str, ...] = (),
) -> StatusChange:
    current = getattr(obj, field)
    if not can_move(table, current, to):
        choices = type(obj)._meta.get_field(field).flatchoices
        labels = dict(choices)
        raise TransitionNotAllowed(
            _("Cannot change from “%(current)s” to “%(target)s”.")
            % {"current": labels.get(current, current), "target": labels.get(to, to)}
        )
    setattr(obj, field, to)
    update_fields = [field, *extra_update_fields]
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        update_fields.append("updated_at")
    obj.save(update_fields=update_fields)
    return StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        field=field,
        from_status=current,
        to_status=to,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason,
    )


def history(obj: models.Model):
    return StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("actor")
