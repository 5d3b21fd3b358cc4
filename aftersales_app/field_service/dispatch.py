"""How tickets reach technicians (派单): direct assignment, the ticket pool (工单池) where one grab wins,
automatic assignment by skill, territory and load, accept / decline / transfer, and the accept
timeout. Every move of the workflow goes through its actions, chosen by the category of the next
state (never a state's name), so an admin's workflow edits keep working.
"""

import frappe
from frappe import _
from frappe.desk.form import assign_to
from frappe.query_builder import DocType
from frappe.query_builder.functions import Count
from frappe.utils import add_to_date, cint, getdate, now_datetime
from frappe.utils.nestedset import get_ancestors_of

from aftersales_app.core import jobs, locks, roles
from aftersales_app.core.app_fields import save_as_app
from aftersales_app.core.exceptions import AlreadyTakenError, NotQualifiedError, WrongStateError
from aftersales_app.core.text import check_length, escape
from aftersales_app.notifications.events import fullname
from aftersales_app.notifications.notify import notify
from aftersales_app.portal.display import when
from aftersales_app.tickets.status import (
	AWAITING_ACCEPTANCE,
	DISPATCHING,
	FINAL_CATEGORIES,
	IN_PROGRESS,
	OPEN_CATEGORIES,
	move_to_category,
	move_with,
	require_category,
)

# --- the dispatcher's fields ---------------------------------------------------------------------


def save_dispatch_fields(ticket, **values):
	"""Dispatch fields are the dispatcher's, whatever role may edit the ticket in its state. The
	caller (aftersales_app.api.dispatch) has checked who may act; the save itself must not depend
	on the ticket's permissions, which change with the very fields it sets (a technician who
	declines no longer sees the ticket)."""
	ticket.update(values)
	save_as_app(ticket, ignore_permissions=True)
	return ticket


# --- who may take a ticket -----------------------------------------------------------------------


def technician_of(user: str) -> frappe._dict | None:
	return frappe.db.get_value(
		"Service Technician",
		{"user": user},
		["name", "user", "active", "away", "holiday_list", "capacity", "last_assigned_on"],
		as_dict=True,
	)


def open_loads(technicians: list[str]) -> dict[str, int]:
	"""Open (not closed, rejected or cancelled) tickets per technician, in one grouped query. The
	statuses are named (IN, not NOT IN), so the (assigned_technician, status) index reads only the
	open tickets, however long a technician's history is."""
	if not technicians:
		return {}
	ticket = DocType("Service Ticket")
	rows = (
		frappe.qb.from_(ticket)
		.select(ticket.assigned_technician, Count("*").as_("load"))
		.where(ticket.assigned_technician.isin(technicians))
		.where(ticket.status.isin(OPEN_CATEGORIES))
		.groupby(ticket.assigned_technician)
		.run(as_dict=True)
	)
	return {row.assigned_technician: row.load for row in rows}


def is_on_holiday(holiday_list: str | None, day=None) -> bool:
	if not holiday_list:
		return False
	return bool(frappe.db.exists("Holiday", {"parent": holiday_list, "holiday_date": getdate(day)}))


def qualified_technicians(ticket, exclude: tuple[str, ...] = ()) -> list[frappe._dict]:
	"""Active technicians who are not away or on holiday, have the ticket type's required skill,
	serve the ticket's territory (or a territory above it), and are under their capacity;
	each with its current load."""
	required_skill = frappe.db.get_value("Service Ticket Type", ticket.ticket_type, "required_skill")
	territories = (
		[ticket.territory, *get_ancestors_of("Territory", ticket.territory)] if ticket.territory else []
	)

	tech = DocType("Service Technician")
	query = (
		frappe.qb.from_(tech)
		.select(tech.name, tech.user, tech.holiday_list, tech.capacity, tech.last_assigned_on)
		.where((tech.active == 1) & (tech.away == 0))
	)
	if required_skill:
		query = query.where(
			tech.name.isin(_technicians_listing("Service Technician Skill", "skill", [required_skill]))
		)
	if territories:
		query = query.where(
			tech.name.isin(_technicians_listing("Service Technician Territory", "territory", territories))
		)
	candidates = [
		c for c in query.run(as_dict=True) if c.name not in exclude and not is_on_holiday(c.holiday_list)
	]
	loads = open_loads([c.name for c in candidates])
	for candidate in candidates:
		candidate.load = loads.get(candidate.name, 0)
	return [c for c in candidates if c.load < cint(c.capacity)]


