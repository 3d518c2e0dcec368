import functools

from django import template
from django.apps import apps
from django.utils.safestring import mark_safe

from forum.markdown import render_markdown
from forum.services.moderation import decisions_for

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Render article text (admin-edited Markdown) through the one sanitizing renderer."""
    return mark_safe(rendered_article_text(text or ""))  # noqa: S308 - sanitized by nh3


@functools.lru_cache(maxsize=512)
def rendered_article_text(text: str) -> str:
    """Article text is the same on every page view: parse it once per process (keyed by the text itself)."""
    return render_markdown(text)


@register.filter
def isotime(value) -> str:
    """A `datetime` attribute to the second ("2026-11-26T03:46:50+00:00"): |date:"c" adds microseconds."""
    return value.isoformat(timespec="seconds") if value else ""


@register.filter
def decisions(status: str) -> list[tuple[str, str]]:
    """The moderation decisions open for a comment's status: the table the admin's queue reads too."""
    return decisions_for(status)


@register.filter
def bar_width(share) -> str:
    """The class that draws a result bar `share` percent long: site.css has one per whole percent
    (bar-w-0 to bar-w-100), because the Content-Security-Policy allows no style="" attribute.
    A share above nothing shows at least a sliver, so a factor with any points never looks empty."""
    try:
        value = float(share)
    except (TypeError, ValueError):
        return "bar-w-0"
    percent = min(100, max(0, round(value)))
    if percent == 0 and value > 0:
        percent = 1
    return f"bar-w-{percent}"


@register.simple_tag
def max_length(column: str) -> int:
    """A column's max_length ("forum.Comment.status_reason"), for a hand-written box's maxlength."""
    label, name = column.rsplit(".", 1)
    return apps.get_model(label)._meta.get_field(name).max_length
