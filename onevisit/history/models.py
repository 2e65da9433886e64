import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


def current_chain_month() -> dt.date:
    """The first day of this month in China Standard Time: where a chain opened now is stored."""
    return timezone.localtime(timezone.now()).date().replace(day=1)


class Event(models.Model):
    """One append-only history record. Each object has its own chain: `seq` counts from 1 and `hash`
    covers this record and the previous record's hash, so writers to different objects never wait on
    one global chain, while any edit or deletion inside a chain is detectable."""

    object_type = models.CharField("对象类型", max_length=60)
    object_id = models.CharField("对象标识", max_length=64)
    seq = models.PositiveIntegerField("序号")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="操作人"
    )
    actor_label = models.CharField("操作人", max_length=150)
    action = models.CharField("动作", max_length=60)
    reason = models.TextField("原因", blank=True)
    data = models.JSONField("内容", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    # Where the chain is stored: the month its first record was written (PostgreSQL partitions by it, so a
    # chain never spans partitions; docs/decisions/0021). Set from the chain's head, never hashed.
    chain_month = models.DateField("链所在月份", default=current_chain_month)

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        constraints = [
            # chain_month is one value per chain: this is the (object, seq) uniqueness, with the partition key.
            models.UniqueConstraint(fields=["object_type", "object_id", "seq", "chain_month"],
                                    name="history_event_chain_seq"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="history_event_seq_from_1"),
            # The first record of a chain has no predecessor; every later one names it.
            models.CheckConstraint(condition=models.Q(seq=1, prev_hash="") | (models.Q(seq__gt=1) & ~models.Q(prev_hash="")),
                                   name="history_event_prev_hash_linked"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id} #{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("变更记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("变更记录只能追加，不能删除")
