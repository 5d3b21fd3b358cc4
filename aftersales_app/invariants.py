"""What must hold on any site, whatever happened to it (a process killed, the database restarted, a
backup restored, an upgrade): the invariant check anyone can run.

    bench --site SITE execute aftersales_app.invariants.check

prints each invariant, in the site's language and in English, with how many rows break it and a
few of them, and exits with status 1 when one is broken. Each invariant is one query over the
whole site (a count and a handful of examples), so the check runs at a million tickets as at ten:

- every ticket's status is its workflow state's category (After-Sales Settings);
- every ticket's amounts are ERPNext's: the charge is its invoice's total, the outstanding amount
  a submitted invoice's own, the confirmed and unconfirmed amounts those of its payments;
- an assigned ticket at work has one open ToDo, its technician's; no one else has an open one but
  a colleague asked to take it over; a closed, rejected or cancelled ticket has none;
- the status log chains without gaps: each row leaves the state the previous one reached, the
  first starts the ticket, the last reached the ticket's state;
- no payment is confirmed without its submitted Payment Entry, and no Payment Entry made for a
  payment is submitted while the payment is not confirmed;
- every step a return took stands on its submitted ERPNext document (receipt, credit note and
  refund, replacement or send-back delivery).
"""

import sys

from pypika import analytics as an

import frappe
from frappe import _
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import Abs, Coalesce, Count, Sum

from aftersales_app.tickets.status import AWAITING_ACCEPTANCE, FINAL_CATEGORIES, OPEN_CATEGORIES, state_map

EXAMPLES = 5
CENT = 0.005


def status_follows_state() -> tuple[int, list]:
	ticket = DocType("Service Ticket")
	pairs = (
		frappe.qb.from_(ticket)
		.select(ticket.workflow_state, ticket.status, Count("*").as_("n"))
		.groupby(ticket.workflow_state, ticket.status)
		.run(as_dict=True)
	)
	states = state_map()
	wrong = [p for p in pairs if (states.get(p.workflow_state) or frappe._dict()).category != p.status]
	examples = []
	for pair in wrong[:EXAMPLES]:
		examples += frappe.get_all(
			"Service Ticket",
			filters={"workflow_state": pair.workflow_state, "status": pair.status},
			pluck="name",
			limit=1,
		)
	return sum(p.n for p in wrong), examples


def amounts_match_ledger() -> tuple[int, list]:
	ticket, invoice, payment = DocType("Service Ticket"), DocType("Sales Invoice"), DocType("Service Payment")
	paid = (
		frappe.qb.from_(payment)
		.select(
			payment.service_ticket,
			Sum(Case().when(payment.status == "Confirmed", payment.amount).else_(0)).as_("confirmed"),
			Sum(Case().when(payment.status == "Unconfirmed", payment.amount).else_(0)).as_("unconfirmed"),
		)
		.groupby(payment.service_ticket)
	).as_("paid")
	total = Case().when(invoice.rounded_total != 0, invoice.rounded_total).else_(invoice.grand_total)
	confirmed, unconfirmed = Coalesce(paid.confirmed, 0), Coalesce(paid.unconfirmed, 0)
	wrong = (
		# no invoice: nothing charged, nothing outstanding, the confirmed payments paid
		(invoice.name.isnull() & ((ticket.charge_amount != 0) | (ticket.outstanding_amount != 0)))
		| (invoice.name.isnotnull() & (Abs(ticket.charge_amount - total) > CENT))
		# a submitted invoice's outstanding amount is ERPNext's own
		| ((invoice.docstatus == 1) & (Abs(ticket.outstanding_amount - invoice.outstanding_amount) > CENT))
		| ((invoice.docstatus != 1) & (Abs(ticket.outstanding_amount - (total - confirmed)) > CENT))
		| (invoice.name.isnull() & (Abs(ticket.paid_amount - confirmed) > CENT))
		| (Abs(ticket.unconfirmed_amount - unconfirmed) > CENT)
	)
	query = (
		frappe.qb.from_(ticket)
		.left_join(invoice)
		.on(invoice.name == ticket.charge_invoice)
		.left_join(paid)
		.on(paid.service_ticket == ticket.name)
		.where(wrong)
	)
	return _count_and_examples(query, ticket.name)


