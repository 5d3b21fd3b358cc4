"""Nothing lost when a process dies: a worker killed (SIGKILL, in a process of its own with its own
database connection, as a gunicorn or RQ worker is) part way through finance's confirmation, the
accept-timeout job and a grab. Each test prints what it killed and what it compared, and ends with
the invariant check (aftersales_app.invariants) on what the dead process touched."""

import multiprocessing
import os
import time

import pytest

import frappe

from aftersales_app import invariants
from aftersales_app.api import payment as payment_api
from aftersales_app.field_service import dispatch
from aftersales_app.tests import world
from aftersales_app.tests.test_payments import FINANCE, awaiting_payment, collect, payment_entries
from aftersales_app.tests.utils import (
	as_user,
	make_customer,
	make_ticket,
	remove_ticket_and_money,
	site_paths,
)
from aftersales_app.tickets.status import AWAITING_ACCEPTANCE, DISPATCHING, move_to_category

SITE, SITES_PATH = site_paths()
AGENT, TECH = world.AGENT, world.TECH


def kill(user: str, method: str, args: tuple, victim: str = "", when: str = "after-commit", call: int = 1):
	"""Run the method in a process of its own, killed as `when` says (tests/workers.killed_during)."""
	from aftersales_app.tests.workers import killed_during

	process = multiprocessing.get_context("spawn").Process(
		target=killed_during, args=(SITE, str(SITES_PATH), user, method, args, victim, when, call)
	)
	process.start()
	process.join(120)
	assert process.exitcode == -9, f"the worker was to be killed, it ended with {process.exitcode}"
	print(f"killed {method}{args} as {user}: {when} call {call} of {victim or 'the commit'}")
	frappe.db.rollback()  # a fresh snapshot: what the dead process committed, nothing else


MONEY = ("status_follows_state", "amounts_match_ledger", "payments_have_entries")


def unbroken(*names, only=()):
	"""The invariants (`only` those named) hold for these documents: none of them is among any
	invariant's examples."""
	for title, invariant in invariants.INVARIANTS:
		if only and invariant.__name__ not in only:
			continue
		count, examples = invariant()
		assert not set(examples) & set(names), f"{title}: {examples}"
	print(f"invariants checked for {', '.join(names)}")


@pytest.fixture
def payment_to_confirm():
	ticket = awaiting_payment()
	payment = collect(ticket, 1100)
	frappe.db.commit()  # the worker, another process, confirms it
	yield ticket, payment
	frappe.db.rollback()
	remove_ticket_and_money(ticket.name)
	frappe.db.commit()


@pytest.mark.parametrize(
	"victim",
	[
		"aftersales_app.billing.payments.make_payment_entry",  # the Payment Entry submitted, nothing saved yet
		"aftersales_app.billing.payments.follow_money",  # the payment confirmed and the ticket moved on
	],
)
def test_a_confirmation_killed_midway_leaves_nothing_and_can_be_done_again(payment_to_confirm, victim):
	ticket, payment = payment_to_confirm
	invoice = frappe.db.get_value("Service Ticket", ticket.name, "charge_invoice")
	state = frappe.db.get_value("Service Ticket", ticket.name, "workflow_state")
	kill(FINANCE, "aftersales_app.api.payment.confirm_payment", (payment.name,), victim, "after")
	assert frappe.db.get_value("Service Payment", payment.name, ["status", "payment_entry"]) == (
		"Unconfirmed",
		None,
	)
	assert payment_entries(invoice) == []  # no Payment Entry without its payment confirmed
	assert frappe.db.get_value("Service Ticket", ticket.name, "workflow_state") == state
	print(f"compared: payment {payment.name} unconfirmed, no Payment Entry on {invoice}, ticket in {state}")

	as_user(FINANCE, payment_api.confirm_payment, payment.name)  # finance tries again
	assert len(payment_entries(invoice)) == 1
	assert frappe.db.get_value("Service Payment", payment.name, "status") == "Confirmed"
	# (the ticket's technician was set by the test's shortcut, without the dispatch's ToDo)
	unbroken(ticket.name, payment.name, only=MONEY)


