"""The kiosk's Qt layer: full-screen views that show `kiosk.flow` and forward touches to it."""
