"""AES-256-CBC with base64 and PKCS7, as KIS uses for execution-notice frames (reference §7).

The key and iv are the subscribe ack's ``output.key`` / ``output.iv`` taken as UTF-8 bytes
(32 and 16 characters). ``encrypt`` exists for the sandbox and for tests.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def _cipher(key: str, iv: str) -> Cipher[modes.CBC]:
    key_bytes, iv_bytes = key.encode(), iv.encode()
    if len(key_bytes) != 32 or len(iv_bytes) != 16:
        raise ValueError(
            f"AES-256-CBC needs a 32-byte key and 16-byte iv, were {len(key_bytes)}/{len(iv_bytes)}"
        )
    return Cipher(algorithms.AES(key_bytes), modes.CBC(iv_bytes))


def decrypt(key: str, iv: str, payload: str) -> str:
    decryptor = _cipher(key, iv).decryptor()
    padded = decryptor.update(base64.b64decode(payload)) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(padded) + unpadder.finalize()).decode("utf-8")


def encrypt(key: str, iv: str, text: str) -> str:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(text.encode("utf-8")) + padder.finalize()
    encryptor = _cipher(key, iv).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode("ascii")
