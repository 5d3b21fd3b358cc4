"""Whitelisted dispatch actions (派单, 抢单, 接单, 拒单, 转派). Each checks who may do it, then calls the
flow in aftersales_app.field_service.dispatch."""

import frappe
from frappe import _

from aftersales_app.api import endpoint
from aftersales_app.core import roles
from aftersales_app.core.roles import only_for
from aftersales_app.field_service import dispatch
from aftersales_app.tickets import escalation
from aftersales_app.tickets.status import AWAITING_ACCEPTANCE

# translated when a call is refused (roles.only_for)
DISPATCHERS_ONLY = "Only customer service dispatches tickets"


def _ticket(name: str, ptype: str = "read"):
	ticket = frappe.get_doc("Service Ticket", name)
	ticket.check_permission(ptype)
	return ticket


def _require_technician() -> str:
	user = frappe.session.user
	if not frappe.db.exists("Service Technician", {"user": user, "active": 1}):
		frappe.throw(_("Only an active service technician can do this"), frappe.PermissionError)
	return user


@endpoint(methods=["POST"])
@only_for(roles.DISPATCHERS, DISPATCHERS_ONLY)
def dispatch_ticket(ticket: str, technician: str | None = None) -> dict:
	"""Dispatch by the ticket's mode: to `technician` (direct), to the pool, or automatically."""
	return dispatch.dispatch(_ticket(ticket, "write"), technician).as_dict()


@endpoint(methods=["POST"])
@only_for(roles.DISPATCHERS, DISPATCHERS_ONLY)
def put_in_pool(ticket: str) -> dict:
	"""Put a ticket in the pool for qualified technicians to grab."""
	return dispatch.put_in_pool(_ticket(ticket, "write")).as_dict()


@endpoint(methods=["POST"])
@only_for(roles.DISPATCHERS, DISPATCHERS_ONLY)
def auto_assign(ticket: str) -> dict:
	"""Assign to the least loaded qualified technician (round robin among equals)."""
	return dispatch.auto_assign(_ticket(ticket, "write")).as_dict()


# what the pool shows of a ticket before it is grabbed: the job, not the customer's phone or address
POOL_FIELDS = (
	"name",
	"subject",
	"customer_name",
	"territory",
	"ticket_type",
	"item_name",
	"opened_on",
	"priority",
	"accept_deadline",
)


@endpoint()
def get_pool() -> list[dict]:
	"""Pool tickets the current technician may grab, oldest first; customer service and managers
	see the whole pool. The pool's fields only: contact details wait until a ticket is grabbed."""
	if roles.has_any(roles.DISPATCHERS):
		return frappe.get_list(
			"Service Ticket",
			filters={"in_pool": 1, "status": AWAITING_ACCEPTANCE},
			fields=[*POOL_FIELDS, "responsible_agent"],
			order_by="opened_on asc",
			limit_page_length=500,
		)
	user = _require_technician()
	names = dispatch.pool_tickets_for(user)
	# technicians list no pool ticket through the row rules (aftersales_app.core.permissions), so the
	# tickets pool_tickets_for found qualified are read here, with the pool's fields only
	return (
		frappe.get_all(
			"Service Ticket",
			filters={"name": ("in", names), "in_pool": 1},
			fields=list(POOL_FIELDS),
			order_by="opened_on asc",
		)
		if names
		else []
	)


@endpoint(methods=["POST"])
def grab_ticket(ticket: str) -> dict:
	"""Take a ticket from the pool; exactly one of many simultaneous grabs wins. No read check on
	the ticket first: a technician who lost the race can no longer read it, and must hear that it
	was taken (the flow locks the row and checks the pool flag and qualification itself)."""
	user = _require_technician()
	return dispatch.grab(ticket, user).as_dict()


@endpoint(methods=["POST"])
def accept_ticket(ticket: str) -> dict:
	"""The assigned technician accepts the ticket."""
	user = _require_technician()
	return dispatch.accept(_ticket(ticket, "write"), user).as_dict()


@endpoint(methods=["POST"])
def decline_ticket(ticket: str, reason: str) -> dict:
	"""The assigned technician gives the ticket back to dispatch, with a reason."""
	user = _require_technician()
	return dispatch.decline(_ticket(ticket, "write"), user, reason).as_dict()


@endpoint(methods=["POST"])
def request_transfer(ticket: str, colleague: str, reason: str) -> dict:
	"""The assigned technician asks to hand the ticket to a named colleague."""
	user = _require_technician()
	return dispatch.request_transfer(_ticket(ticket, "write"), user, colleague, reason).as_dict()


@endpoint(methods=["POST"])
def answer_transfer(ticket: str, approve: bool | int | str) -> dict:
	"""The colleague, or customer service, accepts or refuses a transfer request."""
	return dispatch.answer_transfer(_ticket(ticket, "read"), frappe.utils.sbool(approve)).as_dict()


@endpoint(methods=["POST"])
@only_for(roles.DISPATCHERS, DISPATCHERS_ONLY)
def record_urge(ticket: str, note: str | None = None) -> dict:
	"""Customer service records a customer's urge (催单) taken by phone: told and counted as the
	portal's urge is; once an hour per ticket."""
	_ticket(ticket, "write")
	return escalation.urge(ticket, note).as_dict()
