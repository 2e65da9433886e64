"""PDF rendering in the background: when a result licence is issued and a task queue runs the seam's
reactions (ONEVISIT_REACTION_DISPATCHER set), a worker renders the licence's PDF ahead of its first download
and stores it (WeasyPrint takes a few hundred milliseconds a document; the download then only reads a file).
The stored file is named by the licence and its status, so a revoked or superseded licence is rendered anew.
Idempotent: a second run finds the file and does nothing; a killed worker leaves at most a temporary file,
never a half-written one under the final name."""

from __future__ import annotations

import os
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

PREFIX = "rendered/licences"


def stored_path(licence) -> str:
    return f"{PREFIX}/{licence.identifier}-{licence.status}.pdf"


def licence_pdf_stored(licence) -> bytes | None:
    path = stored_path(licence)
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as fh:
        return fh.read()


def render_licence(licence) -> str:
    """Render and store the licence's PDF unless it is stored already. Returns the stored name."""
    from onevisit.licences.rendering import licence_pdf

    path = stored_path(licence)
    if default_storage.exists(path):
        return path
    content = licence_pdf(licence)
    if hasattr(default_storage, "path"):  # a file system: write aside, then rename into place (atomic)
        tmp = default_storage.save(f"{PREFIX}/.tmp-{uuid.uuid4().hex}.pdf", ContentFile(content))
        os.replace(default_storage.path(tmp), default_storage.path(path))
    else:  # an object store's PUT is atomic already
        default_storage.save(path, ContentFile(content))
    return path


def render_result_licence(call) -> list[str]:
    """The seam's reaction to `issue_result` (registered by EventsConfig when reactions run on workers): the
    PDF of every licence issued for the case (by a result rule or by 秒批)."""
    from onevisit.cases.models import Case
    from onevisit.licences.models import Licence

    number = Case.objects.filter(pk=call.case_id).values_list("number", flat=True).first()
    licences = Licence.objects.select_related("licence_type", "issuer", "signing_key", "predecessor").filter(
        case_number=number).order_by("id")
    return [render_licence(licence) for licence in licences]
