"""The case search also covers the contact person's name, so a case can be found by who raised
it, and anonymising the person removes them from the search as well.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 13:00:00+00:00
"""
from typing import Sequence, Union

from migrations.fts import V1, V2, create_search, drop_search

revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    drop_search()
    create_search(V2)


def downgrade() -> None:
    drop_search()
    create_search(V1)
