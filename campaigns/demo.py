"""Demo data for campaigns: accounts, ~50 employees, audiences and campaigns in several states.

Called by `manage.py seed_demo`. Idempotent: everything is found by a natural key (username,
audience name, campaign title) and only created when missing, so a second run changes nothing.
Dates are relative to the first run (go-live in 10 days, ...) and stay fixed afterwards.
Other areas add their own demo data in `<app>/demo.py`, or a function called from `seed()` here.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from django.contrib.auth.models import Group, User
from django.utils import timezone

from campaigns.models import Asset, Campaign, Impact, KeyMessage
from people import roles
from people.importing import COLUMNS, import_employees
from people.models import Audience, EmployeeProfile, MarcomTeam

PASSWORD = "campaignhub-demo"
DOMAIN = "demo.example.com"
ZONES = {
    "London": "Europe/London",
    "Manchester": "Europe/London",
    "New York": "America/New_York",
    "Singapore": "Asia/Singapore",
}

# username, first, last, group, superuser, profile (department, team, location, role), zone
ACCOUNTS = [
    ("admin", "Ada", "Admin", None, True, ("IT", "Platform", "London", "Administrator"), "Europe/London"),
    (
        "marketing",
        "Mia",
        "Marsh",
        roles.MARKETING,
        False,
        ("Marketing", "Content", "London", "Content lead"),
        "Europe/London",
    ),
    (
        "ic",
        "Ian",
        "Irving",
        roles.IC,
        False,
        ("Communications", "Internal comms", "New York", "IC manager"),
        "America/New_York",
    ),
    (
        "presenter",
        "Priya",
        "Patel",
        roles.PRESENTER,
        False,
        ("Sales", "North", "London", "Branch manager"),
        "Europe/London",
    ),
    (
        "employee",
        "Emma",
        "Evans",
        roles.EMPLOYEE,
        False,
        ("Sales", "North", "London", "Adviser"),
        "Europe/London",
    ),
]

# department: [(team, location)]; the first person of each department manages the rest.
DEPARTMENTS = {
    "Sales": [("North", "London"), ("South", "Manchester")],
    "Support": [("East", "New York"), ("West", "Singapore")],
    "Branches": [("Retail", "London"), ("Business", "Manchester")],
    "Operations": [("Payments", "Manchester"), ("Lending", "Singapore")],
    "IT": [("Platform", "London"), ("Desk", "New York")],
}
ROLES = {
    "Sales": "Adviser",
    "Support": "Agent",
    "Branches": "Cashier",
    "Operations": "Analyst",
    "IT": "Engineer",
}
FIRST = [
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Felix",
    "Grace",
    "Hugo",
    "Isla",
    "Jamal",
    "Keira",
    "Liam",
    "Maya",
    "Nate",
    "Olivia",
    "Pedro",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Will",
    "Xin",
    "Yara",
    "Zane",
    "Amir",
    "Bea",
    "Carl",
    "Dina",
    "Eli",
    "Fern",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lara",
    "Milo",
    "Nora",
    "Omar",
    "Pia",
    "Raj",
    "Sara",
    "Tom",
    "Uma",
    "Vik",
    "Wen",
    "Yuki",
    "Zoe",
]
LAST = [
    "Ahmed",
    "Brown",
    "Chen",
    "Davies",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jones",
    "Khan",
    "Lopez",
    "Murphy",
    "Nguyen",
    "Owen",
    "Price",
    "Quinn",
    "Rossi",
    "Singh",
    "Taylor",
    "Usman",
    "Varga",
    "Walsh",
    "Xu",
    "Young",
    "Zhang",
    "Adams",
    "Bell",
    "Cole",
    "Doyle",
    "Ellis",
    "Fox",
    "Gray",
    "Hart",
    "Iqbal",
    "James",
    "King",
    "Lewis",
    "Mills",
    "Nash",
    "Ortiz",
    "Park",
    "Reid",
    "Shaw",
    "Tan",
    "Underwood",
    "Vance",
    "Wood",
    "Yates",
    "Zeller",
]


def seed(stdout) -> None:
    accounts = seed_accounts(stdout)
    seed_employees(stdout, manager=accounts["presenter"])
    audiences = seed_audiences(stdout)
    seed_campaigns(stdout, accounts, audiences)
    seed_asset_library(stdout, accounts)


def seed_accounts(stdout) -> dict[str, User]:
    users, created = {}, 0
    for username, first, last, group, is_superuser, (dept, team, location, role), zone in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                email=f"{username}@{DOMAIN}",
                first_name=first,
                last_name=last,
                is_staff=is_superuser,
                is_superuser=is_superuser,
            )
            user.set_password(PASSWORD)
            user.save()
            if group:
                user.groups.add(Group.objects.get(name=group))
            EmployeeProfile.objects.create(
                user=user, department=dept, team=team, location=location, role=role, time_zone=zone
            )
            created += 1
        users[username] = user
    if created:
        MarcomTeam.objects.get(slug="content").members.add(users["marketing"])
        profile = users["employee"].profile
        if profile.manager_id is None:
            profile.manager = users["presenter"]
            profile.save(update_fields=["manager"])
    stdout.write(f"demo accounts: {created} created, {len(ACCOUNTS) - created} already there")
    return users


def demo_employee_rows(manager: User) -> list[dict[str, str]]:
    """~50 people across departments, teams and locations, each with a manager."""
    rows = []
    i = 0
    for department, places in DEPARTMENTS.items():
        head = None
        for n in range(10):
            team, location = places[n % len(places)]
            first, last = FIRST[i % len(FIRST)], LAST[i % len(LAST)]
            email = f"{first}.{last}@{DOMAIN}".lower()
            is_head = n == 0
            # Sales North reports to the presenter demo account; elsewhere to the department head.
            sales_north = department == "Sales" and team == "North"
            boss = manager.email if sales_north else ("" if is_head else head)
            rows.append(
                {
                    "email": email,
                    "first_name": first,
                    "last_name": last,
                    "department": department,
                    "team": team,
                    "location": location,
                    "role": "Team leader" if is_head else ROLES[department],
                    "manager_email": boss,
                    "time_zone": ZONES[location],
                }
            )
            head = head or email
            i += 1
    return rows


def seed_employees(stdout, manager: User) -> None:
    rows = demo_employee_rows(manager)
    lines = [",".join(COLUMNS)] + [",".join(row[c] for c in COLUMNS) for row in rows]
    report = import_employees(lines)
    if report.has_errors:  # the demo file is ours: a failure here is a bug, not bad input
        raise RuntimeError(f"demo employees failed to import: {[str(e) for e in report.errors]}")
    stdout.write(f"demo employees: {report.summary()}")


AUDIENCES = [
    ("Sales", "Everyone in Sales, in every location.", {"department": "Sales"}),
    ("Customer support", "Support agents who answer customers by phone and chat.", {"department": "Support"}),
    ("Branch staff", "Branch cashiers and business desks.", {"department": "Branches"}),
    ("UK offices", "Everyone based in London or Manchester.", {"location": "London, Manchester"}),
    ("Team leaders", "People who brief their teams.", {"role": "Team leader, Branch manager"}),
]
CHAMPIONS = "Product champions"


def seed_audiences(stdout) -> dict[str, Audience]:
    audiences, created = {}, 0
    for name, description, rule in AUDIENCES:
        audience, was_created = Audience.objects.get_or_create(
            name=name, defaults={"description": description, "kind": Audience.Kind.RULE, **rule}
        )
        audiences[name] = audience
        created += was_created
    champions, was_created = Audience.objects.get_or_create(
        name=CHAMPIONS,
        defaults={"description": "Volunteers who test new products first.", "kind": Audience.Kind.LIST},
    )
    if was_created:
        first_of_each = [f"{FIRST[i]}.{LAST[i]}@{DOMAIN}".lower() for i in range(1, 50, 10)]
        champions.members.add(
            *User.objects.filter(email__in=first_of_each), User.objects.get(username="employee")
        )
        created += 1
    audiences[CHAMPIONS] = champions
    stdout.write(f"demo audiences: {created} created, {len(audiences) - created} already there")
    return audiences


def _at_nine_london(days: int) -> datetime:
    """09:00 London time `days` from today: go-lives land at a realistic time of day."""
    london = zoneinfo.ZoneInfo("Europe/London")
    today = timezone.now().astimezone(london).date()
    return datetime.combine(today + timedelta(days=days), datetime.min.time(), london).replace(hour=9)


CAMPAIGNS = [
    {
        "title": "Spring Savings Boost",
        "status": Campaign.Status.DRAFT,
        "days": 45,
        "embargo_days": 45,
        "tentative": True,
        "concept": "A savings account that rewards families for saving little and often.",
        "details": "Bonus rate of 4.1% on the first £5,000 for customers who save every month.",
        "objectives": "10,000 new family savings accounts in the first quarter.",
        "channels": ["owned", "social", "paid"],
        "teams": ["content", "social"],
        "messages": ["Saving little and often adds up.", "Every family member can have an account."],
        "assets": [("Campaign moodboard", "https://www.example.com/spring-savings/moodboard")],
        "impacts": [
            (
                "Sales",
                Impact.Level.HIGH,
                "Customers will ask about the bonus rate.",
                "Learn the eligibility rules.",
            ),
            (
                "Branch staff",
                Impact.Level.MEDIUM,
                "Posters in every branch.",
                "Put up posters on go-live day.",
            ),
        ],
    },
    {
        "title": "Mobile App Relaunch",
        "status": Campaign.Status.SUBMITTED,
        "days": 24,
        "embargo_days": 21,
        "concept": "Our app gets a new look and faster payments.",
        "details": "Instant payments up to £1,000 and a redesigned home screen, launching with a TV advert.",
        "objectives": "Move 20% of branch transfers to the app.",
        "channels": ["owned", "paid", "press"],
        "teams": ["content", "design", "pr"],
        "messages": ["Faster payments, fewer taps.", "The old app keeps working for a month."],
        "assets": [
            ("TV advert (preview)", "https://vimeo.com/000000000"),
            ("Screenshots", "https://www.example.com/app-relaunch/screens"),
        ],
        "impacts": [
            (
                "Customer support",
                Impact.Level.HIGH,
                "Calls about the new layout.",
                "Use the new help articles.",
            ),
            ("Sales", Impact.Level.LOW, "", "Mention the app when opening accounts."),
        ],
    },
    {
        "title": "Mortgage Rate Promise",
        "status": Campaign.Status.APPROVED,
        "days": 10,
        "embargo_days": 10,
        "concept": "A clear promise on mortgage rates for first-time buyers.",
        "details": "We match any like-for-like fixed rate from the big five lenders for first-time buyers.",
        "objectives": "Grow first-time buyer mortgages by 15%.",
        "channels": ["paid", "press", "events"],
        "teams": ["content", "pr", "events"],
        "messages": [
            "We match rates, like for like.",
            "First-time buyers get a named adviser.",
            "The promise lasts until the end of the year.",
        ],
        "assets": [
            ("Rate promise one-pager", "https://www.example.com/rate-promise/one-pager"),
            ("Launch video", "https://www.youtube.com/watch?v=demo000000"),
        ],
        "impacts": [
            (
                "Sales",
                Impact.Level.HIGH,
                "Advisers handle rate-match requests.",
                "Complete the rate-match training.",
            ),
            (
                "Branch staff",
                Impact.Level.MEDIUM,
                "Walk-in questions about the promise.",
                "Refer customers to an adviser.",
            ),
            ("Customer support", Impact.Level.LOW, "Some calls about eligibility.", "Use the FAQ."),
        ],
    },
    {
        "title": "Green Home Loans",
        "status": Campaign.Status.LIVE,
        "days": -3,
        "embargo_days": -5,
        "concept": "Cheaper loans for home energy improvements.",
        "details": "0.5% off the rate for heat pumps, solar panels and insulation, up to £25,000.",
        "objectives": "Finance 2,000 energy improvements this year.",
        "channels": ["owned", "earned", "social"],
        "teams": ["content"],
        "messages": ["Greener homes cost less to run.", "Quotes from approved installers only."],
        "assets": [("Installer list", "https://www.example.com/green-loans/installers")],
        "impacts": [
            ("UK offices", Impact.Level.MEDIUM, "Questions from UK customers.", "Know where the FAQ is."),
            (
                "Product champions",
                Impact.Level.HIGH,
                "You test the journey first.",
                "Try an application end to end.",
            ),
        ],
    },
    {
        "title": "Winter Travel Card",
        "status": Campaign.Status.CLOSED,
        "days": -60,
        "embargo_days": -60,
        "concept": "No fees on card spending abroad over the winter.",
        "details": "Zero foreign transaction fees from December to February.",
        "objectives": "Increase card use abroad by 25%.",
        "channels": ["paid", "social"],
        "teams": ["social", "media"],
        "messages": ["No fees abroad all winter."],
        "assets": [("Campaign results", "https://www.example.com/winter-travel/results")],
        "impacts": [
            ("Customer support", Impact.Level.MEDIUM, "Calls about fees abroad.", "Check the fee table.")
        ],
    },
]


def seed_campaigns(stdout, accounts: dict[str, User], audiences: dict[str, Audience]) -> None:
    created = 0
    for spec in CAMPAIGNS:
        if Campaign.objects.filter(title=spec["title"]).exists():
            continue
        go_live = _at_nine_london(spec["days"])
        campaign = Campaign.objects.create(
            title=spec["title"],
            owner=accounts["marketing"],
            status=spec["status"],
            concept=spec["concept"],
            details=spec["details"],
            objectives=spec["objectives"],
            go_live_at=go_live,
            is_go_live_tentative=spec.get("tentative", False),
            embargo_until=_at_nine_london(spec["embargo_days"]),
            time_zone="Europe/London",
            external_channels=spec["channels"],
        )
        campaign.teams.set(MarcomTeam.objects.filter(slug__in=spec["teams"]))
        KeyMessage.objects.bulk_create(
            KeyMessage(campaign=campaign, position=n, text=text) for n, text in enumerate(spec["messages"], 1)
        )
        for caption, url in spec["assets"]:
            Asset.objects.create(
                campaign=campaign,
                kind=Asset.kind_for_url(url),
                url=url,
                caption=caption,
                uploaded_by=accounts["marketing"],
            )
        for audience, level, what_changes, what_to_do in spec["impacts"]:
            Impact.objects.create(
                campaign=campaign,
                audience=audiences[audience],
                level=level,
                what_changes=what_changes,
                what_to_do=what_to_do,
            )
        created += 1
    stdout.write(f"demo campaigns: {created} created, {len(CAMPAIGNS) - created} already there")


# The library: tags for the demo assets (by caption), and one reuse across campaigns.
ASSET_TAGS = {
    "Campaign moodboard": ["moodboard", "design"],
    "TV advert (preview)": ["video", "tv"],
    "Screenshots": ["app", "screens"],
    "Rate promise one-pager": ["rates", "one-pager"],
    "Launch video": ["video", "launch"],
    "Installer list": ["partners"],
    "Campaign results": ["results", "report"],
}
REUSE = ("Campaign results", "Spring Savings Boost")  # last winter's results, for the next launch's team


def seed_asset_library(stdout, accounts: dict[str, User]) -> None:
    tagged = 0
    for asset in Asset.objects.filter(caption__in=ASSET_TAGS, tags=None).select_related("campaign"):
        asset.set_tags(ASSET_TAGS[asset.caption])
        if asset.team_id is None:
            asset.team = asset.campaign.teams.order_by("slug").first()
            asset.save(update_fields=["team"])
        tagged += 1
    asset = Asset.objects.filter(caption=REUSE[0]).first()
    campaign = Campaign.objects.filter(title=REUSE[1]).first()
    if asset and campaign and asset.campaign_id != campaign.pk:
        asset.reuse_in(campaign, accounts["marketing"])
    stdout.write(f"demo asset library: {tagged} assets tagged")
