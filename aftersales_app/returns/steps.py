"""Returns and exchanges (退换货) on ERPNext's own documents.

A Service Return belongs to a ticket and walks these steps, each once and in this order:

    Authorised ─ receive ─▶ Received ─ inspect ─▶ Inspected ─┬─ (passed, refund) request_refund ─▶
    Refund Requested ─ confirm_refund (finance) ─▶ Refunded
                                                              ├─ (passed, exchange) exchange ─▶ Exchanged
                                                              └─ (failed) send_back ─▶ Sent Back
    Authorised ─ cancel ─▶ Cancelled

- authorise: the return authorisation (RMA number, reason, condition expected); the original
  delivery and invoice are found from the serial number's sale when not given;
- receive: the goods come back into the returns warehouse (After-Sales Settings) with a return
  Delivery Note against the original delivery, or a Material Receipt where there is none;
- inspect: passed or failed, the condition found and notes;
- request_refund: a draft credit note against the original Sales Invoice (ERPNext's
  make_sales_return, the returned lines only); confirm_refund: finance submits it and pays the
  money out with a Payment Entry (none when the credit only reduces what the customer still owed);
- exchange: the replacement is delivered free of charge (a Delivery Note at 100% discount) and
  the ticket records the faulty and the replacement serial numbers;
- send_back: a failed return goes back to the customer with a Delivery Note.

Each step locks the return's row, checks its status and writes its ERPNext document, the return
and a row of its step log in one savepoint: a refused or failed step writes nothing, a second
click finds the step done and is refused. Customers ask for a courier pickup or give the carrier
and tracking number of their own shipment while the return is authorised.
"""

import frappe
from frappe import _
from frappe.query_builder import Order
from frappe.utils import flt, getdate, now_datetime, nowdate

from aftersales_app.core import locks, roles
from aftersales_app.core.app_fields import app_action
from aftersales_app.core.exceptions import ReturnStepError
from aftersales_app.core.text import escape
from aftersales_app.field_service.visits import stock_entry_type
from aftersales_app.notifications.notify import notify
from aftersales_app.tickets.status import FINAL_CATEGORIES

DOCTYPE = "Service Return"

# statuses
AUTHORISED, RECEIVED, INSPECTED = "Authorised", "Received", "Inspected"
REFUND_REQUESTED, REFUNDED, EXCHANGED = "Refund Requested", "Refunded", "Exchanged"
SENT_BACK, CANCELLED = "Sent Back", "Cancelled"
FINAL = (REFUNDED, EXCHANGED, SENT_BACK, CANCELLED)
# steps logged besides the statuses
PICKUP_REQUESTED, SHIPPED = "Pickup Requested", "Shipped"
REFUND, EXCHANGE = "Refund", "Exchange"
PASSED, FAILED = "Passed", "Failed"
# the shipped ticket types and the return they make by default (aftersales_app.tickets.setup.ticket_types)
TYPE_OF_TICKET = {"Product Return": REFUND, "Product Exchange": EXCHANGE}


# --- the steps ----------------------------------------------------------------------------------


def authorise(ticket_name: str, return_type: str, reason: str, condition_expected: str, **values):
	"""Authorise the return of the ticket's product: one return in progress per ticket."""
	locks.lock("Service Ticket", ticket_name)
	ticket = frappe.get_doc("Service Ticket", ticket_name)
	if ticket.status in FINAL_CATEGORIES:
		frappe.throw(
			_("Ticket {0} is {1}: a return is authorised while the ticket is open").format(
				frappe.bold(ticket.name), _(ticket.status)
			),
			ReturnStepError,
		)
	open_return = open_return_of(ticket.name)
	if open_return:
		frappe.throw(
			_("Ticket {0} already has return {1} in progress").format(
				frappe.bold(ticket.name), frappe.bold(open_return)
			),
			ReturnStepError,
		)
	serial_no = values.get("serial_no") or ticket.serial_no
	item_code = values.get("item_code") or ticket.item_code
	if serial_no:
		item_code = frappe.db.get_value("Serial No", serial_no, "item_code") or item_code
	delivery, invoice = values.get("original_delivery_note"), values.get("original_sales_invoice")
	if serial_no and not (delivery or invoice):
		delivery, invoice = original_sale(serial_no, ticket.customer)
	doc = frappe.get_doc(
		{
			"doctype": DOCTYPE,
			"service_ticket": ticket.name,
			"return_type": return_type or TYPE_OF_TICKET.get(ticket.ticket_type),
			"reason": reason,
			"condition_expected": condition_expected,
			"reason_detail": values.get("reason_detail"),
			"item_code": item_code,
			"serial_no": serial_no,
			"qty": 1 if serial_no else flt(values.get("qty")) or 1,
			"original_delivery_note": delivery,
			"original_sales_invoice": invoice,
			"status": AUTHORISED,
			"authorised_on": now_datetime(),
			"authorised_by": frappe.session.user,
		}
	)
	with locks.all_or_nothing("return_authorise"), app_action(doc):
		log_step(doc, AUTHORISED, note=site_text(reason, "Service Return"))
		doc.insert(ignore_permissions=True)
	tell_ticket(
		doc, _("Return {0} authorised ({1}): {2}").format(doc.name, _(doc.return_type), _(reason)), AUTHORISED
	)
	return doc


