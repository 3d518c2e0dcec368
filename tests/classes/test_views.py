"""Every class view for every role: teacher, student of the class, student of another class,
member, anonymous reader, moderator."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from forum.models import Comment, Membership, Restriction
from forum.models.moderation import ModerationLog
from forum.services.classes import create_pupil_accounts
from forum.services.discussion import post_comment, toggle_helpful
from forum.services.voting import cast_ballot
from tests.classes.conftest import CLASS_ONLY, TEACHER_ONLY, outcome
from tests.conftest import SESSION_QUERIES
from tests.factories import (
    ClassroomFactory,
    CommentFactory,
    FactorFactory,
    MemberFactory,
    MembershipFactory,
    TopicFactory,
)

ROLES = ["teacher", "student", "other_student", "member", "anonymous", "moderator"]


@pytest.fixture
def classroom(db):
    classroom = ClassroomFactory(name="10B")
    TopicFactory(article=classroom.article)
    return classroom


@pytest.fixture
def topic(classroom):
    return classroom.article.topics.get()


def class_url(classroom, name="class", *args):
    return reverse(f"forum:{name}", args=[classroom.pk, *args])


# Seeing the class


@pytest.mark.parametrize("role, expected", CLASS_ONLY)
def test_class_page(act_as, classroom, role, expected):
    assert outcome(act_as(role).get(class_url(classroom))) == expected


def test_teacher_sees_the_dashboard_and_students_do_not(act_as, classroom):
    assert "Participation" in act_as("teacher").get(class_url(classroom)).content.decode()
    html = act_as("student").get(class_url(classroom)).content.decode()
    assert "Participation" not in html and classroom.join_code not in html


@pytest.mark.parametrize("kind", ["roster", "comments", "results"])
@pytest.mark.parametrize("role, expected", TEACHER_ONLY)
def test_exports_are_for_the_teacher(act_as, classroom, kind, role, expected):
    assert outcome(act_as(role).get(class_url(classroom, "class_export", kind))) == expected


@pytest.mark.parametrize(
    "name, data",
    [
        ("class_settings", {"is_locked": "on"}),
        ("class_settings", {"regenerate": "1"}),
        ("class_prompt", {"text": "Discuss!"}),
        ("class_accounts", {"names": "Pupil One"}),
    ],
)
@pytest.mark.parametrize("role", ["student", "other_student", "member", "moderator"])
def test_teacher_controls_refuse_everyone_else(act_as, classroom, name, data, role):
    code = classroom.join_code
    response = act_as(role).post(class_url(classroom, name), data)
    assert response.status_code == 404
    classroom.refresh_from_db()
    assert (classroom.join_code, classroom.is_locked, classroom.prompts.count()) == (code, False, 0)
    assert not Membership.objects.filter(member__display_name="Pupil One").exists()


@pytest.mark.parametrize("role", ["student", "other_student", "member", "moderator"])
def test_only_the_teacher_removes_a_student(act_as, classroom, student, role):
    act_as(role).post(class_url(classroom, "class_student", student.pk))
    assert Membership.objects.get(member=student).removed_at is None


# Joining


def test_join_with_a_code(act_as, classroom):
    client = act_as("member")
    response = client.post(reverse("forum:class_join"), {"code": classroom.join_code.lower()})
    assert response["Location"] == classroom.get_absolute_url()
    assert Membership.objects.filter(classroom=classroom, member=client.user).exists()


def test_join_link_asks_before_joining(act_as, classroom):
    client = act_as("member")
    response = client.get(reverse("forum:class_join_link", args=[classroom.join_code]))
    assert f'value="{classroom.join_code}"' in response.content.decode()
    assert not Membership.objects.filter(member=client.user).exists()


def test_wrong_code_shows_a_clear_message_and_keeps_it(act_as, classroom):
    response = act_as("member").post(reverse("forum:class_join"), {"code": "ZZZZZZZ"})
    html = response.content.decode()
    assert "No class has this code" in html and 'value="ZZZZZZZ"' in html


def test_join_needs_login(act_as, classroom):
    assert outcome(act_as("anonymous").post(reverse("forum:class_join"), {"code": classroom.join_code})) == "login"


def test_student_leaves_a_class(act_as, classroom, student):
    act_as("student").post(class_url(classroom, "class_leave"))
    assert Membership.objects.get(member=student).removed_at is not None
    assert act_as("student").get(class_url(classroom)).status_code == 404


# The class space on topic pages


def space_url(topic, classroom):
    return f"{topic.get_absolute_url()}?space={classroom.pk}"


@pytest.mark.parametrize(
    "role, expected",
    [
        ("teacher", 200),
        ("student", 200),
        ("other_student", 404),
        ("member", 404),
        ("anonymous", 404),
        ("moderator", 200),
    ],
)
def test_class_space_on_a_topic_page(act_as, classroom, topic, role, expected):
    CommentFactory(topic=topic, classroom=classroom, body="Class secret.")
    response = act_as(role).get(space_url(topic, classroom))
    assert response.status_code == expected
    if expected == 200:
        assert "Class secret." in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_class_comments_never_show_in_the_public_discussion(act_as, classroom, topic, role):
    CommentFactory(topic=topic, classroom=classroom, body="Class secret.")
    assert "Class secret." not in act_as(role).get(topic.get_absolute_url() + "?space=everyone").content.decode()


@pytest.mark.parametrize(
    "role, opens_on_class",
    [("teacher", True), ("student", True), ("other_student", False), ("member", False), ("anonymous", False)],
)
def test_members_of_a_class_open_topics_on_the_class_tab(act_as, classroom, topic, role, opens_on_class):
    CommentFactory(topic=topic, classroom=classroom, body="Class secret.")
    html = act_as(role).get(topic.get_absolute_url()).content.decode()
    assert ("Class secret." in html) is opens_on_class
    if opens_on_class:
        assert "Posting to <strong>10B</strong>" in html and "Post publicly instead" in html


def test_the_public_tab_says_it_posts_publicly_and_offers_the_class(act_as, classroom, topic):
    html = act_as("student").get(topic.get_absolute_url() + "?space=everyone").content.decode()
    assert "Posting <strong>publicly</strong>" in html and "Post to 10B instead" in html


@pytest.mark.parametrize(
    "role, expected", [("student", 200), ("teacher", 200), ("other_student", 404), ("member", 404), ("anonymous", 404)]
)
def test_class_comment_permalink(act_as, classroom, topic, role, expected):
    comment = CommentFactory(topic=topic, classroom=classroom)
    response = act_as(role).get(comment.get_absolute_url())
    assert (302 if expected == 200 else 404) == response.status_code
    if expected == 200:
        assert f"?space={classroom.pk}" in response["Location"]


@pytest.mark.parametrize(
    "role, allowed",
    [("student", True), ("teacher", True), ("other_student", False), ("member", False), ("anonymous", False)],
)
def test_who_may_post_in_the_class_tab(act_as, classroom, topic, role, allowed):
    url = reverse("forum:comment_create", args=[classroom.article.slug, topic.slug])
    act_as(role).post(url, {"body": "Tab post.", "space": classroom.pk})
    assert Comment.objects.filter(body="Tab post.", classroom=classroom).exists() is allowed
    assert not Comment.objects.filter(body="Tab post.", classroom__isnull=True).exists()


@pytest.mark.parametrize("role", ["other_student", "member"])
def test_outsiders_cannot_reply_flag_or_mark_class_comments(act_as, classroom, topic, role):
    comment = CommentFactory(topic=topic, classroom=classroom)
    client = act_as(role)
    assert client.post(reverse("forum:comment_reply", args=[comment.pk]), {"body": "x"}).status_code == 404
    assert client.post(reverse("forum:comment_flag", args=[comment.pk]), {"reason": "spam"}).status_code == 404
    assert client.post(reverse("forum:comment_helpful", args=[comment.pk])).status_code == 404
    assert comment.replies.count() == 0 and comment.flags.count() == 0


def test_tabs_show_everyone_and_the_students_class(act_as, classroom, topic):
    html = act_as("student").get(topic.get_absolute_url()).content.decode()
    assert ">Everyone</a>" in html and f'href="?space={classroom.pk}#discussion">10B</a>' in html
    assert "nav-tabs" not in act_as("member").get(topic.get_absolute_url()).content.decode()


def test_removed_students_comments_leave_the_class_view(act_as, classroom, topic, student):
    post_comment(author=student, topic=topic, body="From a removed student.", classroom=classroom)
    act_as("teacher").post(class_url(classroom, "class_student", student.pk))
    assert "From a removed student." not in act_as("teacher").get(space_url(topic, classroom)).content.decode()
    assert act_as("student").get(space_url(topic, classroom)).status_code == 404


def test_teacher_hides_a_class_comment_from_the_topic_page(act_as, classroom, topic, student):
    comment = post_comment(author=student, topic=topic, body="Rude.", classroom=classroom)
    act_as("teacher").post(
        reverse("forum:comment_moderate", args=[comment.pk]), {"decision": "hide", "reason": "Be kind."}
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN


def test_teacher_cannot_moderate_the_public_discussion(act_as, classroom, topic):
    comment = CommentFactory(topic=topic)
    response = act_as("teacher").post(
        reverse("forum:comment_moderate", args=[comment.pk]), {"decision": "hide", "reason": "x"}
    )
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_locked_class_tab_is_read_only_for_students(act_as, classroom, topic):
    classroom.is_locked = True
    classroom.save()
    html = act_as("student").get(space_url(topic, classroom)).content.decode()
    assert "locked the discussion" in html and 'id="comment-form"' not in html
    assert 'id="comment-form"' in act_as("teacher").get(space_url(topic, classroom)).content.decode()


def test_prompts_show_in_the_class_space_with_their_answer_counts(act_as, classroom, topic, student):
    act_as("teacher").post(class_url(classroom, "class_prompt"), {"text": "What matters most?"})
    prompt = classroom.prompts.get()
    post_comment(author=student, topic=topic, body="This.", classroom=classroom, prompt=prompt)
    html = act_as("student").get(space_url(topic, classroom)).content.decode()
    assert "What matters most?" in html and "(1 answer)" in html


# The dashboard


@pytest.fixture
def participation(classroom, topic, student):
    """Hand-counted: Sam writes 2 comments (3 + 4 words) and 1 reply (2 words), gets 2 helpful marks,
    votes twice; Ali joins and does nothing; a public comment of Sam's does not count."""
    first = post_comment(author=student, topic=topic, body="one two three", classroom=classroom)
    post_comment(author=student, topic=topic, body="one two three four", classroom=classroom)
    post_comment(author=student, topic=topic, body="re re", parent=first)
    post_comment(author=student, topic=topic, body="public words not counted")
    for n in range(2):  # classmates named to sort last, so the roster's order is known
        marker = MemberFactory(display_name=f"Zoe Marker {n}")
        toggle_helpful(member=MembershipFactory(classroom=classroom, member=marker).member, comment=first)
    factors = FactorFactory.create_batch(2, article=classroom.article)
    cast_ballot(member=student, article=classroom.article, ranking=factors)
    cast_ballot(member=student, article=classroom.article, ranking=factors[::-1])
    MembershipFactory(classroom=classroom, member=MemberFactory(display_name="Ali Absent"))
    return factors


