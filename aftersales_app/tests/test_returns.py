"""Returns and exchanges (退换货) on ERPNext's documents: a sold, serial-numbered unit comes back
into the returns warehouse against its delivery, is inspected, and is refunded with a credit note
against its invoice and a Payment Entry finance confirms, or exchanged for another unit, or sent
back; each step once and in order, by the roles that may take it; the ticket does not end while
its return is in progress; the portal shows the steps."""

import pytest

import frappe
from frappe.utils import add_days, flt, nowdate

from aftersales_app.api import returns as returns_api
from aftersales_app.core.exceptions import ReturnStepError
from aftersales_app.returns import steps as returns
from aftersales_app.tests import world
from aftersales_app.tests.utils import as_user, force_state, make_stock, make_ticket, return_without_sale
from aftersales_app.tickets.status import CANCELLED, IN_PROGRESS, move_to_category

AGENT, FINANCE, TECH = world.AGENT, world.FINANCE, world.TECH
RATE = 3000


def receive_into_stock(serial_no: str, item_code: str = world.PRODUCT) -> str:
	"""A serial-numbered unit received into saleable stock; returns the warehouse."""
	return make_stock(item_code, 1, rate=1500, serial_no=serial_no)


def cash_mode(company: str) -> str:
	return frappe.db.get_value(
		"Mode of Payment Account", {"company": company, "default_account": ("is", "set")}, "parent"
	)


def sell(serial_no: str, customer: str = world.CUSTOMER, paid: bool = True) -> frappe._dict:
	"""The unit delivered to the customer (Delivery Note), invoiced from the delivery and, when
	`paid`, paid in full (Payment Entry)."""
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry
	from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_invoice

	warehouse = receive_into_stock(serial_no)
	company = frappe.db.get_value("Warehouse", warehouse, "company")
	delivery = frappe.get_doc(
		{
			"doctype": "Delivery Note",
			"customer": customer,
			"company": company,
			"items": [
				{
					"item_code": world.PRODUCT,
					"qty": 1,
					"rate": RATE,
					"warehouse": warehouse,
					"serial_no": serial_no,
					"use_serial_batch_fields": 1,
				}
			],
		}
	).insert(ignore_permissions=True)
	delivery.submit()
	invoice = make_sales_invoice(delivery.name)
	invoice.insert(ignore_permissions=True)
	invoice.submit()
	if paid:
		entry = get_payment_entry("Sales Invoice", invoice.name)
		entry.mode_of_payment = cash_mode(company)
		entry.reference_no, entry.reference_date = "PAID", nowdate()
		entry.insert(ignore_permissions=True).submit()
	return frappe._dict(
		serial_no=serial_no,
		delivery=delivery.name,
		invoice=invoice.name,
		payment=entry.name if paid else None,
		company=company,
		warehouse=warehouse,
	)


def return_ticket(sale, ticket_type: str = "Product Return"):
	ticket = make_ticket(subject="退货：空调异响", serial_no=sale.serial_no, ticket_type=ticket_type)
	return force_state(ticket, IN_PROGRESS)


def authorised(sale, return_type: str = "Refund", **values):
	ticket = return_ticket(sale, "Product Return" if return_type == "Refund" else "Product Exchange")
	answer = as_user(
		AGENT,
		returns_api.authorise,
		ticket=ticket.name,
		return_type=return_type,
		reason="Quality Problem",
		condition_expected="Like New",
		**values,
	)
	return frappe.get_doc("Service Return", answer["name"])


def step(user: str, method: str, name: str, **args):
	as_user(user, getattr(returns_api, method), name=name, **args)
	return frappe.get_doc("Service Return", name)


def refunded(ret, sale):
	"""The return received, inspected (passed), its refund asked for and confirmed by finance."""
	for method, args in (("receive", {}), ("inspect", {"result": "Passed"}), ("request_refund", {})):
		ret = step(AGENT, method, ret.name, **args)
	return step(FINANCE, "confirm_refund", ret.name, mode_of_payment=cash_mode(sale.company))


def steps_of(doc) -> list[str]:
	return [row.step for row in frappe.get_doc("Service Return", doc.name).steps]


def stock_in(voucher: str, warehouse: str) -> float:
	return flt(
		frappe.db.get_value(
			"Stock Ledger Entry",
			{"voucher_no": voucher, "warehouse": warehouse, "is_cancelled": 0},
			"sum(actual_qty)",
		)
	)


