"""Charging (收费): whether a ticket is charged, what it is charged for, and the charge invoice.

A ticket's charge basis follows, in order: the agent's override (with a reason), the ticket type's
charge policy, then the warranty. Under warranty or AMC a ticket is free except the parts and the
labour marked *not covered*; out of warranty (or without proof of warranty) everything is charged.
The charge lines of the return slip (its parts, its labour hours, one call-out fee per visit made)
become a draft ERPNext Sales Invoice for the customer, priced and taxed the way ERPNext prices and
taxes any sale: the customer's price list, pricing rules, the company's tax template, and the
payment terms of the settlement that After-Sales Settings choose for the customer group and ticket
type.

Once the charge is decided (the customer confirmed it: the ticket is awaiting payment or past it;
or its charge invoice is submitted) what decided it is frozen for everyone: the charge fields
below are refused and the warranty and charge basis are kept as they were. Before that, a
correction re-flows: the draft charge invoice is rebuilt, or deleted when nothing is charged any
more. A decided charge is corrected by cancelling the invoice in ERPNext (unlink_charge_invoice)
and taking the ticket back to work (a revisit that did not solve it, or reopening it).
"""

import frappe
from frappe import _
from frappe.query_builder.functions import Coalesce, Sum
from frappe.utils import add_days, cint, date_diff, flt, nowdate
from frappe.utils.nestedset import get_ancestors_of

from aftersales_app.core.app_fields import normalise
from aftersales_app.core.exceptions import ChargeInvoiceError
from aftersales_app.core.text import escape
from aftersales_app.tickets.status import AWAITING_CUSTOMER, MONEY_CATEGORIES

COVERED_STATUSES = ("Under Warranty", "Under AMC")

# charge basis -> whether the basis itself charges everything
CHARGING_BASES = {
	"Warranty Covers": False,
	"Warranty Expired": True,
	"Free by Ticket Type": False,
	"Charged by Ticket Type": True,
	"Free by Override": False,
	"Charged by Override": True,
}


# --- the decision --------------------------------------------------------------------------------


def charge_basis(override: str | None, policy: str | None, warranty_status: str | None) -> str:
	if override == "Free":
		return "Free by Override"
	if override == "Charge":
		return "Charged by Override"
	if policy == "Always Free":
		return "Free by Ticket Type"
	if policy == "Always Charged":
		return "Charged by Ticket Type"
	return "Warranty Covers" if warranty_status in COVERED_STATUSES else "Warranty Expired"


def is_charged(basis: str, not_covered: bool = False) -> bool:
	"""Whether a line is charged: everything on a charging basis; under a covering warranty only
	what is marked not covered; nothing when the ticket type or an override makes it free."""
	if CHARGING_BASES[basis]:
		return True
	return basis == "Warranty Covers" and bool(not_covered)


def ticket_basis(ticket) -> str:
	policy = (
		frappe.get_cached_value("Service Ticket Type", ticket.ticket_type, "charge_policy")
		if ticket.ticket_type
		else None
	)
	return charge_basis(ticket.charge_override, policy, ticket.warranty_status)


def charge_lines(ticket, basis: str | None = None) -> list[frappe._dict]:
	"""The charged lines of the ticket's return slip: parts, labour hours and call-out fees."""
	basis = basis or ticket_basis(ticket)
	lines = []
	visit = frappe.get_doc("Service Visit", ticket.return_slip_visit) if ticket.return_slip_visit else None
	if visit:
		for part in visit.parts:
			if is_charged(basis, part.not_covered):
				lines.append(
					frappe._dict(
						item_code=part.item_code,
						qty=flt(part.qty),
						uom=part.uom,
						rate=flt(part.rate),
						source=visit.name,
					)
				)
	settings = frappe.get_cached_doc("After-Sales Settings")
	labour_hours = flt(ticket.labour_hours)
	if labour_hours > 0 and is_charged(basis, ticket.labour_not_covered):
		lines.append(frappe._dict(item_code=settings.labour_item, qty=labour_hours, source="labour"))
	if CHARGING_BASES[basis] and cint(settings.charge_call_out_fee) and ticket.name:
		visits = visits_made(ticket.name)
		if visits:
			lines.append(frappe._dict(item_code=settings.call_out_item, qty=visits, source="call-out"))
	return lines