def pool_audience(ticket, context) -> list[str]:
	"""Whom the event pool_available tells (aftersales_app.notifications.events): the technicians who
	may grab the pool ticket."""
	return [t.user or t.name for t in qualified_technicians(ticket)]


def _technicians_listing(table: str, field: str, values: list[str]):
	"""The technicians with one of `values` in their child table `table` (skills, territories)."""
	row = DocType(table)
	return (
		frappe.qb.from_(row)
		.select(row.parent)
		.where((row.parenttype == "Service Technician") & row[field].isin(values))
	)


def check_qualified(ticket, user: str):
	if not any(c.user == user for c in qualified_technicians(ticket)):
		frappe.throw(
			_(
				"You cannot take ticket {0}: it needs another skill or territory, or you are at capacity or unavailable"
			).format(frappe.bold(ticket.name)),
			NotQualifiedError,
		)


# --- dispatching ---------------------------------------------------------------------------------


def on_ticket_validate(ticket, method=None):
	"""Service Ticket validate: the accept deadline runs from when the ticket arrives in Awaiting
	Acceptance, whichever way it got there (dispatch buttons or the workflow's own action)."""
	if ticket.state_changed() and ticket.status == AWAITING_ACCEPTANCE and not ticket.accept_deadline:
		ticket.accept_deadline = accept_deadline()


def on_ticket_update(ticket, method=None):
	"""Service Ticket on_update: the technician a ticket waits for gets its ToDo and hears of it;
	the ToDo lives while the ticket is open (closed when it is closed, rejected or cancelled, so
	"assigned to me" shows work to do; open again when it is reopened with its technician)."""
	if ticket.state_changed() and ticket.status == AWAITING_ACCEPTANCE and ticket.assigned_technician:
		open_todo(
			ticket,
			ticket.assigned_technician,
			_("Service ticket {0} is assigned to you: please accept it").format(ticket.name),
		)
		tell_assigned(ticket)
	log = ticket.flags.state_log
	if not log:
		return
	if ticket.status in FINAL_CATEGORIES:
		assign_to.close_all_assignments(ticket.doctype, ticket.name, ignore_permissions=True)
	elif log.from_category in FINAL_CATEGORIES and ticket.assigned_technician:
		open_todo(ticket, ticket.assigned_technician, _("Service ticket {0} is reopened").format(ticket.name))


def accept_deadline():
	minutes = cint(frappe.db.get_single_value("After-Sales Settings", "accept_timeout_minutes")) or 5
	return add_to_date(now_datetime(), minutes=minutes)


def assign(ticket, technician: str):
	"""Direct assignment: the technician gets the ticket (and Frappe's ToDo, so "Assigned to me"
	works) and must accept it before the accept deadline."""
	require_category(ticket, DISPATCHING, AWAITING_ACCEPTANCE)
	previous = ticket.assigned_technician
	fields = {
		"assigned_technician": technician,
		"in_pool": 0,
		"accept_deadline": accept_deadline(),  # a fresh deadline on reassignment too
		"transfer_to": None,
		"transfer_reason": None,
	}
	if ticket.status == DISPATCHING:
		ticket = move_with(ticket, AWAITING_ACCEPTANCE, **fields)
	else:
		save_dispatch_fields(ticket, **fields)
	if previous and previous != technician:
		close_todo(ticket, previous)
	open_todo(
		ticket, technician, _("Service ticket {0} is assigned to you: please accept it").format(ticket.name)
	)
	frappe.db.set_value(
		"Service Technician", technician, "last_assigned_on", now_datetime(), update_modified=False
	)
	tell_assigned(ticket)
	return ticket


def tell_assigned(ticket):
	"""The technician hears of the assignment (once per assignment and deadline)."""
	notify(
		ticket,
		"ticket_assigned",
		f"{ticket.assigned_technician}|{ticket.accept_deadline}",
		deadline=when(ticket.accept_deadline),
	)


def put_in_pool(ticket):
	"""The ticket waits in the pool for a qualified technician to grab it."""
	require_category(ticket, DISPATCHING, AWAITING_ACCEPTANCE)
	if not cint(frappe.db.get_single_value("After-Sales Settings", "pool_enabled")):
		frappe.throw(_("The ticket pool is switched off in After-Sales Settings"))
	if ticket.assigned_technician:
		close_todo(ticket, ticket.assigned_technician)
	fields = {"assigned_technician": None, "in_pool": 1, "accept_deadline": accept_deadline()}
	if ticket.status == DISPATCHING:
		ticket = move_with(ticket, AWAITING_ACCEPTANCE, **fields)
	else:
		save_dispatch_fields(ticket, **fields)
	tell_pool(ticket)
	return ticket


