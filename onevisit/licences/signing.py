"""Signatures of e-licences: SM2 with SM3 (GB/T 38540 practice) behind a signer interface, and the
departments' private keys encrypted at rest with AES-256-GCM under a key from settings."""

import base64
import hashlib
import json
import os
from abc import ABC, abstractmethod
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.module_loading import import_string


def canonical_bytes(document: dict) -> bytes:
    """Canonical JSON: sorted keys, no insignificant whitespace, UTF-8 (not \\u escapes)."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Signer(ABC):
    algorithm: str

    @abstractmethod
    def generate(self) -> tuple[bytes, bytes]:
        """A new key pair as (private PEM, public PEM)."""

    @abstractmethod
    def sign(self, private_pem: bytes, message: bytes) -> bytes: ...

    @abstractmethod
    def verify(self, public_pem: bytes, message: bytes, signature: bytes) -> bool: ...


class TongsuoSm2Signer(Signer):
    """SM2 signature over SM3 through Tongsuo (the OpenSSL fork with 国密 algorithms): ~0.4 ms per sign,
    ~0.25 ms per verify here, against ~7 ms / ~11 ms for the pure-Python gmssl."""

    algorithm = "SM2-SM3"

    def __init__(self):
        from tongsuopy.crypto import hashes, serialization
        from tongsuopy.crypto.asymciphers import ec
        from tongsuopy.crypto.exceptions import InvalidSignature

        self._hashes, self._ser, self._ec, self._invalid = hashes, serialization, ec, InvalidSignature

    def generate(self) -> tuple[bytes, bytes]:
        key = self._ec.generate_private_key(self._ec.SM2())
        private = key.private_bytes(
            self._ser.Encoding.PEM, self._ser.PrivateFormat.PKCS8, self._ser.NoEncryption()
        )
        public = key.public_key().public_bytes(self._ser.Encoding.PEM, self._ser.PublicFormat.SubjectPublicKeyInfo)
        return private, public

    @lru_cache(maxsize=64)  # noqa: B019 - the signer lives as long as the process, keys are immutable
    def _private(self, pem: bytes):
        return self._ser.load_pem_private_key(pem, None)

    @lru_cache(maxsize=256)  # noqa: B019
    def _public(self, pem: bytes):
        return self._ser.load_pem_public_key(pem)

    def sign(self, private_pem: bytes, message: bytes) -> bytes:
        return self._private(private_pem).sign(message, self._ec.ECDSA(self._hashes.SM3()))

    def verify(self, public_pem: bytes, message: bytes, signature: bytes) -> bool:
        try:
            self._public(public_pem).verify(signature, message, self._ec.ECDSA(self._hashes.SM3()))
        except (self._invalid, ValueError):
            return False
        return True


@lru_cache(maxsize=4)
def _signer(path: str) -> Signer:
    return import_string(path)()


def signer() -> Signer:
    return _signer(settings.LICENCE_SIGNER)


def _kek() -> AESGCM:
    # Any length of secret in the environment; SHA-256 turns it into the 256-bit AES key.
    return AESGCM(hashlib.sha256(settings.KEY_ENCRYPTION_KEY.encode("utf-8")).digest())


def encrypt_private_key(private_pem: bytes, *, key_id: str) -> bytes:
    """nonce (12 bytes) + AES-GCM ciphertext; the key id is authenticated data, so a stored key cannot be
    moved to another key's row."""
    nonce = os.urandom(12)
    return nonce + _kek().encrypt(nonce, private_pem, key_id.encode())


def decrypt_private_key(blob: bytes, *, key_id: str) -> bytes:
    blob = bytes(blob)
    return _kek().decrypt(blob[:12], blob[12:], key_id.encode())


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))
