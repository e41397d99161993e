"""Database models: the film, teachers' lesson plans, classes, students and their reflections."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from .extensions import db
from .joincodes import new_link_token
from .sessions import login_id, new_session_token
from .statuses import ReflectionStatus, check_constraint_sql
from .timezones import as_utc

# mypy cannot see through Flask-SQLAlchemy's `db.Model` attribute; it is a subclass of our `Base`.
if TYPE_CHECKING:
    from .extensions import Base as Model
else:
    Model = db.Model


def utcnow() -> datetime:
    """Timezone-aware now in UTC; every stored time is UTC."""
    return datetime.now(UTC)


THEMES = ("memory", "legacy", "nostalgia", "justice", "media", "film literacy")


class Film(Model):
    __tablename__ = "films"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    director: Mapped[str] = mapped_column(String(200))
    copyright_year: Mapped[int] = mapped_column(Integer)
    release_year: Mapped[int] = mapped_column(Integer)
    running_time_seconds: Mapped[int] = mapped_column(Integer)
    languages: Mapped[str] = mapped_column(String(200))
    picture: Mapped[str] = mapped_column(String(200))
    premiere: Mapped[str] = mapped_column(String(300))
    festivals: Mapped[list] = mapped_column(JSON, default=list)
    licensing: Mapped[str] = mapped_column(Text)
    form: Mapped[str] = mapped_column(String(300))
    synopsis: Mapped[str] = mapped_column(Text)


class Teacher(UserMixin, Model):
    __tablename__ = "teachers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Stored lower-cased so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Extra words this teacher wants flagged in reflections, one per line.
    flag_words: Mapped[str] = mapped_column(Text, default="")
    # A school administrator also manages the LMS platforms this installation trusts.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Part of every login cookie; a new one signs out every browser (classroom/sessions.py).
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token, server_default="")

    def get_id(self) -> str:
        return login_id("teacher", self.id, self.session_token)

    is_teacher = True
    is_student = False


class LessonPlan(Model):
    __tablename__ = "lesson_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id", ondelete="CASCADE"), index=True)
    film_id: Mapped[int] = mapped_column(ForeignKey("films.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # The teacher's link to the film for checking prompt times before anything is assigned.
    video_url: Mapped[str] = mapped_column(String(2000), default="", server_default="")
    grade_band: Mapped[str] = mapped_column(String(60), default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    stance_question: Mapped[str] = mapped_column(Text)
    stance_options: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    teacher: Mapped[Teacher] = relationship(lazy="raise_on_sql")
    film: Mapped[Film] = relationship(lazy="raise_on_sql")
    prompts: Mapped[list[PlanPrompt]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(PlanPrompt.time_seconds, PlanPrompt.id)",
    )


PROMPT_FIELDS = ("text", "time_seconds", "theme", "pause", "time_confirmed", "teacher_note")


class PromptFields:
    """Columns shared by a plan's prompt and an assignment's frozen copy of it."""

    def prompt_fields(self) -> dict:
        """The prompt's content, to copy into another plan or an assignment."""
        return {name: getattr(self, name) for name in PROMPT_FIELDS}

    text: Mapped[str] = mapped_column(Text)
    time_seconds: Mapped[int] = mapped_column(Integer)
    theme: Mapped[str] = mapped_column(String(40))
    pause: Mapped[bool] = mapped_column(Boolean, default=False)
    # Starter times are guesses until a teacher checks them against the film.
    time_confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    teacher_note: Mapped[str] = mapped_column(Text, default="")


class PlanPrompt(PromptFields, Model):
    __tablename__ = "plan_prompts"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("lesson_plans.id", ondelete="CASCADE"), index=True)
    plan: Mapped[LessonPlan] = relationship(back_populates="prompts")


