"""A short-lived cache of what the dashboards aggregate per assignment, invalidated by writes.

A teacher's dashboard recomputes the class's themes over every text on every view; a class writing
at the same moment changes it a few times a minute, and the teacher reloads it more often than that.
Values are kept for `AGGREGATE_CACHE_SECONDS` (30 by default; 0 switches the cache off) in Redis when
`REDIS_URL` is set, so every worker and every instance share them, else in the worker's memory.

Invalidation is by generation: each assignment and each class has a counter that is part of every key
read for it. Whatever the ORM writes is watched (reflections, moderation events, stance answers,
students, prompts, assignments, caption tracks): after the transaction commits, the counters of the
assignments and classes it touched go up, so the next view misses and recomputes. An assignment's
setup (its prompts, settings and captions, what every student's page of it shares) has a counter of
its own, which students' saves and the teacher's decisions leave alone (`cached_for_setup`). Counters go up only after the
commit, so a view that ran meanwhile can only have stored its result under the old counter. In
process memory another worker does not see the counters move: with several workers set REDIS_URL
(as for rate limits); the time limit bounds what any worker can show that is out of date.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import fields, is_dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.util import identity_key

if TYPE_CHECKING:
    from .models import Assignment

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 30
# Counters outlive any value stored under them by far, so a counter never restarts under a live value.
GENERATION_SECONDS = 86_400
_PENDING = "aggregate_cache_pending"


class MemoryStore:
    """Values and counters in this process (one worker)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, tuple[float, bytes]] = {}
        self._generations: dict[str, int] = {}

    def generations(self, names: list[str]) -> list[int]:
        with self._lock:
            return [self._generations.get(name, 0) for name in names]

    def bump(self, names: list[str]) -> None:
        with self._lock:
            for name in names:
                self._generations[name] = self._generations.get(name, 0) + 1

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self._values.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self._values[key]
                return None
            return found[1]

    def set(self, key: str, value: bytes, seconds: int) -> None:
        with self._lock:
            if len(self._values) > 2_000:  # a worker's memory is not the place for a district's dashboards
                now = time.monotonic()
                self._values = {k: v for k, v in self._values.items() if v[0] >= now}
            self._values[key] = (time.monotonic() + seconds, value)


class RedisStore:
    """Values and counters in Redis, shared by every worker and instance."""

    def __init__(self, url: str, namespace: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        # Several schools' apps (or test runs) may share one Redis: each database has its own keys.
        self._prefix = f"rsc:{namespace}:"

    def generations(self, names: list[str]) -> list[int]:
        return [int(value or 0) for value in self._redis.mget([f"{self._prefix}gen:{name}" for name in names])]

    def bump(self, names: list[str]) -> None:
        pipe = self._redis.pipeline()
        for name in names:
            pipe.incr(f"{self._prefix}gen:{name}")
            pipe.expire(f"{self._prefix}gen:{name}", GENERATION_SECONDS)
        pipe.execute()

    def get(self, key: str) -> bytes | None:
        value = self._redis.get(self._prefix + key)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, seconds: int) -> None:
        self._redis.set(self._prefix + key, value, ex=seconds)


def init_app(app: Flask) -> None:
    """Pick the store: Redis with REDIS_URL (AGGREGATE_CACHE_URL), else this process's memory."""
    url = app.config.get("AGGREGATE_CACHE_URL", "")
    database = repr((app.config.get("SQLALCHEMY_DATABASE_URI"), app.config.get("SQLALCHEMY_ENGINE_OPTIONS")))
    namespace = hashlib.sha256(database.encode()).hexdigest()[:12]
    app.extensions["aggregate_cache"] = RedisStore(url, namespace) if url else MemoryStore()


def _store():
    if not has_app_context() or current_app.config.get("AGGREGATE_CACHE_SECONDS", DEFAULT_SECONDS) <= 0:
        return None
    return current_app.extensions.get("aggregate_cache")


# --- what is stored: plain data; database rows are stored as references and looked up again on the way out ---


class _Row:
    __slots__ = ("key", "model")

    def __init__(self, model, key):
        self.model, self.key = model, key

    def __reduce__(self):
        return (_Row, (self.model, self.key))


# Plain values: most of an aggregate (every count, label, time and text) is one of these, and walking it for rows
# checked each against every other kind first. A cached report walked some 2,000 of them on every view
# (a third of the page's time, issue 13).
_PLAIN = (str, int, float, bytes, type(None), date, datetime, timedelta)


def _detach(value):
    if isinstance(value, _PLAIN):
        return value
    if inspect(value, raiseerr=False) is not None and hasattr(value, "__mapper__"):
        return _Row(type(value), inspect(value).identity)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _detach(getattr(value, f.name)) for f in fields(value) if f.init})
    if isinstance(value, list):
        return [_detach(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_detach(v) for v in value)
    if isinstance(value, dict):
        return {k: _detach(v) for k, v in value.items()}
    return value


def _attach(value, session):
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, _Row):
        return session.get(value.model, value.key)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _attach(getattr(value, f.name), session) for f in fields(value) if f.init})
    if isinstance(value, list):
        return [_attach(v, session) for v in value]
    if isinstance(value, tuple):
        return tuple(_attach(v, session) for v in value)
    if isinstance(value, dict):
        return {k: _attach(v, session) for k, v in value.items()}
    return value


def _sign(data: bytes) -> bytes:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), data, hashlib.sha256).digest()


