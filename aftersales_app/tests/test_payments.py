"""Collecting (回款) and finance's confirmation (财务确认) on the real site: installments, the Payment
Entries ERPNext books, rejection, reversal, two confirmations at once, who may confirm, and amounts
that are refused."""

import multiprocessing
import time

import pytest
from freezegun import freeze_time

import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days, flt, getdate, nowdate

from aftersales_app.api import payment as api
from aftersales_app.core.exceptions import PaymentAmountError, PaymentStateError
from aftersales_app.tests import world
from aftersales_app.tests.utils import (
	as_user,
	record_revisit,
	remove_ticket_and_money,
	returned_ticket,
	site_paths,
)

SITE, SITES_PATH = site_paths()

TECH = world.TECH
AGENT = world.AGENT
FINANCE = world.FINANCE


def cash() -> str:
	return frappe.db.get_value("Mode of Payment", {"type": "Cash"}, "name")


def wechat() -> str:
	return frappe.db.get_value(
		"Mode of Payment", {"mode_of_payment": ("in", ["微信支付", "WeChat Pay"])}, "name"
	)


def awaiting_payment(**values):
	"""A charged ticket (1100 = compressor 800 + 2 h labour 240 + call-out 60) the customer
	confirmed: it waits for payment."""
	ticket = returned_ticket(**values)
	as_user(AGENT, apply_workflow, ticket, "确认解决")
	ticket.reload()
	assert ticket.status == "Awaiting Payment"
	return ticket


def collect(ticket, amount, user=TECH, mode=None, **values):
	return as_user(
		user,
		lambda: frappe.get_doc(
			{
				"doctype": "Service Payment",
				"service_ticket": ticket.name,
				"amount": amount,
				"mode_of_payment": mode or cash(),
				"collected_on": nowdate(),
				**values,
			}
		).insert(),
	)


def payment_entries(invoice: str) -> list:
	return frappe.get_all(
		"Payment Entry Reference",
		filters={"reference_doctype": "Sales Invoice", "reference_name": invoice, "docstatus": 1},
		pluck="parent",
	)


def status(ticket) -> str:
	return frappe.db.get_value("Service Ticket", ticket.name, "status")


def test_three_installments_move_the_ticket_only_after_the_last():
	ticket = awaiting_payment()
	assert ticket.outstanding_amount == 1100
	first = collect(ticket, 300, remarks="定金")
	assert (first.installment_no, first.status, first.collected_by) == (1, "Unconfirmed", TECH)
	assert status(ticket) == "Payment Submitted"
	second = collect(ticket, 300, mode=wechat(), reference_no="4200001234567890")
	third = collect(ticket, 500, user=AGENT)
	assert [p.installment_no for p in (first, second, third)] == [1, 2, 3]

	as_user(FINANCE, api.confirm_payment, first.name)
	assert status(ticket) == "Payment Submitted"  # two still wait for finance
	as_user(FINANCE, api.confirm_payment, second.name)
	assert status(ticket) == "Payment Submitted"
	answer = as_user(FINANCE, api.confirm_payment, third.name)
	assert answer["status"] == "Confirmed" and status(ticket) == "Awaiting Revisit"

	ticket.reload()
	invoice = frappe.get_doc("Sales Invoice", ticket.charge_invoice)
	assert invoice.docstatus == 1 and flt(invoice.outstanding_amount) == 0 and invoice.status == "Paid"
	assert (ticket.paid_amount, ticket.outstanding_amount, ticket.unconfirmed_amount) == (1100, 0, 0)
	entries = payment_entries(invoice.name)
	assert len(entries) == 3
	wechat_entry = frappe.get_doc(
		"Payment Entry", frappe.db.get_value("Service Payment", second.name, "payment_entry")
	)
	assert (wechat_entry.mode_of_payment, wechat_entry.reference_no, flt(wechat_entry.paid_amount)) == (
		wechat(),
		"4200001234567890",
		300,
	)
	assert wechat_entry.party == ticket.customer and wechat_entry.service_payment == second.name
	log = frappe.get_all(
		"Service Ticket Status Log",
		filters={"ticket": ticket.name},
		fields=["to_category", "changed_by"],
		order_by="creation",
	)
	assert log[-1] == {"to_category": "Awaiting Revisit", "changed_by": FINANCE}