def visits_made(ticket: str) -> int:
	"""Visits the technician checked in to: each one was a trip to the customer."""
	return frappe.db.count("Service Visit", {"ticket": ticket, "check_in": ("is", "set")})


def set_charging(ticket):
	"""Service Ticket validate: the charge basis and the billable flag. A ticket is billable when
	its basis charges, or when a line under a covering warranty is marked not covered."""
	if ticket.charge_override and not (ticket.charge_override_reason or "").strip():
		frappe.throw(_("Give the reason for overriding the charging"), frappe.MandatoryError)
	ticket.charge_basis = ticket_basis(ticket)
	if CHARGING_BASES[ticket.charge_basis]:
		ticket.billable = 1
	elif ticket.charge_basis == "Warranty Covers":
		ticket.billable = (
			1
			if (ticket.labour_not_covered and flt(ticket.labour_hours) > 0) or _parts_not_covered(ticket)
			else 0
		)
	else:
		ticket.billable = 0


def _parts_not_covered(ticket) -> bool:
	if not ticket.return_slip_visit:
		return False
	return bool(
		frappe.db.exists(
			"Service Visit Part",
			{"parenttype": "Service Visit", "parent": ticket.return_slip_visit, "not_covered": 1},
		)
	)


def log_override(ticket):
	"""An override is a decision someone answers for: who set it, to what, and why, on the
	ticket's timeline (Service Ticket on_update)."""
	before = ticket.get_doc_before_save()
	old_override = (before.charge_override if before else None) or ""
	old_reason = (before.charge_override_reason if before else None) or ""
	override, reason = ticket.charge_override or "", ticket.charge_override_reason or ""
	if old_override == override and (not override or old_reason == reason):
		return
	if override:
		text = _("Charging set to {0}: {1}").format(_(override, context="Service Ticket"), escape(reason))
	else:
		text = _("Charging override removed: the ticket follows its warranty and type again")
	ticket.add_comment("Info", text)


# --- the decided charge --------------------------------------------------------------------------


class ChargeFrozenError(frappe.ValidationError):
	"""A field that decides a ticket's charge was changed after the charge was decided."""


# The ticket's fields people set that decide what it is charged and to whom: the warranty (serial
# number, item, proof of purchase), the ticket type's policy, the override, and the customer and
# company the invoice is made out to (ticket_basis, charge_lines, make_charge_invoice). What the
# app derives from them (warranty status and dates, charge basis, billable) and the return slip's
# lines (labour, the visit's parts) are computed fields no client writes.
CHARGE_FIELDS = (
	"customer",
	"company",
	"serial_no",
	"item_code",
	"purchase_invoice",
	"purchase_date",
	"ticket_type",
	"charge_override",
	"charge_override_reason",
)


def frozen_by(ticket) -> str | None:
	"""Why the charge of the ticket, as stored, is decided; None while it may still change."""
	if not ticket or ticket.is_new():
		return None
	if ticket.status in MONEY_CATEGORIES:
		return _("ticket {0} is {1}").format(ticket.name, _(ticket.workflow_state))
	if (
		ticket.charge_invoice
		and frappe.db.get_value("Sales Invoice", ticket.charge_invoice, "docstatus") == 1
	):
		return _("its charge invoice {0} is submitted").format(ticket.charge_invoice)
	return None


def guard_frozen_charge(ticket) -> bool:
	"""Service Ticket validate: once the stored ticket's charge is decided, a change of a charge
	field is refused, whoever saves and however (REST, form, import, the app's own flows). Returns
	whether the charge is decided: the ticket then keeps its warranty and charge basis as stored."""
	before = None if ticket.is_new() else ticket.get_doc_before_save()
	reason = frozen_by(before)
	if not reason:
		return False
	for fieldname in CHARGE_FIELDS:
		df = ticket.meta.get_field(fieldname)
		if df and normalise(df, before.get(fieldname)) != normalise(df, ticket.get(fieldname)):
			frappe.throw(
				_(
					"{0} decides what the ticket is charged and cannot change now: {1}. To correct it, cancel the charge invoice in ERPNext and take the ticket back to work"
				).format(frappe.bold(_(df.label, context=ticket.doctype)), reason),
				ChargeFrozenError,
				title=_("Charge Decided"),
			)
	return True