def one_todo_per_assignment() -> tuple[int, list]:
	ticket, todo = DocType("Service Ticket"), DocType("ToDo")
	at_work = [
		c for c in OPEN_CATEGORIES if OPEN_CATEGORIES.index(c) >= OPEN_CATEGORIES.index(AWAITING_ACCEPTANCE)
	]
	open_todos = (
		frappe.qb.from_(todo)
		.select(
			todo.reference_name,
			Sum(Case().when(todo.allocated_to == ticket.assigned_technician, 1).else_(0)).as_("own"),
			Sum(
				Case()
				.when(todo.allocated_to == ticket.assigned_technician, 0)
				.when(todo.allocated_to == Coalesce(ticket.transfer_to, ""), 0)
				.else_(1)
			).as_("others"),
		)
		.join(ticket)
		.on(ticket.name == todo.reference_name)
		.where((todo.reference_type == "Service Ticket") & (todo.status == "Open"))
		.groupby(todo.reference_name)
	).as_("open_todos")
	own, others = Coalesce(open_todos.own, 0), Coalesce(open_todos.others, 0)
	query = (
		frappe.qb.from_(ticket)
		.left_join(open_todos)
		.on(open_todos.reference_name == ticket.name)
		.where(
			(ticket.status.isin(at_work) & (Coalesce(ticket.assigned_technician, "") != "") & (own != 1))
			| (ticket.status.isin(OPEN_CATEGORIES) & (others > 0))
			| (ticket.status.isin(FINAL_CATEGORIES) & (own + others > 0))
		)
	)
	return _count_and_examples(query, ticket.name)


def status_log_chains() -> tuple[int, list]:
	log, ticket = DocType("Service Ticket Status Log"), DocType("Service Ticket")
	order = (log.changed_on, log.creation, log.name)
	steps = (
		frappe.qb.from_(log).select(
			log.ticket,
			log.from_state,
			log.to_state,
			an.Lag(log.to_state).over(log.ticket).orderby(*order).as_("previous"),
			an.RowNumber().over(log.ticket).orderby(*order).as_("step"),
			an.Count(log.name).over(log.ticket).as_("steps"),
		)
	).as_("steps")
	broken_link = (steps.step > 1) & (
		steps.from_state.isnull() | (steps.from_state != Coalesce(steps.previous, ""))
	)
	first_from_somewhere = (steps.step == 1) & steps.from_state.isnotnull() & (steps.from_state != "")
	query = (
		frappe.qb.from_(steps)
		.join(ticket)
		.on(ticket.name == steps.ticket)
		.where(
			broken_link
			| first_from_somewhere
			| ((steps.step == steps.steps) & (steps.to_state != ticket.workflow_state))
		)
	)
	count, examples = _count_and_examples(query, steps.ticket, distinct=True)
	no_log = frappe.qb.from_(ticket).where(
		ticket.name.notin(frappe.qb.from_(log).select(log.ticket).distinct())
	)
	missing, missing_examples = _count_and_examples(no_log, ticket.name)
	return count + missing, (examples + missing_examples)[:EXAMPLES]


def payments_have_entries() -> tuple[int, list]:
	payment, entry = DocType("Service Payment"), DocType("Payment Entry")
	query = (
		frappe.qb.from_(payment)
		.left_join(entry)
		.on(entry.name == payment.payment_entry)
		.where(
			((payment.status == "Confirmed") & (Coalesce(entry.docstatus, 0) != 1))
			| ((payment.status != "Confirmed") & (entry.docstatus == 1))
		)
	)
	return _count_and_examples(query, payment.name)


