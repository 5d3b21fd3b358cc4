"""Customer (doc_events): credit limits are the accounts roles' alone, and the customer's own Portal
Users list follows the portal rule of aftersales_app.portal.access.

Both judge what the save changes against what is stored, with the session user's roles whatever
flags the saving code set (REST, the desk form, Data Import and the app's import alike)."""

import frappe
from frappe import _
from frappe.utils import cint, flt

from aftersales_app.core import roles
from aftersales_app.core.permissions import customer_users
from aftersales_app.portal import access as portal_access

CREDIT_TABLE = "credit_limits"
CREDIT_FIELDS = ("company", "credit_limit", "bypass_credit_limit_check")


class CreditLimitError(frappe.PermissionError):
	pass


def validate(doc, method=None):
	check_credit_limits(doc)
	check_portal_users(doc)


def on_update(doc, method=None):
	for user in doc.flags.pop("portal_grants", None) or []:
		portal_access.record_grant(user, doc.name)


def check_credit_limits(doc):
	"""A credit limit decides how much the customer may owe: set by accounts roles only."""
	if roles.has_any(roles.CREDIT_CONTROL):
		return
	stored = (
		[]
		if doc.is_new()
		else frappe.get_all(
			"Customer Credit Limit",
			filters={"parenttype": "Customer", "parent": doc.name, "parentfield": CREDIT_TABLE},
			fields=list(CREDIT_FIELDS),
		)
	)
	if _limits(stored) != _limits(doc.get(CREDIT_TABLE) or []):
		frappe.throw(
			_("Only Accounts Users and Accounts Managers may change a customer's credit limits"),
			CreditLimitError,
			title=_("Credit limit not changed"),
		)


def _limits(rows) -> list[tuple]:
	return sorted(
		(row.get("company") or "", flt(row.get("credit_limit")), cint(row.get("bypass_credit_limit_check")))
		for row in rows
	)


def check_portal_users(doc):
	"""A user added to the customer's Portal Users who already acts for other customers: a
	manager's own row is the grant, anyone else's is refused."""
	stored = (
		set()
		if doc.is_new()
		else set(
			frappe.get_all(
				"Portal User",
				filters={"parenttype": "Customer", "parent": doc.name, "parentfield": "portal_users"},
				pluck="user",
			)
		)
	)
	granted = []
	for user in {row.user for row in doc.get("portal_users") or [] if row.user} - stored:
		if not portal_access.new_customers(user, [doc.name]):
			continue
		if not portal_access.may_grant():
			portal_access.refuse(user, [doc.name])
		granted.append(user)
	doc.flags.portal_grants = sorted(granted)


def before_rename(doc, method=None, old=None, new=None, merge=False):
	"""Merging a customer into another one hands its portal users the kept customer."""
	if not merge:
		return

	gained = [user for user in customer_users(old) if portal_access.new_customers(user, [new])]
	if gained and not portal_access.may_grant():
		portal_access.refuse(gained[0], [new])
	# a manager's merge is the grant; the rename runs in one transaction with it
	for user in gained:
		portal_access.record_grant(user, new)