def request_pickup(name: str, address: str, pickup_date: str):
	"""The customer asks for a courier to collect the goods (once, while authorised)."""
	doc = locked(name)
	require_status(doc, (AUTHORISED,), _("a courier pickup"))
	if doc.pickup_requested:
		frappe.throw(
			_("A courier pickup of return {0} is already requested").format(doc.name), ReturnStepError
		)
	address = (address or "").strip()
	if not address:
		frappe.throw(_("Give the address the courier collects the goods from"), ReturnStepError)
	if not pickup_date or getdate(pickup_date) < getdate(nowdate()):
		frappe.throw(_("Choose a pickup date from today on"), ReturnStepError)
	doc.update({"pickup_requested": 1, "pickup_address": address, "pickup_date": getdate(pickup_date)})
	with locks.all_or_nothing("return_pickup"):
		log_step(doc, PICKUP_REQUESTED, note=site_text("Pickup on {0}").format(getdate(pickup_date)))
		save(doc)
	return doc


def record_shipment(name: str, carrier: str, tracking_no: str):
	"""The carrier and tracking number of the goods on their way back: shipped once per return.
	The same shipment told again is answered as the first time and writes nothing; another one is
	refused for the customer, while customer service corrects it (while authorised) in the one
	Shipped step, which adds no step and tells nobody."""
	doc = locked(name)
	require_status(doc, (AUTHORISED,), _("recording the shipment"))
	carrier, tracking_no = (carrier or "").strip(), (tracking_no or "").strip()
	if not carrier or not tracking_no:
		frappe.throw(_("Give both the carrier and the tracking number"), ReturnStepError)
	shipped = next((row for row in doc.steps if row.step == SHIPPED), None)
	if shipped or doc.tracking_no:
		if (doc.carrier or "", doc.tracking_no or "") == (carrier, tracking_no):
			return doc  # a second click, or the same form sent twice
		if not roles.has_any(roles.DISPATCHERS):
			frappe.throw(
				_(
					"The shipment of return {0} is recorded already ({1} {2}): ask customer service to correct it"
				).format(frappe.bold(doc.name), escape(doc.carrier), escape(doc.tracking_no)),
				ReturnStepError,
			)
	doc.update({"carrier": carrier, "tracking_no": tracking_no})
	with locks.all_or_nothing("return_shipment"):
		if shipped:
			shipped.note = f"{carrier} {tracking_no}"
		else:
			log_step(doc, SHIPPED, note=f"{carrier} {tracking_no}")
		save(doc)
	return doc


def receive(name: str):
	"""The goods arrive in the returns warehouse: a return Delivery Note against the original
	delivery, or a Material Receipt when the sale has none."""
	doc = locked(name)
	require_status(doc, (AUTHORISED,), _("receiving the goods"))
	warehouse = frappe.db.get_single_value("After-Sales Settings", "returns_warehouse")
	if not warehouse:
		frappe.throw(_("Set the returns warehouse in After-Sales Settings"), ReturnStepError)
	with locks.all_or_nothing("return_receive"):
		receipt = (
			_return_delivery(doc, warehouse)
			if doc.original_delivery_note
			else _material_receipt(doc, warehouse)
		)
		doc.update(
			{
				"status": RECEIVED,
				"returns_warehouse": warehouse,
				"receipt_doctype": receipt.doctype,
				"receipt_document": receipt.name,
				"received_on": now_datetime(),
				"received_by": frappe.session.user,
			}
		)
		log_step(doc, RECEIVED, receipt.doctype, receipt.name)
		save(doc)
	tell_ticket(
		doc,
		_("Return {0}: goods received ({1} {2})").format(doc.name, _(receipt.doctype), receipt.name),
		RECEIVED,
	)
	return doc