def test_dashboard_figures_match_the_hand_count(act_as, classroom, participation):
    roster = {m.member.display_name: m for m in act_as("teacher").get(class_url(classroom)).context["roster"]}
    sam = roster["Sam Student"]
    assert (sam.comment_total, sam.reply_total, sam.words, sam.helpful, sam.ballot_version) == (2, 1, 9, 2, 2)
    ali = roster["Ali Absent"]
    assert (ali.comment_total, ali.reply_total, ali.words, ali.helpful, ali.ballot_version) == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("sort, first", [("comments", "Sam Student"), ("name", "Ali Absent"), ("words", "Sam Student")])
def test_roster_sorts_by_any_column(act_as, classroom, participation, sort, first):
    roster = act_as("teacher").get(class_url(classroom), {"sort": sort}).context["roster"]
    assert roster[0].member.display_name == first


def test_class_results_beside_everyones(act_as, classroom, participation):
    outsider = MemberFactory()
    cast_ballot(member=outsider, article=classroom.article, ranking=participation[:1])
    context = act_as("teacher").get(class_url(classroom)).context
    assert context["class_results"].voters == 1 and context["overall_results"].voters == 2
    shares = {own.factor: (own.share, everyone.share) for own, everyone, _ in context["comparison"]}
    assert shares[participation[1]] == (100.0, 50.0)  # the class put it first; the outsider left it out
    assert shares[participation[0]] == (50.0, 75.0)
    assert context["change"].members == 1


