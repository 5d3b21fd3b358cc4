"""What a ticket's workflow state means, asked of After-Sales Settings.

Admins rename and add states in the Workflow editor; code never names a state. It asks for the
state's category (Open, In Progress, Awaiting Payment …) or for the states of a category.
"""

import frappe
from frappe import _
from frappe.utils import flt

from aftersales_app.core.app_fields import save_as_app
from aftersales_app.core.exceptions import WrongStateError

# The categories, in workflow order. Code names these, never a state.
OPEN = "Open"
PENDING_REVIEW = "Pending Review"
DISPATCHING = "Dispatching"
AWAITING_ACCEPTANCE = "Awaiting Acceptance"
IN_PROGRESS = "In Progress"
ON_HOLD = "On Hold"
AWAITING_CUSTOMER = "Awaiting Customer"
AWAITING_PAYMENT = "Awaiting Payment"
PAYMENT_SUBMITTED = "Payment Submitted"
AWAITING_REVISIT = "Awaiting Revisit"
CLOSED = "Closed"
REJECTED = "Rejected"
CANCELLED = "Cancelled"
CATEGORIES = (
	OPEN,
	PENDING_REVIEW,
	DISPATCHING,
	AWAITING_ACCEPTANCE,
	IN_PROGRESS,
	ON_HOLD,
	AWAITING_CUSTOMER,
	AWAITING_PAYMENT,
	PAYMENT_SUBMITTED,
	AWAITING_REVISIT,
	CLOSED,
	REJECTED,
	CANCELLED,
)
FINAL_CATEGORIES = (CLOSED, REJECTED, CANCELLED)
OPEN_CATEGORIES = tuple(c for c in CATEGORIES if c not in FINAL_CATEGORIES)
# a ticket nobody works on yet: customer service may still correct its customer
BEFORE_DISPATCH_CATEGORIES = (OPEN, PENDING_REVIEW, DISPATCHING)
# going from one of these back to work is a reopening
REOPEN_FROM_CATEGORIES = (AWAITING_CUSTOMER, AWAITING_REVISIT, *FINAL_CATEGORIES)
# where the money moves a ticket (aftersales_app.billing.payments)
MONEY_CATEGORIES = (AWAITING_PAYMENT, PAYMENT_SUBMITTED, AWAITING_REVISIT, CLOSED)
# where a customer's confirmation leads (the workflow's conditions pick one: billable or not)
CONFIRM_CATEGORIES = (AWAITING_PAYMENT, AWAITING_REVISIT, CLOSED)
# the indicator colour of a category, where After-Sales Settings gives the state none
DEFAULT_COLOURS = {
	OPEN: "red",
	PENDING_REVIEW: "orange",
	DISPATCHING: "yellow",
	AWAITING_ACCEPTANCE: "purple",
	IN_PROGRESS: "blue",
	ON_HOLD: "darkgrey",
	AWAITING_CUSTOMER: "cyan",
	AWAITING_PAYMENT: "pink",
	PAYMENT_SUBMITTED: "light-blue",
	AWAITING_REVISIT: "cyan",
	CLOSED: "green",
	REJECTED: "red",
	CANCELLED: "gray",
}


class UnmappedStateError(frappe.ValidationError):
	pass


def state_map() -> dict[str, frappe._dict]:
	"""{workflow state: row of After-Sales Settings} (cached with the settings document)."""
	settings = frappe.get_cached_doc("After-Sales Settings")
	return {
		row.workflow_state: frappe._dict(category=row.category, color=row.indicator_color, icon=row.icon)
		for row in settings.states
	}


def category_of(state: str | None) -> str | None:
	if not state:
		return None
	row = state_map().get(state)
	if not row:
		frappe.throw(
			_("Workflow State {0} has no category: map it in After-Sales Settings").format(
				frappe.bold(state)
			),
			UnmappedStateError,
		)
	return row.category


def states_of(*categories: str) -> list[str]:
	return [state for state, row in state_map().items() if row.category in categories]