def tell_pool(ticket):
	"""Every technician who may grab the pool ticket hears of it (once per round in the pool)."""
	notify(ticket, "pool_available", f"pool|{ticket.accept_deadline}", deadline=when(ticket.accept_deadline))


def auto_assign(ticket):
	"""The least loaded qualified technician; among equals the one assigned longest ago (round
	robin). Frappe's Assignment Rule cannot weigh skills, territories and capacity, hence this."""
	candidates = qualified_technicians(ticket)
	if not candidates:
		frappe.throw(
			_("No available technician has the skill and territory for ticket {0}").format(
				frappe.bold(ticket.name)
			),
			NotQualifiedError,
		)
	epoch = now_datetime().replace(year=1970)
	chosen = min(candidates, key=lambda c: (c.load, c.last_assigned_on or epoch, c.name))
	return assign(ticket, chosen.name)


def dispatch(ticket, technician: str | None = None):
	"""Dispatch by the ticket's mode (or its type's): Direct needs a technician, Pool, Auto."""
	mode = ticket.dispatch_mode or frappe.db.get_value(
		"Service Ticket Type", ticket.ticket_type, "default_dispatch_mode"
	)
	if technician or mode in (None, "", "Direct"):
		if not technician:
			frappe.throw(
				_("Choose the technician to dispatch ticket {0} to").format(frappe.bold(ticket.name))
			)
		return assign(ticket, technician)
	if mode == "Pool":
		return put_in_pool(ticket)
	return auto_assign(ticket)


# --- the technician's side -----------------------------------------------------------------------


def grab(ticket_name: str, user: str):
	"""Take a pool ticket. The ticket's row is locked (SELECT … FOR UPDATE NOWAIT) for the rest of
	the transaction, so when many technicians grab at once, on any number of app servers, the first
	takes it and every other one hears at once that it is taken: a grab that finds the row locked
	does not wait for the winner's transaction. The technician's own row is locked first, so that
	two grabs by one technician (of two tickets) count their load one after the other and never
	take them past their capacity. The winner's ticket is saved once: assigned and accepted."""
	locks.lock("Service Technician", user)
	try:
		row = frappe.db.get_value(
			"Service Ticket",
			ticket_name,
			["in_pool", "assigned_technician", "status"],
			as_dict=True,
			for_update=True,
			wait=False,
		)
	except frappe.QueryTimeoutError:
		# another grab (or an agent's change) holds the ticket right now
		frappe.throw(
			_("Ticket {0} has already been taken").format(frappe.bold(ticket_name)), AlreadyTakenError
		)
	if not row:
		frappe.throw(
			_("Service Ticket {0} not found").format(frappe.bold(ticket_name)), frappe.DoesNotExistError
		)
	if not row.in_pool or row.assigned_technician or row.status != AWAITING_ACCEPTANCE:
		frappe.throw(
			_("Ticket {0} has already been taken").format(frappe.bold(ticket_name)), AlreadyTakenError
		)
	ticket = frappe.get_doc("Service Ticket", ticket_name)
	check_qualified(ticket, user)
	ticket = move_with(ticket, IN_PROGRESS, assigned_technician=user, in_pool=0)
	open_todo(ticket, user, _("You took service ticket {0} from the pool").format(ticket.name))
	frappe.db.set_value("Service Technician", user, "last_assigned_on", now_datetime(), update_modified=False)
	return ticket


def accept(ticket, user: str):
	require_category(ticket, AWAITING_ACCEPTANCE)
	if ticket.assigned_technician != user:
		frappe.throw(
			_("Ticket {0} is not assigned to you").format(frappe.bold(ticket.name)), frappe.PermissionError
		)
	return move_to_category(ticket, IN_PROGRESS)  # the ticket records accepted_on itself