def test_class_results_stay_hidden_until_the_student_votes_when_set(act_as, classroom, participation):
    classroom.results_after_voting = True
    classroom.save()
    newcomer = MembershipFactory(classroom=classroom).member
    client = act_as("member")
    client.force_login(newcomer)
    assert "comparison" not in client.get(class_url(classroom)).context


@pytest.mark.parametrize("students, comments", [(1, 10), (40, 2000)])
def test_dashboard_costs_the_same_for_a_big_class(
    act_as, classroom, topic, django_assert_num_queries, students, comments
):
    members = [MembershipFactory(classroom=classroom).member for _ in range(students)]
    Comment.objects.bulk_create(
        Comment(
            topic=topic,
            author=members[n % students],
            classroom=classroom,
            body="w w",
            body_html="<p>w w</p>",
            word_count=2,
        )
        for n in range(comments)
    )
    client = act_as("teacher")
    client.get(class_url(classroom))  # the factor results are cached from here on
    # session (unless in Redis), teacher, unread notifications, class, topics, prompts, the roster (one
    # query whatever the class's size), removed students, flagged comments, FAQ entries and topics for the
    # prompt form; the results and the opinion change come from the cache (a teacher sees them unvoted)
    with django_assert_num_queries(10 + SESSION_QUERIES):
        response = client.get(class_url(classroom))
    assert len(response.context["roster"]) == students + 1


