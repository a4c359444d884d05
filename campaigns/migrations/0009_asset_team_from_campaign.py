"""Existing assets keep their campaign (now their origin campaign) and get the team that made them.

The team is the uploader's MARCOM team among the campaign's teams, else the campaign's only team;
otherwise it stays empty for marketing to fill in. Backwards there is nothing to undo: 0008's
reverse drops the column.
"""

from django.db import migrations


def fill_asset_teams(apps, schema_editor):
    Asset = apps.get_model("campaigns", "Asset")
    for asset in Asset.objects.filter(team=None).select_related("campaign").iterator(chunk_size=500):
        teams = list(asset.campaign.teams.order_by("pk"))
        uploader_teams = [t for t in teams if asset.uploaded_by_id and t.members.filter(pk=asset.uploaded_by_id).exists()]
        team = uploader_teams[0] if uploader_teams else (teams[0] if len(teams) == 1 else None)
        if team is not None:
            Asset.objects.filter(pk=asset.pk).update(team=team)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0008_asset_library"),
    ]

    operations = [
        migrations.RunPython(fill_asset_teams, migrations.RunPython.noop),
    ]
