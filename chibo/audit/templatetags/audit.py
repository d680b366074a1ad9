from django import template

from chibo.audit import labels

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return labels.label(action)
