def execute():
	"""Sites installed before the app kept time: ERPNext's agreement on Service Ticket and the
	escalation points of After-Sales Settings (once; the admin's from then on)."""
	from aftersales_app.tickets.setup.sla import make_escalation_settings, make_service_level_agreement

	make_service_level_agreement()
	make_escalation_settings()
