"""The public contact form and the admins' inbox."""
