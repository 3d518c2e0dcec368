"""Atom feeds: a topic's new public comments, and a member's notifications at a secret address."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from forum.pagecache import private_no_store
from forum.selectors.api import feed_member, feed_notifications, topic_feed_comments
from forum.selectors.content import topic_detail


class TopicCommentsFeed(Feed):
    """The newest public comments of a topic. Class spaces are private and never in it; authors appear by
    their public name (a pupil's is a first name and initial), and the text is the sanitized HTML the page shows."""

    feed_type = Atom1Feed

    def get_object(self, request, article, topic):
        return topic_detail(article, topic)

    def title(self, topic):
        return _("New comments on “%(topic)s”") % {"topic": topic.title}

    def subtitle(self, topic):
        return topic.summary

    def link(self, topic):
        return topic.get_absolute_url()

    def feed_url(self, topic):
        return reverse("forum:topic_feed", args=[topic.article.slug, topic.slug])

    def items(self, topic):
        return topic_feed_comments(topic)

    def item_title(self, comment):
        return _("%(name)s commented") % {"name": comment.author.public_name}

    def item_description(self, comment):
        return comment.body_html

    def item_link(self, comment):
        return comment.get_absolute_url()

    def item_author_name(self, comment):
        return comment.author.public_name

    def item_pubdate(self, comment):
        return comment.created_at

    def item_updateddate(self, comment):
        return comment.edited_at or comment.created_at


@method_decorator(private_no_store, name="__call__")
class NotificationsFeed(Feed):
    """A member's notifications, newest first, for a feed reader that cannot log in: the secret in the
    address is the key. A wrong or replaced secret is a 404, as if the address never existed."""

    feed_type = Atom1Feed

    def get_object(self, request, secret):
        member = feed_member(secret)
        if member is None:
            raise Http404(_("No such feed."))
        return member

    def title(self, member):
        return _("Notifications for %(name)s") % {"name": member.public_name}

    def link(self, member):
        return reverse("forum:notifications")

    def feed_url(self, member):
        return reverse("forum:notifications_feed", args=[member.feed_key.secret])  # cached by feed_member

    def items(self, member):
        return feed_notifications(member)

    def item_title(self, notification):
        return notification.text

    def item_description(self, notification):
        return notification.text

    def item_link(self, notification):
        if notification.comment_id:
            return reverse("forum:comment", args=[notification.comment_id])
        return f"{reverse('forum:notifications')}#notification-{notification.pk}"

    def item_pubdate(self, notification):
        return notification.created_at