def returns_warehouse() -> str:
	return frappe.db.get_single_value("After-Sales Settings", "returns_warehouse")


def test_a_return_from_receipt_to_credit_note_with_its_stock_and_ledger_entries():
	sale = sell("RET-REFUND-0001")
	ret = authorised(sale)
	# the RMA number, and the original delivery and invoice found from the serial number's sale
	assert ret.name.startswith("RMA-") and ret.status == returns.AUTHORISED
	assert (ret.original_delivery_note, ret.original_sales_invoice) == (sale.delivery, sale.invoice)
	assert (ret.customer, ret.item_code, ret.qty) == (world.CUSTOMER, world.PRODUCT, 1)

	# the customer asks for a courier, then gives the carrier's tracking number on the portal
	as_user(world.PORTAL_USER, returns_api.request_pickup, ret.name, "测试路 1 号", add_days(nowdate(), 1))
	as_user(world.PORTAL_USER, returns_api.record_shipment, ret.name, "顺丰速运", "SF1234567890")

	ret = step(AGENT, "receive", ret.name)
	assert ret.status == returns.RECEIVED and ret.receipt_doctype == "Delivery Note"
	receipt = frappe.get_doc("Delivery Note", ret.receipt_document)
	assert (receipt.is_return, receipt.return_against, receipt.docstatus) == (1, sale.delivery, 1)
	assert stock_in(receipt.name, returns_warehouse()) == 1  # one unit into the returns warehouse
	serial = frappe.db.get_value(
		"Serial No", sale.serial_no, ["status", "warehouse", "customer"], as_dict=True
	)
	assert (serial.status, serial.warehouse, serial.customer) == ("Active", returns_warehouse(), None)

	ret = step(AGENT, "inspect", ret.name, result="Passed", condition_found="Like New")
	ret = step(AGENT, "request_refund", ret.name)
	credit = frappe.get_doc("Sales Invoice", ret.credit_note)
	assert (credit.is_return, credit.return_against, credit.docstatus) == (1, sale.invoice, 0)
	assert [(row.item_code, row.qty) for row in credit.items] == [(world.PRODUCT, -1)]
	assert ret.refund_amount == flt(credit.rounded_total or credit.grand_total) * -1 > 0

	ret = step(FINANCE, "confirm_refund", ret.name, mode_of_payment=cash_mode(sale.company))
	assert ret.status == returns.REFUNDED and ret.refund_entry
	credit.reload()
	entry = frappe.get_doc("Payment Entry", ret.refund_entry)
	assert (credit.docstatus, entry.docstatus, entry.payment_type) == (1, 1, "Pay")
	assert entry.paid_amount == ret.refund_amount
	assert [(r.reference_name, r.allocated_amount) for r in entry.references] == [
		(credit.name, -ret.refund_amount)
	]
	assert flt(frappe.db.get_value("Sales Invoice", credit.name, "outstanding_amount")) == 0
	# the customer's receivable: invoiced, paid, credited and refunded nets to nothing
	receivable = frappe.get_all(
		"GL Entry",
		filters={
			"party": world.CUSTOMER,
			"voucher_no": ("in", [sale.invoice, sale.payment, credit.name, entry.name]),
			"is_cancelled": 0,
		},
		fields=["voucher_no", "debit", "credit"],
	)
	assert {r.voucher_no for r in receivable} == {sale.invoice, sale.payment, credit.name, entry.name}
	assert sum(flt(r.debit) - flt(r.credit) for r in receivable) == 0
	assert steps_of(ret) == [
		*("Authorised", "Pickup Requested", "Shipped", "Received", "Inspected"),
		*("Refund Requested", "Refunded"),
	]
	# the customer sees the steps, the carrier and tracking number on the portal
	[view] = returns.portal_view(ret.service_ticket)
	assert (view.status, view.carrier, view.tracking_no) == ("Refunded", "顺丰速运", "SF1234567890")
	assert [s.step for s in view.steps][-1] == "Refunded"


def test_a_refund_of_an_unpaid_invoice_reduces_what_is_owed_and_pays_nothing_out():
	sale = sell("RET-UNPAID-0001", paid=False)
	ret = authorised(sale)
	ret = refunded(ret, sale)
	assert ret.status == returns.REFUNDED and not ret.refund_entry
	assert flt(frappe.db.get_value("Sales Invoice", sale.invoice, "outstanding_amount")) == 0