class SchoolClass(Model):
    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    term: Mapped[str] = mapped_column(String(60), default="")
    join_code: Mapped[str] = mapped_column(String(8), unique=True)
    join_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when an upgrade gave every student of the class a new return code, until the teacher says they
    # have handed the new codes out: the roster says what changed.
    return_codes_reissued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    teacher: Mapped[Teacher] = relationship(lazy="raise_on_sql")
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="school_class",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Assignment.id",
        lazy="raise",
    )
    students: Mapped[list[Student]] = relationship(
        back_populates="school_class",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Student.display_name",
        lazy="raise",
    )


class CaptionTrack(Model):
    """One language of an assignment's captions: a WebVTT file the teacher uploaded, served from this site."""

    __tablename__ = "caption_tracks"
    __table_args__ = (UniqueConstraint("assignment_id", "language", name="uq_caption_track_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    # A language code from classroom/classes/media.py CAPTION_LANGUAGES (the track's srclang).
    language: Mapped[str] = mapped_column(String(8))
    # Up to 512 KB, so loaded only when asked for (the captions file itself).
    vtt: Mapped[str] = mapped_column(Text, deferred=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Assignment(Model):
    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    # The plan it came from; the assignment keeps its own prompts, so the plan may go.
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("lesson_plans.id", ondelete="SET NULL"), index=True, nullable=True
    )
    film_id: Mapped[int] = mapped_column(ForeignKey("films.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    objectives: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    video_url: Mapped[str] = mapped_column(String(2000), default="")
    # Pages ask has_captions, which reads no captions text; the tracks themselves are CaptionTrack rows.
    has_captions: Mapped[bool] = column_property(
        db.select(CaptionTrack.id).where(CaptionTrack.assignment_id == id).exists()
    )
    require_approval: Mapped[bool] = mapped_column(Boolean, default=True)
    show_classmates: Mapped[bool] = mapped_column(Boolean, default=True)
    anonymise: Mapped[bool] = mapped_column(Boolean, default=True)
    stance_question: Mapped[str] = mapped_column(Text)
    stance_options: Mapped[list] = mapped_column(JSON, default=list)
    # The unguessable part of the assignment's student link (/join/a/<token>); a new one retires the old.
    link_token: Mapped[str] = mapped_column(String(16), unique=True, default=new_link_token)
    # How it is marked (classroom/marks/scheme.py): "complete", "points" (0..points_per_prompt each) or "rubric".
    marking_scheme: Mapped[str] = mapped_column(String(12), default="points", server_default="points")
    points_per_prompt: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    rubric: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    school_class: Mapped[SchoolClass] = relationship(back_populates="assignments", lazy="raise_on_sql")
    plan: Mapped[LessonPlan | None] = relationship(lazy="raise_on_sql")
    film: Mapped[Film] = relationship(lazy="raise_on_sql")
    prompts: Mapped[list[Prompt]] = relationship(
        back_populates="assignment",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(Prompt.time_seconds, Prompt.id)",
    )
    caption_tracks: Mapped[list[CaptionTrack]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by=CaptionTrack.language
    )

    def is_open(self, now: datetime | None = None) -> bool:
        """True between opens_at and closes_at (either may be unset)."""
        now = now or utcnow()
        if self.opens_at and now < as_utc(self.opens_at):
            return False
        return not (self.closes_at and now >= as_utc(self.closes_at))

    def has_opened(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return not self.opens_at or now >= as_utc(self.opens_at)

    def has_closed(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.closes_at is not None and now >= as_utc(self.closes_at)


class Prompt(PromptFields, Model):
    """An assignment's own copy of a plan prompt: what the class actually answers."""

    __tablename__ = "prompts"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    # The plan prompt this one was copied from, so the plan's later changes can be brought to the class.
    # No foreign key (SQLite cannot add one without rebuilding the table, which would cascade away every
    # reflection): 0 or an id no longer in the plan means the plan dropped that prompt.
    plan_prompt_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    # When its text or time last changed after it was assigned; answers written before it are marked.
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    assignment: Mapped[Assignment] = relationship(back_populates="prompts", lazy="raise_on_sql")
    reflections: Mapped[list[Reflection]] = relationship(
        back_populates="prompt", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )


class Student(UserMixin, Model):
    """A student is only a display name inside one class; nothing else is collected."""

    __tablename__ = "students"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(60))
    # Kept readable because teachers print it for students who lose it.
    return_code: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Part of every login cookie; a new one signs out every browser (classroom/sessions.py).
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token, server_default="")

    school_class: Mapped[SchoolClass] = relationship(back_populates="students", lazy="raise_on_sql")
    reflections: Mapped[list[Reflection]] = relationship(
        back_populates="student", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )
    stance_answers: Mapped[list[StanceAnswer]] = relationship(
        back_populates="student", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )

    def get_id(self) -> str:
        return login_id("student", self.id, self.session_token)

    is_teacher = False
    is_student = True


class StanceAnswer(Model):
    """A student's answer to the stance poll, before ("pre") or after ("post") viewing."""

    __tablename__ = "stance_answers"
    __table_args__ = (UniqueConstraint("student_id", "assignment_id", "phase", name="uq_stance_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: uq_stance_once starts with student_id and serves every lookup by student.
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    phase: Mapped[str] = mapped_column(String(4))
    option_index: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    student: Mapped[Student] = relationship(back_populates="stance_answers", lazy="raise_on_sql")
    assignment: Mapped[Assignment] = relationship(lazy="raise_on_sql")


class Reflection(Model):
    __tablename__ = "reflections"
    __table_args__ = (
        # One reflection per student per prompt: double submits cannot make two. It also serves every
        # lookup by student, so student_id has no index of its own.
        UniqueConstraint("student_id", "prompt_id", name="uq_reflection_once"),
        # Only the statuses of classroom/statuses.py, whatever writes the row.
        CheckConstraint(check_constraint_sql(), name="status"),
        # The moderation queue and its counts read only what awaits a decision (a sixth of the rows).
        Index(
            "ix_reflections_awaiting",
            "prompt_id",
            "flagged",
            postgresql_where=text("status = 'awaiting'"),
            sqlite_where=text("status = 'awaiting'"),
        ),
        # Highlights read only starred reflections.
        Index(
            "ix_reflections_starred",
            "prompt_id",
            postgresql_where=text("starred"),
            sqlite_where=text("starred"),
        ),
        # Classmates' approved reflections on the student's page, numbered per prompt in the page's order,
        # from the index alone: without it each view read a few hundred rows scattered over the table.
        Index(
            "ix_reflections_approved",
            "prompt_id",
            "starred",
            "decided_at",
            "id",
            "student_id",
            postgresql_where=text("status = 'approved'"),
            sqlite_where=text("status = 'approved'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    prompt_id: Mapped[int] = mapped_column(ForeignKey("prompts.id", ondelete="CASCADE"), index=True)
    # What the student typed (light Markdown), kept so they can edit it as written.
    body: Mapped[str] = mapped_column(Text)
    # The sanitised HTML made from body on save, shown as is only while html_policy is the current
    # sanitiser policy version (classroom/sanitize.py); otherwise cleaned again on every view.
    body_html: Mapped[str] = mapped_column(Text)
    # The plain text made from body on save (with list and quote markers), for CSV exports.
    body_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The sanitiser policy version that cleaned body_html and body_text; null when the row was written by
    # anything but the save path. `flask reclean-reflections` renders old rows again under the current one.
    html_policy: Mapped[str | None] = mapped_column(String(32), nullable=True)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    cited_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # status and flagged have no index of their own: too few distinct values for the planner to use one.
    status: Mapped[str] = mapped_column(String(12), default=ReflectionStatus.DRAFT.value)
    # Bumped on every save so a stale tab is told rather than silently overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1)
    feedback: Mapped[str] = mapped_column(Text, default="")
    starred: Mapped[bool] = mapped_column(Boolean, default=False)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    student: Mapped[Student] = relationship(back_populates="reflections", lazy="raise_on_sql")
    prompt: Mapped[Prompt] = relationship(back_populates="reflections", lazy="raise_on_sql")
    events: Mapped[list[ModerationEvent]] = relationship(
        back_populates="reflection",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ModerationEvent.id",
        lazy="raise",
    )

    @property
    def status_label(self) -> str:
        return ReflectionStatus.label_of(self.status)

    @property
    def flags(self) -> list:
        return json.loads(self.flag_details) if self.flag_details else []


class ModerationEvent(Model):
    """The audit trail: every change of a reflection's status, by whom and why."""

    __tablename__ = "moderation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(ForeignKey("reflections.id", ondelete="CASCADE"), index=True)
    # Null when the student (or the system) made the change.
    teacher_id: Mapped[int | None] = mapped_column(
        ForeignKey("teachers.id", ondelete="SET NULL"), index=True, nullable=True
    )
    actor: Mapped[str] = mapped_column(String(12))
    from_status: Mapped[str] = mapped_column(String(12), default="")
    to_status: Mapped[str] = mapped_column(String(12))
    feedback: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())

    reflection: Mapped[Reflection] = relationship(back_populates="events", lazy="raise_on_sql")
    teacher: Mapped[Teacher | None] = relationship(lazy="raise_on_sql")


class KeptVersion(Model):
    """A second answer to the same prompt, kept when the teacher merged two students: the teacher still sees it."""

    __tablename__ = "kept_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The reflection that stayed; this text was the merged-away student's answer to the same prompt.
    reflection_id: Mapped[int] = mapped_column(ForeignKey("reflections.id", ondelete="CASCADE"), index=True)
    from_name: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    html_policy: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[str] = mapped_column(String(12))
    feedback: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --- LTI 1.3: the LMS platforms this tool trusts, and who and what came from them. ---


class LtiPlatform(Model):
    """One registration of this tool in an LMS: an issuer and the client id it gave us."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_lti_platform_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    auth_audience: Mapped[str] = mapped_column(String(1000), default="")
    key_set_url: Mapped[str] = mapped_column(String(1000))
    # The platform's public keys as last fetched, so a launch does not fetch them every time.
    key_set_json: Mapped[str] = mapped_column(Text, default="")
    # "manual" (admin page or CLI) or "dynamic" (LTI Dynamic Registration).
    registered_by: Mapped[str] = mapped_column(String(12), default="manual")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    deployments: Mapped[list[LtiDeployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", passive_deletes=True, order_by="LtiDeployment.id"
    )


class LtiDeployment(Model):
    __tablename__ = "lti_deployments"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id", name="uq_lti_deployment_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True)
    deployment_id: Mapped[str] = mapped_column(String(255))

    platform: Mapped[LtiPlatform] = relationship(back_populates="deployments")


class LtiRegistrationInvite(Model):
    """A one-time Dynamic Registration address an administrator made; stored as a hash only."""

    __tablename__ = "lti_registration_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("teachers.id", ondelete="SET NULL"), index=True, nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_platforms.id", ondelete="SET NULL"), index=True, nullable=True
    )


class LtiLaunchData(Model):
    """Launch state, nonces and launch data shared by every worker (when REDIS_URL is not set)."""

    __tablename__ = "lti_launch_data"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LtiCourse(Model):
    """An LMS course (the launch "context") bound to one of our classes."""

    __tablename__ = "lti_courses"
    __table_args__ = (UniqueConstraint("platform_id", "context_id", name="uq_lti_course_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True)
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    # Names and Roles: where the course's members are listed, from the latest launch.
    memberships_url: Mapped[str] = mapped_column(String(1000), default="")
    roster_pulled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    platform: Mapped[LtiPlatform] = relationship()
    school_class: Mapped[SchoolClass] = relationship()


class LtiResourceLink(Model):
    """An activity in an LMS course that opens one of our assignments, with its gradebook column."""

    __tablename__ = "lti_resource_links"
    __table_args__ = (UniqueConstraint("platform_id", "resource_link_id", name="uq_lti_resource_link_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True)
    resource_link_id: Mapped[str] = mapped_column(String(255))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    lineitem_url: Mapped[str] = mapped_column(String(1000), default="")
    # The Assignment and Grade Services scopes the platform granted in the launch, space separated.
    ags_scopes: Mapped[str] = mapped_column(Text, default="")

    platform: Mapped[LtiPlatform] = relationship()
    assignment: Mapped[Assignment] = relationship()


class LtiLearner(Model):
    """A student who came from an LMS: the platform's user id (sub) in one class, never a return code."""

    __tablename__ = "lti_learners"
    __table_args__ = (UniqueConstraint("platform_id", "sub", "class_id", name="uq_lti_learner_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True)
    sub: Mapped[str] = mapped_column(String(255))
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"), unique=True)
    # Only when the school has switched LTI_STORE_EMAIL on.
    email: Mapped[str] = mapped_column(String(254), default="")
    # None while the student is only on the roster pulled from the LMS.
    first_launch_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    platform: Mapped[LtiPlatform] = relationship()
    student: Mapped[Student] = relationship()


class LtiInstructor(Model):
    """An LMS instructor linked to a teacher account; the teacher confirms the link the first time."""

    __tablename__ = "lti_instructors"
    __table_args__ = (UniqueConstraint("platform_id", "sub", name="uq_lti_instructor_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True)
    sub: Mapped[str] = mapped_column(String(255))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id", ondelete="CASCADE"), index=True)
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    platform: Mapped[LtiPlatform] = relationship()
    teacher: Mapped[Teacher] = relationship()


# --- Marks: each assignment's marking scheme lives on the assignment; one mark per reflection. ---


class Mark(Model):
    """The teacher's mark on one reflection: points (points scheme) or one level per criterion (rubric)."""

    __tablename__ = "marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(ForeignKey("reflections.id", ondelete="CASCADE"), unique=True)
    points: Mapped[int | None] = mapped_column(Integer, nullable=True)
    levels: Mapped[list | None] = mapped_column(JSON, nullable=True)
    teacher_id: Mapped[int | None] = mapped_column(
        ForeignKey("teachers.id", ondelete="SET NULL"), index=True, nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    reflection: Mapped[Reflection] = relationship()


class MarkEvent(Model):
    """The audit trail of marks, like moderation decisions: who gave which mark, and when."""

    __tablename__ = "mark_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(ForeignKey("reflections.id", ondelete="CASCADE"), index=True)
    teacher_id: Mapped[int | None] = mapped_column(
        ForeignKey("teachers.id", ondelete="SET NULL"), index=True, nullable=True
    )
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    teacher: Mapped[Teacher | None] = relationship(lazy="raise_on_sql")


class LtiScoreDelivery(Model):
    """A score owed to an LMS gradebook column: sent by a worker, retried with backoff until it arrives."""

    __tablename__ = "lti_score_deliveries"
    __table_args__ = (UniqueConstraint("resource_link_id", "learner_id", name="uq_lti_score_delivery_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_link_id: Mapped[int] = mapped_column(ForeignKey("lti_resource_links.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("lti_learners.id", ondelete="CASCADE"), index=True)
    # "pending" (to send, now or after next_attempt_at), "sent", or "failed" (gave up; the teacher can resend).
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # One more each time the score is owed again: a sender that began before the latest change must not
    # record its older score as the sent one (the newer score would then never be sent).
    times_owed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str] = mapped_column(Text, default="")
    # What was last sent, so the teacher sees it: "4 of 6, FullyGraded".
    sent_summary: Mapped[str] = mapped_column(String(200), default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    resource_link: Mapped[LtiResourceLink] = relationship()
    learner: Mapped[LtiLearner] = relationship()