def require_category(ticket, *categories: str):
	"""Refuse what cannot be done in the ticket's current category."""
	if ticket.status not in categories:
		frappe.throw(
			_("Ticket {0} is {1}: this cannot be done now").format(
				frappe.bold(ticket.name), frappe.bold(_(ticket.workflow_state))
			),
			WrongStateError,
		)


def transitions(ticket, any_role: bool = False) -> list:
	"""The workflow's transitions out of the ticket's state whose conditions hold: those the session
	user's roles may take, or (`any_role`) whoever's they are, for moves the app makes on its own
	(the money moved by people who had their own checks)."""
	from frappe.model.workflow import get_transitions, get_workflow, is_transition_condition_satisfied

	if not any_role:
		return get_transitions(ticket)
	return [
		t
		for t in get_workflow("Service Ticket").transitions
		if t.state == ticket.workflow_state and is_transition_condition_satisfied(t, ticket)
	]


def transition_to(ticket, category: str, any_role: bool = False):
	"""The first transition that leads the ticket to a state of `category`, or None."""
	return next((t for t in transitions(ticket, any_role) if category_of(t.next_state) == category), None)


def offered(ticket) -> set[str]:
	"""The categories the session user's workflow actions lead to now (unmapped states: none)."""
	states = state_map()
	return {states[t.next_state].category for t in transitions(ticket) if t.next_state in states}


def refuse_move(ticket, category: str):
	frappe.throw(
		_("Ticket {0} cannot go from {1} to {2}").format(
			frappe.bold(ticket.name),
			frappe.bold(_(ticket.workflow_state)),
			frappe.bold(_(category, context="Service Ticket")),
		),
		WrongStateError,
	)


def move_to_category(ticket, category: str, as_user: str | None = None, any_role: bool = False):
	"""Take the workflow action that leads the ticket to a state of `category`: found by where it
	leads, never by its name (admins rename actions and states). As `as_user` (the session user by
	default), whose roles and the transition's conditions must allow it; or (`any_role`) the app's
	own move, whose transition's conditions must hold. Refused when no such action exists."""
	user = frappe.session.user
	if as_user:
		frappe.set_user(as_user)
	try:
		transition = transition_to(ticket, category, any_role)
		if not transition:
			refuse_move(ticket, category)
		if any_role:
			ticket.workflow_state = transition.next_state
			ticket.flags.workflow_action = transition.action
			try:
				return save_as_app(ticket, ignore_permissions=True)
			finally:
				ticket.flags.workflow_action = None
		from frappe.model.workflow import apply_workflow

		# apply_workflow saves a copy it loads itself: the app's move is told by the ticket's name
		moves = frappe.flags.ticket_app_moves = frappe.flags.ticket_app_moves or {}
		moves[ticket.name] = transition.action
		try:
			return apply_workflow(ticket, transition.action)
		finally:
			moves.pop(ticket.name, None)
	finally:
		if as_user:
			frappe.set_user(user)


def move_with(ticket, category: str, as_user: str | None = None, **values):
	"""Set the app's `values` on the ticket and take the workflow action of `as_user` (the session
	user by default) to a state of `category` in one save (move_to_category saves the ticket as the
	database has it, so fields set first would cost a save of their own). The action is chosen as
	Frappe's apply_workflow chooses it, by the user's roles and the transition's condition, on the
	ticket as it will be, and refused as it refuses a self-approval the transition does not allow."""
	from frappe.model.workflow import get_workflow, has_approval_access

	ticket.update(values)
	user = frappe.session.user
	if as_user:
		frappe.set_user(as_user)
	try:
		transition = transition_to(ticket, category)
	finally:
		if as_user:
			frappe.set_user(user)
	if not transition:
		refuse_move(ticket, category)
	if not has_approval_access(as_user or user, ticket, transition):
		frappe.throw(_("Self approval is not allowed"), frappe.PermissionError)

	next_state = next(s for s in get_workflow("Service Ticket").states if s.state == transition.next_state)
	ticket.workflow_state = next_state.state
	if next_state.update_field:
		ticket.set(next_state.update_field, next_state.update_value)
	ticket.flags.transition_checked = True
	ticket.flags.workflow_action = transition.action
	try:
		save_as_app(ticket, ignore_permissions=True)
	finally:
		ticket.flags.transition_checked = False
		ticket.flags.workflow_action = None
	ticket.add_comment("Workflow", _(next_state.state))
	return ticket