def inspect(name: str, result: str, condition_found: str | None = None, notes: str | None = None):
	"""The received goods inspected: passed (refund or exchange follows) or failed (sent back)."""
	doc = locked(name)
	require_status(doc, (RECEIVED,), _("the inspection"))
	if result not in (PASSED, FAILED):
		frappe.throw(_("The inspection result is Passed or Failed"), ReturnStepError)
	if result == FAILED and not (notes or "").strip():
		frappe.throw(_("Write why the inspection failed"), ReturnStepError)
	doc.update(
		{
			"status": INSPECTED,
			"inspection_result": result,
			"condition_found": condition_found,
			"inspection_notes": notes,
			"inspected_on": now_datetime(),
			"inspected_by": frappe.session.user,
		}
	)
	with locks.all_or_nothing("return_inspect"):
		log_step(doc, INSPECTED, note=site_text(result, "Service Return"))
		save(doc)
	tell_ticket(doc, _("Return {0}: inspection {1}").format(doc.name, _(result)))
	return doc


def request_refund(name: str):
	"""A draft credit note against the original Sales Invoice for the returned lines; finance
	confirms it (confirm_refund)."""
	from erpnext.accounts.doctype.sales_invoice.sales_invoice import make_sales_return

	doc = locked(name)
	require_status(doc, (INSPECTED,), _("a refund"))
	_require_passed(doc, REFUND)
	invoice = doc.original_sales_invoice
	if not invoice or frappe.db.get_value("Sales Invoice", invoice, "docstatus") != 1:
		frappe.throw(
			_(
				"Return {0} has no submitted original Sales Invoice to credit: exchange the goods instead"
			).format(doc.name),
			ReturnStepError,
		)
	credit = make_sales_return(invoice, _permitted("Sales Invoice"))
	lines = [row for row in credit.items if row.item_code == doc.item_code]
	if not lines:
		frappe.throw(
			_("Sales Invoice {0} did not sell {1}").format(frappe.bold(invoice), frappe.bold(doc.item_code)),
			ReturnStepError,
		)
	line = lines[0]
	line.qty = -flt(doc.qty)
	line.serial_no, line.serial_and_batch_bundle = None, None
	credit.set("items", [line])
	credit.update_stock = 0  # the goods came back with the receipt
	# the credit reduces what the customer still owes first; ERPNext keeps it on the credit note
	# (money to pay out) when it is more than that
	credit.update_outstanding_for_self = 0
	credit.remarks = _("Refund of return {0} (ticket {1})").format(doc.name, doc.service_ticket)
	credit.flags.ignore_permissions = True
	with locks.all_or_nothing("return_refund"):
		credit.insert()
		doc.update(
			{
				"status": REFUND_REQUESTED,
				"credit_note": credit.name,
				"refund_amount": abs(flt(credit.rounded_total) or flt(credit.grand_total)),
			}
		)
		log_step(doc, REFUND_REQUESTED, "Sales Invoice", credit.name)
		save(doc)
	notify(
		doc,
		"refund_requested",
		credit.name,
		amount=frappe.utils.fmt_money(doc.refund_amount, currency=credit.currency),
	)
	return doc


def confirm_refund(name: str, mode_of_payment: str):
	"""Finance books the refund: the credit note submitted and, when the customer had paid, the
	money paid out with a Payment Entry against it. Once: a second confirmation is refused."""
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry
	from erpnext.accounts.doctype.sales_invoice.sales_invoice import get_bank_cash_account

	doc = locked(name)
	require_status(doc, (REFUND_REQUESTED,), _("confirming the refund"))
	credit = frappe.get_doc("Sales Invoice", doc.credit_note)
	if credit.docstatus == 2:
		frappe.throw(
			_("Credit note {0} is cancelled: ask for the refund again").format(frappe.bold(credit.name)),
			ReturnStepError,
		)
	if not mode_of_payment or not frappe.db.exists("Mode of Payment", mode_of_payment):
		frappe.throw(_("Choose the mode of payment the refund is paid with"), ReturnStepError)
	with locks.all_or_nothing("return_confirm_refund"):
		if credit.docstatus == 0:
			credit.flags.ignore_permissions = True
			credit.submit()
		entry = None
		owed = -flt(frappe.db.get_value("Sales Invoice", credit.name, "outstanding_amount"))
		if owed > 0.005:
			account = get_bank_cash_account(mode_of_payment, credit.company)["account"]
			entry = get_payment_entry("Sales Invoice", credit.name, bank_account=account)
			entry.mode_of_payment = mode_of_payment
			entry.reference_no = doc.name
			entry.reference_date = nowdate()
			entry.remarks = _("Refund of return {0} (ticket {1})").format(doc.name, doc.service_ticket)
			entry.flags.ignore_permissions = True
			entry.insert()
			entry.submit()
		doc.update(
			{
				"status": REFUNDED,
				"refund_entry": entry.name if entry else None,
				"refund_mode_of_payment": mode_of_payment,
				"refunded_on": now_datetime(),
				"refund_confirmed_by": frappe.session.user,
			}
		)
		log_step(
			doc,
			REFUNDED,
			*(("Payment Entry", entry.name) if entry else ("Sales Invoice", credit.name)),
			note=None
			if entry
			else site_text("Credited against invoice {0}").format(doc.original_sales_invoice),
		)
		save(doc)
	tell_ticket(
		doc,
		_("Return {0}: {1} refunded").format(doc.name, frappe.format(doc.refund_amount, "Currency")),
		REFUNDED,
	)
	return doc