# Exports


def rows_of(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_roster_export(act_as, classroom, participation):
    rows = rows_of(act_as("teacher").get(class_url(classroom, "class_export", "roster")))
    assert rows[0][:4] == ["student", "username", "comments", "replies"]
    sam = next(row for row in rows if row[0] == "Sam Student")
    assert sam[2:8] == ["2", "1", "9", "2", "yes", "yes"]
    assert not any("@" in cell for row in rows for cell in row)  # no emails


def test_comments_export_escapes_formulas(act_as, classroom, topic, student):
    for body in ('=HYPERLINK("http://evil")', "+1", "-2", "@SUM(A1)", "Ünïcode ✓"):
        post_comment(author=student, topic=topic, body=body, classroom=classroom)
    rows = rows_of(act_as("teacher").get(class_url(classroom, "class_export", "comments")))
    texts = [row[-1] for row in rows[1:]]
    assert texts == ['\'=HYPERLINK("http://evil")', "'+1", "'-2", "'@SUM(A1)", "Ünïcode ✓"]


def test_comments_export_names_the_author_replied_to_as_the_teacher_knows_them(act_as, classroom, topic, student):
    pupil = MembershipFactory(
        classroom=classroom,
        member=MemberFactory(display_name="Kim P.", first_name="Kimberly", last_name="Papadopoulou"),
    ).member
    question = post_comment(author=pupil, topic=topic, body="Why talk at all?", classroom=classroom)
    answer = post_comment(author=student, topic=topic, body="To avoid escalation.", parent=question)
    rows = rows_of(act_as("teacher").get(class_url(classroom, "class_export", "comments")))
    assert rows[0][4:6] == ["in_reply_to_comment", "in_reply_to_author"]
    by_text = {row[-1]: row for row in rows[1:]}
    assert by_text["Why talk at all?"][4:6] == ["", ""]
    assert by_text["To avoid escalation."][4:6] == [str(question.pk), "Kimberly Papadopoulou"]
    assert answer.classroom_id == classroom.pk  # the reply stayed in its parent's class space


@pytest.mark.parametrize("replies", [1, 30])
def test_comments_export_costs_the_same_whatever_the_replies(
    act_as, classroom, topic, student, django_assert_num_queries, replies
):
    question = post_comment(author=student, topic=topic, body="Why?", classroom=classroom)
    for n in range(replies):
        author = MembershipFactory(classroom=classroom).member
        post_comment(author=author, topic=topic, body=f"Because {n}.", parent=question)
    client = act_as("teacher")
    # session (unless in Redis), teacher, class, the comments with their authors, topics and parents' authors
    with django_assert_num_queries(3 + SESSION_QUERIES):
        response = client.get(class_url(classroom, "class_export", "comments"))
    assert len(rows_of(response)) == replies + 2


def test_results_export(act_as, classroom, participation):
    rows = rows_of(act_as("teacher").get(class_url(classroom, "class_export", "results")))
    assert rows[0][1] == "factor" and len(rows) == 3


# Pupil accounts


def test_pupil_accounts_are_created_by_a_post_then_the_sheet_is_a_page(act_as, classroom):
    client = act_as("teacher")
    response = client.post(class_url(classroom, "class_accounts"), {"names": "Dee Pupil\nEd Pupil"})
    assert response["Location"] == class_url(classroom, "class_sheet")
    html = client.get(response["Location"]).content.decode()
    assert "dee.pupil" in html and "Dee Pupil" in html and "Print" in html
    assert classroom.memberships.count() == 3  # the student fixture and the two pupils


def test_reloading_the_sheet_shows_it_again_and_creates_nothing(act_as, classroom):
    client = act_as("teacher")
    client.post(class_url(classroom, "class_accounts"), {"names": "Dee Pupil"})
    first = client.get(class_url(classroom, "class_sheet")).context["sheet"]
    again = client.get(class_url(classroom, "class_sheet"))
    assert again.context["sheet"] == first and "dee.pupil" in again.content.decode()
    assert classroom.memberships.count() == 2


def test_sending_the_same_names_again_reports_them_instead_of_making_twins(act_as, classroom):
    client = act_as("teacher")
    client.post(class_url(classroom, "class_accounts"), {"names": "Dee Pupil\nEd Pupil"})
    response = client.post(class_url(classroom, "class_accounts"), {"names": "Dee Pupil\nEd Pupil\nFay Pupil"})
    html = client.get(response["Location"]).content.decode()
    assert "Already in the class, not created again:</strong> Dee Pupil, Ed Pupil" in html
    assert "fay.pupil" in html and "dee.pupil2" not in html
    assert classroom.memberships.count() == 4


def test_the_sheet_is_kept_from_caches_and_gone_when_the_teacher_says_so(act_as, classroom):
    client = act_as("teacher")
    client.post(class_url(classroom, "class_accounts"), {"names": "Dee Pupil"})
    assert "no-store" in client.get(class_url(classroom, "class_sheet"))["Cache-Control"]
    client.post(class_url(classroom, "class_sheet"))
    html = client.get(class_url(classroom, "class_sheet")).content.decode()
    assert "The password sheet is gone" in html and "dee.pupil" not in html


@pytest.mark.parametrize("role, expected", TEACHER_ONLY)
def test_password_sheet_page(act_as, classroom, role, expected):
    assert outcome(act_as(role).get(class_url(classroom, "class_sheet"))) == expected


def test_pupil_chooses_a_password_at_first_login_and_lands_in_the_class(client, classroom):
    ((pupil, password),) = create_pupil_accounts(teacher=classroom.teacher, classroom=classroom, names=["Fay"]).created
    client.post(reverse("login"), {"username": pupil.username, "password": password})
    assert client.get(classroom.get_absolute_url())["Location"] == reverse("password_change")
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "my-Own-secret-42", "new_password2": "my-Own-secret-42"},
    )
    assert response["Location"] == classroom.get_absolute_url()
    pupil.refresh_from_db()
    assert not pupil.must_change_password
    assert client.get(classroom.get_absolute_url()).status_code == 200


