"""SQLAlchemy models. Import from here so Alembic sees every table."""

from knowledge.models.base import Base
from knowledge.models.booking import Booking, CapacityUsage, Provider
from knowledge.models.conversation import EmergencyAlert, Handoff
from knowledge.models.policy import Document, Indicator, Passage, Section
from knowledge.models.staff import StaffLoginFailure, StaffSession, StaffUser

__all__ = [
    "Base",
    "Booking",
    "CapacityUsage",
    "Document",
    "EmergencyAlert",
    "Handoff",
    "Indicator",
    "Passage",
    "Provider",
    "Section",
    "StaffLoginFailure",
    "StaffSession",
    "StaffUser",
]
