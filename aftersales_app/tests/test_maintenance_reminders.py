"""Maintenance reminders (保养提醒) with frozen time: a serial number a year in service is offered a
check-up once (reruns and a dead job's second run offer nothing twice), again the next year, once
for years missed; an ERPNext Maintenance Schedule's visit is offered ahead of its date; the
customer accepts through the link without a login (a maintenance ticket opens) or declines; a used
or expired link is refused with nothing written; the agent records an answer taken on the phone; a
technician cannot."""

from datetime import datetime

import pytest
from freezegun import freeze_time

import frappe

from aftersales_app.api import care as care_api
from aftersales_app.api import portal as portal_api
from aftersales_app.core import roles
from aftersales_app.customer_care import maintenance_reminders as reminders
from aftersales_app.tests import world
from aftersales_app.tests.mail import sent_token
from aftersales_app.tests.utils import as_user, make_customer

pytestmark = pytest.mark.usefixtures("jobs_do_not_commit")


@pytest.fixture(autouse=True)
def _no_guest_limits():
	from aftersales_app.core import guest_limits

	guest_limits.reset()
	yield
	guest_limits.reset()


def customer_with_email(name: str, email: str) -> str:
	make_customer(name, phone="13744440000")
	contact = reminders.primary_contact(name)
	frappe.db.set_value("Contact", contact, {"email_id": email, "preferred_channel": "Email"})
	return name


def make_serial(serial_no: str, customer: str, in_service: str | None = None, **values) -> str:
	company = frappe.defaults.get_global_default("company")
	frappe.get_doc(
		{
			"doctype": "Serial No",
			"serial_no": serial_no,
			"item_code": world.PRODUCT,
			"company": company,
			"customer": customer,
			"status": "Delivered",
			"aftersales_in_service_since": in_service,
			**values,
		}
	).insert(ignore_permissions=True)
	return serial_no


def offers(**filters) -> list:
	return frappe.get_all(
		"Maintenance Reminder",
		filters=filters,
		fields=["name", "status", "due_date", "source", "customer", "responsible_agent", "service_ticket"],
		order_by="due_date",
	)


def offer_link(reminder: str) -> str:
	"""The token of the link in the e-mail the customer was sent (the outbox row itself shows a
	placeholder: aftersales_app.notifications.secrets)."""
	return sent_token("Maintenance Reminder", reminder, "maintenance_offer")


def run_job(day: str):
	with freeze_time(datetime.fromisoformat(f"{day} 01:00"), tick=True):
		reminders.offer_due()


def test_a_year_in_service_is_offered_once_then_next_year_and_once_for_missed_years():
	customer = customer_with_email("保养客户·周期", f"check.up@{world.DOMAIN}")
	serial = make_serial("CHK-PERIOD-0001", customer, "2025-12-05")
	assert str(frappe.db.get_value("Serial No", serial, "aftersales_next_check_up")) == "2026-12-05"
	run_job("2026-12-04")
	assert offers(serial_no=serial) == []
	run_job("2026-12-05")
	run_job("2026-12-05")  # run twice: offered once
	[offer] = offers(serial_no=serial)
	assert (offer.status, str(offer.due_date), offer.source) == ("Offered", "2026-12-05", "Service Period")
	assert offer.responsible_agent in roles.users_with({roles.AGENT}) + roles.users_with({roles.MANAGER})
	# the customer hears on their channel, the agent gets a follow-up and a ToDo
	told = frappe.get_all(
		"After-Sales Message",
		filters={"reference_name": offer.name},
		fields=["event", "channel", "recipient"],
		order_by="event",
	)
	assert [(t.event, t.channel, t.recipient) for t in told] == [
		("maintenance_follow_up", "System Notification", offer.responsible_agent),
		("maintenance_offer", "Email", f"check.up@{world.DOMAIN}"),
	]
	assert frappe.db.exists(
		"ToDo", {"reference_name": offer.name, "allocated_to": offer.responsible_agent, "status": "Open"}
	)
	assert str(frappe.db.get_value("Serial No", serial, "aftersales_next_check_up")) == "2027-12-05"
	run_job("2027-06-01")
	assert len(offers(serial_no=serial)) == 1
	run_job("2027-12-05")  # a new year, a new check-up
	assert [str(o.due_date) for o in offers(serial_no=serial)] == ["2026-12-05", "2027-12-05"]
	# a serial whose check-ups were missed for years: one offer, the next one after today
	old = make_serial("CHK-PERIOD-0002", customer, "2020-03-01")
	run_job("2027-12-06")
	assert len(offers(serial_no=old)) == 1
	assert str(frappe.db.get_value("Serial No", old, "aftersales_next_check_up")) == "2028-03-01"


def test_in_service_date_comes_from_the_warranty_dates_when_nobody_set_it():
	customer = customer_with_email("保养客户·保修", f"check.up.w@{world.DOMAIN}")
	serial = make_serial(
		"CHK-WARRANTY-0001", customer, None, warranty_period=365, warranty_expiry_date="2027-01-10"
	)
	assert str(frappe.db.get_value("Serial No", serial, "aftersales_in_service_since")) == "2026-01-10"
	# written straight to the table, as deliveries do: the daily job fills it in
	frappe.db.set_value(
		"Serial No",
		serial,
		{"aftersales_in_service_since": None, "aftersales_next_check_up": None},
		update_modified=False,
	)
	reminders.fill_in_service_dates()
	assert frappe.db.get_value(
		"Serial No", serial, ["aftersales_in_service_since", "aftersales_next_check_up"]
	) == (frappe.utils.getdate("2026-01-10"), frappe.utils.getdate("2027-01-10"))


