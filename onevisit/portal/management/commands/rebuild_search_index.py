from django.core.management.base import BaseCommand

from onevisit.portal.search import search_index_rebuild


class Command(BaseCommand):
    help = "重建门户检索索引（已发布的事项和一件事）"

    def handle(self, *args, **options):
        self.stdout.write(f"已索引 {search_index_rebuild()} 项")