def decline(ticket, user: str, reason: str):
	"""The technician gives the ticket back to dispatch, saying why."""
	require_category(ticket, AWAITING_ACCEPTANCE)
	if ticket.assigned_technician != user:
		frappe.throw(
			_("Ticket {0} is not assigned to you").format(frappe.bold(ticket.name)), frappe.PermissionError
		)
	reason = check_length(_("Reason"), reason)
	if not reason:
		frappe.throw(_("Say why you decline the ticket"))
	ticket = move_to_category(ticket, DISPATCHING)
	close_todo(ticket, user)
	save_dispatch_fields(ticket, assigned_technician=None, accept_deadline=None)
	ticket.add_comment(
		"Info",
		_("{0} declined the ticket: {1}").format(escape(frappe.utils.get_fullname(user)), escape(reason)),
	)
	return ticket


def request_transfer(ticket, user: str, colleague: str, reason: str):
	"""转派: the assigned technician asks to hand the ticket to a named colleague, who accepts it
	(or an agent decides)."""
	if ticket.assigned_technician != user:
		frappe.throw(
			_("Ticket {0} is not assigned to you").format(frappe.bold(ticket.name)), frappe.PermissionError
		)
	require_category(ticket, AWAITING_ACCEPTANCE, IN_PROGRESS)
	if colleague == user:
		frappe.throw(_("Choose a colleague other than yourself"))
	reason = check_length(_("Reason"), reason)
	if not reason:
		frappe.throw(_("Say why you ask for a transfer"))
	if not any(c.name == colleague for c in qualified_technicians(ticket, exclude=(user,))):
		frappe.throw(
			_("{0} cannot take ticket {1}: another skill or territory, at capacity or unavailable").format(
				frappe.bold(frappe.utils.get_fullname(colleague)), frappe.bold(ticket.name)
			),
			NotQualifiedError,
		)
	save_dispatch_fields(ticket, transfer_to=colleague, transfer_reason=reason)
	notify(
		ticket,
		"transfer_requested",
		f"{user}|{colleague}|{frappe.utils.now()}",
		requested_by=user,
		requested_by_name=fullname(user),
		colleague_name=fullname(colleague),
	)
	open_todo(
		ticket,
		colleague,
		_("{0} asks you to take over service ticket {1}: {2}").format(
			escape(frappe.utils.get_fullname(user)), ticket.name, escape(reason)
		),
	)
	ticket.add_comment(
		"Info",
		_("{0} asked to transfer the ticket to {1}: {2}").format(
			escape(frappe.utils.get_fullname(user)),
			escape(frappe.utils.get_fullname(colleague)),
			escape(reason),
		),
	)
	return ticket


def answer_transfer(ticket, approve: bool):
	"""The colleague (or an agent) accepts or refuses the transfer request."""
	colleague = ticket.transfer_to
	if not colleague:
		frappe.throw(_("Ticket {0} has no transfer request").format(frappe.bold(ticket.name)))
	user = frappe.session.user
	if user != colleague and not roles.has_any(roles.DISPATCHERS, user):
		frappe.throw(
			_("Only {0} or customer service can answer this transfer").format(frappe.get_fullname(colleague)),
			frappe.PermissionError,
		)
	previous = ticket.assigned_technician
	notify(
		ticket,
		"transfer_answered",
		f"{previous}|{colleague}|{frappe.utils.now()}",
		requested_by=previous,
		colleague_name=fullname(colleague),
		answer=_("approved") if approve else _("refused"),
	)
	if not approve:
		close_todo(ticket, colleague)
		save_dispatch_fields(ticket, transfer_to=None, transfer_reason=None)
		ticket.add_comment(
			"Info", _("{0} refused the transfer").format(escape(frappe.utils.get_fullname(user)))
		)
		return ticket
	save_dispatch_fields(ticket, assigned_technician=colleague, transfer_to=None, transfer_reason=None)
	close_todo(ticket, previous)
	ticket.add_comment(
		"Info",
		_("Transferred from {0} to {1}").format(
			escape(frappe.utils.get_fullname(previous)), escape(frappe.utils.get_fullname(colleague))
		),
	)
	if ticket.status == AWAITING_ACCEPTANCE and user == colleague:
		ticket = accept(ticket, colleague)  # the colleague's yes is their acceptance
	elif ticket.status == AWAITING_ACCEPTANCE:
		save_dispatch_fields(ticket, accept_deadline=accept_deadline())
	return ticket


# --- the accept timeout --------------------------------------------------------------------------


def overdue_acceptance_query(now=None):
	"""Tickets waiting for acceptance past their deadline: (status, accept_deadline) is indexed, so
	the job reads only the due rows however many tickets are open."""
	ticket = DocType("Service Ticket")
	return (
		frappe.qb.from_(ticket)
		.select(ticket.name)
		.where(ticket.status == AWAITING_ACCEPTANCE)
		.where(ticket.accept_deadline < (now or now_datetime()))
	)


