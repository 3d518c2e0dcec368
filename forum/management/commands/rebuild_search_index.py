from django.core.management.base import BaseCommand

from forum.services.search import rebuild_search_index


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the articles and the published comments. The site keeps it up to date "
        "by itself; this is for rows written behind its back (a bulk load, a restored table)."
    )

    def handle(self, *args, **options):
        total = rebuild_search_index()
        self.stdout.write(f"Search index rebuilt: {total} entries.")
