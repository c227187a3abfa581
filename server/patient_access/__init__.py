"""Patients proving who they are (card at a kiosk, ID number + SMS code, the code on the
prescription slip) and the short-lived patient access token each proof gives."""