@pytest.mark.parametrize("settlement", ["Pay on Site", "Deposit and Balance"])
def test_a_draft_invoice_of_an_earlier_day_is_booked_on_the_day_of_confirmation(settlement):
	"""ERPNext dates an invoice on the day it is submitted: the due dates move with it."""
	settings = frappe.get_single("After-Sales Settings")
	settings.set(
		"settlement_rules", [{"settlement": settlement, "deposit_percentage": 30, "balance_due_days": 10}]
	)
	settings.save()
	price = frappe.qb.DocType("Item Price")  # the demo's prices hold from the day it was loaded
	frappe.qb.update(price).set(price.valid_from, add_days(nowdate(), -30)).run()
	with freeze_time(add_days(nowdate(), -3) + " 23:59:58.123456", tick=True):
		ticket = awaiting_payment()
		payment = collect(ticket, 1100)
		drafted = frappe.db.get_value("Sales Invoice", ticket.charge_invoice, "posting_date")
	as_user(FINANCE, api.confirm_payment, payment.name)
	invoice = frappe.get_doc("Sales Invoice", ticket.charge_invoice)
	assert getdate(drafted) < getdate(invoice.posting_date) == getdate(nowdate())
	assert invoice.status == "Paid"
	assert [getdate(row.due_date) for row in invoice.payment_schedule][-1] == getdate(
		add_days(invoice.posting_date, 10 if settlement == "Deposit and Balance" else 0)
	)
	assert status(ticket) == "Awaiting Revisit"


def test_partly_paid_goes_back_to_awaiting_payment_showing_the_outstanding():
	ticket = awaiting_payment()
	payment = collect(ticket, 400)
	as_user(FINANCE, api.confirm_payment, payment.name)
	ticket.reload()
	assert ticket.status == "Awaiting Payment" and ticket.outstanding_amount == 700
	assert api.charges(ticket.name)["to_collect"] == 700


def test_rejection_sends_the_payment_back_with_its_reason():
	ticket = awaiting_payment()
	payment = collect(ticket, 1100, mode=wechat(), reference_no="错误单号")
	with pytest.raises(frappe.MandatoryError):
		as_user(FINANCE, api.reject_payment, payment.name, "  ")
	as_user(FINANCE, api.reject_payment, payment.name, "微信账单中查无此笔")
	payment.reload()
	assert (payment.status, payment.rejection_reason, payment.rejected_by) == (
		"Rejected",
		"微信账单中查无此笔",
		FINANCE,
	)
	assert status(ticket) == "Awaiting Payment"
	assert not payment_entries(ticket.reload().charge_invoice)
	with pytest.raises(PaymentStateError):  # a rejected payment is not confirmed
		as_user(FINANCE, api.confirm_payment, payment.name)

	payment.reference_no = "4200009999999999"
	as_user(TECH, payment.save)
	as_user(TECH, api.resubmit_payment, payment.name)
	assert status(ticket) == "Payment Submitted"
	as_user(FINANCE, api.confirm_payment, payment.name)
	assert status(ticket) == "Awaiting Revisit"


def test_cancelled_payment_entry_puts_payment_and_ticket_back():
	ticket = awaiting_payment()
	payment = collect(ticket, 1100)
	as_user(FINANCE, api.confirm_payment, payment.name)
	assert status(ticket) == "Awaiting Revisit"
	entry = frappe.get_doc(
		"Payment Entry", frappe.db.get_value("Service Payment", payment.name, "payment_entry")
	)
	as_user(FINANCE, entry.cancel)
	payment.reload()
	assert (payment.status, payment.payment_entry) == ("Unconfirmed", None)
	ticket.reload()
	assert ticket.status == "Awaiting Payment" and ticket.outstanding_amount == 1100
	# finance confirms it again: a new Payment Entry, the ticket moves on
	as_user(FINANCE, api.confirm_payment, payment.name)
	assert status(ticket) == "Awaiting Revisit"
	assert len(payment_entries(ticket.charge_invoice)) == 1


