"""Timed escalation, what ERPNext's Service Level Agreement lacks: warnings before the resolution
target is breached and escalation when it is (After-Sales Settings: the points, in percent of the
target, and whom each tells, per territory or ticket type when set), limits on the time a ticket
may stay in a state, and customers' urges (催单) counting toward escalation.

Each ticket carries the moment of its next point (`escalation_due`, indexed), set on every save;
the scheduler job reads only tickets whose moment has passed, tells each point once (the ticket's
`escalation_level` counts the points told, and the outbox keys each message by its point), logs it
on the ticket's timeline, and, where the point says so, hands the ticket to another technician."""

import frappe
from frappe import _
from frappe.utils import add_to_date, cint, flt, get_datetime, now_datetime

from aftersales_app.core import jobs, locks, roles
from aftersales_app.core.exceptions import UrgeTooSoonError
from aftersales_app.core.text import escape
from aftersales_app.field_service import dispatch
from aftersales_app.notifications.notify import notify
from aftersales_app.tickets.status import AWAITING_ACCEPTANCE, FINAL_CATEGORIES, IN_PROGRESS

TECHNICIAN, AGENT, MANAGER = "Assigned Technician", "Responsible Agent", "After-Sales Manager"
BREACH_PERCENT = 100
URGE_INTERVAL_MINUTES = 60
DUE_BATCH = 500


def settings():
	return frappe.get_cached_doc("After-Sales Settings")


def levels_for(ticket) -> list:
	"""The points that apply to the ticket, by percent: those set for its territory (or one above
	it) or its ticket type replace the general ones."""
	rows = settings().get("escalation_levels") or []
	territories = set()
	if ticket.territory and any(r.territory for r in rows):
		from frappe.utils.nestedset import get_ancestors_of

		territories = {ticket.territory, *get_ancestors_of("Territory", ticket.territory)}
	specific = [
		r
		for r in rows
		if (r.territory or r.ticket_type)
		and (not r.territory or r.territory in territories)
		and (not r.ticket_type or r.ticket_type == ticket.ticket_type)
	]
	chosen = specific or [r for r in rows if not r.territory and not r.ticket_type]
	return sorted(chosen, key=lambda r: cint(r.percent))


def sla_points(ticket) -> list[tuple]:
	"""(level, moment) of each point of the ticket's resolution target; none while the clock is
	paused (on hold), after the resolution, or without an agreement."""
	if (
		not ticket.get("sla_resolution_by")
		or ticket.get("on_hold_since")
		or ticket.get("sla_resolution_date")
		or ticket.status in FINAL_CATEGORIES
	):
		return []
	start = get_datetime(
		ticket.get("service_level_agreement_creation") or ticket.opened_on or ticket.creation
	)
	span = get_datetime(ticket.sla_resolution_by) - start
	return [(row, start + span * (cint(row.percent) / 100)) for row in levels_for(ticket)]


def state_limit(ticket) -> tuple | None:
	"""(limit, moment) of the time allowed in the ticket's category, unless told already."""
	if not ticket.state_since or ticket.status in FINAL_CATEGORIES:
		return None
	if ticket.get("state_alerted_for") and get_datetime(ticket.state_alerted_for) == get_datetime(
		ticket.state_since
	):
		return None
	for row in settings().get("state_limits") or []:
		if row.category == ticket.status and flt(row.hours) > 0:
			return row, add_to_date(get_datetime(ticket.state_since), hours=flt(row.hours))
	return None


def next_due(ticket):
	"""The moment of the ticket's next untold point (None: nothing to watch)."""
	level = cint(ticket.get("escalation_level"))
	moments = [moment for i, (_row, moment) in enumerate(sla_points(ticket)) if i >= level]
	limit = state_limit(ticket)
	if limit:
		moments.append(limit[1])
	return min(moments) if moments else None


def set_escalation_due(ticket, method=None):
	"""Service Ticket before_save, on every save: after validate and its hooks, where ERPNext's
	agreement (a "*" hook) has set the targets."""
	ticket.escalation_due = next_due(ticket)


# --- the scheduler job --------------------------------------------------------------------------


def due_query(now=None):
	ticket = frappe.qb.DocType("Service Ticket")
	return (
		frappe.qb.from_(ticket)
		.select(ticket.name)
		.where(ticket.escalation_due <= (now or now_datetime()))
		.orderby(ticket.escalation_due)
		.limit(DUE_BATCH)
	)


def escalate_due():
	"""Scheduler job (every minute): tell the points that passed, one ticket at a time."""
	jobs.each(due_query().run(pluck=True), escalate, "Escalation of {0}")


def escalate(name: str):
	locks.lock("Service Ticket", name)
	ticket = frappe.get_doc("Service Ticket", name)
	now = now_datetime()
	level = cint(ticket.escalation_level)
	reassign = False
	for i, (row, moment) in enumerate(sla_points(ticket)):
		if i < level or moment > now:
			continue
		tell_point(ticket, row)
		reassign = reassign or bool(row.reassign)
		level = i + 1
	values = {"escalation_level": level}
	limit = state_limit(ticket)
	if limit and limit[1] <= now:
		tell_state_limit(ticket, *limit)
		values["state_alerted_for"] = ticket.state_since
	ticket.db_set(values, update_modified=False)
	if reassign:
		ticket = hand_over(ticket)
	ticket.db_set("escalation_due", next_due(ticket), update_modified=False)


