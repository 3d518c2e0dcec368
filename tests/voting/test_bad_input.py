"""A proposed factor or a ballot's reason that its column cannot keep is refused, never a 500."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from forum.models import Factor
from forum.services.voting import cast_ballot, propose_factor
from tests.factories import ArticleFactory, FactorFactory, MemberFactory


@pytest.mark.parametrize(
    "name, description, field",
    [
        ("x" * 81, "Gas prices.", "name"),
        ("Energy\x00", "Gas prices.", "name"),
        ("Energy", "x" * 301, "description"),
        ("Energy", "Gas\x07prices.", "description"),
    ],
)
def test_a_proposed_factor_that_does_not_fit_is_refused(db, name, description, field):
    article = ArticleFactory()
    with pytest.raises(ValidationError) as error:
        propose_factor(member=MemberFactory(), article=article, name=name, description=description)
    assert field in error.value.message_dict
    assert not article.factors.exists()


@pytest.mark.parametrize("reason", ["x" * 281, "Because\x00"])
def test_a_ballots_reason_that_does_not_fit_is_refused(db, reason):
    factor = FactorFactory(status=Factor.Status.APPROVED)
    with pytest.raises(ValidationError) as error:
        cast_ballot(member=MemberFactory(), article=factor.article, ranking=[factor], reason=reason)
    assert "reason" in error.value.message_dict


def test_reasons_for_a_factor_named_by_a_superscript_digit_show_every_reason(client, db):
    factor = FactorFactory(status=Factor.Status.APPROVED)
    response = client.get(reverse("forum:reasons", args=[factor.article.slug]), {"factor": "²"})
    assert response.status_code == 200
