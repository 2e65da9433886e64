from django.shortcuts import render

from onevisit.datahub import selectors


def sharing_page(request):
    """The published sharing list (共享清单)."""
    permissions = list(selectors.sharing_list())
    for p in permissions:
        p.field_labels = [p.resource.label_of(f) for f in p.fields]
    return render(request, "datahub/sharing.html", {"permissions": permissions, "resources": selectors.resources_list()})
