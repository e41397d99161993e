"""The tool's RSA signing key: from the environment, or generated once into instance/lti_keys.json.

Rotation makes a new signing key and keeps the old public key in the JWKS until it expires, so
a platform that cached our keys can still check anything the old key signed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from jwcrypto.jwk import JWK

from ..models import utcnow

KEYRING_FILE = "lti_keys.json"
KEY_BITS = 2048


@dataclass(frozen=True)
class ToolKey:
    kid: str
    private_pem: str
    public_pem: str
    # Set once the key no longer signs; it stays published until expires_at.
    expires_at: datetime | None = None

    def public_jwk(self) -> dict:
        jwk = json.loads(JWK.from_pem(self.public_pem.encode()).export_public())
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return jwk


def new_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def tool_key(private_pem: str, expires_at: datetime | None = None) -> ToolKey:
    """A ToolKey from a private key in PEM; its kid is the RFC 7638 thumbprint of the public key."""
    private = serialization.load_pem_private_key(private_pem.encode(), password=None)
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    kid = JWK.from_pem(public_pem.encode()).thumbprint()
    return ToolKey(kid=kid, private_pem=private_pem, public_pem=public_pem, expires_at=expires_at)


def _keyring_path() -> Path:
    return Path(current_app.config.get("LTI_KEYRING_PATH") or Path(current_app.instance_path) / KEYRING_FILE)


def _write_private(path: Path, data: dict, exclusive: bool) -> bool:
    """Write the keyring readable by the owner only; with exclusive, only if nobody wrote it first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if exclusive:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
    else:
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
    if not exclusive:
        os.replace(tmp, path)
    return True


def _read_keyring() -> dict:
    path = _keyring_path()
    if not path.exists():
        # Another worker may win this race; everyone then reads the winner's key.
        _write_private(path, {"keys": [{"private_pem": new_private_pem(), "expires_at": None}]}, exclusive=True)
    return json.loads(path.read_text())


def _from_environment() -> list[ToolKey] | None:
    current = current_app.config.get("LTI_PRIVATE_KEY", "")
    if not current:
        return None
    keys = [tool_key(current)]
    previous = current_app.config.get("LTI_PREVIOUS_PRIVATE_KEY", "")
    if previous:
        # The operator removes it from the environment once it has expired.
        keys.append(tool_key(previous, expires_at=utcnow() + timedelta(days=1)))
    return keys


def tool_keys() -> list[ToolKey]:
    """The signing key first, then retired keys that are still published."""
    from_env = _from_environment()
    if from_env is not None:
        return from_env
    now = utcnow()
    keys = []
    for entry in _read_keyring()["keys"]:
        expires = datetime.fromisoformat(entry["expires_at"]) if entry.get("expires_at") else None
        if expires is None or expires > now:
            keys.append(tool_key(entry["private_pem"], expires))
    return keys


def signing_key() -> ToolKey:
    return tool_keys()[0]


def public_jwks() -> dict:
    """The JWKS document platforms fetch: every key that is not yet expired."""
    return {"keys": [key.public_jwk() for key in tool_keys()]}


def rotate_key(overlap: timedelta) -> ToolKey:
    """Start signing with a new key; the old one stays published for `overlap`, then drops out."""
    if _from_environment() is not None:
        raise RuntimeError("The key comes from LTI_PRIVATE_KEY: rotate it there (see the README).")
    data = _read_keyring()
    now = utcnow()
    kept = []
    for entry in data["keys"]:
        expires = datetime.fromisoformat(entry["expires_at"]) if entry.get("expires_at") else None
        if expires is None:
            entry["expires_at"] = (now + overlap).isoformat()
            kept.append(entry)
        elif expires > now:
            kept.append(entry)
    private_pem = new_private_pem()
    new_entry = {"private_pem": private_pem, "expires_at": None}
    _write_private(_keyring_path(), {"keys": [new_entry, *kept]}, exclusive=False)
    return tool_key(private_pem)
