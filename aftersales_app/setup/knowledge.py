"""The knowledge base's set-up: the custom fields of Frappe's Help Article (defined here and
nowhere else: not in fixtures/custom_field.json) and the app's default Help Category.

`make_custom_fields` runs on install, after every migrate (so a changed definition reaches every
site, as fixtures would) and from the patch that sets up existing sites; it changes nothing when
the fields are as defined. The index of existing articles is built by the same patch
(aftersales_app.knowledge.reindex_all)."""

import frappe
from frappe import _
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from aftersales_app.setup.language import site_language

MODULE = "Aftersales App"
DEFAULT_CATEGORY_ROUTE = "kb/after-sales"


def _field(**values) -> dict:
	return {"module": MODULE, "translatable": 0, **values}


CUSTOM_FIELDS = {
	"Help Article": [
		_field(
			fieldname="aftersales_internal",
			fieldtype="Check",
			label="Internal (Staff Only)",
			insert_after="published",
			description="Shown to service staff on tickets only: never published on the website or the portal",
		),
		_field(
			fieldname="aftersales_section",
			fieldtype="Section Break",
			label="After-Sales",
			insert_after="level",
		),
		_field(
			fieldname="aftersales_item",
			fieldtype="Link",
			options="Item",
			label="Item",
			insert_after="aftersales_section",
			search_index=1,
		),
		_field(
			fieldname="aftersales_item_group",
			fieldtype="Link",
			options="Item Group",
			label="Item Group",
			insert_after="aftersales_item",
			search_index=1,
		),
		_field(
			fieldname="aftersales_ticket_type",
			fieldtype="Link",
			options="Service Ticket Type",
			label="Ticket Type",
			insert_after="aftersales_item_group",
			search_index=1,
		),
		_field(
			fieldname="aftersales_column_break",
			fieldtype="Column Break",
			insert_after="aftersales_ticket_type",
		),
		_field(
			fieldname="aftersales_source_ticket",
			fieldtype="Link",
			options="Service Ticket",
			label="Source Ticket",
			insert_after="aftersales_column_break",
			read_only=1,
			no_copy=1,
			search_index=1,
		),
		_field(
			fieldname="aftersales_requests_avoided",
			fieldtype="Int",
			label="Requests Avoided",
			insert_after="aftersales_source_ticket",
			read_only=1,
			no_copy=1,
			default="0",
			description="Customers who said this article solved their problem instead of filing a request",
		),
		_field(
			fieldname="aftersales_english_section",
			fieldtype="Section Break",
			label="English",
			insert_after="content",
			collapsible=1,
		),
		_field(
			fieldname="aftersales_title_en",
			fieldtype="Data",
			label="English Title",
			insert_after="aftersales_english_section",
		),
		_field(
			fieldname="aftersales_content_en",
			fieldtype="Text Editor",
			label="English Content",
			insert_after="aftersales_title_en",
		),
	]
}


def make_custom_fields():
	"""Create or update the knowledge base's custom fields (idempotent)."""
	create_custom_fields(CUSTOM_FIELDS, update=True)


def remove_custom_fields():
	for doctype, fields in CUSTOM_FIELDS.items():
		for df in fields:
			name = frappe.db.get_value("Custom Field", {"dt": doctype, "fieldname": df["fieldname"]})
			if name:
				frappe.delete_doc("Custom Field", name, force=True, ignore_permissions=True)


def make_default_category() -> str:
	"""The app's Help Category, named in the site's language, found again by its route."""
	existing = frappe.db.get_value("Help Category", {"route": DEFAULT_CATEGORY_ROUTE})
	if existing:
		return existing
	lang = site_language()
	name = _("After-Sales Knowledge", lang=lang)
	description = _("Answers to common product problems, written by the after-sales team", lang=lang)
	if frappe.db.exists("Help Category", name):
		return name
	category = frappe.get_doc(
		{
			"doctype": "Help Category",
			"category_name": name,
			"category_description": description,
			"route": DEFAULT_CATEGORY_ROUTE,
		}
	)
	# made by the app on behalf of whoever first needs it (agents may not create categories)
	category.insert(ignore_permissions=True)
	return category.name


def after_migrate():
	"""Custom field definitions changed in a release reach the site on its next migrate."""
	make_custom_fields()


def make_knowledge_base():
	"""Everything the knowledge base needs on a site: fields, the index, and the default category
	(once the set-up wizard has chosen the site's language; until then the first article made from
	a ticket, or the wizard itself, makes it)."""
	from aftersales_app.knowledge import reindex_all

	make_custom_fields()
	if frappe.is_setup_complete():
		make_default_category()
	frappe.clear_cache(doctype="Help Article")
	reindex_all()
