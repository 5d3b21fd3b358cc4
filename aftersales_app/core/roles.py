"""Who is who: the app's role names, the role sets its rules are written in, and `only_for`, the
decorator that lets a whitelisted method be called by those roles alone (frappe/helpdesk's
`agent_only` is the model). hooks.py only declares the roles; every check reads them here, and the
desk reads them from boot (aftersales_app.boot)."""

from functools import wraps

import frappe
from frappe import _

MANAGER = "After-Sales Manager"
AGENT = "Service Agent"
TECHNICIAN = "Service Technician"
CUSTOMER = "Customer"  # ERPNext's portal role
SYSTEM_MANAGER = "System Manager"
ACCOUNTS_USER = "Accounts User"
ACCOUNTS_MANAGER = "Accounts Manager"

# the roles this app creates (aftersales_app.setup.permissions.make_roles)
APP_ROLES = (MANAGER, AGENT, TECHNICIAN)

# customer service: dispatches, reviews, calls back; works on every ticket
DISPATCHERS = frozenset({AGENT, MANAGER, SYSTEM_MANAGER})
# staff of the service desk: every ticket and visit, beyond a technician's own work
STAFF = DISPATCHERS
# finance confirms and rejects collected payments
FINANCE = frozenset({ACCOUNTS_USER, ACCOUNTS_MANAGER, SYSTEM_MANAGER})
# who makes the charge invoice of a ticket
CHARGING = frozenset({AGENT, MANAGER, ACCOUNTS_USER, SYSTEM_MANAGER})
# who records money collected from the customer
COLLECTING = frozenset({TECHNICIAN, AGENT, MANAGER, ACCOUNTS_USER, SYSTEM_MANAGER})
# who moves returned and replacement goods in and out of stock (aftersales_app.returns.steps)
STOCK_USER = "Stock User"
RETURNS_STOCK = frozenset({AGENT, MANAGER, STOCK_USER, SYSTEM_MANAGER})
# who may let a portal user act for one more customer (aftersales_app.portal.access)
PORTAL_GRANTING = frozenset({MANAGER, SYSTEM_MANAGER})
# who sets a customer's credit limits (ERPNext's accounts roles)
CREDIT_CONTROL = frozenset({ACCOUNTS_USER, ACCOUNTS_MANAGER, SYSTEM_MANAGER})
# who reads every ticket
SEE_ALL = frozenset({AGENT, MANAGER, SYSTEM_MANAGER, ACCOUNTS_USER})
# who edits a ticket in any state (Frappe's "Only Allow Edit For" does not bind them)
EDIT_ANY_STATE = frozenset({MANAGER, SYSTEM_MANAGER})
# who sees the app on /apps
APP_USERS = frozenset({*APP_ROLES, SYSTEM_MANAGER})


def roles_of(user: str | None = None) -> set[str]:
	return set(frappe.get_roles(user or frappe.session.user))


def has_any(roles, user: str | None = None) -> bool:
	"""The user holds one of `roles`; Administrator holds them all."""
	user = user or frappe.session.user
	return user == "Administrator" or bool(roles_of(user) & set(roles))


def is_technician_only(user: str | None = None) -> bool:
	"""A field technician, not also staff of the service desk."""
	user = user or frappe.session.user
	if user == "Administrator":
		return False
	roles = roles_of(user)
	return TECHNICIAN in roles and not roles & STAFF


def require(roles, message: str | None = None, user: str | None = None):
	if not has_any(roles, user):
		frappe.throw(message or _("You are not permitted to do this"), frappe.PermissionError)


def only_for(roles, message: str | None = None):
	"""Decorator of a whitelisted method: only users holding one of `roles` may call it. `message`
	is translated when the call is refused (so pass the English source, not `_()` of it)."""

	def decorator(fn):
		@wraps(fn)
		def wrapper(*args, **kwargs):
			require(roles, _(message) if message else None)
			return fn(*args, **kwargs)

		return wrapper

	return decorator


def boot_info() -> dict:
	"""The role sets the desk scripts ask about (aftersales_app.boot)."""
	return {
		"dispatchers": sorted(DISPATCHERS),
		"finance": sorted(FINANCE),
		"charging": sorted(CHARGING),
		"collecting": sorted(COLLECTING),
		"technician": [TECHNICIAN],
		"returns_stock": sorted(RETURNS_STOCK),
	}


# who may be a ticket's responsible agent (负责客服)
RESPONSIBLE = frozenset({AGENT, MANAGER})


def users_with(roles) -> list[str]:
	"""Enabled desk users holding one of `roles` (Administrator aside), by name."""
	user, has_role = frappe.qb.DocType("User"), frappe.qb.DocType("Has Role")
	return (
		frappe.qb.from_(user)
		.join(has_role)
		.on((has_role.parent == user.name) & (has_role.parenttype == "User"))
		.select(user.name)
		.distinct()
		.where(
			(has_role.role.isin(list(roles)))
			& (user.enabled == 1)
			& (user.user_type == "System User")
			& (user.name.notin(["Administrator", "Guest"]))
		)
		.orderby(user.name)
		.run(pluck=True)
	)
