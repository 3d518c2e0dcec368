from forum.models.accounts import User
from forum.models.content import Article, FaqEntry, KeyPoint, Subsection, Topic
from forum.models.discussion import Comment, CommentRevision, Flag, HelpfulMark, Notification
from forum.models.moderation import ModerationSettings, Restriction

__all__ = [
    "Article", "Comment", "CommentRevision", "FaqEntry", "Flag", "HelpfulMark", "KeyPoint", "ModerationSettings",
    "Notification", "Restriction", "Subsection", "Topic", "User",
]
