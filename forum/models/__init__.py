from forum.models.accounts import User
from forum.models.content import Article, FaqEntry, KeyPoint, Subsection, Topic
from forum.models.discussion import Comment, CommentRevision, Flag, HelpfulMark, Notification
from forum.models.moderation import ModerationSettings, Restriction
from forum.models.voting import Ballot, BallotEntry, Factor

__all__ = [
    "Article", "Ballot", "BallotEntry", "Comment", "CommentRevision", "Factor", "FaqEntry", "Flag", "HelpfulMark",
    "KeyPoint", "ModerationSettings", "Notification", "Restriction", "Subsection", "Topic", "User",
]