def test_a_confirmation_killed_after_its_commit_is_done_once(payment_to_confirm):
	ticket, payment = payment_to_confirm
	invoice = frappe.db.get_value("Service Ticket", ticket.name, "charge_invoice")
	kill(FINANCE, "aftersales_app.api.payment.confirm_payment", (payment.name,))
	assert frappe.db.get_value("Service Payment", payment.name, "status") == "Confirmed"
	assert len(payment_entries(invoice)) == 1
	with pytest.raises(frappe.ValidationError):  # finance, not knowing, clicks again: refused
		as_user(FINANCE, payment_api.confirm_payment, payment.name)
	assert len(payment_entries(invoice)) == 1
	# (the ticket's technician was set by the test's shortcut, without the dispatch's ToDo)
	unbroken(ticket.name, payment.name, only=MONEY)


@pytest.fixture
def overdue_tickets():
	"""Four tickets assigned to the world's technician, their acceptance overdue, and no other
	ticket of the site overdue (released first, as the job would)."""
	dispatch.release_overdue_acceptances()
	past = frappe.utils.add_to_date(frappe.utils.now_datetime(), minutes=-10)
	tickets = []
	for i in range(4):
		ticket = move_to_category(make_ticket(subject=f"超时中断 {i}"), DISPATCHING, as_user=AGENT)
		ticket = dispatch.assign(ticket, TECH)
		frappe.db.set_value("Service Ticket", ticket.name, "accept_deadline", past, update_modified=False)
		tickets.append(ticket.name)
	frappe.db.commit()
	yield tickets
	frappe.db.rollback()
	for name in tickets:
		remove_ticket_and_money(name)
	frappe.db.commit()


def test_the_timeout_job_killed_halfway_and_run_again_releases_each_ticket_once(overdue_tickets):
	kill(
		"Administrator",
		"aftersales_app.field_service.dispatch.release_overdue_acceptances",
		(),
		"aftersales_app.field_service.dispatch.release",
		"before",
		3,
	)
	statuses = [frappe.db.get_value("Service Ticket", name, "status") for name in overdue_tickets]
	assert sorted(statuses) == [AWAITING_ACCEPTANCE] * 2 + [DISPATCHING] * 2  # two done, kept
	dispatch.release_overdue_acceptances()  # the next minute's run
	for name in overdue_tickets:
		assert frappe.db.get_value("Service Ticket", name, "status") == DISPATCHING
		assert (
			frappe.db.count(
				"Service Ticket Status Log",
				{"ticket": name, "to_category": DISPATCHING, "from_category": AWAITING_ACCEPTANCE},
			)
			== 1
		)
		assert frappe.db.count(
			"After-Sales Message",
			{"reference_doctype": "Service Ticket", "reference_name": name, "event": "accept_timeout"},
		) == frappe.db.count(
			"After-Sales Message",
			{
				"reference_doctype": "Service Ticket",
				"reference_name": overdue_tickets[0],
				"event": "accept_timeout",
			},
		)
	print(f"compared: {len(overdue_tickets)} tickets released once each, one log row and one notice set each")
	unbroken(*overdue_tickets)


@pytest.fixture
def due_surveys():
	"""Four satisfaction surveys whose delay has passed, and no other survey of the site due (sent
	first, as the job would)."""
	from aftersales_app.customer_care import surveys

	surveys.send_due()
	past = frappe.utils.add_to_date(frappe.utils.now_datetime(), minutes=-10)
	names, tickets = [], []
	for i in range(4):
		ticket = make_ticket(subject=f"回访中断 {i}")
		survey = surveys.make_survey(ticket)
		frappe.db.set_value("Service Survey", survey.name, "send_after", past, update_modified=False)
		names.append(survey.name)
		tickets.append(ticket.name)
	frappe.db.commit()
	yield names
	frappe.db.rollback()
	for name in tickets:
		remove_ticket_and_money(name)
	frappe.db.commit()


