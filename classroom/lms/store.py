"""Launch state, nonces and launch data in a store every worker shares: the database, or Redis.

Never process memory: with several workers the OIDC login and the launch that follows it often
reach different processes. A nonce is taken out of the store when it is checked, so a replayed
id_token is refused even within its lifetime.
"""

from __future__ import annotations

import json
import typing as t
from datetime import timedelta

from flask import current_app
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from sqlalchemy import CursorResult
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import LtiLaunchData, utcnow

DEFAULT_LIFETIME = 3600
NONCE_MARK = "-nonce-"


class SharedLaunchStorage(LaunchDataStorage):
    """pylti1p3's launch data storage backed by our table, or by Redis when REDIS_URL is set."""

    _prefix = "lti1p3-"

    def __init__(self, redis_url: str = "") -> None:
        super().__init__()
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url)

    def get_session_cookie_name(self) -> None:
        # Keys are random (state, nonce, launch id), so they need no per-browser prefix.
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> t.Any:
        key = self._prepare_key(key)
        if self._redis is not None:
            raw = self._redis.get(key)
            return json.loads(raw) if raw is not None else None
        row = db.session.get(LtiLaunchData, key)
        if row is None or _expired(row):
            return None
        return json.loads(row.value)

    def set_value(self, key: str, value: t.Any, exp: int | None = None) -> None:
        key = self._prepare_key(key)
        lifetime = exp or DEFAULT_LIFETIME
        if self._redis is not None:
            self._redis.set(key, json.dumps(value), ex=lifetime)
            return
        expires = utcnow() + timedelta(seconds=lifetime)
        if NONCE_MARK in key:
            # Once per login: clear out what expired, so the table stays the size of the launches in flight.
            db.session.execute(db.delete(LtiLaunchData).where(LtiLaunchData.expires_at <= utcnow()))
        row = db.session.get(LtiLaunchData, key)
        if row is None:
            db.session.add(LtiLaunchData(key=key, value=json.dumps(value), expires_at=expires))
        else:
            row.value, row.expires_at = json.dumps(value), expires
        try:
            db.session.commit()
        except IntegrityError:  # the same key written at once by another worker: last one wins
            db.session.rollback()
            db.session.merge(LtiLaunchData(key=key, value=json.dumps(value), expires_at=expires))
            db.session.commit()

    def check_value(self, key: str) -> bool:
        """True when the key is there; a nonce is removed as it is checked, so it works only once."""
        key = self._prepare_key(key)
        if NONCE_MARK in key:
            return self.take(key)
        return self.get_value(key) is not None

    def take(self, prepared_key: str) -> bool:
        """Remove the key; True only for the one caller that removed it before it expired."""
        if self._redis is not None:
            return self._redis.getdel(prepared_key) is not None
        result = db.session.execute(
            db.delete(LtiLaunchData).where(LtiLaunchData.key == prepared_key, LtiLaunchData.expires_at > utcnow())
        )
        deleted = t.cast(CursorResult[t.Any], result).rowcount  # a DELETE's result is a cursor result
        db.session.execute(db.delete(LtiLaunchData).where(LtiLaunchData.key == prepared_key))
        db.session.commit()
        return deleted == 1

    def pop(self, key: str) -> t.Any:
        """Read a value and remove it (for single-use values such as a launch waiting for its teacher)."""
        value = self.get_value(key)
        prepared = self._prepare_key(key)
        if self._redis is not None:
            self._redis.delete(prepared)
        else:
            db.session.execute(db.delete(LtiLaunchData).where(LtiLaunchData.key == prepared))
            db.session.commit()
        return value


def _expired(row: LtiLaunchData) -> bool:
    from ..timezones import as_utc

    return as_utc(row.expires_at) <= utcnow()


def launch_storage() -> SharedLaunchStorage:
    return SharedLaunchStorage(current_app.config.get("LTI_REDIS_URL", ""))
