from django import template
from django.utils.safestring import mark_safe

from forum.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Render article text (admin-edited Markdown) through the one sanitizing renderer."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308 - sanitized by nh3