def test_an_exchange_delivers_the_replacement_and_swaps_the_serial_numbers():
	sale = sell("RET-EXCH-0001")
	receive_into_stock("RET-EXCH-0002")
	ret = authorised(sale, "Exchange")
	ret = step(AGENT, "receive", ret.name)
	ret = step(AGENT, "inspect", ret.name, result="Passed")
	with pytest.raises(ReturnStepError):  # a unit of the returns warehouse is no replacement
		step(AGENT, "exchange", ret.name, replacement_serial_no=sale.serial_no)
	ret = step(AGENT, "exchange", ret.name, replacement_serial_no="RET-EXCH-0002")
	assert ret.status == returns.EXCHANGED
	delivery = frappe.get_doc("Delivery Note", ret.replacement_delivery)
	assert (delivery.docstatus, delivery.customer, flt(delivery.grand_total)) == (1, world.CUSTOMER, 0)
	new = frappe.db.get_value("Serial No", "RET-EXCH-0002", ["status", "customer"], as_dict=True)
	old = frappe.db.get_value("Serial No", sale.serial_no, ["status", "warehouse"], as_dict=True)
	assert (new.status, new.customer) == ("Delivered", world.CUSTOMER)
	assert (old.status, old.warehouse) == ("Active", returns_warehouse())  # returned, not saleable stock
	ticket = frappe.db.get_value(
		"Service Ticket", ret.service_ticket, ["faulty_serial_no", "replacement_serial_no"], as_dict=True
	)
	assert (ticket.faulty_serial_no, ticket.replacement_serial_no) == (sale.serial_no, "RET-EXCH-0002")
	assert steps_of(ret)[-1] == "Exchanged"


def test_a_failed_inspection_sends_the_goods_back():
	sale = sell("RET-FAIL-0001")
	ret = authorised(sale)
	ret = step(AGENT, "receive", ret.name)
	with pytest.raises(ReturnStepError):  # a failure says why
		step(AGENT, "inspect", ret.name, result="Failed")
	ret = step(AGENT, "inspect", ret.name, result="Failed", notes="外壳人为损坏")
	with pytest.raises(ReturnStepError):
		step(AGENT, "request_refund", ret.name)
	ret = step(AGENT, "send_back", ret.name)
	assert ret.status == returns.SENT_BACK
	serial = frappe.db.get_value("Serial No", sale.serial_no, ["status", "customer"], as_dict=True)
	assert (serial.status, serial.customer) == ("Delivered", world.CUSTOMER)


def counts() -> dict:
	return {
		doctype: frappe.db.count(doctype)
		for doctype in (
			"Delivery Note",
			"Stock Entry",
			"Sales Invoice",
			"Payment Entry",
			"Stock Ledger Entry",
		)
	}


def test_a_step_cannot_be_skipped_or_done_twice_and_a_refusal_writes_nothing():
	sale = sell("RET-ORDER-0001")
	ret = authorised(sale)
	before = counts()
	for method, args in (
		("inspect", {"result": "Passed"}),
		("request_refund", {}),
		("send_back", {}),
		("exchange", {"replacement_serial_no": "X"}),
	):
		with pytest.raises(ReturnStepError):
			step(AGENT, method, ret.name, **args)
	with pytest.raises(ReturnStepError):
		step(FINANCE, "confirm_refund", ret.name, mode_of_payment=cash_mode(sale.company))
	assert counts() == before and steps_of(ret) == ["Authorised"]

	ret = step(AGENT, "receive", ret.name)
	after_receipt = counts()
	with pytest.raises(ReturnStepError):
		step(AGENT, "receive", ret.name)  # the second click
	assert counts() == after_receipt
	ret = step(AGENT, "inspect", ret.name, result="Passed")
	with pytest.raises(ReturnStepError):  # inspected once
		step(AGENT, "inspect", ret.name, result="Failed", notes="再验")
	with pytest.raises(ReturnStepError):  # a refund is not exchanged
		step(AGENT, "exchange", ret.name, replacement_serial_no="X")
	ret = step(AGENT, "request_refund", ret.name)
	with pytest.raises(ReturnStepError):  # one credit note
		step(AGENT, "request_refund", ret.name)
	ret = step(FINANCE, "confirm_refund", ret.name, mode_of_payment=cash_mode(sale.company))
	done = counts()
	with pytest.raises(ReturnStepError):
		step(FINANCE, "confirm_refund", ret.name, mode_of_payment=cash_mode(sale.company))
	assert counts() == done
	assert frappe.db.count("Payment Entry", {"reference_no": ret.name}) == 1
	with pytest.raises(ReturnStepError):  # a refunded return is not cancelled
		step(AGENT, "cancel", ret.name)


