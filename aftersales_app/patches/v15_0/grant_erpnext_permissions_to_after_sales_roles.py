from aftersales_app.setup.permissions import setup_erpnext_permissions


def execute():
	"""Sites that installed the app before it granted its roles rights on ERPNext DocTypes."""
	setup_erpnext_permissions()
