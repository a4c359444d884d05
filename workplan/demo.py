"""Demo data for the workplan: the Mobile App Relaunch as a product launch planned by five MARCOM teams
(PR, content, design, events, digital marketing) and IC, with a brief, a dependency, an overdue and an
at-risk deliverable, and one near-duplicate the detector catches (PR's influencer outreach brief and
digital marketing's influencer brief).

Idempotent: found by natural keys (username, team slug, campaign title, deliverable title in its
workstream, objective description, channel name) and only created when missing.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, User

from campaigns.models import Campaign
from people import roles
from people.models import EmployeeProfile, MarcomTeam
from workplan.models import BriefChannel, BriefObjective, CampaignBrief, Deliverable, Workstream

PASSWORD = "campaignhub-demo"
LAUNCH = "Mobile App Relaunch"

# username, first name, last name, team slug
LEADS = [
    ("rafael", "Rafael", "Reyes", "pr"),
    ("dina", "Dina", "Doyle", "design"),
    ("evan", "Evan", "Ekwueme", "events"),
    ("gia", "Gia", "Grant", "digital-marketing"),
]

# team slug (None: IC), title, description, type, channel, days from go-live, status, owner
DELIVERABLES = [
    ("pr", "Press release draft", "Announce the relaunch and instant payments to national and fintech press.", "press_release", "press", -22, "not_started", "rafael"),
    ("pr", "Media list", "Consumer, personal finance and fintech journalists to brief under embargo.", "media_list", "press", -18, "in_progress", "rafael"),
    ("pr", "Influencer outreach brief", "Brief lifestyle and tech influencers on the app relaunch and instant payments.", "influencer_brief", "social", -14, "in_progress", "rafael"),
    ("pr", "Press release final", "Approved release with the CEO quote, ready for the embargo lift.", "press_release", "press", -3, "not_started", "rafael"),
    ("content", "Launch blog post", "Why we rebuilt the app, for the company blog on launch day.", "blog_post", "owned", 0, "in_progress", "marketing"),
    ("content", "Help articles for the new app", "Where things moved, and how instant payments work.", "web_content", "owned", -5, "in_review", "marketing"),
    ("content", "App store listing copy", "New description and what's new text for both stores.", "web_content", "owned", -7, "not_started", "marketing"),
    ("design", "Key visual", "The relaunch key visual every team builds on.", "ad_creative", "owned", -25, "in_progress", "dina"),
    ("design", "Paid social creatives", "Story and carousel formats for paid social.", "ad_creative", "paid", -8, "not_started", "dina"),
    ("design", "App store screenshots", "Screenshots of the new home screen and payments.", "ad_creative", "owned", -10, "done", "dina"),
    ("events", "Launch event invitations", "Invite list and invitations for the flagship branch launch.", "event", "events", -14, "in_progress", "evan"),
    ("events", "Launch event at the flagship branch", "Demo stations, press corner and customer sign-ups.", "event", "events", 0, "not_started", "evan"),
    ("digital-marketing", "Influencer brief: app relaunch", "Outreach brief for tech and lifestyle influencers on the relaunch.", "influencer_brief", "social", -13, "not_started", "gia"),
    ("digital-marketing", "Paid social campaign", "Paid social flighting from go-live, two weeks.", "social_post", "paid", -9, "not_started", "gia"),
    ("digital-marketing", "Search ads", "Paid search on app and instant payments keywords.", "ad_creative", "paid", -4, "not_started", "gia"),
    (None, "Branch staff announcement", "What changes for branch staff, and the help articles to point to.", "internal_announcement", "internal", -2, "not_started", "ic"),
]  # fmt: skip

# (deliverable, what it depends on): paid social planned before its creatives are due is flagged.
DEPENDENCIES = [
    ("Paid social campaign", "Paid social creatives"),
    ("Press release final", "Press release draft"),
    ("Launch event at the flagship branch", "Launch event invitations"),
]


def seed(stdout) -> None:
    campaign = Campaign.objects.filter(title=LAUNCH).first()
    if campaign is None:
        stdout.write("demo workplan: no Mobile App Relaunch campaign, nothing to plan")
        return
    people = seed_people()
    teams = {t.slug: t for t in MarcomTeam.objects.all()}
    campaign.teams.add(*(teams[slug] for slug in ("content", "design", "pr", "events", "digital-marketing")))
    seed_brief(campaign)
    created = 0
    by_title = {}
    for slug, title, description, type_, channel, days, status, owner in DELIVERABLES:
        workstream, is_new = Workstream.objects.get_or_create(
            campaign=campaign, team=teams[slug] if slug else None, defaults={"lead": people[owner]}
        )
        deliverable, is_new = Deliverable.objects.get_or_create(
            workstream=workstream,
            title=title,
            defaults={
                "description": description,
                "type": type_,
                "channel": channel,
                "offset_days": days,
                "status": status,
                "owner": people[owner],
            },
        )
        created += is_new
        by_title[title] = deliverable
    for title, needs in DEPENDENCIES:
        if not by_title[title].depends_on.filter(pk=by_title[needs].pk).exists():
            by_title[title].depends_on.add(by_title[needs])
    stdout.write(
        f"demo workplan: {created} deliverables created, {len(DELIVERABLES) - created} already there"
    )


def seed_people() -> dict[str, User]:
    MarcomTeam.objects.get_or_create(slug="digital-marketing", defaults={"name": "Digital marketing"})
    marketing = Group.objects.get(name=roles.MARKETING)
    people = {u.username: u for u in User.objects.filter(username__in=["marketing", "ic"])}
    for username, first, last, slug in LEADS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username, f"{username}@demo.example.com", PASSWORD, first_name=first, last_name=last
            )
            user.groups.add(marketing)
            EmployeeProfile.objects.create(
                user=user, department="Marketing", team=slug, location="London", time_zone="Europe/London"
            )
            MarcomTeam.objects.get(slug=slug).members.add(user)
        people[username] = user
    return people


def seed_brief(campaign: Campaign) -> None:
    brief, is_new = CampaignBrief.objects.get_or_create(
        campaign=campaign,
        defaults={
            "positioning": "The everyday banking app that pays people instantly: faster than any high-street rival.",
            "main_message": "Faster payments, fewer taps.",
            "target_customers": "Existing current-account customers aged 25 to 45 who still transfer money in branch.",
        },
    )
    if is_new:
        brief.creatives.set(campaign.assets.all())
    for description, metric, target, unit in [
        ("Move branch transfers to the app", "share of transfers made in the app", 20, "%"),
        ("Grow weekly app users", "weekly active app users", 150000, "users"),
    ]:
        BriefObjective.objects.get_or_create(
            brief=brief, description=description, defaults={"metric": metric, "target": target, "unit": unit}
        )
    for kind, name, cap, pricing, rate in [
        (BriefChannel.Kind.OWNED, "Website and app", None, "", None),
        (BriefChannel.Kind.PAID, "Paid social", 40000, BriefChannel.Pricing.CPM, 7.50),
        (BriefChannel.Kind.PAID, "Paid search", 15000, BriefChannel.Pricing.CPC, 1.20),
        (BriefChannel.Kind.EARNED, "National and fintech press", None, "", None),
    ]:
        BriefChannel.objects.get_or_create(
            brief=brief,
            name=name,
            defaults={"kind": kind, "budget_cap": cap, "pricing": pricing, "rate": rate},
        )
