"""What the API answers and accepts. Read serializers take the objects the site's selectors return;
write serializers only check the shape of the input: the rules are the services'."""

from rest_framework import serializers

from forum.models.discussion import BODY_MAX_LENGTH

MAX_ID = 2**63 - 1  # the largest id a database column holds: a larger one would be an error, not a 400


class ArticleSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    lede = serializers.CharField()
    url = serializers.CharField(source="get_absolute_url")


class TopicSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    position = serializers.IntegerField()
    url = serializers.CharField(source="get_absolute_url")
    feed_url = serializers.CharField()


class CommentSerializer(serializers.Serializer):
    """A comment of the public discussion. A deleted or hidden one kept for its replies is a placeholder:
    `shown` false, no author and no text."""

    id = serializers.IntegerField(source="pk")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    depth = serializers.IntegerField()
    shown = serializers.BooleanField()
    status = serializers.CharField(help_text="published; pending (held for review, shown to its author only).")
    author = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField(help_text="Sanitized HTML, as the topic page shows it.")
    about = serializers.SerializerMethodField(help_text="The anchor of the part of the topic it is about.")
    helpful_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(source="get_absolute_url")

    def get_author(self, comment) -> str | None:
        return comment.author.public_name if comment.shown else None

    def get_body_html(self, comment) -> str | None:
        return comment.body_html if comment.shown else None

    def get_about(self, comment) -> str | None:
        return comment.anchor.anchor if comment.anchor_id and comment.anchor else None


class ThreadSerializer(CommentSerializer):
    """A top-level comment with its first replies (flat, in thread order: `parent` says where each hangs)."""

    replies = CommentSerializer(many=True, source="first_replies")
    reply_count = serializers.IntegerField(help_text="Replies in the whole thread; the rest at replies_url.")
    replies_url = serializers.CharField()


class PageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)


class ThreadPageSerializer(PageSerializer):
    results = ThreadSerializer(many=True)


class ReplyPageSerializer(PageSerializer):
    results = CommentSerializer(many=True)


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, help_text="Markdown, as on the site.")
    parent = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="The id of the comment this replies to.",
    )
    about = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="The anchor of a part of the topic."
    )


class FactorSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    description = serializers.CharField()


class FactorResultSerializer(serializers.Serializer):
    factor = FactorSerializer()
    place = serializers.IntegerField()
    tied = serializers.BooleanField()
    score = serializers.IntegerField(help_text="Borda points.")
    share = serializers.FloatField(help_text="Of the most points possible, 0 to 100.")
    top3_share = serializers.FloatField(help_text="Of voters who put it in their top 3, 0 to 100.")
    spread = serializers.FloatField(help_text="How much voters disagree about it, 0 to 100.")


class ResultsSerializer(serializers.Serializer):
    voters = serializers.IntegerField()
    factor_count = serializers.IntegerField()
    rows = FactorResultSerializer(many=True)


class BallotInputSerializer(serializers.Serializer):
    ranking = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        max_length=200,
        help_text="Factor ids, most important first.",
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class BallotSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="1 for a first ranking; each change adds one.")
    ranking = serializers.ListField(child=serializers.IntegerField())
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ComparisonSerializer(serializers.Serializer):
    factor = FactorSerializer()
    class_share = serializers.FloatField()
    everyone_share = serializers.FloatField()
    difference = serializers.IntegerField(help_text="In whole points, as the class page shows it.")
    marked = serializers.BooleanField(help_text="Among the biggest differences.")


class ClassResultsSerializer(serializers.Serializer):
    class_name = serializers.CharField()
    class_results = ResultsSerializer()
    everyone = ResultsSerializer()
    comparison = ComparisonSerializer(many=True)


class RosterEntrySerializer(serializers.Serializer):
    full_name = serializers.CharField()
    username = serializers.CharField()
    comments = serializers.IntegerField()
    replies = serializers.IntegerField()
    words = serializers.IntegerField()
    helpful = serializers.IntegerField()
    ballot = serializers.ChoiceField(choices=["no", "yes", "changed"])
    last_active = serializers.DateTimeField(allow_null=True)
    locked_out = serializers.BooleanField()
