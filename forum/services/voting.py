"""Writes for factors and ballots."""

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from forum.models import Article, Ballot, BallotEntry, Factor, ModerationSettings, Notification, Topic, User
from forum.models.voting import name_key
from forum.ratelimit import count_action
from forum.services.accounts import ensure_can_write
from forum.services.moderation import clean_reason, ensure_moderator, log_factor_decision
from forum.services.notifications import notify
from forum.services.permissions import ensure_can_rank, ensure_can_write_here
from forum.validators import clean_text


@transaction.atomic
def add_curated_factors(*, article: Article, factors: list[dict]) -> int:
    """Add the factors not there yet (by name, ignoring case and spacing); return how many."""
    existing = set(article.factors.values_list("name_key", flat=True))
    topics = {topic.slug: topic for topic in Topic.objects.filter(article=article)}
    created = 0
    for position, values in enumerate(factors):
        if name_key(values["name"]) in existing:
            continue
        factor = Factor.objects.create(
            article=article,
            name=values["name"],
            description=values["description"],
            position=position,
            status=Factor.Status.APPROVED,
        )
        factor.topics.set([topics[slug] for slug in values.get("topics", []) if slug in topics])
        created += 1
    return created


@transaction.atomic
def cast_ballot(*, member: User, article: Article, ranking: list[Factor], reason: str = "") -> Ballot:
    """Record `member`'s ranking (best first) as their current ballot; keep the earlier one.

    The member's row is locked first, so two submissions at the same moment
    queue up and leave exactly one current ballot.
    """
    ensure_can_write(member)
    ensure_can_rank(member, article)
    reason = clean_text(reason, column=Ballot._meta.get_field("reason"), name="reason", label=_("the reason"))
    if not ranking:
        raise ValidationError(_("Rank at least one factor."), code="empty")
    if len({factor.pk for factor in ranking}) != len(ranking):
        raise ValidationError(_("Each factor can be ranked only once."), code="duplicate")
    valid = set(article.factors.approved().filter(pk__in=[f.pk for f in ranking]).values_list("pk", flat=True))
    if len(valid) != len(ranking):
        raise ValidationError(_("Rank only the approved factors of this article."), code="unknown_factor")
    User.objects.select_for_update().filter(pk=member.pk).first()
    current = Ballot.objects.filter(member=member, article=article, is_current=True).first()
    if current is not None:
        standing = list(current.entries.order_by("rank").values_list("factor_id", flat=True))
        if standing == [factor.pk for factor in ranking] and current.reason == reason:
            return current  # the same ballot again: nothing to record
    count_action("ballot", member.pk)
    if current is not None:
        Ballot.objects.filter(pk=current.pk).update(is_current=False)
    ballot = Ballot.objects.create(
        member=member, article=article, reason=reason, version=current.version + 1 if current else 1
    )
    BallotEntry.objects.bulk_create(
        BallotEntry(ballot=ballot, factor=factor, rank=rank) for rank, factor in enumerate(ranking, start=1)
    )
    return ballot


@transaction.atomic
def propose_factor(*, member: User, article: Article, name: str, description: str) -> Factor:
    """A member's new factor, held until a moderator approves it."""
    ensure_can_write_here(member, None)
    if not ModerationSettings.load().members_can_propose_factors:
        raise PermissionDenied(_("Proposing factors is switched off for now."))
    name = clean_text(
        " ".join((name or "").split()), column=Factor._meta.get_field("name"), name="name", label=_("the name")
    )
    description = clean_text(
        description, column=Factor._meta.get_field("description"), name="description", label=_("the description")
    )
    if not name:
        raise ValidationError({"name": _("Give the factor a name.")})
    if not description:
        raise ValidationError({"description": _("Say in a line what the factor means.")})
    if article.factors.filter(name_key=name_key(name)).exists():
        raise ValidationError({"name": _("A factor with this name already exists or is waiting for review.")})
    count_action("propose", member.pk)
    try:
        with transaction.atomic():
            return Factor.objects.create(
                article=article,
                name=name,
                description=description,
                proposed_by=member,
                status=Factor.Status.PENDING,
                position=10_000,
            )
    except IntegrityError:  # the same name, proposed at the same moment
        raise ValidationError({"name": _("A factor with this name already exists or is waiting for review.")}) from None


@transaction.atomic
def decide_factor(*, moderator: User, factor: Factor, approve: bool, reason: str = "") -> Factor:
    """Approve or reject a proposed factor; the proposer is told."""
    ensure_moderator(moderator)
    reason = clean_reason(reason, column=Factor._meta.get_field("decision_reason"))
    factor.status = Factor.Status.APPROVED if approve else Factor.Status.REJECTED
    factor.decision_reason = reason
    factor.save(update_fields=["status", "decision_reason"])
    log_factor_decision(moderator=moderator, factor=factor, reason=factor.decision_reason)
    if factor.proposed_by_id:
        if approve:
            text = _("Your proposed factor “%(factor)s” was approved.") % {"factor": factor.name}
        else:
            text = _("Your proposed factor “%(factor)s” was not approved.") % {"factor": factor.name}
        if reason:
            text += f" {factor.decision_reason}"
        transaction.on_commit(
            partial(notify, recipient_id=factor.proposed_by_id, kind=Notification.Kind.FACTOR, text=text)
        )
    return factor
