from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.models import Article, FaqEntry, KeyPoint, Subsection, Topic
from tests.conftest import SHIPPED_ARTICLE, SHIPPED_TITLE


def import_article(*args) -> str:
    out = StringIO()
    call_command("import_article", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def content_snapshot():
    return [list(model.objects.order_by("pk").values()) for model in (Article, Topic, Subsection, KeyPoint, FaqEntry)]


def test_import_publishes_the_shipped_article(db):
    output = import_article(SHIPPED_ARTICLE, "--title", SHIPPED_TITLE)
    assert "imported (5 topics, 5 key points, 4 FAQ entries)" in output
    article = Article.objects.get()
    assert article.title == SHIPPED_TITLE
    assert article.topics.count() == 5
    assert Subsection.objects.filter(topic__article=article).count() == 15


def test_import_without_title_takes_the_subject_of_the_first_sentence(db):
    import_article(SHIPPED_ARTICLE)
    assert Article.objects.get().title == "The reduction in US-Russia peace talks"


def test_importing_the_same_file_twice_changes_nothing(db):
    import_article(SHIPPED_ARTICLE, "--title", SHIPPED_TITLE)
    before = content_snapshot()
    with CaptureQueriesContext(connection) as queries:
        output = import_article(SHIPPED_ARTICLE, "--title", SHIPPED_TITLE)
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert "unchanged" in output
    assert content_snapshot() == before


def test_reimport_updates_only_what_changed(db, tmp_path):
    import_article(SHIPPED_ARTICLE, "--title", SHIPPED_TITLE)
    topic_ids = list(Topic.objects.values_list("pk", flat=True))
    changed = tmp_path / "article.txt"
    changed.write_text(SHIPPED_ARTICLE.read_text().replace("Trust between nations is essential", "Trust is vital"))
    assert "imported" in import_article(changed, "--title", SHIPPED_TITLE)
    assert list(Topic.objects.values_list("pk", flat=True)) == topic_ids
    assert Subsection.objects.get(anchor="trust-issues").body.startswith("Trust is vital")


def test_skip_existing_keeps_edits_made_in_the_admin(db):
    import_article(SHIPPED_ARTICLE, "--title", SHIPPED_TITLE)
    Topic.objects.filter(position=0).update(intro="Edited by an admin.")
    output = import_article(SHIPPED_ARTICLE, "--title", SHIPPED_TITLE, "--skip-existing")
    assert "already imported" in output
    assert Topic.objects.get(position=0).intro == "Edited by an admin."


def test_markdown_file_is_imported(db, tmp_path):
    path = tmp_path / "second.md"
    path.write_text("# Second article\n\nIts lede.\n\n## Only section\n\nText.\n\n### Part\n\n- a\n- b\n")
    import_article(path)
    article = Article.objects.get(slug="second-article")
    assert [t.title for t in article.topics.all()] == ["Only section"]
    assert article.topics.get().subsections.get().body == "- a\n- b"


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        ("", "the file is empty"),
        ("One paragraph and nothing else.", "no sections found"),
        (b"\xff\xfe\x00bad", "cannot read it as UTF-8 text"),
    ],
)
def test_bad_input_fails_with_one_clear_line_and_changes_nothing(db, tmp_path, content, message):
    import_article(SHIPPED_ARTICLE, "--title", SHIPPED_TITLE)
    before = content_snapshot()
    path = tmp_path / "input.txt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(CommandError) as error:
        import_article(path)
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    assert content_snapshot() == before
