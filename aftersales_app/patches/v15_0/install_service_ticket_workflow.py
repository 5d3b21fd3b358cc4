from aftersales_app.tickets.setup.workflow import install_default_workflow


def execute():
	"""Sites that installed the app before it shipped the Service Ticket Workflow."""
	install_default_workflow()
