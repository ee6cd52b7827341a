"""A live booking is unique per person by name and phone, not phone alone:
two parents sharing one contact number each get their meal.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

LIVE = sa.text("status = 'confirmed'")


def _replace(columns: list[str]) -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("uq_bookings_live", sqlite_where=LIVE, postgresql_where=LIVE)
        batch_op.create_index(
            "uq_bookings_live",
            columns,
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )


def upgrade() -> None:
    _replace(["beneficiary_phone", "beneficiary_name", "provider_id", "service", "date", "slot"])


def downgrade() -> None:
    _replace(["beneficiary_phone", "provider_id", "service", "date", "slot"])
