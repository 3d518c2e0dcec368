import factory
from django.contrib.auth.models import Group

from forum.models import Article, Subsection, Topic, User


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
            self.groups.add(Group.objects.get_or_create(name="Moderators")[0])


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
