import frappe


def execute():
	"""Visit parts were ticked Covered by Warranty; they are now ticked Not Covered (charged even
	under warranty). Parts of visits under warranty or AMC that were not covered stay charged."""
	if not frappe.db.has_column("Service Visit Part", "covered_by_warranty"):
		return
	part = frappe.qb.DocType("Service Visit Part")
	visit = frappe.qb.DocType("Service Visit")
	under_warranty = (
		frappe.qb.from_(visit)
		.select(visit.name)
		.where(visit.warranty_status.isin(["Under Warranty", "Under AMC"]))
	)
	(
		frappe.qb.update(part)
		.set(part.not_covered, 1)
		.where(part.covered_by_warranty == 0)
		.where(part.parent.isin(under_warranty))
		.run()
	)
