"""What a ticket's workflow state means, asked of After-Sales Settings.

Admins rename and add states in the Workflow editor; code never names a state. It asks for the
state's category (Open, In Progress, Awaiting Payment …) or for the states of a category.
"""

import frappe
from frappe import _

CATEGORIES = (
	"Open",
	"Pending Review",
	"Dispatching",
	"Awaiting Acceptance",
	"In Progress",
	"On Hold",
	"Awaiting Customer",
	"Awaiting Payment",
	"Payment Submitted",
	"Awaiting Revisit",
	"Closed",
	"Rejected",
	"Cancelled",
)
FINAL_CATEGORIES = ("Closed", "Rejected", "Cancelled")
# a ticket nobody works on yet: customer service may still correct its customer
BEFORE_DISPATCH_CATEGORIES = ("Open", "Pending Review", "Dispatching")
# going from one of these back to work is a reopening
REOPEN_FROM_CATEGORIES = ("Awaiting Customer", *FINAL_CATEGORIES)
WORK_CATEGORIES = ("In Progress",)


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


def first_state() -> str:
	"""The state a new ticket starts in: the first state of the active workflow."""
	from frappe.model.workflow import get_workflow

	return get_workflow("Service Ticket").states[0].state