def test_reversal_while_still_collecting_keeps_the_ticket_collecting():
	ticket = awaiting_payment()
	first = collect(ticket, 400)
	as_user(FINANCE, api.confirm_payment, first.name)
	assert status(ticket) == "Awaiting Payment"  # 700 outstanding
	entry = frappe.get_doc(
		"Payment Entry", frappe.db.get_value("Service Payment", first.name, "payment_entry")
	)
	entry.cancel()
	assert frappe.db.get_value("Service Payment", first.name, "status") == "Unconfirmed"
	assert status(ticket) == "Awaiting Payment"
	assert frappe.db.get_value("Service Ticket", ticket.name, "outstanding_amount") == 1100


def test_reversal_reopens_a_closed_tickets_payment():
	ticket = awaiting_payment()
	payment = collect(ticket, 1100)
	as_user(FINANCE, api.confirm_payment, payment.name)
	record_revisit(ticket.reload(), AGENT)  # the revisit call closes it
	assert status(ticket) == "Closed"
	entry = frappe.get_doc(
		"Payment Entry", frappe.db.get_value("Service Payment", payment.name, "payment_entry")
	)
	entry.cancel()
	assert status(ticket) == "Awaiting Payment"


def test_a_payment_entry_made_in_erpnext_counts_too():
	"""Finance books a bank receipt straight against the charge invoice, without a Service Payment."""
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

	ticket = awaiting_payment()
	invoice = frappe.get_doc("Sales Invoice", ticket.charge_invoice)
	invoice.submit()
	entry = get_payment_entry("Sales Invoice", invoice.name)
	entry.update({"reference_no": "BANK-0001", "reference_date": nowdate()})
	entry.insert()
	entry.submit()
	ticket.reload()
	assert (ticket.status, ticket.outstanding_amount, ticket.paid_amount) == ("Awaiting Revisit", 0, 1100)
	entry.cancel()
	ticket.reload()
	assert (ticket.status, ticket.outstanding_amount) == ("Awaiting Payment", 1100)


def test_technician_cannot_confirm_or_reject_and_nothing_is_written():
	ticket = awaiting_payment()
	payment = collect(ticket, 1100)
	before = frappe.db.count("Payment Entry")
	with pytest.raises(frappe.PermissionError):
		as_user(TECH, api.confirm_payment, payment.name)
	with pytest.raises(frappe.PermissionError):
		as_user(TECH, api.reject_payment, payment.name, "我自己退回")
	with pytest.raises(frappe.PermissionError):
		as_user(AGENT, api.confirm_payment, payment.name)
	payment.status = "Confirmed"  # nor by saving the form
	with pytest.raises(PaymentStateError):
		as_user(TECH, payment.save)
	assert frappe.db.count("Payment Entry") == before
	assert frappe.db.get_value("Service Payment", payment.name, "status") == "Unconfirmed"
	assert frappe.db.get_value("Sales Invoice", ticket.charge_invoice, "docstatus") == 0
	assert status(ticket) == "Payment Submitted"


def test_technician_sees_only_payments_of_their_tickets():
	ticket = awaiting_payment()
	payment = collect(ticket, 100)
	other = world.TECH_B
	assert payment.name in as_user(TECH, frappe.get_list, "Service Payment", pluck="name")
	assert payment.name not in as_user(other, frappe.get_list, "Service Payment", pluck="name")
	with pytest.raises(frappe.PermissionError):
		as_user(other, lambda: frappe.get_doc("Service Payment", payment.name).check_permission("read"))
	with pytest.raises(frappe.PermissionError):  # nor collect on a ticket that is not theirs
		collect(ticket, 100, user=other)


@pytest.mark.parametrize("amount", [0, -50, 1100.01, 5000])
def test_bad_amounts_are_refused_with_a_clear_message_and_nothing_written(amount):
	ticket = awaiting_payment()
	before = frappe.db.count("Service Payment", {"service_ticket": ticket.name})
	frappe.local.lang = "zh"
	try:
		with pytest.raises(PaymentAmountError) as refused:
			collect(ticket, amount)
	finally:
		frappe.local.lang = "en"
	message = str(refused.value)
	assert ("大于零" in message) if amount <= 0 else ("仍待收取" in message and "1,100.00" in message)
	assert frappe.db.count("Service Payment", {"service_ticket": ticket.name}) == before
	assert status(ticket) == "Awaiting Payment"