def test_muted_member_cannot_create_a_class(act_as):
    client = act_as("member")
    Restriction.objects.create(member=client.user, kind="mute", reason="x")
    response = client.post(reverse("forum:class_create"), {"name": "X"})
    assert response.status_code in (200, 403)
    assert not client.user.classes_taught.exists()


def test_equal_differences_are_all_marked(act_as, classroom, student):
    factors = FactorFactory.create_batch(4, article=classroom.article)
    cast_ballot(member=student, article=classroom.article, ranking=factors[:2])
    cast_ballot(member=MemberFactory(), article=classroom.article, ranking=factors[2:])
    context = act_as("teacher").get(class_url(classroom)).context
    differences = {own.factor: difference for own, _, difference in context["comparison"]}
    # the class: 4 and 3 points of 4; everyone: 4, 3, 4, 3 of 8 -> +50, +38, -50, -38 points
    assert differences == {factors[0]: 50, factors[1]: 38, factors[2]: -50, factors[3]: -38}
    assert context["marked"] == {factor.pk for factor in factors}  # the top three sizes include both ties


def test_class_without_votes_marks_no_big_differences_and_says_so(act_as, classroom, student):
    factors = FactorFactory.create_batch(3, article=classroom.article)
    cast_ballot(member=MemberFactory(), article=classroom.article, ranking=factors)  # someone outside the class
    response = act_as("teacher").get(class_url(classroom))
    html = response.content.decode()
    assert response.context["marked"] == set()
    assert "No votes in the class yet." in html and "big difference" not in html
    assert reverse("forum:ballot", args=[classroom.article.slug]) in html


