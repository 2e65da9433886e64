from django import template

register = template.Library()


@register.simple_tag
def field_widget(field):
    """Render a bound field's widget with aria attributes that tie it to its help text and error."""
    attrs = {}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def api_time(value):
    """The moment exactly as the JSON API writes it (onevisit.cases.schemas.Moment), for <time datetime>."""
    from onevisit.cases.schemas import local_moment

    return local_moment(value) if value else ""
