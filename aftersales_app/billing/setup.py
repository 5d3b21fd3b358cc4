"""What charging needs from ERPNext: the service items the charge invoice bills besides parts, and
the modes of payment technicians collect with."""

import frappe
from frappe import _

from aftersales_app.setup.language import existing, site_language

# Service items the charge invoice bills besides parts: (settings field, item code, name, unit)
SERVICE_ITEMS = [
	("labour_item", "AS-LABOUR", "Labour Charge", "Hour"),
	("call_out_item", "AS-CALL-OUT", "On-site Call-out Fee", "Nos"),
]
# Modes of payment technicians collect with, besides ERPNext's Cash: (name, type). ERPNext's own
# "Wire Transfer" and "Credit Card" serve bank transfers and cards.
MODES_OF_PAYMENT = [
	("WeChat Pay", "Bank"),
	("Alipay", "Bank"),
	("Wire Transfer", "Bank"),
	("Credit Card", "Bank"),
	("Cash", "Cash"),
]


def make_charging_setup():
	"""The service items and modes of payment charging needs, once ERPNext is set up (it makes the
	item groups, units and company accounts in its setup wizard). Fills what is missing only."""
	if not frappe.db.exists("Company", {}):
		return
	make_service_items()
	make_modes_of_payment()


def make_service_items():
	from frappe.utils.nestedset import get_root_of

	lang = site_language()
	settings = frappe.get_single("After-Sales Settings")
	for field, code, item_name, uom in SERVICE_ITEMS:
		if not frappe.db.exists("Item", code):
			frappe.get_doc(
				{
					"doctype": "Item",
					"item_code": code,
					"item_name": _(item_name, lang=lang),
					"description": _(item_name, lang=lang),
					"item_group": existing("Item Group", "Services") or get_root_of("Item Group"),
					"stock_uom": existing("UOM", uom) or existing("UOM", "Nos"),
					"is_stock_item": 0,
					"include_item_in_manufacturing": 0,
					"is_sales_item": 1,
					"is_purchase_item": 0,
				}
			).insert(ignore_permissions=True)
		if not settings.get(field):
			settings.set(field, code)
	# settings saved before these fields existed keep no value for them: their defaults
	for field, default in (("charge_call_out_fee", 1), ("default_settlement", "Pay on Site")):
		if not frappe.db.exists("Singles", {"doctype": "After-Sales Settings", "field": field}):
			settings.set(field, default)
	settings.flags.ignore_permissions = True
	settings.save()


def make_modes_of_payment():
	"""WeChat Pay and Alipay as ERPNext Modes of Payment; each mode the app offers gets each
	company's default bank (or cash) account where it has none, so that finance's confirmation can
	book it. An admin points them at other accounts in ERPNext."""
	lang = site_language()
	for mode, mode_type in MODES_OF_PAYMENT:
		name = existing("Mode of Payment", mode)
		if not name:
			name = _(mode, lang=lang)
			frappe.get_doc({"doctype": "Mode of Payment", "mode_of_payment": name, "type": mode_type}).insert(
				ignore_permissions=True
			)
		doc = frappe.get_doc("Mode of Payment", name)
		have = {row.company for row in doc.accounts}
		for company in frappe.get_all(
			"Company", fields=["name", "default_bank_account", "default_cash_account"]
		):
			account = (
				company.default_cash_account
				if doc.type == "Cash"
				else company.default_bank_account or company.default_cash_account
			)
			if company.name not in have and account:
				doc.append("accounts", {"company": company.name, "default_account": account})
		if len(doc.accounts) > len(have):
			doc.save(ignore_permissions=True)
