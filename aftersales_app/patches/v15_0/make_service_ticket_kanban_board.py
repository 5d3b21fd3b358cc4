from aftersales_app.tickets.setup.kanban import make_kanban_board


def execute():
	make_kanban_board()
