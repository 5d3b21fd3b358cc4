"""The fields the app adds to ERPNext's DocTypes (and to Service Ticket, for ERPNext's Service Level
Agreement), made where missing on install and after every migrate, and never updated.

Not fixtures on purpose: Frappe re-imports a fixture on every migrate by deleting the record and
inserting the file's (`import_doc(..., force=True)`, whatever the `modified` stamps say), so an
admin who edited a shipped field's label or options on its Custom Field record lost the edit on the
next `bench migrate`. Made here, a field is the admin's once it exists: a new release adds the
fields that are new (this list, on the next migrate), and a release that must change a shipped
field does so in a patch that leaves a value the admin changed alone (as
aftersales_app.tickets.setup.workflow.add_shipped_transitions does for the workflow). A patch that needs a
field of a newer release calls make_custom_fields() first: migrate runs after_migrate after the
patches. A field the admin deleted comes back on the next migrate: the app's code reads these.

The ticket templates' example fields (aftersales_app.tickets.setup.ticket_templates) are made once instead:
they are the admin's to change or delete."""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

MODULE = "Tickets"

# Service Ticket's fields for ERPNext's Service Level Agreement, as ERPNext adds them to Issue
SERVICE_LEVEL_FIELDS = [
	{
		"fieldname": "priority",
		"fieldtype": "Link",
		"label": "Priority",
		"options": "Issue Priority",
		"insert_after": "state_since",
		"in_standard_filter": 1,
		"permlevel": 1,
	},
	{
		"fieldname": "service_level_section",
		"fieldtype": "Section Break",
		"label": "Service Level",
		"insert_after": "hold_reason",
		"collapsible": 1,
	},
	{
		"fieldname": "service_level_agreement",
		"fieldtype": "Link",
		"label": "Service Level Agreement",
		"options": "Service Level Agreement",
		"insert_after": "service_level_section",
		"permlevel": 2,
	},
	{
		"fieldname": "response_by",
		"fieldtype": "Datetime",
		"label": "Response By",
		"insert_after": "service_level_agreement",
		"read_only": 1,
	},
	{
		"fieldname": "first_responded_on",
		"fieldtype": "Datetime",
		"label": "First Responded On",
		"insert_after": "response_by",
		"read_only": 1,
		"no_copy": 1,
	},
	{
		"fieldname": "on_hold_since",
		"fieldtype": "Datetime",
		"label": "On Hold Since",
		"insert_after": "first_responded_on",
		"read_only": 1,
		"hidden": 1,
	},
	{
		"fieldname": "total_hold_time",
		"fieldtype": "Duration",
		"label": "Total Hold Time",
		"insert_after": "on_hold_since",
		"read_only": 1,
	},
	{"fieldname": "cb", "fieldtype": "Column Break", "insert_after": "total_hold_time", "read_only": 1},
	{
		"fieldname": "agreement_status",
		"fieldtype": "Select",
		"label": "Service Level Agreement Status",
		"options": "First Response Due\nResolution Due\nFulfilled\nFailed",
		"default": "First Response Due",
		"insert_after": "cb",
		"read_only": 1,
		"in_standard_filter": 1,
	},
	{
		"fieldname": "sla_resolution_by",
		"fieldtype": "Datetime",
		"label": "Resolution By",
		"insert_after": "agreement_status",
		"read_only": 1,
		"search_index": 1,
	},
	{
		"fieldname": "service_level_agreement_creation",
		"fieldtype": "Datetime",
		"label": "Service Level Agreement Creation",
		"insert_after": "sla_resolution_by",
		"read_only": 1,
		"hidden": 1,
	},
	{
		"fieldname": "sla_resolution_date",
		"fieldtype": "Datetime",
		"label": "Resolution Date",
		"insert_after": "service_level_agreement_creation",
		"read_only": 1,
		"no_copy": 1,
		"search_index": 1,
		"depends_on": "eval:!doc.__islocal",
	},
]

