"""catalogue: products, price versions, status history

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:45:04.802354

As-you-type search needs pg_trgm (a trusted extension since PostgreSQL 13: the database owner
may create it). Its GIN indexes, the result-order btree and the code-prefix btrees
(text_pattern_ops: the cluster's C.UTF-8 collation is not "C", so a plain btree cannot serve
LIKE 'x%') cover active products only; server/catalogue/repository.py says how search uses them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('catalogue_product',
    sa.Column('item_type', sa.String(length=30), nullable=False),
    sa.Column('generic_name', sa.String(length=200), nullable=False),
    sa.Column('brand_name', sa.String(length=200), nullable=True),
    sa.Column('specification', sa.String(length=100), nullable=False),
    sa.Column('dosage_form', sa.String(length=60), nullable=True),
    sa.Column('package', sa.String(length=60), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('manufacturer', sa.String(length=200), nullable=False),
    sa.Column('approval_number', sa.String(length=40), nullable=True),
    sa.Column('registration_number', sa.String(length=60), nullable=True),
    sa.Column('insurance_code', sa.String(length=23), nullable=True),
    sa.Column('standard_code', sa.String(length=14), nullable=True),
    sa.Column('atc_code', sa.String(length=10), nullable=True),
    sa.Column('drug_class', sa.String(length=30), nullable=False),
    sa.Column('chronic_list', sa.Boolean(), nullable=False),
    sa.Column('herbal_pieces', sa.Boolean(), nullable=False),
    sa.Column('insurance_restriction', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('search_primary', sa.Text(), nullable=False),
    sa.Column('search_secondary', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('name_length', sa.SmallInteger(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('proposed', 'active', 'suspended', 'withdrawn', 'refused')", name=op.f('ck_catalogue_product_status')),
    sa.CheckConstraint("item_type IN ('drug', 'consumable', 'special_medical_food')", name=op.f('ck_catalogue_product_item_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_product'))
    )
    op.create_index('ix_catalogue_product_insurance_code_prefix', 'catalogue_product', ['insurance_code'], unique=False, postgresql_ops={'insurance_code': 'text_pattern_ops'}, postgresql_where=sa.text("status = 'active'"))
    op.create_index('ix_catalogue_product_search_order', 'catalogue_product', ['name_length', 'generic_name', 'specification', 'id'], unique=False, postgresql_where=sa.text("status = 'active'"), postgresql_include=['search_text', 'search_primary', 'search_secondary', 'insurance_code', 'standard_code', 'item_type', 'chronic_list', 'herbal_pieces'])
    op.create_index('ix_catalogue_product_search_primary', 'catalogue_product', ['search_primary'], unique=False, postgresql_using='gin', postgresql_ops={'search_primary': 'gin_trgm_ops'}, postgresql_where=sa.text("status = 'active'"))
    op.create_index('ix_catalogue_product_search_secondary', 'catalogue_product', ['search_secondary'], unique=False, postgresql_using='gin', postgresql_ops={'search_secondary': 'gin_trgm_ops'}, postgresql_where=sa.text("status = 'active'"))
    op.create_index('ix_catalogue_product_search_text', 'catalogue_product', ['search_text'], unique=False, postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'}, postgresql_where=sa.text("status = 'active'"))
    op.create_index('ix_catalogue_product_standard_code_prefix', 'catalogue_product', ['standard_code'], unique=False, postgresql_ops={'standard_code': 'text_pattern_ops'}, postgresql_where=sa.text("status = 'active'"))
    op.create_index('ix_catalogue_product_status', 'catalogue_product', ['status'], unique=False)
    op.create_index('uq_catalogue_product_open_standard_code', 'catalogue_product', ['standard_code'], unique=True, postgresql_where=sa.text("status IN ('proposed', 'active', 'suspended')"))
    op.create_table('catalogue_product_price',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('price', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['catalogue_product.id'], name=op.f('fk_catalogue_product_price_product_id_catalogue_product')),
    sa.CheckConstraint('price > 0', name=op.f('ck_catalogue_product_price_price_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_product_price')),
    sa.UniqueConstraint('product_id', 'effective_from', name=op.f('uq_catalogue_product_price_product_id_effective_from'))
    )
    op.create_table('catalogue_status_change',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.Uuid(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('clock_timestamp()'), nullable=False),
    sa.Column('changed_by_id', sa.Uuid(), nullable=True),
    sa.Column('changed_by_name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['catalogue_product.id'], name=op.f('fk_catalogue_status_change_product_id_catalogue_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_status_change'))
    )
    op.create_index(op.f('ix_catalogue_status_change_product_id'), 'catalogue_status_change', ['product_id'], unique=False)


def downgrade() -> None:
    # pg_trgm stays: other schemas in the database may use it.
    op.drop_index(op.f('ix_catalogue_status_change_product_id'), table_name='catalogue_status_change')
    op.drop_table('catalogue_status_change')
    op.drop_table('catalogue_product_price')
    op.drop_index('uq_catalogue_product_open_standard_code', table_name='catalogue_product', postgresql_where=sa.text("status IN ('proposed', 'active', 'suspended')"))
    op.drop_index('ix_catalogue_product_status', table_name='catalogue_product')
    op.drop_index('ix_catalogue_product_standard_code_prefix', table_name='catalogue_product', postgresql_ops={'standard_code': 'text_pattern_ops'}, postgresql_where=sa.text("status = 'active'"))
    op.drop_index('ix_catalogue_product_search_text', table_name='catalogue_product', postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'}, postgresql_where=sa.text("status = 'active'"))
    op.drop_index('ix_catalogue_product_search_secondary', table_name='catalogue_product', postgresql_using='gin', postgresql_ops={'search_secondary': 'gin_trgm_ops'}, postgresql_where=sa.text("status = 'active'"))
    op.drop_index('ix_catalogue_product_search_primary', table_name='catalogue_product', postgresql_using='gin', postgresql_ops={'search_primary': 'gin_trgm_ops'}, postgresql_where=sa.text("status = 'active'"))
    op.drop_index('ix_catalogue_product_search_order', table_name='catalogue_product', postgresql_where=sa.text("status = 'active'"))
    op.drop_index('ix_catalogue_product_insurance_code_prefix', table_name='catalogue_product', postgresql_ops={'insurance_code': 'text_pattern_ops'}, postgresql_where=sa.text("status = 'active'"))
    op.drop_table('catalogue_product')
