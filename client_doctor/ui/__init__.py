"""The doctor app's widgets: thin views over the presenters in `client_doctor`."""