# The ticket's warranty as stored: once the charge is decided, it no longer follows the serial number.
WARRANTY_FIELDS = ("warranty_status", "warranty_expiry_date", "amc_expiry_date")


def on_ticket_load(ticket, method=None):
	"""Service Ticket onload: the desk form shows what decides the charge read-only once it is
	decided."""
	ticket.set_onload("charge_frozen", bool(frozen_by(ticket)))
	ticket.set_onload("charge_fields", CHARGE_FIELDS)


def on_ticket_before_validate(ticket, method=None):
	"""Service Ticket before_validate, ahead of the ticket's own checks: what decided the charge
	stays as decided, whoever saves (the app's flows included); a change is refused as that."""
	ticket.flags.charge_decided = guard_frozen_charge(ticket)


def on_ticket_validate(ticket, method=None):
	"""Service Ticket validate: a decided charge keeps the warranty as stored; until then the
	charge follows the ticket."""
	if ticket.flags.charge_decided:
		before = ticket.get_doc_before_save()
		for fieldname in WARRANTY_FIELDS:
			ticket.set(fieldname, before.get(fieldname))
		return
	set_charging(ticket)


def on_ticket_update(ticket, method=None):
	"""Service Ticket on_update: the draft charge invoice follows a corrected charge, and an
	override is told on the timeline."""
	reflow_charge(ticket)
	log_override(ticket)


def reflow_charge(ticket):
	"""Service Ticket on_update: what decides the charge changed while it may still change (a
	correction before the customer confirmed it). The draft charge invoice follows: rebuilt with
	the new lines, or deleted when nothing is charged any more; a ticket awaiting the customer's
	confirmation of its return slip gets the invoice its charge now asks for. The app's own flows
	make their invoices themselves (aftersales_app.field_service.visits.file_return_slip)."""
	before = ticket.get_doc_before_save()
	if ticket.flags.app_action or not before or frozen_by(before):
		return
	if not any(ticket.has_value_changed(f) for f in (*CHARGE_FIELDS, "billable", "charge_basis")):
		return
	invoice = ticket.charge_invoice
	if invoice and frappe.db.get_value("Sales Invoice", invoice, "docstatus") != 0:
		return
	charged = bool(ticket.billable and charge_lines(ticket))
	if invoice and not charged:
		ticket.db_set("charge_invoice", None, update_modified=False)
		ticket.charge_invoice = None
		_drop_draft(invoice)
		refresh_amounts(ticket.name)
		ticket.add_comment(
			"Info", _("Draft charge invoice {0} dropped: the ticket is no longer charged").format(invoice)
		)
	elif charged and (invoice or (ticket.status == AWAITING_CUSTOMER and ticket.return_slip_visit)):
		make_charge_invoice(ticket, ignore_permissions=True)


def _drop_draft(invoice: str):
	"""Delete a draft charge invoice nothing is charged on any more; one that other records point
	at (ERPNext refuses its deletion) is kept as the accountants' draft, no longer the ticket's."""
	frappe.db.savepoint("drop_charge_draft")
	try:
		frappe.delete_doc("Sales Invoice", invoice, ignore_permissions=True)
	except frappe.LinkExistsError:
		frappe.db.rollback(save_point="drop_charge_draft")
		frappe.db.set_value("Sales Invoice", invoice, "service_ticket", None, update_modified=False)


# --- settlement ----------------------------------------------------------------------------------


def settlement_for(customer: str, ticket_type: str | None) -> frappe._dict:
	"""The settlement rule of After-Sales Settings that fits best: customer group (or a parent
	group) and ticket type, then ticket type alone, then customer group alone, then the default."""
	settings = frappe.get_cached_doc("After-Sales Settings")
	group = frappe.db.get_value("Customer", customer, "customer_group")
	groups = [group, *get_ancestors_of("Customer Group", group)] if group else []
	best, best_score = None, 0
	for rule in settings.settlement_rules:
		if rule.customer_group and rule.customer_group not in groups:
			continue
		if rule.ticket_type and rule.ticket_type != ticket_type:
			continue
		score = (2 if rule.ticket_type else 0) + (1 if rule.customer_group else 0)
		# a closer group is more specific than one of its parents
		if rule.customer_group:
			score += 0.5 / (1 + groups.index(rule.customer_group))
		if best is None or score > best_score:
			best, best_score = rule, score
	if best:
		return frappe._dict(
			settlement=best.settlement,
			payment_terms_template=best.payment_terms_template,
			deposit_percentage=flt(best.deposit_percentage),
			balance_due_days=cint(best.balance_due_days),
		)
	return frappe._dict(settlement=settings.default_settlement or "Pay on Site")


