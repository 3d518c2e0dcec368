from forum.models.accounts import User
from forum.models.content import Article, FaqEntry, KeyPoint, Subsection, Topic
from forum.models.discussion import (
    Comment,
    CommentRevision,
    Flag,
    HelpfulMark,
    ModerationQueueItem,
    Notification,
)
from forum.models.moderation import ModerationLog, ModerationSettings, Restriction
from forum.models.voting import Ballot, BallotEntry, Factor

__all__ = [
    "Article", "Ballot", "BallotEntry", "Comment", "CommentRevision", "Factor", "FaqEntry", "Flag", "HelpfulMark",
    "KeyPoint", "ModerationLog", "ModerationQueueItem", "ModerationSettings", "Notification", "Restriction",
    "Subsection", "Topic", "User",
]
