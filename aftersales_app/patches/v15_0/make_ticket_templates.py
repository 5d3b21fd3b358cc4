def execute():
	"""Sites installed before the app shipped ticket templates get the examples (once): the
	installation and return/exchange fields, their handler groups and the installation's action."""
	from aftersales_app.tickets.setup.ticket_templates import make_ticket_templates

	make_ticket_templates()
