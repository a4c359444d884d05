"""The notification centre: the bell on every page, the list, opening and marking read."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from notifications.notify import notify
from tests.layout_queries import layout_queries

pytestmark = pytest.mark.django_db


def tell(user, n=1, title="Question {i}", url="/campaigns/"):
    for i in range(n):
        notify([user], kind=Notification.Kind.QUESTION_ASKED, title=title.format(i=i), url=url)


def test_the_bell_shows_the_unread_count_on_every_page(client_for, marketing):
    tell(marketing, 3)
    page = client_for(marketing).get(reverse("home")).content.decode()
    assert 'class="bell bell-phone"' in page and "(3 unread)" in page


def test_the_bell_says_nothing_when_all_is_read(client_for, marketing):
    page = client_for(marketing).get(reverse("home")).content.decode()
    assert (
        'class="bell bell-phone"' in page
        and "unread)" not in page.split('class="bell bell-phone"')[1].split("</a>")[0]
    )


def test_the_list_shows_my_notifications_newest_first(client_for, marketing, ic):
    tell(marketing, 3)
    tell(ic, 1, title="Not for Mia")
    response = client_for(marketing).get(reverse("notification_list"))
    titles = [n.title for n in response.context["page"].object_list]
    assert titles == ["Question 2", "Question 1", "Question 0"]
    assert "Not for Mia" not in response.content.decode()


def test_the_list_is_paginated(client_for, marketing):
    tell(marketing, 25)
    response = client_for(marketing).get(reverse("notification_list") + "?page=2")
    assert len(response.context["page"].object_list) == 5
    assert "Page 2 of 2" in response.content.decode()


def test_typed_text_is_escaped_in_the_list(client_for, marketing):
    tell(marketing, title="<script>alert(1)</script>")
    page = client_for(marketing).get(reverse("notification_list")).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_opening_one_marks_it_read_and_goes_to_the_item(client_for, marketing):
    tell(marketing, url="/campaigns/7/")
    note = Notification.objects.get()
    response = client_for(marketing).get(reverse("notification_open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/campaigns/7/"
    note.refresh_from_db()
    assert note.is_read


def test_someone_elses_notification_is_404(client_for, marketing, ic):
    tell(ic)
    note = Notification.objects.get()
    assert client_for(marketing).get(reverse("notification_open", args=[note.pk])).status_code == 404
    assert client_for(marketing).post(reverse("notification_read", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert not note.is_read


def test_mark_one_read_is_a_post(client_for, marketing):
    tell(marketing, 2)
    first = Notification.objects.order_by("pk").first()
    client = client_for(marketing)
    assert client.get(reverse("notification_read", args=[first.pk])).status_code == 405
    assert (
        client.post(reverse("notification_read", args=[first.pk]), {"page": "1"})["Location"]
        == "/notifications/?page=1"
    )
    assert list(Notification.objects.unread().values_list("title", flat=True)) == ["Question 1"]


def test_mark_all_read_touches_only_mine(client_for, marketing, ic):
    tell(marketing, 3)
    tell(ic, 1)
    client_for(marketing).post(reverse("notification_read_all"))
    assert Notification.objects.for_user(marketing).unread().count() == 0
    assert Notification.objects.for_user(ic).unread().count() == 1


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("notification_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("n", [1, 40])
def test_the_bell_costs_one_query_however_many_there_are(client_for, marketing, django_assert_num_queries, n):
    tell(marketing, n)
    client = client_for(marketing)
    with django_assert_num_queries(
        layout_queries(marketing) + 2
    ):  # the account page's own: the profile, the time-zone picker's likely zones
        client.get(reverse("account"))


@pytest.mark.parametrize("n", [1, 40])
def test_the_list_costs_a_fixed_number_of_queries(client_for, marketing, django_assert_num_queries, n):
    tell(marketing, n)
    client = client_for(marketing)
    with django_assert_num_queries(layout_queries(marketing) + 2):  # count for the pager, the page
        client.get(reverse("notification_list"))


def test_the_demo_gives_the_bell_something_to_show(client_for):
    from django.contrib.auth.models import User
    from django.core.management import call_command

    call_command("seed_demo", stdout=__import__("io").StringIO())
    ic = User.objects.get(username="ic")
    assert Notification.objects.for_user(ic).unread().exists()
