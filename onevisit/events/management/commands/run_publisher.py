"""The publisher process: moves the outbox to RabbitMQ (ONEVISIT_AMQP_URL), or sequences the log without a
broker. Run as many as you like on PostgreSQL: they share the shards."""

import signal

from django.core.management.base import BaseCommand

from onevisit.events.publisher import Publisher


class Command(BaseCommand):
    help = "运行事件发布进程：把出站事件按顺序发布到消息服务（可多进程同时运行，按分片分担）"

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=None, help="运行多少秒后退出（默认一直运行）")
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--idle-sleep", type=float, default=0.05, help="无事件时轮询间隔（秒）")

    def handle(self, *args, seconds, batch, idle_sleep, **options):
        publisher = Publisher(batch=batch, idle_sleep=idle_sleep)
        # SIGTERM finishes the round in hand (its events confirmed and marked), then gives the shards back.
        signal.signal(signal.SIGTERM, lambda *_: setattr(publisher, "stopping", True))
        signal.signal(signal.SIGINT, lambda *_: setattr(publisher, "stopping", True))
        published = publisher.run(seconds=seconds)
        self.stdout.write(f"已发布 {published} 条事件")