def exchange(name: str, replacement_serial_no: str | None = None, warehouse: str | None = None):
	"""Deliver the replacement free of charge; the ticket records the faulty and the replacement
	serial numbers (the returned unit stays in the returns warehouse)."""
	doc = locked(name)
	require_status(doc, (INSPECTED,), _("the exchange"))
	_require_passed(doc, EXCHANGE)
	company = _company(doc)
	if doc.serial_no:
		if not replacement_serial_no:
			frappe.throw(_("Choose the replacement serial number"), ReturnStepError)
		unit = frappe.db.get_value(
			"Serial No",
			replacement_serial_no,
			["item_code", "status", "warehouse", "company"],
			as_dict=True,
		)
		returns_warehouse = frappe.db.get_single_value("After-Sales Settings", "returns_warehouse")
		if (
			not unit
			or unit.item_code != doc.item_code
			or unit.status != "Active"
			or not unit.warehouse
			or unit.warehouse == returns_warehouse
			or unit.company != company
		):
			frappe.throw(
				_("Serial number {0} is not a {1} in stock that can replace {2}").format(
					frappe.bold(replacement_serial_no or ""),
					frappe.bold(doc.item_code),
					frappe.bold(doc.serial_no),
				),
				ReturnStepError,
			)
		warehouse = unit.warehouse
	elif not warehouse:
		warehouse = frappe.db.get_single_value("Stock Settings", "default_warehouse")
	with locks.all_or_nothing("return_exchange"):
		delivery = _free_delivery(doc, company, warehouse, replacement_serial_no, _("Replacement"))
		doc.update(
			{
				"status": EXCHANGED,
				"replacement_serial_no": replacement_serial_no,
				"replacement_delivery": delivery.name,
				"exchanged_on": now_datetime(),
			}
		)
		log_step(doc, EXCHANGED, "Delivery Note", delivery.name, note=replacement_serial_no)
		save(doc)
		if doc.serial_no:
			frappe.db.set_value(
				"Service Ticket",
				doc.service_ticket,
				{"faulty_serial_no": doc.serial_no, "replacement_serial_no": replacement_serial_no},
			)
	tell_ticket(
		doc,
		_("Return {0}: replacement delivered ({1})").format(doc.name, replacement_serial_no or delivery.name),
		EXCHANGED,
	)
	return doc


def send_back(name: str):
	"""A return that failed inspection goes back to the customer as it came."""
	doc = locked(name)
	require_status(doc, (INSPECTED,), _("sending the goods back"))
	if doc.inspection_result != FAILED:
		frappe.throw(
			_("Return {0} passed inspection: refund or exchange it").format(doc.name), ReturnStepError
		)
	with locks.all_or_nothing("return_send_back"):
		delivery = _free_delivery(doc, _company(doc), doc.returns_warehouse, doc.serial_no, _("Sent back"))
		doc.update({"status": SENT_BACK, "send_back_delivery": delivery.name, "sent_back_on": now_datetime()})
		log_step(doc, SENT_BACK, "Delivery Note", delivery.name)
		save(doc)
	tell_ticket(doc, _("Return {0}: goods sent back to the customer").format(doc.name), SENT_BACK)
	return doc


