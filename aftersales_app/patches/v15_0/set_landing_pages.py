from aftersales_app.setup.landing import set_landing_pages


def execute():
	"""After-sales staff land on the After-Sales workspace, customers on their service tickets
	(aftersales_app.setup.landing), where nobody chose otherwise."""
	set_landing_pages()
