"""Setting up a site: install, migrate, the set-up wizard and uninstall (install.py), with what
more than one domain shares: roles and ERPNext permissions, custom fields, landing pages and the
site's language. Each domain sets up its own records in its own setup module."""
