"""patient.search_name refolded: accents dropped as well as case (db.models.search_form), so that "Soderberg"
finds "Söderberg" and "Jose" finds "José". The worklist's copy follows by its trigger on patient.search_name.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

from db.models import search_form

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BATCH = 5000
patient = sa.table("patient", sa.column("id", sa.Integer), sa.column("name", sa.String),
                   sa.column("search_name", sa.String))


def _refold(fold) -> None:
    conn = op.get_bind()
    changed = [{"pid": pid, "folded": fold(name)}
               for pid, name, folded in conn.execute(sa.select(patient.c.id, patient.c.name, patient.c.search_name))
               if fold(name) != folded]
    update = patient.update().where(patient.c.id == sa.bindparam("pid")).values(search_name=sa.bindparam("folded"))
    for start in range(0, len(changed), BATCH):
        conn.execute(update, changed[start:start + BATCH])


def upgrade() -> None:
    _refold(search_form)


def downgrade() -> None:
    _refold(str.casefold)
