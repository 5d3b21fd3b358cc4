"""Warranty status of a product at a date, derived from ERPNext's own data.

Order of evidence, as ERPNext's Serial No itself ranks it: a running warranty beats a running AMC,
which beats an expired AMC, which beats an expired warranty. When the serial number carries no
dates (ERPNext v15's serial-and-batch bundles can leave them empty) or there is no serial number,
the purchase date plus the item's warranty period decides.
"""

import frappe
from frappe.utils import add_days, cint, getdate

UNDER_WARRANTY = "Under Warranty"
OUT_OF_WARRANTY = "Out of Warranty"
UNDER_AMC = "Under AMC"
OUT_OF_AMC = "Out of AMC"


def derive_warranty(
	serial_no: str | None = None,
	item_code: str | None = None,
	purchase_date=None,
	on_date=None,
) -> frappe._dict:
	"""Return `status` ("" when nothing is known), `warranty_expiry_date` and `amc_expiry_date`."""
	on_date = getdate(on_date)
	warranty_expiry = amc_expiry = None
	if serial_no:
		warranty_expiry, amc_expiry = frappe.db.get_value(
			"Serial No", serial_no, ["warranty_expiry_date", "amc_expiry_date"]
		) or (None, None)
	if not warranty_expiry and purchase_date and item_code:
		days = cint(frappe.db.get_value("Item", item_code, "warranty_period"))
		if days:
			warranty_expiry = add_days(getdate(purchase_date), days)

	status = ""
	if warranty_expiry and getdate(warranty_expiry) >= on_date:
		status = UNDER_WARRANTY
	elif amc_expiry and getdate(amc_expiry) >= on_date:
		status = UNDER_AMC
	elif amc_expiry:
		status = OUT_OF_AMC
	elif warranty_expiry:
		status = OUT_OF_WARRANTY
	return frappe._dict(
		status=status,
		warranty_expiry_date=getdate(warranty_expiry) if warranty_expiry else None,
		amc_expiry_date=getdate(amc_expiry) if amc_expiry else None,
	)
