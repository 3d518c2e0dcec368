"""Search: an entry per passage and published comment, and the database's own text index over them.

PostgreSQL: a trigger sets search_vector (English stemming, the title weighted above the body) and a GIN
index serves @@. SQLite: an FTS5 table over the entries' title and body (external content, Porter
stemming, accents ignored), kept by triggers. A later migration that makes SQLite remake
forum_searchentry (an altered column) drops these triggers and must create them again.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


POSTGRESQL = [
    (
        """
        CREATE FUNCTION forum_searchentry_vector() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- As selectors/search.py reads it: < and & out of the way of the parser's tags and entities.
            NEW.search_vector := setweight(to_tsvector('english', translate(coalesce(NEW.title, ''), '<&',
                    chr(57344) || chr(57345))), 'A')
                || setweight(to_tsvector('english', translate(coalesce(NEW.body, ''), '<&',
                    chr(57344) || chr(57345))), 'B');
            RETURN NEW;
        END
        $$;
        CREATE TRIGGER forum_searchentry_vector BEFORE INSERT OR UPDATE OF title, body ON forum_searchentry
            FOR EACH ROW EXECUTE FUNCTION forum_searchentry_vector();
        CREATE INDEX searchentry_vector_gin ON forum_searchentry USING gin (search_vector);
        """,
        """
        DROP INDEX IF EXISTS searchentry_vector_gin;
        DROP TRIGGER IF EXISTS forum_searchentry_vector ON forum_searchentry;
        DROP FUNCTION IF EXISTS forum_searchentry_vector();
        """,
    ),
]

SQLITE = [
    (
        """
        CREATE VIRTUAL TABLE forum_searchentry_fts USING fts5(
            title, body, content='forum_searchentry', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2'
        )
        """,
        "DROP TABLE IF EXISTS forum_searchentry_fts",
    ),
    (
        """
        CREATE TRIGGER forum_searchentry_fts_insert AFTER INSERT ON forum_searchentry BEGIN
            INSERT INTO forum_searchentry_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
        END
        """,
        "DROP TRIGGER IF EXISTS forum_searchentry_fts_insert",
    ),
    (
        """
        CREATE TRIGGER forum_searchentry_fts_delete AFTER DELETE ON forum_searchentry BEGIN
            INSERT INTO forum_searchentry_fts (forum_searchentry_fts, rowid, title, body)
                VALUES ('delete', old.id, old.title, old.body);
        END
        """,
        "DROP TRIGGER IF EXISTS forum_searchentry_fts_delete",
    ),
    (
        """
        CREATE TRIGGER forum_searchentry_fts_update AFTER UPDATE OF title, body ON forum_searchentry BEGIN
            INSERT INTO forum_searchentry_fts (forum_searchentry_fts, rowid, title, body)
                VALUES ('delete', old.id, old.title, old.body);
            INSERT INTO forum_searchentry_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
        END
        """,
        "DROP TRIGGER IF EXISTS forum_searchentry_fts_update",
    ),
]


def statements(schema_editor, *, forwards: bool):
    vendor = schema_editor.connection.vendor
    pairs = POSTGRESQL if vendor == "postgresql" else SQLITE if vendor == "sqlite" else []
    return [pair[0] for pair in pairs] if forwards else [pair[1] for pair in reversed(pairs)]


def create_text_index(apps, schema_editor):
    for sql in statements(schema_editor, forwards=True):
        schema_editor.execute(sql)


def drop_text_index(apps, schema_editor):
    for sql in statements(schema_editor, forwards=False):
        schema_editor.execute(sql)


def index_existing_rows(apps, schema_editor):
    """Entries for the articles and published comments already there, so search works at once."""
    from forum.services.search import rebuild_search_index

    rebuild_search_index(
        article_model=apps.get_model("forum", "Article"),
        comment_model=apps.get_model("forum", "Comment"),
        entry=apps.get_model("forum", "SearchEntry"),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('forum', '0013_lti'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('article', 'Article'), ('topic', 'Topic'), ('subsection', 'Section'), ('key_point', 'Key point'), ('faq', 'FAQ'), ('comment', 'Comment')], max_length=16)),
                ('object_id', models.PositiveBigIntegerField()),
                ('anchor', models.CharField(blank=True, help_text="The passage's #anchor on its page.", max_length=200)),
                ('created_at', models.DateTimeField(db_index=True)),
                ('title', models.CharField(blank=True, max_length=300)),
                ('body', models.TextField(blank=True)),
                ('search_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='forum.article')),
                ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('classroom', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='forum.classroom')),
                ('topic', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='forum.topic')),
            ],
            options={
                'verbose_name_plural': 'search entries',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='SearchIndex',
            fields=[
                ('entry', models.OneToOneField(db_column='rowid', on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='fts', serialize=False, to='forum.searchentry')),
                ('title', models.TextField()),
                ('body', models.TextField()),
            ],
            options={
                'db_table': 'forum_searchentry_fts',
                'managed': False,
            },
        ),
        migrations.AddIndex(
            model_name='searchentry',
            index=models.Index(fields=['article', 'kind'], name='searchentry_article_kind_idx'),
        ),
        migrations.AddConstraint(
            model_name='searchentry',
            constraint=models.UniqueConstraint(fields=('kind', 'object_id'), name='searchentry_once_per_object'),
        ),
        migrations.RunPython(create_text_index, drop_text_index),
        migrations.RunPython(index_existing_rows, migrations.RunPython.noop),
    ]