def test_one_return_in_progress_per_ticket_and_the_ticket_waits_for_it():
	sale = sell("RET-TICKET-0001")
	ret = authorised(sale)
	ticket = frappe.get_doc("Service Ticket", ret.service_ticket)
	with pytest.raises(ReturnStepError):
		as_user(
			AGENT,
			returns_api.authorise,
			ticket=ticket.name,
			reason="Quality Problem",
			condition_expected="Used",
			return_type="Refund",
		)
	with pytest.raises(ReturnStepError):  # cancelled while its return waits for the goods
		move_to_category(ticket, CANCELLED, as_user=AGENT)
	assert frappe.db.get_value("Service Ticket", ticket.name, "status") == IN_PROGRESS
	step(AGENT, "cancel", ret.name, note="客户撤回")
	ticket = move_to_category(frappe.get_doc("Service Ticket", ticket.name), CANCELLED, as_user=AGENT)
	assert ticket.status == CANCELLED


def test_who_may_take_each_step():
	sale = sell("RET-ROLES-0001")
	ret = authorised(sale)
	ticket = ret.service_ticket
	with pytest.raises(frappe.PermissionError):  # a technician does not authorise
		as_user(
			TECH,
			returns_api.authorise,
			ticket=ticket,
			reason="Quality Problem",
			condition_expected="Used",
		)
	with pytest.raises(frappe.PermissionError):  # nor receive goods
		step(TECH, "receive", ret.name)
	with pytest.raises(frappe.DoesNotExistError):  # another customer's portal user
		as_user(world.PORTAL_USER_B, returns_api.record_shipment, ret.name, "顺丰", "SF0")
	ret = step(AGENT, "receive", ret.name)
	with pytest.raises(frappe.PermissionError):  # a technician not on the ticket
		step(TECH, "inspect", ret.name, result="Passed")
	frappe.db.set_value("Service Ticket", ticket, "assigned_technician", TECH)
	ret = step(TECH, "inspect", ret.name, result="Passed")  # the ticket's technician inspects
	ret = step(AGENT, "request_refund", ret.name)
	with pytest.raises(frappe.PermissionError):  # customer service does not pay money out
		step(AGENT, "confirm_refund", ret.name, mode_of_payment=cash_mode(sale.company))
	# nobody writes a step's result by editing the return
	doc = frappe.get_doc("Service Return", ret.name)
	doc.status = returns.REFUNDED
	with pytest.raises(ReturnStepError):
		as_user(AGENT, doc.save)
	doc = frappe.get_doc("Service Return", ret.name)
	doc.append("steps", {"step": "Refunded", "on": frappe.utils.now_datetime()})
	as_user(AGENT, doc.save)  # the client's step row is dropped
	assert steps_of(ret)[-1] == "Refund Requested"

	# nor makes one without the ticket's action: no role may create one by hand, and a save that
	# skips permissions (an Administrator's script) is refused too
	def by_hand():
		return frappe.get_doc(
			{
				"doctype": "Service Return",
				"service_ticket": ticket,
				"return_type": "Refund",
				"reason": "Quality Problem",
				"condition_expected": "Used",
				"item_code": world.PRODUCT,
				"status": "Refunded",
			}
		)

	with pytest.raises(frappe.PermissionError):
		as_user(AGENT, by_hand().insert)
	with pytest.raises(ReturnStepError):
		by_hand().insert(ignore_permissions=True)
	# the ticket's technician reads the return; another technician and customers do not
	assert as_user(TECH, frappe.get_list, "Service Return", filters={"name": ret.name}, pluck="name") == [
		ret.name
	]
	assert (
		as_user(world.TECH_B, frappe.get_list, "Service Return", filters={"name": ret.name}, pluck="name")
		== []
	)
	assert not as_user(world.TECH_B, frappe.has_permission, "Service Return", "read", ret.name)
	with pytest.raises(frappe.PermissionError):
		as_user(world.PORTAL_USER, frappe.get_list, "Service Return", filters={"name": ret.name})