def test_payments_waiting_count_against_what_is_left_to_collect():
	ticket = awaiting_payment()
	collect(ticket, 1000)
	with pytest.raises(PaymentAmountError):
		collect(ticket, 200)  # 1000 waits for finance: 100 is left
	collect(ticket, 100)


def test_nothing_is_collected_for_a_free_ticket():
	ticket = returned_ticket(serial_no=world.SERIAL_IN)  # under warranty, nothing marked not covered
	with pytest.raises(PaymentStateError):
		collect(ticket, 100)


@pytest.fixture
def ticket_awaiting_payment():
	ticket = awaiting_payment()
	frappe.db.commit()
	yield ticket
	frappe.db.rollback()
	remove_ticket_and_money(ticket.name)


def test_two_collectors_recording_at_once_cannot_exceed_the_outstanding(ticket_awaiting_payment):
	from aftersales_app.tests.workers import record_payment

	ticket = ticket_awaiting_payment
	start_at = time.time() + 4
	with multiprocessing.get_context("spawn").Pool(2) as pool:
		results = pool.starmap(
			record_payment, [(SITE, str(SITES_PATH), ticket.name, 800, u, start_at) for u in (TECH, AGENT)]
		)
	assert sorted(results) == ["PaymentAmountError", "recorded"]
	frappe.db.rollback()
	assert frappe.db.get_value("Service Ticket", ticket.name, "unconfirmed_amount") == 800


def test_two_collectors_recording_what_fits_both_get_recorded(ticket_awaiting_payment):
	from aftersales_app.tests.workers import record_payment

	ticket = ticket_awaiting_payment
	start_at = time.time() + 4
	with multiprocessing.get_context("spawn").Pool(2) as pool:
		results = pool.starmap(
			record_payment, [(SITE, str(SITES_PATH), ticket.name, 500, u, start_at) for u in (TECH, AGENT)]
		)
	assert results == ["recorded", "recorded"]
	frappe.db.rollback()
	assert frappe.db.get_value("Service Ticket", ticket.name, ["status", "unconfirmed_amount"]) == (
		"Payment Submitted",
		1000,
	)
	# numbered under the ticket's lock too: one after the other
	installments = frappe.get_all("Service Payment", {"service_ticket": ticket.name}, pluck="installment_no")
	assert sorted(installments) == [1, 2]


@pytest.fixture
def two_installments():
	ticket = awaiting_payment()
	payments = [collect(ticket, 300), collect(ticket, 800, user=AGENT)]
	invoice = frappe.get_doc("Sales Invoice", ticket.charge_invoice)
	invoice.submit()
	frappe.db.commit()
	yield ticket, payments
	frappe.db.rollback()
	remove_ticket_and_money(ticket.name)


def test_two_installments_confirmed_at_once_book_both(two_installments):
	"""Two finance users confirm the two installments of one ticket at the same instant: both are
	booked, the invoice is paid and the ticket moves on (each confirmation reads the other's)."""
	from aftersales_app.tests.workers import confirm_payment

	ticket, payments = two_installments
	start_at = time.time() + 4
	with multiprocessing.get_context("spawn").Pool(2) as pool:
		results = pool.starmap(
			confirm_payment, [(SITE, str(SITES_PATH), p.name, FINANCE, start_at) for p in payments]
		)
	assert results == ["confirmed", "confirmed"]
	frappe.db.rollback()
	invoice = frappe.get_doc("Sales Invoice", ticket.charge_invoice)
	assert (flt(invoice.outstanding_amount), invoice.status) == (0, "Paid")
	assert frappe.db.get_value("Service Ticket", ticket.name, ["status", "outstanding_amount"]) == (
		"Awaiting Revisit",
		0,
	)


