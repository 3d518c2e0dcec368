"""The API's plumbing beside its views (forum/views/api.py): token authentication, errors, schema."""
