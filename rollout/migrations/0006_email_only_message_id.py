import uuid

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Only email deliveries carry a Message-ID; the unique index covers only rows that have one.

    In-app rows need no Message-ID, and their random UUIDs made every in-app fan-out write one entry
    per person at a random place in a unique index (a third of the fan-out's time at 1,000,000 people).
    The partial unique index is built first, so uniqueness is never unenforced; then the old full one
    goes. Existing in-app rows keep their UUIDs (rewriting millions of rows to clear them would cost
    more than the index entries they keep); new in-app rows are written without one.
    """

    dependencies = [
        ("rollout", "0005_planning_reads_by_time"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                condition=models.Q(("message_id__isnull", False)),
                fields=("message_id",),
                name="one_delivery_per_message_id",
            ),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="message_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, null=True),
        ),
    ]