@pytest.fixture
def submitted_payment():
	ticket = awaiting_payment()
	payment = collect(ticket, 1100)
	frappe.db.commit()
	yield ticket, payment
	frappe.db.rollback()
	remove_ticket_and_money(ticket.name)


def test_two_confirmations_at_once_make_one_payment_entry(submitted_payment):
	from aftersales_app.tests.workers import confirm_payment

	ticket, payment = submitted_payment
	users = [FINANCE, FINANCE, "Administrator", FINANCE]  # a double click and a second finance user
	start_at = time.time() + 4
	with multiprocessing.get_context("spawn").Pool(len(users)) as pool:
		results = pool.starmap(
			confirm_payment, [(SITE, str(SITES_PATH), payment.name, u, start_at) for u in users]
		)
	assert sorted(results) == ["PaymentStateError"] * 3 + ["confirmed"]
	frappe.db.rollback()  # see the workers' commits
	assert (
		len(frappe.get_all("Payment Entry", filters={"service_payment": payment.name, "docstatus": 1})) == 1
	)
	assert frappe.db.get_value("Service Payment", payment.name, "status") == "Confirmed"
	assert frappe.db.get_value("Service Ticket", ticket.name, "status") == "Awaiting Revisit"


@pytest.fixture
def ticket_without_invoice():
	"""A charged ticket waiting for the customer whose draft charge invoice was deleted."""
	ticket = returned_ticket()
	frappe.delete_doc("Sales Invoice", ticket.charge_invoice, force=True)
	frappe.db.commit()
	yield ticket.reload()
	frappe.db.rollback()
	remove_ticket_and_money(ticket.name)


def test_a_double_click_on_make_charge_invoice_makes_one_invoice(ticket_without_invoice):
	from aftersales_app.tests.workers import make_charge_invoice

	ticket = ticket_without_invoice
	assert not ticket.charge_invoice
	start_at = time.time() + 4
	with multiprocessing.get_context("spawn").Pool(2) as pool:
		results = pool.starmap(
			make_charge_invoice, [(SITE, str(SITES_PATH), ticket.name, u, start_at) for u in (AGENT, AGENT)]
		)
	frappe.db.rollback()
	invoices = frappe.get_all("Sales Invoice", filters={"service_ticket": ticket.name}, pluck="name")
	assert len(invoices) == 1 and results == invoices * 2  # the second click rebuilt the first's draft
	assert frappe.db.get_value("Service Ticket", ticket.name, "charge_invoice") == invoices[0]


def test_a_form_opened_before_a_payment_does_not_write_old_amounts_back():
	"""Amounts change without touching the ticket's `modified` (they follow the money): a form
	loaded before still saves, and what it sends for them is ignored."""
	ticket = awaiting_payment()
	collect(ticket, 300)
	stale = frappe.get_doc("Service Ticket", ticket.name)  # finance opens the ticket
	assert stale.unconfirmed_amount == 300
	collect(ticket, 200, user=AGENT)  # another installment is recorded meanwhile
	stale.diagnosis = "财务备注"
	as_user(FINANCE, stale.save)
	assert frappe.db.get_value(
		"Service Ticket", ticket.name, ["diagnosis", "unconfirmed_amount", "outstanding_amount"]
	) == ("财务备注", 500, 1100)


