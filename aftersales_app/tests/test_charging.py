"""Charging (收费): which tickets are charged and for what, and the charge invoice ERPNext books —
priced by the customer's price list, taxed by the company's template, with the payment terms of
the settlement After-Sales Settings choose."""

import pytest
from freezegun import freeze_time

import frappe
from frappe.utils import add_days, flt, getdate, nowdate

from aftersales_app.api import payment as api
from aftersales_app.billing import charging as billing
from aftersales_app.core.exceptions import ChargeInvoiceError
from aftersales_app.field_service import visits
from aftersales_app.tests import world
from aftersales_app.tests.utils import as_user, force_state, returned_ticket, stock_warehouse

TECH = world.TECH
AGENT = world.AGENT
OUT_OF_WARRANTY = world.SERIAL_OUT  # CUSTOMER's, warranty ended 30 days ago
UNDER_WARRANTY = world.SERIAL_IN  # CUSTOMER's
UNDER_AMC = world.SERIAL_AMC  # CUSTOMER_B's, warranty over, AMC running
COMPRESSOR, FILTER = world.PART, world.PART_FILTER  # 800 and 120 on the selling price list
LABOUR_RATE, CALL_OUT_RATE = 120, 60


def invoice_lines(ticket) -> list[tuple]:
	invoice = frappe.get_doc("Sales Invoice", ticket.charge_invoice)
	return sorted((row.item_code, flt(row.qty), flt(row.rate)) for row in invoice.items)


# --- free or charged -----------------------------------------------------------------------------


@pytest.mark.parametrize(
	"override, policy, warranty, not_covered, basis, charged",
	[
		(None, "Follow Warranty", "Under Warranty", False, "Warranty Covers", False),
		(None, "Follow Warranty", "Under Warranty", True, "Warranty Covers", True),
		(None, "Follow Warranty", "Under AMC", False, "Warranty Covers", False),
		(None, "Follow Warranty", "Under AMC", True, "Warranty Covers", True),
		(None, "Follow Warranty", "Out of Warranty", False, "Warranty Expired", True),
		(None, "Follow Warranty", "Out of AMC", False, "Warranty Expired", True),
		(None, "Follow Warranty", "", False, "Warranty Expired", True),  # no proof of warranty
		(None, "Always Free", "Out of Warranty", True, "Free by Ticket Type", False),
		(None, "Always Charged", "Under Warranty", False, "Charged by Ticket Type", True),
		("Free", "Always Charged", "Out of Warranty", True, "Free by Override", False),
		("Charge", "Always Free", "Under Warranty", False, "Charged by Override", True),
	],
)
def test_decision_table(override, policy, warranty, not_covered, basis, charged):
	assert billing.charge_basis(override, policy, warranty) == basis
	assert billing.is_charged(basis, not_covered) is charged


def test_out_of_warranty_charges_parts_labour_and_the_call_out():
	ticket = returned_ticket(OUT_OF_WARRANTY, parts=[(COMPRESSOR, 1, 0), (FILTER, 2, 0)], labour_hours=2)
	assert (ticket.charge_basis, ticket.billable) == ("Warranty Expired", 1)
	assert invoice_lines(ticket) == [
		("AS-CALL-OUT", 1, CALL_OUT_RATE),
		("AS-LABOUR", 2, LABOUR_RATE),
		(COMPRESSOR, 1, 800),
		(FILTER, 2, 120),
	]
	assert ticket.charge_amount == 800 + 240 + 240 + 60


def test_under_warranty_is_free_and_makes_no_invoice():
	ticket = returned_ticket(UNDER_WARRANTY, parts=[(COMPRESSOR, 1, 0)], labour_hours=2)
	assert (ticket.charge_basis, ticket.billable, ticket.charge_invoice) == ("Warranty Covers", 0, None)
	as_user(AGENT, apply_action, ticket, "确认解决")
	assert ticket.reload().status == "Awaiting Revisit"  # no payment step


def test_under_warranty_charges_only_what_is_marked_not_covered():
	ticket = returned_ticket(UNDER_WARRANTY, parts=[(COMPRESSOR, 1, 0), (FILTER, 1, 1)], labour_hours=3)
	assert ticket.billable == 1
	assert invoice_lines(ticket) == [(FILTER, 1, 120)]  # no compressor, labour or call-out

	amc = returned_ticket(UNDER_AMC, parts=[(COMPRESSOR, 1, 0)], labour_hours=1.5, labour_not_covered=1)
	assert (amc.charge_basis, amc.billable) == ("Warranty Covers", 1)
	assert invoice_lines(amc) == [("AS-LABOUR", 1.5, LABOUR_RATE)]