# --- the charge invoice --------------------------------------------------------------------------


def make_charge_invoice(ticket, ignore_permissions: bool = False) -> "frappe.Document | None":
	"""Create the ticket's draft charge invoice, or rebuild the lines of the draft it has. A
	submitted invoice is ERPNext's: it is refused here (cancel or amend it there). Returns None
	when nothing is charged."""
	if ticket.charge_invoice:
		invoice = frappe.get_doc("Sales Invoice", ticket.charge_invoice)
		if invoice.docstatus != 0:
			frappe.throw(
				_("Charge invoice {0} is already submitted: cancel or amend it in ERPNext").format(
					frappe.bold(invoice.name)
				),
				ChargeInvoiceError,
			)
	else:
		invoice = None
	lines = charge_lines(ticket)
	if not ticket.billable or not lines:
		if invoice:
			frappe.throw(
				_("Ticket {0} has nothing to charge: delete draft invoice {1} instead").format(
					frappe.bold(ticket.name), frappe.bold(invoice.name)
				),
				ChargeInvoiceError,
			)
		return None
	missing = [line.source for line in lines if not line.item_code]
	if missing:
		frappe.throw(
			_("Set the labour and call-out fee items in After-Sales Settings before charging"),
			ChargeInvoiceError,
		)

	if invoice is None:
		invoice = frappe.new_doc("Sales Invoice")
		invoice.customer = ticket.customer
		invoice.company = (
			ticket.company
			or frappe.defaults.get_user_default("Company")
			or frappe.db.get_single_value("Global Defaults", "default_company")
		)
	if not invoice.set_posting_time:
		invoice.posting_date = nowdate()  # what ERPNext sets on saving a draft of an earlier day
	invoice.service_ticket = ticket.name
	invoice.set("items", [])
	invoice.set("taxes", [])
	invoice.set("payment_schedule", [])
	invoice.taxes_and_charges = None
	for line in lines:
		invoice.append("items", {"item_code": line.item_code, "qty": line.qty})
	invoice.remarks = _("Charges of service ticket {0}").format(ticket.name)
	_set_customer_details(invoice)
	invoice.set_missing_values()
	_bill_at_visit_rates(invoice, lines)
	_set_taxes(invoice)
	rule = settlement_for(ticket.customer, ticket.ticket_type)
	_set_settlement(invoice, rule)
	invoice.flags.ignore_permissions = ignore_permissions
	invoice.save()
	ticket.db_set({"charge_invoice": invoice.name, "settlement": rule.settlement}, update_modified=False)
	ticket.charge_invoice, ticket.settlement = invoice.name, rule.settlement
	refresh_amounts(ticket.name)
	return invoice


def selling_price_list(customer: str | None) -> str | None:
	"""The price list a sale to the customer is priced from, as ERPNext's invoice chooses it: the
	customer's own, its group's, else Selling Settings'."""
	from erpnext.accounts.party import get_default_price_list

	if customer and (
		party := frappe.db.get_value(
			"Customer", customer, ["name", "default_price_list", "customer_group"], as_dict=True
		)
	):
		party.doctype = "Customer"
		if price_list := get_default_price_list(party):
			return price_list
	return frappe.db.get_single_value("Selling Settings", "selling_price_list")