def test_a_return_without_a_sale_in_erpnext_is_received_by_material_receipt_and_cannot_be_refunded():
	ret = step(AGENT, "receive", return_without_sale())
	assert ret.receipt_doctype == "Stock Entry"
	assert stock_in(ret.receipt_document, returns_warehouse()) == 1
	ret = step(AGENT, "inspect", ret.name, result="Passed")
	with pytest.raises(ReturnStepError):
		step(AGENT, "request_refund", ret.name)
	assert frappe.get_doc("Service Return", ret.name).status == returns.INSPECTED


def test_the_customer_follows_the_return_on_the_portal_and_nobody_else_does():
	from aftersales_app.api import portal as portal_api

	sale = sell("RET-PORTAL-0001")
	ret = authorised(sale)
	as_user(world.PORTAL_USER, returns_api.record_shipment, ret.name, "中通快递", "ZT998877")
	page = as_user(world.PORTAL_USER, portal_api.get_ticket, ret.service_ticket)
	[view] = page["returns"]
	assert (view.name, view.status, view.tracking_no, view.can_ship) == (
		ret.name,
		"Authorised",
		"ZT998877",
		True,
	)
	assert [s.step for s in view.steps] == ["Authorised", "Shipped"]
	assert "by" not in view.steps[0]  # who took a step stays inside the company
	with pytest.raises(frappe.PermissionError):
		as_user(world.PORTAL_USER_B, portal_api.get_ticket, ret.service_ticket)
	step(AGENT, "receive", ret.name)
	with pytest.raises(ReturnStepError):  # the portal's forms close once the goods are received
		as_user(world.PORTAL_USER, returns_api.record_shipment, ret.name, "中通快递", "ZT0")
	assert not as_user(world.PORTAL_USER, portal_api.get_ticket, ret.service_ticket)["returns"][0].can_ship


def test_the_returns_report_shows_each_step_and_its_documents():
	from aftersales_app.returns.report.returns_and_exchanges import returns_and_exchanges as report

	sale = sell("RET-REPORT-0001")
	ret = authorised(sale)
	ret = refunded(ret, sale)
	columns, rows, _message, chart = as_user(AGENT, report.execute, {"customer": world.CUSTOMER})
	[row] = [r for r in rows if r.name == ret.name]
	assert (row.status, row.credit_note, row.refund_entry) == ("Refunded", ret.credit_note, ret.refund_entry)
	assert row.refund_amount == ret.refund_amount and row.days_to_close == 0
	assert chart and {c["fieldname"] for c in columns} >= {"received_on", "days_to_receive", "tracking_no"}
	# a technician sees only the returns of their own tickets
	assert as_user(world.TECH_B, report.execute, {"customer": world.CUSTOMER})[1] == []


def test_the_customer_hears_each_step_once_and_finance_hears_of_the_refund():
	from aftersales_app.notifications.setup import make_notifications

	make_notifications()  # the test site's Notifications of the return events
	sale = sell("RET-NEWS-0001")
	ret = authorised(sale)
	ret = refunded(ret, sale)

	def told(event):
		return frappe.get_all(
			"After-Sales Message",
			filters={"reference_doctype": "Service Return", "reference_name": ret.name, "event": event},
			fields=["recipient", "channel", "message"],
		)

	lang = frappe.db.get_single_value("System Settings", "language")
	news = told("return_step")
	per_step = {
		step_name: len(
			[m for m in news if frappe._(step_name, lang=lang, context="Service Return") in m.message]
		)
		for step_name in ("Authorised", "Received", "Refunded")
	}
	assert news and set(per_step.values()) == {len(news) // 3}, per_step  # each step told once
	assert len(news) == 3 * per_step["Authorised"]  # and nothing else (inspection, refund request)
	finance = told("refund_requested")
	finance_users = frappe.get_all(
		"Has Role", filters={"role": ("in", ["Accounts User", "Accounts Manager"])}, pluck="parent"
	)
	assert finance and {m.recipient for m in finance} <= set(finance_users)
	assert all(ret.credit_note in m.message for m in finance)
