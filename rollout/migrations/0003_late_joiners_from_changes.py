"""Late joiners from what changed: a change table the database fills itself, and a per-stage check mark.

Triggers (PostgreSQL: one per statement over its transition tables, so a bulk import or a COPY adds
one INSERT … SELECT, not one per row; SQLite: one per row) record in rollout_membershipchange:
- a profile created, or its user, department, team, location or role changed → that person;
- an account switched back on (is_active false → true) → that person;
- someone added to a list audience → that person;
- an audience's kind or rule fields changed → that audience;
- an audience added to a stage, or a campaign impact added or changed → that audience.
Leaving an audience needs nothing: late joiners only gain.
"""

from django.db import migrations, models

# (name, table, event, what it records: a SELECT over `new_rows` (and `old_rows`) on PostgreSQL,
#  the SQLite WHEN condition or None, the SQLite VALUES over NEW)
TRIGGERS = [
    (
        "profile_created",
        "campaigns_employeeprofile",
        "INSERT",
        "SELECT n.user_id, NULL FROM new_rows n",
        None,
        "NEW.user_id, NULL",
    ),
    (
        "profile_changed",
        "campaigns_employeeprofile",
        "UPDATE",
        "SELECT n.user_id, NULL FROM new_rows n JOIN old_rows o ON o.id = n.id"
        " WHERE (n.user_id, n.department, n.team, n.location, n.role)"
        " IS DISTINCT FROM (o.user_id, o.department, o.team, o.location, o.role)",
        "NEW.user_id IS NOT OLD.user_id OR NEW.department IS NOT OLD.department OR NEW.team IS NOT OLD.team"
        " OR NEW.location IS NOT OLD.location OR NEW.role IS NOT OLD.role",
        "NEW.user_id, NULL",
    ),
    (
        "account_activated",
        "auth_user",
        "UPDATE",
        "SELECT n.id, NULL FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.is_active AND NOT o.is_active",
        "NEW.is_active AND NOT OLD.is_active",
        "NEW.id, NULL",
    ),
    (
        "listed",
        "campaigns_audience_members",
        "INSERT",
        "SELECT n.user_id, NULL FROM new_rows n",
        None,
        "NEW.user_id, NULL",
    ),
    (
        "audience_redefined",
        "campaigns_audience",
        "UPDATE",
        "SELECT NULL, n.id FROM new_rows n JOIN old_rows o ON o.id = n.id"
        " WHERE (n.kind, n.department, n.team, n.location, n.role)"
        " IS DISTINCT FROM (o.kind, o.department, o.team, o.location, o.role)",
        "NEW.kind IS NOT OLD.kind OR NEW.department IS NOT OLD.department OR NEW.team IS NOT OLD.team"
        " OR NEW.location IS NOT OLD.location OR NEW.role IS NOT OLD.role",
        "NULL, NEW.id",
    ),
    (
        "stage_audience_added",
        "campaigns_rolloutstage_audiences",
        "INSERT",
        "SELECT NULL, n.audience_id FROM new_rows n",
        None,
        "NULL, NEW.audience_id",
    ),
    (
        "impact_added",
        "campaigns_impact",
        "INSERT",
        "SELECT NULL, n.audience_id FROM new_rows n",
        None,
        "NULL, NEW.audience_id",
    ),
    (
        "impact_changed",
        "campaigns_impact",
        "UPDATE",
        "SELECT NULL, n.audience_id FROM new_rows n JOIN old_rows o ON o.id = n.id"
        " WHERE (n.campaign_id, n.audience_id, n.level) IS DISTINCT FROM (o.campaign_id, o.audience_id, o.level)",
        "NEW.campaign_id IS NOT OLD.campaign_id OR NEW.audience_id IS NOT OLD.audience_id"
        " OR NEW.level IS NOT OLD.level",
        "NULL, NEW.audience_id",
    ),
]
TABLE = "rollout_membershipchange"


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, table, event, select, when, values in TRIGGERS:
        trigger = f"rollout_membership_{name}"
        if vendor == "postgresql":
            referencing = "NEW TABLE AS new_rows" if event == "INSERT" else "OLD TABLE AS old_rows NEW TABLE AS new_rows"
            schema_editor.execute(
                f"CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"INSERT INTO {TABLE} (user_id, audience_id) {select}; RETURN NULL; END $$"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {trigger} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {trigger}()"
            )
        elif vendor == "sqlite":
            condition = f" WHEN {when}" if when else ""
            schema_editor.execute(
                f"CREATE TRIGGER {trigger} AFTER {event} ON {table} FOR EACH ROW{condition} "
                f"BEGIN INSERT INTO {TABLE} (user_id, audience_id) VALUES ({values}); END"
            )
        else:
            raise NotImplementedError(f"late-joiner triggers for {vendor}")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, table, *_ in TRIGGERS:
        trigger = f"rollout_membership_{name}"
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {trigger}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")


class Migration(migrations.Migration):
    dependencies = [
        ("rollout", "0002_stage_history"),
        ("people", "0002_calendarfeed"),
        ("campaigns", "0007_rolloutstage_moved_to_rollout"),
    ]

    operations = [
        migrations.CreateModel(
            name="MembershipChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("user_id", models.BigIntegerField(null=True)),
                ("audience_id", models.BigIntegerField(null=True)),
            ],
        ),
        migrations.AddField(
            model_name="rolloutstage",
            name="joiners_checked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
