"""The invariant check (aftersales_app.invariants) finds each kind of breach it names, and only
those: every test breaks one thing on a ticket made through the app's flows and sees that
invariant's count rise by one with the ticket among its examples, the others unchanged. Also the
ToDo's life with the ticket (closed when the ticket ends, open again when it is reopened), which
the invariant relies on."""

import pytest

import frappe

from aftersales_app import invariants
from aftersales_app.api import payment as payment_api
from aftersales_app.field_service import dispatch
from aftersales_app.tests import world
from aftersales_app.tests.test_payments import FINANCE, awaiting_payment, collect
from aftersales_app.tests.utils import as_user, force_state, make_ticket, record_revisit
from aftersales_app.tickets.status import CANCELLED, CLOSED, DISPATCHING, IN_PROGRESS, move_to_category

AGENT, TECH = world.AGENT, world.TECH


def counts() -> dict:
	return {fn.__name__: fn() for _title, fn in invariants.INVARIANTS}


def broken_by(before: dict, breach) -> list[str]:
	"""The invariants whose count rose by one, each naming `breach` among its examples."""
	after = counts()
	return [
		name
		for name, (count, examples) in after.items()
		if count == before[name][0] + 1 and (breach in examples or count > invariants.EXAMPLES)
	]


def open_todos(ticket) -> list[str]:
	return frappe.get_all(
		"ToDo",
		filters={"reference_type": "Service Ticket", "reference_name": ticket.name, "status": "Open"},
		pluck="allocated_to",
	)


def at_work():
	"""A ticket its technician accepted, moved only by workflow actions (its log complete)."""
	ticket = move_to_category(make_ticket(), DISPATCHING, as_user=AGENT)
	ticket = dispatch.assign(ticket, TECH)
	return frappe.get_doc(as_user(TECH, lambda: dispatch.accept(ticket, TECH)))


def test_a_ticket_made_through_the_flows_breaks_nothing():
	before = counts()
	ticket = at_work()
	assert open_todos(ticket) == [TECH]
	assert counts() == before


def test_a_status_that_is_not_its_states_category_is_found():
	ticket = at_work()
	before = counts()
	frappe.db.set_value("Service Ticket", ticket.name, "status", "On Hold", update_modified=False)
	assert broken_by(before, ticket.name) == ["status_follows_state"]


def test_amounts_that_are_not_the_ledgers_are_found():
	ticket = at_work()
	before = counts()
	frappe.db.set_value("Service Ticket", ticket.name, "charge_amount", 99, update_modified=False)
	assert broken_by(before, ticket.name) == ["amounts_match_ledger"]


def test_a_missing_or_stray_todo_is_found_and_a_finished_ticket_closes_its_own():
	ticket = at_work()
	before = counts()
	frappe.db.set_value(
		"ToDo",
		{"reference_name": ticket.name, "allocated_to": TECH},
		"status",
		"Closed",
		update_modified=False,
	)
	assert broken_by(before, ticket.name) == ["one_todo_per_assignment"]

	other = at_work()
	move_to_category(other, CANCELLED, as_user=AGENT)
	assert open_todos(other) == []  # the ticket's end closed it
	before = counts()
	frappe.get_doc(
		{
			"doctype": "ToDo",
			"allocated_to": TECH,
			"reference_type": "Service Ticket",
			"reference_name": other.name,
			"description": "遗留待办",
		}
	).insert(ignore_permissions=True)
	assert broken_by(before, other.name) == ["one_todo_per_assignment"]


def test_a_closed_ticket_reopened_gives_its_technician_the_todo_back():
	ticket = force_state(at_work(), "Awaiting Revisit")
	record_revisit(ticket, AGENT, solved=True)  # a solved revisit closes the ticket
	ticket = frappe.get_doc("Service Ticket", ticket.name)
	if ticket.status != CLOSED:
		ticket = move_to_category(ticket, CLOSED, as_user=AGENT)
	assert ticket.status == CLOSED
	assert open_todos(ticket) == []
	ticket = move_to_category(frappe.get_doc("Service Ticket", ticket.name), IN_PROGRESS, as_user=AGENT)
	assert open_todos(ticket) == [TECH]


def test_a_gap_in_the_status_log_is_found():
	ticket = at_work()
	before = counts()
	force_state(ticket, "On Hold")  # the state moved with no log row
	assert broken_by(before, ticket.name) == ["status_log_chains"]


def test_a_payment_confirmed_without_its_entry_is_found():
	ticket = awaiting_payment()
	payment = collect(ticket, 300)
	as_user(FINANCE, payment_api.confirm_payment, payment.name)
	before = counts()
	entry = frappe.db.get_value("Service Payment", payment.name, "payment_entry")
	frappe.db.set_value("Payment Entry", entry, "docstatus", 2, update_modified=False)
	assert broken_by(before, payment.name) == ["payments_have_entries"]


def test_a_return_step_without_its_document_is_found():
	from aftersales_app.tests.test_returns import authorised, sell, step

	ret = authorised(sell("INV-RETURN-0001"))
	ret = step(AGENT, "receive", ret.name)
	before = counts()
	assert ret.name not in before["returns_have_documents"][1]
	frappe.db.set_value("Delivery Note", ret.receipt_document, "docstatus", 2, update_modified=False)
	assert broken_by(before, ret.name) == ["returns_have_documents"]


def test_the_check_speaks_both_languages_and_fails_on_a_breach(capsys):
	ticket = at_work()
	frappe.db.set_value("Service Ticket", ticket.name, "charge_amount", 99, update_modified=False)
	lang = frappe.local.lang
	try:
		with pytest.raises(SystemExit) as exit:
			invariants.check()
	finally:
		frappe.local.lang = lang
	assert exit.value.code == 1
	out = capsys.readouterr().out
	print(out)
	assert "不成立" in out and "每张工单的金额都与其发票和回款一致" in out  # the site's language
	assert "BROKEN (" in out and "Every ticket's amounts are its invoice's and its payments'" in out
	assert ticket.name in out
