from forum.models.accounts import User
from forum.models.content import Article, FaqEntry, KeyPoint, Subsection, Topic

__all__ = ["Article", "FaqEntry", "KeyPoint", "Subsection", "Topic", "User"]
