// 工单池: the pool tickets a technician may grab (customer service and managers see the whole pool),
// read through aftersales_app.api.dispatch.get_pool, which shows the job and not the customer's
// phone or address; those come with the ticket once it is grabbed. One grab wins: a loser is told
// at once that the ticket was taken.
frappe.pages["service-ticket-pool"].on_page_load = function (wrapper) {
	const page = frappe.ui.make_app_page({
		parent: wrapper,
		title: __("Ticket Pool"),
		single_column: true,
	});
	const $list = $('<div class="as-pool"></div>').appendTo(page.main);
	const technician = aftersales.has_role("technician") && !aftersales.has_role("dispatchers");

	const refresh = () =>
		frappe.xcall("aftersales_app.api.dispatch.get_pool").then((rows) => render(rows || []));

	const grab = (name) =>
		frappe
			.xcall("aftersales_app.api.dispatch.grab_ticket", { ticket: name })
			.then(() => {
				frappe.show_alert({ message: __("Ticket {0} is yours", [name]), indicator: "green" });
				frappe.set_route("Form", "Service Ticket", name);
			})
			.catch(refresh);

	const cell = (label, value) =>
		value
			? `<div class="col-sm-3 col-6"><div class="text-muted small">${__(label)}</div>
				<div>${frappe.utils.escape_html(String(value))}</div></div>`
			: "";

	const render = (rows) => {
		$list.empty();
		if (!rows.length) {
			$list.append(
				`<div class="text-muted text-center" style="padding: 40px 0">${__(
					"No ticket waits in the pool for you"
				)}</div>`
			);
			return;
		}
		rows.forEach((row) => {
			const $row = $(`<div class="frappe-card" style="margin-bottom: 12px; padding: 12px 16px">
				<div class="flex justify-between align-center">
					<div>
						<a class="bold as-pool-ticket"></a>
						<span class="text-muted as-pool-subject" style="margin-left: 8px"></span>
					</div>
					<div class="as-pool-actions"></div>
				</div>
				<div class="row" style="margin-top: 8px">
					${cell("Customer Name", row.customer_name)}
					${cell("Ticket Type", row.ticket_type && __(row.ticket_type))}
					${cell("Product", row.item_name)}
					${cell("Territory", row.territory)}
					${cell("Priority", row.priority && __(row.priority))}
					${cell("Opened On", row.opened_on && frappe.datetime.str_to_user(row.opened_on))}
					${cell("Accept By", row.accept_deadline && frappe.datetime.str_to_user(row.accept_deadline))}
				</div>
			</div>`).appendTo($list);
			$row.find(".as-pool-ticket")
				.text(row.name)
				.attr("href", `/app/service-ticket/${encodeURIComponent(row.name)}`);
			$row.find(".as-pool-subject").text(row.subject || "");
			if (technician) {
				$(`<button class="btn btn-primary btn-sm">${__("Grab")}</button>`)
					.appendTo($row.find(".as-pool-actions"))
					.on("click", () => grab(row.name));
			}
		});
	};

	page.set_secondary_action(__("Refresh"), refresh, "refresh");
	wrapper.refresh_pool = refresh;
	refresh();
	frappe.realtime.on("list_update", (data) => {
		if (data && data.doctype === "Service Ticket" && frappe.get_route()[0] === "service-ticket-pool") {
			refresh();
		}
	});
};

frappe.pages["service-ticket-pool"].on_page_show = function (wrapper) {
	wrapper.refresh_pool && wrapper.refresh_pool();
};
