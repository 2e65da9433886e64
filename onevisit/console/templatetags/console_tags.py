from django import template

register = template.Library()


@register.filter
def err(errors, name):
    """The messages for a field name, joined, or ''."""
    if not errors:
        return ""
    found = errors.get(name) if isinstance(errors, dict) else None
    if not found:
        return ""
    return "；".join(found) if isinstance(found, list | tuple) else str(found)


@register.simple_tag
def keyed(prefix, key):
    return f"{prefix}.{key}"


@register.filter
def get(mapping, key):
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.simple_tag(takes_context=True)
def console_places(context):
    from onevisit.console.access import destinations, is_staff_member

    user = context.get("user")
    return destinations(user) if user is not None and is_staff_member(user) else []