def test_the_customer_accepts_through_the_link_and_a_maintenance_ticket_opens_once():
	customer = customer_with_email("保养客户·接受", f"check.up.a@{world.DOMAIN}")
	serial = make_serial("CHK-ACCEPT-0001", customer, "2025-12-01")
	run_job("2026-12-01")
	[offer] = offers(serial_no=serial)
	token = offer_link(offer.name)
	with freeze_time(datetime(2026, 12, 2, 2, 0), tick=True):
		result = as_user("Guest", portal_api.answer_check_up, accept=1, token=token)
		assert result["status"] == "Accepted" and result["ticket"] is None  # a guest sees no ticket number
		with pytest.raises(frappe.DoesNotExistError):
			as_user("Guest", portal_api.answer_check_up, accept=0, token=token)
	[offer] = offers(serial_no=serial)
	ticket = frappe.get_doc("Service Ticket", offer.service_ticket)
	assert (ticket.ticket_type, ticket.serial_no, ticket.customer, ticket.item_code) == (
		"Maintenance Check",
		serial,
		customer,
		world.PRODUCT,
	)
	assert ticket.responsible_agent == offer.responsible_agent
	assert frappe.db.count("Service Ticket", {"serial_no": serial}) == 1
	assert not frappe.db.exists("ToDo", {"reference_name": offer.name, "status": "Open"})


def test_declined_expired_and_unknown_links_are_refused_alike_with_nothing_written():
	customer = customer_with_email("保养客户·拒绝", f"check.up.d@{world.DOMAIN}")
	declining = make_serial("CHK-DECLINE-0001", customer, "2025-12-01")
	lapsing = make_serial("CHK-EXPIRE-0001", customer, "2025-12-02")
	run_job("2026-12-02")
	[declined], [lapsed] = offers(serial_no=declining), offers(serial_no=lapsing)
	with freeze_time(datetime(2026, 12, 3, 2, 0), tick=True):
		as_user("Guest", portal_api.answer_check_up, accept=0, token=offer_link(declined.name))
	run_job("2027-01-02")  # 31 days: the unanswered offer expires
	assert offers(serial_no=lapsing)[0].status == "Expired"
	before = frappe.db.count("Service Ticket")
	messages = []
	for token in (offer_link(declined.name), offer_link(lapsed.name), "x" * 32):
		with pytest.raises(frappe.DoesNotExistError) as refused:
			as_user("Guest", portal_api.answer_check_up, accept=1, token=token)
		messages.append(str(refused.value))
	assert len(set(messages)) == 1
	assert frappe.db.count("Service Ticket") == before
	assert offers(serial_no=declining)[0].status == "Declined"


def test_erpnext_maintenance_schedule_visits_are_offered_ahead_once():
	customer = customer_with_email("保养客户·计划", f"check.up.s@{world.DOMAIN}")
	schedule = frappe.get_doc(
		{
			"doctype": "Maintenance Schedule",
			"customer": customer,
			"company": frappe.defaults.get_global_default("company"),
			"transaction_date": "2026-12-01",
			"items": [
				{
					"item_code": world.PRODUCT,
					"start_date": "2026-12-20",
					"end_date": "2027-12-19",
					"periodicity": "Quarterly",
					"no_of_visits": 4,
				}
			],
		}
	)
	schedule.insert(ignore_permissions=True)
	schedule.generate_schedule()
	schedule.save()
	schedule.submit()
	first = schedule.schedules[0]
	days_before = frappe.utils.add_days(first.scheduled_date, -7)
	run_job(str(frappe.utils.add_days(days_before, -1)))
	assert offers(maintenance_schedule=schedule.name) == []
	run_job(str(days_before))
	run_job(str(days_before))
	[offer] = offers(maintenance_schedule=schedule.name)
	assert (offer.source, offer.due_date, offer.customer) == (
		"Maintenance Schedule",
		frappe.utils.getdate(first.scheduled_date),
		customer,
	)


def test_the_agent_records_an_answer_from_the_phone_and_a_technician_cannot():
	customer = customer_with_email("保养客户·电话", f"check.up.p@{world.DOMAIN}")
	serial = make_serial("CHK-PHONE-0001", customer, "2025-12-01")
	run_job("2026-12-01")
	[offer] = offers(serial_no=serial)
	with freeze_time(datetime(2026, 12, 2, 2, 0), tick=True):
		with pytest.raises(frappe.PermissionError):
			as_user(world.TECH, care_api.record_check_up_answer, reminder=offer.name, accept=1)
		assert offers(serial_no=serial)[0].status == "Offered"
		result = as_user(world.AGENT, care_api.record_check_up_answer, reminder=offer.name, accept=1)
	assert result["status"] == "Accepted"
	assert frappe.db.get_value("Service Ticket", result["service_ticket"], "channel") == "Phone"


def test_nobody_writes_a_reminder_by_hand():
	customer = customer_with_email("保养客户·手写", f"check.up.h@{world.DOMAIN}")
	with pytest.raises(frappe.PermissionError):
		as_user(
			world.MANAGER,
			lambda: frappe.get_doc(
				{"doctype": "Maintenance Reminder", "customer": customer, "status": "Accepted"}
			).insert(),
		)