def test_the_survey_job_killed_halfway_and_run_again_sends_each_survey_once(due_surveys):
	from aftersales_app.customer_care import surveys

	kill(
		"Administrator",
		"aftersales_app.customer_care.surveys.send_due",
		(),
		"aftersales_app.customer_care.surveys.send",
		"before",
		3,
	)
	statuses = [frappe.db.get_value("Service Survey", name, "status") for name in due_surveys]
	assert sorted(statuses) == sorted([surveys.PENDING] * 2 + [surveys.SENT] * 2)  # two sent, kept
	surveys.send_due()  # the next run
	messages = [
		frappe.db.count(
			"After-Sales Message",
			{"reference_doctype": "Service Survey", "reference_name": name, "event": "survey_due"},
		)
		for name in due_surveys
	]
	assert [frappe.db.get_value("Service Survey", n, "status") for n in due_surveys] == [surveys.SENT] * 4
	assert messages[0] > 0 and len(set(messages)) == 1, messages  # each told once, alike
	print(f"compared: {len(due_surveys)} surveys sent once each, {messages[0]} message(s) each")


@pytest.fixture
def breached_tickets():
	"""Four tickets at work whose resolution target has passed (all three of After-Sales Settings'
	points due, the oldest first), and no other ticket of the site due (escalated first, as the job
	would)."""
	from aftersales_app.tickets import escalation

	escalation.escalate_due()
	now = frappe.utils.now_datetime()
	tickets = []
	for i in range(4):
		ticket = move_to_category(make_ticket(subject=f"升级中断 {i}"), DISPATCHING, as_user=AGENT)
		ticket = dispatch.assign(ticket, TECH)
		ticket = as_user(TECH, dispatch.accept, ticket, TECH)
		frappe.db.set_value(
			"Service Ticket",
			ticket.name,
			{
				"service_level_agreement_creation": frappe.utils.add_to_date(now, hours=-10),
				"sla_resolution_by": frappe.utils.add_to_date(now, hours=-1),
				"escalation_level": 0,
				"escalation_due": f"2000-01-0{i + 1} 00:00:00",
			},
			update_modified=False,
		)
		tickets.append(ticket.name)
	frappe.db.commit()
	yield tickets
	frappe.db.rollback()
	for name in tickets:
		remove_ticket_and_money(name)
	frappe.db.commit()


def told_points(ticket: str) -> list[tuple]:
	return sorted(
		frappe.get_all(
			"After-Sales Message",
			filters={
				"reference_doctype": "Service Ticket",
				"reference_name": ticket,
				"event": ("like", "sla_%"),
			},
			fields=["event", "recipient"],
			as_list=True,
		)
	)


def test_the_escalation_job_killed_halfway_and_run_again_tells_each_point_once(breached_tickets):
	from aftersales_app.tickets import escalation

	points = len(escalation.levels_for(frappe.get_doc("Service Ticket", breached_tickets[0])))
	assert points >= 2, "After-Sales Settings ships three points"
	# dies in the middle of the second ticket: one of its points told, not yet committed
	kill(
		"Administrator",
		"aftersales_app.tickets.escalation.escalate_due",
		(),
		"aftersales_app.tickets.escalation.tell_point",
		"after",
		points + 1,
	)
	levels = [frappe.db.get_value("Service Ticket", n, "escalation_level") for n in breached_tickets]
	assert levels == [points, 0, 0, 0], levels  # the first kept, the second rolled back whole
	assert told_points(breached_tickets[1]) == []
	first = told_points(breached_tickets[0])
	assert first
	escalation.escalate_due()  # the next minute's run
	escalation.escalate_due()
	for name in breached_tickets:
		assert frappe.db.get_value("Service Ticket", name, "escalation_level") == points
		told = told_points(name)  # each point told once, to as many people (agents differ)
		assert len(set(told)) == len(told) == len(first), (name, told)
		assert [event for event, _ in told] == [event for event, _ in first], name
		comments = frappe.get_all(
			"Comment", filters={"reference_name": name, "comment_type": "Info"}, pluck="content"
		)
		assert len([c for c in comments if "%" in c]) == points, comments
	print(
		f"compared: {len(breached_tickets)} tickets, {points} points each told once "
		f"({len(first)} messages and {points} timeline notes per ticket)"
	)
	unbroken(*breached_tickets)