def test_reports_show_the_queue_confirmed_totals_and_cash_held():
	from aftersales_app.billing.report.cash_held_by_technician import cash_held_by_technician as held
	from aftersales_app.billing.report.confirmed_service_payments import (
		confirmed_service_payments as confirmed,
	)
	from aftersales_app.billing.report.service_payments_awaiting_confirmation import (
		service_payments_awaiting_confirmation as awaiting,
	)

	def held_by(collector):
		row = next((r for r in held.execute({})[1] if r.collected_by == collector), None)
		return (row.unconfirmed_amount, row.rejected_amount) if row else (0, 0)

	before = {user: held_by(user) for user in (TECH, AGENT)}  # the demo's payments count too
	ticket = awaiting_payment()
	in_hand = collect(ticket, 300)  # cash, by the technician
	by_wechat = collect(ticket, 200, mode=wechat(), reference_no="4200000000000001")
	returned = collect(ticket, 600, user=AGENT)  # cash, by the service desk
	as_user(FINANCE, api.confirm_payment, by_wechat.name)
	as_user(FINANCE, api.reject_payment, returned.name, "金额与收据不符")

	_columns, queue, _message, chart = awaiting.execute({"customer": ticket.customer})
	mine = [row for row in queue if row["service_ticket"] == ticket.name]
	assert [row["name"] for row in mine] == [in_hand.name] and mine[0]["waiting_hours"] >= 0
	# the chart sums each age bucket (the demo's older payments fall into later ones)
	buckets = dict(zip(chart["data"]["labels"], chart["data"]["datasets"][0]["values"], strict=True))
	assert buckets[mine[0]["age"]] == sum(row["amount"] for row in queue if row["age"] == mine[0]["age"])
	assert sum(buckets.values()) == sum(row["amount"] for row in queue)

	_columns, totals, _message, _chart = confirmed.execute(
		{"from_date": nowdate(), "to_date": nowdate(), "period": "Daily"}
	)
	assert [(row.mode_of_payment, row.payments, row.amount) for row in totals] == [(wechat(), 1, 200)]
	_columns, monthly, *_rest = confirmed.execute(
		{"from_date": nowdate(), "to_date": nowdate(), "period": "Monthly"}
	)
	assert monthly[0].period == nowdate()[:7]

	assert held_by(TECH) == (before[TECH][0] + 300, before[TECH][1])
	assert held_by(AGENT) == (before[AGENT][0], before[AGENT][1] + 600)
	assert next(r for r in held.execute({})[1] if r.collected_by == TECH).technician_name == world.TECH_NAME


def test_customer_sees_the_amounts_due_and_a_guest_does_not():
	from aftersales_app.api import portal as portal_api
	from aftersales_app.portal import lookup

	ticket = awaiting_payment()
	as_user(FINANCE, api.confirm_payment, collect(ticket, 300).name)
	collect(ticket, 200)
	view = as_user(world.PORTAL_USER, portal_api.get_ticket, ticket.name)
	charges = view["charges"]
	assert [line.item for line in charges.lines] == [world.PART_NAME, "工时费", "上门服务费"]
	assert "1,100.00" in charges.total and "300.00" in charges.paid
	assert "200.00" in charges.waiting and "800.00" in charges.outstanding and not charges.settled
	assert charges.settlement == "现场付款" or charges.settlement == "Pay on Site"

	found = lookup.find_ticket_by_number_and_phone(ticket.name, ticket.contact_phone)
	guest = lookup.guest_view(found)
	assert "charges" not in guest and "1,100" not in frappe.as_json(guest)

	free = returned_ticket(serial_no=world.SERIAL_IN)  # under warranty
	assert as_user(world.PORTAL_USER, portal_api.get_ticket, free.name)["charges"] is None


def test_finance_reads_the_customer_and_type_of_a_ticket():
	"""Customer details are at permission level 1 (technicians cannot change them); finance reads
	them to know whose money it confirms."""
	ticket = awaiting_payment()
	row = as_user(FINANCE, frappe.get_list, "Service Ticket", filters={"name": ticket.name}, fields=["*"])[0]
	assert (row.customer, row.ticket_type, row.contact_phone) == (
		ticket.customer,
		ticket.ticket_type,
		ticket.contact_phone,
	)


def test_finance_hears_of_a_payment_and_the_collector_of_its_rejection():
	from aftersales_app.notifications import events

	ticket = awaiting_payment()
	payment = collect(ticket, 100)
	finance = events.finance(payment, {})
	assert FINANCE in finance and TECH not in finance

	def told(event):
		return frappe.get_all(
			"After-Sales Message",
			filters={"reference_name": payment.name, "event": event},
			pluck="recipient",
		)

	assert sorted(told("payment_submitted")) == sorted(finance)
	as_user(FINANCE, api.reject_payment, payment.name, "金额不符")
	assert told("payment_rejected") == [TECH]
	as_user(TECH, api.resubmit_payment, payment.name)
	assert sorted(told("payment_submitted")) == sorted(finance * 2)  # submitted again: told again
