"""Storing an uploaded material: the type is decided by the file's first bytes, never by the
client's name or header; the path is ours; the SHA-256 and size are recorded."""

import hashlib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

_SIGNATURES = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"PK\x03\x04", "application/ofd", "ofd"),  # OFD (GB/T 33190) is a zip container
]


def allowed_types() -> list[str]:
    return list(getattr(settings, "ONEVISIT_UPLOAD_TYPES", [s[1] for s in _SIGNATURES]))


def max_bytes() -> int:
    return int(getattr(settings, "ONEVISIT_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in _SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


@dataclass(frozen=True)
class Stored:
    path: str
    sha256: str
    size: int
    content_type: str


def check_upload(upload, field: str) -> tuple[bytes, str, str]:
    """Read and check the upload; raises a ValidationError naming the field."""
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError({field: f"文件过大：{upload.size} 字节，上限 {limit} 字节"})
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError({field: f"文件过大，上限 {limit} 字节"})
    if not content:
        raise ValidationError({field: "文件为空"})
    found = sniff(content[:16])
    if found is None or found[0] not in allowed_types():
        raise ValidationError({field: "文件类型不受支持：只接受 PDF、PNG、JPEG、OFD（按文件内容判断）"})
    return content, found[0], found[1]


def store(*, case_number: str, key: str, content: bytes, ext: str, content_type: str,
          digest: str | None = None) -> Stored:
    digest = digest or hashlib.sha256(content).hexdigest()
    path = default_storage.save(f"cases/{case_number}/{key}-{uuid.uuid4().hex}.{ext}", ContentFile(content))
    return Stored(path=path, sha256=digest, size=len(content), content_type=content_type)


def remove_stored(path: str) -> None:
    """Remove a stored file no row points to any more (a replaced upload); a file already gone is fine."""
    try:
        default_storage.delete(path)
    except OSError:
        pass