def cached_for_assignment(assignment: Assignment, name: str, compute: Callable[[], Any]) -> Any:
    """compute()'s value for this assignment, from the cache while no write has touched the assignment or
    its class and the time limit has not passed. Dataclasses, lists, dicts and rows may be in the value."""
    return _cached("dash", assignment.id, [f"a{assignment.id}", f"c{assignment.class_id}"], name, compute)


def cached_plain_for_assignment(assignment: Assignment, name: str, compute: Callable[[], Any]) -> Any:
    """As cached_for_assignment, for a value of plain data only (no rows): stored and loaded as it is, without
    walking it for rows (a walk of a few hundred values would cost more than the value saves)."""
    return _cached("dash", assignment.id, [f"a{assignment.id}", f"c{assignment.class_id}"], name, compute, rows=False)


def cached_for_setup(assignment: Assignment, name: str, compute: Callable[[], Any]) -> Any:
    """compute()'s value from the assignment's setup alone (its prompts, settings and captions), from the cache
    while none of them has changed and the time limit has not passed; what students write does not drop it."""
    return _cached("setup", assignment.id, [f"s{assignment.id}"], name, compute)


def _cached(
    kind: str, assignment_id: int, counters: list[str], name: str, compute: Callable[[], Any], rows: bool = True
) -> Any:
    from .extensions import db

    store = _store()
    if store is None:
        return compute()
    try:
        generations = store.generations(counters)
        key = f"{kind}:{assignment_id}:{'.'.join(map(str, generations))}:{name}"
        stored = store.get(key)
    except Exception:  # the cache is only a shortcut: without Redis the page is computed as before
        log.warning("aggregate cache unavailable", exc_info=True)
        return compute()
    if stored is not None:
        signature, data = stored[:32], stored[32:]
        # Signed with the app's secret key: only this app's own pickles are ever loaded.
        if hmac.compare_digest(signature, _sign(data)):
            try:
                value = pickle.loads(data)
                return _attach(value, db.session) if rows else value
            except Exception:  # stored by an earlier release whose classes had other fields: compute it again
                log.warning("aggregate cache: a stored value no longer fits; computed again", exc_info=True)
    value = compute()
    data = pickle.dumps(_detach(value) if rows else value, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        store.set(key, _sign(data) + data, current_app.config.get("AGGREGATE_CACHE_SECONDS", DEFAULT_SECONDS))
    except Exception:
        log.warning("aggregate cache unavailable", exc_info=True)
    return value


# --- invalidation: watch what the ORM writes, count it after the commit ---


def mark_changed(
    session: Session | scoped_session,
    *,
    assignments: Iterable[int | None] = (),
    classes: Iterable[int | None] = (),
    setups: Iterable[int | None] = (),
) -> None:
    """Record that this transaction changes what the dashboards show for these assignments and classes, and
    the setup (prompts, settings, captions) of the `setups` assignments."""
    pending = session.info.setdefault(_PENDING, set())
    pending.update(f"a{a}" for a in assignments if a is not None)
    pending.update(f"c{c}" for c in classes if c is not None)
    pending.update(f"s{a}" for a in setups if a is not None)


def _watch_flush(session: Session, flush_context: object) -> None:
    from .models import Assignment, CaptionTrack, ModerationEvent, Prompt, Reflection, StanceAnswer, Student

    assignments, classes, prompts, reflections, setups = set(), set(), set(), set(), set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Reflection):
            prompts.add(obj.prompt_id)
        elif isinstance(obj, ModerationEvent):
            reflections.add(obj.reflection_id)
        elif isinstance(obj, StanceAnswer):
            assignments.add(obj.assignment_id)
        elif isinstance(obj, (Prompt, CaptionTrack)):
            assignments.add(obj.assignment_id)
            setups.add(obj.assignment_id)
        elif isinstance(obj, Assignment):
            assignments.add(obj.id)
            classes.add(obj.class_id)
            setups.add(obj.id)
        elif isinstance(obj, Student):
            classes.add(obj.class_id)
    prompts.discard(None)
    reflections.discard(None)
    if not (assignments or classes or prompts or reflections or setups):
        return
    # A save has its prompt (and a moderation event its reflection) loaded already: read the assignment
    # from the session instead of asking the database on every flush (issue 13).
    for reflection_id in list(reflections):
        reflection = session.identity_map.get(identity_key(Reflection, reflection_id))
        if isinstance(reflection, Reflection) and reflection.__dict__.get("prompt_id") is not None:
            prompts.add(reflection.prompt_id)
            reflections.discard(reflection_id)
    for prompt_id in list(prompts):
        prompt = session.identity_map.get(identity_key(Prompt, prompt_id))
        if isinstance(prompt, Prompt) and "assignment_id" in prompt.__dict__:
            assignments.add(prompt.assignment_id)
            prompts.discard(prompt_id)
    connection = session.connection()
    if prompts:
        assignments.update(connection.execute(select(Prompt.assignment_id).where(Prompt.id.in_(prompts))).scalars())
    if reflections:
        assignments.update(
            connection.execute(
                select(Prompt.assignment_id)
                .join(Reflection, Reflection.prompt_id == Prompt.id)
                .where(Reflection.id.in_(reflections))
            ).scalars()
        )
    mark_changed(session, assignments=assignments, classes=classes, setups=setups)


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    store = _store()
    if store is None:
        return
    try:
        store.bump(sorted(pending))
    except Exception:
        log.warning("aggregate cache unavailable: dashboards may lag for up to the time limit", exc_info=True)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


event.listen(Session, "after_flush", _watch_flush)
event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_rollback", _after_rollback)
