"""Demo explainers for the demo campaigns (seed_demo runs it after campaigns.demo: INSTALLED_APPS order).

Idempotent: an explainer is created only for a demo campaign that has none.
"""

from __future__ import annotations

from django.utils import timezone

from campaigns.models import Campaign
from explainers.models import Explainer

EXPLAINERS = {
    "Mortgage Rate Promise": {
        "what_and_why": (
            "From launch we **match any like-for-like fixed rate** from the big five lenders for "
            "first-time buyers.\n\nFirst-time buyers told us comparing rates is the hardest part of "
            "buying a first home. The promise takes that worry away, and gives them a named adviser."
        ),
        "behaviours": (
            "- Ask every first-time buyer whether they have a quote from another lender.\n"
            "- Book rate-match requests with an adviser the same day.\n"
            "- Never promise a match before an adviser has checked the quote."
        ),
        "training": "- [Rate-match training (20 minutes)](https://learning.example.com/rate-match)",
        "faq": (
            "## Does the promise apply to remortgages?\n\nNo: first-time buyers only.\n\n"
            "## How long does it last?\n\nUntil the end of the year."
        ),
        "variants": {
            "Sales": "You handle rate-match requests: check the quote, then confirm the match in the tool.",
            "Branch staff": "Walk-in customers will ask about the promise: book them with an adviser.",
            "Customer support": "Callers may ask who qualifies: first-time buyers with a written quote.",
        },
        "scenarios": [
            ("A customer asks whether you match an online-only lender", "You explain the promise covers the big five lenders, and offer an adviser appointment anyway."),
            ("A customer already has a mortgage with us", "You explain the promise is for first-time buyers, and point them to our remortgage rates."),
        ],
    },
    "Green Home Loans": {
        "what_and_why": (
            "Customers get **0.5% off** the rate for heat pumps, solar panels and insulation, up to "
            "£25,000.\n\nGreener homes cost less to run, and the loan makes the first step affordable."
        ),
        "behaviours": "- Mention the loan when a customer talks about home improvements.\n- Send them to approved installers only.",
        "training": "- [Green lending basics](https://learning.example.com/green-loans)",
        "faq": "## Which installers count?\n\nThose on the approved installer list.",
        "variants": {
            "UK offices": "Customers will ask where to start: the FAQ and the installer list answer most questions.",
            "Product champions": "Try an application end to end and tell us what confused you.",
        },
        "scenarios": [
            ("A customer asks if a new boiler qualifies", "You explain only heat pumps, solar panels and insulation qualify."),
        ],
    },
}  # fmt: skip


def seed(stdout) -> None:
    created = 0
    for title, spec in EXPLAINERS.items():
        campaign = Campaign.objects.filter(title=title).first()
        if campaign is None or Explainer.objects.filter(campaign=campaign).exists():
            continue
        explainer = Explainer.objects.create(
            campaign=campaign,
            slug=campaign.slug,
            what_and_why=spec["what_and_why"],
            behaviours=spec["behaviours"],
            training=spec["training"],
            faq=spec["faq"],
            publishes_at_embargo=True,
            published_at=timezone.now() if not campaign.is_embargoed() else None,
        )
        impacts = {i.audience.name: i.audience for i in campaign.impacts.select_related("audience")}
        for audience_name, body in spec["variants"].items():
            if audience_name in impacts:
                explainer.variants.create(audience=impacts[audience_name], body=body)
        for position, (situation, response) in enumerate(spec["scenarios"]):
            explainer.scenarios.create(position=position, situation=situation, response=response)
        created += 1
    stdout.write(f"Explainers: {created} created.")
