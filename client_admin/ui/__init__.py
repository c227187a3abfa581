"""The administration app's widgets (the logic they show lives in `client_admin`)."""
