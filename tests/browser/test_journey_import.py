"""Journey: IC uploads the employee CSV, watches the progress bar while a real worker imports it, and
reads the result with a line-numbered error. axe-core at 1280 and 390 px on each state."""

from __future__ import annotations

from playwright.sync_api import expect

from people.models import ImportJob
from tests.browser.conftest import BROWSER, assert_accessible, sign_in
from tests.conftest import EMAIL_QUEUE

pytestmark = BROWSER

HEADER = "email,first_name,last_name,department,team,location,role,manager_email,time_zone"


def assert_accessible_at_both_widths(page) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_ic_uploads_employees_and_follows_the_import_to_its_result(
    page, live_server, ic, celery_processes, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    rows = [f"p{i}@bank.example,P{i},Person,Sales,North,London,Adviser,,Europe/London" for i in range(40)]
    rows[2] = "p2@bank.example,P2,Person,Sales,North,London,Adviser,,Mars/Olympus"  # line 4
    csv_file = tmp_path / "march-starters.csv"
    csv_file.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")

    sign_in(page, live_server.url, "ian")
    page.goto(f"{live_server.url}/audiences/import/")
    expect(page.get_by_text("The import sends no email and no invitation.")).to_be_visible()
    assert_accessible_at_both_widths(page)
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Upload and import").click()

    # No worker yet: the job waits, and the page says so with an empty bar and a Refresh link.
    expect(page.get_by_role("heading", level=1)).to_have_text("Import of “march-starters.csv”")
    expect(page.get_by_role("status")).to_have_text("Waiting for a worker…")
    expect(page.get_by_role("progressbar", name="Rows imported")).to_be_visible()
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()
    assert_accessible_at_both_widths(page)

    celery_processes.worker("w1", queues=(EMAIL_QUEUE,))
    # The page's script polls and opens the result once the worker is done.
    expect(page.get_by_role("heading", name="Import finished")).to_be_visible(timeout=60_000)
    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    expect(page.get_by_text("Line 4: unknown time zone “Mars/Olympus”")).to_be_visible()
    expect(page.get_by_text("40 rows read")).to_be_visible()
    expect(
        page.get_by_role("link", name="Download the full error report (CSV, line and problem)")
    ).to_be_visible()
    assert_accessible_at_both_widths(page)
