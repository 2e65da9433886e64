"""Sequence and publish what is in the outbox now, once (an operator's catch-up; the embedded default)."""

from django.core.management.base import BaseCommand

from onevisit.events.publisher import publish_round, sequence, transport_from_settings


class Command(BaseCommand):
    help = "立即为出站事件编排位置并发布一次（追赶积压）"

    def handle(self, *args, **options):
        sequenced = 0
        while n := sequence(limit=1000):
            sequenced += n
        transport = transport_from_settings()
        published = 0
        try:
            while n := publish_round(transport, limit=500, lock_rows=True):
                published += n
        finally:
            transport.close()
        self.stdout.write(f"编排位置 {sequenced} 条，发布 {published} 条")
