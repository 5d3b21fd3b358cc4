def execute():
	"""Sites installed before the app spoke get its Notification records (once)."""
	from aftersales_app.setup.notifications import make_notifications

	make_notifications()
