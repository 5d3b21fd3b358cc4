"""Demo and test site set-up: ERPNext's setup wizard without a browser, and demo records."""
