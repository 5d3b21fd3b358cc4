from aftersales_app.tickets.setup.ticket_types import make_ticket_types


def execute():
	"""Sites that installed the app before it shipped ticket types."""
	make_ticket_types()