CUSTOM_FIELDS = {
	# a customer's channels and birthday (aftersales_app.notifications.notify, aftersales_app.customer_care.lifecycle)
	"Contact": [
		{
			"fieldname": "preferred_channel",
			"fieldtype": "Select",
			"label": "Preferred Channel",
			"options": "\nPhone\nWeChat\nWeCom\nEmail\nSMS",
			"insert_after": "mobile_no",
		},
		{
			"fieldname": "wechat_id",
			"fieldtype": "Data",
			"label": "WeChat ID",
			"insert_after": "preferred_channel",
			"search_index": 1,
		},
		{"fieldname": "wecom_id", "fieldtype": "Data", "label": "WeCom ID", "insert_after": "wechat_id"},
		{
			"fieldname": "birthday",
			"fieldtype": "Date",
			"label": "Birthday",
			"insert_after": "wecom_id",
			"search_index": 1,
		},
		# a manager's explicit grant: this contact's portal user may act for a customer they do not
		# act for yet (aftersales_app.portal.access); cleared again by the save that uses it
		{
			"fieldname": "grant_portal_access",
			"fieldtype": "Check",
			"label": "Grant Portal Access",
			"description": "After-Sales Managers only: let this contact's portal user, who already acts for other customers, act for the customers linked here too (written on the timeline; unticked again on save)",
			"default": "0",
			"insert_after": "user",
			"no_copy": 1,
			"read_only_depends_on": "eval:!frappe.user.has_role('After-Sales Manager') && !frappe.user.has_role('System Manager')",
		},
	],
	# a ticket's charge invoice and a payment's Payment Entry, linked both ways
	"Sales Invoice": [
		{
			"fieldname": "service_ticket",
			"fieldtype": "Link",
			"label": "Service Ticket",
			"options": "Service Ticket",
			"insert_after": "customer_name",
			"read_only": 1,
			"search_index": 1,
		}
	],
	"Payment Entry": [
		{
			"fieldname": "service_payment",
			"fieldtype": "Link",
			"label": "Service Payment",
			"options": "Service Payment",
			"insert_after": "mode_of_payment",
			"read_only": 1,
			"no_copy": 1,
			"search_index": 1,
		}
	],
	"File": [
		{
			"fieldname": "customer_visible",
			"fieldtype": "Check",
			"label": "Visible to Customer",
			"description": "Shown to the customer on the after-sales portal (files of service tickets and visits)",
			"default": "0",
			"insert_after": "is_private",
		}
	],
	"Notification": [
		{
			"fieldname": "aftersales_digest",
			"fieldtype": "Check",
			"label": "Hourly Digest (After-Sales)",
			"description": "After-sales notifications only: collect this notification's messages and send each recipient one digest an hour instead of one message each",
			"default": "0",
			"insert_after": "send_to_all_assignees",
		}
	],
	"Service Ticket": SERVICE_LEVEL_FIELDS,
	# lifecycle (aftersales_app.customer_care.lifecycle) and check-ups (aftersales_app.customer_care.maintenance_reminders)
	"Customer": [
		{
			"fieldname": "aftersales_lifecycle",
			"fieldtype": "Select",
			"label": "Lifecycle (After-Sales)",
			"options": "\nActive\nDormant\nLost",
			"description": "Active, dormant or lost by the customer's last service or purchase (After-Sales Settings' thresholds)",
			"insert_after": "customer_group",
			"read_only": 1,
			"in_standard_filter": 1,
			"no_copy": 1,
		},
		{
			"fieldname": "aftersales_last_activity",
			"fieldtype": "Date",
			"label": "Last Service or Purchase",
			"insert_after": "aftersales_lifecycle",
			"read_only": 1,
			"no_copy": 1,
			"search_index": 1,
		},
	],
	"Serial No": [
		{
			"fieldname": "aftersales_in_service_since",
			"fieldtype": "Date",
			"label": "In Service Since",
			"description": "When the product went into service with the customer: check-up offers count from here (filled from the warranty dates when empty)",
			"insert_after": "amc_expiry_date",
			"no_copy": 1,
		},
		{
			"fieldname": "aftersales_next_check_up",
			"fieldtype": "Date",
			"label": "Next Check-up",
			"description": "When the customer is next offered a check-up (After-Sales Settings' period)",
			"insert_after": "aftersales_in_service_since",
			"read_only": 1,
			"no_copy": 1,
			"search_index": 1,
		},
	],
	# the knowledge base (知识库, aftersales_app.knowledge.articles) on Frappe's Help Article
	"Help Article": [
		{
			"fieldname": "aftersales_internal",
			"fieldtype": "Check",
			"label": "Internal (Staff Only)",
			"insert_after": "published",
			"description": "Shown to service staff on tickets only: never published on the website or the portal",
		},
		{
			"fieldname": "aftersales_section",
			"fieldtype": "Section Break",
			"label": "After-Sales",
			"insert_after": "level",
		},
		{
			"fieldname": "aftersales_item",
			"fieldtype": "Link",
			"options": "Item",
			"label": "Item",
			"insert_after": "aftersales_section",
			"search_index": 1,
		},
		{
			"fieldname": "aftersales_item_group",
			"fieldtype": "Link",
			"options": "Item Group",
			"label": "Item Group",
			"insert_after": "aftersales_item",
			"search_index": 1,
		},
		{
			"fieldname": "aftersales_ticket_type",
			"fieldtype": "Link",
			"options": "Service Ticket Type",
			"label": "Ticket Type",
			"insert_after": "aftersales_item_group",
			"search_index": 1,
		},
		{
			"fieldname": "aftersales_column_break",
			"fieldtype": "Column Break",
			"insert_after": "aftersales_ticket_type",
		},
		{
			"fieldname": "aftersales_source_ticket",
			"fieldtype": "Link",
			"options": "Service Ticket",
			"label": "Source Ticket",
			"insert_after": "aftersales_column_break",
			"read_only": 1,
			"no_copy": 1,
			"search_index": 1,
		},
		{
			"fieldname": "aftersales_requests_avoided",
			"fieldtype": "Int",
			"label": "Requests Avoided",
			"insert_after": "aftersales_source_ticket",
			"read_only": 1,
			"no_copy": 1,
			"default": "0",
			"description": "Customers who said this article solved their problem instead of filing a request",
		},
		{
			"fieldname": "aftersales_english_section",
			"fieldtype": "Section Break",
			"label": "English",
			"insert_after": "content",
			"collapsible": 1,
		},
		{
			"fieldname": "aftersales_title_en",
			"fieldtype": "Data",
			"label": "English Title",
			"insert_after": "aftersales_english_section",
		},
		{
			"fieldname": "aftersales_content_en",
			"fieldtype": "Text Editor",
			"label": "English Content",
			"insert_after": "aftersales_title_en",
		},
	],
}


def shipped(fields: dict, is_system_generated: int = 1) -> dict:
	"""The app's fields as create_custom_fields takes them: the app's module (uninstall removes
	them), and system generated (Customize Form keeps an admin's changes of such a field in
	Property Setters, and does not let it be deleted there)."""
	return {
		doctype: [
			{"module": MODULE, "is_system_generated": is_system_generated, "translatable": 0, **df}
			for df in rows
		]
		for doctype, rows in fields.items()
	}


def make_custom_fields():
	"""Create the shipped fields that are missing; leave every existing one as it is."""
	create_custom_fields(shipped(CUSTOM_FIELDS), update=False)


def missing_custom_fields() -> list[str]:
	"""Shipped fields the site lacks (Custom Field names), for checks and tests."""
	return [
		f"{doctype}-{df['fieldname']}"
		for doctype, rows in CUSTOM_FIELDS.items()
		for df in rows
		if not frappe.db.exists("Custom Field", {"dt": doctype, "fieldname": df["fieldname"]})
	]
