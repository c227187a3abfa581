"""The pharmacist app's widgets: thin views over `client_pharmacist.queue` and `.review`."""
