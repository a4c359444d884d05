import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The foreign keys' own indexes, by the names Django gave them when campaigns created the table.
FK_INDEXES = {
    "campaigns_delivery_recipient_id_266bb921": "recipient_id",
    "campaigns_delivery_stage_id_15850d9a": "stage_id",
}


class Migration(migrations.Migration):
    """Delivery keeps one index per way it is read: the duplicates go.

    The new inbox index (recipient, channel, newest first, id) comes first, so lookups by recipient
    always have an index; then the old inbox index and the foreign keys' own indexes are dropped (the
    unique key starts with stage, the inbox index with recipient). The indexes are dropped by name
    rather than by AlterField, which on PostgreSQL would also drop and re-validate both foreign keys
    over the whole table.
    """

    dependencies = [
        ("rollout", "0003_late_joiners_from_changes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["recipient", "channel", "-sent_at", "-id"], name="delivery_inbox_newest"),
        ),
        migrations.RemoveIndex(
            model_name="delivery",
            name="delivery_inbox",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="delivery",
                    name="recipient",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="delivery",
                    name="stage",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="rollout.rolloutstage",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "campaigns_delivery" ("{column}")',
                )
                for name, column in FK_INDEXES.items()
            ],
        ),
    ]