def part_rate(item_code: str | None, customer: str | None, qty: float = 1) -> float:
	"""A part's rate for the customer: the customer's price list (a price for the customer itself
	first, ERPNext's Item Price rules), on today's date. The visit shows it and the charge invoice
	bills it (_bill_at_visit_rates), so the technician, the ticket, the invoice and the portal say
	one number; staff who may set prices (the rate's permission level) change it on the visit."""
	from erpnext.stock.get_item_details import get_price_list_rate_for

	price_list = selling_price_list(customer)
	if not item_code or not price_list:
		return 0
	stock_uom = frappe.get_cached_value("Item", item_code, "stock_uom")
	args = frappe._dict(
		price_list=price_list,
		customer=customer,
		uom=stock_uom,
		stock_uom=stock_uom,
		transaction_date=nowdate(),
		qty=qty or 1,
	)
	return flt(get_price_list_rate_for(args, item_code))


def _bill_at_visit_rates(invoice, lines: list):
	"""The parts at the visit's rates (ERPNext priced them from the price list and its pricing
	rules; the visit's rate is what the technician showed the customer). The list price stays on
	the line, so a lower rate reads as a discount."""
	for item, line in zip(invoice.items, lines, strict=True):
		if line.get("rate") is None:
			continue
		item.pricing_rules = None
		item.margin_type = None
		item.margin_rate_or_amount = 0
		item.discount_percentage = 100 if not line.rate and flt(item.price_list_rate) else 0
		item.discount_amount = max(flt(item.price_list_rate) - line.rate, 0)
		item.rate = line.rate


def _set_customer_details(invoice):
	"""What ERPNext's form fetches when the customer is chosen (price list, address, contact),
	over the defaults a new invoice starts with, before the items are priced."""
	from erpnext.accounts.party import get_party_details

	details = get_party_details(
		invoice.customer,
		"Customer",
		company=invoice.company,
		posting_date=invoice.posting_date,
		doctype="Sales Invoice",
		ignore_permissions=True,
	)
	for field, value in details.items():
		if (
			value
			and field not in ("taxes", "sales_team", "payment_terms_template")
			and invoice.meta.has_field(field)
		):
			invoice.set(field, value)


def _set_taxes(invoice):
	"""The tax template ERPNext would choose (a Tax Rule for the customer, else the company's
	default Sales Taxes and Charges Template), with its rows."""
	from erpnext.accounts.party import set_taxes
	from erpnext.controllers.accounts_controller import get_default_taxes_and_charges

	template = set_taxes(
		invoice.customer,
		"Customer",
		invoice.posting_date,
		invoice.company,
		customer_group=frappe.db.get_value("Customer", invoice.customer, "customer_group"),
		tax_category=invoice.get("tax_category"),
		billing_address=invoice.get("customer_address"),
		shipping_address=invoice.get("shipping_address_name"),
	)
	if not template:
		template = get_default_taxes_and_charges(
			"Sales Taxes and Charges Template", company=invoice.company
		).get("taxes_and_charges")
	if template:
		invoice.taxes_and_charges = template
		invoice.append_taxes_from_master()
	invoice.calculate_taxes_and_totals()


def _set_settlement(invoice, rule: frappe._dict):
	if rule.settlement == "Invoice Terms":
		invoice.payment_terms_template = rule.payment_terms_template or _customer_terms(invoice.customer)
		invoice.due_date = None
	elif rule.settlement == "Deposit and Balance":
		deposit = min(max(flt(rule.deposit_percentage), 0), 100)
		balance_due = add_days(invoice.posting_date, cint(rule.balance_due_days))
		invoice.payment_terms_template = None
		invoice.due_date = balance_due
		invoice.append(
			"payment_schedule",
			{"due_date": invoice.posting_date, "invoice_portion": deposit, "description": _("Deposit Due")},
		)
		invoice.append(
			"payment_schedule",
			{"due_date": balance_due, "invoice_portion": 100 - deposit, "description": _("Balance Due")},
		)
	else:  # Pay on Site: due on the day of the work
		invoice.payment_terms_template = None
		invoice.due_date = invoice.posting_date


def submit_charge_invoice(invoice):
	"""Submit a draft charge invoice. ERPNext dates an invoice without *Edit Posting Date* on the
	day it is submitted; a draft made on an earlier day keeps its terms (pay on site, N days, deposit
	then balance) by moving its due dates as many days."""
	if not invoice.set_posting_time:
		shift = date_diff(nowdate(), invoice.posting_date)
		if shift > 0:
			invoice.posting_date = nowdate()
			invoice.due_date = add_days(invoice.due_date, shift) if invoice.due_date else None
			for row in invoice.payment_schedule:
				row.due_date = add_days(row.due_date, shift)
	invoice.submit()


