"""participatory budgets: headings, projects, ballots online and on paper

Revision ID: c918755ce20a
Revises: 4e8a2c6f1b90
Create Date: 2026-12-07 03:54:34.632230
"""

import sqlalchemy as sa
from alembic import op

import participation.core.models

revision = 'c918755ce20a'
down_revision = '4e8a2c6f1b90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('budgets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('stage', sa.String(length=12), nullable=False),
    sa.Column('style', sa.String(length=12), nullable=False),
    sa.Column('max_choices', sa.Integer(), nullable=True),
    sa.Column('min_spend_percent', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=16), nullable=False),
    sa.Column('opens_dt', participation.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closes_dt', participation.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('frozen_dt', participation.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_dt', participation.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_dt', participation.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('modified_dt', participation.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("rule IN ('greedy', 'equal_shares')", name=op.f('ck_budgets_rule_known')),
    sa.CheckConstraint("stage IN ('review', 'ballot', 'counting', 'published')", name=op.f('ck_budgets_stage_known')),
    sa.CheckConstraint("style IN ('approval', 'knapsack')", name=op.f('ck_budgets_style_known')),
    sa.CheckConstraint('closes_dt IS NULL OR opens_dt IS NULL OR closes_dt > opens_dt', name=op.f('ck_budgets_closes_after_opens')),
    sa.CheckConstraint('max_choices IS NULL OR max_choices > 0', name=op.f('ck_budgets_max_choices_positive')),
    sa.CheckConstraint('min_spend_percent >= 0 AND min_spend_percent <= 100', name=op.f('ck_budgets_min_spend_percent_range')),
    sa.ForeignKeyConstraint(['process_id'], ['processes.id'], name=op.f('fk_budgets_process_id_processes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budgets')),
    sa.UniqueConstraint('process_id', name=op.f('uq_budgets_process_id'))
    )
    op.create_table('budget_headings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('money', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('results', sa.Text(), nullable=True),
    sa.CheckConstraint('money > 0', name=op.f('ck_budget_headings_money_positive')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_budget_headings_area_id_areas'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_budget_headings_budget_id_budgets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_headings')),
    sa.UniqueConstraint('budget_id', 'area_id', name=op.f('uq_budget_headings_budget_id_area_id'))
    )
    op.create_table('budget_ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('heading_id', sa.Integer(), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('receipt', sa.String(length=16), nullable=False),
    sa.Column('cast_dt', participation.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("channel IN ('online', 'paper')", name=op.f('ck_budget_ballots_channel_known')),
    sa.ForeignKeyConstraint(['heading_id'], ['budget_headings.id'], name=op.f('fk_budget_ballots_heading_id_budget_headings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_budget_ballots_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['voter_id'], ['users.id'], name=op.f('fk_budget_ballots_voter_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_ballots')),
    sa.UniqueConstraint('heading_id', 'voter_id', name=op.f('uq_budget_ballots_heading_id_voter_id')),
    sa.UniqueConstraint('receipt', name=op.f('uq_budget_ballots_receipt'))
    )
    with op.batch_alter_table('budget_ballots', schema=None) as batch_op:
        batch_op.create_index('ix_budget_ballots_voter', ['voter_id'], unique=False)

    op.create_table('budget_paper_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('heading_id', sa.Integer(), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=True),
    sa.Column('keying', sa.Integer(), nullable=False),
    sa.Column('choices', sa.Text(), nullable=False),
    sa.Column('registrar_id', sa.Integer(), nullable=True),
    sa.Column('entered_dt', participation.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('keying IN (1, 2)', name=op.f('ck_budget_paper_entries_keying_first_or_second')),
    sa.ForeignKeyConstraint(['heading_id'], ['budget_headings.id'], name=op.f('fk_budget_paper_entries_heading_id_budget_headings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registrar_id'], ['users.id'], name=op.f('fk_budget_paper_entries_registrar_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['voter_id'], ['users.id'], name=op.f('fk_budget_paper_entries_voter_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_paper_entries')),
    sa.UniqueConstraint('heading_id', 'voter_id', 'keying', name=op.f('uq_budget_paper_entries_heading_id_voter_id_keying'))
    )
    with op.batch_alter_table('budget_paper_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_paper_entries_voter_id'), ['voter_id'], unique=False)

    op.create_table('budget_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('heading_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('cost', sa.BigInteger(), nullable=True),
    sa.Column('review', sa.String(length=16), nullable=False),
    sa.Column('review_reason', sa.Text(), nullable=False),
    sa.Column('responsible_unit', sa.String(length=200), nullable=False),
    sa.Column('plan_project', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_dt', participation.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('modified_dt', participation.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("review != 'feasible' OR cost IS NOT NULL", name=op.f('ck_budget_projects_feasible_has_cost')),
    sa.CheckConstraint("review IN ('pending', 'feasible', 'not_feasible')", name=op.f('ck_budget_projects_review_known')),
    sa.CheckConstraint('cost IS NULL OR cost >= 0', name=op.f('ck_budget_projects_cost_not_negative')),
    sa.ForeignKeyConstraint(['heading_id'], ['budget_headings.id'], name=op.f('fk_budget_projects_heading_id_budget_headings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['contributions.id'], name=op.f('fk_budget_projects_proposal_id_contributions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_projects')),
    sa.UniqueConstraint('heading_id', 'proposal_id', name=op.f('uq_budget_projects_heading_id_proposal_id'))
    )
    with op.batch_alter_table('budget_projects', schema=None) as batch_op:
        batch_op.create_index('ix_budget_projects_heading_position', ['heading_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_projects_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('budget_ballot_choices',
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['budget_ballots.id'], name=op.f('fk_budget_ballot_choices_ballot_id_budget_ballots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['budget_projects.id'], name=op.f('fk_budget_ballot_choices_project_id_budget_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ballot_id', 'project_id', name=op.f('pk_budget_ballot_choices'))
    )
    with op.batch_alter_table('budget_ballot_choices', schema=None) as batch_op:
        batch_op.create_index('ix_budget_ballot_choices_project', ['project_id'], unique=False)


    op.create_table('budget_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('heading_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=4), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', participation.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('add', 'drop')", name=op.f('ck_budget_overrides_action_known')),
    sa.CheckConstraint('length(reason) > 0', name=op.f('ck_budget_overrides_reason_given')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_budget_overrides_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['heading_id'], ['budget_headings.id'], name=op.f('fk_budget_overrides_heading_id_budget_headings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['budget_projects.id'], name=op.f('fk_budget_overrides_project_id_budget_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_overrides'))
    )
    with op.batch_alter_table('budget_overrides', schema=None) as batch_op:
        batch_op.create_index('ix_budget_overrides_heading', ['heading_id', 'created_dt'], unique=False)


def downgrade():
    op.drop_table('budget_overrides')
    with op.batch_alter_table('budget_ballot_choices', schema=None) as batch_op:
        batch_op.drop_index('ix_budget_ballot_choices_project')

    op.drop_table('budget_ballot_choices')
    with op.batch_alter_table('budget_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_projects_proposal_id'))
        batch_op.drop_index('ix_budget_projects_heading_position')

    op.drop_table('budget_projects')
    with op.batch_alter_table('budget_paper_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_paper_entries_voter_id'))

    op.drop_table('budget_paper_entries')
    with op.batch_alter_table('budget_ballots', schema=None) as batch_op:
        batch_op.drop_index('ix_budget_ballots_voter')

    op.drop_table('budget_ballots')
    op.drop_table('budget_headings')
    op.drop_table('budgets')
