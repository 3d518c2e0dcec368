"""The search page: one GET form, its results a page at a time."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from forum.client_ip import client_ip
from forum.forms import SearchForm
from forum.ratelimit import RateLimited, count_action
from forum.selectors.search import RESULTS_PER_PAGE, highlighted, parse_query, search_entries
from forum.validators import CONTROL_CHARACTERS


@require_GET
def search(request):
    """Anyone may search; each sees only what they may read (selectors.search.visible_entries)."""
    form = SearchForm(request.GET if "q" in request.GET else None)
    context = {"form": form, "page": None, "search_query": CONTROL_CHARACTERS.sub("", request.GET.get("q", ""))[:200]}
    if form.is_valid():
        data = form.cleaned_data
        terms = parse_query(data["q"])
        if not terms:
            form.add_error(
                "q",
                _("Type a word to look for: letters or numbers (punctuation and symbols are ignored).")
                if data["q"]
                else _("Type a word to look for."),
            )
        else:
            try:
                count_action("search", client_ip(request))
            except RateLimited as error:
                form.add_error(None, error)
            else:
                results = search_entries(
                    viewer=request.user,
                    terms=terms,
                    topic=data["topic"],
                    author=data["author"].strip(),
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                )
                page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
                page.object_list = highlighted(page.object_list, terms)
                context["page"] = page
                context["page_range"] = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
                context["filters"] = request.GET.copy()
                context["filters"].pop("page", None)
    return render(request, "forum/search/results.html", context)