def audience(ticket, who: str) -> list[str]:
	if who == TECHNICIAN:
		return [ticket.assigned_technician] if ticket.assigned_technician else []
	if who == AGENT:
		return [ticket.responsible_agent] if ticket.responsible_agent else []
	return roles.users_with({roles.MANAGER})


def tell_point(ticket, row):
	breach = cint(row.percent) >= BREACH_PERCENT
	event = "sla_escalation" if breach else "sla_warning"
	notify(
		ticket,
		event,
		f"sla|{cint(ticket.reopen_count)}|{cint(row.percent)}",
		recipients=audience(ticket, row.notify),
		percent=cint(row.percent),
		resolution_by=frappe.utils.format_datetime(ticket.sla_resolution_by, "yyyy-MM-dd HH:mm"),
	)
	text = (
		_("Resolution target breached ({0}): escalated to {1}")
		if breach
		else _("{0} of the resolution target used: {1} warned")
	)
	ticket.add_comment("Info", text.format(f"{cint(row.percent)}%", _(row.notify)))


def tell_state_limit(ticket, row, moment):
	notify(
		ticket,
		"state_overdue",
		f"state|{ticket.state_since}",
		recipients=audience(ticket, row.notify),
		hours=flt(row.hours),
	)
	ticket.add_comment(
		"Info",
		_("In {0} longer than the {1} hours allowed: {2} told").format(
			escape(ticket.workflow_state), flt(row.hours), _(row.notify)
		),
	)


def hand_over(ticket):
	"""Escalation with "Back to Dispatch": the ticket goes to the least loaded other qualified
	technician (a new acceptance deadline when it was waiting for acceptance); when nobody else
	qualifies it stays, and the timeline says so."""
	if ticket.status not in (AWAITING_ACCEPTANCE, IN_PROGRESS) or not ticket.assigned_technician:
		return ticket
	previous = ticket.assigned_technician
	others = dispatch.qualified_technicians(ticket, exclude=(previous,))
	if not others:
		ticket.add_comment("Info", _("Escalation found no other qualified technician: the ticket stays"))
		return ticket
	epoch = now_datetime().replace(year=1970)
	chosen = min(others, key=lambda c: (c.load, c.last_assigned_on or epoch, c.name)).name
	if ticket.status == AWAITING_ACCEPTANCE:
		ticket = dispatch.assign(ticket, chosen)
	else:
		dispatch.save_dispatch_fields(
			ticket, assigned_technician=chosen, transfer_to=None, transfer_reason=None
		)
		dispatch.close_todo(ticket, previous)
		dispatch.open_todo(
			ticket, chosen, _("Service ticket {0} was escalated and handed to you").format(ticket.name)
		)
		dispatch.tell_assigned(ticket)
	ticket.add_comment(
		"Info",
		_("Escalated: handed from {0} to {1}").format(
			escape(frappe.utils.get_fullname(previous)), escape(frappe.utils.get_fullname(chosen))
		),
	)
	return ticket


# --- urges (催单) ---------------------------------------------------------------------------------


def urge(ticket_name: str, note: str | None = None):
	"""The customer presses for their ticket: recorded on the timeline, the technician and the
	responsible agent told, counted (After-Sales Settings: so many urges escalate to the
	After-Sales Manager); once an hour per ticket."""
	locks.lock("Service Ticket", ticket_name)
	ticket = frappe.get_doc("Service Ticket", ticket_name)
	if ticket.status in FINAL_CATEGORIES:
		frappe.throw(_("Ticket {0} is finished: there is nothing to urge").format(frappe.bold(ticket.name)))
	now = now_datetime()
	if ticket.last_urged_on and get_datetime(ticket.last_urged_on) > add_to_date(
		now, minutes=-URGE_INTERVAL_MINUTES
	):
		frappe.throw(
			_("Ticket {0} was urged less than an hour ago; we are on it").format(frappe.bold(ticket.name)),
			UrgeTooSoonError,
		)
	count = cint(ticket.urge_count) + 1
	ticket.db_set({"urge_count": count, "last_urged_on": now}, update_modified=False)
	note = (note or "").strip()[:500]
	ticket.add_comment(
		"Info",
		_("The customer urged the ticket ({0}){1}").format(count, f": {escape(note)}" if note else ""),
	)
	recipients = [u for u in (ticket.assigned_technician, ticket.responsible_agent) if u]
	notify(ticket, "urge_received", f"urge|{count}", recipients=recipients, urges=count, note=note)
	limit = cint(settings().urges_to_escalate)
	if limit and count == limit:
		notify(
			ticket,
			"urge_escalation",
			f"urge|{cint(ticket.reopen_count)}|{limit}",
			recipients=audience(ticket, MANAGER),
			urges=count,
		)
		ticket.add_comment("Info", _("Urged {0} times: escalated to {1}").format(count, _(MANAGER)))
	return ticket
