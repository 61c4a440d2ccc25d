"""AES-256-CBC + base64 + PKCS7 encryption of execution-notice frames (reference §7), the
sandbox's own: key and iv are the subscribe ack's ``output.key``/``output.iv`` as UTF-8."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def encrypt(key: str, iv: str, text: str) -> str:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(text.encode("utf-8")) + padder.finalize()
    cipher = Cipher(algorithms.AES(key.encode()), modes.CBC(iv.encode()))
    encryptor = cipher.encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode("ascii")