def test_class_with_votes_shows_the_comparison_not_the_empty_note(act_as, classroom, student):
    factors = FactorFactory.create_batch(3, article=classroom.article)
    cast_ballot(member=student, article=classroom.article, ranking=factors[:1])
    html = act_as("teacher").get(class_url(classroom)).content.decode()
    assert "No votes in the class yet." not in html and "compare-table" in html


def test_a_student_who_did_nothing_shows_as_never_active(act_as, classroom, student):
    roster = act_as("teacher").get(class_url(classroom)).context["roster"]
    assert roster[0].last_active is None


def test_teacher_takes_a_removed_student_back(act_as, classroom, student):
    client = act_as("teacher")
    client.post(class_url(classroom, "class_student", student.pk))
    assert f"Take {student.public_name} back" in client.get(class_url(classroom)).content.decode()
    client.post(class_url(classroom, "class_student", student.pk), {"readmit": "1"})
    assert Membership.objects.get(member=student).removed_at is None


def test_class_comments_are_not_counted_on_the_public_subsections(act_as, classroom, topic, student):
    from tests.factories import SubsectionFactory

    subsection = SubsectionFactory(topic=topic)
    post_comment(author=student, topic=topic, body="Private.", classroom=classroom, anchor=subsection)
    assert "comment about this part" not in act_as("member").get(topic.get_absolute_url()).content.decode()


# Privacy of pupils


@pytest.fixture
def pupil(classroom):
    return create_pupil_accounts(teacher=classroom.teacher, classroom=classroom, names=["Zoë Martin"]).created[0][0]


@pytest.mark.parametrize(
    "role, expected",
    [
        ("teacher", 200),
        ("student", 200),
        ("other_student", 404),
        ("member", 404),
        ("anonymous", 404),
        ("moderator", 200),
    ],
)
def test_a_pupils_profile_is_for_their_class_and_moderators(act_as, pupil, role, expected):
    assert act_as(role).get(pupil.get_absolute_url()).status_code == expected


def test_a_pupils_full_name_is_on_the_teachers_pages_and_nowhere_public(act_as, classroom, topic, pupil):
    post_comment(author=pupil, topic=topic, body="My view.", classroom=classroom)
    teacher = act_as("teacher")
    assert "Zoë Martin" in teacher.get(class_url(classroom)).content.decode()
    assert "Zoë Martin" in teacher.get(class_url(classroom, "class_export", "roster")).content.decode("utf-8")
    student_view = act_as("student").get(topic.get_absolute_url()).content.decode()
    assert "Zoë M." in student_view and "Zoë Martin" not in student_view


def test_a_pupil_cannot_change_their_public_name(client, pupil):
    pupil.must_change_password = False
    pupil.save()
    client.force_login(pupil)
    client.post(reverse("forum:account_settings"), {"display_name": "Zoë Martin", "email": ""})
    pupil.refresh_from_db()
    assert pupil.display_name == "Zoë M."