def test_ticket_type_policy_decides_before_the_warranty():
	ticket = returned_ticket(OUT_OF_WARRANTY, ticket_type="Installation")  # shipped as Always Free
	assert (ticket.charge_basis, ticket.billable, ticket.charge_invoice) == ("Free by Ticket Type", 0, None)


def test_agent_override_needs_a_reason_and_is_logged():
	ticket = returned_ticket(OUT_OF_WARRANTY)
	ticket.charge_override = "Free"
	with pytest.raises(frappe.MandatoryError):
		as_user(AGENT, ticket.save)
	ticket.reload()
	ticket.update({"charge_override": "Free", "charge_override_reason": "老客户，免收本次费用"})
	as_user(AGENT, ticket.save)
	assert (ticket.charge_basis, ticket.billable) == ("Free by Override", 0)
	comment = frappe.get_last_doc(
		"Comment", filters={"reference_doctype": "Service Ticket", "reference_name": ticket.name}
	)
	assert "老客户，免收本次费用" in comment.content and comment.owner == AGENT


def test_technician_cannot_override_charging():
	ticket = returned_ticket(OUT_OF_WARRANTY)
	force_state(ticket, "In Progress")  # a state the technician edits in
	ticket.update({"charge_override": "Free", "charge_override_reason": "我说免费"})
	as_user(TECH, ticket.save)  # permlevel 1: the technician's change is dropped, not saved
	assert frappe.db.get_value("Service Ticket", ticket.name, "charge_override") in (None, "")
	assert frappe.db.get_value("Service Ticket", ticket.name, "billable") == 1


# --- the charge invoice --------------------------------------------------------------------------


@pytest.fixture
def default_tax_template():
	company = frappe.defaults.get_global_default("company")
	template = frappe.get_doc(
		{
			"doctype": "Sales Taxes and Charges Template",
			"title": "售后测试增值税",
			"company": company,
			"is_default": 1,
			"taxes": [
				{
					"charge_type": "On Net Total",
					"account_head": frappe.db.get_value(
						"Account", {"company": company, "account_type": "Tax", "is_group": 0}
					),
					"description": "增值税 13%",
					"rate": 13,
				}
			],
		}
	).insert()
	return template.name


def test_invoice_is_a_draft_for_the_customer_linked_both_ways_and_taxed(default_tax_template):
	ticket = returned_ticket(OUT_OF_WARRANTY, parts=[(COMPRESSOR, 1, 0)], labour_hours=1)
	invoice = frappe.get_doc("Sales Invoice", ticket.charge_invoice)
	assert invoice.docstatus == 0
	assert (invoice.customer, invoice.service_ticket) == (ticket.customer, ticket.name)
	assert invoice.selling_price_list == frappe.db.get_single_value("Selling Settings", "selling_price_list")
	assert invoice.taxes_and_charges == default_tax_template
	assert [(t.rate, flt(t.tax_amount, 2)) for t in invoice.taxes] == [(13, flt((800 + 120 + 60) * 0.13, 2))]
	assert flt(invoice.grand_total, 2) == flt((800 + 120 + 60) * 1.13, 2)
	assert ticket.charge_amount == invoice.rounded_total or invoice.grand_total
	assert ticket.outstanding_amount == ticket.charge_amount
	assert ticket.settlement == "Pay on Site" and getdate(invoice.due_date) == getdate(invoice.posting_date)


def test_invoice_uses_the_customers_price_list():
	price_list = frappe.get_doc(
		{"doctype": "Price List", "price_list_name": "售后测试大客户价", "selling": 1, "currency": "CNY"}
	).insert()
	frappe.get_doc(
		{
			"doctype": "Item Price",
			"item_code": COMPRESSOR,
			"price_list": price_list.name,
			"price_list_rate": 650,
		}
	).insert()
	customer = frappe.get_doc("Customer", world.CUSTOMER)
	customer.default_price_list = price_list.name
	customer.save()
	ticket = returned_ticket(OUT_OF_WARRANTY, parts=[(COMPRESSOR, 1, 0)], labour_hours=0)
	assert (COMPRESSOR, 1, 650) in invoice_lines(ticket)


