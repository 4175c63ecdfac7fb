"""Per-subject encryption of retained prompt content, and its erasure by crypto-shredding (DSGVO Art. 17).

A data subject is the request's `user` field, or the API key id when the caller sent none. Each (tenant, subject)
gets its own AES-256-GCM key in `audit_subject_keys`; deleting that row makes every retained content of the
subject unreadable, while the audit records (which only hold a hash of the scrubbed prompt) keep verifying.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.repositories import audit as audit_repo

NONCE_BYTES = 12


def subject_hash(tenant_id: str, subject: str) -> str:
    """The stored form of a subject: never the `user` value itself, which may be an e-mail address."""
    return hashlib.sha256(f"{tenant_id}\x00{subject}".encode()).hexdigest()


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def encrypt(key: bytes, seq: int, plaintext: bytes) -> tuple[bytes, bytes]:
    """(nonce, ciphertext). The record's sequence number is bound as associated data, so a ciphertext moved
    to another record does not decrypt."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(key).encrypt(nonce, plaintext, str(seq).encode())


def decrypt(key: bytes, seq: int, nonce: bytes, ciphertext: bytes) -> bytes | None:
    """The plaintext, or None when it does not authenticate (wrong key, moved or altered ciphertext)."""
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, str(seq).encode())
    except InvalidTag:
        return None


async def erase_subject(session: AsyncSession, tenant_id: str, subject: str) -> dict[str, Any]:
    """Destroy the subject's content key. The ciphertexts stay (unreadable); the chain is untouched."""
    hashed = subject_hash(tenant_id, subject)
    destroyed = await audit_repo.delete_subject_key(session, tenant_id, hashed)
    return {
        "tenant_id": tenant_id,
        "subject_hash": hashed,
        "keys_destroyed": len(destroyed),
        "contents_unreadable": await audit_repo.count_contents(session, destroyed),
    }