def test_a_class_account_is_told_it_writes_in_its_class_on_the_public_tab(client, pupil, topic):
    pupil.must_change_password = False
    pupil.save()
    client.force_login(pupil)
    html = client.get(topic.get_absolute_url() + "?space=everyone").content.decode()
    assert "class account" in html and 'id="comment-form"' not in html


# Joining, removing, phases


def test_the_join_link_names_the_class_and_its_teacher(act_as, classroom):
    url = reverse("forum:class_join_link", args=[classroom.join_code.lower()])
    html = act_as("member").get(url).content.decode()
    assert "Join 10B" in html and classroom.teacher.public_name in html


def test_a_join_link_of_a_closed_class_names_nobody(act_as, classroom):
    classroom.is_open = False
    classroom.save()
    html = act_as("member").get(reverse("forum:class_join_link", args=[classroom.join_code])).content.decode()
    assert "10B" not in html


def test_removing_a_student_asks_first(act_as, classroom, student):
    client = act_as("teacher")
    html = client.get(class_url(classroom, "class_student", student.pk)).content.decode()
    assert "Remove Sam Student from 10B?" in html
    assert classroom.memberships.active().filter(member=student).exists()
    client.post(class_url(classroom, "class_student", student.pk))
    assert not classroom.memberships.active().filter(member=student).exists()


@pytest.mark.parametrize("role, expected", TEACHER_ONLY)
def test_remove_student_question(act_as, classroom, student, role, expected):
    assert outcome(act_as(role).get(class_url(classroom, "class_student", student.pk))) == expected


@pytest.mark.parametrize(
    "role, moved",
    [
        ("teacher", True),
        ("student", False),
        ("other_student", False),
        ("member", False),
        ("anonymous", False),
        ("moderator", False),
    ],
)
def test_who_moves_the_lesson_phases(act_as, classroom, role, moved):
    act_as(role).post(class_url(classroom, "class_settings"), {"phase": "discuss"})
    classroom.refresh_from_db()
    assert (classroom.phase == "discuss") is moved


def test_students_see_the_current_phase_on_the_class_page(act_as, classroom):
    classroom.phase = "rank_before"
    classroom.save()
    assert "Step 1:" in act_as("student").get(class_url(classroom)).content.decode()


def test_the_teacher_sees_flagged_class_comments_and_keeps_one(act_as, classroom, topic, student):
    from forum.services.discussion import flag_comment

    comment = CommentFactory(topic=topic, classroom=classroom, author=student, body="Flag me.")
    flag_comment(member=MembershipFactory(classroom=classroom).member, comment=comment, reason="abuse")
    client = act_as("teacher")
    assert f'id="flagged-{comment.pk}"' in client.get(class_url(classroom)).content.decode()
    client.post(reverse("forum:comment_moderate", args=[comment.pk]), {"decision": "approve"})
    assert f'id="flagged-{comment.pk}"' not in client.get(class_url(classroom)).content.decode()


# Unlocking a student locked out after wrong passwords

SCHOOL = "198.51.100.7"  # the school's one public address (a documentation address)
PASSWORD = "correct horse battery staple"  # tests.factories.MemberFactory's


def log_in(user, password=PASSWORD):
    """A login from a fresh browser at the school's address: True if it let them in."""
    response = Client(REMOTE_ADDR=SCHOOL).post(reverse("login"), {"username": user.username, "password": password})
    return response.status_code == 302


@pytest.fixture
def locked_student(student):
    for _ in range(5):
        log_in(student, "wrong")
    assert not log_in(student)
    return student


def test_teacher_sees_which_students_are_locked_out(act_as, classroom, locked_student):
    MembershipFactory(classroom=classroom, member=MemberFactory(display_name="Free Pupil"))
    response = act_as("teacher").get(class_url(classroom))
    rows = {membership.member.display_name: membership.locked_out for membership in response.context["roster"]}
    assert rows == {"Sam Student": True, "Free Pupil": False}
    assert response.content.decode().count("locked out</span>") == 1


