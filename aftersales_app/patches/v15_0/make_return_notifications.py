def execute():
	"""Sites made before returns and exchanges: the Notifications of their events (once; the
	admin's edits of the others are left alone)."""
	from aftersales_app.notifications.events import EVENTS
	from aftersales_app.notifications.setup import make_notifications

	make_notifications([EVENTS["return_step"], EVENTS["refund_requested"]])
