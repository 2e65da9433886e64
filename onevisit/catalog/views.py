"""Public pages of the catalog: the home page with search, and the printable 办事指南 of an item and of a
一件事. They render the same data as the JSON guide endpoints (catalog.guides)."""

from django.http import Http404
from django.shortcuts import render

from onevisit.catalog import selectors
from onevisit.catalog.guides import bundle_guide, item_guide
from onevisit.orgs.models import Department

HOME_PAGE_SIZE = 50


def home(request):
    q = request.GET.get("q", "").strip()[:100]
    department = request.GET.get("department", "").strip()[:18]
    bundles = list(selectors.published_bundles(q=q, department=department)[:HOME_PAGE_SIZE])
    items, _ = selectors.page(
        selectors.published_items(q=q, department=department), key="implementation_code", limit=HOME_PAGE_SIZE
    )
    return render(request, "catalog/home.html", {
        "q": q,
        "department": department,
        "departments": Department.objects.order_by("region__code", "name").only("name", "credit_code"),
        "bundles": bundles,
        "items": items,
    })


def _not_found(request, what: str, code: str):
    return render(request, "catalog/not_found.html", {"what": what, "code": code}, status=404)


def item_guide_page(request, code: str):
    """The current published version; ?version=N shows that version (a draft only to those who may see
    drafts, as in the API)."""
    version = request.GET.get("version", "").strip()
    try:
        if not version:
            item = selectors.published_item_detail(code)
        elif version.isdigit() and len(version) <= 9:
            item = selectors.item_version(code, int(version), user=request.user)
        else:
            raise Http404
    except Http404:
        return _not_found(request, "事项", code)
    return render(request, "catalog/item_guide.html", {"guide": item_guide(item)})


def bundle_guide_page(request, code: str):
    try:
        bundle = selectors.bundle_detail(code, user=None, published_only=True)
    except Http404:
        return _not_found(request, "一件事", code)
    return render(request, "catalog/bundle_guide.html", {"guide": bundle_guide(bundle)})