@pytest.fixture
def due_check_ups():
	"""Four serial numbers of one customer whose yearly check-up is long due (the oldest first), and
	no other check-up of the site due (offered first, as the job would)."""
	from aftersales_app.customer_care import maintenance_reminders

	maintenance_reminders.offer_due()
	customer = make_customer("保养中断客户", phone="13755550000")
	contact = maintenance_reminders.primary_contact(customer)
	frappe.db.set_value(
		"Contact", contact, {"email_id": f"fault.check.up@{world.DOMAIN}", "preferred_channel": "Email"}
	)
	company = frappe.defaults.get_global_default("company")
	remove_check_ups([f"FAULT-CHK-{i}" for i in range(4)])  # what an interrupted run left
	serials = []
	for i in range(4):
		serial = f"FAULT-CHK-{i}"
		frappe.get_doc(
			{
				"doctype": "Serial No",
				"serial_no": serial,
				"item_code": world.PRODUCT,
				"company": company,
				"customer": customer,
				"status": "Delivered",
				"aftersales_in_service_since": f"2000-01-0{i + 1}",
			}
		).insert(ignore_permissions=True)
		serials.append(serial)
	frappe.db.commit()
	yield serials
	frappe.db.rollback()
	remove_check_ups(serials)


def remove_check_ups(serials: list[str]):
	"""The serial numbers, their check-up offers, ToDos and messages (committed)."""
	for reminder in frappe.get_all("Maintenance Reminder", {"serial_no": ("in", serials)}, pluck="name"):
		for doctype in ("ToDo", "After-Sales Message"):
			for row in frappe.get_all(doctype, {"reference_name": reminder}, pluck="name"):
				frappe.delete_doc(doctype, row, force=True, ignore_permissions=True)
		frappe.delete_doc("Maintenance Reminder", reminder, force=True, ignore_permissions=True)
	for serial in serials:
		if frappe.db.exists("Serial No", serial):
			frappe.delete_doc("Serial No", serial, force=True, ignore_permissions=True)
	frappe.db.commit()


def test_the_check_up_job_killed_halfway_and_run_again_offers_each_check_up_once(due_check_ups):
	from aftersales_app.customer_care import maintenance_reminders

	def offers(serial):
		return frappe.get_all("Maintenance Reminder", {"serial_no": serial}, pluck="due_date")

	# dies right after the second serial's offer is made, before its next check-up moves on
	kill(
		"Administrator",
		"aftersales_app.customer_care.maintenance_reminders.offer_due",
		(),
		"aftersales_app.customer_care.maintenance_reminders.make_offer",
		"after",
		2,
	)
	assert [len(offers(s)) for s in due_check_ups] == [1, 0, 0, 0]
	maintenance_reminders.offer_due()  # the next day's run
	maintenance_reminders.offer_due()
	today = frappe.utils.getdate()
	for serial in due_check_ups:
		[due] = offers(serial)
		reminder = frappe.db.get_value("Maintenance Reminder", {"serial_no": serial}, "name")
		assert frappe.db.count("ToDo", {"reference_name": reminder}) == 1
		events = frappe.get_all("After-Sales Message", {"reference_name": reminder}, pluck="event")
		assert sorted(set(events)) == ["maintenance_follow_up", "maintenance_offer"], events
		assert len(events) == 2, events
		assert (
			frappe.utils.getdate(frappe.db.get_value("Serial No", serial, "aftersales_next_check_up")) > today
		)
	print(f"compared: {len(due_check_ups)} serial numbers offered once each, one ToDo and two messages each")