def test_a_pupil_with_a_few_typos_is_not_shown_locked_out(act_as, classroom, student):
    for _ in range(4):
        log_in(student, "wrong")
    assert "locked out</span>" not in act_as("teacher").get(class_url(classroom)).content.decode()


def test_teacher_unlocks_a_student_who_then_logs_in(act_as, classroom, locked_student):
    response = act_as("teacher").post(class_url(classroom, "class_unlock", locked_student.pk), follow=True)
    assert "Sam Student is unlocked" in response.content.decode()
    assert "locked out</span>" not in response.content.decode()
    entry = ModerationLog.objects.get(action=ModerationLog.Action.UNLOCK)
    assert (entry.actor, entry.member) == (classroom.teacher, locked_student)
    assert log_in(locked_student)


def test_unlocking_is_a_post(act_as, classroom, locked_student):
    assert act_as("teacher").get(class_url(classroom, "class_unlock", locked_student.pk)).status_code == 405
    assert not log_in(locked_student)


@pytest.mark.parametrize(
    "role, expected",
    [("student", 404), ("other_student", 404), ("member", 404), ("moderator", 404), ("anonymous", "login")],
)
def test_only_the_classs_teacher_unlocks(act_as, classroom, locked_student, role, expected):
    assert outcome(act_as(role).post(class_url(classroom, "class_unlock", locked_student.pk))) == expected
    assert not ModerationLog.objects.exists()
    assert not log_in(locked_student)


def test_another_teacher_cannot_unlock_a_student_of_this_class(client, classroom, locked_student):
    other = ClassroomFactory(article=classroom.article)
    MembershipFactory(classroom=other, member=locked_student)
    client.force_login(other.teacher)
    assert client.post(class_url(classroom, "class_unlock", locked_student.pk)).status_code == 404
    client.post(class_url(other, "class_unlock", locked_student.pk))  # their own class: allowed
    assert log_in(locked_student)


def test_teacher_cannot_unlock_a_member_outside_the_class(act_as, classroom):
    outsider = MemberFactory()
    for _ in range(5):
        log_in(outsider, "wrong")
    assert act_as("teacher").post(class_url(classroom, "class_unlock", outsider.pk)).status_code == 404
    assert not log_in(outsider)


def test_teacher_cannot_unlock_a_student_removed_from_the_class(act_as, classroom, locked_student):
    client = act_as("teacher")
    client.post(class_url(classroom, "class_student", locked_student.pk))  # removed
    response = client.post(class_url(classroom, "class_unlock", locked_student.pk), follow=True)
    assert "You can unlock the students of your own class." in response.content.decode()
    assert not ModerationLog.objects.exists()
    assert not log_in(locked_student)


def test_a_student_who_ranks_lands_on_the_class_s_results(act_as, classroom, student):
    factor = FactorFactory(article=classroom.article)
    response = act_as("student").post(reverse("forum:ballot", args=[classroom.article.slug]), {f"rank_{factor.pk}": 1})
    assert response["Location"] == f"{classroom.get_absolute_url()}#class-results-heading"


def test_a_class_account_is_not_offered_the_public_tab_to_post_in(client, pupil, topic):
    pupil.must_change_password = False
    pupil.save()
    client.force_login(pupil)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "Posting to <strong>10B</strong>" in html and "Post publicly instead" not in html


def test_no_difference_is_marked_while_nobody_outside_the_class_counts(act_as, classroom, pupil):
    factors = FactorFactory.create_batch(3, article=classroom.article)
    cast_ballot(member=pupil, article=classroom.article, ranking=factors)  # an untrusted teacher's pupil
    context = act_as("teacher").get(class_url(classroom)).context
    assert context["class_results"].voters == 1 and context["overall_results"].voters == 0
    assert context["marked"] == set()


def test_a_teacher_who_hides_in_place_gets_the_card_with_restore(act_as, classroom, topic, student):
    comment = CommentFactory(topic=topic, classroom=classroom, author=student, body="Off topic.")
    response = act_as("teacher").post(
        reverse("forum:comment_moderate", args=[comment.pk]),
        {"decision": "hide", "reason": "Stay on the topic."},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "Off topic." in html and 'value="restore"' in html and "This comment is hidden." not in html
