"""A technician's visit to the customer, from arrival to the return slip (回单).

Check in and check out stamp the server's time; the parts used leave stock through an ERPNext
Stock Entry (material issue); filing the return slip of the ticket's last visit copies the
resolution onto the ticket and takes the workflow action that leads to the customer's
confirmation. Each step changes everything it touches or nothing.

A visit whose return slip is filed is locked (guard_filed_visit): its diagnosis, solution, parts
(items, quantities, rates, warehouses, not-covered flags), labour and serial number swap are what
the ticket was charged for, so nobody changes them on any path (form, REST, frappe.client, the
part rows themselves). A correction is refused; the ticket's work goes on in a new visit, whose
own return slip replaces this one.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import escape_html, flt, format_datetime, get_datetime, now_datetime, strip_html

from aftersales_app.billing import charging as billing
from aftersales_app.core import locks
from aftersales_app.core.app_fields import normalise, save_as_app
from aftersales_app.core.exceptions import (
	NotLastVisitError,
	PartsIssuedError,
	ReturnSlipError,
	StockIssueError,
	TicketNotInProgressError,
	VisitPermissionError,
	VisitTimeError,
)
from aftersales_app.core.roles import is_technician_only
from aftersales_app.tickets.status import (
	AWAITING_CUSTOMER,
	FINAL_CATEGORIES,
	IN_PROGRESS,
	category_of,
	move_to_category,
	transition_to,
)

ISSUE_PURPOSE = "Material Issue"

# what a return slip copies to the ticket and charges: frozen on the visit once it is filed
RETURN_SLIP_FIELDS = (
	"diagnosis",
	"solution",
	"labour_hours",
	"labour_not_covered",
	"faulty_serial_no",
	"replacement_serial_no",
	"outcome",
)
PART_FIELDS = ("item_code", "qty", "rate", "warehouse", "not_covered")


class ReturnSlipLockedError(frappe.ValidationError):
	"""A visit whose return slip is filed was changed."""


def return_slip_of(visit: str | None) -> str | None:
	"""The ticket whose return slip this visit is, or None."""
	if not visit:
		return None
	return frappe.db.get_value("Service Ticket", {"return_slip_visit": visit}, "name")


def refuse_filed_visit(visit: str, ticket: str, what: str):
	frappe.throw(
		_("The return slip of visit {0} is filed on ticket {1}: its {2} cannot change any more").format(
			frappe.bold(visit), frappe.bold(ticket), what
		),
		ReturnSlipLockedError,
		title=_("Return Slip Filed"),
	)


def parts_signature(parts) -> list[tuple]:
	return [
		tuple(
			flt(row.get(f)) if f in ("qty", "rate", "not_covered") else (row.get(f) or "")
			for f in PART_FIELDS
		)
		for row in parts
	]


def guard_filed_visit(visit: Document):
	"""Service Visit validate: a visit whose return slip is filed keeps what the slip filed, whoever
	saves it (the app's own steps included: checking out after the slip stamps the time alone)."""
	if visit.is_new():
		return
	ticket = return_slip_of(visit.name)
	if not ticket:
		return
	before = visit.get_doc_before_save()
	if not before:
		return
	for fieldname in RETURN_SLIP_FIELDS:
		df = visit.meta.get_field(fieldname)
		if normalise(df, before.get(fieldname)) != normalise(df, visit.get(fieldname)):
			refuse_filed_visit(visit.name, ticket, frappe.bold(_(df.label, context=visit.doctype)))
	if parts_signature(before.parts) != parts_signature(visit.parts):
		refuse_filed_visit(visit.name, ticket, frappe.bold(_("Parts Used")))


def check_in(visit: Document) -> Document:
	"""Stamp the technician's arrival with the server's time."""
	ensure_own_visit(visit)
	if visit.check_in:
		frappe.throw(
			_("Visit {0} was already checked in at {1}").format(
				frappe.bold(visit.name), frappe.bold(format_datetime(visit.check_in))
			),
			VisitTimeError,
		)
	state = frappe.db.get_value("Service Ticket", visit.ticket, "workflow_state")
	if category_of(state) in FINAL_CATEGORIES:
		frappe.throw(
			_("Ticket {0} is {1}: there is no visit to check in to").format(
				frappe.bold(visit.ticket), frappe.bold(_(state))
			),
			VisitTimeError,
		)
	visit.check_in = now_datetime()
	return _save_action(visit)


def check_out(visit: Document) -> Document:
	"""Stamp the technician's departure with the server's time; labour hours left empty become the
	time between check in and check out."""
	ensure_own_visit(visit)
	if not visit.check_in:
		frappe.throw(
			_("Check in to visit {0} before checking out").format(frappe.bold(visit.name)), VisitTimeError
		)
	if visit.check_out:
		frappe.throw(
			_("Visit {0} was already checked out at {1}").format(
				frappe.bold(visit.name), frappe.bold(format_datetime(visit.check_out))
			),
			VisitTimeError,
		)
	visit.check_out = now_datetime()
	# labour left empty is counted from the visit's times, unless the return slip filed it already
	if not flt(visit.labour_hours) and not return_slip_of(visit.name):
		seconds = (get_datetime(visit.check_out) - get_datetime(visit.check_in)).total_seconds()
		visit.labour_hours = flt(seconds / 3600, visit.precision("labour_hours"))
	return _save_action(visit)


def ensure_own_visit(visit: Document):
	"""Only the visit's own technician checks in and out (service desk staff may record it for
	them); a colleague on the same ticket may not."""
	user = frappe.session.user
	if is_technician_only(user) and visit.technician != user:
		frappe.throw(
			_("Only technician {0} checks in and out of visit {1}").format(
				frappe.bold(visit.technician_name or visit.technician), frappe.bold(visit.name)
			),
			VisitPermissionError,
		)


def make_stock_entry(visit: Document) -> Document:
	"""Issue the visit's stock parts with a submitted ERPNext Stock Entry (material issue) of the
	ticket's company, one row per part from its warehouse, and link it on the visit. A visit that
	already has a submitted or draft entry is refused, naming it; a failure (ERPNext's own
	insufficient-stock error among them) leaves nothing behind."""
	# one issue per visit: the second of two simultaneous calls waits here, then finds the first's
	locks.lock("Service Visit", visit.name)
	visit.reload()
	if visit.stock_entry and frappe.db.get_value("Stock Entry", visit.stock_entry, "docstatus") in (0, 1):
		frappe.throw(
			_("The parts of visit {0} were already issued with Stock Entry {1}").format(
				frappe.bold(visit.name), frappe.bold(visit.stock_entry)
			),
			PartsIssuedError,
		)

	parts = visit.stock_parts()
	if not parts:
		frappe.throw(
			_("Visit {0} used no stock parts: there is nothing to issue").format(frappe.bold(visit.name)),
			StockIssueError,
		)
	company = frappe.db.get_value(
		"Service Ticket", visit.ticket, "company"
	) or frappe.defaults.get_global_default("company")
	if not company:
		frappe.throw(_("Set a default company in Global Defaults to issue parts from stock"), StockIssueError)
	cost_center, expense_account = frappe.get_cached_value(
		"Company", company, ["cost_center", "stock_adjustment_account"]
	)

	entry = frappe.new_doc("Stock Entry")
	entry.update(
		{
			"purpose": ISSUE_PURPOSE,
			"stock_entry_type": stock_entry_type(ISSUE_PURPOSE),
			"company": company,
			"remarks": _("Parts used on Service Visit {0} for Service Ticket {1}").format(
				visit.name, visit.ticket
			),
		}
	)
	for part in parts:
		entry.append(
			"items",
			{
				"item_code": part.item_code,
				"s_warehouse": part.warehouse,
				"qty": part.qty,
				"uom": part.uom,
				"stock_uom": part.uom,
				"conversion_factor": 1,
				"transfer_qty": part.qty,
				"cost_center": cost_center,
				"expense_account": expense_account,
			},
		)
	# The visit is the authority for this entry: whoever may edit the visit issues its parts,
	# without holding ERPNext's stock roles.
	entry.flags.ignore_permissions = True
	with locks.all_or_nothing("make_stock_entry"):
		entry.insert()
		entry.submit()
		visit.stock_entry = entry.name
		_save_action(visit)
	return entry


def stock_entry_type(purpose: str) -> str:
	"""ERPNext's Stock Entry Type of a purpose (admins may rename the standard ones)."""
	if frappe.db.exists("Stock Entry Type", {"name": purpose, "purpose": purpose}):
		return purpose
	return frappe.db.get_value("Stock Entry Type", {"purpose": purpose, "is_standard": 1}) or (
		frappe.db.get_value("Stock Entry Type", {"purpose": purpose})
	)


def unlink_cancelled_stock_entry(doc, method=None):
	"""Stock Entry on_cancel: the visit's parts are back in stock, so the visit no longer points
	at the entry and its parts may be issued again."""
	visit = frappe.qb.DocType("Service Visit")
	(frappe.qb.update(visit).set(visit.stock_entry, None).where(visit.stock_entry == doc.name).run())


def file_return_slip(visit: Document) -> Document:
	"""File the return slip (回单) of the ticket's last visit: copy its diagnosis, solution, parts,
	labour hours and serial number swap onto the ticket and take the workflow action that takes
	the ticket from work in progress to awaiting the customer's confirmation. Refused, with
	nothing written, for a ticket not in progress, from an older visit, or without a solution."""
	ticket = frappe.get_doc("Service Ticket", visit.ticket)
	if category_of(ticket.workflow_state) != IN_PROGRESS:
		frappe.throw(
			_("Ticket {0} is {1}: a return slip is filed while the ticket is in progress").format(
				frappe.bold(ticket.name), frappe.bold(_(ticket.workflow_state))
			),
			TicketNotInProgressError,
		)
	last = last_visit(ticket.name)
	if last != visit.name:
		frappe.throw(
			_("Visit {0} is not the last visit of ticket {1}: file the return slip from visit {2}").format(
				frappe.bold(visit.name), frappe.bold(ticket.name), frappe.bold(last)
			),
			NotLastVisitError,
			PartsIssuedError,
		)
	if visit.outcome and visit.outcome != "Resolved":
		frappe.throw(
			_("Visit {0} ended as {1}: only a resolved visit files a return slip").format(
				frappe.bold(visit.name), frappe.bold(_(visit.outcome, context=visit.doctype))
			),
			ReturnSlipError,
		)
	if not strip_html(visit.solution or "").strip():
		frappe.throw(
			_("Write the solution on visit {0} before filing the return slip").format(
				frappe.bold(visit.name)
			),
			ReturnSlipError,
		)

	ticket.update(
		{
			"diagnosis": visit.diagnosis or ticket.diagnosis,
			"resolution": (visit.solution or "") + parts_summary(visit),
			"labour_hours": visit.labour_hours,
			"labour_not_covered": visit.labour_not_covered,
			"faulty_serial_no": visit.faulty_serial_no,
			"replacement_serial_no": visit.replacement_serial_no,
			"return_slip_visit": visit.name,
		}
	)
	# the action is found by where it leads, never by its name: admins rename actions and states
	if not transition_to(ticket, AWAITING_CUSTOMER):
		frappe.throw(
			_("No workflow action of yours takes ticket {0} from {1} to the customer's confirmation").format(
				frappe.bold(ticket.name), frappe.bold(_(ticket.workflow_state))
			),
			ReturnSlipError,
		)

	with locks.all_or_nothing("file_return_slip"):
		if not visit.outcome:
			visit.outcome = "Resolved"
			visit.save()
		# The return slip's fields travel with the action, like a hold reason: whoever may take
		# the action files them, even where the state's editor is another role.
		save_as_app(ticket)
		ticket = move_to_category(ticket, AWAITING_CUSTOMER)
		# the charged parts and labour become the draft charge invoice (nothing when free)
		if ticket.billable:
			billing.make_charge_invoice(ticket, ignore_permissions=True)
			ticket.reload()
	return ticket


def last_visit(ticket: str) -> str | None:
	"""The visit scheduled last (the latest created among equals)."""
	visit = frappe.qb.DocType("Service Visit")
	rows = (
		frappe.qb.from_(visit)
		.select(visit.name)
		.where(visit.ticket == ticket)
		.orderby(visit.scheduled_start, order=frappe.qb.desc)
		.orderby(visit.creation, order=frappe.qb.desc)
		.limit(1)
		.run()
	)
	return rows[0][0] if rows else None


def parts_summary(visit: Document) -> str:
	"""The parts of a visit as a list under the solution on the ticket."""
	if not visit.parts:
		return ""
	rows = []
	for part in visit.parts:
		warranty = f" ({escape_html(_('Not Covered'))})" if part.not_covered else ""
		rows.append(
			f"<li>{escape_html(part.item_name or part.item_code)} × {flt(part.qty):g} "
			f"{escape_html(_(part.uom or ''))}{warranty}</li>"
		)
	return f"<p><strong>{escape_html(_('Parts Used'))}</strong></p><ul>{''.join(rows)}</ul>"


def _save_action(visit: Document) -> Document:
	return save_as_app(visit)
