def execute():
	"""Sites whose desk showed dates as dd-mm-yyyy while System Settings said yyyy-mm-dd."""
	from aftersales_app.setup.language import sync_desk_formats

	sync_desk_formats()
