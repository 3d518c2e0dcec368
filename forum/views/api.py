"""The API under /api/v1/: the site's reads and writes over JSON, through the same selectors and services.

Reads are open to everyone and show what the site shows a reader (the public discussion only, authors by
their public name); writes need a token or a session (with its CSRF token) and go through post_comment and
cast_ballot, so the site's permissions, rate limits, pre-moderation and class rules hold here too.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from forum.api import serializers as s
from forum.models import Classroom, Comment
from forum.selectors.api import public_comments
from forum.selectors.classes import roster
from forum.selectors.content import published_articles, topic_detail
from forum.selectors.discussion import single_thread, topic_thread
from forum.selectors.voting import ballot_results, class_comparison, current_ballot, results_visible
from forum.services.discussion import post_comment
from forum.services.permissions import is_teacher
from forum.services.voting import cast_ballot

PAGE = OpenApiParameter("page", int, description="Page number, from 1 (a page past the last gives the last).")


def page_links(request, page) -> dict:
    def link(number):
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
    }


def flatten(comment) -> list:
    """A comment's shown replies (the selectors' `.children` tree), flat in thread order."""
    flat = []
    for child in comment.children:
        flat += [child, *flatten(child)]
    return flat


def replies_url(comment) -> str:
    return reverse("api:comment_replies", args=[comment.pk])


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(request, path=""):
    """Any other address under /api/v1/ (an id that is not a number...): a 404 in JSON, as a client expects."""
    raise Http404(_("No such address in the API."))


@extend_schema(responses=s.ArticleSerializer(many=True))
@api_view(["GET"])
def article_list(request):
    return Response(s.ArticleSerializer(published_articles().order_by("pk"), many=True).data)


@extend_schema(responses=s.TopicSerializer(many=True))
@api_view(["GET"])
def topic_list(request, article):
    article = get_object_or_404(published_articles(), slug=article)
    topics = list(article.topics.order_by("position", "pk"))
    for topic in topics:
        topic.article = article
        topic.feed_url = reverse("forum:topic_feed", args=[article.slug, topic.slug])
    return Response(s.TopicSerializer(topics, many=True).data)


def api_topic(article, topic):
    topic = topic_detail(article, topic)
    topic.feed_url = reverse("forum:topic_feed", args=[topic.article.slug, topic.slug])
    return topic


@extend_schema(responses=s.TopicSerializer)
@api_view(["GET"])
def topic_view(request, article, topic):
    return Response(s.TopicSerializer(api_topic(article, topic)).data)


@extend_schema(
    methods=["GET"],
    parameters=[PAGE, OpenApiParameter("sort", str, enum=["oldest", "newest", "helpful"])],
    responses=s.ThreadPageSerializer,
    description="A page of the topic's public threads (20), each with its first replies (3) and a link to the "
    "rest. The viewer's own held comments are included, marked pending.",
)
@extend_schema(
    methods=["POST"],
    request=s.CommentInputSerializer,
    responses={201: s.CommentSerializer},
    description="Post a comment, or with `parent` a reply, in the topic's public discussion, as on the site: a "
    "held comment answers with status `pending`.",
)
@api_view(["GET", "POST"])
def topic_comments(request, article, topic):
    topic = topic_detail(article, topic)
    if request.method == "POST":
        return create_comment(request, topic)
    thread = topic_thread(
        topic=topic, viewer=request.user, sort=request.GET.get("sort", ""), page_number=request.GET.get("page")
    )
    for root in thread.page.object_list:
        root.first_replies = flatten(root)
        root.reply_count = root.reply_total
        root.replies_url = replies_url(root)
    results = s.ThreadSerializer(thread.page.object_list, many=True).data
    return Response({**page_links(request, thread.page), "results": results})


def create_comment(request, topic):
    if not request.user.is_authenticated:
        raise NotAuthenticated(_("Send a token, or log in, to take part."))
    data = s.CommentInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    parent = anchor = None
    if parent_id := data.validated_data.get("parent"):
        parent = public_comments(topic).filter(pk=parent_id).first()
        if parent is None:
            raise serializers.ValidationError({"parent": [_("There is no such comment on this topic to reply to.")]})
    if about := data.validated_data.get("about"):
        anchor = next((sub for sub in topic.subsections.all() if sub.anchor == about), None)
        if anchor is None:
            raise serializers.ValidationError({"about": [_("This topic has no such part.")]})
    comment = post_comment(
        author=request.user, topic=topic, body=data.validated_data["body"], parent=parent, anchor=anchor
    )
    comment.shown = True
    return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


def public_comment(request, pk) -> Comment:
    """A comment of the public discussion the viewer may read (their own held one too); else 404."""
    comment = get_object_or_404(
        Comment.objects.filter(classroom__isnull=True, topic__article__is_published=True).select_related(
            "author", "anchor"
        ),
        pk=pk,
    )
    comment.shown = comment.shown_to(request.user)
    if not comment.shown:
        raise Http404(_("No such comment."))
    return comment


@extend_schema(responses=s.CommentSerializer)
@api_view(["GET"])
def comment_view(request, pk):
    return Response(s.CommentSerializer(public_comment(request, pk)).data)


@extend_schema(parameters=[PAGE], responses=s.ReplyPageSerializer, description="A thread's replies, 100 a page.")
@api_view(["GET"])
def comment_replies(request, pk):
    root = public_comment(request, pk)
    if root.parent_id is not None:
        raise Http404(_("Replies are listed under their thread's first comment."))
    page = single_thread(root=root, viewer=request.user, moderator=False, page_number=request.GET.get("page"))
    results = s.CommentSerializer(flatten(root), many=True).data
    return Response({**page_links(request, page), "results": results})


@extend_schema(responses=s.FactorSerializer(many=True), description="The factors to rank, in the article's order.")
@api_view(["GET"])
def factor_list(request, article):
    article = get_object_or_404(published_articles(), slug=article)
    return Response(s.FactorSerializer(article.factors.approved().order_by("position", "pk"), many=True).data)


@extend_schema(
    responses=s.ResultsSerializer,
    description="Everyone's results, as the results page shows them. Where the article keeps them until a "
    "member has ranked, a 403 until then.",
)
@api_view(["GET"])
def results(request, article):
    article = get_object_or_404(published_articles(), slug=article)
    if not results_visible(viewer=request.user, article=article):
        raise PermissionDenied(_("Rank the factors first: then you see how everyone ranks them."))
    return Response(s.ResultsSerializer(ballot_results(article=article)).data)


def ballot_data(ballot) -> dict:
    ranking = [entry.factor_id for entry in ballot.entries.order_by("rank")]
    return {"version": ballot.version, "ranking": ranking, "reason": ballot.reason, "created_at": ballot.created_at}


@extend_schema(methods=["GET"], responses=s.BallotSerializer, description="Your current ranking (404: none yet).")
@extend_schema(
    methods=["POST"],
    request=s.BallotInputSerializer,
    responses={201: s.BallotSerializer},
    description="Rank the factors (ids, most important first), as on the site; the earlier ranking is kept.",
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated])
def ballot(request, article):
    article = get_object_or_404(published_articles(), slug=article)
    if request.method == "GET":
        if (standing := current_ballot(member=request.user, article=article)) is None:
            raise Http404(_("No ranking yet."))
        return Response(s.BallotSerializer(ballot_data(standing)).data)
    data = s.BallotInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    ids = data.validated_data["ranking"]
    factors = article.factors.in_bulk(ids)
    if len(factors) != len(set(ids)):
        raise serializers.ValidationError({"ranking": [_("Rank only the approved factors of this article.")]})
    new = cast_ballot(
        member=request.user,
        article=article,
        ranking=[factors[pk] for pk in ids],
        reason=data.validated_data.get("reason", ""),
    )
    return Response(s.BallotSerializer(ballot_data(new)).data, status=status.HTTP_201_CREATED)


def taught_class(request, pk) -> Classroom:
    """The class if the requester teaches it (or is a site admin); 404 for anyone else, who learns nothing."""
    classroom = get_object_or_404(Classroom.objects.select_related("article"), pk=pk)
    if not (is_teacher(request.user, classroom) or request.user.is_superuser):
        raise Http404(_("No such class."))
    return classroom


@extend_schema(
    responses=s.ClassResultsSerializer,
    description="For the class's teacher: the class's results beside everyone's, as on the class page.",
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def class_results(request, pk):
    classroom = taught_class(request, pk)
    comparison = class_comparison(classroom)
    rows = [
        {
            "factor": own.factor,
            "class_share": own.share,
            "everyone_share": everyone.share,
            "difference": difference,
            "marked": own.factor.pk in comparison["marked"],
        }
        for own, everyone, difference in comparison["comparison"]
    ]
    data = {
        "class_name": classroom.name,
        "class_results": comparison["class_results"],
        "everyone": comparison["overall_results"],
        "comparison": rows,
    }
    return Response(s.ClassResultsSerializer(data).data)


@extend_schema(
    responses=s.RosterEntrySerializer(many=True),
    description="For the class's teacher: the roster with each student's participation, as on the class page.",
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def class_roster(request, pk):
    classroom = taught_class(request, pk)
    rows = [
        {
            "full_name": membership.member.full_name,
            "username": membership.member.username,
            "comments": membership.comment_total,
            "replies": membership.reply_total,
            "words": membership.words,
            "helpful": membership.helpful,
            "ballot": "changed" if membership.ballot_version > 1 else "yes" if membership.ballot_version else "no",
            "last_active": membership.last_active,
            "locked_out": membership.locked_out,
        }
        for membership in roster(classroom)
    ]
    return Response(s.RosterEntrySerializer(rows, many=True).data)