def release_overdue_acceptances():
	"""Scheduler job (every minute): tickets nobody accepted in time go back to customer service
	(or to the pool, per After-Sales Settings), and the ticket's responsible agent is told."""
	to_pool = frappe.db.get_single_value("After-Sales Settings", "on_accept_timeout") == "Back to the Pool"

	def release_one(name):
		ticket = frappe.get_doc("Service Ticket", name)
		# a pool ticket nobody grabbed goes back to customer service, not round again
		release(ticket, to_pool and not ticket.in_pool)

	jobs.each(overdue_acceptance_query().run(pluck=True), release_one, "Accept timeout of {0}")


def release(ticket, to_pool: bool):
	technician, deadline = ticket.assigned_technician, ticket.accept_deadline
	if technician:
		close_todo(ticket, technician)
	if to_pool:
		save_dispatch_fields(ticket, assigned_technician=None, in_pool=1, accept_deadline=accept_deadline())
	else:  # the app's own move, whoever's the transition is: one save with the cleared fields
		ticket = move_with(
			ticket,
			DISPATCHING,
			as_user="Administrator",
			assigned_technician=None,
			in_pool=0,
			accept_deadline=None,
		)
	outcome = _("it is back in the pool") if to_pool else _("it is back with customer service")
	notify(ticket, "accept_timeout", f"timeout|{deadline}", outcome=outcome)
	if to_pool:
		tell_pool(ticket)
	return ticket


# --- ToDo and notices ----------------------------------------------------------------------------


def open_todo(ticket, user: str, description: str):
	if frappe.db.exists(
		"ToDo",
		{
			"reference_type": "Service Ticket",
			"reference_name": ticket.name,
			"allocated_to": user,
			"status": "Open",
		},
	):
		return
	assign_to.add(
		{"assign_to": [user], "doctype": "Service Ticket", "name": ticket.name, "description": description},
		ignore_permissions=True,
	)


def close_todo(ticket, user: str | None):
	if user and frappe.db.exists(
		"ToDo",
		{
			"reference_type": "Service Ticket",
			"reference_name": ticket.name,
			"allocated_to": user,
			"status": "Open",
		},
	):
		assign_to.remove("Service Ticket", ticket.name, user, ignore_permissions=True)


def pool_tickets_for(user: str) -> list[str]:
	"""Pool tickets this technician is qualified to grab, oldest first: one query over the pool
	(the rules of qualified_technicians, turned round: the ticket type's skill is one of theirs, the
	ticket's territory lies under one of theirs), nothing read per ticket."""
	technician = technician_of(user)
	if (
		not technician
		or not technician.active
		or technician.away
		or is_on_holiday(technician.holiday_list)
		or open_loads([technician.name]).get(technician.name, 0) >= cint(technician.capacity)
	):
		return []
	ticket, ticket_type = DocType("Service Ticket"), DocType("Service Ticket Type")
	skill, served, territory = (
		DocType("Service Technician Skill"),
		DocType("Service Technician Territory"),
		DocType("Territory"),
	)
	skills = (
		frappe.qb.from_(skill)
		.select(skill.skill)
		.where((skill.parenttype == "Service Technician") & (skill.parent == technician.name))
	)
	# the technician's territories and every territory under them (the tree's lft/rgt)
	under = DocType("Territory").as_("under")
	territories = (
		frappe.qb.from_(served)
		.join(territory)
		.on(territory.name == served.territory)
		.join(under)
		.on((under.lft >= territory.lft) & (under.rgt <= territory.rgt))
		.select(under.name)
		.where((served.parenttype == "Service Technician") & (served.parent == technician.name))
	)
	return (
		frappe.qb.from_(ticket)
		.left_join(ticket_type)
		.on(ticket_type.name == ticket.ticket_type)
		.select(ticket.name)
		.where((ticket.status == AWAITING_ACCEPTANCE) & (ticket.in_pool == 1))
		.where(ticket.assigned_technician.isnull() | (ticket.assigned_technician == ""))
		.where(
			ticket_type.required_skill.isnull()
			| (ticket_type.required_skill == "")
			| ticket_type.required_skill.isin(skills)
		)
		.where(ticket.territory.isnull() | (ticket.territory == "") | ticket.territory.isin(territories))
		.orderby(ticket.opened_on)
		.run(pluck=True)
	)