def test_settlement_rules_set_the_invoices_terms():
	settings = frappe.get_single("After-Sales Settings")
	terms = frappe.get_doc(
		{
			"doctype": "Payment Terms Template",
			"template_name": "售后测试月结",
			"terms": [
				{"invoice_portion": 100, "credit_days": 30, "due_date_based_on": "Day(s) after invoice date"}
			],
		}
	).insert()
	group = frappe.db.get_value("Customer", world.CUSTOMER, "customer_group")
	settings.set(
		"settlement_rules",
		[
			{"customer_group": group, "settlement": "Invoice Terms", "payment_terms_template": terms.name},
			{
				"customer_group": group,
				"ticket_type": "Maintenance Check",
				"settlement": "Deposit and Balance",
				"deposit_percentage": 30,
				"balance_due_days": 15,
			},
		],
	)
	settings.save()

	repair = returned_ticket(OUT_OF_WARRANTY, ticket_type="Repair")
	invoice = frappe.get_doc("Sales Invoice", repair.charge_invoice)
	assert repair.settlement == "Invoice Terms" and invoice.payment_terms_template == terms.name
	assert getdate(invoice.due_date) == getdate(add_days(nowdate(), 30))

	check = returned_ticket(OUT_OF_WARRANTY, ticket_type="Maintenance Check")
	invoice = frappe.get_doc("Sales Invoice", check.charge_invoice)
	assert check.settlement == "Deposit and Balance"
	assert [(flt(r.invoice_portion), getdate(r.due_date)) for r in invoice.payment_schedule] == [
		(30, getdate(nowdate())),
		(70, getdate(add_days(nowdate(), 15))),
	]
	assert flt(sum(r.payment_amount for r in invoice.payment_schedule)) == flt(invoice.grand_total)

	other = returned_ticket(UNDER_AMC, labour_not_covered=1)  # CUSTOMER_B: another group? the default
	if frappe.db.get_value("Customer", other.customer, "customer_group") != group:
		assert other.settlement == "Pay on Site"


def test_invoice_is_rebuilt_while_draft_and_refused_once_submitted():
	ticket = returned_ticket(OUT_OF_WARRANTY, parts=[(COMPRESSOR, 1, 0)], labour_hours=1)
	name = ticket.charge_invoice
	ticket.db_set("labour_hours", 3)
	answer = as_user(AGENT, api.make_charge_invoice, ticket.name)
	assert answer["sales_invoice"] == name  # the same draft, new lines
	assert ("AS-LABOUR", 3, LABOUR_RATE) in invoice_lines(ticket.reload())
	with pytest.raises(frappe.PermissionError):
		as_user(TECH, api.make_charge_invoice, ticket.name)
	frappe.get_doc("Sales Invoice", name).submit()
	with pytest.raises(ChargeInvoiceError):
		as_user(AGENT, api.make_charge_invoice, ticket.name)


def test_a_draft_of_an_earlier_day_is_rebuilt_on_todays_date():
	price = frappe.qb.DocType("Item Price")  # the demo's prices hold from the day it was loaded
	frappe.qb.update(price).set(price.valid_from, add_days(nowdate(), -30)).run()
	with freeze_time(add_days(nowdate(), -2) + " 10:00:00.123456", tick=True):
		ticket = returned_ticket(OUT_OF_WARRANTY)
	as_user(AGENT, api.make_charge_invoice, ticket.name)
	invoice = frappe.get_doc("Sales Invoice", ticket.charge_invoice)
	assert getdate(invoice.posting_date) == getdate(invoice.due_date) == getdate(nowdate())


def test_cancelled_invoice_is_unlinked_from_the_ticket_and_payments_follow_the_new_one():
	ticket = returned_ticket(OUT_OF_WARRANTY)
	payment = frappe.get_doc(
		{
			"doctype": "Service Payment",
			"service_ticket": ticket.name,
			"amount": 100,
			"mode_of_payment": frappe.db.get_value("Mode of Payment", {"type": "Cash"}),
			"collected_on": frappe.utils.nowdate(),
		}
	).insert()
	invoice = frappe.get_doc("Sales Invoice", ticket.charge_invoice)
	invoice.submit()
	invoice.cancel()
	assert not frappe.db.get_value("Service Ticket", ticket.name, "charge_invoice")
	new_invoice = as_user(AGENT, api.make_charge_invoice, ticket.name)["sales_invoice"]
	assert new_invoice != invoice.name
	as_user(world.FINANCE, api.confirm_payment, payment.name)
	entry = frappe.db.get_value("Service Payment", payment.name, "payment_entry")
	assert (
		frappe.db.get_value(
			"Payment Entry Reference",
			{"parent": entry, "reference_doctype": "Sales Invoice"},
			"reference_name",
		)
		== new_invoice
	)


