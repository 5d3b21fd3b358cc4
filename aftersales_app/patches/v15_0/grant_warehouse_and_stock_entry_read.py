from aftersales_app.install import setup_erpnext_permissions


def execute():
	"""Service visits pick warehouses for their parts and link the stock entries that issued them:
	sites installed before then get the new read rights (existing rights are kept)."""
	setup_erpnext_permissions()