def cancel(name: str, note: str | None = None):
	"""Withdraw an authorisation before the goods arrive."""
	doc = locked(name)
	require_status(doc, (AUTHORISED,), _("cancelling"))
	doc.status = CANCELLED
	with locks.all_or_nothing("return_cancel"):
		log_step(doc, CANCELLED, note=note)
		save(doc)
	return doc


# --- ERPNext's documents ------------------------------------------------------------------------


def original_sale(serial_no: str, customer: str | None = None) -> tuple[str | None, str | None]:
	"""(Delivery Note, Sales Invoice) that last sold the serial number to the customer, read from
	ERPNext's serial and batch bundles; (None, None) when it was not sold through ERPNext."""
	entry, bundle = frappe.qb.DocType("Serial and Batch Entry"), frappe.qb.DocType("Serial and Batch Bundle")
	rows = (
		frappe.qb.from_(entry)
		.join(bundle)
		.on(bundle.name == entry.parent)
		.select(bundle.voucher_type, bundle.voucher_no)
		.where(
			(entry.serial_no == serial_no)
			& (bundle.type_of_transaction == "Outward")
			& bundle.voucher_type.isin(["Delivery Note", "Sales Invoice"])
			& (bundle.docstatus == 1)
			& (bundle.is_cancelled == 0)
		)
		.orderby(bundle.posting_date, order=Order.desc)
		.orderby(bundle.creation, order=Order.desc)
		.limit(1)
		.run(as_dict=True)
	)
	if not rows:
		return None, None
	voucher_type, voucher = rows[0].voucher_type, rows[0].voucher_no
	if customer and frappe.db.get_value(voucher_type, voucher, "customer") != customer:
		return None, None
	if voucher_type == "Sales Invoice":
		return None, voucher
	invoice = frappe.db.get_value(
		"Sales Invoice Item", {"delivery_note": voucher, "docstatus": 1}, "parent", order_by="creation desc"
	)
	return voucher, invoice


def _return_delivery(doc, warehouse: str):
	from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_return

	delivery = make_sales_return(doc.original_delivery_note, _permitted("Delivery Note"))
	lines = [row for row in delivery.items if row.item_code == doc.item_code]
	if not lines:
		frappe.throw(
			_("Delivery Note {0} did not deliver {1}").format(
				frappe.bold(doc.original_delivery_note), frappe.bold(doc.item_code)
			),
			ReturnStepError,
		)
	line = lines[0]
	line.qty = -flt(doc.qty)
	line.warehouse = warehouse
	if doc.serial_no:
		line.serial_no, line.serial_and_batch_bundle, line.use_serial_batch_fields = doc.serial_no, None, 1
	delivery.set("items", [line])
	delivery.set_warehouse = warehouse
	delivery.remarks = _("Goods of return {0} (ticket {1})").format(doc.name, doc.service_ticket)
	delivery.flags.ignore_permissions = True
	delivery.insert()
	delivery.submit()
	return delivery


def _material_receipt(doc, warehouse: str):
	company = _company(doc)
	cost_center, adjustment = frappe.get_cached_value(
		"Company", company, ["cost_center", "stock_adjustment_account"]
	)
	rate = flt(frappe.db.get_value("Item", doc.item_code, "valuation_rate"))
	entry = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"purpose": "Material Receipt",
			"stock_entry_type": stock_entry_type("Material Receipt"),
			"company": company,
			"remarks": _("Goods of return {0} (ticket {1})").format(doc.name, doc.service_ticket),
			"items": [
				{
					"item_code": doc.item_code,
					"t_warehouse": warehouse,
					"qty": flt(doc.qty),
					"basic_rate": rate,
					"allow_zero_valuation_rate": 0 if rate else 1,
					"serial_no": doc.serial_no,
					"use_serial_batch_fields": 1 if doc.serial_no else 0,
					"conversion_factor": 1,
					"cost_center": cost_center,
					"expense_account": adjustment,
				}
			],
		}
	)
	entry.flags.ignore_permissions = True
	entry.insert()
	entry.submit()
	return entry


def _free_delivery(doc, company: str, warehouse: str, serial_no: str | None, what: str):
	"""A Delivery Note of the return's item to its customer at no charge (100% discount)."""
	delivery = frappe.get_doc(
		{
			"doctype": "Delivery Note",
			"customer": doc.customer,
			"company": company,
			"set_warehouse": warehouse,
			"remarks": _("{0} of return {1} (ticket {2})").format(what, doc.name, doc.service_ticket),
			"items": [
				{
					"item_code": doc.item_code,
					"qty": flt(doc.qty),
					"warehouse": warehouse,
					"serial_no": serial_no,
					"use_serial_batch_fields": 1 if serial_no else 0,
					"discount_percentage": 100,
				}
			],
		}
	)
	delivery.flags.ignore_permissions = True
	delivery.insert()
	delivery.submit()
	return delivery


