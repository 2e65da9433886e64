"""The e-licence library as a data-hub resource ("licence:<type code>", keyed by the holder): only a
valid, unexpired licence whose signature verifies is a proof."""

from onevisit.datahub.models import DataResource
from onevisit.datahub.providers import DataProvider, Fetched
from onevisit.datahub.schema import LICENCE_PREFIX
from onevisit.licences.models import Licence, LicenceStatus
from onevisit.licences.services import signature_ok, today


class LicenceProvider(DataProvider):
    label = "电子证照库"

    def fetch(self, *, resource: DataResource, identifier: str) -> Fetched | None:
        licence = (
            Licence.objects.select_related("licence_type", "issuer", "signing_key", "predecessor")
            .filter(licence_type__code=resource.key[len(LICENCE_PREFIX):], holder=identifier, status=LicenceStatus.VALID)
            .order_by("-issued_at")
            .first()
        )
        if licence is None or licence.is_expired(today()) or not signature_ok(licence):
            return None
        return Fetched(
            data=licence.data, updated_at=licence.issued_at, source=f"电子证照 {licence.identifier}",
            extra={"identifier": licence.identifier, "issuer": licence.issuer.name,
                   "valid_until": licence.valid_until.isoformat() if licence.valid_until else None},
        )