def returns_have_documents() -> tuple[int, list]:
	"""A return's steps stand on submitted ERPNext documents: goods received by a submitted
	receipt (none before), refunded by a submitted credit note (and Payment Entry when money went
	out), exchanged or sent back by a submitted Delivery Note."""
	ret = DocType("Service Return")
	delivery, entry, credit = DocType("Delivery Note"), DocType("Stock Entry"), DocType("Sales Invoice")
	if not frappe.db.table_exists("Service Return"):
		return 0, []  # a site of a release before returns (the upgrade test reads it)
	refund, replacement, sent = DocType("Payment Entry"), DocType("Delivery Note"), DocType("Delivery Note")
	replacement, sent = replacement.as_("replacement"), sent.as_("sent")
	receipt_status = Coalesce(delivery.docstatus, entry.docstatus, 0)
	received = ret.status.notin(["Authorised", "Cancelled"])
	query = (
		frappe.qb.from_(ret)
		.left_join(delivery)
		.on((ret.receipt_doctype == "Delivery Note") & (delivery.name == ret.receipt_document))
		.left_join(entry)
		.on((ret.receipt_doctype == "Stock Entry") & (entry.name == ret.receipt_document))
		.left_join(credit)
		.on(credit.name == ret.credit_note)
		.left_join(refund)
		.on(refund.name == ret.refund_entry)
		.left_join(replacement)
		.on(replacement.name == ret.replacement_delivery)
		.left_join(sent)
		.on(sent.name == ret.send_back_delivery)
		.where(
			(received & (receipt_status != 1))
			| (~received & (Coalesce(ret.receipt_document, "") != ""))
			| ((ret.status == "Refunded") & (Coalesce(credit.docstatus, 0) != 1))
			| ((Coalesce(ret.refund_entry, "") != "") & (Coalesce(refund.docstatus, 0) != 1))
			| ((ret.status == "Exchanged") & (Coalesce(replacement.docstatus, 0) != 1))
			| ((ret.status == "Sent Back") & (Coalesce(sent.docstatus, 0) != 1))
		)
	)
	return _count_and_examples(query, ret.name)


def _count_and_examples(query, name_field, distinct: bool = False) -> tuple[int, list]:
	counted = Count(name_field).distinct() if distinct else Count("*")
	count = query.select(counted).run()[0][0]
	examples = query.select(name_field).distinct().limit(EXAMPLES).run(pluck=True) if count else []
	return count, examples


# (English title, check): the titles are translated when printed
INVARIANTS = (
	("Every ticket's status is its workflow state's category", status_follows_state),
	("Every ticket's amounts are its invoice's and its payments'", amounts_match_ledger),
	(
		"An assigned ticket at work has one open ToDo, its technician's; a finished one has none",
		one_todo_per_assignment,
	),
	("The status log chains without gaps up to the ticket's state", status_log_chains),
	(
		"No payment is confirmed without its submitted Payment Entry, nor the other way round",
		payments_have_entries,
	),
	(
		"Every step of a return stands on its submitted ERPNext document",
		returns_have_documents,
	),
)


def breaches() -> list[frappe._dict]:
	"""Each invariant: its title, how many rows break it (0: it holds) and a few of them."""
	out = []
	for title, invariant in INVARIANTS:
		count, examples = invariant()
		out.append(frappe._dict(title=title, breaches=count, examples=examples))
	return out


def both(message: str, *values, title: str | None = None) -> str:
	"""`message` (with `title` as its last value, translated too) in the site's language and in
	English; once when they are the same."""
	english = message.format(*values, *([title] if title else []))
	translated = _(message).format(*values, *([_(title)] if title else []))
	return english if translated == english else f"{translated} / {english}"


def check():
	"""Print each invariant with its result, in the site's language and in English; exit with
	status 1 when one is broken (for scripts and CI)."""
	frappe.local.lang = frappe.db.get_default("lang") or "en"  # `bench execute` speaks English
	results = breaches()
	for result in results:
		if result.breaches:
			line = both("BROKEN ({0}): {1}", result.breaches, title=result.title)
			print(f"{line} — {', '.join(result.examples)}")
		else:
			print(both("OK: {0}", title=result.title))
	broken = sum(1 for r in results if r.breaches)
	print(both("{0} of {1} invariants broken", broken, len(results)), flush=True)
	if broken:
		sys.exit(1)