def _customer_terms(customer: str) -> str | None:
	from erpnext.accounts.party import get_payment_terms_template

	return get_payment_terms_template(customer, "Customer", None)


def unlink_charge_invoice(doc, method=None):
	"""Sales Invoice on_cancel / on_trash: the ticket no longer points at a dead invoice, so a new
	one can be made (ERPNext's amendment links back through its own service_ticket field)."""
	if not doc.get("service_ticket"):
		return
	ticket = frappe.qb.DocType("Service Ticket")
	(
		frappe.qb.update(ticket)
		.set(ticket.charge_invoice, None)
		.where(ticket.name == doc.service_ticket)
		.where(ticket.charge_invoice == doc.name)
		.run()
	)
	refresh_amounts(doc.service_ticket)


def link_amended_invoice(doc, method=None):
	"""Sales Invoice on_submit: an amendment of the charge invoice takes its place on the ticket."""
	if not doc.get("service_ticket"):
		return
	current = frappe.db.get_value("Service Ticket", doc.service_ticket, "charge_invoice")
	if not current:
		frappe.db.set_value(
			"Service Ticket", doc.service_ticket, "charge_invoice", doc.name, update_modified=False
		)
	refresh_amounts(doc.service_ticket)


# --- amounts -------------------------------------------------------------------------------------


def invoice_total(invoice: frappe._dict) -> float:
	return flt(invoice.rounded_total) or flt(invoice.grand_total)


def payment_totals(ticket: str, for_update: bool = False) -> frappe._dict:
	"""Confirmed and unconfirmed totals of a ticket's payments; `for_update` reads the latest rows
	(and locks them) instead of the transaction's snapshot."""
	payment = frappe.qb.DocType("Service Payment")
	query = (
		frappe.qb.from_(payment)
		.select(payment.status, Coalesce(Sum(payment.amount), 0))
		.where(payment.service_ticket == ticket)
		.groupby(payment.status)
	)
	rows = (query.for_update() if for_update else query).run()
	totals = dict(rows)
	return frappe._dict(confirmed=flt(totals.get("Confirmed")), unconfirmed=flt(totals.get("Unconfirmed")))


def amounts(ticket: str, for_update: bool = False) -> frappe._dict:
	"""Charge, confirmed, unconfirmed and outstanding amounts of a ticket. The outstanding amount
	of a submitted invoice is ERPNext's own (it counts Payment Entries made outside the app too)."""
	invoice_name = frappe.db.get_value("Service Ticket", ticket, "charge_invoice", for_update=for_update)
	totals = payment_totals(ticket, for_update)
	result = frappe._dict(
		charge_invoice=invoice_name,
		charge_amount=0.0,
		paid_amount=totals.confirmed,
		unconfirmed_amount=totals.unconfirmed,
		outstanding_amount=0.0,
		currency=None,
		docstatus=None,
	)
	if not invoice_name:
		return result
	invoice = frappe.db.get_value(
		"Sales Invoice",
		invoice_name,
		["grand_total", "rounded_total", "outstanding_amount", "docstatus", "currency"],
		as_dict=True,
		for_update=for_update,
	)
	result.charge_amount = invoice_total(invoice)
	result.currency, result.docstatus = invoice.currency, invoice.docstatus
	if invoice.docstatus == 1:
		result.outstanding_amount = flt(invoice.outstanding_amount)
		result.paid_amount = max(result.charge_amount - result.outstanding_amount, totals.confirmed)
	else:
		result.outstanding_amount = result.charge_amount - totals.confirmed
	return result


def refresh_amounts(ticket: str, for_update: bool = False) -> frappe._dict:
	"""Write the amounts onto the ticket (list views, reports, workflow conditions read them)."""
	values = amounts(ticket, for_update)
	frappe.db.set_value(
		"Service Ticket",
		ticket,
		{
			"charge_amount": values.charge_amount,
			"paid_amount": values.paid_amount,
			"unconfirmed_amount": values.unconfirmed_amount,
			"outstanding_amount": values.outstanding_amount,
		},
		update_modified=False,
	)
	return values
