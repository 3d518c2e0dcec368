import factory
from django.contrib.auth.models import Group, Permission

from forum.models import Article, Classroom, Comment, Factor, Membership, Subsection, Topic, User
from forum.models.classes import new_join_code
from forum.permissions import grant_moderator_permissions


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda member: f"{member.username}@example.org")
    display_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")


class ModeratorFactory(MemberFactory):
    is_staff = True

    @factory.post_generation
    def moderators_group(self, create, extracted, **kwargs):
        if create:
            # The migration grants these; a flushed database (live-server tests) loses them.
            grant_moderator_permissions(Group, Permission)
            self.groups.add(Group.objects.get(name="Moderators"))


class AdminFactory(MemberFactory):
    is_staff = True
    is_superuser = True


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    lede = "An opening paragraph."
    intro = "An introduction."


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    article = factory.SubFactory(ArticleFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    summary = "What this topic is about."
    intro = "The topic's first paragraph."


class SubsectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subsection

    topic = factory.SubFactory(TopicFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Subsection {n}")
    anchor = factory.Sequence(lambda n: f"subsection-{n}")
    body = "A paragraph.\n\n- a bullet\n- another"


class CommentFactory(factory.django.DjangoModelFactory):
    """A published top-level comment; pass parent= for a reply (root and depth follow)."""

    class Meta:
        model = Comment

    topic = factory.SubFactory(TopicFactory)
    author = factory.SubFactory(MemberFactory)
    body = factory.Sequence(lambda n: f"Comment number {n}.")
    body_html = factory.LazyAttribute(lambda comment: f"<p>{comment.body}</p>")
    parent = None
    root = factory.LazyAttribute(lambda comment: (comment.parent.root or comment.parent) if comment.parent else None)
    depth = factory.LazyAttribute(lambda comment: comment.parent.depth + 1 if comment.parent else 0)


class FactorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Factor

    article = factory.SubFactory(ArticleFactory)
    name = factory.Sequence(lambda n: f"Factor {n}")
    description = "Why it may matter."
    position = factory.Sequence(lambda n: n)


class ClassroomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Classroom

    name = factory.Sequence(lambda n: f"Class {n}")
    teacher = factory.SubFactory(MemberFactory)
    article = factory.SubFactory(ArticleFactory)
    join_code = factory.LazyFunction(new_join_code)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    classroom = factory.SubFactory(ClassroomFactory)
    member = factory.SubFactory(MemberFactory)
