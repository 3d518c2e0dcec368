from forum.models.accounts import User
from forum.models.api import ApiToken, FeedKey
from forum.models.classes import Classroom, Membership, Prompt
from forum.models.content import Article, FaqEntry, KeyPoint, Subsection, Topic
from forum.models.discussion import (
    Comment,
    CommentRevision,
    Flag,
    HelpfulMark,
    Mention,
    ModerationQueueItem,
    Notification,
)
from forum.models.lti import LtiCourse, LtiLaunchNonce
from forum.models.moderation import ModerationLog, ModerationSettings, Restriction
from forum.models.search import SearchEntry, SearchIndex
from forum.models.voting import Ballot, BallotEntry, Factor

__all__ = [
    "ApiToken",
    "Article",
    "Ballot",
    "BallotEntry",
    "Classroom",
    "Comment",
    "CommentRevision",
    "Factor",
    "FaqEntry",
    "FeedKey",
    "Flag",
    "HelpfulMark",
    "KeyPoint",
    "LtiCourse",
    "LtiLaunchNonce",
    "Membership",
    "Mention",
    "ModerationLog",
    "ModerationQueueItem",
    "ModerationSettings",
    "Notification",
    "Prompt",
    "Restriction",
    "SearchEntry",
    "SearchIndex",
    "Subsection",
    "Topic",
    "User",
]
