from forum.models.accounts import User
from forum.models.classes import Classroom, Membership, Prompt
from forum.models.content import Article, FaqEntry, KeyPoint, Subsection, Topic
from forum.models.discussion import (
    Comment,
    CommentRevision,
    Flag,
    HelpfulMark,
    ModerationQueueItem,
    Notification,
)
from forum.models.lti import LtiCourse, LtiLaunchNonce
from forum.models.moderation import ModerationLog, ModerationSettings, Restriction
from forum.models.voting import Ballot, BallotEntry, Factor

__all__ = [
    "Article",
    "Ballot",
    "BallotEntry",
    "Classroom",
    "Comment",
    "CommentRevision",
    "Factor",
    "FaqEntry",
    "Flag",
    "HelpfulMark",
    "KeyPoint",
    "LtiCourse",
    "LtiLaunchNonce",
    "Membership",
    "ModerationLog",
    "ModerationQueueItem",
    "ModerationSettings",
    "Notification",
    "Prompt",
    "Restriction",
    "Subsection",
    "Topic",
    "User",
]
