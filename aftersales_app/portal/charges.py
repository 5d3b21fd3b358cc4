"""What the customer owes for a charged ticket, as the portal shows it."""

import frappe
from frappe import _
from frappe.utils import flt, fmt_money, formatdate

from aftersales_app.billing import charging as billing
from aftersales_app.billing import payments


def amounts_due(ticket) -> frappe._dict | None:
	"""What the customer owes for a charged ticket: the charge invoice's lines, what finance has
	confirmed, what waits for confirmation, what is outstanding, and the payment schedule (deposit
	and balance, or the invoice's terms). None for a free ticket or before the invoice exists."""
	if not ticket.billable or not ticket.charge_invoice:
		return None
	values = billing.amounts(ticket.name)
	if not values.charge_invoice or values.docstatus == 2:
		return None

	def money(amount):
		return fmt_money(amount, currency=values.currency)

	# get_all on purpose: a portal customer has no desk rights on Sales Invoice; the ticket is their
	# own (api.portal._own_ticket), and only its own charge invoice's lines are read
	lines = frappe.get_all(
		"Sales Invoice Item",
		filters={"parenttype": "Sales Invoice", "parent": values.charge_invoice},
		fields=["item_name", "qty", "uom", "amount"],
		order_by="idx",
	)
	schedule = payments.schedule(values.charge_invoice)
	return frappe._dict(
		settlement=_(ticket.settlement, context="Service Ticket") if ticket.settlement else "",
		lines=[
			frappe._dict(
				item=row.item_name, qty=f"{flt(row.qty):g} {_(row.uom or '')}", amount=money(row.amount)
			)
			for row in lines
		],
		total=money(values.charge_amount),
		paid=money(values.paid_amount),
		waiting=money(values.unconfirmed_amount) if values.unconfirmed_amount else "",
		outstanding=money(values.outstanding_amount),
		settled=values.outstanding_amount <= 0,
		schedule=[
			frappe._dict(
				description=row.description or "",
				due_date=formatdate(row.due_date),
				amount=money(row.payment_amount),
				outstanding=money(row.outstanding),
				overdue=payments.overdue(row),
			)
			for row in schedule
		]
		if len(schedule) > 1
		else [],
	)