# --- a state written outside the app's actions ---------------------------------------------------


class MoveNeedsActionError(frappe.ValidationError):
	"""A save changed the workflow state without what the app's action for that move asks."""


def _decline(ticket, before) -> str | None:
	"""The technician gives the ticket back: aftersales_app.field_service.dispatch.decline asks why."""
	if before.assigned_technician and before.assigned_technician == frappe.session.user:
		return _("Decline ticket {0} with its Decline button: it asks for your reason")


def _dispute(ticket, before) -> str | None:
	"""The customer's dispute says what is still wrong (aftersales_app.portal.resolution, on the
	portal or by customer service for them): a state carries no reason."""
	return _(
		"Record the customer's dispute of ticket {0} with its Customer Disputes button: it asks for the reason"
	)


def _payment_submitted(ticket, before) -> str | None:
	"""Money goes to finance with a payment collected (aftersales_app.billing.payments moves the ticket)."""
	if flt(ticket.unconfirmed_amount) <= 0:
		return _("Record the payment collected for ticket {0}: the ticket goes to finance with it")


# The moves whose app action asks for more than the state, by (from category, to category): the
# rule answers what the user is told when the save lacks it. Frappe's apply_workflow (the desk's
# workflow buttons), a REST PUT, frappe.client.set_value and a form save carry nothing but the
# state, so such a move made through them is refused; every other move the workflow allows the
# user goes through them as through the app. What a transition's own condition asks (a hold's
# reason: `doc.hold_reason`) Frappe checks on every path, against the ticket as stored.
MOVES_NEEDING_ACTION = {
	(AWAITING_ACCEPTANCE, DISPATCHING): _decline,
	(AWAITING_CUSTOMER, IN_PROGRESS): _dispute,
	(AWAITING_PAYMENT, PAYMENT_SUBMITTED): _payment_submitted,
}


def check_move(ticket, before):
	"""Service Ticket validate, when a stored ticket changes state. The app's own moves (move_with,
	move_to_category) have made their checks and name the action they took. Any other save that
	changes the state is Frappe's apply_workflow or a client's write of `workflow_state`: it is
	taken only as the workflow action the user's roles allow there (Frappe checks that too) and
	only where the app's action for that move asks for nothing more (MOVES_NEEDING_ACTION).
	Sets `ticket.flags.workflow_action`, the action the status log records."""
	if ticket.flags.workflow_action:
		return
	app_move = (frappe.flags.ticket_app_moves or {}).get(ticket.name)
	if app_move:
		ticket.flags.workflow_action = app_move
		return
	if ticket.flags.app_action:
		return  # the repair tool: the log names what the workflow names
	from frappe.model.workflow import get_workflow, is_transition_condition_satisfied

	user_roles = set(frappe.get_roles())
	taken = [
		t
		for t in get_workflow("Service Ticket").transitions
		if t.state == before.workflow_state
		and t.next_state == ticket.workflow_state
		and t.allowed in user_roles
		and is_transition_condition_satisfied(t, before)
	]
	if not taken:
		return  # no such action for this user: Frappe's validate_workflow refuses the save
	rule = MOVES_NEEDING_ACTION.get((category_of(before.workflow_state), category_of(ticket.workflow_state)))
	message = rule(ticket, before) if rule else None
	if message:
		frappe.throw(message.format(frappe.bold(ticket.name)), MoveNeedsActionError)
	ticket.flags.workflow_action = taken[0].action


def boot_info() -> dict:
	"""The vocabulary the desk scripts use (aftersales_app.boot)."""
	return {
		# IN_PROGRESS → "In Progress", as the constants above are named
		"categories": {category.upper().replace(" ", "_"): category for category in CATEGORIES},
		"final": list(FINAL_CATEGORIES),
		"colours": DEFAULT_COLOURS,
	}


def first_state() -> str:
	"""The state a new ticket starts in: the first state of the active workflow."""
	from frappe.model.workflow import get_workflow

	return get_workflow("Service Ticket").states[0].state
