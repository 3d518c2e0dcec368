from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from forum.article_format import ArticleFormatError, parse_article
from forum.models import Article
from forum.services.content import ImportRefused, publish_article


class Command(BaseCommand):
    help = "Publish an article from a plain-text blog export or a Markdown file. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--title",
            default="",
            help="The article's title (default: the file's # title, else the subject of its first sentence).",
        )
        parser.add_argument(
            "--skip-existing",
            action="store_true",
            help="Do nothing if the article is already there (keeps edits made in the admin).",
        )

    def handle(self, *args, path: Path, title: str, skip_existing: bool, **options):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except (IsADirectoryError, PermissionError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: cannot read it as UTF-8 text ({error.__class__.__name__})") from None
        try:
            parsed = parse_article(text)
        except ArticleFormatError as error:
            raise CommandError(f"{path}: {error}") from None
        title = title or parsed.title or parsed.default_title()
        if not title:
            raise CommandError(f"{path}: the article has no title line; pass --title")
        if skip_existing and Article.objects.filter(slug=slugify(title)[:200]).exists():
            self.stdout.write(f"{title}: already imported, left as it is.")
            return
        try:
            article, changed = publish_article(parsed=parsed, title=title)
        except ImportRefused as error:
            raise CommandError(f"{path}: {error}") from None
        state = "imported" if changed else "unchanged"
        self.stdout.write(
            f"{article.title}: {state} ({article.topics.count()} topics, "
            f"{article.key_points.count()} key points, {article.faqs.count()} FAQ entries)."
        )