def apply_action(ticket, action):
	from frappe.model.workflow import apply_workflow

	return apply_workflow(ticket.reload(), action)


# --- one price: the visit, the ticket, the invoice and the portal ---------------------------------


@pytest.fixture
def customer_price_list():
	"""world.CUSTOMER buys the compressor at 650 on a price list of its own (800 on the selling
	price list), the call-out at the usual 60."""
	price_list = frappe.get_doc(
		{"doctype": "Price List", "price_list_name": "售后测试一价", "selling": 1, "currency": "CNY"}
	).insert()
	for item, rate in ((COMPRESSOR, 650), ("AS-CALL-OUT", CALL_OUT_RATE)):
		frappe.get_doc(
			{
				"doctype": "Item Price",
				"item_code": item,
				"price_list": price_list.name,
				"price_list_rate": rate,
			}
		).insert()
	frappe.db.set_value("Customer", world.CUSTOMER, "default_price_list", price_list.name)
	return price_list.name


def technicians_visit(ticket, rate: float):
	"""The technician's own visit form: a compressor with the rate they typed."""
	visit = frappe.get_doc(
		{
			"doctype": "Service Visit",
			"ticket": ticket.name,
			"scheduled_start": frappe.utils.now_datetime(),
			"scheduled_end": frappe.utils.add_to_date(None, hours=2),
			"diagnosis": "压缩机损坏",
			"solution": "<p>更换压缩机</p>",
			"labour_hours": 0,
			"parts": [{"item_code": COMPRESSOR, "qty": 1, "rate": rate, "warehouse": stock_warehouse()}],
		}
	)
	return as_user(TECH, visit.insert)


def test_the_visit_the_invoice_and_the_ticket_say_one_price(customer_price_list):
	"""A day found the technician's part line at ¥280 and the invoice at the list price ¥800: the
	part is priced from the customer's price list on the visit, a technician's typed rate does not
	stand, and the invoice bills the visit's rate."""
	from aftersales_app.tests.utils import make_ticket

	ticket = force_state(make_ticket(serial_no=OUT_OF_WARRANTY, assigned_technician=TECH), "In Progress")
	visit = technicians_visit(ticket, rate=280)
	assert [(p.rate, p.amount) for p in visit.parts] == [(650, 650)]
	assert visit.chargeable_amount == 650
	# the technician adds a second line later, again with a rate of their own
	visit.append("parts", {"item_code": COMPRESSOR, "qty": 1, "rate": 1, "warehouse": stock_warehouse()})
	as_user(TECH, visit.save)
	assert [p.rate for p in visit.reload().parts] == [650, 650]
	as_user(TECH, visits.check_in, visit)
	as_user(TECH, visits.file_return_slip, frappe.get_doc("Service Visit", visit.name))
	ticket.reload()
	assert invoice_lines(ticket) == [
		("AS-CALL-OUT", 1, CALL_OUT_RATE),
		(COMPRESSOR, 1, 650),
		(COMPRESSOR, 1, 650),
	]
	assert ticket.charge_amount == 650 + 650 + CALL_OUT_RATE


def test_an_agents_rate_on_the_visit_is_the_rate_billed(customer_price_list):
	"""Customer service may set a part's price (the rate's permission level): the invoice bills it,
	the price list's rate shown beside it as the list price."""
	from aftersales_app.tests.utils import make_ticket

	ticket = force_state(make_ticket(serial_no=OUT_OF_WARRANTY, assigned_technician=TECH), "In Progress")
	visit = technicians_visit(ticket, rate=0)
	visit.parts[0].rate = 500
	as_user(AGENT, visit.save)
	assert visit.reload().parts[0].rate == 500
	as_user(TECH, visits.check_in, visit)
	as_user(TECH, visits.file_return_slip, frappe.get_doc("Service Visit", visit.name))
	ticket.reload()
	line = frappe.get_all(
		"Sales Invoice Item",
		filters={"parent": ticket.charge_invoice, "item_code": COMPRESSOR},
		fields=["rate", "price_list_rate"],
	)
	assert [(flt(r.rate), flt(r.price_list_rate)) for r in line] == [(500, 650)]
	assert ticket.charge_amount == 500 + CALL_OUT_RATE
