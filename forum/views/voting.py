"""Ranking the factors: the ballot, the results (page and CSV), proposing a factor."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from forum.csv_export import results_csv_response
from forum.forms import BallotForm, ProposeFactorForm
from forum.pagecache import cached_for_readers, private_no_store
from forum.selectors.classes import class_spaces
from forum.selectors.content import published_articles
from forum.selectors.voting import (
    SORTS,
    ballot_factors,
    ballot_results,
    current_ballot,
    first_choice_reasons,
    opinion_change,
    reasons_by_factor,
    results_visible,
)
from forum.services.accounts import active_restriction
from forum.services.voting import cast_ballot, propose_factor


@require_GET
@cached_for_readers
def results(request, article):
    article = get_object_or_404(published_articles(), slug=article)
    ballot = current_ballot(member=request.user, article=article)
    context = {"article": article, "ballot": ballot, "visible": results_visible(viewer=request.user, article=article)}
    if context["visible"]:
        sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "score"
        overall = ballot_results(article=article)
        context.update(
            results=overall,
            rows=overall.sorted_by(sort),
            sort=sort,
            reasons=reasons_by_factor(article=article, rows=overall.sorted_by("score")),
            change=opinion_change(article=article),
        )
    return render(request, "forum/voting/results.html", context)


REASONS_PER_PAGE = 50


@require_GET
@cached_for_readers
def reasons(request, article):
    """Every reason given for a first choice (of one factor with ?factor=), newest first, a page at a time."""
    article = get_object_or_404(published_articles(), slug=article)
    if not results_visible(viewer=request.user, article=article):
        return redirect("forum:results", article.slug)
    factor_id = request.GET.get("factor", "")
    factor = get_object_or_404(article.factors.approved(), pk=factor_id) if factor_id.isdecimal() else None
    page = Paginator(first_choice_reasons(article=article, factor=factor), REASONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "forum/voting/reasons.html", {"article": article, "factor": factor, "page": page})


@private_no_store
@require_GET
def results_csv(request, article):
    article = get_object_or_404(published_articles(), slug=article)
    if not results_visible(viewer=request.user, article=article):
        return redirect("forum:results", article.slug)
    return results_csv_response(f"{article.slug}-factor-results.csv", ballot_results(article=article))


@require_http_methods(["GET", "POST"])
@login_required
def ballot(request, article):
    article = get_object_or_404(published_articles(), slug=article)
    standing = current_ballot(member=request.user, article=article)
    restriction = active_restriction(request.user)
    form = BallotForm(
        request.POST or None,
        factors=ballot_factors(member=request.user, article=article, ballot=standing),
        initial={"reason": standing.reason if standing else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            cast_ballot(
                member=request.user,
                article=article,
                ranking=form.cleaned_data["ranking"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if classes := class_spaces(request.user, article):  # in a lesson: back to the class's results
                messages.success(
                    request,
                    _("Your ranking is saved. Here is how %(name)s ranks the factors.") % {"name": classes[0].name},
                )
                return redirect(f"{classes[0].get_absolute_url()}#class-results-heading")
            messages.success(request, _("Your ranking is saved. Here is how everyone ranks the factors."))
            return redirect("forum:results", article.slug)
    context = {"article": article, "form": form, "standing": standing, "restriction": restriction}
    return render(request, "forum/voting/ballot.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def propose(request, article):
    article = get_object_or_404(published_articles(), slug=article)
    form = ProposeFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            factor = propose_factor(member=request.user, article=article, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Thank you. “%(factor)s” will be listed once a moderator approves it.") % {"factor": factor.name},
            )
            return redirect("forum:results", article.slug)
    return render(request, "forum/voting/propose.html", {"article": article, "form": form})
