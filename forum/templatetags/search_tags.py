from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from forum.selectors.search import MARK_END, MARK_START, STAND_INS

RESTORE = {ord(stand_in): char for char, stand_in in STAND_INS.items()}

register = template.Library()


@register.filter
def marked(text: str | None) -> SafeString:
    """A highlight from the search selector as HTML: the text escaped, only its matches in <mark>.

    The selector marks matches with \\x02 ... \\x03 (and PostgreSQL's stand-ins for < and & are
    turned back); an unclosed mark is closed,
    a stray end ignored, so the HTML is always balanced.
    """
    html, inside = [], False
    for char_run in _runs((text or "").translate(RESTORE)):
        if char_run == MARK_START:
            if not inside:
                html.append("<mark>")
                inside = True
        elif char_run == MARK_END:
            if inside:
                html.append("</mark>")
                inside = False
        else:
            html.append(escape(char_run))
    if inside:
        html.append("</mark>")
    return mark_safe("".join(html))  # noqa: S308 - every piece of text is escaped above


def _runs(text: str):
    """The text cut at the marks: text pieces and each mark on its own."""
    start = 0
    for index, char in enumerate(text):
        if char in (MARK_START, MARK_END):
            if index > start:
                yield text[start:index]
            yield char
            start = index + 1
    if start < len(text):
        yield text[start:]


@register.simple_tag
def page_url(filters, number) -> str:
    """The search's address for page `number`, every filter kept."""
    query = filters.copy()
    query["page"] = number
    return f"?{query.urlencode()}"
