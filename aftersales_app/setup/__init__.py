"""Install, set-up wizard and uninstall steps that fixtures cannot express, one module per concern:
roles' rights on ERPNext (permissions), ticket types (ticket_types), service items and modes of
payment (charging), the workflow and its state categories (workflow), the kanban board (kanban), the shipped
Notification records (notifications), the default Service Level Agreement and the escalation
points (sla).
Runtime code imports nothing from here; patches that re-run a step do so from patches.txt."""

import frappe

from aftersales_app.setup.charging import make_charging_setup
from aftersales_app.setup.notifications import make_notifications, remove_notifications
from aftersales_app.setup.permissions import remove_erpnext_permissions, setup_erpnext_permissions
from aftersales_app.setup.sla import (
	make_escalation_settings,
	make_service_level_agreement,
	remove_service_level_agreements,
)
from aftersales_app.setup.ticket_types import make_ticket_types
from aftersales_app.setup.workflow import install_default_workflow


def after_install():
	setup_erpnext_permissions()
	make_ticket_types()
	make_charging_setup()
	make_escalation_settings()
	if frappe.is_setup_complete():  # else the set-up wizard makes them, in the site's language
		make_notifications()
		make_service_level_agreement()


def after_sync():
	"""After the fixtures (roles) exist: the default workflow and its state categories."""
	install_default_workflow()


def after_setup_wizard(args=None):
	"""ERPNext creates Issue Priorities in its setup wizard, which on a new site runs after the app
	was installed: give the shipped ticket types their default priorities then, and make the
	notifications and the service level agreement in the language the wizard chose."""
	make_ticket_types()
	make_charging_setup()
	make_notifications()
	make_service_level_agreement()


def before_uninstall():
	remove_erpnext_permissions()
	remove_notifications()
	remove_service_level_agreements()
	# records of Frappe DocTypes that point at the app's DocTypes and would be left dangling
	for workflow in frappe.get_all("Workflow", filters={"document_type": "Service Ticket"}, pluck="name"):
		frappe.delete_doc("Workflow", workflow, force=True, ignore_permissions=True)
	for board in frappe.get_all(
		"Kanban Board", filters={"reference_doctype": "Service Ticket"}, pluck="name"
	):
		frappe.delete_doc("Kanban Board", board, force=True, ignore_permissions=True)
