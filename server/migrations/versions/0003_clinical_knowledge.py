"""patients' clinical data, knowledge base, rule engine

Revision ID: 0003
Revises: 0002

Clinical records (patient_diagnosis, patient_allergy, patient_medication) carry the patient's
org_id and are scoped by row-level security exactly as the patient is (rxp_visible() of 0001).
Knowledge sets and their rows are group-wide reference data: no row-level security.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CLINICAL_TABLES = ("patient_diagnosis", "patient_allergy", "patient_medication")
ROW_SECURITY = [
    statement
    for table in CLINICAL_TABLES
    for statement in (
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY {table}_org_scope ON {table} USING (rxp_visible(org_id))"
        f" WITH CHECK (rxp_visible(org_id))",
    )
]
DROP_POLICIES = [f"DROP POLICY IF EXISTS {t}_org_scope ON {t}" for t in CLINICAL_TABLES]


def upgrade() -> None:
    op.create_table('knowledge_set',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('loaded_by_id', sa.Uuid(), nullable=True),
    sa.Column('loaded_by', sa.String(length=100), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('activated_by', sa.String(length=100), nullable=True),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('counts', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_set')),
    sa.UniqueConstraint('version', name=op.f('uq_knowledge_set_version'))
    )
    op.create_index('uq_knowledge_set_active', 'knowledge_set', ['active'], unique=True, postgresql_where=sa.text('active'))
    op.create_table('knowledge_allergy_class',
    sa.Column('class_code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('members', sa.ARRAY(sa.String(length=200)), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('set_id', sa.Uuid(), nullable=False),
    sa.Column('rule_id', sa.String(length=40), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['knowledge_set.id'], name=op.f('fk_knowledge_allergy_class_set_id_knowledge_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_allergy_class')),
    sa.UniqueConstraint('set_id', 'rule_id', name=op.f('uq_knowledge_allergy_class_set_id_rule_id'))
    )
    op.create_index(op.f('ix_knowledge_allergy_class_set_id'), 'knowledge_allergy_class', ['set_id'], unique=False)
    op.create_table('knowledge_allergy_cross',
    sa.Column('class_code', sa.String(length=40), nullable=False),
    sa.Column('cross_class_code', sa.String(length=40), nullable=False),
    sa.Column('severe_level', sa.SmallInteger(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('set_id', sa.Uuid(), nullable=False),
    sa.Column('rule_id', sa.String(length=40), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['knowledge_set.id'], name=op.f('fk_knowledge_allergy_cross_set_id_knowledge_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_allergy_cross')),
    sa.UniqueConstraint('set_id', 'rule_id', name=op.f('uq_knowledge_allergy_cross_set_id_rule_id'))
    )
    op.create_index(op.f('ix_knowledge_allergy_cross_set_id'), 'knowledge_allergy_cross', ['set_id'], unique=False)
    op.create_table('knowledge_contraindication',
    sa.Column('drug', sa.String(length=200), nullable=False),
    sa.Column('condition', sa.String(length=20), nullable=False),
    sa.Column('age_days', sa.Integer(), nullable=True),
    sa.Column('icd10_prefixes', sa.ARRAY(sa.String(length=20)), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('advice', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('set_id', sa.Uuid(), nullable=False),
    sa.Column('rule_id', sa.String(length=40), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['knowledge_set.id'], name=op.f('fk_knowledge_contraindication_set_id_knowledge_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_contraindication')),
    sa.UniqueConstraint('set_id', 'rule_id', name=op.f('uq_knowledge_contraindication_set_id_rule_id'))
    )
    op.create_index(op.f('ix_knowledge_contraindication_set_id'), 'knowledge_contraindication', ['set_id'], unique=False)
    op.create_table('knowledge_dose_rule',
    sa.Column('drug', sa.String(length=200), nullable=False),
    sa.Column('route', sa.String(length=40), nullable=True),
    sa.Column('age_min_days', sa.Integer(), nullable=True),
    sa.Column('age_max_days', sa.Integer(), nullable=True),
    sa.Column('weight_based', sa.Boolean(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('min_single', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('max_single', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('max_daily', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('max_per_day', sa.Numeric(precision=10, scale=4), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('set_id', sa.Uuid(), nullable=False),
    sa.Column('rule_id', sa.String(length=40), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['knowledge_set.id'], name=op.f('fk_knowledge_dose_rule_set_id_knowledge_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_dose_rule')),
    sa.UniqueConstraint('set_id', 'rule_id', name=op.f('uq_knowledge_dose_rule_set_id_rule_id'))
    )
    op.create_index(op.f('ix_knowledge_dose_rule_set_id'), 'knowledge_dose_rule', ['set_id'], unique=False)
    op.create_table('knowledge_duplicate_class',
    sa.Column('class_code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('members', sa.ARRAY(sa.String(length=200)), nullable=False),
    sa.Column('advice', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('set_id', sa.Uuid(), nullable=False),
    sa.Column('rule_id', sa.String(length=40), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['knowledge_set.id'], name=op.f('fk_knowledge_duplicate_class_set_id_knowledge_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_duplicate_class')),
    sa.UniqueConstraint('set_id', 'rule_id', name=op.f('uq_knowledge_duplicate_class_set_id_rule_id'))
    )
    op.create_index(op.f('ix_knowledge_duplicate_class_set_id'), 'knowledge_duplicate_class', ['set_id'], unique=False)
    op.create_table('knowledge_incompatibility',
    sa.Column('a', sa.String(length=200), nullable=False),
    sa.Column('b', sa.String(length=200), nullable=False),
    sa.Column('route', sa.String(length=40), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('advice', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('set_id', sa.Uuid(), nullable=False),
    sa.Column('rule_id', sa.String(length=40), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['knowledge_set.id'], name=op.f('fk_knowledge_incompatibility_set_id_knowledge_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_incompatibility')),
    sa.UniqueConstraint('set_id', 'rule_id', name=op.f('uq_knowledge_incompatibility_set_id_rule_id'))
    )
    op.create_index(op.f('ix_knowledge_incompatibility_set_id'), 'knowledge_incompatibility', ['set_id'], unique=False)
    op.create_table('knowledge_insurance_rule',
    sa.Column('drug', sa.String(length=200), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('indications', sa.ARRAY(sa.String(length=20)), nullable=False),
    sa.Column('max_days', sa.Integer(), nullable=True),
    sa.Column('chronic_only', sa.Boolean(), nullable=False),
    sa.Column('max_price', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('set_id', sa.Uuid(), nullable=False),
    sa.Column('rule_id', sa.String(length=40), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['knowledge_set.id'], name=op.f('fk_knowledge_insurance_rule_set_id_knowledge_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_insurance_rule')),
    sa.UniqueConstraint('set_id', 'rule_id', name=op.f('uq_knowledge_insurance_rule_set_id_rule_id'))
    )
    op.create_index(op.f('ix_knowledge_insurance_rule_set_id'), 'knowledge_insurance_rule', ['set_id'], unique=False)
    op.create_table('knowledge_interaction_pair',
    sa.Column('a', sa.String(length=200), nullable=False),
    sa.Column('b', sa.String(length=200), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('advice', sa.Text(), nullable=True),
    sa.Column('mechanism', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('set_id', sa.Uuid(), nullable=False),
    sa.Column('rule_id', sa.String(length=40), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['knowledge_set.id'], name=op.f('fk_knowledge_interaction_pair_set_id_knowledge_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_interaction_pair')),
    sa.UniqueConstraint('set_id', 'rule_id', name=op.f('uq_knowledge_interaction_pair_set_id_rule_id'))
    )
    op.create_index(op.f('ix_knowledge_interaction_pair_set_id'), 'knowledge_interaction_pair', ['set_id'], unique=False)
    op.create_table('patient_allergy',
    sa.Column('allergen_class', sa.String(length=40), nullable=True),
    sa.Column('allergen', sa.String(length=100), nullable=False),
    sa.Column('reaction', sa.String(length=200), nullable=True),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('inactivated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('inactivated_reason', sa.String(length=200), nullable=True),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Uuid(), nullable=True),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_patient_allergy_org_id_organisation')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_patient_allergy_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_allergy'))
    )
    op.create_index(op.f('ix_patient_allergy_org_id'), 'patient_allergy', ['org_id'], unique=False)
    op.create_index(op.f('ix_patient_allergy_patient_id'), 'patient_allergy', ['patient_id'], unique=False)
    op.create_table('patient_diagnosis',
    sa.Column('icd10', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Uuid(), nullable=True),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_patient_diagnosis_org_id_organisation')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_patient_diagnosis_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_diagnosis'))
    )
    op.create_index(op.f('ix_patient_diagnosis_org_id'), 'patient_diagnosis', ['org_id'], unique=False)
    op.create_index(op.f('ix_patient_diagnosis_patient_id'), 'patient_diagnosis', ['patient_id'], unique=False)
    op.create_table('patient_medication',
    sa.Column('generic_name', sa.String(length=200), nullable=False),
    sa.Column('atc_code', sa.String(length=10), nullable=True),
    sa.Column('product_id', sa.Uuid(), nullable=True),
    sa.Column('dose', sa.String(length=100), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('source_ref', sa.String(length=64), nullable=True),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Uuid(), nullable=True),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_patient_medication_org_id_organisation')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_patient_medication_patient_id_patient')),
    sa.ForeignKeyConstraint(['product_id'], ['catalogue_product.id'], name=op.f('fk_patient_medication_product_id_catalogue_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_medication'))
    )
    op.create_index(op.f('ix_patient_medication_org_id'), 'patient_medication', ['org_id'], unique=False)
    op.create_index(op.f('ix_patient_medication_patient_id'), 'patient_medication', ['patient_id'], unique=False)

    for statement in ROW_SECURITY:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_POLICIES:
        op.execute(statement)
    op.drop_index(op.f('ix_patient_medication_patient_id'), table_name='patient_medication')
    op.drop_index(op.f('ix_patient_medication_org_id'), table_name='patient_medication')
    op.drop_table('patient_medication')
    op.drop_index(op.f('ix_patient_diagnosis_patient_id'), table_name='patient_diagnosis')
    op.drop_index(op.f('ix_patient_diagnosis_org_id'), table_name='patient_diagnosis')
    op.drop_table('patient_diagnosis')
    op.drop_index(op.f('ix_patient_allergy_patient_id'), table_name='patient_allergy')
    op.drop_index(op.f('ix_patient_allergy_org_id'), table_name='patient_allergy')
    op.drop_table('patient_allergy')
    op.drop_index(op.f('ix_knowledge_interaction_pair_set_id'), table_name='knowledge_interaction_pair')
    op.drop_table('knowledge_interaction_pair')
    op.drop_index(op.f('ix_knowledge_insurance_rule_set_id'), table_name='knowledge_insurance_rule')
    op.drop_table('knowledge_insurance_rule')
    op.drop_index(op.f('ix_knowledge_incompatibility_set_id'), table_name='knowledge_incompatibility')
    op.drop_table('knowledge_incompatibility')
    op.drop_index(op.f('ix_knowledge_duplicate_class_set_id'), table_name='knowledge_duplicate_class')
    op.drop_table('knowledge_duplicate_class')
    op.drop_index(op.f('ix_knowledge_dose_rule_set_id'), table_name='knowledge_dose_rule')
    op.drop_table('knowledge_dose_rule')
    op.drop_index(op.f('ix_knowledge_contraindication_set_id'), table_name='knowledge_contraindication')
    op.drop_table('knowledge_contraindication')
    op.drop_index(op.f('ix_knowledge_allergy_cross_set_id'), table_name='knowledge_allergy_cross')
    op.drop_table('knowledge_allergy_cross')
    op.drop_index(op.f('ix_knowledge_allergy_class_set_id'), table_name='knowledge_allergy_class')
    op.drop_table('knowledge_allergy_class')
    op.drop_index('uq_knowledge_set_active', table_name='knowledge_set', postgresql_where=sa.text('active'))
    op.drop_table('knowledge_set')