def _permitted(doctype: str):
	"""The new document ERPNext's return mapping fills: the step's own checks stand for the user's
	right to create it (as for a visit's stock entry), reading the original still needs theirs."""
	doc = frappe.new_doc(doctype)
	doc.flags.ignore_permissions = True
	return doc


def _company(doc) -> str:
	return frappe.db.get_value("Service Ticket", doc.service_ticket, "company") or (
		frappe.defaults.get_global_default("company")
	)


# --- the return's record ----------------------------------------------------------------------------


def locked(name: str):
	if not locks.lock(DOCTYPE, name):
		frappe.throw(_("Return {0} not found").format(name), frappe.DoesNotExistError)
	return frappe.get_doc(DOCTYPE, name)


def require_status(doc, allowed: tuple, what: str):
	"""Refuse a step out of order or done already, naming the return's status."""
	if doc.status not in allowed:
		frappe.throw(
			_("Return {0} is {1}: {2} is not possible now").format(
				frappe.bold(doc.name), _(doc.status), what
			),
			ReturnStepError,
		)


def _require_passed(doc, return_type: str):
	if doc.inspection_result != PASSED:
		frappe.throw(_("Return {0} failed inspection: send the goods back").format(doc.name), ReturnStepError)
	if doc.return_type != return_type:
		frappe.throw(
			_("Return {0} is a {1}, not a {2}").format(doc.name, _(doc.return_type), _(return_type)),
			ReturnStepError,
		)


def log_step(doc, step: str, document_type: str | None = None, document: str | None = None, note=None):
	doc.append(
		"steps",
		{
			"step": step,
			"on": now_datetime(),
			"by": frappe.session.user,
			"document_type": document_type,
			"document": document,
			"note": note,
		},
	)


def site_text(message: str, context: str | None = None) -> str:
	"""A note kept on the return in the site's language, whoever took the step."""
	return _(message, lang=frappe.db.get_single_value("System Settings", "language"), context=context)


def save(doc):
	with app_action(doc):
		doc.save(ignore_permissions=True)


def tell_ticket(doc, text: str, step: str | None = None):
	"""The step on the ticket's timeline, and (`step`) to the customer on their channel
	(aftersales_app.notifications.notify, event return_step: once per return and step)."""
	frappe.get_doc("Service Ticket", doc.service_ticket).add_comment("Info", escape(text))
	if step:
		notify(doc, "return_step", step, step=site_text(step, "Service Return"))


def open_return_of(ticket: str) -> str | None:
	return frappe.db.get_value(DOCTYPE, {"service_ticket": ticket, "status": ("not in", FINAL)}, "name")


def on_ticket_validate(ticket, method=None):
	"""Service Ticket validate: a ticket moving to an end state may not leave a return open."""
	if ticket.state_changed() and ticket.status in FINAL_CATEGORIES:
		check_ticket_may_end(ticket)


def check_ticket_may_end(ticket):
	"""A ticket does not close, reject or cancel while its return is in progress."""
	open_return = open_return_of(ticket.name) if not ticket.is_new() else None
	if open_return:
		frappe.throw(
			_("Ticket {0} has return {1} in progress: finish or cancel the return first").format(
				frappe.bold(ticket.name), frappe.bold(open_return)
			),
			ReturnStepError,
		)


def portal_view(ticket: str) -> list[frappe._dict]:
	"""The ticket's returns as its customer sees them: number, type, status, shipping and steps
	(who took a step is the company's business, not the customer's). Read without the return's
	DocType rights, which customers lack: the caller has checked the ticket itself."""
	rows = frappe.get_all(
		DOCTYPE,
		filters={"service_ticket": ticket},
		fields=[
			"name",
			"return_type",
			"status",
			"reason",
			"pickup_requested",
			"pickup_date",
			"carrier",
			"tracking_no",
			"refund_amount",
			"replacement_serial_no",
		],
		order_by="creation",
	)
	for row in rows:
		row.can_ship = row.status == AUTHORISED
		row.steps = frappe.get_all(
			"Service Return Step",
			filters={"parent": row.name, "parenttype": DOCTYPE},
			fields=["step", "on"],
			order_by="idx",
		)
	return rows