@pytest.fixture
def pool_ticket():
	ticket = move_to_category(make_ticket(subject="抢单中断"), DISPATCHING, as_user=AGENT)
	ticket = dispatch.put_in_pool(ticket)
	frappe.db.commit()
	yield ticket.name
	frappe.db.rollback()
	remove_ticket_and_money(ticket.name)
	frappe.db.commit()


def test_a_grab_killed_before_its_commit_leaves_the_ticket_in_the_pool(pool_ticket):
	kill(
		TECH,
		"aftersales_app.api.dispatch.grab_ticket",
		(pool_ticket,),
		"aftersales_app.field_service.dispatch.open_todo",
		"after",
	)
	assert frappe.db.get_value("Service Ticket", pool_ticket, ["in_pool", "assigned_technician"]) == (1, None)
	assert frappe.db.count("ToDo", {"reference_name": pool_ticket, "status": "Open"}) == 0
	unbroken(pool_ticket)


def test_a_grab_killed_after_its_commit_has_one_assignee(pool_ticket):
	kill(TECH, "aftersales_app.api.dispatch.grab_ticket", (pool_ticket,))
	assert frappe.db.get_value("Service Ticket", pool_ticket, ["in_pool", "assigned_technician"]) == (0, TECH)
	assert frappe.get_all(
		"ToDo", filters={"reference_name": pool_ticket, "status": "Open"}, pluck="allocated_to"
	) == [TECH]
	unbroken(pool_ticket)


# --- the database restarted under load -------------------------------------------------------------

DB_CONTROL = os.environ.get("AFTERSALES_DB_CONTROL")


def restart_database(timeout: int = 180):
	"""Ask scripts/test.sh's root helper to restart MariaDB, and wait until it has."""
	done = f"{DB_CONTROL}.done"
	with open(done) as f:
		before = f.read().strip()
	fifo = os.open(DB_CONTROL, os.O_WRONLY | os.O_NONBLOCK)  # no reader: fails, never hangs
	os.write(fifo, b"restart\n")
	os.close(fifo)
	deadline = time.time() + timeout
	while time.time() < deadline:
		with open(done) as f:
			if f.read().strip() != before:
				break
		time.sleep(0.2)
	else:
		raise AssertionError("MariaDB was not restarted in time")
	try:  # this process's own connection died with the server, as every worker's did
		frappe.db.close()
	except Exception:
		pass
	frappe.db.connect()


@pytest.fixture
def pool_and_payments(api_headers):
	"""20 pool tickets, 8 technicians who may grab them all, 6 payments for finance to confirm;
	committed for the app servers (other processes)."""
	from aftersales_app.tests.utils import make_dispatch_area, make_technician

	area = make_dispatch_area("重启测试区")
	for i in range(8):  # left by an interrupted run
		frappe.delete_doc_if_exists(
			"Service Technician", f"restart{i}@aftersales-tests.example.com", force=True
		)
	users = [
		make_technician(
			f"restart{i}@aftersales-tests.example.com", skills=[area], territories=[area], capacity=100
		).user
		for i in range(8)
	]
	tickets = [
		dispatch.put_in_pool(
			move_to_category(
				make_ticket(subject=f"重启抢单 {i}", ticket_type=area, territory=area),
				DISPATCHING,
				as_user=AGENT,
			)
		).name
		for i in range(20)
	]
	payments = []
	for _ in range(3):
		ticket = awaiting_payment()
		payments += [collect(ticket, 500).name, collect(ticket, 600).name]
	frappe.db.commit()
	headers = {user: api_headers(user) for user in [*users, FINANCE]}
	charged = {frappe.db.get_value("Service Payment", payment, "service_ticket") for payment in payments}
	yield tickets, users, payments, headers
	try:
		frappe.db.rollback()
	except Exception:  # the test failed with the server down: this connection died with it
		frappe.db.connect()
	for name in [*tickets, *charged]:
		remove_ticket_and_money(name)
	for user in users:
		frappe.delete_doc("Service Technician", user, force=True, ignore_permissions=True)
	frappe.db.commit()


