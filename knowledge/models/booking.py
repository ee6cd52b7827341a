"""Service providers and bookings: meals (助餐) and home visits (探访, 上门照护 …).

Capacity is a counter row per provider, day and slot (a meal period, or the
whole day for visits) that a booking increments with a conditional UPDATE
inside the booking's transaction, so concurrent requests for the last
places can never overbook, on SQLite or PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)

from knowledge.models.base import Base, utcnow


class Provider(Base):
    """A 助餐点/长者食堂 (kind `meal`) or a visiting-service team (`visit`)."""

    __tablename__ = "providers"

    id = Column(Integer, primary_key=True)
    code = Column(String(40), nullable=False, unique=True)  # the operator's own id
    kind = Column(String(8), nullable=False, index=True)
    name = Column(String(100), nullable=False)
    region = Column(String(20), nullable=False, index=True)  # 无锡市 …
    district = Column(String(40), nullable=False)
    street = Column(String(60), nullable=False, default="")
    address = Column(String(200), nullable=False)
    phone = Column(String(20), nullable=False)
    services = Column(JSON, nullable=False, default=list)  # 堂食/送餐上门, 探访/助浴 …
    periods = Column(JSON, nullable=False, default=list)  # meal periods or "08:00-12:00"
    daily_capacity = Column(Integer, nullable=False)  # per meal period, or visits per day
    dine_in = Column(Boolean, nullable=False, default=False)
    delivery = Column(Boolean, nullable=False, default=False)
    service_area = Column(JSON, nullable=False, default=list)  # streets/districts served
    closed_weekdays = Column(JSON, nullable=False, default=list)  # 0 = Monday
    sample = Column(Boolean, nullable=False, default=False)  # shipped example, not real
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class CapacityUsage(Base):
    """Places taken at a provider on a day in a slot."""

    __tablename__ = "capacity_usage"
    __table_args__ = (UniqueConstraint("provider_id", "date", "slot"),)

    id = Column(Integer, primary_key=True)
    provider_id = Column(Integer, ForeignKey("providers.id"), nullable=False)
    date = Column(Date, nullable=False)
    slot = Column(String(16), nullable=False)  # breakfast | lunch | dinner | day
    taken = Column(Integer, nullable=False, default=0)


class Booking(Base):
    """One booked meal or visit. The person served and the person booking
    may differ (a daughter books for her mother)."""

    __tablename__ = "bookings"
    __table_args__ = (
        # The same person (name and phone: parents often share a number)
        # cannot hold two live bookings of the same service in the same slot:
        # a repeated submission is not a second booking.
        Index(
            "uq_bookings_live",
            "beneficiary_phone",
            "beneficiary_name",
            "provider_id",
            "service",
            "date",
            "slot",
            unique=True,
            sqlite_where=text("status = 'confirmed'"),
            postgresql_where=text("status = 'confirmed'"),
        ),
    )

    id = Column(Integer, primary_key=True)
    reference = Column(String(8), nullable=False, unique=True)
    kind = Column(String(8), nullable=False)
    provider_id = Column(Integer, ForeignKey("providers.id"), nullable=False, index=True)
    service = Column(String(20), nullable=False)
    date = Column(Date, nullable=False, index=True)
    slot = Column(String(16), nullable=False)
    period = Column(String(16), nullable=True)  # meals
    time = Column(String(5), nullable=True)  # visits, "HH:MM"
    delivery = Column(Boolean, nullable=False, default=False)
    beneficiary_name = Column(String(40), nullable=False)
    beneficiary_phone = Column(String(11), nullable=False, index=True)
    beneficiary_address = Column(String(200), nullable=True)
    booked_by_name = Column(String(40), nullable=True)
    booked_by_phone = Column(String(11), nullable=True, index=True)
    booked_by_relation = Column(String(20), nullable=True)
    notes = Column(Text, nullable=False, default="")
    status = Column(String(16), nullable=False, default="confirmed", index=True)
    idempotency_key = Column(String(80), nullable=True, unique=True)
    sender_id = Column(String(128), nullable=True, index=True)  # the conversation, if any
    # Who last changed the status from the staff console, and when (None: the
    # caller or the API did).
    status_changed_by = Column(String(64), nullable=True)
    status_changed_at = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
