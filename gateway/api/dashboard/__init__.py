"""The admin dashboard at /admin/ui: server-rendered HTML behind an admin login."""
