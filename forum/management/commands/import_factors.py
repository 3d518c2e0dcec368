import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from forum.models import Article
from forum.services.voting import add_curated_factors


class Command(BaseCommand):
    help = "Add the curated factors of a JSON file to its article. Existing factors are left as admins edited them."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            article = Article.objects.get(slug=data["article"])
            factors = data["factors"]
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise CommandError(f"{path}: not a factors file ({error.__class__.__name__}: {error})") from None
        except Article.DoesNotExist:
            raise CommandError(f"{path}: import the article {data['article']!r} first") from None
        created = add_curated_factors(article=article, factors=factors)
        self.stdout.write(f"{article.title}: {created} factor(s) added, {len(factors) - created} already there.")
