"""Receipt printers: ESC/POS over a serial line."""
