# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

import pytest

import frappe
from frappe.desk.form.load import get_additional_timeline_content

from aftersales_app.core.exceptions import ContactMismatchError
from aftersales_app.tests import world
from aftersales_app.tests.utils import make_ticket


def make_log(ticket, **values):
	return frappe.get_doc(
		{"doctype": "Service Contact Log", "ticket": ticket.name, "summary": "客户确认周三上午在家", **values}
	).insert()


def test_contact_log_is_shown_on_the_ticket_timeline():
	ticket = make_ticket()
	log = make_log(ticket, direction="Inbound", channel="WeChat", contact=ticket.contact)
	assert log.customer == ticket.customer
	assert log.logged_by == "Administrator"
	cards = get_additional_timeline_content("Service Ticket", ticket.name)
	assert len(cards) == 1
	assert "客户确认周三上午在家" in cards[0]["content"]


def test_contact_of_another_customer_is_refused():
	ticket = make_ticket()
	other = frappe.db.get_value("Contact", {"email_id": world.CONTACT_PERSON_B})
	with pytest.raises(ContactMismatchError):
		make_log(ticket, contact=other)


def test_follow_up_before_the_contact_is_refused():
	ticket = make_ticket()
	with pytest.raises(frappe.ValidationError):
		make_log(ticket, contact_time="2026-05-02 10:00:00", next_follow_up="2026-05-01 10:00:00")


def test_timeline_escapes_what_was_typed():
	ticket = make_ticket()
	make_log(ticket, summary="<script>alert(1)</script>")
	content = get_additional_timeline_content("Service Ticket", ticket.name)[0]["content"]
	assert "<script>" not in content
