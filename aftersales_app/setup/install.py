"""Install, set-up wizard, migrate and uninstall. Each step calls the set-up of the domain it
belongs to: tickets.setup (ticket types, the workflow and its state categories, the kanban board,
the default Service Level Agreement and its escalation points, the example ticket templates),
billing.setup (service items and modes of payment), returns.setup (the returns warehouse),
customer_care.setup (the default customer tag rules), knowledge.setup (the default category and
the index), notifications.setup (the shipped Notification records); and the shared ones beside
this module: the roles and their rights on ERPNext (permissions), the fields the app adds to
ERPNext's DocTypes (custom_fields), landing pages (landing) and the site's language (language).
Runtime code imports nothing from here; patches that re-run a step do so from patches.txt.

The app ships no fixtures: Frappe re-imports a fixture on every migrate (deleting the record and
inserting the file's), which undid an admin's edits of a shipped record. Everything is made where
missing instead and is then the admin's; a migrate only adds what a new release brings."""

import frappe

from aftersales_app.billing.setup import make_charging_setup
from aftersales_app.customer_care.setup import make_customer_tag_rules
from aftersales_app.knowledge.articles import make_default_category
from aftersales_app.knowledge.setup import make_knowledge_base
from aftersales_app.notifications.setup import make_notifications, remove_notifications
from aftersales_app.returns.setup import make_returns_warehouse
from aftersales_app.setup.custom_fields import make_custom_fields
from aftersales_app.setup.landing import remove_landing_pages, set_landing_pages
from aftersales_app.setup.language import sync_desk_formats
from aftersales_app.setup.permissions import make_roles, remove_erpnext_permissions, setup_erpnext_permissions
from aftersales_app.tickets.setup.sla import (
	make_escalation_settings,
	make_service_level_agreement,
	remove_service_level_agreements,
)
from aftersales_app.tickets.setup.ticket_templates import (
	make_handler_groups,
	make_template_actions,
	make_template_fields,
	remove_ticket_templates,
)
from aftersales_app.tickets.setup.ticket_types import make_ticket_types
from aftersales_app.tickets.setup.workflow import install_default_workflow


def after_install():
	make_roles()
	make_custom_fields()
	set_settings_defaults()
	setup_erpnext_permissions()
	make_ticket_types()
	make_charging_setup()
	make_returns_warehouse()
	make_escalation_settings()
	make_knowledge_base()
	if frappe.is_setup_complete():  # else the set-up wizard makes them, in the site's language
		make_notifications()
		make_service_level_agreement()
		make_customer_tag_rules()


def after_sync():
	"""At the end of the install: the default workflow and its state categories; settings added
	since the site last saved After-Sales Settings take their defaults; the example ticket
	templates (their handler groups in the site's language, after the set-up wizard)."""
	install_default_workflow()
	set_settings_defaults()
	set_landing_pages()  # the workspace exists once the app's files are synced
	make_template_fields()
	make_template_actions()
	if frappe.is_setup_complete():
		make_handler_groups()


def after_migrate():
	"""What a new release adds to what the app ships: roles and fields that are missing. Nothing
	that exists is changed (see the module's docstring)."""
	make_roles()
	make_custom_fields()


def after_setup_wizard(args=None):
	"""ERPNext creates Issue Priorities in its setup wizard, which on a new site runs after the app
	was installed: give the shipped ticket types their default priorities then, and make the
	notifications, the service level agreement, the customer tag rules and the example handler
	groups in the language the wizard chose, and the knowledge base's default category (售后知识库)."""
	make_ticket_types()
	make_charging_setup()
	make_returns_warehouse()
	make_notifications()
	make_service_level_agreement()
	make_customer_tag_rules()
	make_handler_groups()
	make_default_category()
	sync_desk_formats()


def set_settings_defaults(also_empty: bool = False):
	"""Fields of After-Sales Settings never stored take their default: Frappe applies a Single's
	defaults only when its form is saved, so a field a new release adds would read as empty (and
	the next save would store it empty). A stored value, the admin's, is kept; `also_empty` (a
	one-off patch's) also replaces stored empty values the app's own earlier saves wrote."""
	from frappe.model import no_value_fields

	singles = frappe.qb.DocType("Singles")
	stored = dict(
		frappe.qb.from_(singles)
		.select(singles.field, singles.value)
		.where(singles.doctype == "After-Sales Settings")
		.run()
	)
	for df in frappe.get_meta("After-Sales Settings").fields:
		if not df.default or df.fieldtype in no_value_fields:
			continue
		if df.fieldname not in stored or (also_empty and stored[df.fieldname] in (None, "", "0")):
			frappe.db.set_single_value("After-Sales Settings", df.fieldname, df.default)
	frappe.clear_document_cache("After-Sales Settings", "After-Sales Settings")


def before_uninstall():
	remove_erpnext_permissions()
	remove_landing_pages()
	remove_notifications()
	remove_service_level_agreements()
	remove_ticket_templates()
	# records of Frappe DocTypes that point at the app's DocTypes and would be left dangling
	for workflow in frappe.get_all("Workflow", filters={"document_type": "Service Ticket"}, pluck="name"):
		frappe.delete_doc("Workflow", workflow, force=True, ignore_permissions=True)
	for board in frappe.get_all(
		"Kanban Board", filters={"reference_doctype": "Service Ticket"}, pluck="name"
	):
		frappe.delete_doc("Kanban Board", board, force=True, ignore_permissions=True)
	# the app's patch history goes with its data: installed again later (an older release, then
	# migrated), its patches must run on what that install makes, not be skipped as done before
	patch_log = frappe.qb.DocType("Patch Log")
	frappe.qb.from_(patch_log).delete().where(patch_log.patch.like("aftersales_app.%")).run()