@pytest.mark.slow
@pytest.mark.skipif(not DB_CONTROL, reason="scripts/test.sh (as root) restarts MariaDB for this test")
def test_mariadb_restarted_while_grabs_and_confirmations_run(pool_and_payments):
	"""Technicians grab and finance confirms over HTTP, on two app servers, while MariaDB restarts:
	each request in flight succeeds or fails with an error (nothing half done), the ones after
	the restart succeed, and every ticket and payment is whole."""
	import threading

	import requests

	from aftersales_app.tests.servers import Servers

	tickets, users, payments, headers = pool_and_payments
	results, stop = [], threading.Event()

	def post(servers, i, method, user, **data):
		url = servers.url(servers.ports[i % 2], f"/api/method/aftersales_app.api.{method}")
		try:
			response = requests.post(url, headers=servers.headers(headers[user]), data=data, timeout=60)
			results.append((time.time(), method, response.status_code, response.text[:200]))
			return response.status_code
		except requests.RequestException as e:  # the connection itself broke
			results.append((time.time(), method, 0, str(e)[:200]))
			return 0

	def technician(servers, i, user):
		for name in tickets[i :: len(users)] + tickets:
			if stop.is_set():
				return
			post(servers, i, "dispatch.grab_ticket", user, ticket=name)
			time.sleep(0.05)

	def finance(servers):
		for i, payment in enumerate(payments):
			post(servers, i, "payment.confirm_payment", FINANCE, payment=payment)
			time.sleep(0.3)

	with Servers(SITE, str(SITES_PATH)) as servers:
		threads = [threading.Thread(target=technician, args=(servers, i, u)) for i, u in enumerate(users)]
		threads.append(threading.Thread(target=finance, args=(servers,)))
		for t in threads:
			t.start()
		time.sleep(0.5)
		restarted_at = time.time()
		restart_database()
		back_at = time.time()
		for t in threads:
			t.join(120)
		stop.set()
		failed = [r for r in results if r[2] not in (200, 417)]
		print(
			f"MariaDB restarted in {back_at - restarted_at:.1f} s under {len(results)} requests: "
			f"{len(failed)} failed while it was down, {len(results) - len(failed)} answered"
		)
		# after the restart every request succeeds again: the tickets still in the pool are
		# grabbed, and finance confirms what failed
		frappe.db.rollback()
		left = [name for name in tickets if frappe.db.get_value("Service Ticket", name, "in_pool")]
		for i, name in enumerate(left):
			assert post(servers, i, "dispatch.grab_ticket", users[i % len(users)], ticket=name) == 200
		for i, payment in enumerate(payments):
			if frappe.db.get_value("Service Payment", payment, "status") != "Confirmed":
				assert post(servers, i, "payment.confirm_payment", FINANCE, payment=payment) == 200
		assert requests.get(servers.url(servers.ports[0], "/api/method/ping"), headers=servers.headers()).ok
	assert all(r[0] <= back_at + 5 for r in failed), [r for r in failed if r[0] > back_at + 5][:3]

	frappe.db.rollback()  # what the servers committed
	for name in tickets:
		in_pool, assignee = frappe.db.get_value("Service Ticket", name, ["in_pool", "assigned_technician"])
		todos = frappe.get_all(
			"ToDo", filters={"reference_name": name, "status": "Open"}, pluck="allocated_to"
		)
		assert (in_pool, todos) == (0, [assignee])  # one assignee, one ToDo: grabbed once
	for payment in payments:
		status, entry = frappe.db.get_value("Service Payment", payment, ["status", "payment_entry"])
		assert status == "Confirmed" and frappe.db.get_value("Payment Entry", entry, "docstatus") == 1
	invoices = {frappe.db.get_value("Service Payment", p, "sales_invoice") for p in payments}
	assert sum(len(payment_entries(invoice)) for invoice in invoices) == len(payments)
	print(
		f"compared: {len(tickets)} pool tickets whole, {len(payments)} payments with one Payment Entry each"
	)
	unbroken(*tickets)
	unbroken(*payments, only=MONEY)
