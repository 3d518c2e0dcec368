"""Seed Spirit with one topic of 1,000 comments by 100 users, through its models.

Run by bench/run.py with Spirit's virtual environment and bench settings
(spirit_bench_settings), after `manage.py spiritinstall`; prints the topic's url.
"""

from datetime import timedelta

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402
from spirit.category.models import Category  # noqa: E402
from spirit.comment.models import Comment  # noqa: E402
from spirit.core.utils.markdown import Markdown  # noqa: E402
from spirit.topic.models import Topic  # noqa: E402

USERS, COMMENTS = 100, 1000
# The forum's bench comment (bench/seed.py), in Spirit's Markdown.
BODY = (
    "Public comment {n}: *public opinion* and [trust](https://example.org/{n}) matter.\n\n"
    "- point one about sanctions\n- point two about talks\n\nSigned, bench member {m}."
)

User = get_user_model()
# One by one: Spirit makes each user's profile in a post_save signal.
users = [User.objects.create(username=f"spirit{n}", email=f"spirit{n}@example.org", password="!") for n in range(USERS)]
category = Category.objects.filter(is_private=False).order_by("pk").first()
now = timezone.now()
topic = Topic.objects.create(
    user=users[0],
    category=category,
    title="The reduction in US-Russia peace talks",
    comment_count=COMMENTS,
    date=now - timedelta(minutes=COMMENTS),
    last_active=now,
)
html = Markdown().render(BODY.format(n="NUMBER", m="MEMBER"))
Comment.objects.bulk_create(
    (
        Comment(
            user=users[n % USERS],
            topic=topic,
            comment=BODY.format(n=n, m=n % USERS),
            comment_html=html.replace("NUMBER", str(n)).replace("MEMBER", str(n % USERS)),
            date=now - timedelta(minutes=COMMENTS - n),
        )
        for n in range(COMMENTS)
    ),
    batch_size=500,
)
print(topic.get_absolute_url())
