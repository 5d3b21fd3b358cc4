def execute():
	"""Sites installed before the app spoke get its Notification records (once)."""
	from aftersales_app.notifications.setup import make_notifications

	make_notifications()
