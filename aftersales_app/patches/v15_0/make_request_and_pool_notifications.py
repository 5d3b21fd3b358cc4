def execute():
	"""Sites made before a new request was acknowledged: the customer's acknowledgement, the
	responsible agent's notice, and the pool's e-mail and SMS to technicians (only the records that
	were never made; the admin's edits of the others are left alone)."""
	import frappe

	from aftersales_app.notifications.events import EVENTS
	from aftersales_app.notifications.setup import make_notifications

	if frappe.is_setup_complete():  # else the set-up wizard makes them, in the site's language
		make_notifications(
			[EVENTS["request_received"], EVENTS["request_to_handle"], EVENTS["pool_available"]]
		)
